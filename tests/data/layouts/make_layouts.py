"""Write the small export files of tests/data/layouts/ the way each tool writes them.

Run once (``python tests/data/layouts/make_layouts.py``); the files are committed, this
script says how they were made. Places are fictitious, communes are real.

* ``framaforms_2026.xls``: Framaforms (Drupal webform) "Excel" export: UTF-16 text
  with a byte-order mark, tab-separated, every field quoted, named ``.xls``; a title
  row and a group row above the column names; multi-choice as ``X`` columns; every
  job title of a place in one cell joined by ``"; "``; dates ``27/03/2026 - 15:48``.
* ``limesurvey_2026.csv``: LimeSurvey "full question text" export: UTF-8, commas,
  the whole question as header, ``[option]`` suffixes for multi-choice.
* ``enquete_metadata_first.xlsx``: a survey workbook whose first sheet is metadata.
* ``national_register.xlsx``: a national register as published: metadata sheet
  first, postcodes and INSEE codes stored as numbers (leading zero lost).
* ``national_places.csv``: places given by commune name and coordinates only.
"""
from __future__ import annotations

import csv
import io
import random
from pathlib import Path

HERE = Path(__file__).parent

COMMUNES = [  # name, postcode, INSEE code: real communes of Nouvelle-Aquitaine
    ("Bordeaux", "33000", "33063"), ("Poitiers", "86000", "86194"),
    ("Limoges", "87000", "87085"), ("Pau", "64000", "64445"),
    ("Périgueux", "24000", "24322"), ("Niort", "79000", "79191"),
    ("La Rochelle", "17000", "17300"), ("Angoulême", "16000", "16015"),
    ("Tulle", "19000", "19272"), ("Guéret", "23000", "23096"),
    ("Mont-de-Marsan", "40000", "40192"), ("Agen", "47000", "47001"),
    ("Bayonne", "64100", "64102"), ("Saintes", "17100", "17415"),
    ("Brive-la-Gaillarde", "19100", "19031"), ("Bergerac", "24100", "24037"),
    ("Dax", "40100", "40088"), ("Marmande", "47200", "47157"),
    ("Châtellerault", "86100", "86066"), ("Parthenay", "79200", "79202"),
]
FACILITATORS = ["Facilitatrice", "Coordinateur·rice", "Couteau suisse",
                "Coordinatrice du tiers-lieu"]
OTHERS = ["Chargée de communication", "Agent d'accueil", "Fabmanager", "Comptable",
          "Cuisinier", "Médiatrice numérique"]
TYPES = ["Coworking", "Fablab / makerspace", "Atelier partagé", "Café associatif", "Autre"]
STATUSES = ["Association loi 1901", "SCIC", "SAS", "Collectivité territoriale"]


def places(rng: random.Random, n: int) -> list[dict]:
    out = []
    for i in range(n):
        name, postcode, code = COMMUNES[i % len(COMMUNES)]
        employs = rng.random() < 0.75
        titles = []
        if employs:
            if rng.random() < 0.5:
                titles.append(rng.choice(FACILITATORS))
            titles += rng.sample(OTHERS, rng.randint(1 if not titles else 0, 2))
            rng.shuffle(titles)
        cdi = rng.randint(0, len(titles))
        out.append({
            "name": f"Tiers-lieu {i + 1:02d} de {name}", "commune": name,
            "postcode": postcode, "code": code, "types": rng.sample(TYPES, rng.randint(1, 2)),
            "status": rng.choice(STATUSES), "opening": str(rng.randint(2010, 2025)),
            "staff": str(len(titles)), "cdi": str(cdi), "cdd": str(len(titles) - cdi),
            "etp": f"{len(titles) * 0.8:.1f}".replace(".", ","),
            "volunteers": str(rng.randint(0, 40)), "titles": titles,
            "date": f"{rng.randint(1, 28):02d}/03/2026 - {rng.randint(8, 19):02d}:"
                    f"{rng.randint(0, 59):02d}",
        })
    return out


def framaforms(rows: list[dict]) -> bytes:
    header = (["Numéro", "SID", "Heure de soumission", "Brouillon", "Adresse IP", "UID",
               "Nom d'utilisateur", "Nom du tiers-lieu", "Code postal", "Commune"]
              + TYPES + ["Statut juridique", "Année d'ouverture", "Nombre de salariés",
                         "dont CDI", "dont CDD", "Équivalents temps plein",
                         "Nombre de bénévoles", "Intitulés des postes salariés",
                         "Nom du contact", "Courriel du contact"])
    groups = (["Informations sur la soumission"] + [""] * 6 + ["Votre lieu", "", ""]
              + ["Types de lieu"] + [""] * (len(TYPES) - 1) + ["", "", "Emploi"]
              + [""] * 5 + ["Contact", ""])
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(["Enquête annuelle des tiers-lieux de Nouvelle-Aquitaine 2026"])
    writer.writerow(groups)
    writer.writerow(header)
    for i, p in enumerate(rows, start=1):
        writer.writerow([str(i), str(1000 + i), p["date"], p.get("draft", "Non"),
                         "192.0.2.1", "0", "", p["name"], p["postcode"], p["commune"]]
                        + ["X" if t in p["types"] else "" for t in TYPES]
                        + [p["status"], p["opening"], p["staff"], p["cdi"], p["cdd"],
                           p["etp"], p["volunteers"], "; ".join(p["titles"]),
                           f"Contact {i}", f"contact{i}@example.org"])
    return b"\xff\xfe" + buffer.getvalue().encode("utf-16-le")


def framaforms_rows() -> list[dict]:
    rng = random.Random(2026)
    rows = places(rng, 40)
    rows[5]["titles"] = ["Facilitatrice", '"Chargé·e d\'accueil; d\'animation"']
    rows[5]["staff"], rows[5]["cdi"], rows[5]["cdd"] = "2", "1", "1"
    for k in (37, 38, 39):  # postcode 0 and no commune: corrected in overrides/communes.csv
        rows[k]["postcode"], rows[k]["commune"] = "0", ""
    draft = dict(rows[0], name="Tiers-lieu brouillon", draft="Oui")
    return rows + [draft]


def limesurvey(rows: list[dict]) -> bytes:
    question = "Quelles activités votre lieu accueille-t-il ?"
    header = (["ID de la réponse", "Date de soumission", "Dernière page", "Langue de départ",
               "Quel est le nom de votre tiers-lieu ?",
               "Dans quelle commune votre tiers-lieu est-il situé ?",
               "Quel est le code postal de cette commune ?"]
              + [f"{question} [{t}]" for t in TYPES]
              + ["Quel est le statut juridique de la structure qui porte le lieu ?",
                 "En quelle année le lieu a-t-il ouvert ?",
                 "Combien de personnes salariées en CDI ?",
                 "Combien de personnes salariées en CDD ?",
                 "Poste 1 : intitulé", "Poste 1 : type de contrat",
                 "Poste 2 : intitulé", "Poste 2 : type de contrat"])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for i, p in enumerate(rows, start=1):
        day, time = p["date"].split(" - ")
        d, m, y = day.split("/")
        titles = (p["titles"] + ["", ""])[:2]
        contracts = ["CDI" if k < int(p["cdi"]) else "CDD" for k in range(2)]
        writer.writerow([str(i), f"{y}-{m}-{d} {time}:00", "6", "fr", p["name"], p["commune"],
                         p["postcode"]] + ["Oui" if t in p["types"] else "" for t in TYPES]
                        + [p["status"], p["opening"], p["cdi"], p["cdd"],
                           titles[0], contracts[0] if titles[0] else "",
                           titles[1], contracts[1] if titles[1] else ""])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def metadata_sheet(book, title: str) -> None:
    ws = book.active
    ws.title = "Métadonnées"
    for row in [("Jeu de données", title), ("Producteur", "Exemple"),
                ("Date de mise à jour", "2026-01-15"), ("Licence", "Licence Ouverte 2.0"),
                ("Nombre de lignes", "voir la feuille Données")]:
        ws.append(row)


def survey_xlsx(rows: list[dict]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    metadata_sheet(book, "Enquête tiers-lieux 2026")
    ws = book.create_sheet("Données")
    ws.append(["Nom du lieu", "Commune", "Code postal", "Statut", "Salariés en CDI",
               "Salariés en CDD", "Date de réponse"])
    for p in rows:
        ws.append([p["name"], p["commune"], int(p["postcode"]), p["status"], int(p["cdi"]),
                   int(p["cdd"]), p["date"].split(" - ")[0]])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


REGISTER = [  # name, postcode, INSEE code, commune as typed, lat, lon
    ("La Fabrique de Bourg", "01000", "01053", "Bourg-en-Bresse", 46.2052, 5.2255),
    ("Coworking Oyonnax", "01100", "01283", "Oyonnax", 46.2561, 5.6556),
    ("Le Hangar", "33000", "33063", "Bordeaux", 44.8378, -0.5792),
    ("Fablab Laon", "02000", "02408", "Laon", 49.5641, 3.6199),
    ("Karbé Lab", "97122", "97103", "Baie-Mahault", 16.2675, -61.5869),
    ("Tiers-lieu de Pau", "64000", "64445", "Pau", 43.2951, -0.3708),
]


def register_xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    metadata_sheet(book, "Tiers-lieux de France (extrait)")
    ws = book.create_sheet("Lieux")
    ws.append(["Nom", "Code postal", "Code INSEE", "Commune", "Latitude", "Longitude"])
    for name, postcode, code, commune, lat, lon in REGISTER:
        # As published: codes were numbers in the source, the leading zero is gone.
        ws.append([name, int(postcode), int(code) if code.isdigit() else code, commune,
                   lat, lon])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


NATIONAL = [  # commune as typed, postcode as typed, lat, lon: no INSEE code
    ("Narbonne", "", 43.1843, 3.0042), ("Chartres", "", 48.4469, 1.4892),
    ("Blois", "", 47.5861, 1.3359), ("Redon", "", 47.6516, -2.0843),
    ("Saint-Omer", "", 50.7500, 2.2520), ("Arbonne", "", 43.4322, -1.5508),
    ("Baie Mahault Guadeloupe", "97122", 16.2675, -61.5869),
    ("Le Lamentin Martinique", "97232", 14.6130, -60.9990),
    ("Saint-Denis La Réunion", "97400", -20.8823, 55.4504),
    ("Mamoudzou", "97600", -12.7806, 45.2279), ("Cayenne", "97300", 4.9372, -52.3260),
    ("Bordeaux", "33000", 44.8378, -0.5792),
    ("Pessac", "33000", 44.8067, -0.6311),  # the postcode is Bordeaux's: the name wins
]


def national_csv() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(["Nom", "Ville", "CP", "Latitude", "Longitude"])
    for i, (commune, postcode, lat, lon) in enumerate(NATIONAL, start=1):
        writer.writerow([f"Lieu {i}", commune, postcode, lat, lon])
    return buffer.getvalue().encode("utf-8")


def main() -> None:
    rows = framaforms_rows()
    (HERE / "framaforms_2026.xls").write_bytes(framaforms(rows))
    (HERE / "limesurvey_2026.csv").write_bytes(limesurvey(rows[:30]))
    (HERE / "enquete_metadata_first.xlsx").write_bytes(survey_xlsx(rows[:20]))
    (HERE / "national_register.xlsx").write_bytes(register_xlsx())
    (HERE / "national_places.csv").write_bytes(national_csv())


if __name__ == "__main__":
    main()
