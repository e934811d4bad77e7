"""Secrecy on waves too small or too skewed to protect as they are: never a crash.

A table no pattern of « s » protects is made coarser (types merged, then the
départements' totals only) or withheld with a French sentence; transitions whose pairs
a public sub-total pins print the sub-totals only. And a figure built on sums — a
mean, a share of job slots (facilitator jobs / salaried jobs) — is secret when one of
its sums rests on fewer than 3 places with a value above 0 or on one dominant place.
"""
from __future__ import annotations

import html

import numpy as np
import pandas as pd
import pytest

from tlresearch.secrecy.protection import apply_secrecy, audit_table
from tlresearch.secrecy.wave_cache import MARGIN_SUMS
from tlresearch.secrecy.wave_secrecy import protect_wave
from tlresearch.stats.indicators import compute_indicators
from tlresearch.stats.transition_secrecy import protect_transitions
from tlresearch.stats.trends import compare_waves

from helpers.waves import a_wave


def tiny_wave(n: int, wave: int = 2025, *, staff_total=1.0, etp=1.0) -> pd.DataFrame:
    """``n`` places of one wave, spread over two départements and two types."""
    return pd.DataFrame({
        "wave": wave, "place_id": [f"TL{i:03d}" for i in range(n)], "region_code": "75",
        "departement_code": ["33", "64"] * (n // 2) + ["33"] * (n % 2),
        "typology": (["coworking", "fablab", "fablab"] * n)[:n],
        "staff_total": staff_total, "cdi": staff_total, "cdd": 0.0, "other_contracts": 0.0,
        "etp": etp, "volunteers": 2.0, "interns": 0.0, "civic_service": 0.0,
        "board_members": 3.0})


def assert_safe(grid) -> None:
    audit = grid.audit()
    assert not audit["recoverable"].any(), audit[audit["recoverable"]]


@pytest.mark.parametrize("n", [1, 2, 3])
def test_a_region_of_one_two_or_three_places_is_protected_not_fatal(n):
    grid = protect_wave(tiny_wave(n), margin_sums=MARGIN_SUMS)
    assert grid.counts.values.loc[grid.total, grid.total] == n  # counts: in clear
    if n < 3:
        assert grid.sums["etp"].display().loc[grid.total, grid.total] == "s"
    assert_safe(grid)
    two_waves = pd.concat([tiny_wave(n, 2024), tiny_wave(n + 1, 2025, staff_total=0.0)])
    transitions = protect_transitions(two_waves, 2024, 2025)
    printed = transitions.territory_table()["Nombre de lieux"]
    assert printed.iloc[-1] == str(n + 1)  # the total, in clear
    assert not transitions.audit()["recoverable"].any()


def test_transitions_pinned_by_a_public_sub_total_print_the_sub_totals_only():
    """One new respondent: « nouveaux répondants » is 1 and public, so its only pair
    (absent → employer) is that place's answer whatever is hidden. The pairs are
    withheld — not « s », absent — and the block says why (the demo at --scale 0.05)."""
    from tlresearch.report.page_secrecy import transitions_block
    from tlresearch.stats.transition_secrecy import WITHHELD_NOTE

    waves = pd.concat([tiny_wave(8, 2024), tiny_wave(9, 2025)])
    transitions = protect_transitions(waves, 2024, 2025)
    assert transitions.withheld
    table = transitions.territory_table()
    assert table["code_parcours"].tolist() == ["linked_places", "stopped_answering",
                                               "new_respondents", "Ensemble"]
    assert table["Nombre de lieux"].tolist() == ["8", "0", "1", "9"]
    assert transitions.audit().empty
    block = str(transitions_block(waves, 2024, 2025, "75", None, caption="Parcours",
                                  filename="parcours"))
    assert html.escape(WITHHELD_NOTE) in block and "Sous-total" in block


@pytest.mark.parametrize("seed", range(6))
def test_tiny_skewed_tables_with_zeros_are_protected_never_fatal(seed):
    """Tables of 1 to 4 places per cell, many places answering 0, one place dominant:
    whatever the table, a pattern is found (or every cell hidden), never an error."""
    rng = np.random.default_rng(seed)
    for _ in range(10):
        rows, cols = rng.integers(1, 4), rng.integers(1, 4)
        counts = pd.DataFrame(rng.integers(0, 4, (rows, cols)))
        values = counts * rng.choice([0.0, 0.0, 0.5, 3.0], (rows, cols))
        values.iloc[0, 0] += 40.0 * (counts.iloc[0, 0] > 0)
        table = apply_secrecy(values, counts, values.clip(upper=40.0))
        assert not audit_table(table)["recoverable"].any()


def test_a_region_with_one_contributor_hides_every_sum_cell_and_prints_its_counts():
    wave = tiny_wave(4).assign(typology=["coworking", "fablab", "coworking", "fablab"],
                               departement_code=["33", "33", "64", "64"])
    wave["etp"] = [0.0, 0.0, 0.0, 2.0]  # one contributor in the whole region
    grid = protect_wave(wave, margin_sums=MARGIN_SUMS)
    assert_safe(grid)
    assert (grid.sums["etp"].display() == "s").to_numpy().all()
    assert grid.territory_table()["Lieux répondants"].tolist() == ["2", "2", "4"]


def test_one_place_with_ninety_percent_of_the_regions_jobs_and_every_employer_in_one_departement():
    wave = a_wave(7).assign(wave=2025, staff_total=0.0, region_code="75")
    in_33 = wave.index[wave["departement_code"] == "33"]
    wave.loc[in_33[:5], "staff_total"] = 1.0
    wave.loc[in_33[0], "staff_total"] = 40.0  # 40 of 44 jobs: 91 %
    grid = protect_wave(wave, margin_sums=("staff_total",))
    jobs = grid.margins["staff_total"]
    assert jobs.reason.loc["33"].iloc[0] == "primary_dominance"
    assert jobs.suppressed.loc[jobs.total_label].iloc[0]  # the region's total is 33's
    assert_safe(grid)


def test_a_wave_with_no_employer_at_all_publishes_its_counts():
    wave = a_wave(3).assign(wave=2025, staff_total=0.0, cdi=0.0, etp=0.0)
    grid = protect_wave(wave, margin_sums=MARGIN_SUMS)
    assert grid.counts.values.loc[grid.total, grid.total] == len(wave)
    assert_safe(grid)


# --- ratios of sums ----------------------------------------------------------------------

def jobs_of(wave: pd.DataFrame, facilitators: dict[str, int], per_place: int = 3) -> pd.DataFrame:
    """``per_place`` CDI slots per place, ``facilitators[place]`` of them facilitators."""
    rows = []
    for place, year in zip(wave["place_id"], wave["wave"]):
        for slot in range(per_place):
            role = "facilitator" if slot < facilitators.get(place, 0) else "other"
            rows.append({"wave": year, "place_id": place, "contract": "cdi", "role": role})
    return pd.DataFrame(rows)


def facilitator_share(wave, staff):
    table = compute_indicators(wave, staff, 2025, indicators=["facilitator_jobs"],
                               resamples=20).set_index("indicator")
    return table.loc["facilitator_jobs"]


@pytest.mark.parametrize("holders", [1, 2])
def test_facilitator_jobs_resting_on_one_or_two_places_are_secret(holders):
    """The Corrèze 2021 case: 4,3 % on 7 places was 1 job at 1 place."""
    wave = tiny_wave(7)
    staff = jobs_of(wave, {f"TL{i:03d}": 1 for i in range(holders)})
    row = facilitator_share(wave, staff)
    assert row["suppressed"] and row["suppression_reason"] == "primary_count"


def test_one_place_holding_most_facilitator_jobs_is_secret_and_three_are_not():
    wave = tiny_wave(7)
    skewed = jobs_of(wave, {"TL000": 30, "TL001": 1, "TL002": 1}, per_place=30)
    row = facilitator_share(wave, skewed)
    assert row["suppressed"] and row["suppression_reason"] == "primary_dominance"
    even = jobs_of(wave, {"TL000": 1, "TL001": 1, "TL002": 1})
    assert not facilitator_share(wave, even)["suppressed"]


def test_a_secret_ratio_prints_no_note_carrying_its_sums():
    from tlresearch.report.indicator_tables import indicator_table

    wave = tiny_wave(7)
    row = compute_indicators(wave, jobs_of(wave, {"TL000": 1}), 2025,
                             indicators=["facilitator_jobs"], resamples=20)
    assert "dont 1" in row["note"].iloc[0]  # the raw note has the sums...
    printed = indicator_table(row)
    assert printed["Valeur"].tolist() == ["s"]
    assert "dont" not in printed["Note"].iloc[0]  # ... the published one does not
    even = compute_indicators(wave, jobs_of(wave, {"TL000": 1, "TL001": 1, "TL002": 1}),
                              2025, indicators=["facilitator_jobs"], resamples=20)
    published = indicator_table(even)
    assert published["Valeur"].tolist() != ["s"]
    # Nor a published one: Σ départements' sums = the region's would undo a hidden one.
    assert "postes salariés, dont" not in published["Note"].iloc[0]
    assert published["Note"].iloc[0].startswith("parmi les répondants")


def test_a_mean_whose_sum_has_two_contributors_is_secret():
    wave = tiny_wave(7, etp=0.0)
    wave.loc[[0, 1], "etp"] = [1.5, 2.0]
    table = compute_indicators(wave, None, 2025, indicators=["etp_mean"], resamples=20)
    assert table["suppressed"].iloc[0]


def test_a_change_of_a_secret_ratio_is_secret():
    from tlresearch.report.page_secrecy import changes_through_secrecy

    before, after = tiny_wave(7, 2024), tiny_wave(7, 2025)
    staff = pd.concat([jobs_of(before, {"TL000": 1, "TL001": 1, "TL002": 1}),
                       jobs_of(after, {"TL000": 1})])
    changes = compare_waves(pd.concat([before, after]), staff, 2024, 2025,
                            indicators=["facilitator_jobs"], resamples=20)
    assert changes["secret_to"].tolist() == [True] and changes["secret_from"].tolist() == [False]

    class NoGrid:
        def is_hidden(self, *args):
            return False

        def margin_hidden(self, *args):
            return False
    out = changes_through_secrecy(changes, lambda wave: NoGrid(), "75")
    assert out["suppressed"].tolist() == [True]
    assert np.isfinite(changes["value"].iloc[0])  # there was a figure to hide
