"""Before a cascade the head sees recipients' weight totals; after, the recipient sees why."""

import re

from django.urls import reverse

from indicators import cascade
from indicators.models import KPI
from tests.factories_cascade import make_kpi, make_plan


def _weights(html: str) -> dict[str, str]:
    """Recipient name -> the weight line of their row."""
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S)
    found = {}
    for row in rows:
        name = re.search(r'<label for="[^"]+">([^<]+)</label>', row)
        line = re.search(r'class="small text-muted cascade-weight">(.*?)</div>', row, re.S)
        if name and line:
            text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", line.group(1))).strip()
            found[name.group(1)] = text
    return found


def test_the_head_previews_each_recipients_weight_total_and_nothing_is_saved(
    agency, the_round, client_for
):
    head_kpi = make_kpi(make_plan(agency.grp_head, the_round), "K1")
    make_kpi(make_plan(agency.officer1, the_round), "O1", weight=100)
    make_kpi(make_plan(agency.officer2, the_round), "O2", weight=80)
    client = client_for(agency.grp_head)
    url = reverse("indicators:cascade", args=[head_kpi.pk])
    before = _weights(client.get(url).content.decode())
    assert before["นายสมชาย ตั้งใจ"] == "น้ำหนักรวมของแผนตอนนี้ 100.00"
    response = client.post(url, {"method": "direct", "weight": "20", "preview": "1",
                                 "children": [agency.officer1.pk, agency.officer2.pk]})  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 200
    after = _weights(html)
    assert after["นายสมชาย ตั้งใจ"] == "น้ำหนักรวมของแผนตอนนี้ 100.00 · หลังถ่ายทอด 120.00"
    assert after["นางสาวสมหญิง ขยัน"] == "น้ำหนักรวมของแผนตอนนี้ 80.00 · หลังถ่ายทอด 100.00"
    assert "ยังไม่ได้บันทึก: นี่คือน้ำหนักรวมของแผนผู้รับหลังถ่ายทอด" in html
    assert re.search(rf'value="{agency.officer1.pk}" id="child-{agency.officer1.pk}" checked', html)
    assert not KPI.objects.filter(parent=head_kpi).exists()


def test_a_split_preview_keeps_the_typed_targets(agency, the_round, client_for):
    head_kpi = make_kpi(make_plan(agency.grp_head, the_round), "K1")
    data = {"method": "split", "weight": "10", "preview": "1", "children": [agency.officer1.pk]}
    for level, value in enumerate(("10", "20", "30", "40", "50"), start=1):
        data[f"alloc-{agency.officer1.pk}-{level}"] = value
    url = reverse("indicators:cascade", args=[head_kpi.pk])
    html = client_for(agency.grp_head).post(url, data).content.decode()
    assert _weights(html)["นายสมชาย ตั้งใจ"].endswith("หลังถ่ายทอด 10.00")
    assert f'name="alloc-{agency.officer1.pk}-5" value="50"' in html
    assert not KPI.objects.filter(parent=head_kpi).exists()


def test_the_recipient_sees_who_added_the_kpi_and_why_the_total_is_off(
    agency, the_round, client_for
):
    head_kpi = make_kpi(make_plan(agency.grp_head, the_round), "K1")
    plan = make_plan(agency.officer1, the_round)
    make_kpi(plan, "O1", weight=100)
    cascade.kpi_cascade_direct(kpi=head_kpi, children=[agency.officer1], weight=20,
                               by=agency.grp_head.user)  # fmt: skip
    html = client_for(agency.officer1).get(reverse("indicators:plan", args=[plan.pk]))
    html = html.content.decode()
    assert "ผู้บังคับบัญชาเพิ่มให้" in html
    assert re.search(r'cascaded-by">โดย นางหัวหน้า กลุ่ม เมื่อ \d{1,2} \S+ 25\d\d', html)
    assert "น้ำหนักรวมเป็น 120.00 เพราะผู้บังคับบัญชาถ่ายทอดตัวชี้วัดเพิ่มเข้ามา 1 ตัว (น้ำหนักรวม 20.00)" in html
