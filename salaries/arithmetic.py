"""The salary-raise arithmetic on plain Decimals (DOMAIN.md "Development and reward").

No database here, so the rules are tested by the thousand (tests/test_salary_arithmetic.py).
Worked examples (also in docs/guide-hr.md):

- range floor 15,050, ceiling 58,390: midpoint 36,720, lower base 25,890, upper base 47,560
  (each a midpoint rounded up to the next 10 baht);
- salary 30,000 (below the midpoint): base 25,890; 3% = 776.70, rounded up to 780 baht;
  new salary 30,780;
- salary 58,000 (above the midpoint): base 47,560; 4% = 1,902.40 -> 1,910 baht, but the
  ceiling is 58,390: 390 baht go to the salary (58,390) and 1,520 baht are paid as special
  compensation (ค่าตอบแทนพิเศษ);
- a pool of 3% of a payroll of 88,000 baht is 2,640.00 baht; raises of 780 and 1,910 use
  2,690 and overrun it by 50 baht.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

TEN = Decimal(10)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
DEFAULT_POOL_PERCENT = Decimal(3)


def round_up_to_ten(amount: Decimal) -> Decimal:
    """Round a baht amount up to the next multiple of 10 (an exact multiple stays)."""
    return (amount / TEN).to_integral_value(rounding=ROUND_CEILING) * TEN


def range_midpoints(floor: Decimal, ceiling: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """(midpoint, lower base, upper base) of a salary range, each rounded up to 10 baht."""
    midpoint = round_up_to_ten((floor + ceiling) / 2)
    return (
        midpoint,
        round_up_to_ten((floor + midpoint) / 2),
        round_up_to_ten((midpoint + ceiling) / 2),
    )


def calculation_base(
    salary: Decimal,
    *,
    midpoint: Decimal,
    lower_base: Decimal,
    upper_base: Decimal,
    override: Decimal | None = None,
) -> Decimal:
    """The base (ฐานในการคำนวณ): a given base wins; else the lower base below the midpoint."""
    if override is not None:
        return override
    return lower_base if salary < midpoint else upper_base


@dataclass(frozen=True)
class Raise:
    """One person's raise: the whole amount, the part added to salary, the special part."""

    amount: Decimal  # percent of the base, rounded up to 10 baht
    to_salary: Decimal
    special: Decimal  # above the range's ceiling: ค่าตอบแทนพิเศษ
    new_salary: Decimal


def raise_for(
    *, salary: Decimal, base: Decimal, percent: Decimal, ceiling: Decimal | None
) -> Raise:
    """The raise of `percent` of `base`, with whatever passes `ceiling` paid as special."""
    amount = round_up_to_ten(base * percent / HUNDRED) if percent > 0 else Decimal(0)
    to_salary = amount
    if ceiling is not None and salary + amount > ceiling:
        to_salary = max(Decimal(0), ceiling - salary)
    return Raise(
        amount=amount,
        to_salary=to_salary,
        special=amount - to_salary,
        new_salary=salary + to_salary,
    )


def pool_amount(payroll: Decimal, pool_percent: Decimal) -> Decimal:
    """The budget pool: `pool_percent` of the payroll, in satang, rounded half up."""
    return (payroll * pool_percent / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Pool:
    total: Decimal
    used: Decimal

    @property
    def left(self) -> Decimal:
        return self.total - self.used

    @property
    def exceeded(self) -> bool:
        return self.used > self.total


def pool_state(*, payroll: Decimal, pool_percent: Decimal, used: Decimal) -> Pool:
    """The pool and how much of it the raises (salary and special parts both) use."""
    return Pool(total=pool_amount(payroll, pool_percent), used=used)
