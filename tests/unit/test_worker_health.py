"""The beat's healthcheck reads its heartbeat's age against the sweep (a clock passed in)."""

from __future__ import annotations

import os

import pytest

from tests.conftest import make_settings
from worker.health import beat_problem, heartbeat_path, main


def test_no_heartbeat_means_the_beat_has_not_started(tmp_path):
    assert "has not started" in (beat_problem(make_settings(str(tmp_path)), 1_000.0) or "")


@pytest.mark.parametrize(
    ("sweep", "age", "alive"),
    [(30, 0, True), (30, 119, True), (30, 121, False), (300, 600, True), (300, 700, False)],
)
def test_heartbeat_may_be_two_sweeps_and_a_minute_old(tmp_path, sweep, age, alive):
    settings = make_settings(str(tmp_path), sweep_seconds=sweep)
    heartbeat_path(settings).touch()
    os.utime(heartbeat_path(settings), (1_000_000.0, 1_000_000.0))
    problem = beat_problem(settings, 1_000_000.0 + age)
    assert (problem is None) is alive, problem


def test_command_line_says_how_to_call_it():
    assert main(["worker"]) == 2
