"""Secrecy that holds across the pages of a wave: one cached grid, the site-wide audit,
transitions and changes through secrecy, hostile type names escaped."""
from __future__ import annotations

import threading

import pandas as pd
import pytest

from tlresearch.report import notebook_helpers as helpers
from tlresearch.report.published_facts import site_facts
from tlresearch.secrecy import wave_cache
from tlresearch.secrecy.site_audit import FACT_COLUMNS, audit_site
from tlresearch.secrecy.wave_secrecy import protect_wave

from helpers.waves import a_wave


@pytest.fixture(scope="module")
def demo_tables(demo_panel):
    paths = demo_panel[0]
    return (pd.read_parquet(paths.processed_table("responses")),
            pd.read_parquet(paths.processed_table("staff")))


@pytest.fixture(scope="module")
def demo_grids(demo_tables, tmp_path_factory):
    """The waves' grids, kept in a folder of their own (not in the shared demo panel)."""
    return helpers.wave_grids(demo_tables[0], folder=tmp_path_factory.mktemp("grids"))


def test_the_grid_is_solved_once_and_read_back_by_every_kernel(tmp_path, monkeypatch):
    responses = a_wave(4, n=90).assign(wave=2025)
    grids = [None, None]

    def ask(slot):
        grids[slot] = wave_cache.wave_secrecy(responses, 2025, tmp_path, sums=("etp",))
    threads = [threading.Thread(target=ask, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [p.suffix for p in sorted(tmp_path.glob("vague_2025_*.json"))] == [".json"]
    assert grids[0].hidden.equals(grids[1].hidden)

    def no_solving(*args, **kwargs):
        raise AssertionError("the grid was solved again instead of read")
    monkeypatch.setattr(wave_cache, "protect_wave", no_solving)
    read = wave_cache.wave_secrecy(responses, 2025, tmp_path, sums=("etp",))
    assert read.hidden.equals(grids[0].hidden)
    assert read.counts.reason.equals(grids[0].counts.reason)
    assert read.sums["etp"].reason.equals(grids[0].sums["etp"].reason)
    assert read.merged_types == grids[0].merged_types
    monkeypatch.undo()
    changed = responses.assign(etp=responses["etp"].where(responses.index != 10, 99.0))
    wave_cache.wave_secrecy(changed, 2025, tmp_path, sums=("etp",))  # new panel: new file
    assert len(list(tmp_path.glob("vague_2025_*.json"))) == 2


def test_a_pattern_left_by_an_older_solver_is_solved_again_not_fatal(tmp_path):
    """A kept file whose cells no longer fit the rules (the rules changed, the file
    stayed) is replaced by a fresh solve; a report never fails on it."""
    import json

    responses = a_wave(4, n=90).assign(wave=2025)
    fresh = wave_cache.wave_secrecy(responses, 2025, tmp_path, sums=("etp",))
    [kept] = tmp_path.glob("vague_2025_*.json")
    stale = json.loads(kept.read_text(encoding="utf-8"))
    stale["hidden"] = []  # what an older, laxer solver would have left
    kept.write_text(json.dumps(stale), encoding="utf-8")
    again = wave_cache.wave_secrecy(responses, 2025, tmp_path, sums=("etp",))
    assert again.hidden.equals(fresh.hidden) and again.hidden.to_numpy().any()
    assert json.loads(kept.read_text(encoding="utf-8"))["hidden"]  # the file was replaced


def test_everything_the_pages_of_a_wave_publish_recovers_no_hidden_cell(demo_tables, demo_grids):
    responses, staff = demo_tables
    facts = site_facts(responses, staff, 2025, demo_grids, resamples=20)
    assert set(facts.columns) == set(FACT_COLUMNS)
    assert facts["source"].str.contains("panorama 2025 23").any()   # the départements' pages
    assert {"lieux", "etp", "staff_total", "cdi", "volunteers"} <= set(facts["table"])
    # the same places beside all respondents: the trajectories page (region) and the
    # professionalisation pages (every département), 2024 → 2025
    paired = facts[facts["source"].str.contains("mêmes lieux 2024-2025")]
    assert paired["source"].str.startswith("trajectoires 2025 75").any()
    assert paired["departement"].notna().sum() > 0 and (paired["high"] == float("inf")).any()
    grid = demo_grids(2025)
    audit = audit_site(grid, facts)
    assert len(audit) > 0 and not audit["printed"].any()
    assert not audit["recoverable"].any(), audit[audit["recoverable"]]
    # The audit can fail: a page that printed one hidden cell in clear gives it away.
    cell = audit.iloc[0]
    leak = pd.DataFrame([["a careless page", cell["table"], cell["departement"],
                          cell["typology"], cell["value"], cell["value"]]], columns=FACT_COLUMNS)
    leak = leak.replace({"departement": {grid.total: None}, "typology": {grid.total: None}})
    again = audit_site(grid, pd.concat([facts, leak], ignore_index=True))
    assert again["recoverable"].sum() >= 1 and again["printed"].sum() == 1


def test_every_demo_wave_passes_the_audit_with_protection_intervals(demo_data_dir):
    """Each wave's grid (every cell its pages print, exactly: the pages print them
    rounded, which only widens a reader's intervals; the site-wide audit of the pages
    themselves is the test above) and each pair of waves' transitions: no hidden cell
    a rule hides bounded within ±10 % of its value (τ-Argus's and INSEE's protection
    level), none pinned. Those within ±30 % are reported, not refused. The grids are those the session's demo
    site reads (kept in its data folder: solved once for both)."""
    from tlresearch.core.paths import DataPaths
    from tlresearch.stats.transition_secrecy import protect_transitions

    responses = pd.read_parquet(DataPaths(demo_data_dir).processed_table("responses"))
    grid_for = helpers.wave_grids(responses, str(demo_data_dir))
    waves = sorted(int(w) for w in responses["wave"].unique())
    audited = 0
    for wave in waves:
        grid = grid_for(wave)
        assert grid.counts.rule.protection == 0.10
        audit = grid.audit()
        assert not audit["recoverable"].any(), (wave, audit[audit["recoverable"]])
        close = audit[audit["within_30"]]
        assert ((close["upper"] < close["value"] * 1.3 + 1e-6)
                | (close["lower"] > close["value"] * 0.7 - 1e-6)).all()
        owed = ~audit["reason"].eq("secondary")  # the cells a rule hides, as in τ-Argus
        safe = audit[owed & (audit["value"] > 0)]
        assert ((safe["upper"] >= safe["value"] * 1.1 - 1e-6)
                & ((safe["lower"] <= safe["value"] * 0.9 + 1e-6) | (safe["lower"] <= 1))).all()
        audited += len(audit)
    for before, after in zip(waves, waves[1:]):
        transitions = protect_transitions(responses, before, after).audit()
        assert not transitions["recoverable"].astype(bool).any(), (before, after)
    assert audited > len(waves)  # hidden cells in most waves: the audit has work to do


def test_transitions_are_protected_french_and_on_the_region_page_only(demo_tables, demo_grids):
    responses, _ = demo_tables
    from tlresearch.stats.transition_secrecy import protect_transitions

    protected = protect_transitions(responses, 2017, 2018)
    audit = protected.audit()
    assert len(audit) > 0 and not audit["recoverable"].any()
    # Sub-totals, respondents and totals are counts of places: printed, never hidden.
    public = [protected.cols.index(c) for c in protected.cols if "→" not in c]
    assert not protected.hidden[:, public].any()
    page = str(helpers.transitions_block(responses, 2017, 2018, "75", demo_grids,
                                         caption="Situation", filename="transitions"))
    assert "Employeur (2017) → Employeur (2018)" in page and ">s<" in page
    for raw in ("&lt;NA&gt;", "<NA>", "from_state", "to_state", "transition_"):
        assert raw not in page
    departement = str(helpers.transitions_block(responses, 2017, 2018, "23", demo_grids,
                                                caption="Situation", filename="t"))
    assert "ne sont publiés que pour la région" in departement and "<table" not in departement


def test_transitions_are_protected_with_the_key_figures_that_give_their_margins(demo_tables):
    """The region's share of employers × its base, for both waves, is the number of
    places that were employers: a margin of the pairs. With those margins, the pairs
    of 2023 → 2024 cannot be protected on the demo survey (a margin pins a pair; with
    the earlier demo it was 2024 → 2025, 4 of whose 7 hidden pairs were recovered from
    them): they are withheld, the page says why; other waves keep their pairs."""
    from tlresearch.stats.indicators import compute_indicators
    from tlresearch.stats.transition_secrecy import protect_transitions

    responses, staff = demo_tables
    for before, after in ((2017, 2018), (2023, 2024)):
        protected = protect_transitions(responses, before, after)
        region = protected.values[-1]
        for wave, side in ((before, "from"), (after, "to")):
            cards = compute_indicators(responses, staff, wave, resamples=5,
                                       indicators=["share_employers"]).iloc[0]
            employers = round(float(cards["value"]) * int(cards["n"]))
            assert region[protected.cols.index(f"{side}:employeur")] == employers
        assert not protected.audit()["recoverable"].astype(bool).any()
    assert protect_transitions(responses, 2023, 2024).withheld
    assert not protect_transitions(responses, 2017, 2018).withheld


def test_changes_since_the_first_wave_go_through_secrecy(demo_tables, demo_grids):
    import tlresearch

    responses, staff = demo_tables
    sums = ["etp_sum", "staff_total_sum", "cdi_sum", "volunteers_sum"]

    def secret(code, wave, indicator):
        grid = demo_grids(wave)
        return grid.is_hidden(code) or grid.margin_hidden(code, indicator)
    codes = sorted(responses["departement_code"].dropna().astype(str).unique())
    chosen = [c for c in codes if any(secret(c, w, i) for w in (2017, 2025) for i in sums)]
    assert chosen, "some département should have a secret sum in 2017 or 2025"
    code = chosen[0]
    changes = tlresearch.compare_waves(responses, staff, 2017, 2025, resamples=20,
                                       territory=("departement", code),
                                       indicators=["respondents", "share_employers", *sums])
    marked = helpers.changes_through_secrecy(changes, demo_grids, code)
    few = (changes["n_from"] < 3) | (changes["n_to"] < 3) | changes["secret_from"] \
        | changes["secret_to"]
    hidden = changes["indicator"].map(lambda i: secret(code, 2017, i) or secret(code, 2025, i))
    public = changes["indicator"].eq("respondents")  # a count of places: in clear
    expected = (few | hidden) & changes["value"].notna() & ~public
    assert expected.any()
    assert not marked.loc[public, "suppressed"].fillna(False).any()
    assert marked["suppressed"].fillna(False).astype(bool).tolist() == expected.tolist()
    table = helpers.indicator_table(marked)
    assert (table["Valeur"] == "s").sum() == int(marked["suppressed"].sum())
    assert not table.astype(str).apply(lambda c: c.str.contains("<NA>")).any().any()


def test_hostile_type_names_reach_the_page_escaped():
    wave = a_wave(2, n=60, unknown=0)
    payload = '"><svg onload=alert(1)>{{7*7}}${x}javascript:'
    wave.loc[wave.index[:20], "typology"] = payload
    grid = protect_wave(wave)
    html = str(helpers.secrecy_table(wave, year=2025, territory="75", grid=grid,
                                     caption="Par type", filename="t"))
    assert "<svg" not in html and "&lt;svg" in html


def test_the_same_places_tables_bound_no_hidden_cell_and_the_audit_sees_one_that_would(
        demo_tables, demo_grids):
    """The wave of 2024 is printed by the trajectories pages of 2024 and 2025 and by the
    professionalisation pages of 2025 (2024 → 2025, every département). Read from their
    CSV files, their figures bound no hidden cell of the 2024 grid; the same table
    printed for a département without the grid (as page 60's table was) gives one."""
    from tlresearch.report.published_facts import paired_facts, trajectory_facts
    from tlresearch.report.trajectories import paired_block
    from tlresearch.stats.paired_changes import paired_changes

    responses, _ = demo_tables
    grid = demo_grids(2024)
    facts = trajectory_facts(responses, 2024, demo_grids)
    assert facts["source"].str.contains("mêmes lieux 2023-2024").any()
    assert facts["source"].str.contains("mêmes lieux 2024-2025").any()
    audit = audit_site(grid, facts)
    assert len(audit) > 0 and not audit["recoverable"].any(), audit[audit["recoverable"]]
    # The latest wave whose grid hides a département's sums, printed without the grid.
    waves = sorted(responses["wave"].unique())
    wave, hidden = next((w, [d for d in demo_grids(w).counts.values.index
                             if demo_grids(w).is_hidden(d)]) for w in reversed(waves[:-1])
                        if any(demo_grids(w).is_hidden(d) for d in demo_grids(w).counts.values.index))
    raw = paired_block(paired_changes(responses, wave, wave + 1, territory=("departement", hidden[0])),
                       caption="sans la grille", filename="brut")
    leak = paired_facts(raw, wave, hidden[0], "a page without the grid")
    facts = facts if wave == 2024 else trajectory_facts(responses, wave, demo_grids)
    again = audit_site(demo_grids(wave), pd.concat([facts, leak], ignore_index=True))
    assert again["recoverable"].any() and again["printed"].any()


def test_the_trajectories_page_prints_no_transition_the_region_page_hides(demo_tables):
    """Volunteer-run places becoming employers (page 60) are read from each pair of
    waves' protected transitions (page 30): never a pair it hides, and a base (a sum of
    pairs) only when the audit with it pins nothing more. The table counted straight
    from the panel, as the page printed it before, gives hidden pairs away."""
    from tlresearch.stats.survival import volunteer_to_employer
    from tlresearch.stats.transition_secrecy import protect_transitions, protected_volunteers

    responses, _ = demo_tables
    published = protected_volunteers(responses)
    raw = volunteer_to_employer(responses)
    given_away = 0
    for row, counted in zip(published.itertuples(index=False), raw.itertuples(index=False)):
        grid = protect_transitions(responses, row.from_wave, row.to_wave)
        pair = grid.cols.index("benevole→employeur")
        hides = grid.withheld or grid.hidden[-1, pair]
        assert pd.isna(row.became_employer) == hides
        given_away += int(hides and counted.became_employer > 0)
        assert not grid._audit_arrays(with_base=False)["recoverable"].any() or grid.withheld
        if not pd.isna(row.volunteer_run):
            assert row.volunteer_run == counted.volunteer_run
            audit = grid.trajectories_audit()
            before = grid._audit_arrays(with_base=False)
            new = set(audit.loc[audit["recoverable"], "cell"]) - set(
                before.loc[before["recoverable"], "cell"])
            assert not new
    assert given_away > 0 and published["volunteer_run"].notna().any()
