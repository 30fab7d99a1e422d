"""Self-assessment rules: which points are open, reading the ratings, before/after, cohort."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lms_plugin.domain import self_assessment as sa
from lms_plugin.domain.errors import InvalidInputError, UnprocessableError

SPEC = sa.parse_spec(
    yaml.safe_load((Path(__file__).parents[3] / "courses" / "self-assessment.yaml").read_text())
)
IDS = ["CE-1", "CE-2", "OI-1"]


def test_points_open_with_the_level_and_at_its_end():
    open_now = sa.open_points(SPEC, ["isp-level-1"], [])
    assert [p.id for p in open_now] == ["level-1-start"]
    done = sa.open_points(SPEC, ["isp-level-1", "isp-level-2"], ["isp-level-1"])
    assert [p.id for p in done] == ["level-1-start", "level-1-end"]


def test_read_ratings():
    assert sa.read_ratings(IDS, {"CE-1": "1", "CE-2": "4", "OI-1": 3}) == {
        "CE-1": 1,
        "CE-2": 4,
        "OI-1": 3,
    }
    with pytest.raises(InvalidInputError):
        sa.read_ratings(IDS, {"CE-1": "5", "CE-2": "4", "OI-1": "3"})
    with pytest.raises(InvalidInputError):
        sa.read_ratings(IDS, {"XX-9": "2"})
    with pytest.raises(UnprocessableError, match="OI-1"):
        sa.read_ratings(IDS, {"CE-1": "1", "CE-2": "4"})


def test_before_after_and_cohort_summary():
    named = [(cid, cid) for cid in IDS]
    taken = {
        "level-1-start": dict.fromkeys(IDS, 2),
        "level-1-end": {"CE-1": 4, "CE-2": 2, "OI-1": 1},
    }
    changes = {c.competency: c.change for c in sa.before_after(SPEC, named, taken)}
    assert changes == {"CE-1": 2, "CE-2": 0, "OI-1": -1}
    summary = sa.cohort_summary(
        SPEC,
        named,
        [("level-1-start", dict.fromkeys(IDS, 2)), ("level-1-start", dict.fromkeys(IDS, 4))],
    )
    first = summary["level-1-start"][0]
    assert (first.count, first.mean, first.counts) == (2, 3.0, (0, 1, 0, 1))
    assert summary["level-2-end"][0].mean is None
