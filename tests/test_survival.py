"""Kaplan–Meier with delayed entry: time open, time to first hire, left-censored places."""
from __future__ import annotations

import pandas as pd
import pytest

from tlresearch.stats.survival import closure_spells, first_hire_spells, kaplan_meier


def test_closure_with_delayed_entry_by_hand():
    directory = pd.DataFrame({"opening_year": [2010, 2016, 2018, 2019, 2005],
                              "closing_year": [2020, None, 2021, None, 2015]})
    spells = closure_spells(directory, 2017, 2025)
    assert len(spells) == 4                      # closed before the survey: never seen
    assert spells["entry"].tolist() == [7, 1, 0, 0]
    curve = kaplan_meier(spells, "closure")
    steps = curve[curve["events"] > 0].set_index("time")["survival"]
    # at 3 years: at risk the places of 2016 (entered at 1), 2018 and 2019 -> 1 - 1/3
    assert steps[3.0] == pytest.approx(2 / 3)
    # at 10 years: the 2010 place (entered at 7) and 2016's (censored at 10, still open)
    assert steps[10.0] == pytest.approx(2 / 3 * 1 / 2)


def test_first_hire_flags_places_already_employing_when_first_seen():
    responses = pd.DataFrame({
        "place_id": ["A", "A", "B", "B", "C", "C"], "wave": [2019, 2021, 2019, 2021, 2019, 2021],
        "opening_year": [2017, 2017, 2015, 2015, 2018, 2018],
        "staff_total": [0, 2, 3, 3, 0, 0], "volunteers": [4, 4, 0, 0, 6, 6]})
    spells = first_hire_spells(responses).set_index("place_id")
    assert bool(spells.loc["B", "left_censored"]) and not spells.loc["A", "left_censored"]
    assert spells.loc["A", ["entry", "time", "event"]].tolist() == [2, 4, 1]
    assert spells.loc["C", ["entry", "time", "event"]].tolist() == [1, 3, 0]
    curve = kaplan_meier(spells.reset_index(), "first_hire")
    assert curve["left_censored"].iloc[0] == 1 and curve["places"].iloc[0] == 2
    assert curve.set_index("time").loc[4.0, "survival"] == pytest.approx(0.0)
