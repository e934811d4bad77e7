"""A lab's data folder: created by ``tlresearch init``, kept apart from the demo.

``init`` lays out the folders the README describes, with a French guide and the
override templates, and never overwrites a file the lab may have edited. The demo
survey (``tlresearch demo``: codebooks with ``demo: true``, raw files named
``DEMO_*``) must live in a folder of its own: a real wave ingested beside nine
fictitious ones was linked to fictitious places and drawn as one trend, so ingest
refuses a folder that holds both (:func:`check_demo_separation`).
"""
from __future__ import annotations

from pathlib import Path

from tlresearch.core.errors import DataError, UsageError
from tlresearch.core.paths import DataPaths
from tlresearch.core.settings import (
    DEFAULT_LICENCE,
    Settings,
    load_settings,
    settings_from_mapping,
    settings_path,
    write_settings,
)
from tlresearch.core.storage import atomic_write_bytes
from tlresearch.geo.names import check_region, checked_settings
from tlresearch.spec.codebook import find_codebooks, load_codebook

#: The marker the demo puts in the name of every raw file it writes.
DEMO_MARK = "DEMO_"

#: Override templates: the header line of each CSV the lab fills in.
OVERRIDE_TEMPLATES = {
    "place_links.csv": "response_id,same_place_as,new_place\n",
    "roles.csv": "title,role\n",
    "communes.csv": "response_id,place_id,commune_code,comment\n",
}

README = """\
# Dossier de données de l'enquête tiers-lieux

Créé par `tlresearch init`. `reseau.yaml` dit à qui est l'enquête : la région (code
INSEE), le réseau crédité sous chaque tableau et au pied des PDF, la licence des
tableaux publiés, un contact et un logo facultatifs. Chaque commande le lit : inutile
de redonner `--region`. Le modifier change le crédit de chaque page au prochain
`tlresearch report`. Chaque dossier a un rôle :

- `raw/<année>/` : les exports tels que reçus (CSV, XLSX, « .xls » de Framaforms…),
  déposés par vous et jamais modifiés ensuite ;
- `codebooks/<année>.yaml` : comment lire chaque colonne d'une vague (écrit par vous ;
  `tlresearch codebook draft` en propose un brouillon) ;
- `overrides/` : vos corrections (`communes.csv`, `place_links.csv`, `roles.csv`) ;
- `processed/` : le panel construit par `tlresearch ingest` ;
- `restricted/` : noms, courriels, téléphones, texte libre ; à ne pas diffuser.

## Ajouter une vague

1. Copier l'export dans `raw/2026/` sans le modifier ni le renommer.
2. `tlresearch --data-dir CE_DOSSIER codebook draft raw/2026/FICHIER --wave 2026`
   écrit `codebooks/2026.yaml` : chaque ligne porte en commentaire la preuve et la
   confiance ; les colonnes non reconnues sont listées à la fin.
3. Relire le brouillon : `header_row` compte les lignes comme un tableur les affiche
   (la première ligne vaut 1) ; `split: "; "` coupe une cellule qui liste plusieurs
   intitulés de postes ; `format: "%d/%m/%Y - %H:%M"` lit les dates.
4. `tlresearch --data-dir CE_DOSSIER codebook check 2026` vérifie le codebook sur le
   fichier sans rien écrire (colonnes, libellés, valeurs, changements depuis la vague
   précédente).
5. `tlresearch --data-dir CE_DOSSIER ingest`, puis `tlresearch --data-dir CE_DOSSIER report`.

## Corriger une commune

`overrides/communes.csv` : une ligne par réponse (`response_id`, ex. `2026-000042`)
ou par lieu (`place_id`), et le code INSEE de la commune (`commune_code`, 5 caractères,
ex. `33063`). Les identifiants se lisent dans `processed/responses.parquet` et dans le
journal de qualité (`commune_unresolved`).

## Données de démonstration

`tlresearch demo` écrit une enquête **fictive** (fichiers `DEMO_*`). Elle doit rester
dans un autre dossier : `ingest` refuse un dossier qui mélange vagues fictives et
vagues réelles.
"""


def init_data_folder(root: str | Path, region: str | None = None, publisher: str | None = None,
                     network: str | None = None, licence: str | None = None,
                     contact: str | None = None, logo: str | None = None) -> list[str]:
    """Create a data folder (or complete one); return the files written.

    Existing files are left as they are: a template the lab edited is never
    replaced. With ``region`` (and the other settings), ``reseau.yaml`` says whose
    survey the folder holds (:mod:`tlresearch.core.settings`); a folder whose settings
    name another region is refused rather than silently changed.

    Raises
    ------
    UsageError
        When ``root`` exists and is not a folder, a setting is wrong (unknown region
        code, a name of more than 300 characters), or the folder's settings already
        name another region.
    """
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} exists and is not a folder")
    settings = None
    if region is not None or publisher is not None:
        settings = _init_settings(root, region, publisher, network, licence, contact, logo)
    paths = DataPaths(root)
    for folder in (paths.raw, paths.codebooks, paths.overrides, paths.processed,
                   paths.restricted):
        folder.mkdir(parents=True, exist_ok=True)
    written = []
    files = {root / "README.md": README,
             **{paths.overrides / name: text for name, text in OVERRIDE_TEMPLATES.items()}}
    for path, text in files.items():
        if not path.exists():
            atomic_write_bytes(path, text.encode("utf-8"))
            written.append(path.relative_to(root).as_posix())
    if settings is not None and write_settings(root, settings):
        written.append(settings_path(root).name)
    return written


def _init_settings(root: Path, region, publisher, network, licence, contact,
                   logo) -> Settings:
    """The settings ``init`` writes, checked before any folder is created."""
    if region is None:
        raise UsageError("--publisher needs --region (the INSEE code of the survey's region)")
    settings = settings_from_mapping(
        {"region": region, "publisher": publisher, "network": network,
         "licence": licence or DEFAULT_LICENCE, "contact": contact, "logo": logo},
        file="tlresearch init")
    check_region(settings.region, "--region")
    if settings_path(root).exists():
        existing = load_settings(root)
        if existing.region != settings.region:
            raise UsageError(f"{settings_path(root)} already says region {existing.region}: "
                             f"edit it rather than init --region {settings.region}")
    return settings


def is_demo_codebook(codebook) -> bool:
    """A demo wave: the codebook says ``demo: true`` or reads a ``DEMO_*`` file."""
    return bool(codebook.demo) or DEMO_MARK in Path(codebook.file).name


def check_demo_separation(paths: DataPaths) -> None:
    """Refuse a data folder holding both demo and real waves.

    Codebooks that cannot be read are skipped here: ingest reports them itself.

    Raises
    ------
    UsageError
        With the waves of each kind, and what to do.
    """
    demo, real = [], []
    for wave, path in sorted(find_codebooks(paths.codebooks).items()):
        try:
            codebook = load_codebook(path)
        except DataError:
            continue
        (demo if is_demo_codebook(codebook) else real).append(wave)
    if demo and real:
        raise UsageError(
            f"{paths.root} mixes demo waves ({_span(demo)}, fictitious) and real waves "
            f"({_span(real)}): keep the demo in a folder of its own "
            "(tlresearch --data-dir OTHER demo) and remove its codebooks from this one")


def _span(waves: list[int]) -> str:
    return f"{waves[0]}-{waves[-1]}" if len(waves) > 2 else ", ".join(map(str, waves))


def folder_region(paths: DataPaths, given: str | None, all_too: bool = True) -> str:
    """The region a command works on: the data folder's, or ``--region`` when it agrees.

    A folder with settings needs no ``--region``; one that contradicts them is refused
    (one line, exit 2), since a report titled for one region and built on another's
    folder would publish the wrong network's figures. ``all`` (every region) is
    accepted where the command has it: it includes the folder's own region.
    """
    settings = checked_settings(paths.root)
    if given is None:
        return settings.region
    if given == "all" and all_too:
        return given
    check_region(given)
    # A region whose network the settings name too (other_regions) is no contradiction.
    if settings.explicit and given != settings.region and given not in settings.other_regions:
        raise UsageError(f"--region {given} contradicts {settings_path(paths.root)} "
                         f"(region {settings.region}): drop --region, or edit the file")
    return given
