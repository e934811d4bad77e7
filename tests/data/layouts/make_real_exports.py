"""Write the 2026 waves of issue 20 the way LimeSurvey and Google Forms write them.

Run once (``python tests/data/layouts/make_real_exports.py``); the files are committed,
this script says how they were made; ``benchmarks/bench_real_exports.py`` calls
:func:`limesurvey_codes` and :func:`google_forms` with more rows. Places are
fictitious, communes are real (Nouvelle-Aquitaine).

* ``limesurvey_codes_2026.xlsx``: LimeSurvey's XLSX export with "question code &
  question text" headings (``G02Q05[SQ001]. Type de lieu [Coworking]``), full answers,
  an ``[other]`` column for « Autre », relevance blanks (CDI, CDD, ETP left empty after
  « Non » to « Employez-vous des salariés ? »), incomplete responses (``lastpage``
  below the last page, no ``submitdate``), several job titles in one cell joined by
  « / » or line breaks, and the respondent's name, e-mail, phone and function.
* ``googleforms_2026.csv``: a Google Forms response sheet exported by Google Sheets as
  CSV: question sentences as headers, « Horodateur », checkboxes joined with « , »
  (an option, « Café associatif, buvette », holds a comma; the « Autre » text comes
  last, without a prefix), numbers typed by people (« 3 salariés », « aucun »), job
  titles one a line or as a bulleted list.
* ``kobo_2026.csv``: a KoboToolbox CSV export (« ; », XML names as headers): a multiple
  choice as one space-joined column plus one ``question/option`` column of 0/1 each,
  ``_id`` and ``_uuid`` columns.
"""
from __future__ import annotations

import csv
import io
import random
from pathlib import Path

HERE = Path(__file__).parent

COMMUNES = [("Bordeaux", "33000"), ("Poitiers", "86000"), ("Limoges", "87000"),
            ("Pau", "64000"), ("Périgueux", "24000"), ("Niort", "79000"),
            ("La Rochelle", "17000"), ("Angoulême", "16000"), ("Tulle", "19000"),
            ("Guéret", "23000"), ("Agen", "47000"), ("Bayonne", "64100")]
TYPES = ["Coworking", "Fablab", "Atelier partagé", "Café associatif, buvette"]
OTHER_TYPES = ["Ressourcerie", "Jardin partagé", "Épicerie solidaire"]
TITLES = ["Coordinatrice", "Chargée de communication", "Fabmanager", "Comptable",
          "Agent d'accueil", "Médiatrice numérique", "Responsable administratif et financier",
          "Animatrice", "Cuisinier"]
JOINS = [" / ", "\n", "\n- "]


def places(rng: random.Random, n: int) -> list[dict]:
    """Answers shared by both layouts: each place with 0 to 3 job titles."""
    out = []
    for i in range(n):
        commune, postcode = COMMUNES[i % len(COMMUNES)]
        titles = rng.sample(TITLES, rng.choice([0, 1, 1, 2, 3]))
        cdi = rng.randint(0, len(titles))
        out.append({
            "id": 100 + 3 * i, "name": f"Tiers-lieu {i + 1:02d} de {commune}",
            "commune": commune, "postcode": postcode,
            "types": rng.sample(TYPES, rng.randint(1, 2)),
            "other": rng.choice(OTHER_TYPES) if rng.random() < 0.3 else "",
            "titles": titles, "join": rng.choice(JOINS), "cdi": cdi, "cdd": len(titles) - cdi,
            "etp": round(len(titles) * 0.8, 1), "volunteers": rng.randint(0, 30),
            "surface": rng.choice([80, 150, 400, 1200]), "opening": rng.randint(2008, 2025),
            "person": f"Camille Martin{i}", "email": f"camille{i}@lieu.example",
            "phone": f"06 00 00 {i // 100:02d} {i % 100:02d}", "function": "Coordinatrice",
            "complete": rng.random() > 0.08,
        })
    return out


def _titles_cell(place: dict) -> str:
    join = place["join"]
    text = join.join(place["titles"])
    return ("- " + text) if join == "\n- " and text else text


def limesurvey_codes(rows: list[dict]) -> bytes:
    from openpyxl import Workbook

    header = ["id. ID de la réponse", "submitdate. Date de soumission",
              "lastpage. Dernière page", "startlanguage. Langue de départ",
              "G01Q01. Nom du tiers-lieu", "G01Q02. Commune", "G01Q03. Code postal"]
    header += [f"G02Q05[SQ00{k + 1}]. Type de lieu [{t}]" for k, t in enumerate(TYPES)]
    header += ["G02Q05[other]. Type de lieu [Autre]",
               "G03Q01. Employez-vous des salariés ?",
               "G03Q02. Nombre de salariés en CDI", "G03Q03. Nombre de salariés en CDD",
               "G03Q04. Équivalents temps plein (ETP)",
               "G03Q05. Intitulés des postes salariés (un par ligne)",
               "G03Q06. Nombre de bénévoles", "G04Q01. Nom et prénom du répondant",
               "G04Q02. Adresse électronique", "G04Q03. Téléphone", "G04Q04. Votre fonction"]
    book = Workbook()
    info = book.active
    info.title = "Informations"
    for line in (["Enquête tiers-lieux 2026"], ["Export LimeSurvey, réponses complètes et "
                                                 "incomplètes"], ["Format : code et texte"]):
        info.append(line)
    sheet = book.create_sheet("Résultats")
    sheet.append(header)
    for p in rows:
        employs = bool(p["titles"])
        done = p["complete"]
        sheet.append(
            [p["id"], "2026-03-12 10:14:00" if done else None, 6 if done else 3, "fr",
             p["name"], p["commune"], p["postcode"]]
            + ["Oui" if t in p["types"] else None for t in TYPES] + [p["other"] or None]
            + ["Oui" if employs else "Non"]
            # Relevance: a place answering « Non » is never shown the counts.
            + ([p["cdi"], p["cdd"], p["etp"], _titles_cell(p)] if employs
               else [None, None, None, None])
            + [p["volunteers"] if done else None, p["person"], p["email"], p["phone"],
               p["function"]])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def google_forms(rows: list[dict]) -> bytes:
    header = ["Horodateur", "Adresse e-mail", "Nom de votre tiers-lieu",
              "Commune (et département)", "Code postal",
              "Quelles activités proposez-vous ?",
              "Votre structure emploie-t-elle des salariés ?",
              "Combien de salariés en CDI ?", "Combien de salariés en CDD ?",
              "Combien d'équivalents temps plein (ETP) ?",
              "Quels métiers exercent vos salariés ? (un par ligne)",
              "Combien de personnes bénévoles s'investissent dans le lieu ?",
              "Quelle superficie fait votre lieu ?",
              "En quelle année votre lieu a-t-il ouvert ?", "Votre nom et prénom",
              "Un numéro où vous joindre", "Votre fonction dans le lieu"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for k, p in enumerate(rows):
        employs = bool(p["titles"])
        chosen = [t for t in TYPES if t in p["types"]] + ([p["other"]] if p["other"] else [])
        cdi = ("aucun" if not p["cdi"] else f"{p['cdi']} salariés" if k % 3 == 0
               else str(p["cdi"]))
        writer.writerow([
            f"12/03/2026 {10 + k % 9:02d}:{k % 60:02d}:00", p["email"], p["name"],
            f"{p['commune']} ({p['postcode'][:2]})", p["postcode"], ", ".join(chosen),
            "Oui" if employs else "Non", cdi if employs else "", str(p["cdd"]) if employs else "",
            str(p["etp"]).replace(".", ",") if employs else "",
            "\n".join(p["titles"]) if k % 2 else _titles_cell(p),
            str(p["volunteers"]), f"{p['surface']} m²",
            f"en {p['opening']}" if k % 5 == 0 else str(p["opening"]), p["person"],
            p["phone"], p["function"]])
    return buffer.getvalue().encode("utf-8")


def kobo(rows: list[dict]) -> bytes:
    options = {"coworking": "Coworking", "fablab": "Fablab", "atelier": "Atelier partagé",
               "cafe": "Café associatif, buvette"}
    header = (["start", "end", "nom_lieu", "commune", "code_postal", "type_lieu"]
              + [f"type_lieu/{key}" for key in options]
              + ["salaries_cdi", "salaries_cdd", "etp", "_id", "_uuid", "_submission_time"])
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(header)
    for k, p in enumerate(rows):
        ticked = [key for key, label in options.items() if label in p["types"]]
        writer.writerow(["2026-03-12T10:00:00.000+01:00", "2026-03-12T10:20:00.000+01:00",
                         p["name"], p["commune"], p["postcode"], " ".join(ticked)]
                        + ["1" if key in ticked else "0" for key in options]
                        + [str(p["cdi"]), str(p["cdd"]), str(p["etp"]), str(5000 + k),
                           f"uuid-{k:04d}", "2026-03-12T09:20:00"])
    return buffer.getvalue().encode("utf-8")


if __name__ == "__main__":
    (HERE / "limesurvey_codes_2026.xlsx").write_bytes(
        limesurvey_codes(places(random.Random(20), 40)))
    (HERE / "googleforms_2026.csv").write_bytes(google_forms(places(random.Random(26), 30)))
    (HERE / "kobo_2026.csv").write_bytes(kobo(places(random.Random(27), 20)))
