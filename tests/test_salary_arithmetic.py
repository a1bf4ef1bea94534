"""The salary-raise arithmetic: the worked examples of docs/guide-hr.md, and properties."""

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from salaries.arithmetic import (
    calculation_base,
    pool_amount,
    pool_state,
    raise_for,
    range_midpoints,
    round_up_to_ten,
)

money = st.decimals(min_value=D("0.01"), max_value=D(500_000), places=2)
percent = st.decimals(min_value=D(0), max_value=D(15), places=2)


def test_rounding_goes_up_to_the_next_ten_baht():
    assert round_up_to_ten(D("776.70")) == 780
    assert round_up_to_ten(D("900.00")) == 900
    assert round_up_to_ten(D("900.01")) == 910
    assert round_up_to_ten(D("0.01")) == 10


def test_worked_example_range_midpoints():
    assert range_midpoints(D(15050), D(58390)) == (D(36720), D(25890), D(47560))


def test_worked_example_below_the_midpoint_uses_the_lower_base():
    base = calculation_base(D(30000), midpoint=D(36720), lower_base=D(25890), upper_base=D(47560))
    assert base == 25890
    result = raise_for(salary=D(30000), base=base, percent=D(3), ceiling=D(58390))
    assert (result.amount, result.to_salary, result.special, result.new_salary) == (
        780,
        780,
        0,
        30780,
    )


def test_worked_example_above_the_ceiling_is_special_compensation():
    base = calculation_base(D(58000), midpoint=D(36720), lower_base=D(25890), upper_base=D(47560))
    assert base == 47560
    result = raise_for(salary=D(58000), base=base, percent=D(4), ceiling=D(58390))
    assert (result.amount, result.to_salary, result.special, result.new_salary) == (
        1910,
        390,
        1520,
        58390,
    )


def test_a_base_given_per_person_overrides_the_range():
    base = calculation_base(
        D(30000), midpoint=D(36720), lower_base=D(25890), upper_base=D(47560), override=D(31000)
    )
    assert base == 31000


def test_worked_example_pool_of_three_percent():
    pool = pool_state(payroll=D(88000), pool_percent=D(3), used=D(780) + D(1910))
    assert pool.total == D("2640.00")
    assert pool.left == D("-50.00")
    assert pool.exceeded
    assert pool_amount(D("12345.67"), D(3)) == D("370.37")


def test_zero_percent_raises_nothing():
    result = raise_for(salary=D(20000), base=D(20000), percent=D(0), ceiling=None)
    assert result.amount == 0 and result.new_salary == 20000


@given(salary=money, base=money, pct=percent)
def test_raise_is_the_smallest_multiple_of_ten_not_below_the_exact_amount(salary, base, pct):
    result = raise_for(salary=salary, base=base, percent=pct, ceiling=None)
    exact = base * pct / 100
    assert result.amount % 10 == 0
    assert exact <= result.amount < exact + 10 or (pct == 0 and result.amount == 0)


@given(salary=money, base=money, pct=percent, ceiling=money)
def test_salary_part_never_passes_the_ceiling_and_nothing_is_lost(salary, base, pct, ceiling):
    result = raise_for(salary=salary, base=base, percent=pct, ceiling=ceiling)
    assert result.to_salary + result.special == result.amount
    assert result.to_salary >= 0 and result.special >= 0
    assert result.new_salary <= max(ceiling, salary)


@given(floor=money, width=money)
def test_range_points_are_in_order(floor, width):
    ceiling = floor + width
    midpoint, lower, upper = range_midpoints(floor, ceiling)
    assert floor <= lower <= midpoint <= upper <= ceiling + 10
