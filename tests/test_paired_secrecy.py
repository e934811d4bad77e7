"""The same places' changes by territory, protected for the whole site: an outside reader
who collects every page (the region's, each département's) and subtracts published sums
recovers no group of places the rules protect, and no sum the wave's grid hides."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tlresearch.secrecy.rules import SECONDARY
from tlresearch.secrecy.wave_cache import wave_secrecy
from tlresearch.stats.paired_changes import (
    ALL_RESPONDENTS,
    PAIRED,
    SAME_PLACES,
    group_reason,
)
from tlresearch.stats.paired_secrecy import GRID, protect_paired

FROM, TO = 2024, 2025


def _three_departements() -> pd.DataFrame:
    """Three départements of 5 places answering both waves; in 2025, 33 and 24 gain 3 new
    places each, 40 one (its same-places row alone gives that place's CDI away)."""
    rows = []
    for d, dep in enumerate(("33", "24", "40")):
        for k, cdi in enumerate((1, 2, 3, 2, 4)):
            for wave in (FROM, TO):
                rows.append({"place_id": f"P{dep}{k}", "wave": wave, "departement_code": dep,
                             "cdi": cdi + (wave == TO) * (k % 2) + d})
        for k in range(3 if dep != "40" else 1):
            rows.append({"place_id": f"N{dep}{k}", "wave": TO, "departement_code": dep,
                         "cdi": 2 + k + d})
    frame = pd.DataFrame(rows).assign(region_code="75", typology="coworking")
    return frame.assign(staff_total=frame["cdi"], cdd=0, etp=frame["cdi"].astype(float),
                        volunteers=1, other_contracts=0)


def _grids(responses):
    return lambda wave: wave_secrecy(responses, wave, None)


def _same_sums(tables: dict[str, pd.DataFrame], variable: str, column: str) -> dict:
    """What a reader reads off each territory's same-places row: mean × places, or None."""
    out = {}
    for territory, table in tables.items():
        row = table[(table["variable"] == variable) & (table["sample"] == SAME_PLACES)].iloc[0]
        mean = row[f"value_{column}"]
        out[territory] = None if pd.isna(mean) else float(mean) * int(row[f"n_{column}"])
    return out


def _difference_attack(tables: dict[str, pd.DataFrame], region: str, variable: str,
                       column: str) -> dict:
    """The region's same-places sum minus every published département's: when one
    département's row is « s », its sum is what is left."""
    sums = _same_sums(tables, variable, column)
    hidden = [t for t, s in sums.items() if t != region and s is None]
    if sums[region] is None or len(hidden) != 1:
        return {}
    rest = sum(s for t, s in sums.items() if t not in (region, hidden[0]))
    return {hidden[0]: sums[region] - rest}


def test_a_lone_secret_departement_gets_a_complement_so_no_difference_gives_it_back():
    from tlresearch.stats.paired_changes import paired_changes

    responses = _three_departements()
    # Each page on its own (the primary rules only): 40's row is « s », the others not...
    alone = {"75": paired_changes(responses, FROM, TO, ["cdi"], ("region", "75"))}
    alone |= {d: paired_changes(responses, FROM, TO, ["cdi"], ("departement", d))
              for d in ("33", "24", "40")}
    assert _same_sums(alone, "cdi", "to")["40"] is None
    recovered = _difference_attack(alone, "75", "cdi", "to")
    truth = responses.query("departement_code == '40' and wave == @TO and "
                            "place_id.str.startswith('P')")["cdi"].sum()
    assert recovered == {"40": pytest.approx(truth)}   # ...and the difference gives it back
    new_place = responses.query("place_id == 'N400'")["cdi"].iloc[0]
    every_40 = alone["40"].query("sample == @ALL_RESPONDENTS").iloc[0]
    assert every_40["sum_to"] - recovered["40"] == pytest.approx(new_place)  # one answer

    protected = protect_paired(responses, FROM, TO, _grids(responses), "75", ["cdi"])
    tables = {t: protected.territory_table(t) for t in ("75", "33", "24", "40")}
    secrets = {t: tables[t].query("sample == @SAME_PLACES")["secret"].iloc[0] for t in tables}
    assert secrets["40"] == "primary_count" and secrets["75"] is None
    assert sorted(secrets[d] or "" for d in ("33", "24")) == ["", SECONDARY]
    assert _difference_attack(tables, "75", "cdi", "to") == {}
    assert not protected.audit()["recoverable"].any()


@pytest.fixture(scope="module")
def demo_pairs(demo_data_dir):
    """The demo's last two waves, protected with the grids the demo site reads."""
    from tlresearch.core.paths import DataPaths
    from tlresearch.report import notebook_helpers as helpers

    responses = pd.read_parquet(DataPaths(demo_data_dir).processed_table("responses"))
    own = helpers.select_territory(responses, "75", region="75")
    grid_for = helpers.wave_grids(own, str(demo_data_dir))
    waves = sorted(int(w) for w in own["wave"].unique())
    return own, grid_for, protect_paired(own, waves[-2], waves[-1], grid_for, "75")


def test_the_demo_pages_give_no_group_of_places_and_no_hidden_sum_back(demo_pairs):
    """As a reader of every page of the demo's last wave: each département's two rows
    (all respondents − same places = the places that answered one wave only), the region
    minus the départements, and the cells the grid hides."""
    own, grid_for, protected = demo_pairs
    a, b = protected.from_wave, protected.to_wave
    departements = sorted(own.query("wave in [@a, @b]")["departement_code"].dropna().unique())
    tables = {d: protected.territory_table(d) for d in departements}
    tables["75"] = protected.territory_table("75")
    published = 0
    for d in departements:
        table = tables[d]
        for variable in table["variable"].unique():
            rows = table[table["variable"] == variable].set_index("sample")
            same, every = rows.loc[SAME_PLACES], rows.loc[ALL_RESPONDENTS]
            hidden_by_grid = any(grid_for(w).is_hidden(d) or grid_for(w).margin_hidden(
                d, f"{variable}_sum") for w in (a, b))
            if hidden_by_grid and every["n_from"] and every["n_to"]:
                assert same["secret"] and every["secret"] == GRID, (d, variable)
            if same["secret"] or every["secret"]:
                continue
            published += 1
            for column, wave in (("from", a), ("to", b)):
                # what the two rows give: the sum of the places that answered one wave only
                left = every[f"value_{column}"] * every[f"n_{column}"] \
                    - same[f"value_{column}"] * same[f"n_{column}"]
                values = _values(own, wave, d, variable)
                other = (b if wave == a else a)
                both = values.index.intersection(_values(own, other, d, variable).index)
                group = values.drop(both)
                assert left == pytest.approx(group.sum())
                assert group_reason(group.to_numpy(float), variable == "share_employers") is None
        for variable in table["variable"].unique():
            for column in ("from", "to"):
                assert _difference_attack(tables, "75", variable, column) == {}, (variable, d)
    audit = protected.audit()
    assert len(audit) > 0 and not audit["recoverable"].any(), audit[audit["recoverable"]]
    same_rows = protected.table.query("sample == @SAME_PLACES and territory != '75'")
    assert 0 < published < len(same_rows)  # some rows printed, some « s »: a real test


#: Each wave's values per place, read once per panel (by ``id``) and wave.
_READ: dict = {}


def _values(responses, wave, departement, variable) -> pd.Series:
    """A département's places' values at one wave."""
    from tlresearch.stats.adjusted_totals import place_values

    key = (id(responses), wave)  # the panel is kept with its table: its id stays its own
    if key not in _READ:
        rows = responses[(responses["wave"] == wave).to_numpy()]
        _READ[key] = responses, place_values(rows, wave).assign(
            departement=rows["departement_code"].astype("string").to_numpy()).set_index("place_id")
    table = _READ[key][1]
    return table.loc[table["departement"].eq(departement).fillna(False).to_numpy(),
                     variable].dropna()


def test_the_region_page_of_the_trajectories_prints_the_rows_of_the_professionalisation_page(
        demo_pairs):
    from tlresearch.report import notebook_helpers as helpers

    own, grid_for, protected = demo_pairs
    region = helpers.published_paired(own, protected.from_wave, protected.to_wave, "75",
                                      grid_for, region="75")
    assert region.equals(protected.territory_table("75"))
    block = str(helpers.paired_changes_block(protected.territory_table("33"), protected.from_wave,
                                             protected.to_wave, caption="c", filename="f"))
    assert "parmi les lieux ayant répondu aux deux vagues (n = " in block
    assert "Parmi tous les répondants" in block
    assert np.isfinite(region["value_to"].astype(float)).all()


@pytest.mark.slow
def test_an_outside_reader_of_the_demo_site_recovers_nothing_by_differences(demo_full_site,
                                                                              demo_data_dir):
    """Everything the latest wave's professionalisation pages publish (region and every
    département), read back from their CSV files as a reader downloads them: the page
    says which row is which; a département's two rows give the sum of the places that
    answered one wave only, which the rules let through; the region minus the printed
    départements never leaves one département alone; no row the grid hides is printed."""
    from tlresearch.core.paths import DataPaths
    from tlresearch.report import notebook_helpers as helpers
    from tlresearch.report.published_facts import published_csvs
    from tlresearch.secrecy.site_audit import printed_interval

    site, year = demo_full_site.folder, max(demo_full_site.waves)
    responses = pd.read_parquet(DataPaths(demo_data_dir).processed_table("responses"))
    own = helpers.select_territory(responses, "75", region="75")
    grid_for = helpers.wave_grids(own, str(demo_data_dir))
    before = helpers.previous_wave(own, year)
    read = {}
    for territory in demo_full_site.territories:
        page = (site / str(year) / territory / "30-professionalisation.html").read_text(
            encoding="utf-8")
        assert "parmi les lieux ayant répondu aux deux vagues (n = " in page, territory
        [csv] = [c for c in published_csvs(page) if "Lieux comparés" in c.columns]
        read[territory] = csv
    labels = {label: v for v, (label, share) in PAIRED.items() if not share}
    printed_rows = 0
    for label, variable in labels.items():
        for column, wave in ((str(before), before), (str(year), year)):
            same = {}
            for territory, csv in read.items():
                rows = csv[csv["Indicateur"] == label]
                same_row = rows[~rows["Lieux comparés"].str.startswith("Parmi tous")].iloc[0]
                every_row = rows[rows["Lieux comparés"].str.startswith("Parmi tous")].iloc[0]
                n_same = float(same_row["Lieux"])
                n_all = float(every_row["Lieux"].split(" puis ")[0 if wave == before else -1])
                same[territory] = (None if same_row[column] == "s" else [
                    n_same * x for x in printed_interval(same_row[column], "magnitude")])
                if territory == "75":
                    continue
                hidden = any(grid_for(w).is_hidden(territory) or grid_for(w).margin_hidden(
                    territory, f"{variable}_sum") for w in (before, year))
                if hidden:
                    assert same[territory] is None and every_row[column] == "s", (territory, label)
                if same[territory] is None or every_row[column] == "s":
                    continue
                printed_rows += 1
                # all respondents − same places: the places of one wave only, by their sum
                low, high = (n_all * x for x in printed_interval(every_row[column], "magnitude"))
                group = _values(own, wave, territory, variable)
                other = _values(own, year if wave == before else before, territory, variable)
                one_wave = group.drop(group.index.intersection(other.index))
                assert low - same[territory][1] - 1e-6 <= one_wave.sum() \
                    <= high - same[territory][0] + 1e-6
                assert group_reason(one_wave.to_numpy(float)) is None, (territory, label, wave)
            alone = [t for t, s in same.items() if s is None and t != "75"]
            if same["75"] is not None:
                assert len(alone) != 1, (label, wave, alone)  # else: region minus the others
    assert printed_rows > 0
