"""Five-level target rules (indicators.targets): pure functions, no database."""

from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.targets import (
    HIGHER,
    LOWER,
    MILESTONE,
    as_decimal,
    easier_than,
    level_for,
    numeric_levels,
    smart_warnings,
    validate_levels,
)

D = Decimal
HIGHER_LEVELS = [D(65), D(70), D(75), D(80), D(85)]
LOWER_OPEN_LEVELS = [None, D(35), D(30), D(25), D(20)]
STEPS = ["แต่งตั้งคณะทำงาน", "จัดทำแผน", "ดำเนินการตามแผน", "ติดตามผล", "สรุปและรายงานผล"]


def error_levels(errors: list[tuple[int | None, str]]) -> list[int | None]:
    return [level for level, _message in errors]


# validate_levels: higher


def test_valid_higher_levels_have_no_errors():
    assert validate_levels(HIGHER, HIGHER_LEVELS) == []


def test_higher_levels_out_of_order_are_refused_at_the_level_that_breaks_the_order():
    errors = validate_levels(HIGHER, [D(65), D(70), D(90), D(80), D(85)])
    assert error_levels(errors) == [4]


def test_equal_higher_levels_are_refused():
    errors = validate_levels(HIGHER, [D(65), D(70), D(70), D(80), D(85)])
    assert error_levels(errors) == [3]


def test_higher_out_of_order_message_says_which_level_must_be_greater():
    with translation.override("th"):
        errors = validate_levels(HIGHER, [D(65), D(70), D(70), D(80), D(85)])
    assert errors == [(3, "ระดับ 3 ต้องมากกว่าระดับ 2")]


def test_missing_higher_level_is_refused():
    errors = validate_levels(HIGHER, [D(65), D(70), None, D(80), D(85)])
    assert error_levels(errors) == [3]


def test_missing_level_does_not_hide_an_ordering_mistake_around_it():
    errors = validate_levels(HIGHER, [D(65), D(70), None, D(60), D(85)])
    assert error_levels(errors) == [3, 4]
    with translation.override("th"):
        errors = validate_levels(HIGHER, [D(65), D(70), None, D(60), D(85)])
    assert errors[1] == (4, "ระดับ 4 ต้องมากกว่าระดับ 2")


def test_open_level_one_is_accepted_for_higher():
    assert validate_levels(HIGHER, [None, D(70), D(75), D(80), D(85)]) == []


def test_blank_text_counts_as_an_open_level_one():
    assert validate_levels(HIGHER, ["", "70", "75", "80", "85"]) == []


def test_levels_given_as_numeric_text_are_checked_as_numbers():
    assert validate_levels(HIGHER, ["65", "70", "75", "80", "100"]) == []
    assert error_levels(validate_levels(HIGHER, ["65", "70", "75", "80", "9"])) == [5]


def test_level_that_is_not_a_number_is_refused():
    errors = validate_levels(HIGHER, ["65", "70", "many", "80", "85"])
    assert error_levels(errors) == [3]


def test_wrong_number_of_levels_is_refused_as_a_whole():
    assert error_levels(validate_levels(HIGHER, [D(1), D(2), D(3), D(4)])) == [None]
    assert error_levels(validate_levels(HIGHER, [D(n) for n in range(6)])) == [None]
    assert error_levels(validate_levels(MILESTONE, [])) == [None]


def test_unknown_scale_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown scale"):
        validate_levels("sideways", HIGHER_LEVELS)


# validate_levels: lower


def test_valid_lower_levels_have_no_errors():
    assert validate_levels(LOWER, [D(40), D(35), D(30), D(25), D(20)]) == []


def test_open_level_one_is_accepted_for_lower():
    assert validate_levels(LOWER, LOWER_OPEN_LEVELS) == []


def test_lower_levels_out_of_order_are_refused():
    errors = validate_levels(LOWER, [D(20), D(25), D(30), D(35), D(40)])
    assert error_levels(errors) == [2, 3, 4, 5]


def test_lower_out_of_order_message_says_which_level_must_be_less():
    with translation.override("th"):
        errors = validate_levels(LOWER, [None, D(35), D(30), D(30), D(20)])
    assert errors == [(4, "ระดับ 4 ต้องน้อยกว่าระดับ 3")]


def test_equal_lower_levels_are_refused():
    errors = validate_levels(LOWER, [D(40), D(35), D(35), D(25), D(20)])
    assert error_levels(errors) == [3]


def test_missing_lower_level_is_refused():
    errors = validate_levels(LOWER, [D(40), D(35), D(30), D(25), None])
    assert error_levels(errors) == [5]


# validate_levels: milestone


def test_valid_milestones_have_no_errors():
    assert validate_levels(MILESTONE, STEPS) == []


def test_open_level_one_is_refused_for_milestones():
    errors = validate_levels(MILESTONE, [None, *STEPS[1:]])
    assert error_levels(errors) == [1]


def test_empty_milestone_text_is_refused():
    errors = validate_levels(MILESTONE, [STEPS[0], "   ", STEPS[2], "", STEPS[4]])
    assert error_levels(errors) == [2, 4]


def test_milestone_message_names_the_missing_step():
    with translation.override("th"):
        errors = validate_levels(MILESTONE, [*STEPS[:4], ""])
    assert errors == [(5, "กรุณาระบุคำอธิบายขั้นความสำเร็จระดับ 5")]


def test_milestones_are_not_ordered_numbers():
    # Words are never compared: any five texts in any order are valid.
    assert validate_levels(MILESTONE, ["5", "4", "3", "2", "1"]) == []


# numeric_levels


def test_numeric_levels_parse_text_and_keep_an_open_level_one():
    assert numeric_levels(LOWER, ["", "35", "30", "25", "20"]) == LOWER_OPEN_LEVELS


@pytest.mark.parametrize(
    ("scale", "levels", "match"),
    [
        (HIGHER, [D(1), D(2), D(2), D(4), D(5)], "not strictly ordered"),
        (LOWER, [D(1), D(2), D(3), D(4), D(5)], "not strictly ordered"),
        (HIGHER, [D(1), None, D(3), D(4), D(5)], "levels 2 to 5 must be set"),
        (HIGHER, [D(1), D(2), D(3), D(4)], "expected 5 levels"),
        (MILESTONE, STEPS, "milestone levels are words"),
    ],
)
def test_numeric_levels_refuse_levels_that_cannot_be_computed_with(scale, levels, match):
    with pytest.raises(ValueError, match=match):
        numeric_levels(scale, levels)


# as_decimal


def test_as_decimal_takes_floats_through_text_so_no_binary_noise_leaks():
    assert as_decimal(0.1) == D("0.1")
    assert as_decimal(" 2.50 ") == D("2.50")
    assert as_decimal(7) == D(7)


@pytest.mark.parametrize("value", ["", "abc", "NaN", "Infinity", float("nan"), True])
def test_as_decimal_refuses_what_is_not_a_finite_number(value):
    with pytest.raises(ValueError, match=r"not a (finite )?number"):
        as_decimal(value)


# smart_warnings


def test_no_warnings_for_a_well_written_kpi():
    assert smart_warnings(HIGHER, HIGHER_LEVELS, "ร้อยละ") == []


def test_missing_unit_of_measure_is_warned():
    assert len(smart_warnings(HIGHER, HIGHER_LEVELS, "  ")) == 1
    with translation.override("th"):
        assert smart_warnings(HIGHER, HIGHER_LEVELS, "") == ["ยังไม่ได้ระบุหน่วยนับของตัวชี้วัด"]


def test_level_five_barely_above_level_three_is_warned():
    # gap 4 is under 5% of 100
    assert len(smart_warnings(HIGHER, [D(96), D(98), D(100), D(102), D(104)], "ราย")) == 1


def test_level_five_exactly_five_percent_above_level_three_is_not_warned():
    assert smart_warnings(HIGHER, [D(96), D(98), D(100), D(102), D(105)], "ราย") == []


def test_lower_level_five_barely_below_level_three_is_warned():
    assert len(smart_warnings(LOWER, [None, D(102), D(100), D(99), D(98)], "วัน")) == 1
    assert smart_warnings(LOWER, [None, D(35), D(30), D(25), D(20)], "วัน") == []


def test_level_three_of_zero_is_never_barely_below_a_set_level_five():
    # 5% of 0 is 0: only t5 == t3 would be "barely", and validation refuses that.
    assert smart_warnings(HIGHER, [D(-2), D(-1), D(0), D("0.01"), D("0.02")], "บาท") == []


def test_invalid_levels_get_only_the_unit_warning():
    assert smart_warnings(HIGHER, [D(1), D(1), D(1), D(1), D(1)], "ราย") == []
    assert len(smart_warnings(HIGHER, [D(1), D(1), D(1), D(1), D(1)], "")) == 1


def test_milestones_are_warned_only_about_the_unit():
    assert smart_warnings(MILESTONE, STEPS, "ระดับ") == []
    assert len(smart_warnings(MILESTONE, STEPS, "")) == 1


# level_for: DOMAIN.md worked examples


def test_higher_actual_77_reaches_level_3():
    assert level_for(HIGHER, HIGHER_LEVELS, D(77)) == 3


def test_higher_actual_88_reaches_level_5():
    assert level_for(HIGHER, HIGHER_LEVELS, D(88)) == 5


def test_higher_actual_63_is_below_level_1():
    assert level_for(HIGHER, HIGHER_LEVELS, D(63)) == 0


def test_lower_with_open_level_one_actual_27_reaches_level_3():
    assert level_for(LOWER, LOWER_OPEN_LEVELS, D(27)) == 3


def test_lower_with_open_level_one_actual_50_reaches_level_1():
    assert level_for(LOWER, LOWER_OPEN_LEVELS, D(50)) == 1


# level_for: boundaries and inputs


@pytest.mark.parametrize(("actual", "level"), [(65, 1), (70, 2), (75, 3), (80, 4), (85, 5)])
def test_higher_actual_exactly_on_a_target_reaches_that_level(actual, level):
    assert level_for(HIGHER, HIGHER_LEVELS, actual) == level


@pytest.mark.parametrize(("actual", "level"), [(35, 2), (30, 3), (25, 4), (20, 5), (0, 5)])
def test_lower_actual_exactly_on_a_target_reaches_that_level(actual, level):
    assert level_for(LOWER, LOWER_OPEN_LEVELS, actual) == level


def test_lower_with_level_one_set_is_zero_above_it():
    assert level_for(LOWER, [D(40), D(35), D(30), D(25), D(20)], D("40.01")) == 0


def test_higher_with_open_level_one_reaches_level_1_with_any_result():
    assert level_for(HIGHER, [None, D(70), D(75), D(80), D(85)], D(-1000)) == 1


def test_level_for_accepts_text_ints_and_floats():
    assert level_for(HIGHER, ["65", "70", "75", "80", "85"], "77") == 3
    assert level_for(HIGHER, HIGHER_LEVELS, 74.99) == 2
    assert level_for(HIGHER, HIGHER_LEVELS, 75) == 3


def test_level_for_refuses_invalid_levels():
    with pytest.raises(ValueError, match="not strictly ordered"):
        level_for(HIGHER, [D(85), D(80), D(75), D(70), D(65)], D(77))


@pytest.mark.parametrize("done", [0, 1, 2, 3, 4, 5])
def test_milestone_level_is_the_number_of_steps_done(done):
    assert level_for(MILESTONE, STEPS, done) == done


@pytest.mark.parametrize("done", [-1, 6, D("2.5"), "three"])
def test_milestone_count_outside_0_to_5_is_refused(done):
    with pytest.raises(ValueError, match="number"):
        level_for(MILESTONE, STEPS, done)


# easier_than


def test_same_levels_are_not_easier():
    assert easier_than(HIGHER, HIGHER_LEVELS, HIGHER_LEVELS) is False
    assert easier_than(LOWER, LOWER_OPEN_LEVELS, LOWER_OPEN_LEVELS) is False


def test_higher_child_with_a_lower_level_three_is_easier():
    child = [D(65), D(70), D(74), D(80), D(85)]
    assert easier_than(HIGHER, child, HIGHER_LEVELS) is True


def test_higher_child_with_harder_levels_is_not_easier():
    child = [D(66), D(71), D(76), D(81), D(86)]
    assert easier_than(HIGHER, child, HIGHER_LEVELS) is False


def test_lower_child_allowing_more_at_any_level_is_easier():
    child = [None, D(35), D(30), D(25), D(21)]
    assert easier_than(LOWER, child, LOWER_OPEN_LEVELS) is True


def test_child_with_open_level_one_under_a_set_parent_level_one_is_easier():
    child = [None, D(70), D(75), D(80), D(85)]
    assert easier_than(HIGHER, child, HIGHER_LEVELS) is True
    assert easier_than(HIGHER, HIGHER_LEVELS, child) is False


def test_milestones_and_invalid_levels_are_never_reported_easier():
    assert easier_than(MILESTONE, STEPS, STEPS[::-1]) is False
    assert easier_than(HIGHER, [D(1)] * 5, HIGHER_LEVELS) is False


# Properties


def ordered_levels(scale: str, *, allow_open: bool = True) -> st.SearchStrategy[list]:
    """Valid five levels for ``scale``: distinct numbers with one decimal, maybe t1 open."""
    numbers = st.decimals(min_value=-1000, max_value=1000, places=1)
    values = st.lists(numbers, min_size=5, max_size=5, unique=True).map(
        lambda xs: sorted(xs, reverse=scale == LOWER)
    )
    opens = st.booleans() if allow_open else st.just(False)
    return st.tuples(values, opens).map(lambda vo: [None, *vo[0][1:]] if vo[1] else vo[0])


actuals = st.decimals(min_value=-1100, max_value=1100, places=2)


@settings(max_examples=200, deadline=None)
@given(scale=st.sampled_from([HIGHER, LOWER]), data=st.data())
def test_generated_ordered_levels_are_valid(scale, data):
    assert validate_levels(scale, data.draw(ordered_levels(scale))) == []


@settings(max_examples=200, deadline=None)
@given(scale=st.sampled_from([HIGHER, LOWER]), data=st.data(), a=actuals, b=actuals)
def test_discrete_level_never_falls_as_the_result_improves(scale, data, a, b):
    levels = data.draw(ordered_levels(scale))
    worse, better = sorted((a, b), reverse=scale == LOWER)
    assert 0 <= level_for(scale, levels, worse) <= level_for(scale, levels, better) <= 5


@settings(max_examples=200, deadline=None)
@given(scale=st.sampled_from([HIGHER, LOWER]), data=st.data())
def test_result_exactly_on_a_target_reaches_that_level(scale, data):
    levels = data.draw(ordered_levels(scale))
    for level, target in enumerate(levels, start=1):
        if target is not None:
            assert level_for(scale, levels, target) == level


@settings(max_examples=200, deadline=None)
@given(scale=st.sampled_from([HIGHER, LOWER]), data=st.data())
def test_levels_are_never_easier_than_themselves(scale, data):
    levels = data.draw(ordered_levels(scale))
    assert easier_than(scale, levels, levels) is False
