"""The suggested status of a check-in (monitoring.status): worked examples and properties.

Rules (DOMAIN.md "Monitoring during the round", monitoring/status.py):
projection = value / share elapsed for additive measures (counts, amounts),
the value itself for percentages; projected level >= 3 on track, 2 at risk,
below 2 off track; a milestone KPI with fewer steps than floor(3 x share)
is off track.
"""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitoring.status import (
    AT_RISK,
    OFF_TRACK,
    ON_TRACK,
    is_additive,
    is_no_news,
    milestones_needed,
    share_elapsed,
    suggest,
)

HIGHER = (Decimal(65), Decimal(70), Decimal(75), Decimal(80), Decimal(85))
LOWER_OPEN = (None, Decimal(35), Decimal(30), Decimal(25), Decimal(20))
STEPS = ("ขั้น 1", "ขั้น 2", "ขั้น 3", "ขั้น 4", "ขั้น 5")
HALF = Decimal("0.5")


@pytest.mark.parametrize(
    ("value", "level", "status"),
    [
        (Decimal(36), 2, AT_RISK),  # 36 / 0.5 = 72: level 2
        (Decimal(40), 4, ON_TRACK),  # 80: level 4
        (Decimal("37.5"), 3, ON_TRACK),  # 75: exactly level 3
        (Decimal(30), 0, OFF_TRACK),  # 60: below level 1
        (Decimal(44), 5, ON_TRACK),  # 88
    ],
)
def test_additive_higher_is_projected_by_the_share_elapsed(value, level, status):
    result = suggest(scale="higher", levels=HIGHER, share=HALF, value=value, additive=True)
    assert (result.projected_level, result.status) == (level, status)
    assert result.projection == value * 2


def test_a_percentage_is_projected_as_itself():
    # 77% half-way through the round stays 77%: level 3, on track (not 154%).
    result = suggest(scale="higher", levels=HIGHER, share=HALF, value=Decimal(77), additive=False)
    assert (result.projection, result.projected_level, result.status) == (77, 3, ON_TRACK)
    low = suggest(scale="higher", levels=HIGHER, share=HALF, value=Decimal(72), additive=False)
    assert (low.projected_level, low.status) == (2, AT_RISK)


@pytest.mark.parametrize(
    ("value", "level", "status"),
    [
        (Decimal(14), 3, ON_TRACK),  # 28 errors projected: level 3
        (Decimal(16), 2, AT_RISK),  # 32: level 2
        (Decimal(20), 1, OFF_TRACK),  # 40: the open level 1
    ],
)
def test_additive_lower_with_open_level_1(value, level, status):
    result = suggest(scale="lower", levels=LOWER_OPEN, share=HALF, value=value, additive=True)
    assert (result.projected_level, result.status) == (level, status)


@pytest.mark.parametrize(
    ("share", "done", "level", "status"),
    [
        (HALF, 0, 0, OFF_TRACK),  # needs floor(1.5) = 1 step
        (HALF, 1, 2, AT_RISK),  # 1 / 0.5 = 2
        (HALF, 2, 4, ON_TRACK),
        (HALF, 5, 5, ON_TRACK),  # capped at 5
        (Decimal("0.9"), 2, 2, AT_RISK),  # needs floor(2.7) = 2: done; 2.22 -> level 2
        (Decimal(1), 2, 2, OFF_TRACK),  # needs 3 at the end: off track, not at risk
        (Decimal(1), 3, 3, ON_TRACK),
        (Decimal("0.2"), 0, 0, OFF_TRACK),  # needs 0, but projects to nothing
        (Decimal("0.2"), 1, 5, ON_TRACK),
    ],
)
def test_milestones(share, done, level, status):
    result = suggest(scale="milestone", levels=STEPS, share=share, milestones_done=done)
    assert (result.projected_level, result.status) == (level, status)


def test_milestones_needed_is_level_3_pro_rata_rounded_down():
    assert [milestones_needed(Decimal(s) / 10) for s in range(1, 11)] == [
        0, 0, 0, 1, 1, 1, 2, 2, 2, 3
    ]  # fmt: skip


def test_share_elapsed_counts_days_with_both_ends():
    start, end = datetime.date(2025, 10, 1), datetime.date(2026, 3, 31)  # 182 days
    assert share_elapsed(start, end, start) == Decimal(1) / 182
    assert share_elapsed(start, end, datetime.date(2025, 12, 30)) == Decimal(91) / 182
    assert share_elapsed(start, end, end) == 1
    assert share_elapsed(start, end, datetime.date(2026, 5, 1)) == 1  # after the round
    assert share_elapsed(start, end, datetime.date(2025, 9, 1)) == Decimal(1) / 182


def test_percent_units_are_not_additive():
    assert is_additive("เรื่อง") and is_additive("บาท") and is_additive("")
    assert not is_additive("ร้อยละ") and not is_additive("%")


def test_no_news_after_the_rounds_days():
    today = datetime.date(2026, 1, 31)
    assert is_no_news(None, today, 30)
    assert not is_no_news(datetime.date(2026, 1, 1), today, 30)  # 30 days old
    assert is_no_news(datetime.date(2025, 12, 31), today, 30)  # 31 days old


def test_invalid_levels_are_refused():
    with pytest.raises(ValueError):
        suggest(scale="higher", levels=(1, 2, 2, 4, 5), share=HALF, value=Decimal(3))


RANK = {OFF_TRACK: 0, AT_RISK: 1, ON_TRACK: 2}
values = st.decimals(min_value=0, max_value=200, places=2, allow_nan=False)
shares = st.integers(min_value=1, max_value=100).map(lambda n: Decimal(n) / 100)


@given(values, values, shares)
def test_more_is_never_worse_on_a_higher_scale(a, b, share):
    low, high = sorted((a, b))
    one = suggest(scale="higher", levels=HIGHER, share=share, value=low)
    two = suggest(scale="higher", levels=HIGHER, share=share, value=high)
    assert RANK[one.status] <= RANK[two.status]
    assert one.projected_level <= two.projected_level


@given(values)
def test_at_the_end_of_the_round_additive_and_rate_agree(value):
    one = suggest(scale="higher", levels=HIGHER, share=Decimal(1), value=value, additive=True)
    two = suggest(scale="higher", levels=HIGHER, share=Decimal(1), value=value, additive=False)
    assert one == two


@given(st.integers(min_value=0, max_value=5), shares)
def test_a_milestone_is_on_track_exactly_when_it_keeps_pace_with_level_3(done, share):
    result = suggest(scale="milestone", levels=STEPS, share=share, milestones_done=done)
    assert 0 <= result.projected_level <= 5
    assert (result.status == ON_TRACK) == (done >= 3 * share)
    if done < milestones_needed(share):
        assert result.status == OFF_TRACK


@given(values, shares)
def test_status_follows_the_projected_level(value, share):
    result = suggest(scale="lower", levels=LOWER_OPEN, share=share, value=value)
    expected = ON_TRACK if result.projected_level >= 3 else AT_RISK
    if result.projected_level < 2:
        expected = OFF_TRACK
    assert result.status == expected
