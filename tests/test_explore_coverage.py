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


def test_a_national_folder_covers_every_region_and_counts_unlocated_places_at_home(tmp_path):
    """A national network's folder (every region's survey): another region and its
    départements are territories of their own (their Panoramas print their coverage),
    and the places of no known commune count in the folder's own region only."""
    from tlresearch.cli import main
    from tlresearch.report.notebook_helpers import known_places

    data = tmp_path / "national"
    assert main(["demo", "--regions", "all", "--scale", "0.05", "--data-dir", str(data)]) == 0
    assert main(["ingest", "--data-dir", str(data)]) == 0
    region = tlresearch.coverage(2025, "11", by="departement_code", data_dir=data)
    assert set(region["Territoire"]) == {"Île-de-France"}
    assert set(region["code_departement_code"]) <= {"75", "77", "78", "91", "92", "93", "94",
                                                    "95", "inconnu"}
    seine_et_marne = tlresearch.coverage(2025, "77", data_dir=data)
    assert seine_et_marne["Territoire"][0] == "Seine-et-Marne (77)"
    split = region.set_index("code_departement_code")["Lieux connus"]
    assert split.get("77") == seine_et_marne["Lieux connus"][0]
    assert known_places(2025, "11", str(data)) == region["Lieux connus"].sum()
    # The folder's own region (75) and a département of it still read as before.
    assert tlresearch.coverage(2025, None, data_dir=data)["Territoire"][0] == "Nouvelle-Aquitaine"
