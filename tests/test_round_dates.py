"""Round dates follow the round typed, lie in its fiscal year, are typed in B.E. (issue 14.1)."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from indicators.models import Round
from kpi_portal.be_dates import format_be_input, parse_be_date

ROUNDS = reverse("indicators:rounds")
D = datetime.date


def post(client, **data):
    values = {"code": "2569/2", "prefilled": "2569/2", "start": "", "end": ""}
    values.update(min_kpis=1, max_kpis=15, recommended_kpis=7)
    values.update(data)
    return client.post(ROUNDS, values, follow=True)


def dates_of(code: str) -> tuple[datetime.date, datetime.date]:
    year, number = code.split("/")
    found = Round.objects.get(fiscal_year=int(year), number=int(number))
    return found.start, found.end


def test_typing_another_year_over_the_prefilled_one_takes_that_rounds_dates(
    agency, the_round, client_for
):
    # The page suggested 2569/2 with 01/04/2569 - 30/09/2569; HR typed 2553/1 only.
    response = post(client_for(agency.hr), code="2553/1", start="01/04/2569", end="30/09/2569")
    assert "สร้างรอบ 2553/1 แล้ว" in [str(m) for m in response.context["messages"]]
    assert dates_of("2553/1") == (D(2009, 10, 1), D(2010, 3, 31))


def test_prefilled_dates_of_another_round_are_replaced_even_without_the_suggestion(
    agency, the_round, client_for
):
    post(client_for(agency.hr), code="2571/2", prefilled="", start="01/10/2568", end="31/03/2569")
    assert dates_of("2571/2") == (D(2028, 4, 1), D(2028, 9, 30))


def test_dates_the_user_changed_are_kept(agency, the_round, client_for):
    post(client_for(agency.hr), code="2553/1", start="15/10/2552", end="15/03/2553")
    assert dates_of("2553/1") == (D(2009, 10, 15), D(2010, 3, 15))


def test_only_the_changed_date_is_kept(agency, the_round, client_for):
    post(client_for(agency.hr), code="2553/1", start="01/04/2569", end="20/03/2553")
    assert dates_of("2553/1") == (D(2009, 10, 1), D(2010, 3, 20))


def test_dates_outside_the_fiscal_year_are_refused_on_the_page(agency, the_round, client_for):
    response = post(client_for(agency.hr), code="2553/1", start="15/10/2552", end="15/04/2569")
    html = response.content.decode()
    assert response.status_code == 200
    assert "วันที่ของรอบ 2553/1 ต้องอยู่ในปีงบประมาณ 2553 (1 ต.ค. 2552 - 30 ก.ย. 2553)" in html
    assert not Round.objects.filter(fiscal_year=2553).exists()


def test_editing_a_round_to_dates_of_another_fiscal_year_is_refused(agency, the_round, client_for):
    url = reverse("indicators:round_edit", args=[the_round.pk])
    values = {"start": "01/10/2568", "end": "01/10/2569"}
    values.update(min_kpis=1, max_kpis=15, recommended_kpis=7)
    html = client_for(agency.hr).post(url, values).content.decode()
    assert "ต้องอยู่ในปีงบประมาณ 2569" in html
    the_round.refresh_from_db()
    assert the_round.end == D(2026, 3, 31)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-10-01", "", "วันที่ต้องอยู่ในรูป วว/ดด/ปปปป"),
        ("01/10/2025", "", "ปีของวันที่ต้องเป็นปีพุทธศักราช"),
        ("31/02/2569", "", "ไม่มีวันที่ 31/02/2569 ในปฏิทิน"),
    ],
)
def test_bad_dates_are_refused_with_a_message(agency, the_round, client_for, start, end, message):
    response = post(client_for(agency.hr), code="2570/1", start=start, end=end)
    assert message in response.content.decode()
    assert not Round.objects.filter(fiscal_year=2570).exists()


def test_thai_digits_are_accepted_in_dates(agency, the_round, client_for):
    post(client_for(agency.hr), code="๒๕๗๐/๒", start="๑๕/๐๔/๒๕๗๐", end="๑๕/๐๙/๒๕๗๐")
    assert dates_of("2570/2") == (D(2027, 4, 15), D(2027, 9, 15))


def test_the_edit_page_shows_dates_in_buddhist_era(agency, the_round, client_for):
    html = client_for(agency.hr).get(reverse("indicators:round_edit", args=[the_round.pk]))
    assert 'value="01/10/2568"' in html.content.decode()
    assert 'value="31/03/2569"' in html.content.decode()


def test_the_create_form_carries_its_script_and_the_suggested_round(agency, the_round, client_for):
    html = client_for(agency.hr).get(ROUNDS).content.decode()
    assert 'name="prefilled" value="2569/2"' in html
    assert "js/round_dates.js" in html
    assert 'data-round-date="start"' in html and "data-round-code" in html


def test_be_dates_round_trip():
    assert parse_be_date("1/4/2569") == D(2026, 4, 1)
    assert parse_be_date("01-04-2569") == D(2026, 4, 1)
    assert format_be_input(D(2026, 4, 1)) == "01/04/2569"
    with pytest.raises(ValidationError):
        parse_be_date("2569/04/01")


def test_a_model_round_outside_its_fiscal_year_does_not_validate(db):
    bad = Round(fiscal_year=2569, number=2, start=D(2026, 4, 1), end=D(2026, 10, 1))
    with pytest.raises(ValidationError, match="ต้องอยู่ในปีงบประมาณ 2569"):
        bad.full_clean()


def create_round(*args) -> str:
    out = StringIO()
    call_command("create_round", *args, stdout=out)
    return out.getvalue()


def test_create_round_refuses_dates_outside_the_fiscal_year(db):
    with pytest.raises(CommandError, match="ต้องอยู่ในปีงบประมาณ 2553"):
        create_round("2553/1", "--start", "2025-10-01", "--end", "2026-03-31")
    assert not Round.objects.exists()


def test_create_round_refuses_an_end_past_the_fiscal_year_on_update(db):
    create_round("2569/2")
    with pytest.raises(CommandError, match="ต้องอยู่ในปีงบประมาณ 2569"):
        create_round("2569/2", "--end", "2026-10-15")
    assert dates_of("2569/2") == (D(2026, 4, 1), D(2026, 9, 30))


def test_create_round_accepts_dates_inside_the_fiscal_year(db):
    create_round("2553/1", "--start", "2009-10-15", "--end", "2010-03-15")
    assert dates_of("2553/1") == (D(2009, 10, 15), D(2010, 3, 15))
