"""Statistical secrecy: primary and secondary suppression, the audit, rendering."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tlresearch.core.errors import UsageError
from tlresearch.core.formats import format_number
from tlresearch.secrecy.protection import apply_secrecy, audit_table, protect_table
from tlresearch.secrecy.rules import (
    FOOTNOTE,
    PRIMARY_COUNT,
    PRIMARY_DOMINANCE,
    SECONDARY,
    SECRET,
    SecrecyRule,
    footnote,
)

#: Places by department × typology. 16/fablab (2) is the only small cell of its row, so
#: the row total gives it away unless a second cell of the row is hidden; 64/atelier is a
#: structural zero; 64/fablab rests on one place.
COUNTS = {
    "16": {"atelier": 4, "coworking": 6, "fablab": 2},
    "33": {"atelier": 5, "coworking": 12, "fablab": 7},
    "64": {"atelier": 0, "coworking": 8, "fablab": 1},
    "87": {"atelier": 3, "coworking": 5, "fablab": 4},
}


def places(counts: dict = COUNTS) -> pd.DataFrame:
    rows = [(dep, typo) for dep, cells in counts.items() for typo, n in cells.items()
            for _ in range(n)]
    frame = pd.DataFrame(rows, columns=["departement", "typologie"])
    frame.insert(0, "place_id", [f"P{i:03d}" for i in range(len(frame))])
    return frame


def staff() -> pd.DataFrame:
    """ETP by place; in Landes (40) one coworking holds 20 of the department's 22.5 ETP."""
    etp = {
        "33": {"coworking": [2.0, 1.5, 3.0, 1.0], "fablab": [1.0, 2.5, 0.5], "atelier": [1.0, 1.0, 2.0]},
        "40": {"coworking": [20.0, 1.0, 1.0], "fablab": [0.5], "atelier": []},
        "64": {"coworking": [1.0, 2.0, 1.0], "fablab": [1.5, 1.0, 2.0], "atelier": [0.5, 1.0]},
        "87": {"coworking": [1.0, 1.0, 1.5, 2.0], "fablab": [3.0, 1.0, 1.0], "atelier": [1.0, 2.0, 1.0]},
    }
    rows = [(dep, typo, value) for dep, cells in etp.items() for typo, values in cells.items()
            for value in values]
    frame = pd.DataFrame(rows, columns=["departement", "typologie", "etp"])
    frame.insert(0, "place_id", [f"P{i:03d}" for i in range(len(frame))])
    return frame


def check_lines(table) -> None:
    """No row or column (margins included) has exactly one hidden cell."""
    hidden = table.suppressed
    assert not (hidden.sum(axis=1) == 1).any()
    if not table.one_dimensional:
        assert not (hidden.sum(axis=0) == 1).any()


# --- primary suppression -----------------------------------------------------------------

def test_primary_count_cells():
    table = protect_table(places(), "departement", "typologie", secondary=False)
    primary = table.reason.stack()
    assert set(primary[primary == PRIMARY_COUNT].index) == {("16", "fablab"), ("64", "fablab")}
    assert table.values.loc["Ensemble", "Ensemble"] == 57
    assert table.values.loc["16", "Ensemble"] == 12


def test_threshold_is_a_setting():
    default = protect_table(places(), "departement", "typologie", secondary=False)
    strict = protect_table(places(), "departement", "typologie", secondary=False,
                           rule=SecrecyRule(threshold=5))
    assert strict.suppressed.sum().sum() > default.suppressed.sum().sum()
    assert (strict.suppressed | ~default.suppressed).all().all()  # a superset
    assert strict.reason.loc["87", "atelier"] == PRIMARY_COUNT  # 3 places < 5
    assert default.reason.loc["87", "atelier"] == ""
    assert "moins de 5 lieux" in strict.footnote
    final = protect_table(places(), "departement", "typologie", rule=SecrecyRule(threshold=5))
    assert not audit_table(final)["recoverable"].any()
    check_lines(final)


def test_dominant_contributor_is_hidden_with_its_department_total():
    table = protect_table(staff(), "departement", "typologie", value="etp")
    assert table.kind == "magnitude"
    assert table.reason.loc["40", "coworking"] == PRIMARY_DOMINANCE  # 3 places, 20 of 22
    assert table.reason.loc["40", "Ensemble"] == PRIMARY_DOMINANCE  # 20 of 22.5 > 85 %
    assert table.reason.loc["40", "fablab"] == PRIMARY_COUNT
    assert table.values.loc["40", "atelier"] == 0 and not table.suppressed.loc["40", "atelier"]
    assert table.display().loc["40", "atelier"] == "0"  # no place: a zero, not "0,0"
    assert table.counts.loc["40", "coworking"] == 3
    assert not audit_table(table)["recoverable"].any()
    check_lines(table)
    lenient = protect_table(staff(), "departement", "typologie", value="etp",
                            rule=SecrecyRule(dominance=0.95), secondary=False)
    assert lenient.reason.loc["40", "coworking"] == ""


def test_contributions_are_summed_per_place():
    # One place with three staff rows is one contributor, not three.
    rows = pd.DataFrame({"place_id": ["A", "A", "A", "B", "C", "D"],
                         "dep": ["33"] * 6, "etp": [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]})
    table = protect_table(rows, "dep", value="etp", unit="place_id", secondary=False)
    assert table.counts.loc["33"].iloc[0] == 4
    alone = protect_table(rows.head(4), "dep", value="etp", unit="place_id", secondary=False)
    assert alone.reason.loc["33"].iloc[0] == PRIMARY_COUNT  # 2 places, though 4 rows


# --- secondary suppression and the audit ---------------------------------------------------

def test_audit_recovers_a_single_suppression_before_secondary():
    primary = protect_table(places(), "departement", "typologie", secondary=False)
    audit = audit_table(primary).set_index(["departement", "typologie"])
    cell = audit.loc[("16", "fablab")]
    assert cell["recoverable"] and cell["lower"] == cell["upper"] == cell["value"] == 2
    assert audit.loc[("64", "fablab"), "recoverable"]


def test_protection_leaves_nothing_recoverable():
    table = protect_table(places(), "departement", "typologie")
    audit = audit_table(table)
    assert not audit["recoverable"].any()
    assert (audit["width"] >= 1).all()
    assert (audit["lower"] <= audit["value"]).all() and (audit["value"] <= audit["upper"]).all()
    assert SECONDARY in set(table.reason.stack())
    check_lines(table)
    # The row total of 16 is published, so 16 must have a second hidden cell.
    assert table.suppressed.loc["16"].sum() >= 2


def test_audit_catches_what_the_line_rule_misses():
    # Two one-place cells in one row: the row has two hidden cells (the line rule is
    # satisfied), but each is >= 1 and they add up to 2, so both are pinned to 1.
    counts = pd.DataFrame({"a": [1, 4, 6], "b": [1, 5, 3], "c": [5, 7, 8]},
                          index=pd.Index(["33", "64", "87"], name="dep"))
    mask = pd.DataFrame(False, index=[*counts.index, "Ensemble"],
                        columns=[*counts.columns, "Ensemble"])
    mask.loc["64", ["a", "b"]] = True  # column complements, as the line rule would add
    lines_only = apply_secrecy(counts, secondary=False, suppressed=mask)
    check_lines(lines_only)
    audit = audit_table(lines_only).set_index(["dep", "col"])
    assert audit.loc[("33", "a"), "recoverable"] and audit.loc[("33", "a"), "upper"] == 1
    protected = apply_secrecy(counts)
    assert not audit_table(protected)["recoverable"].any()


def test_stricter_audit_protection_hides_more():
    table = protect_table(staff(), "departement", "typologie", value="etp")
    strict_rule = SecrecyRule(protection=0.5)
    strict = protect_table(staff(), "departement", "typologie", value="etp", rule=strict_rule)
    assert not audit_table(strict)["recoverable"].any()
    assert strict.suppressed.sum().sum() >= table.suppressed.sum().sum()
    audit = audit_table(strict)
    assert ((audit["upper"] >= audit["value"] * 1.5 - 1e-6)
            & (audit["lower"] <= audit["value"] * 0.5 + 1e-6)).all()


@pytest.mark.parametrize("seed", range(8))
def test_random_tables_are_protected(seed):
    rng = np.random.default_rng(seed)
    counts = {f"d{i}": {f"t{j}": int(rng.choice([0, 1, 2, 3, 4, 6, 9])) for j in range(5)}
              for i in range(6)}
    micro = places(counts)
    micro["etp"] = rng.lognormal(0, 1, len(micro)).round(1)
    for value in (None, "etp"):
        table = protect_table(micro, "departement", "typologie", value=value)
        assert not audit_table(table)["recoverable"].any()
        check_lines(table)
        assert not table.suppressed[table.counts.eq(0)].any().any()


def test_one_dimensional_table_with_a_total():
    micro = places({"16": {"x": 4}, "33": {"x": 9}, "64": {"x": 1}, "87": {"x": 5}})
    table = protect_table(micro, "departement")
    assert table.one_dimensional and table.values.columns.tolist() == ["Nombre de lieux"]
    hidden = table.suppressed.iloc[:, 0]
    # 64 (1 place) and 16 hidden: 64 may be 1 to 4 (±10 % holds); 16, at most 4 (its own
    # value), is a complementary cell: owed no interval, only not to be pinned.
    assert hidden["64"] and hidden["16"] and hidden.sum() == 2
    assert not hidden["Ensemble"]
    audit = audit_table(table).set_index("departement")
    assert audit.loc["16", "upper"] == 4 and audit.loc["16", "within_30"]  # reported
    assert not audit_table(table)["recoverable"].any()
    assert "typologie" not in table.tidy().columns
    series = pd.Series({"16": 4, "33": 9, "64": 1, "87": 5}).rename_axis("departement")
    assert apply_secrecy(series).suppressed.equals(table.suppressed)


def test_declared_categories_without_places_are_zeros():
    micro = places().assign(typologie=lambda f: pd.Categorical(
        f["typologie"], categories=["coworking", "fablab", "atelier", "cuisine partagée"]))
    table = protect_table(micro, "departement", "typologie")
    assert table.values.columns.tolist() == [
        "coworking", "fablab", "atelier", "cuisine partagée", "Ensemble"]
    assert (table.display()["cuisine partagée"] == "0").all()
    assert not audit_table(table)["recoverable"].any()


# --- output ------------------------------------------------------------------------------

def test_rendering_and_footnote():
    table = protect_table(places(), "departement", "typologie")
    shown = table.display()
    assert shown.loc["16", "fablab"] == SECRET == "s"
    assert (shown == "s").equals(table.suppressed)
    assert shown.loc["Ensemble", "Ensemble"] == "57"
    assert FOOTNOTE == ("s : secret statistique (moins de 3 lieux, ou de 3 lieux de valeur non "
                        "nulle, ou un lieu représentant plus de 85 % de la valeur)")
    assert footnote(SecrecyRule(dominance=0.875)).endswith("plus de 87,5 % de la valeur)")
    assert table.footnote == "s : secret statistique (moins de 3 lieux)"
    etp = protect_table(staff(), "departement", "typologie", value="etp")
    assert etp.footnote == FOOTNOTE
    assert etp.display().loc["33", "coworking"] == "7,5"


def test_french_number_format():
    micro = pd.DataFrame({"dep": ["33"] * 3, "etp": [1000.25, 234.0, 0.5]})
    table = protect_table(micro, "dep", value="etp")
    assert table.display().loc["33"].iloc[0] == "1\u202f234,8"


@pytest.mark.parametrize("value", [2.25, 0.04, 1234.45, 0.05, 99999.95])
def test_secrecy_tables_and_reports_write_numbers_digit_for_digit_alike(value):
    """One French formatter: a protected table prints what the report formatter prints."""
    micro = pd.DataFrame({"dep": ["33"] * 3, "etp": [value, 0.0, 0.0]})
    table = protect_table(micro, "dep", value="etp", rule=SecrecyRule(threshold=1, dominance=1.0))
    assert table.display(decimals=1).loc["33"].iloc[0] == format_number(value, 1)


def test_publishable_tidy_hides_everything_about_secret_cells():
    table = protect_table(places(), "departement", "typologie")
    tidy = table.tidy()
    assert list(tidy.columns) == ["departement", "typologie", "value", "display", "secret"]
    secret = tidy[tidy["secret"]]
    assert secret["value"].isna().all() and (secret["display"] == "s").all()
    assert tidy.loc[~tidy["secret"], "value"].notna().all()
    internal = table.tidy(publishable=False)
    assert {"n", "reason"} <= set(internal.columns)
    assert internal.set_index(["departement", "typologie"]).loc[("16", "fablab"), "value"] == 2


def test_structural_zeros_are_published():
    table = protect_table(places(), "departement", "typologie")
    assert table.display().loc["64", "atelier"] == "0"
    assert not table.suppressed.loc["64", "atelier"]
    assert table.reason.loc["64", "atelier"] == ""


def test_idempotence():
    first = protect_table(places(), "departement", "typologie")
    second = protect_table(places(), "departement", "typologie")
    assert first.reason.equals(second.reason)
    counts = pd.DataFrame(COUNTS).T.rename_axis(index="departement", columns="typologie")
    again = apply_secrecy(counts, suppressed=first.suppressed)
    assert again.suppressed.equals(first.suppressed)
    assert again.reason.equals(first.reason)
    direct = apply_secrecy(counts)
    assert direct.suppressed.equals(first.suppressed)


def test_apply_secrecy_magnitude_matches_microdata():
    micro = staff()
    grouped = micro.groupby(["departement", "typologie"])["etp"]
    values = grouped.sum().unstack(fill_value=0.0)
    counts = grouped.size().unstack(fill_value=0)
    largest = grouped.max().unstack(fill_value=0.0)
    table = apply_secrecy(values, counts, largest)
    reference = protect_table(micro, "departement", "typologie", value="etp")
    assert table.reason.equals(reference.reason)
    with pytest.raises(UsageError, match="max_contribution"):
        apply_secrecy(values, counts)


# --- misuse ------------------------------------------------------------------------------

def test_misuse_is_refused():
    micro = places()
    with pytest.raises(UsageError, match="not in the microdata"):
        protect_table(micro, "departement", "nope")
    with pytest.raises(UsageError, match="already a category"):
        protect_table(micro.assign(typologie="Ensemble"), "departement", "typologie")
    with pytest.raises(UsageError, match="negative"):
        protect_table(staff().assign(etp=-1.0), "departement", "typologie", value="etp")
    with pytest.raises(UsageError, match="two cells"):
        protect_table(pd.DataFrame({"id": ["A", "A"], "d": ["1", "2"]}), "d", unit="id")
    with pytest.raises(UsageError):
        SecrecyRule(threshold=0)
    with pytest.raises(UsageError):
        SecrecyRule(dominance=1.5)


def test_blank_categories_are_a_protected_category_not_dropped():
    micro = places()
    micro.loc[micro.index[:4], "typologie"] = None
    table = protect_table(micro, "departement", "typologie")
    assert "Non renseigné" in table.values.columns
    assert table.values.loc["Ensemble", "Ensemble"] == len(micro)
    assert not audit_table(table)["recoverable"].any()
