"""French words for every code a page shows: types of place, contracts, roles, rules...

The panel keeps short codes (``atelier_partage``, ``cdi``, ``duplicate_submission``);
a reader sees French. The labels come from the catalogues that define the codes
(``schema/variables.yaml``, ``vocab/*.yaml``) so that a new type or role needs no
code here; only the quality rules and actions, which the ingest code defines, are
labelled below. A code with no label is shown as it is, so nothing disappears.

Examples
--------
>>> french_label("typology", "atelier_partage")
'Atelier partagé'
>>> french_label("rule", "duplicate_submission")
'Réponse envoyée deux fois (doublon)'
>>> french_label("bool", True)
'Oui'
"""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:
    import pandas as pd

#: Rules of the quality log and the quarantine, in French.
RULE_LABELS = {
    "date_to_year": "Date ramenée à l'année",
    "siret_reformatted": "SIRET remis en forme",
    "unit_stripped": "Unité retirée d'un nombre",
    "word_number": "Nombre écrit en lettres",
    "address_link": "Lieu relié par son adresse",
    "commune_resolution_note": "Commune retrouvée avec une réserve",
    "commune_unknown": "Commune introuvable",
    "fuzzy_link": "Lieu relié par un nom approchant",
    "unknown_job_title": "Intitulé de poste non reconnu",
    "unknown_role": "Rôle inconnu",
    "cdi_cdd_above_staff": "CDI + CDD au-delà de l'effectif déclaré",
    "duplicate_submission": "Réponse envoyée deux fois (doublon)",
    "duplicate_response_id": "Identifiant de réponse en double",
    "etp_above_headcount": "ETP supérieurs à 1,5 fois l'effectif",
    "incomplete_response": "Réponse inachevée",
    "opening_after_wave": "Année d'ouverture postérieure à la vague",
    "range_cdi": "Nombre de CDI hors des bornes",
    "total_row": "Ligne de total",
    "encoding_detected": "Encodage du fichier détecté",
    "unmapped_column": "Colonne non rattachée au livre de codes",
    "not_known": "Réponse « ne sait pas » (valeur manquante)",
    "siret_scientific_notation": "SIRET illisible (notation scientifique)",
    "missing_value": "Valeur manquante",
    "vocabulary": "Réponse hors du vocabulaire",
    "one_response_per_place": "Plusieurs réponses d'un même lieu",
    "place_id_collision": "Identifiant de lieu en conflit",
    "blank_title": "Intitulé de poste vide",
}

#: What the ingest did to a value or a row.
ACTION_LABELS = {
    "corrected": "Corrigée",
    "flagged": "Signalée",
    "quarantined": "Mise en quarantaine",
    "reported": "Signalement",
    "set_missing": "Rendue manquante",
}

BOOL_LABELS = {True: "Oui", False: "Non"}


@lru_cache(maxsize=1)
def _catalogues() -> dict[str, dict[str, str]]:
    from tlresearch.ingest.roles import role_labels
    from tlresearch.spec.variables import catalogue, contract_labels
    from tlresearch.stats.indicator_catalogue import catalogue as indicators
    from tlresearch.stats.indicator_catalogue import indicator_settings

    variables = catalogue()
    splits = dict(indicator_settings()["split_value_labels"])
    places = {**dict(variables["place_types"].values), **splits}
    return {
        "typology": places,
        "place_type": places,
        "legal_status": {**dict(variables["legal_status"].values), **splits},
        "territorial_class": splits,
        "role": role_labels(),
        "contract": dict(contract_labels()),
        "indicator": {code: ind.label for code, ind in indicators().items()},
        "rule": RULE_LABELS,
        "action": ACTION_LABELS,
    }


def french_label(kind: str, code: Any) -> str:
    """The French label of ``code`` of a kind (``typology``, ``role``, ``rule``...).

    ``kind="bool"`` gives Oui / Non; ``kind="departement"`` the name with the code
    (``Gironde (33)``). An unknown code is returned as text, never dropped.
    """
    from tlresearch.core.formats import MISSING, is_missing

    if is_missing(code):
        return MISSING
    if kind == "bool":
        return BOOL_LABELS.get(bool(code), str(code))
    if kind == "departement":
        from tlresearch.report.territory import territory_label

        return territory_label(str(code))
    labels = _catalogues().get(kind)
    if labels is None:
        raise KeyError(f"no French labels for {kind!r}; known: "
                       f"{', '.join([*_catalogues(), 'bool', 'departement'])}")
    return labels.get(str(code), str(code))


def relabel(frame: "pd.DataFrame", kinds: Mapping[str, str]) -> "pd.DataFrame":
    """A copy of ``frame`` whose columns named in ``kinds`` carry French labels.

    Examples
    --------
    >>> import pandas as pd
    >>> relabel(pd.DataFrame({"r": ["total_row"]}), {"r": "rule"})["r"].tolist()
    ['Ligne de total']
    """
    out = frame.copy()
    for column, kind in kinds.items():
        out[column] = [french_label(kind, v) for v in out[column]]
    return out


__all__ = ["french_label", "relabel", "RULE_LABELS", "ACTION_LABELS", "BOOL_LABELS"]
