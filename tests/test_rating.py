"""Aggregation, coverage, adjustments and margins, checked by hand."""

from __future__ import annotations

import itertools

import pytest

from riskcore.defaults import load_config
from riskcore.rating import adjust, aggregate, margin, normalise_weights, rate

CONFIG, _ = load_config()


def test_normalise_weights_sum_to_one() -> None:
    # 0.4 + 0.2 + 0.2 = 0.8 -> 0.5, 0.25, 0.25
    assert normalise_weights({"a": 0.4, "b": 0.2, "c": 0.2}) == pytest.approx(
        {"a": 0.5, "b": 0.25, "c": 0.25}
    )


def test_aggregate_weighted_mean_over_scored_metrics() -> None:
    # coverage = 0.5 + 0.25 = 0.75; score = (0.5*80 + 0.25*20) / 0.75 = 45 / 0.75 = 60
    agg = aggregate({"a": 0.5, "b": 0.25, "c": 0.25}, {"a": 80.0, "b": 20.0, "c": None}, 0.7)
    assert agg.coverage == pytest.approx(0.75)
    assert agg.score == pytest.approx(60.0)
    # contributions: 0.5*80/0.75 = 53.333..., 0.25*20/0.75 = 6.666..., c = 0
    assert agg.contributions == pytest.approx({"a": 160 / 3, "b": 20 / 3, "c": 0.0})
    assert sum(agg.contributions.values()) == pytest.approx(agg.score)


def test_aggregate_below_minimum_coverage_has_no_score() -> None:
    # coverage 0.5 < 0.7: NR, every contribution 0
    agg = aggregate({"a": 0.5, "b": 0.5}, {"a": 10.0, "b": None}, 0.7)
    assert agg.score is None
    assert agg.coverage == 0.5
    assert agg.contributions == {"a": 0.0, "b": 0.0}


def test_aggregate_coverage_equal_to_minimum_is_rated() -> None:
    # 0.4 + 0.2 + 0.1 = 0.7000000000000001 in floats; exactly the minimum still rates
    agg = aggregate(
        {"a": 0.4, "b": 0.2, "c": 0.1, "d": 0.3}, {"a": 1.0, "b": 1.0, "c": 1.0, "d": None}, 0.7
    )
    assert agg.score == pytest.approx(1.0)


def test_aggregate_nothing_scored() -> None:
    agg = aggregate({"a": 1.0}, {"a": None}, 0.0)
    assert agg.score is None and agg.coverage == 0.0


def test_weakest_link_lifts_score_and_records_reason() -> None:
    # worst metric 70, 30 points from 100 (more than the taper of 25): gap 20 -> floor 50 > 40
    score, applied = adjust(40.0, {"a": 70.0, "b": 10.0}, CONFIG.rating)
    assert score == 50.0
    assert len(applied) == 1
    entry = applied[0]
    assert (entry.name, entry.score_before, entry.score_after) == ("weakest_link", 40.0, 50.0)
    assert "a scores 70.0" in entry.reason
    assert "more than 20 points better" in entry.reason


@pytest.mark.parametrize(
    ("worst", "floor"),
    [
        (100.0, 100.0),  # no gap at all: commitments far beyond means rate at the bottom
        (95.0, 91.0),  # gap 20 x 5 / 25 = 4
        (80.0, 64.0),  # gap 20 x 20 / 25 = 16
        (75.0, 55.0),  # 25 points from 100: the full gap of 20
        (60.0, 40.0),
    ],
)
def test_weakest_link_gap_narrows_near_the_top(worst: float, floor: float) -> None:
    score, applied = adjust(0.0, {"a": worst}, CONFIG.rating)
    assert score == pytest.approx(floor)
    assert applied[0].score_after == pytest.approx(floor)


def test_weakest_link_taper_zero_keeps_the_full_gap() -> None:
    cfg, _ = load_config({"rating": {"weakest_link_taper": 0}})
    assert adjust(60.0, {"a": 100.0, "b": 10.0}, cfg.rating)[0] == 80.0


def test_weakest_link_floor_rises_with_the_worst_score() -> None:
    floors = [adjust(0.0, {"a": w / 4}, CONFIG.rating)[0] for w in range(401)]
    assert all(b >= a for a, b in itertools.pairwise(floors))


def test_weakest_link_not_binding_is_not_recorded() -> None:
    # floor 50 - 20 = 30 < 45: nothing changes
    assert adjust(45.0, {"a": 50.0, "b": 40.0}, CONFIG.rating) == (45.0, [])


def test_weakest_link_ties_pick_first_name() -> None:
    _, applied = adjust(0.0, {"b": 90.0, "a": 90.0}, CONFIG.rating)
    assert applied[0].reason.startswith("a scores")


def test_no_adjustments_configured() -> None:
    cfg, _ = load_config({"rating": {"adjustments": []}})
    assert adjust(10.0, {"a": 100.0}, cfg.rating) == (10.0, [])


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        (0.0, "AAA"),
        (10.0, "AAA"),
        (10.0001, "AA"),
        (40.0, "BBB"),
        (75.0, "CCC"),
        (90.0, "CC"),
        (100.0, "C"),
    ],
)
def test_scale_upper_bounds_inclusive(score: float, grade: str) -> None:
    band = CONFIG.grade_of(score)
    assert band is not None and band.grade == grade


def test_margin_inside_a_band() -> None:
    # 80 is in CC (75, 90]: 5 points to CCC, 10 points of room before C
    m = margin(80.0, CONFIG)
    assert (m.to_better, m.to_worse) == (pytest.approx(5.0), pytest.approx(10.0))


def test_margin_at_the_ends_is_null() -> None:
    assert margin(5.0, CONFIG).to_better is None
    assert margin(5.0, CONFIG).to_worse == pytest.approx(5.0)
    assert margin(95.0, CONFIG).to_worse is None
    assert margin(95.0, CONFIG).to_better == pytest.approx(5.0)
    assert margin(None, CONFIG).to_better is None


@pytest.mark.parametrize(
    ("scale", "message"),
    [
        (
            [{"grade": "A", "max": 50}, {"grade": "B", "max": 40}, {"grade": "C", "max": 100}],
            "overlap",
        ),
        ([{"grade": "A", "max": 50}, {"grade": "B", "max": 90}], "gap"),
        ([{"grade": "A", "max": 50}, {"grade": "A", "max": 100}], "unique"),
    ],
)
def test_bad_scales_are_refused(scale: list[dict[str, object]], message: str) -> None:
    from riskcore import ConfigError

    with pytest.raises(ConfigError) as err:
        load_config({"rating": {"scale": scale}})
    assert message in str(err.value)
    assert err.value.errors[0].location == "rating.scale"


def test_rate_is_aggregate_then_adjust() -> None:
    rating = CONFIG.rating
    # mean (20 + 80) / 2 = 50; the weakest link lifts it to 80 - 20 x 20 / 25 = 64.
    rated = rate({"a": 0.5, "b": 0.5}, {"a": 20.0, "b": 80.0}, rating)
    assert rated.score == pytest.approx(64.0)
    assert [a.name for a in rated.adjustments] == ["weakest_link"]
    assert rated.aggregate.score == pytest.approx(50.0)
    # Half the weight scored: below the 0.6 minimum, not rated.
    unrated = rate({"a": 0.5, "b": 0.5}, {"a": 20.0, "b": None}, rating)
    assert unrated.score is None and unrated.adjustments == []
