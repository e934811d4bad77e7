"""What earlier codebooks teach about a new export: headers and answer labels seen before.

``tlresearch codebook draft`` compares every column of a new export with every column
an earlier codebook mapped (the lab's own in ``codebooks/`` and the demo's seven
layouts shipped with the package) and with the variable catalogue's French labels.
This module gathers those spellings; :mod:`tlresearch.ingest.codebook_draft` scores them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tlresearch.core.errors import DataError
from tlresearch.io.cells import fold
from tlresearch.spec.codebook import (
    ColumnMapping,
    JobSlots,
    MultiColumns,
    MultiDelimited,
    find_codebooks,
    load_codebook,
)
from tlresearch.spec.variables import catalogue, contract_labels

#: The demo's codebooks: seven survey tools' spellings, shipped with the package.
DEMO_CODEBOOKS = Path(__file__).resolve().parents[1] / "demo" / "codebooks"

#: Columns survey tools add on their own, as their French exports spell them.
TOOL_HEADERS = {
    "derniere page": ("complete",), "lastpage": ("complete",), "brouillon": ("complete",),
    "date de soumission": ("var", "submitted_at"), "heure de soumission": ("var", "submitted_at"),
    "date de reponse": ("var", "submitted_at"), "horodateur": ("var", "submitted_at"),
    "intitules des postes": ("job_title",), "intitule du poste": ("job_title",),
    "postes salaries": ("job_title",), "type de contrat": ("job_contract",),
    "submission time": ("var", "submitted_at"),
}

#: Usual French words for a variable, beside its catalogue label (folded).
SYNONYMS = {
    "courriel": "contact_email", "adresse e mail": "contact_email", "e mail": "contact_email",
    "email": "contact_email", "telephone": "contact_phone", "remarques": "comments",
    "commentaire": "comments", "adresse": "address", "adresse postale": "address",
    "surface": "surface_m2", "etp": "etp", "siret": "siret", "benevoles": "volunteers",
    "stagiaires": "interns", "service civique": "civic_service", "cdi": "cdi", "cdd": "cdd",
    "autres contrats": "other_contracts", "code insee": "commune_code",
    "code postal": "postcode", "salaries": "staff_total", "commune": "commune_name",
    "ville": "commune_name", "nom du lieu": "place_name", "nom du tiers lieu": "place_name",
    "usagers": "users_count", "administrateurs": "board_members",
    # People's columns (kept in data/restricted) and the sentences of a form (issue 20).
    "adresse electronique": "contact_email", "adresse mail": "contact_email",
    "mail": "contact_email", "courriel du repondant": "contact_email",
    "nom et prenom": "contact_name", "prenom et nom": "contact_name",
    "nom du repondant": "contact_name", "votre nom": "contact_name",
    "personne a contacter": "contact_name", "numero ou vous joindre": "contact_phone",
    "portable": "contact_phone", "numero de telephone": "contact_phone",
    "votre fonction": "contact_function", "fonction du repondant": "contact_function",
    "votre fonction dans le lieu": "contact_function", "fonction": "contact_function",
    "superficie": "surface_m2", "surface du lieu": "surface_m2", "m2": "surface_m2",
    "personnes benevoles": "volunteers", "benevoles s investissent": "volunteers",
    "annee d ouverture": "opening_year", "lieu a t il ouvert": "opening_year",
    "activites": "place_types", "activites proposees": "place_types",
    "type de lieu": "place_types", "types de lieu": "place_types",
}

#: Short option names (KoboToolbox's ``type_lieu/atelier``), folded -> option code.
OPTION_WORDS = {"atelier": "atelier_partage", "cafe": "cafe_associatif",
                "makerspace": "fablab", "epn": "mediation_numerique", "other": "autre",
                "autre": "autre", "nourricier": "tiers_lieu_nourricier", "culture": "culturel"}

#: Sentences a form asks about jobs, beside the headers of :data:`TOOL_HEADERS`.
JOB_SENTENCES = ("metiers exercent vos salaries", "metiers de vos salaries",
                 "postes de vos salaries", "fonctions de vos salaries", "intitules de poste",
                 "intitules des postes salaries")

_OPTION = re.compile(r"\[(.+)\]\s*$|[:/]\s*([^:/]+)$")


@dataclass
class Knowledge:
    """Spellings seen before, folded, each with what it meant and where it was seen.

    ``headers``: folded header -> (target, source); a target is ``("var", name)``,
    ``("option", code)``, ``("job_title",)``, ``("job_contract",)`` or ``("complete",)``.
    ``labels``: variable -> folded answer label -> code. ``complete_values``: folded
    completeness header -> values meaning "finished".
    """

    headers: dict[str, tuple[tuple, str]] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    contract_labels: dict[str, str] = field(default_factory=dict)
    complete_values: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def add_header(self, text: str, target: tuple, source: str) -> None:
        key = fold(text)
        if key and key not in self.headers:
            self.headers[key] = (target, source)


def option_part(header: str) -> str | None:
    """The option of a multi-choice header: ``Types [Fablab]`` or ``Types : Fablab``."""
    match = _OPTION.search(header)
    return (match.group(1) or match.group(2)).strip() if match else None


def gather(codebook_dirs: list[Path], before_wave: int | None = None) -> Knowledge:
    """Knowledge from the codebooks of ``codebook_dirs`` (waves before ``before_wave``)
    and from the catalogue's labels."""
    knowledge = Knowledge()
    for directory in codebook_dirs:
        for wave, path in sorted(find_codebooks(directory).items(), reverse=True):
            if before_wave is not None and wave >= before_wave:
                continue
            try:
                codebook = load_codebook(path)
            except DataError:
                continue  # a broken codebook teaches nothing; check reports it
            where = "demo codebook" if directory == DEMO_CODEBOOKS else "codebook"
            _learn(knowledge, codebook, f"{where} {wave}")
    for text, target in TOOL_HEADERS.items():
        knowledge.add_header(text, target, "survey tools")
    for text, code in OPTION_WORDS.items():
        knowledge.add_header(text, ("option", code), "usual words")
    for text in JOB_SENTENCES:
        knowledge.add_header(text, ("job_title",), "survey tools")
    for text, name in SYNONYMS.items():
        knowledge.add_header(text, ("var", name), "usual words")
    for name, variable in catalogue().items():
        if variable.type == "multi":
            for code, label in variable.values.items():
                knowledge.add_header(label, ("option", code), "catalogue")
                knowledge.labels.setdefault(name, {}).setdefault(fold(label), code)
        elif variable.type != "jobs":
            knowledge.add_header(variable.label, ("var", name), "catalogue")
            for code, label in variable.values.items():
                knowledge.labels.setdefault(name, {}).setdefault(fold(label), code)
                knowledge.labels[name].setdefault(fold(code), code)
    for code, label in contract_labels().items():
        knowledge.contract_labels.setdefault(fold(label), code)
        knowledge.contract_labels.setdefault(fold(code), code)
    return knowledge


def _learn(knowledge: Knowledge, codebook, source: str) -> None:
    for name, mapping in codebook.variables.items():
        if isinstance(mapping, JobSlots):
            for title, contract in mapping.slots:
                knowledge.add_header(title, ("job_title",), source)
                if contract:
                    knowledge.add_header(contract, ("job_contract",), source)
            for label, code in mapping.contract_labels.items():
                knowledge.contract_labels.setdefault(fold(label), code)
        elif isinstance(mapping, MultiColumns):
            for code, column in mapping.options.items():
                knowledge.add_header(option_part(column) or column, ("option", code), source)
        elif isinstance(mapping, MultiDelimited):
            knowledge.add_header(mapping.column, ("var", name), source)
            for label, code in mapping.labels.items():
                knowledge.labels.setdefault(name, {}).setdefault(fold(label), code)
                knowledge.add_header(label, ("option", code), source)  # a column next time
        elif isinstance(mapping, ColumnMapping):
            knowledge.add_header(mapping.column, ("var", name), source)
            for label, code in (mapping.labels or {}).items():
                knowledge.labels.setdefault(name, {}).setdefault(fold(label), code)
    if codebook.completeness:
        knowledge.add_header(codebook.completeness.column, ("complete",), source)
        knowledge.complete_values.setdefault(fold(codebook.completeness.column),
                                             codebook.completeness.complete_values)
