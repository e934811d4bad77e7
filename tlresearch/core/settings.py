"""Whose survey a data folder holds: the region, the network and how to credit it.

One small YAML file at the root of the data folder, ``reseau.yaml``, written by
``tlresearch init DIR --region 76 --publisher "…"`` and editable by hand::

    region: "76"                                 # code INSEE de la région
    publisher: "Réseau des tiers-lieux d'Occitanie"   # crédité sous chaque tableau
    network: "La Rosée"                          # nom court du réseau (défaut : publisher)
    licence: "Licence Ouverte 2.0"               # licence des tableaux publiés
    licence_url: "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
    contact: "observatoire@example.org"          # facultatif, montré sur l'index
    logo: "logo.png"                             # facultatif, relatif au dossier
    other_regions:                               # facultatif : réseaux d'autres régions
      "75": {publisher: "…"}

Every command, report and helper reads it through :func:`load_settings`, so nothing
about one region or one network is written in the code. A folder without the file (a
folder made before it existed) keeps working as the survey of region
:data:`LEGACY_REGION`, and says so once per process. The file may be UTF-8 or
Windows-1252 (Notepad); names may hold quotes, ``<`` or ``&`` (every output escapes
them); a region code is checked against the official list by
:func:`tlresearch.geo.names.checked_settings`, which every entry point calls.

Examples
--------
>>> s = settings_from_mapping({"region": 76, "publisher": "Réseau « A & B »"})
>>> s.region, s.network_name(), s.credit("76")
('76', 'Réseau « A & B »', 'Réseau « A & B »')
>>> s.source_text(2026)
'Source : enquête annuelle des tiers-lieux 2026, Réseau « A & B » ; traitement tlresearch'
"""
from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

from tlresearch.core.errors import UsageError

#: The settings file, at the root of the data folder.
SETTINGS_FILE = "reseau.yaml"

#: Region of a folder without settings: the survey tlresearch was first written for.
LEGACY_REGION = "75"

#: Licence of the published tables unless the settings say otherwise.
DEFAULT_LICENCE = "Licence Ouverte 2.0"
DEFAULT_LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"

#: Longest text accepted for a name (a pasted paragraph is a mistake, not a name).
MAX_NAME = 300

_KEYS = ("region", "publisher", "network", "licence", "licence_url", "contact", "logo",
         "other_regions")
_REGION = re.compile(r"^\d{2}$")

#: Where the note on a folder without settings goes (the command line sends it to stdout:
#: stderr carries one line, the error, and nothing else).
logger = logging.getLogger("tlresearch.settings")


class SettingsError(UsageError):
    """The settings file cannot be used (names the file and the key)."""


@dataclass(frozen=True)
class Settings:
    """What a data folder says about its survey (see the module docstring)."""

    region: str
    publisher: str = ""
    network: str = ""
    licence: str = DEFAULT_LICENCE
    licence_url: str = DEFAULT_LICENCE_URL
    contact: str = ""
    logo: str = ""
    #: Publishers of other regions' surveys held in the same folder (the national demo).
    other_regions: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    #: False for a folder without a settings file (read as the legacy region).
    explicit: bool = True
    #: The data folder the file was read from (where ``logo`` is found); "" when unknown.
    folder: str = field(default="", compare=False)

    def credit(self, region: str | None = None) -> str:
        """Who is credited for ``region``'s survey; empty when nobody is named."""
        region = self.region if region is None else str(region)
        if region == self.region:
            return self.publisher
        return str(self.other_regions.get(region, {}).get("publisher", ""))

    def network_name(self, region: str | None = None) -> str:
        """The network of ``region`` (its short name, else its publisher)."""
        region = self.region if region is None else str(region)
        if region == self.region:
            return self.network or self.publisher
        other = self.other_regions.get(region, {})
        return str(other.get("network") or other.get("publisher") or "")

    def logo_path(self) -> Path | None:
        """The logo file, when the settings name one that exists in the data folder."""
        if not self.logo or not self.folder:
            return None
        path = Path(self.folder) / self.logo
        return path if path.is_file() else None

    def source_text(self, year: int | str | None = None, region: str | None = None) -> str:
        """The source line under a table, a chart or a printed page."""
        survey = "enquête annuelle des tiers-lieux" + (f" {year}" if year is not None else "")
        credit = self.credit(region)
        return f"Source : {survey}{', ' + credit if credit else ''} ; traitement tlresearch"


def settings_path(root: str | os.PathLike) -> Path:
    """Where the settings of the data folder ``root`` live."""
    return Path(root) / SETTINGS_FILE


def _text(value: Any, key: str, file: str) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise SettingsError(f"{file}: {key} must be a text, not a list or a table")
    text = " ".join(str(value).split())  # a name on one line: no newline in a footer
    if len(text) > MAX_NAME:
        raise SettingsError(f"{file}: {key} is {len(text)} characters long, more than "
                            f"{MAX_NAME}: shorten it")
    return text


def region_code(value: Any, file: str = SETTINGS_FILE, key: str = "region") -> str:
    """A region code as INSEE writes it (``"76"``; ``1`` -> ``"01"``); format only.

    Examples
    --------
    >>> region_code(76), region_code("04"), region_code(4)
    ('76', '04', '04')
    """
    text = str(value).strip() if value is not None else ""
    if text.isdigit() and len(text) == 1:
        text = "0" + text
    if not _REGION.match(text):
        raise SettingsError(f"{file}: {key} {text or '(empty)'!r} is not a region code "
                            "(two digits, e.g. 76 for Occitanie)")
    return text


def settings_from_mapping(data: Mapping[str, Any], file: str = SETTINGS_FILE) -> Settings:
    """Settings from the parsed YAML; one clear line for a wrong key or value."""
    if not isinstance(data, Mapping):
        raise SettingsError(f"{file}: expected keys such as 'region: \"76\"', found "
                            f"{type(data).__name__}")
    unknown = sorted(str(k) for k in data if k not in _KEYS)
    if unknown:
        raise SettingsError(f"{file}: unknown key(s) {', '.join(unknown)}; known: "
                            f"{', '.join(_KEYS)}")
    if "region" not in data:
        raise SettingsError(f"{file}: 'region' is missing (e.g. region: \"76\")")
    others = data.get("other_regions") or {}
    if not isinstance(others, Mapping):
        raise SettingsError(f"{file}: other_regions must map a region code to its publisher")
    other_regions = {}
    for code, entry in others.items():
        entry = entry if isinstance(entry, Mapping) else {"publisher": entry}
        other_regions[region_code(code, file, "other_regions")] = {
            key: _text(entry.get(key), f"other_regions.{code}.{key}", file)
            for key in ("publisher", "network")}
    values = {key: _text(data.get(key), key, file)
              for key in ("publisher", "network", "contact", "logo")}
    return Settings(region=region_code(data["region"], file),
                    licence=_text(data.get("licence"), "licence", file) or DEFAULT_LICENCE,
                    licence_url=(_text(data.get("licence_url"), "licence_url", file)
                                 or DEFAULT_LICENCE_URL),
                    other_regions=other_regions, **values)


def legacy_settings() -> Settings:
    """The settings of a folder that has none: the legacy region, nobody credited."""
    return Settings(region=LEGACY_REGION, explicit=False)


_ANNOUNCED: set[str] = set()


def load_settings(root: str | os.PathLike) -> Settings:
    """The settings of the data folder ``root``.

    A folder without ``reseau.yaml`` is read as the legacy region, and a warning says
    so once per folder and process (the logger ``tlresearch``).

    Raises
    ------
    SettingsError
        The file cannot be decoded or parsed, or a key or value is wrong.
    """
    path = settings_path(root)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        key = str(Path(root).resolve())
        if key not in _ANNOUNCED:
            _ANNOUNCED.add(key)
            logger.warning("%s has no %s: read as the survey of region %s "
                           "(tlresearch init %s --region CODE --publisher NAME writes it)",
                           root, SETTINGS_FILE, LEGACY_REGION, root)
        return legacy_settings()
    except OSError as error:
        raise SettingsError(f"{path}: cannot be read ({error.strerror})") from None
    settings = _parse(data, str(path))
    return replace(settings, folder=str(Path(root)))


def _parse(data: bytes, file: str) -> Settings:
    import yaml

    from tlresearch.core.errors import ReadError
    from tlresearch.core.text_decoding import decode_text

    try:
        text, _ = decode_text(data, file, what="YAML")
    except ReadError as error:
        raise SettingsError(str(error)) from None
    try:
        parsed = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise SettingsError(f"{file}: not valid YAML{where}; put names with « : » or « # » "
                            "between double quotes") from None
    return settings_from_mapping(parsed if parsed is not None else {}, file)


def home_region(data_dir: str | os.PathLike | None = None) -> str:
    """The region of the data folder (``data_dir``, else the default one): the territory
    a computation covers when none is given."""
    from tlresearch.core.paths import DataPaths

    return load_settings(DataPaths.resolve(data_dir).root).region


def settings_yaml(settings: Settings) -> str:
    """The settings file's text, commented in French, every value quoted safely."""
    import json

    def quoted(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML string

    lines = ["# Paramètres du dossier de données : à qui est l'enquête, comment la créditer.",
             "# Lu par chaque commande, chaque rapport et chaque aide de tlresearch.",
             f"region: {quoted(settings.region)}  # code INSEE de la région",
             f"publisher: {quoted(settings.publisher)}  # crédité sous chaque tableau et "
             "dans le pied de page des PDF",
             f"network: {quoted(settings.network)}  # nom court du réseau (vide : publisher)",
             f"licence: {quoted(settings.licence)}  # licence des tableaux publiés",
             f"licence_url: {quoted(settings.licence_url)}",
             f"contact: {quoted(settings.contact)}  # facultatif : montré sur l'index du site",
             f"logo: {quoted(settings.logo)}  # facultatif : image du dossier (PNG ou SVG)"]
    if settings.other_regions:
        lines.append("other_regions:  # réseaux d'autres régions présentes dans le panel")
        for code, entry in sorted(settings.other_regions.items()):
            inner = ", ".join(f"{key}: {quoted(value)}" for key, value in entry.items() if value)
            lines.append(f"  {quoted(code)}: {{{inner}}}")
    return "\n".join(lines) + "\n"


def write_settings(root: str | os.PathLike, settings: Settings, overwrite: bool = False) -> bool:
    """Write ``reseau.yaml`` atomically; an existing file is kept unless ``overwrite``.

    Returns True when the file was written.
    """
    from tlresearch.core.storage import atomic_write_bytes

    path = settings_path(root)
    if path.exists() and not overwrite:
        return False
    atomic_write_bytes(path, settings_yaml(settings).encode("utf-8"))
    return True


__all__ = ["Settings", "SettingsError", "SETTINGS_FILE", "LEGACY_REGION", "load_settings",
           "settings_from_mapping", "legacy_settings", "home_region", "region_code", "settings_path",
           "settings_yaml", "write_settings"]
