"""The real CGET 2019 register goes through the same readers and value parsers."""
import pandas as pd

from tlresearch.ingest.register import read_register


def test_cget_register_reads_every_row(reference_dir):
    path = reference_dir / "cget_tiers_lieux_2019_nouvelle_aquitaine.csv"
    places, contacts, issues = read_register(path)
    assert len(places) == 225 == len(contacts)
    assert places["source_row"].tolist() == list(range(2, 227))
    # "0" means unknown in the register: a missing code, not an error.
    zero_codes = places["declared_commune_code"].isna()
    assert zero_codes.sum() > 0
    assert not any(i.rule == "not_a_commune_code" and i.value == "0" for i in issues)
    assert places.loc[places["place_name"] == "Weecolab", "declared_commune_code"].item() == "33063"
    assert places["latitude"].between(42.7, 47.2).all()
    assert places["longitude"].between(-2.0, 2.7).all()
    assert set(places["typology"].dropna()) == {"coworking", "fablab"}


def test_register_contacts_stay_out_of_the_places_table(reference_dir, tmp_path):
    # The published register has its CONTACT and MAIL columns (empty in this copy):
    # plant values in them to prove they can only land in the contacts table.
    source = reference_dir / "cget_tiers_lieux_2019_nouvelle_aquitaine.csv"
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    frame.loc[3, "CONTACT"] = "Camille CanÃ©ri"          # mojibake: the reader repairs and logs it
    frame.loc[3, "MAIL"] = "=camille.canari@example.org"   # formula-like: flagged, kept as typed
    planted = tmp_path / "register.csv"
    frame.to_csv(planted, index=False)
    places, contacts, issues = read_register(planted)
    assert contacts.loc[3, "contact_email"] == "=camille.canari@example.org"
    assert contacts.loc[3, "contact_name"] == "Camille Canéri"
    logged = {(i.rule, i.column, i.value) for i in issues if i.column in {"CONTACT", "MAIL"}}
    assert logged == {("mojibake", "CONTACT", "[masqué]"), ("formula_injection", "MAIL", "[masqué]")}
    text = places.astype(str).to_csv() + "".join(str(i) for i in issues)
    assert "canari" not in text.lower() and "can" + "éri" not in text.lower()
