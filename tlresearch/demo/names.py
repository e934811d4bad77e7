"""Words of the demo survey: place names, job titles, contacts and comments.

Everything a respondent types as free text comes from here, so the vocabulary can be
read (and extended) in one place. The job titles carry the role a careful human coder
would give them (``TITLES``): that is the truth the role normalisation is tested against.
Payloads (HTML, template injection) sit among them on purpose: the reports must show
them as inert text.
"""
from __future__ import annotations

import unicodedata

import numpy as np

#: Injection payloads planted in free text; reports must escape them.
PAYLOAD_IMG = "<img src=x onerror=alert(1)>"
PAYLOAD_TEMPLATE = "${alert(1)}"
PAYLOAD_SCRIPT = '<script>alert("x")</script>'

STANDALONE = [
    "La Ruche", "Le Bocal", "La Smalah", "La Fabrique", "Le Hangar", "La Grange",
    "L'Établi", "Le Quai des Possibles", "La Coloc", "Le Garage", "La Station",
    "L'Escale", "Le Comptoir", "La Cantine", "Le Moulin", "La Forge", "La Passerelle",
    "Le Nid", "La Serre", "La Cabane", "Le Local", "La Mine", "Les Usines", "Le Bercail",
    "La Cour", "Le Phare", "La Boussole", "L'Annexe", "Le Sillon", "La Canopée",
]
VALLEYS = ["Val de Garonne", "Val de l'Isle", "Val de Vienne", "Val de Charente",
           "Val de Dordogne", "Val d'Adour", "Val de Sèvre", "Val de Creuse"]
FABLAB_OF = ["Deux Rives", "Landes", "Possibles", "Bastides", "Coteaux", "Chais",
             "Marais", "Forges", "Lumières", "Estuaires"]
CAFE = ["Le Petit Grain", "La Bonne Pioche", "Chez Nous", "La Marmite", "Le Zinc",
        "L'Arrosoir", "La Tartine", "Le Pas de Côté"]

# Templates by the place's main type; {c} is the commune's name.
TEMPLATES = {
    "coworking": ["{s}", "{s}", "{s} {c}", "Coworking du {v}", "{c} Coworking",
                  "Cowork'in {c}", "Espace de coworking de {c}", "Le Bureau partagé de {c}"],
    "fablab": ["Fablab des {f}", "{c} Fablab", "{s} Fablab", "Le Fablab de {c}"],
    "atelier_partage": ["L'Atelier partagé de {c}", "{s}", "Les Ateliers de {c}"],
    "cafe_associatif": ["Café associatif {k}", "{k}", "Café-lieu {k}"],
    "tiers_lieu_nourricier": ["La Ferme de {c}", "Le Jardin partagé de {c}", "{s}"],
    "mediation_numerique": ["Espace numérique de {c}", "{s}"],
    "culturel": ["{s}", "La Friche de {c}", "Tiers-lieu culturel {s}"],
    "autre": ["Tiers-lieu de {c}", "{s}", "La Maison commune de {c}"],
}


def place_name(rng: np.random.Generator, main_type: str, commune: str) -> str:
    """A realistic name for a place of the given main type in a commune."""
    template = str(rng.choice(TEMPLATES.get(main_type, TEMPLATES["autre"])))
    return template.format(
        s=rng.choice(STANDALONE), c=commune, v=rng.choice(VALLEYS),
        f=rng.choice(FABLAB_OF), k=rng.choice(CAFE),
    )


#: Qualifiers that tell apart two places that would otherwise share a name in one
#: commune (real places do this: "La Ruche Saint-Michel", "La Ruche Bastide").
QUALIFIERS = ["Centre", "Gare", "Bastide", "Les Halles", "Port", "Saint-Michel", "Bourg",
              "Les Chartrons", "Quartier Nord", "Rive Droite", "Le Lac", "Les Vignes"]

#: Street names without people's names, so an address never looks like a contact.
STREETS = ["rue de la Gare", "rue des Écoles", "avenue de la Liberté", "place du Marché",
           "chemin du Moulin", "allée des Tilleuls", "rue du Port", "impasse de l'Église",
           "rue des Jardins", "boulevard du Château", "rue de la Fontaine", "quai des Chartrons",
           "route des Vignes", "rue de la Poste", "avenue du Stade", "rue des Acacias"]


def street_address(rng: np.random.Generator) -> str:
    """A plausible street address (number and street) with no person's name in it."""
    return f"{int(rng.integers(1, 120))} {rng.choice(STREETS)}"


def unique_name(name: str, commune_code: str, taken: set) -> str:
    """``name``, qualified if another place of the commune already uses it.

    Two distinct places with one name in one commune would be merged by any honest
    linkage; the demo must not plant that trap by accident.
    """
    candidate, extra = name, 0
    while (candidate.casefold(), commune_code) in taken:
        qualifier = QUALIFIERS[extra % len(QUALIFIERS)]
        candidate = f"{name} {qualifier}" + (f" {extra // len(QUALIFIERS) + 1}"
                                             if extra >= len(QUALIFIERS) else "")
        extra += 1
    taken.add((candidate.casefold(), commune_code))
    return candidate


#: Job titles as typed, with the role a human coder would give them.
TITLES: dict[str, str] = {
    "Coordinateur·rice": "facilitateur", "coordinatrice du tiers-lieu": "facilitateur",
    "Facilitatrice": "facilitateur", "facilitateur.rice": "facilitateur",
    "Couteau suisse": "facilitateur", "responsable du lieu": "facilitateur",
    "concierge": "facilitateur", "Coordinateur": "facilitateur",
    "Fab manager": "fab_manager", "fabmanager": "fab_manager",
    "Chargé(e) de communication": "communication",
    "Médiatrice numérique": "mediation_numerique",
    "Conseiller numérique France Services": "mediation_numerique",
    "Hôte·sse d'accueil": "accueil", "Animateur / animatrice": "animation",
    "Comptable": "administration", "Assistante administrative": "administration",
    "Directeur": "direction", "Gérante": "direction", "Cuisinier": "cuisine",
    "Régisseur atelier": "regie", "Chargée de projet": "projet",
    "Agent polyvalent": "autre", "Développeur web": "autre",
}
FACILITATOR_TITLES = [t for t, role in TITLES.items() if role == "facilitateur"]
OTHER_TITLES = [t for t, role in TITLES.items() if role != "facilitateur"]
# Frequent titles first: a few roles make most of the jobs, as in the real survey.
_OTHER_WEIGHTS = np.array([6, 4, 8, 5, 4, 4, 8, 4, 5, 3, 2, 2, 3, 5, 1, 1], dtype=float)


def other_title(rng: np.random.Generator) -> str:
    """A job title that is not a facilitator's."""
    return str(rng.choice(OTHER_TITLES, p=_OTHER_WEIGHTS / _OTHER_WEIGHTS.sum()))


def facilitator_title(rng: np.random.Generator) -> str:
    return str(rng.choice(FACILITATOR_TITLES))


COMMENTS = [
    "RAS", "Merci pour ce questionnaire !", "Chiffres approximatifs, année compliquée.",
    "Questionnaire un peu long...", "Bravo à l'équipe de la Coopérative.",
    "Le lieu ferme en août.", "Nous cherchons un local plus grand.",
    "Réponses faites avec l'équipe lors de la réunion mensuelle.",
]
COMMENTS_WITH_NAME = [
    "Pour les chiffres, voir avec {n}.", "{n} est partie en cours d'année.",
    "Merci à {n} pour son aide.", "Contact à privilégier : {n}.",
]

EMAIL_DOMAINS = ["gmail.com", "orange.fr", "laposte.net", "free.fr", "wanadoo.fr"]
# Landline prefix of each département: 05 for the whole South-West.
LANDLINE = {"16": "05 45", "17": "05 46", "19": "05 55", "23": "05 55", "24": "05 53",
            "33": "05 56", "40": "05 58", "47": "05 53", "64": "05 59", "79": "05 49",
            "86": "05 49", "87": "05 55"}


def ascii_slug(text: str, sep: str = ".") -> str:
    """Lower-case ASCII letters and digits joined by ``sep`` (for e-mail addresses)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = "".join(ch if ch.isalnum() else " " for ch in plain.lower()).split()
    return sep.join(words)


def email(rng: np.random.Generator, first: str, last: str, place: str) -> str:
    local = f"{ascii_slug(first)}.{ascii_slug(last)}" if rng.random() < 0.6 else "contact"
    domain = (f"{ascii_slug(place, '')[:20] or 'tierslieu'}.fr" if local == "contact"
              or rng.random() < 0.3 else str(rng.choice(EMAIL_DOMAINS)))
    return f"{local}@{domain}"


def phone(rng: np.random.Generator, departement: str) -> str:
    digits = [f"{int(x):02d}" for x in rng.integers(0, 100, size=4)]
    kind = rng.random()
    if kind < 0.45:
        prefix = LANDLINE.get(departement, "01 4" + str(int(rng.integers(0, 10))))
        return f"{prefix} {' '.join(digits[:3])}"
    mobile = str(rng.choice(["6", "7"]))
    if kind < 0.75:
        return f"0{mobile} {' '.join(digits)}"
    return f"+33 {mobile} {' '.join(digits)}"
