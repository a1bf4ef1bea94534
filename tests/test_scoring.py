"""Scores (appraisals.scoring): pure functions, no database."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appraisals.scoring import (
    DEFAULT_BANDS,
    DEFAULT_WEIGHTS,
    achievement,
    appraisal_total,
    competency_bar_score,
    competency_percent,
    kpi_score,
    quantize2,
    quantize4,
    rating_band,
    weighted_score,
)
from indicators.targets import HIGHER, LOWER, MILESTONE, Number, level_for

D = Decimal
HIGHER_LEVELS = [D(65), D(70), D(75), D(80), D(85)]
LOWER_OPEN_LEVELS = [None, D(35), D(30), D(25), D(20)]
STEPS = ["แต่งตั้งคณะทำงาน", "จัดทำแผน", "ดำเนินการตามแผน", "ติดตามผล", "สรุปและรายงานผล"]


def interpolated(scale: str, levels: list, actual: Number, floor: int = 0) -> Decimal:
    return kpi_score(scale, levels, actual, method="interpolated", floor=floor)


# DOMAIN.md worked examples


def test_higher_actual_77_scores_3_discrete():
    assert kpi_score(HIGHER, HIGHER_LEVELS, D(77)) == D(3)
    assert str(kpi_score(HIGHER, HIGHER_LEVELS, D(77))) == "3.0000"


def test_higher_actual_77_scores_3_point_4_interpolated():
    assert str(interpolated(HIGHER, HIGHER_LEVELS, D(77))) == "3.4000"


def test_higher_actual_88_scores_5_both_ways():
    assert str(kpi_score(HIGHER, HIGHER_LEVELS, D(88))) == "5.0000"
    assert str(interpolated(HIGHER, HIGHER_LEVELS, D(88))) == "5.0000"


def test_higher_actual_63_scores_0_with_floor_0():
    assert str(kpi_score(HIGHER, HIGHER_LEVELS, D(63))) == "0.0000"
    assert str(interpolated(HIGHER, HIGHER_LEVELS, D(63), floor=0)) == "0.0000"


def test_lower_open_level_one_actual_27_scores_3_discrete():
    assert str(kpi_score(LOWER, LOWER_OPEN_LEVELS, D(27))) == "3.0000"


def test_lower_open_level_one_actual_27_scores_3_point_6_interpolated():
    assert str(interpolated(LOWER, LOWER_OPEN_LEVELS, D(27))) == "3.6000"


def test_lower_open_level_one_actual_50_scores_1_both_ways():
    assert str(kpi_score(LOWER, LOWER_OPEN_LEVELS, D(50))) == "1.0000"
    assert str(interpolated(LOWER, LOWER_OPEN_LEVELS, D(50))) == "1.0000"


def test_weights_40_35_25_with_levels_3_3_5_achieve_70():
    assert str(achievement([(3, 40), (3, 35), (5, 25)])) == "70.00"


def test_achievement_70_is_49_points_at_a_70_percent_component_weight():
    assert str(appraisal_total(D("70.00"), 0)) == "49.00"


def test_interpolated_scores_3_4_and_3_6_and_5_achieve_77_40():
    assert str(achievement([(D("3.4"), 40), (D("3.6"), 35), (D(5), 25)])) == "77.40"


def test_weighted_scores_of_the_worked_example_add_up_to_350():
    rows = [(3, 40), (3, 35), (5, 25)]
    assert [str(weighted_score(s, w)) for s, w in rows] == ["120.0000", "105.0000", "125.0000"]
    assert sum(weighted_score(s, w) for s, w in rows) == D(350)


# kpi_score: interpolation details


def test_interpolated_score_is_4_decimals_rounded_half_up():
    # 1 + (2 - 0) / 3 = 1.66666... -> 1.6667
    assert str(interpolated(HIGHER, [D(0), D(3), D(6), D(9), D(12)], D(2))) == "1.6667"


def test_interpolated_below_level_one_scores_the_floor_1():
    assert str(interpolated(HIGHER, HIGHER_LEVELS, D(10), floor=1)) == "1.0000"


def test_floor_1_does_not_apply_to_discrete_scoring():
    assert str(kpi_score(HIGHER, HIGHER_LEVELS, D(10), floor=1)) == "0.0000"


def test_higher_with_open_level_one_scores_1_short_of_level_2():
    levels = [None, D(70), D(75), D(80), D(85)]
    assert str(interpolated(HIGHER, levels, D("69.99"))) == "1.0000"
    assert str(interpolated(HIGHER, levels, D(70))) == "2.0000"


def test_lower_with_level_one_set_interpolates_from_level_one():
    levels = [D(40), D(35), D(30), D(25), D(20)]
    assert str(interpolated(LOWER, levels, D(38))) == "1.4000"
    assert str(interpolated(LOWER, levels, D(41))) == "0.0000"


def test_interpolated_score_never_rounds_up_to_the_next_level():
    # 4 + 99999.999 / 100000 is 4.99999999, which half up would print as 5.0000
    # although level 5 was not reached.
    levels = [D(1), D(2), D(3), D(4), D(100004)]
    assert level_for(HIGHER, levels, D("100003.999")) == 4
    assert str(interpolated(HIGHER, levels, D("100003.999"))) == "4.9999"


def test_interpolated_score_still_rounds_half_up_within_a_level():
    # 1 + 0.00005 -> 1.0001
    levels = [D(0), D(100000), D(200000), D(300000), D(400000)]
    assert str(interpolated(HIGHER, levels, D(5))) == "1.0001"


@pytest.mark.parametrize("done", [0, 1, 2, 3, 4, 5])
def test_milestones_are_never_interpolated(done):
    assert kpi_score(MILESTONE, STEPS, done, method="interpolated") == D(done)
    assert kpi_score(MILESTONE, STEPS, done) == D(done)


def test_milestone_floor_does_not_lift_zero_steps():
    assert str(kpi_score(MILESTONE, STEPS, 0, method="interpolated", floor=1)) == "0.0000"


def test_kpi_score_accepts_text_ints_and_floats():
    assert str(interpolated(HIGHER, ["65", "70", "75", "80", "85"], "77")) == "3.4000"
    assert str(interpolated(HIGHER, [65, 70, 75, 80, 85], 77.5)) == "3.5000"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "rounded"}, "unknown scoring method"),
        ({"floor": 2}, "floor must be 0 or 1"),
        ({"floor": -1}, "floor must be 0 or 1"),
        ({"method": "interpolated", "floor": 3}, "floor must be 0 or 1"),
    ],
)
def test_kpi_score_refuses_unknown_method_or_floor(kwargs, match):
    with pytest.raises(ValueError, match=match):
        kpi_score(HIGHER, HIGHER_LEVELS, D(77), **kwargs)


def test_kpi_score_refuses_invalid_levels():
    with pytest.raises(ValueError, match="not strictly ordered"):
        interpolated(HIGHER, [D(65), D(65), D(75), D(80), D(85)], D(77))


# weighted_score, achievement


def test_weighted_score_is_4_decimals():
    assert str(weighted_score(D("3.6667"), 35)) == "128.3345"
    assert str(weighted_score("3.4", "40")) == "136.0000"


def test_achievement_without_weights_is_zero():
    assert str(achievement([])) == "0.00"
    assert str(achievement([(5, 0), (3, 0)])) == "0.00"


def test_achievement_all_level_5_is_100():
    assert str(achievement([(5, 60), (5, 40)])) == "100.00"


def test_achievement_rounds_once_at_the_end_half_up():
    # (1 x 1 + 2 x 2) / (3 x 5) x 100 = 33.333... -> 33.33; 2.5/5 x 100 rounding at .xx5
    assert str(achievement([(1, 1), (2, 2)])) == "33.33"
    assert str(achievement([(D("0.00125"), 1)])) == "0.03"


def test_achievement_accepts_a_generator():
    assert str(achievement((s, w) for s, w in [(3, 50), (4, 50)])) == "70.00"


# Competencies (bar scale)


@pytest.mark.parametrize(
    ("expected", "observed", "score"),
    [(3, 5, 3), (3, 3, 3), (3, 2, 2), (3, 1, 1), (3, 0, 0), (4, 1, 0), (5, 1, 0), (1, 0, 2)],
)
def test_competency_bar_score(expected, observed, score):
    assert competency_bar_score(expected, observed) == score


@pytest.mark.parametrize(("expected", "observed"), [(0, 1), (6, 1), (3, -1), (3, 6)])
def test_competency_levels_outside_the_scale_are_refused(expected, observed):
    with pytest.raises(ValueError, match="level must be"):
        competency_bar_score(expected, observed)


def test_five_core_competencies_all_met_is_100_percent():
    assert str(competency_percent([(2, 2), (2, 3), (2, 2), (2, 4), (2, 2)])) == "100.00"


def test_competency_percent_of_mixed_results():
    # scores 3, 2, 1, 3, 0 = 9 / 15 x 100 = 60.00
    pairs = [(3, 3), (3, 2), (3, 1), (3, 4), (4, 1)]
    assert str(competency_percent(pairs)) == "60.00"


def test_competency_percent_rounds_half_up_to_2_decimals():
    # 2 / 3 x 100 = 66.666... -> 66.67
    assert str(competency_percent([(3, 2)])) == "66.67"


def test_no_competencies_is_zero_percent():
    assert str(competency_percent([])) == "0.00"


# appraisal_total


def test_default_weights_are_70_30_0():
    assert DEFAULT_WEIGHTS == (70, 30, 0)


def test_appraisal_total_with_default_weights():
    # 77.40 x 0.7 + 60 x 0.3 = 54.18 + 18 = 72.18
    assert str(appraisal_total(D("77.40"), D(60))) == "72.18"


def test_appraisal_total_with_an_other_part():
    assert str(appraisal_total(80, 90, 100, weights=(50, 30, 20))) == "87.00"


def test_appraisal_total_rounds_half_up_to_2_decimals():
    # 33.33 x 0.7 = 23.331, 66.67 x 0.3 = 20.001 -> 43.332 -> 43.33; 0.005 -> 0.01
    assert str(appraisal_total(D("33.33"), D("66.67"))) == "43.33"
    assert str(appraisal_total(D("0.01"), D(0), weights=(50, 50, 0))) == "0.01"


def test_appraisal_total_refuses_weights_that_do_not_add_up_to_100():
    with pytest.raises(ValueError, match="must add up to 100"):
        appraisal_total(80, 80, weights=(70, 20, 0))


# rating_band


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (D("100"), "ดีเด่น"),
        (D("90"), "ดีเด่น"),
        (D("90.00"), "ดีเด่น"),
        (D("89.99"), "ดีมาก"),
        (D("80"), "ดีมาก"),
        (D("79.99"), "ดี"),
        (D("70"), "ดี"),
        (D("69.99"), "พอใช้"),
        (D("60"), "พอใช้"),
        (D("59.99"), "ต้องปรับปรุง"),
        (D("0"), "ต้องปรับปรุง"),
    ],
)
def test_default_rating_bands_at_their_boundaries(total, band):
    assert rating_band(total, DEFAULT_BANDS) == band


def test_rating_band_does_not_depend_on_the_order_bands_are_given():
    assert rating_band(D("85"), list(reversed(DEFAULT_BANDS))) == "ดีมาก"


def test_total_below_every_band_has_no_rating():
    assert rating_band(D("49.99"), [("ผ่าน", D(50)), ("ดี", D(75))]) is None
    assert rating_band(D("-1"), DEFAULT_BANDS) is None


def test_rating_band_accepts_text_and_floats():
    assert rating_band("90", DEFAULT_BANDS) == "ดีเด่น"
    assert rating_band(89.99, DEFAULT_BANDS) == "ดีมาก"


# Rounding helpers


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        (D("2.00005"), "2.0001"),
        (D("2.00004999"), "2.0000"),
        (D("-2.00005"), "-2.0001"),
        ("3.4", "3.4000"),
        (3, "3.0000"),
        (0.1, "0.1000"),
    ],
)
def test_quantize4_rounds_half_up(value, rounded):
    assert str(quantize4(value)) == rounded


@pytest.mark.parametrize(
    ("value", "rounded"),
    [(D("2.005"), "2.01"), (D("2.0049"), "2.00"), (D("89.995"), "90.00"), (2.675, "2.68")],
)
def test_quantize2_rounds_half_up(value, rounded):
    # 2.675 as a float is 2.67499999...; through str it is 2.675 and rounds up.
    assert str(quantize2(value)) == rounded


# Properties


def ordered_levels(scale: str) -> st.SearchStrategy[list]:
    """Valid five levels for ``scale``: distinct numbers with one decimal, maybe t1 open."""
    numbers = st.decimals(min_value=-1000, max_value=1000, places=1)
    values = st.lists(numbers, min_size=5, max_size=5, unique=True).map(
        lambda xs: sorted(xs, reverse=scale == LOWER)
    )
    return st.tuples(values, st.booleans()).map(lambda vo: [None, *vo[0][1:]] if vo[1] else vo[0])


scales = st.sampled_from([HIGHER, LOWER])
methods = st.sampled_from(["discrete", "interpolated"])
floors = st.sampled_from([0, 1])
actuals = st.decimals(min_value=-1100, max_value=1100, places=3)


@settings(max_examples=200, deadline=None)
@given(scale=scales, data=st.data(), actual=actuals, method=methods, floor=floors)
def test_scores_stay_within_0_and_5(scale, data, actual, method, floor):
    levels = data.draw(ordered_levels(scale))
    score = kpi_score(scale, levels, actual, method=method, floor=floor)
    assert D(0) <= score <= D(5)
    assert score.as_tuple().exponent == -4


@settings(max_examples=200, deadline=None)
@given(scale=scales, data=st.data(), a=actuals, b=actuals, method=methods, floor=floors)
def test_score_never_falls_as_the_result_improves(scale, data, a, b, method, floor):
    levels = data.draw(ordered_levels(scale))
    # For higher a bigger result is better; for lower, a smaller one.
    worse, better = sorted((a, b), reverse=scale == LOWER)
    assert kpi_score(scale, levels, worse, method=method, floor=floor) <= kpi_score(
        scale, levels, better, method=method, floor=floor
    )


@settings(max_examples=200, deadline=None)
@given(scale=scales, data=st.data(), actual=actuals, floor=floors)
def test_discrete_level_is_the_integer_part_of_the_interpolated_score(scale, data, actual, floor):
    levels = data.draw(ordered_levels(scale))
    level = level_for(scale, levels, actual)
    if level >= 1:
        assert int(interpolated(scale, levels, actual, floor)) == level
    else:
        assert interpolated(scale, levels, actual, floor) == D(floor)


@settings(max_examples=200, deadline=None)
@given(scale=scales, data=st.data(), floor=floors)
def test_interpolated_score_is_exactly_the_level_on_its_target(scale, data, floor):
    levels = data.draw(ordered_levels(scale))
    for level, target in enumerate(levels, start=1):
        if target is not None:
            assert interpolated(scale, levels, target, floor) == D(level)
            assert kpi_score(scale, levels, target) == D(level)


@settings(max_examples=200, deadline=None)
@given(scale=scales, data=st.data(), a=actuals, b=actuals)
def test_discrete_score_is_monotone_and_whole(scale, data, a, b):
    levels = data.draw(ordered_levels(scale))
    worse, better = sorted((a, b), reverse=scale == LOWER)
    low, high = kpi_score(scale, levels, worse), kpi_score(scale, levels, better)
    assert low <= high
    assert low == low.to_integral_value()
    assert high == high.to_integral_value()


@settings(max_examples=200, deadline=None)
@given(
    pairs=st.lists(
        st.tuples(
            st.decimals(min_value=0, max_value=5, places=4),
            st.integers(min_value=0, max_value=100),
        ),
        max_size=12,
    )
)
def test_achievement_stays_within_0_and_100(pairs):
    assert D(0) <= achievement(pairs) <= D(100)
