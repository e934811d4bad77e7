"""Secrecy of indicator results: primary (count, dominance) and secondary marks."""
import pandas as pd

from tlresearch.secrecy.marks import publishable
from tlresearch.stats.indicators import compute_indicators


def panel(rows):
    """Responses of one wave: (typology, cdi, etp) per place."""
    frame = pd.DataFrame(rows, columns=["typology", "cdi", "etp"])
    n = len(frame)
    return pd.DataFrame({
        "response_id": pd.array([f"2024-{i:06d}" for i in range(n)], dtype="string"),
        "place_id": pd.array([f"P{i:02d}" for i in range(n)], dtype="string"),
        "wave": pd.array([2024] * n, dtype="Int64"),
        "region_code": pd.array(["75"] * n, dtype="string"),
        "typology": pd.array(frame["typology"], dtype="string"),
        "staff_total": pd.array(frame["cdi"], dtype="Int64"),
        "cdi": pd.array(frame["cdi"], dtype="Int64"),
        "etp": pd.array(frame["etp"], dtype="Float64"),
    })


ROWS = ([("coworking", 1, 1.0)] * 6 + [("fablab", 2, 2.0)] * 4 + [("atelier_partage", 1, 0.5)] * 2)


def marks(table, indicator):
    rows = table[table["indicator"] == indicator].set_index("split_value")
    return rows["suppression_reason"].fillna("").to_dict()


def test_a_split_value_with_two_places_is_secret_and_protected():
    table = compute_indicators(panel(ROWS), None, 2024, split="typology",
                               indicators=["share_employers", "cdi_sum"])
    assert marks(table, "cdi_sum") == {"atelier_partage": "primary_count",
                                         "coworking": "", "fablab": "secondary"}
    assert marks(table, "share_employers")["atelier_partage"] == "primary_count"


def test_no_split_no_secondary_and_large_cells_published():
    table = compute_indicators(panel(ROWS), None, 2024, indicators=["cdi_sum"])
    assert table["suppressed"].tolist() == [False]


def test_one_dominant_place_makes_a_sum_secret():
    rows = [("coworking", 40, 30.0)] + [("coworking", 1, 1.0)] * 5
    table = compute_indicators(panel(rows), None, 2024, indicators=["cdi_sum", "share_employers"])
    reasons = table.set_index("indicator")["suppression_reason"]
    assert reasons["cdi_sum"] == "primary_dominance"
    # A share is not a magnitude; but 6 employers of 6 named places is each one's answer.
    assert reasons["share_employers"] == "primary_named"


def test_publishable_blanks_secret_figures():
    table = compute_indicators(panel(ROWS), None, 2024, split="typology",
                               indicators=["cdi_sum"])
    published = publishable(table).set_index("split_value")
    assert published.loc["atelier_partage", "display"] == "s"
    assert pd.isna(published.loc["atelier_partage", "value"])
    assert pd.isna(published.loc["fablab", "n"])
    assert published.loc["coworking", "value"] == 6
    assert "suppression_reason" not in published


def test_an_answer_shared_by_every_named_place_is_secret():
    """The site names every respondent: « 6 employeurs sur 6 coworkings » or a sum of 0
    gives each place's answer (Charente coworking 2025, Dordogne « Autres types » 2017)."""
    rows = [("coworking", 1, 1.0)] * 4 + [("fablab", 0, 0.0)] * 4 + [("hybride", 1, 0.0)] \
        + [("hybride", 0, 2.0)] * 3
    table = compute_indicators(panel(rows), None, 2024, split="typology",
                               indicators=["share_employers", "cdi_sum", "etp_mean"])
    assert marks(table, "share_employers")["coworking"] == "primary_named"   # 100 %
    assert marks(table, "share_employers")["fablab"] == "primary_named"      # 0 %
    assert marks(table, "cdi_sum")["fablab"] == "primary_named"              # a sum of 0
    assert marks(table, "etp_mean")["fablab"] == "primary_named"
    # 1 of 4 hybrids: printed; the 4 employers of the 8 others do not say which they are.
    assert marks(table, "share_employers")["hybride"] == ""
    whole = compute_indicators(panel(rows), None, 2024, indicators=["share_employers"])
    assert not whole["suppressed"].iloc[0]  # 5 of 12: no place's answer
