"""Tables fit for print: one publishing function, French labels, stub, source, CSV = table."""
from __future__ import annotations

import html
import io
import json
import re
from urllib.parse import unquote

import pandas as pd
import pytest

from tlresearch.report import notebook_helpers as helpers
from tlresearch.report.checks import unsafe_markup
from tlresearch.report.labels import french_label
from tlresearch.report.tables import SECRET_FOOTNOTE, publish_table
from tlresearch.viz.standalone_html import network_references

LONG = "Lieu " + "très long " * 80  # 805 characters
NASTY = ["<b>gras</b> {{ x }} ${y}", "Café 🌱 ☕", "مقهى الحي", LONG]


def csv_of(block) -> pd.DataFrame:
    encoded = re.search(r'href="data:text/csv;charset=utf-8,([^"]+)"', str(block)).group(1)
    text = unquote(html.unescape(encoded)).lstrip("\ufeff")
    return pd.read_csv(io.StringIO(text), sep=";", dtype=str, keep_default_na=False)


def cells(block) -> list[str]:
    return [html.unescape(c) for c in
            re.findall(r'<t[hd] [^>]*class="gt_row[^"]*"[^>]*>(.*?)</t[hd]>', str(block), re.S)]


def test_publish_table_has_caption_stub_footnote_source_and_no_index():
    frame = pd.DataFrame({"Département": ["Gironde (33)", "Creuse (23)"],
                          "Lieux": [44, "s"]}, index=[7, 9])
    block = publish_table(frame, caption="Lieux par département", filename="lieux",
                          year=2025, stub="Département")
    text = str(block)
    assert "Lieux par département" in text and 'data-tl-block="table"' in text
    assert "Source : enquête annuelle des tiers-lieux 2025" in text  # credit: the folder's
    assert "traitement tlresearch" in text
    assert html.escape(SECRET_FOOTNOTE) in text
    assert cells(block) == ["Gironde (33)", "44", "Creuse (23)", "s"]  # no 7, no 9
    assert network_references(text) == [] and unsafe_markup(text) == []
    assert publish_table(frame, caption="Lieux par département", filename="lieux", year=2025,
                         stub="Département").html == text  # same table, same bytes


def test_csv_has_the_same_rows_labels_and_cells_plus_codes():
    frame = pd.DataFrame({"Type": ["Atelier partagé"], "Lieux": [1234]})
    block = publish_table(frame, caption="c", filename="f",
                          codes=pd.DataFrame({"code_type": ["atelier_partage"]}))
    back = csv_of(block)
    assert back.columns.tolist() == ["code_type", "Type", "Lieux"]
    assert back.iloc[0].tolist() == ["atelier_partage", "Atelier partagé", "1\u202f234"]
    assert cells(block) == back[["Type", "Lieux"]].iloc[0].tolist()


def test_hostile_long_and_foreign_text_is_escaped_and_never_cut():
    block = publish_table(pd.DataFrame({"Lieu": NASTY}), caption="Noms <i>", filename="n")
    text = str(block)
    assert "<b>gras</b>" not in text and "&lt;b&gt;gras&lt;/b&gt;" in text
    assert cells(block) == NASTY and "..." not in text and "…" not in text
    assert csv_of(block)["Lieu"].tolist() == NASTY
    assert unsafe_markup(text) == []


def test_an_empty_table_says_so():
    block = publish_table(pd.DataFrame({"a": []}), caption="Vide", filename="v")
    assert 'data-tl-block="notice"' in str(block) and "aucune donnée" in str(block)


def test_secrecy_table_names_its_rows_and_columns_in_french():
    wave = pd.DataFrame({"departement_code": ["33"] * 4 + ["23"] + [None],
                         "typology": ["coworking"] * 3 + ["atelier_partage"] * 2 + ["coworking"],
                         "etp": [1.0] * 6})
    block = helpers.secrecy_table(wave, year=2025, territory="75", caption="Par type",
                                  filename="t")
    text = str(block)
    for label in ("Gironde (33)", "Creuse (23)", helpers.UNLOCATED, "Espace de coworking",
                  "Atelier partagé", "Type de lieu", "Ensemble"):
        assert label in text, label
    assert "atelier_partage" not in re.sub(r'href="[^"]*"', "", text)
    back = csv_of(block)
    assert back.columns[:2].tolist() == ["code_departement", "Département"]
    assert back["Département"].tolist()[:2] == ["Creuse (23)", "Gironde (33)"]
    assert back["code_departement"].tolist()[:2] == ["23", "33"]


def test_every_demo_code_has_a_french_label(demo_panel):
    import tlresearch

    root = demo_panel[0].root
    log = tlresearch.load_quality_log(data_dir=root)
    staff = tlresearch.load_staff(data_dir=root)
    responses = tlresearch.load_responses(data_dir=root)
    for kind, values in (("rule", log["rule"]), ("action", log["action"]),
                         ("role", staff["role"]), ("contract", staff["contract"]),
                         ("typology", responses["typology"]),
                         ("legal_status", responses["legal_status"]),
                         ("territorial_class", responses["territorial_class"])):
        for code in values.dropna().unique():
            assert french_label(kind, code) != code, (kind, code)
    assert french_label("bool", False) == "Non"


def test_quality_lists_unknown_job_titles():
    staff = pd.DataFrame({"role": ["facilitator", "unknown", None],
                          "title_normalised": ["coordinateur", "chef de la joie", "bidule"]})
    block = helpers.unknown_titles_table(staff, year=2025)
    assert cells(block) == ["chef de la joie", "1", "bidule", "1"] or \
        cells(block) == ["bidule", "1", "chef de la joie", "1"]
    known = helpers.unknown_titles_table(staff.iloc[:1], year=2025)
    assert "sont reconnus" in str(known)


def test_quality_rules_are_french_and_codes_in_the_csv():
    log = pd.DataFrame({"rule": ["duplicate_submission"] * 2 + ["total_row"],
                        "action": ["quarantined"] * 3})
    block = helpers.rule_table(log, ["action", "rule"], year=2025, caption="Règles",
                               filename="r", label="Lignes")
    assert "Réponse envoyée deux fois (doublon)" in cells(block)
    assert "duplicate_submission" not in cells(block)
    back = csv_of(block)
    assert back.columns.tolist() == ["code_action", "code_rule", "Action", "Règle", "Lignes"]


def test_unlocated_places_are_listed():
    responses = pd.DataFrame({"departement_code": ["33", None], "place_name": ["A", "B <i>"],
                              "declared_commune_name": ["Bordeaux", "Nulle-part"]})
    block = helpers.unlocated_places_table(responses, year=2026)
    assert cells(block) == ["B <i>", "Nulle-part"]


@pytest.mark.parametrize("n, words", [(0, "Aucun lieu"), (1, "Un seul lieu de la Corrèze (19)"),
                                      (2, "Deux lieux seulement"), (3, None)])
def test_respondents_notice(n, words):
    text = str(helpers.respondents_notice(n, "19", 2026))
    assert (words in text) if words else text == ""
    if n in (1, 2):  # who answered is public; what they answered is not
        assert "secret statistique" in text and "carte des lieux" in text


def test_period_label_of_one_wave_is_that_wave():
    assert helpers.period_label(2017, 2025) == "2017-2025"
    assert helpers.period_label(2026, 2026) == "2026"


def test_secrecy_table_of_a_question_not_asked_says_so():
    wave = pd.DataFrame({"departement_code": ["33"] * 4, "typology": ["coworking"] * 4,
                         "etp": [pd.NA] * 4})
    block = helpers.secrecy_table(wave, year=2024, territory="75", value="etp", caption="ETP",
                                  filename="t")
    assert 'data-tl-block="notice"' in str(block) and "pas de tableau" in str(block)


@pytest.mark.parametrize("note", [
    "no usable code, postcode or name",
    "code 16226 is a former commune, now 16393",
    "code 33000 is a postcode, used as such; name 'Bordeaux' points to 33063, code kept",
    "postcode 0 is not that of \"L'Isle-d'Espagnac\": the name is kept",
    "name 'Saint-Paul' is ambiguous in the region (4 communes); outside region 75",
    "postcode 24001 is not a postcode but the code of a commune",
])
def test_resolution_notes_reach_the_quality_page_in_french(note):
    responses = pd.DataFrame({"departement_code": [None], "place_name": ["A"],
                              "resolution_note": [note]})
    motif = cells(helpers.unlocated_places_table(responses, year=2026))[-1]
    assert not re.search(r"\b(postcode|name|code kept|outside|former|usable)\b", motif), motif
    assert re.findall(r"\d+", motif) == re.findall(r"\d+", note)  # codes kept as written


PAYLOADS = ["=HYPERLINK(\"http://x\")", "+SUM(A1)", "-2+3", "@cmd", "<b>gras</b>",
            "{{ 7*7 }}", "${alert(1)}", "javascript:alert(1)", '"><svg onload=alert(1)>']


def test_a_table_has_a_caption_scoped_headers_and_no_empty_header():
    frame = pd.DataFrame({"Département": ["Gironde (33)"], "Coworking": [3], "Fablab": ["s"],
                          "Total": [9]})
    text = str(publish_table(frame, caption="Lieux <par> type", filename="t", year=2025,
                             stub="Département", spanner=("Type", ["Coworking", "Fablab"])))
    assert re.search(r"<table[^>]*>\s*<caption[^>]*>Lieux &lt;par&gt; type</caption>", text)
    assert 'class="gt_heading' not in text  # the caption is not a row of the header
    headers = re.findall(r"<th\b([^>]*)>(.*?)</th>", text, re.S)
    assert headers and all(re.search(r'scope="(col|row|colgroup)"', a) for a, _ in headers)
    assert all(re.sub(r"<[^>]+>", "", inner).strip() for _, inner in headers)


@pytest.mark.parametrize("shape", [(1, 1), (1, 3), (4, 1)])
def test_one_row_or_one_column_tables_publish_with_their_schema(shape):
    rows, columns = shape
    frame = pd.DataFrame({f"Colonne {j}": [i * 10 + j for i in range(rows)]
                          for j in range(columns)})
    block = str(publish_table(frame, caption="Petit", filename="petit", year=2025))
    assert "<caption" in block and csv_of(block).shape == (rows, columns)
    resource = json.loads(html.unescape(re.search(r'data-tl-resource="([^"]*)"', block)[1]))
    assert [f["type"] for f in resource["schema"]["fields"]] == ["integer"] * columns


def test_payloads_reach_the_csv_as_inert_text_and_the_page_escaped():
    frame = pd.DataFrame({"Lieu": PAYLOADS, "Valeur": ["-1,5", "+2,0\u00a0pts", "3", "s", "4",
                                                       "5", "6", "7", "8"]})
    block = str(publish_table(frame, caption="Noms", filename="noms", year=2025))
    back = csv_of(block)
    formulas = {p for p in PAYLOADS if p[0] in "=+-@"}
    for shown, payload in zip(back["Lieu"], PAYLOADS):
        assert shown == ("'" + payload if payload in formulas else payload)
    # numbers stay numbers (no apostrophe), bare, the unit of each row beside them
    assert back["Valeur"].tolist()[:2] == ["-1,5", "+2,0"]
    assert back["Valeur : unité"].tolist()[:2] == ["", "points de pourcentage"]
    assert unsafe_markup(block) == [] and "<svg" not in block and "<b>" not in block
    assert "{{ 7*7 }}" in html.unescape(block) and "${alert(1)}" in html.unescape(block)


def test_the_schema_types_units_and_missing_values_of_an_indicator_table():
    from tlresearch.report.table_schema import table_schema

    text = pd.DataFrame({"Indicateur": ["Part des lieux employeurs"], "Valeur": ["56,3\u00a0%"],
                         "Intervalle": ["[48,1 % ; 64,2 %]"], "Base (lieux)": ["1\u202f234"],
                         "Note": [""], "ETP": ["s"]})
    fields = {f["name"]: f for f in table_schema(text, units={"ETP": "ETP"})["fields"]}
    assert fields["Valeur"]["type"] == "number" and fields["Valeur"]["unit"] == "%"
    assert fields["Base (lieux)"]["type"] == "number"  # "1 234": a group separator
    assert fields["Base (lieux)"]["unit"] == "lieux"
    assert fields["Intervalle"]["type"] == "string" and fields["ETP"]["unit"] == "ETP"
    assert "s" in table_schema(text)["missingValues"]


def test_the_provenance_footer_names_every_fact_in_french():
    """What the runner records about a report (its keys are code) reads as French words."""
    import html

    from tlresearch.report.provenance import PROVENANCE_LABELS, provenance_html

    facts = {"data_hash": "ab" * 32, "source_hash": "cd" * 32, "waves": [2024, 2025],
             "parameters": {"year": 2025}, "run_date": "2026-11-30"}
    footer = provenance_html(facts)
    for key in facts:
        assert f"<dt>{key}</dt>" not in footer
        assert html.escape(PROVENANCE_LABELS[key]) in footer
