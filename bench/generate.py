"""A deterministic agency for benchmarks and large tests.

`make_agency()` builds, from a seed, one department of N officers: divisions,
groups of about a hundred people, a head for every unit and an HR officer,
with Thai names, positions and levels. The same agency can be written as an
import_org file (`write_org_xlsx`, `write_org_csv`), put straight into the
database (`build_in_db`), and given KPI plans (`kpi_rows`, the import_kpis
columns, weights adding up to 100 per owner).

    from bench.generate import make_agency, build_in_db, kpi_rows
    agency = make_agency(people=2_000)
    build_in_db(agency)
    rows = list(kpi_rows(agency, kpis_per_person=5))

A ministry (`make_ministry`) is several such departments, each with its own
prefix (BN01, BN02, ...), so their codes, usernames and e-mails never meet:

    ministry = make_ministry(departments=10, people=20_000)
    write_org_csv(ministry.merged(), OUT / "ministry-org.csv")
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"

ORG_KEYS = (
    "code",
    "parent_code",
    "kind",
    "name",
    "position",
    "position_level",
    "username",
    "email",
    "is_head",
    "is_hr",
)
ORG_LABELS = (
    "รหัส",
    "รหัสต้นสังกัด",
    "ประเภท",
    "ชื่อ",
    "ตำแหน่ง",
    "ระดับตำแหน่ง",
    "ชื่อผู้ใช้",
    "อีเมล",
    "หัวหน้า",
    "เจ้าหน้าที่บุคคล",
)
KPI_KEYS = (
    "owner_code",
    "job",
    "kra",
    "kpi_code",
    "kpi",
    "unit",
    "scale",
    "level_1",
    "level_2",
    "level_3",
    "level_4",
    "level_5",
    "weight",
)
KPI_LABELS = (
    "รหัสผู้รับผิดชอบ",
    "งาน/โครงการ",
    "ผลสัมฤทธิ์หลัก",
    "รหัสตัวชี้วัด",
    "ตัวชี้วัด",
    "หน่วยนับ",
    "เกณฑ์",
    "ระดับ 1",
    "ระดับ 2",
    "ระดับ 3",
    "ระดับ 4",
    "ระดับ 5",
    "น้ำหนัก",
)

MALE_FIRST = (
    "สมชาย", "สมศักดิ์", "ประเสริฐ", "วิชัย", "สุริยา", "ธนพล", "กิตติพงษ์", "อนุชา",
    "ณัฐวุฒิ", "ปิยะพงษ์", "ชัยวัฒน์", "พงศกร", "วรวุฒิ", "ศุภชัย", "ภานุวัฒน์", "อภิชาติ",
)  # fmt: skip
FEMALE_FIRST = (
    "สมหญิง", "สุดารัตน์", "กาญจนา", "วิไลวรรณ", "ปราณี", "นภัสสร", "ศิริพร", "จันทร์เพ็ญ",
    "พรทิพย์", "อรอุมา", "ณัฐธิดา", "กมลชนก", "ปิยะนุช", "รัตนาภรณ์", "สุภาวดี", "เบญจวรรณ",
)  # fmt: skip
SURNAMES = (
    "ใจดี", "ตั้งใจ", "ขยันยิ่ง", "ศรีสุข", "มั่นคง", "บุญมา", "แก้วประเสริฐ", "ทองคำ",
    "สุขสวัสดิ์", "รุ่งเรือง", "วงศ์สวัสดิ์", "เจริญผล", "พึ่งบุญ", "ชัยมงคล", "ศรีวงศ์",
    "อินทร์แก้ว", "สายทอง", "บุญประเสริฐ", "พรหมมา", "จันทร์หอม",
)  # fmt: skip
POSITIONS = (
    ("นักวิเคราะห์นโยบายและแผน", ("ปฏิบัติการ", "ชำนาญการ", "ชำนาญการพิเศษ")),
    ("นักทรัพยากรบุคคล", ("ปฏิบัติการ", "ชำนาญการ", "ชำนาญการพิเศษ")),
    ("นักวิชาการคอมพิวเตอร์", ("ปฏิบัติการ", "ชำนาญการ")),
    ("นักจัดการงานทั่วไป", ("ปฏิบัติการ", "ชำนาญการ", "ชำนาญการพิเศษ")),
    ("นิติกร", ("ปฏิบัติการ", "ชำนาญการ", "ชำนาญการพิเศษ", "เชี่ยวชาญ")),
    ("นักวิชาการเงินและบัญชี", ("ปฏิบัติการ", "ชำนาญการ")),
    ("นักวิชาการพัสดุ", ("ปฏิบัติการ", "ชำนาญการ")),
    ("นักประชาสัมพันธ์", ("ปฏิบัติการ", "ชำนาญการ")),
    ("เจ้าพนักงานธุรการ", ("ปฏิบัติงาน", "ชำนาญงาน", "อาวุโส")),
    ("เจ้าพนักงานการเงินและบัญชี", ("ปฏิบัติงาน", "ชำนาญงาน")),
)
DIVISION_NAMES = (
    "สำนักบริหารกลาง", "กองแผนงาน", "กองการเจ้าหน้าที่", "สำนักกฎหมาย", "กองคลัง",
    "ศูนย์เทคโนโลยีสารสนเทศและการสื่อสาร", "กองตรวจสอบและประเมินผล", "สำนักวิชาการ",
)  # fmt: skip
GROUP_NAMES = (
    "กลุ่มงานบริหารทั่วไป", "กลุ่มงานนโยบายและแผน", "กลุ่มงานติดตามและประเมินผล",
    "ฝ่ายการเงินและบัญชี", "กลุ่มงานพัฒนาระบบ", "ฝ่ายพัสดุ", "กลุ่มงานวิชาการ",
)  # fmt: skip
JOBS = (
    "งานบริหารทรัพยากรบุคคล", "โครงการพัฒนาระบบสารสนเทศ", "งานงบประมาณและการเงิน",
    "โครงการยกระดับการให้บริการประชาชน", "งานจัดซื้อจัดจ้าง", "งานประชาสัมพันธ์องค์กร",
)  # fmt: skip
KRAS = (
    "การดำเนินงานเป็นไปตามแผน", "ผู้รับบริการพึงพอใจ", "งานแล้วเสร็จทันเวลา",
    "ลดต้นทุนการดำเนินงาน", "ข้อมูลถูกต้องครบถ้วน",
)  # fmt: skip
HIGHER_KPIS = (
    ("ร้อยละของงานที่แล้วเสร็จตามแผน", "ร้อยละ", 60, 5),
    ("ร้อยละความพึงพอใจของผู้รับบริการ", "ร้อยละ", 70, 5),
    ("จำนวนเรื่องที่ดำเนินการแล้วเสร็จ", "เรื่อง", 20, 5),
    ("จำนวนครั้งของการเผยแพร่ข่าวสาร", "ครั้ง", 8, 2),
)
LOWER_KPIS = (
    ("ระยะเวลาเฉลี่ยในการพิจารณาเรื่อง", "วัน", 15, -2),
    ("จำนวนข้อผิดพลาดในการจัดทำเอกสาร", "ครั้ง", 10, -2),
)
MILESTONE_KPIS = (
    "ระดับความสำเร็จของการจัดทำแผนปฏิบัติราชการ",
    "ระดับความสำเร็จของการพัฒนาระบบงาน",
)
MILESTONE_STEPS = (
    "จัดทำร่างแผน",
    "เสนอผู้บังคับบัญชาพิจารณา",
    "ดำเนินการตามแผน",
    "ติดตามและรายงานผล",
    "สรุปบทเรียนและปรับปรุง",
)


@dataclass
class Agency:
    """One generated department: its import rows (ORG_KEYS), department first."""

    seed: int
    prefix: str
    records: list[dict] = field(default_factory=list)

    @property
    def department(self) -> dict:
        return self.records[0]

    def of_kind(self, kind: str) -> list[dict]:
        return [r for r in self.records if r["kind"] == kind]

    @property
    def individuals(self) -> list[dict]:
        return self.of_kind("individual")

    @property
    def hr(self) -> dict:
        return next(r for r in self.records if r["is_hr"])

    def largest_group(self) -> dict:
        sizes: dict[str, int] = {}
        for person in self.individuals:
            sizes[person["parent_code"]] = sizes.get(person["parent_code"], 0) + 1
        groups = self.of_kind("group")
        return max(groups, key=lambda g: sizes.get(g["code"], 0))


def _unit(code, parent, kind, name) -> dict:
    return dict.fromkeys(ORG_KEYS, "") | {
        "code": code,
        "parent_code": parent,
        "kind": kind,
        "name": name,
        "is_head": False,
        "is_hr": False,
    }


def make_agency(
    *,
    people: int = 20_000,
    divisions: int = 40,
    groups_per_division: int = 5,
    seed: int = 2569,
    prefix: str = "BN",
) -> Agency:
    """A department of `people` individuals (heads and HR included), the same for a seed."""
    rng = random.Random(seed)
    agency = Agency(seed=seed, prefix=prefix)
    counter = 0

    def person(parent: str, *, position=None, level=None, head=False, hr=False) -> dict:
        nonlocal counter
        counter += 1
        female = rng.random() < 0.55
        title = rng.choice(("นาง", "นางสาว")) if female else "นาย"
        first = rng.choice(FEMALE_FIRST if female else MALE_FIRST)
        title_position, levels = rng.choice(POSITIONS)
        username = f"{prefix.lower()}{counter:06d}"
        record = _unit(f"{prefix}-P{counter:06d}", parent, "individual", "")
        record.update(
            name=f"{title}{first} {rng.choice(SURNAMES)}",
            position=position or title_position,
            position_level=level or rng.choice(levels),
            username=username,
            email=f"{username}@example.go.th",
            is_head=head,
            is_hr=hr,
        )
        return record

    dept_code = f"{prefix}-D"
    agency.records.append(_unit(dept_code, "", "department", f"กรมทดสอบสมรรถนะ {prefix}"))
    agency.records.append(person(dept_code, position="อธิบดี", level="บริหารระดับสูง", head=True))
    agency.records.append(person(dept_code, position="นักทรัพยากรบุคคล", hr=True))
    groups = []
    for d in range(1, divisions + 1):
        div_code = f"{dept_code}{d:02d}"
        name = f"{DIVISION_NAMES[(d - 1) % len(DIVISION_NAMES)]} {d}"
        agency.records.append(_unit(div_code, dept_code, "division", name))
        agency.records.append(
            person(div_code, position="ผู้อำนวยการสำนัก", level="อำนวยการสูง", head=True)
        )
        for g in range(1, groups_per_division + 1):
            code = f"{div_code}-{g}"
            name = f"{GROUP_NAMES[(g - 1) % len(GROUP_NAMES)]} {d}.{g}"
            agency.records.append(_unit(code, div_code, "group", name))
            groups.append(code)
    remaining = people - len(agency.individuals)
    for index, code in enumerate(groups):
        share = remaining // len(groups) + (1 if index < remaining % len(groups) else 0)
        if share <= 0:
            continue
        agency.records.append(
            person(code, position="ผู้อำนวยการกลุ่มงาน", level="ชำนาญการพิเศษ", head=True)
        )
        agency.records.extend(person(code) for _ in range(share - 1))
    return agency


@dataclass
class Ministry:
    """Several generated departments; each is an Agency with its own prefix and seed."""

    departments: list[Agency]

    def merged(self) -> Agency:
        """One Agency holding every department's records (departments in order)."""
        whole = Agency(seed=self.departments[0].seed, prefix="ministry")
        for department in self.departments:
            whole.records.extend(department.records)
        return whole

    @property
    def people(self) -> int:
        return sum(len(d.individuals) for d in self.departments)


def make_ministry(*, departments: int = 10, people: int = 20_000, seed: int = 2569) -> Ministry:
    """`departments` departments of `people` each: prefixes BN01.., seeds seed, seed+100, ..."""
    return Ministry(
        [
            make_agency(people=people, seed=seed + 100 * index, prefix=f"BN{index + 1:02d}")
            for index in range(departments)
        ]
    )


def write_org_xlsx(agency: Agency, path: Path | None = None, *, thai_headers=True) -> Path:
    """The agency as an import_org .xlsx (constant memory), header row in Thai by default."""
    path = path or OUT / f"org-{len(agency.individuals)}.xlsx"
    header = ORG_LABELS if thai_headers else ORG_KEYS
    return write_xlsx(path, header, (_org_cells(r) for r in agency.records))


def write_org_csv(agency: Agency, path: Path | None = None, *, thai_headers=True) -> Path:
    """The agency as an import_org UTF-8 CSV."""
    path = path or OUT / f"org-{len(agency.individuals)}.csv"
    header = ORG_LABELS if thai_headers else ORG_KEYS
    return write_csv(path, header, (_org_cells(r) for r in agency.records))


def _org_cells(record: dict) -> list:
    yes = {True: "ใช่", False: ""}
    return [yes.get(record[k], record[k]) if k in ("is_head", "is_hr") else record[k]
            for k in ORG_KEYS]  # fmt: skip


def write_xlsx(path: Path, header: Sequence[str], rows: Iterable[Sequence]) -> Path:
    """Write rows under a header with xlsxwriter in constant memory; text stays text."""
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_formulas": False}
    )
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, list(header))
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                sheet.write_number(number, column, float(value))
            elif value not in (None, ""):
                sheet.write_string(number, column, str(value))
    workbook.close()
    return path


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def build_in_db(agency: Agency):
    """Put the agency straight into the database (the bulk import path); return the report."""
    from orgchart.importer import org_import, table_from_records

    report = org_import(table=table_from_records(agency.records), by=None)
    if report.errors:
        raise RuntimeError(f"generated agency does not import: {report.errors[:5]}")
    return report


def _weights(rng: random.Random, count: int) -> list[int]:
    """`count` positive whole weights adding up to exactly 100, multiples of 5 when possible."""
    if count <= 0:
        return []
    step = 5 if count <= 20 else 1
    units = 100 // step
    cuts = sorted(rng.sample(range(1, units), count - 1)) if count > 1 else []
    bounds = [0, *cuts, units]
    return [(bounds[i + 1] - bounds[i]) * step for i in range(count)]


def kpi_rows(agency: Agency, kpis_per_person: int = 5) -> Iterator[dict]:
    """import_kpis rows (KPI_KEYS) for every individual; one owner's weights add up to 100."""
    rng = random.Random(agency.seed + 1)
    for person in agency.individuals:
        owner = person["code"]
        weights = _weights(rng, kpis_per_person)
        jobs = rng.sample(JOBS, 2)
        for index, weight in enumerate(weights, start=1):
            job = jobs[0] if index <= (kpis_per_person + 1) // 2 else jobs[1]
            row = {
                "owner_code": owner,
                "job": job,
                "kra": KRAS[(JOBS.index(job) + index) % len(KRAS)],
                "kpi_code": f"{owner}-K{index}",
                "weight": weight,
            }
            roll = rng.random()
            if roll < 0.6:
                name, unit, base, step = rng.choice(HIGHER_KPIS)
                levels = [base + step * i for i in range(5)]
                row.update(kpi=name, unit=unit, scale="higher")
            elif roll < 0.8:
                name, unit, base, step = rng.choice(LOWER_KPIS)
                levels = [base + step * i for i in range(5)]
                row.update(kpi=name, unit=unit, scale="lower")
            else:
                levels = list(MILESTONE_STEPS)
                row.update(kpi=rng.choice(MILESTONE_KPIS), unit="ระดับ", scale="milestone")
            row.update({f"level_{i}": value for i, value in enumerate(levels, start=1)})
            yield row


def write_kpi_xlsx(
    agency: Agency, path: Path | None = None, *, kpis_per_person: int = 5, thai_headers=True
) -> Path:
    """kpi_rows() as an import_kpis .xlsx (constant memory)."""
    path = path or OUT / f"kpis-{len(agency.individuals)}x{kpis_per_person}.xlsx"
    header = KPI_LABELS if thai_headers else KPI_KEYS
    rows = ([row[key] for key in KPI_KEYS] for row in kpi_rows(agency, kpis_per_person))
    return write_xlsx(path, header, rows)


def main() -> None:
    """Write the default agency's import_org files to bench/out/."""
    agency = make_agency()
    print(write_org_xlsx(agency))
    print(write_org_csv(agency))


if __name__ == "__main__":
    main()
