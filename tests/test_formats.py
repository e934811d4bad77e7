"""French number, percent and date formats."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from tlresearch.core.formats import (
    MISSING,
    NBSP,
    NNBSP,
    format_count,
    format_date,
    format_interval,
    format_number,
    format_percent,
    format_points,
)


def test_number_uses_comma_and_narrow_no_break_space():
    assert format_number(1234.5, decimals=1) == "1\u202f234,5"
    assert format_number(1234567.891, decimals=2) == f"1{NNBSP}234{NNBSP}567,89"
    assert format_number(999) == "999"
    assert format_number(1000) == f"1{NNBSP}000"


def test_number_plain_no_break_space_variant():
    assert format_number(1234.5, decimals=1, thousands=NBSP) == "1\u00a0234,5"
    assert format_count(2415, thousands=NBSP) == "2\u00a0415"


@pytest.mark.parametrize("value, decimals, expected", [
    (2.675, 2, "2,68"),          # half away from zero on the decimal, not the binary value
    (0.5, 0, "1"),
    (1.5, 0, "2"),
    (2.5, 0, "3"),               # not banker's rounding
    (-2.5, 0, "-3"),
    (-0.04, 1, "0,0"),           # never "-0,0"
    (2.4499999999999997, 1, "2,5"),  # float noise of a mean of 2.45
    (2.0, 1, "2,0"),             # decimals kept
    (-1234.5, 1, f"-1{NNBSP}234,5"),
])
def test_number_rounding(value, decimals, expected):
    assert format_number(value, decimals) == expected


def test_signed_numbers():
    assert format_number(3.25, 1, signed=True) == "+3,3"
    assert format_number(-3.25, 1, signed=True) == "-3,3"
    assert format_number(0.0, 1, signed=True) == "0,0"


def test_percent_has_no_break_space_before_sign():
    assert format_percent(0.563) == "56,3\u00a0%"
    assert format_percent(0.5, decimals=0) == "50\u00a0%"
    assert format_percent(1) == "100,0\u00a0%"
    assert format_percent(12.345, decimals=0) == f"1{NNBSP}235{NBSP}%"


def test_points_and_interval():
    assert format_points(0.052) == "+5,2\u00a0pts"
    assert format_points(-0.1) == "-10,0\u00a0pts"
    assert format_interval(0.4622, 0.6532) == "[46,2\u00a0%\u00a0; 65,3\u00a0%]"
    assert format_interval(pd.NA, 0.5) == MISSING


def test_count_is_whole():
    assert format_count(2415) == f"2{NNBSP}415"
    assert format_count(np.int64(195)) == "195"
    assert format_count(3698.4) == f"3{NNBSP}698"


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, pd.NaT])
def test_missing_values_are_a_dash(missing):
    assert format_number(missing) == "–"
    assert format_percent(missing) == "–"
    assert format_count(missing) == "–"
    assert format_date(missing) == "–"
    assert format_number(missing, na="n.d.") == "n.d."


@pytest.mark.parametrize("value", [
    dt.date(2026, 11, 23), dt.datetime(2026, 11, 23, 17, 5), pd.Timestamp("2026-11-23 08:00"),
    "2026-11-23", np.datetime64("2026-11-23").astype("datetime64[s]").astype(dt.datetime),
])
def test_date(value):
    assert format_date(value) == "23/11/2026"


def test_date_pads_day_and_month():
    assert format_date(dt.date(2024, 3, 5)) == "05/03/2024"


def test_infinity():
    assert format_number(float("inf")) == "∞"
    assert format_number(float("-inf")) == "-∞"
