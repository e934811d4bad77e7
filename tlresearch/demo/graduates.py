"""The demo survey of graduates of the certification "Piloter un tiers-lieu" (fictitious).

Its figures are built so that the certification page reproduces the published ones
exactly; the names and e-mails exercise the reader's dropping of personal columns.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from tlresearch.core.paths import DataPaths
from tlresearch.demo.constants import DEMO_SEED
from tlresearch.demo.files import write_raw_file
from tlresearch.io.cells import fold

#: Where the demo survey of graduates goes, under ``paths.raw``.
DEMO_FILE = Path("certification") / "DEMO_diplomes_piloter_un_tiers_lieu_2015_2018.csv"

#: Promotions of the demo (Nouvelle-Aquitaine, 2015-2018): six groups of 10 to 12, as a
#: training session takes, 66 graduates. No base of six such groups (72 at most) gives
#: 54.5 %, 27 % and 13.5 % all three to the decimal; 66 gives 54.5 % exactly (36) and
#: the nearest counts for the others: 18 (27.3 %) and 9 (13.6 %).
DEMO_COHORTS = {"2015": 10, "2016": 11, "2017 printemps": 11, "2017 automne": 12,
                "2018 printemps": 10, "2018 automne": 12}

#: (graduates, status at entry, status now, new job, post): 36 facilitators, 18 other
#: project/coordination posts, 9 seeking work, 3 other; 50 changed situation (the
#: smallest base of 36 / 10 / 50 / 4 %): 18 job-seekers and 5 students became active,
#: 25 active became business creators, 2 changed job; 16 kept their situation.
DEMO_PROFILES = [
    (7, "demandeur_emploi", "actif_salarie", True, "facilitateur"),
    (4, "demandeur_emploi", "createur_entreprise", True, "facilitateur"),
    (6, "demandeur_emploi", "actif_salarie", True, "autre_poste_projet_coordination"),
    (1, "demandeur_emploi", "actif_salarie", True, "autre"),
    (3, "etudiant", "actif_salarie", True, "facilitateur"),
    (2, "etudiant", "actif_salarie", True, "autre_poste_projet_coordination"),
    (17, "actif_salarie", "createur_entreprise", True, "facilitateur"),
    (2, "independant", "createur_entreprise", True, "facilitateur"),
    (2, "actif_salarie", "independant", True, "autre_poste_projet_coordination"),
    (3, "actif_salarie", "createur_entreprise", True, "autre_poste_projet_coordination"),
    (1, "actif_salarie", "createur_entreprise", True, "autre"),
    (1, "actif_salarie", "actif_salarie", True, "facilitateur"),
    (1, "actif_salarie", "actif_salarie", True, "autre_poste_projet_coordination"),
    (2, "actif_salarie", "actif_salarie", False, "facilitateur"),
    (3, "actif_salarie", "actif_salarie", False, "autre_poste_projet_coordination"),
    (1, "independant", "independant", False, "autre_poste_projet_coordination"),
    (1, "actif_salarie", "actif_salarie", False, "autre"),
    (9, "demandeur_emploi", "recherche_emploi", None, None),
]

DEMO_HEADER = ["Promotion", "Nom", "Prénom", "Adresse e-mail", "Statut à l'entrée en formation",
               "Statut aujourd'hui", "Nouvel emploi depuis la formation", "Poste actuel"]

# How respondents typed each answer: accents missing, capitals, "DE", inclusive forms.
_SPELLINGS = {
    "promotion": {
        "2015": ["2015", "Promo 2015", "promotion 2015"],
        "2016": ["2016", "Promo 2016", "PROMO 2016"],
        "2017 printemps": ["2017 printemps", "Promo 2017 - Printemps", "Printemps 2017"],
        "2017 automne": ["2017 automne", "Promo 2017 - Automne", "automne 2017"],
        "2018 printemps": ["2018 printemps", "Promo 2018 – printemps", "Printemps 2018"],
        "2018 automne": ["2018 automne", "Promo 2018 - AUTOMNE", "Automne 2018"],
    },
    "before": {
        "demandeur_emploi": ["Demandeur d'emploi", "demandeuse d'emploi", "DE",
                             "Demandeur d’emploi", "DEMANDEUSE D'EMPLOI", "demandeur emploi"],
        "etudiant": ["Étudiant", "etudiante", "ETUDIANT", "Étudiant·e"],
        "actif_salarie": ["Salarié", "salariee", "SALARIE", "Salarié·e", "en poste"],
        "independant": ["Indépendant", "independante", "Freelance", "auto-entrepreneur"],
    },
    "now": {
        "recherche_emploi": ["En recherche d'emploi", "recherche d'emploi",
                             "Demandeur d'emploi", "demandeuse d'emploi", "DE"],
        "createur_entreprise": ["Créateur d'entreprise", "creatrice d'entreprise",
                                "Créatrice d’entreprise", "CREATEUR D'ENTREPRISE",
                                "création d'activité"],
        "actif_salarie": ["Salarié", "salariee", "SALARIE", "Salarié·e", "en poste"],
        "independant": ["Indépendante", "freelance", "micro-entrepreneur"],
    },
    "new_job": {True: ["Oui", "oui", "OUI"], False: ["Non", "non", "NON"], None: [""]},
    "post": {
        "facilitateur": ["Facilitateur de tiers-lieu", "facilitatrice", "FACILITATEUR",
                         "Coordinatrice du tiers-lieu", "Concierge du coworking",
                         "Fabmanager", "Animatrice de communauté",
                         "Gérante du café associatif"],
        "autre_poste_projet_coordination": ["Chargée de projet", "Chef de projet",
                                            "Coordinateur de réseau", "chargé de mission",
                                            "Cheffe de projet territorial", "Coordinatrice",
                                            "Agent de développement"],
        "autre": ["Enseignante", "Comptable", "Formateur", "Autre", "Graphiste"],
        None: ["", "", "Sans objet"],
    },
}

_FIRST_NAMES = ["Camille", "Léa", "Hugo", "Manon", "Lucas", "Chloé", "Nathan", "Inès", "Louis",
                "Sarah", "Théo", "Jade", "Gabriel", "Émilie", "Arthur", "Zoé", "Maël", "Anaïs"]
_LAST_NAMES = ["Martin", "Bernard", "Dubois", "Laborde", "Etcheverry", "Lacoste", "Moreau",
               "Garcia", "Fontaine", "Durand", "Lafitte", "Mercier", "Bordes", "Roux"]


def demo_graduates_bytes(seed: int = DEMO_SEED) -> bytes:
    """The demo survey of graduates as CSV bytes (UTF-8, ``;``): same seed, same bytes.

    Names and e-mails are fictitious (``exemple.org``); they are there so that the
    reader's dropping of personal columns is exercised.
    """
    rng = np.random.default_rng([seed, 5142])  # 5142: the certification's RS number
    graduates = [profile[1:] for profile in DEMO_PROFILES for _ in range(profile[0])]
    order = rng.permutation(len(graduates))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(DEMO_HEADER)
    start = 0

    def pick(options: list[str]) -> str:
        return options[int(rng.integers(len(options)))]

    for promotion, size in DEMO_COHORTS.items():
        for index in order[start:start + size]:
            before, now, new_job, post = graduates[index]
            first, last = pick(_FIRST_NAMES), pick(_LAST_NAMES)
            email = f"{fold(first)}.{fold(last)}{int(rng.integers(10, 99))}@exemple.org"
            writer.writerow([
                pick(_SPELLINGS["promotion"][promotion]), last.upper(), first, email,
                pick(_SPELLINGS["before"][before]), pick(_SPELLINGS["now"][now]),
                pick(_SPELLINGS["new_job"][new_job]), pick(_SPELLINGS["post"][post]),
            ])
        start += size
    return out.getvalue().encode("utf-8")


def write_demo_graduates(paths: DataPaths, seed: int = DEMO_SEED, *,
                         overwrite: bool = False) -> Path:
    """Write the demo graduates' survey under ``paths.raw``, read-only.

    Returns
    -------
    Path
        ``paths.raw / DEMO_FILE``. Nothing is written when the file already holds the
        same bytes.

    Raises
    ------
    UsageError
        The file exists with other bytes and ``overwrite`` is false (raw data are
        never replaced silently).
    """
    path = paths.raw / DEMO_FILE
    write_raw_file(path, demo_graduates_bytes(seed), overwrite=overwrite)
    return path
