"""Registers of places (e.g. the CGET 2019 national register) read as lists of places.

A register is not a survey wave: it lists places with a name, an address, a postcode,
an INSEE code and coordinates. It goes through the same readers and value parsers
as the survey; its contact columns go to ``data/restricted`` like the survey's.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from tlresearch.core.errors import MissingColumnError
from tlresearch.core.paths import DataPaths
from tlresearch.core.quality_log import MASK, Issue, issues_frame
from tlresearch.core.storage import write_parquet
from tlresearch.geo.communes import resolve_communes
from tlresearch.io import cells as values
from tlresearch.io.raw_tables import read_table

#: Columns of the CGET 2019 register, mapped to the names the library uses.
CGET_COLUMNS = {
    "ID": "register_id",
    "NOM_TL": "place_name",
    "ADRESSE": "address",
    "CP": "postcode",
    "NOMCOM": "declared_commune_name",
    "INSEECOM": "declared_commune_code",
    "TYPO": "typology_raw",
    "LAT": "latitude",
    "LONG": "longitude",
    "PRECISION": "geocoding_score",
    "WEB": "website",
}
#: Personal data of the register: kept apart, never in a processed table.
CGET_RESTRICTED = {"CONTACT": "contact_name", "MAIL": "contact_email"}
CGET_TYPOLOGY = {
    "tiers lieux a dominante coworking": "coworking",
    "tiers lieux a dominante fablab": "fablab",
}


def read_register(path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame, list[Issue]]:
    """Read a CGET-style register.

    Returns
    -------
    places, contacts, issues
        ``places`` has one row per register row (none dropped): ``place_name``,
        ``address``, ``postcode``, ``declared_commune_name``, ``declared_commune_code``
        (NA where the register says ``0``), ``typology`` (coworking / fablab / NA),
        ``latitude``, ``longitude``, ``geocoding_score``; ``contacts`` the personal columns.
    """
    raw = read_table(path)
    name = raw.name
    missing = [c for c in ("NOM_TL", "CP", "INSEECOM") if c not in raw.frame.columns]
    if missing:
        raise MissingColumnError("a register needs NOM_TL, CP and INSEECOM",
                                 file=name, column=missing[0], rule="required_column")
    # Deny by default: only values of the public columns we read may enter the log.
    issues = [i if i.column in CGET_COLUMNS or i.column is None else
              Issue(i.rule, i.action, i.message, file=i.file, row=i.row, column=i.column,
                    value=None if i.value is None else MASK, wave=i.wave)
              for i in raw.issues]
    frame = raw.frame
    out = pd.DataFrame({"source_row": pd.array(raw.rows, dtype="Int64")})
    for source, target in CGET_COLUMNS.items():
        out[target] = frame[source].to_numpy() if source in frame else pd.NA

    def parse(column, parser):
        parsed = []
        for row, value in zip(raw.rows, out[column]):
            result, rule = parser(value) if isinstance(value, str) else (None, None)
            if rule and not (column == "declared_commune_code" and value == "0"):
                issues.append(Issue(rule, "flagged" if result is not None else "set_missing",
                                    f"{column}: {rule}", file=name, row=row, column=column,
                                    value=value))
            parsed.append(result)
        return parsed

    out["declared_commune_code"] = pd.array(
        parse("declared_commune_code", values.normalise_commune_code), dtype="string")
    out["postcode"] = pd.array(parse("postcode", values.normalise_postcode), dtype="string")
    for column in ("latitude", "longitude", "geocoding_score"):
        out[column] = pd.array(parse(column, values.parse_decimal), dtype="Float64")
    out["typology"] = out["typology_raw"].map(
        lambda v: CGET_TYPOLOGY.get(values.fold(v)) if isinstance(v, str) else None).astype("string")
    for column in ("register_id", "place_name", "address", "declared_commune_name", "website",
                   "typology_raw"):
        out[column] = out[column].astype("string")
    contacts = pd.DataFrame({"register_id": out["register_id"]})
    for source, target in CGET_RESTRICTED.items():
        contacts[target] = (frame[source].to_numpy() if source in frame else pd.NA)
    contacts = contacts.astype("string")
    return out, contacts, issues


def run_register(paths: DataPaths, path: str | Path) -> pd.DataFrame:
    """Read a register, resolve its communes and write it (places public, contacts restricted)."""

    places, contacts, issues = read_register(path)
    resolved = resolve_communes(places.rename(columns={
        "declared_commune_code": "commune_code", "declared_commune_name": "commune_name"}))
    places = pd.concat([places, resolved], axis=1)
    write_parquet(paths.processed_table("register"), places)
    write_parquet(paths.restricted_table("register_contacts"), contacts)
    write_parquet(paths.processed_table("register_quality_log"), issues_frame(issues))
    return places
