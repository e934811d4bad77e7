"""The demo keeps to the published figures, as its own pipeline publishes them.

Every figure of ``../shared/reference/published_figures.yaml`` is either checked on the
ingested demo (respondents kept, indicators the pages print, territorial class readers
see, known places of the coverage, the graduates' tables) or marked with its reason in
``tlresearch/demo/published_figures_map.yaml``; none is skipped silently.
"""
from __future__ import annotations

import pytest
import yaml

from tlresearch.demo.published_check import (
    COLUMNS,
    DemoFigures,
    check_published,
    decide,
    figure_map,
    summary,
    within,
)

pytestmark = pytest.mark.reference


@pytest.fixture(scope="module")
def entries(reference_dir):
    return yaml.safe_load((reference_dir / "published_figures.yaml").read_text("utf-8"))


@pytest.fixture(scope="module")
def table(entries, demo_data_dir):
    return check_published(entries, DemoFigures.read(demo_data_dir))


def listing(rows) -> str:
    return "\n".join(f"{r.year} {r.scope} {r.indicator}: published {r.published}, demo "
                     f"{r.demo} ({r.kind}) {r.reason}" for r in rows.itertuples())


def test_every_published_figure_is_checked_or_marked_with_its_reason(entries, table):
    assert len(table) == len(entries)
    assert list(table.columns) == COLUMNS
    assert table["status"].isin(["within", "beyond", "ambiguous", "not_reproducible"]).all()
    marked = table[table["status"].isin(["ambiguous", "not_reproducible"])]
    assert marked["reason"].str.len().gt(10).all(), listing(marked)
    checked = table[table["status"].isin(["within", "beyond"])]
    assert checked["demo"].notna().all(), listing(checked[checked["demo"].isna()])
    regional = table[table["scope"] != "france"]
    print(f"\n{len(regional)} regional figures: {summary(regional)}")
    print(listing(checked))


def test_every_mapping_names_a_figure_of_the_reference(entries):
    keys = {(int(e["year"]), str(e["scope"]), e["indicator"]) for e in entries}
    stale = set(figure_map()["figures"]) - keys
    assert not stale, f"the map decides figures the reference does not have: {sorted(stale)}"


def test_no_checked_figure_is_beyond_tolerance(table):
    beyond = table[table["status"] == "beyond"]
    assert beyond.empty, "published figures the demo does not keep to:\n" + listing(beyond)


def test_the_issue_figures_are_checked_not_marked(table):
    """The figures issue 21 found wrong are checked on what readers see."""
    checked = table[table["status"] == "within"].set_index(["year", "scope", "indicator"])
    for key in [(2017, "nouvelle-aquitaine", "jobs_in_tiers_lieux_region"),
                (2019, "nouvelle-aquitaine", "share_salaries"),
                (2019, "19", "tiers_lieux_by_departement"),
                (2019, "33", "tiers_lieux_by_departement"),
                (2025, "nouvelle-aquitaine", "share_rural"),
                (2018, "nouvelle-aquitaine", "certification_holders_current_situation_facilitateur")]:
        assert key in checked.index, key
    assert checked.loc[(2025, "nouvelle-aquitaine", "share_rural"), "measure"] == "class_share:rural"


def test_a_new_reference_figure_must_be_decided():
    with pytest.raises(LookupError, match="decides nothing"):
        decide({"year": 2024, "scope": "nouvelle-aquitaine", "indicator": "new_figure",
                "value": 1, "unit": "tiers-lieux"})
    assert decide({"year": 2024, "scope": "france", "indicator": "x", "value": 1})["status"] \
        == "not_reproducible"


@pytest.mark.parametrize("kind, published, demo, expected", [
    ("count", 50, 57.5, True), ("count", 50, 57.6, False), ("count", 3, 2, False),
    ("share", 44.0, 49.0, True), ("share", 44.0, 49.1, False),
    ("at_least", 300, 300, True), ("at_least", 300, 299, False),
    ("above", 50, 50, False), ("above", 50, 50.1, True), ("count", 10, float("nan"), False)])
def test_tolerances(kind, published, demo, expected):
    assert within(kind, published, demo) is expected
