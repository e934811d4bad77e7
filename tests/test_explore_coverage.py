"""The explorer's coverage, adjusted totals, survival, département tests and XLSX export,
on the session's demo data folder."""
from __future__ import annotations

import pytest
from openpyxl import load_workbook

import tlresearch
from tlresearch.core.errors import UsageError

pytestmark = pytest.mark.slow


def test_coverage_and_directory(demo_data_dir):
    directory = tlresearch.load_directory(data_dir=demo_data_dir)
    assert directory["place_id"].notna().mean() > 0.9          # most listed places answered
    table = tlresearch.coverage(2025, "33", by="territorial_class", data_dir=demo_data_dir)
    assert list(table.columns[:6]) == ["Territoire", "Vague", "Classe territoriale",
                                       "Répondants", "Lieux connus", "Taux de couverture"]
    whole = tlresearch.coverage(2025, "33", data_dir=demo_data_dir)
    assert table["Lieux connus"].sum() == whole["Lieux connus"][0]
    assert 0 < whole["Taux de couverture"][0] < 1
    with pytest.raises(UsageError, match="territoire inconnu"):
        tlresearch.coverage(2025, "99", data_dir=demo_data_dir)


def test_estimate_total_survival_and_xlsx(demo_data_dir, tmp_path):
    table = tlresearch.estimate_total(["cdi", "share_employers"], 2025, "75",
                                      data_dir=demo_data_dir)
    assert table["Estimation"].tolist() == ["Salariés en CDI", "Part des lieux employeurs"]
    cdi = table.iloc[0]
    assert cdi["Borne basse"] < cdi["Valeur"] < cdi["Borne haute"]
    assert cdi["Valeur"] > cdi["Somme des répondants"]       # the others employ too
    assert "jackknife" in cdi["Méthode"]
    curve = tlresearch.survival("first_hire", by="opening_period", data_dir=demo_data_dir)
    assert (curve["left_censored"] > 0).any() and curve["Probabilité"].between(0, 1).all()
    assert curve.groupby("group")["survival"].apply(lambda s: s.is_monotonic_decreasing).all()
    closure = tlresearch.survival("closure", data_dir=demo_data_dir)
    assert closure["observed_events"].iloc[0] > 0
    tests = tlresearch.indicator("share_employers", split="departement", data_dir=demo_data_dir)
    assert len(tests) == 12 and (tests["p ajustée (Holm)"] >= tests["p"]).all()
    path = tlresearch.to_xlsx(table, tmp_path / "totaux.xlsx")
    cells = [c for row in load_workbook(path).active.iter_rows(values_only=True) for c in row]
    assert "Salariés en CDI" in cells and any(str(c).startswith("Source") for c in cells)
