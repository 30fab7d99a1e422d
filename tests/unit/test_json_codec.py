"""JSON columns are written by orjson, and by the standard library where orjson refuses."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from lms_plugin.db.json_codec import dumps_bytes, dumps_sorted, dumps_text


def test_what_json_dumps_wrote_reads_back_the_same():
    value = {"a": [1, 2.5, None, True], "é": "ünïcödé", "nested": {"x": {"y": []}}}
    assert json.loads(dumps_text(value)) == value
    assert json.loads(dumps_bytes(value)) == value
    assert isinstance(dumps_text(value), str) and isinstance(dumps_bytes(value), bytes)


def test_integer_keys_become_strings_as_with_json_dumps():
    assert json.loads(dumps_text({1: "one"})) == json.loads(json.dumps({1: "one"})) == {"1": "one"}


def test_an_integer_beyond_64_bits_is_written_exactly():
    big = {"answer": 123456789012345678901234567890}
    assert json.loads(dumps_text(big)) == big


def test_a_type_neither_knows_is_still_refused():
    with pytest.raises(TypeError):
        dumps_text({"when": {1, 2}})


def test_a_datetime_is_written_as_iso_8601():
    # orjson writes it where json.dumps refused it: a column given one no longer fails.
    assert json.loads(dumps_text({"at": datetime(2026, 12, 5, 10, tzinfo=UTC)})) == {
        "at": "2026-12-05T10:00:00+00:00"
    }


def test_sorted_bytes_are_the_same_whatever_the_keys_order():
    one = {"b": 1, "a": {"y": [1, {"d": 2, "c": 3}], "x": None}}
    other = {"a": {"x": None, "y": [1, {"c": 3, "d": 2}]}, "b": 1}
    expected = b'{"a":{"x":null,"y":[1,{"c":3,"d":2}]},"b":1}'
    assert dumps_sorted(one) == dumps_sorted(other) == expected
    assert dumps_sorted({"a": 1}) != dumps_sorted({"a": 1.0}) != dumps_sorted({"a": "1"})


def test_sorted_bytes_of_what_orjson_refuses_come_from_json_dumps():
    big = {"b": 2**70, "a": 1}
    assert dumps_sorted(big) == b'{"a":1,"b":1180591620717411303424}'
