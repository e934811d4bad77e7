"""The data dictionary: every variable, its type, allowed values and the waves that asked it.

Generated from ``schema/variables.yaml`` (what a variable means and its rules) and
from the codebooks (which waves map it), so it cannot drift from the code.
"""
from __future__ import annotations

import pandas as pd

from tlresearch.core.paths import DataPaths
from tlresearch.spec.codebook import find_codebooks, load_codebook
from tlresearch.spec.variables import catalogue

#: Columns the library derives (not asked in the survey), with their meaning.
DERIVED = {
    "response_id": ("string", "Identifiant de la réponse : vague et ligne du fichier brut"),
    "place_id": ("string", "Identifiant pseudonyme et stable du lieu, d'une vague à l'autre"),
    "wave": ("year", "Vague d'enquête (année)"),
    "demo": ("boolean", "Vrai si la réponse vient de l'enquête de démonstration (données fictives)"),
    "commune_code": ("code", "Code INSEE de la commune actuelle (après résolution)"),
    "commune_name": ("string", "Nom de la commune actuelle"),
    "epci_code": ("code", "SIREN de l'EPCI (intercommunalité) de la commune"),
    "epci_name": ("string", "Nom de l'EPCI"),
    "departement_code": ("code", "Code du département"),
    "region_code": ("code", "Code de la région"),
    "territorial_class": ("category", "Classe territoriale de la commune : urbain, périurbain, rural "
                          "(densité et population, voir tlresearch.geo.territorial_class)"),
    "resolution_method": ("category", "Comment la commune a été trouvée "
                                      "(code, ancien code, code postal + nom...)"),
    "typology": ("category", "Type principal : le seul type coché, « hybride » si plusieurs"),
}


def data_dictionary(paths: DataPaths | None = None) -> pd.DataFrame:
    """One row per canonical variable and per derived column.

    Columns: ``variable``, ``type``, ``label``, ``allowed_values``, ``range``,
    ``required``, ``restricted``, ``waves`` (comma-separated waves whose codebook maps
    it; ``toutes`` for derived columns), ``description``.
    """
    waves_of: dict[str, list[int]] = {}
    if paths is not None and paths.codebooks.is_dir():
        for wave, path in find_codebooks(paths.codebooks).items():
            for name in load_codebook(path).variables:
                waves_of.setdefault(name, []).append(wave)
    rows = []
    for name, (kind, label) in DERIVED.items():
        rows.append({"variable": name, "type": kind, "label": label, "allowed_values": None,
                     "range": None, "required": False, "restricted": False,
                     "waves": "toutes", "description": "dérivée par tlresearch"})
    for variable in catalogue().values():
        bounds = None
        if variable.min is not None or variable.max is not None:
            bounds = f"[{_number(variable.min)} ; {_number(variable.max)}]"
        allowed = "; ".join(f"{code} = {label}" for code, label in variable.values.items()) or None
        rows.append({
            "variable": variable.name, "type": variable.type, "label": variable.label,
            "allowed_values": allowed, "range": bounds, "required": variable.required,
            "restricted": variable.restricted,
            "waves": ",".join(str(w) for w in sorted(waves_of.get(variable.name, []))) or None,
            "description": variable.description.strip() or None,
        })
    frame = pd.DataFrame(rows)
    return frame.astype({c: "string" for c in frame.columns if c not in {"required", "restricted"}}
                        | {"required": "boolean", "restricted": "boolean"})


def _number(value) -> str:
    if value is None:
        return "…"
    return f"{value:g}"


def _text(value) -> str:
    return "" if pd.isna(value) else str(value)


def dictionary_markdown(dictionary: pd.DataFrame, demo: bool = False) -> str:
    """The dictionary as a Markdown table, for people who do not open Parquet."""
    lines = ["# Dictionnaire des données du panel", ""]
    if demo:
        lines += ["> **Données fictives** : panel construit sur l'enquête de démonstration.", ""]
    lines += ["| Variable | Type | Libellé | Valeurs | Bornes | Vagues | Restreinte |",
              "|---|---|---|---|---|---|---|"]
    for row in dictionary.itertuples(index=False):
        cells = [_text(row.variable), _text(row.type), _text(row.label),
                 _text(row.allowed_values), _text(row.range), _text(row.waves),
                 "oui" if row.restricted is True else ""]
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"
