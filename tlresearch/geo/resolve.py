"""Resolution of any list of places (a CSV or XLSX table) to current communes.

The lab receives lists of places from partners in every shape: the CGET register
(``INSEECOM``, ``CP``, ``NOMCOM``, ``LAT``/``LONG``), a department's spreadsheet
(``code_insee``, ``commune``), a geocoded export (``x_wgs84``/``y_wgs84``). This
module finds the columns by their usual spellings (or takes them explicitly), and
adds the resolution columns of :mod:`tlresearch.geo.communes` to every row, keeping
every input row and column in order: nothing is dropped, unresolved rows are
flagged.

Evidence, strongest first: a valid current INSEE code; a former code (commune
déléguée or associée) mapped to its commune nouvelle; postcode + name (fuzzy); the
point in polygon of the coordinates. When the coordinates fall in another commune
than the one chosen, the stronger evidence is kept, the other is recorded in
``resolution_note``, and the row is counted in ``resolution_disagreement``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from tlresearch.core.errors import DataError, UsageError
from tlresearch.core.paths import DEFAULT_REGION
from tlresearch.geo.communes import resolve_communes
from tlresearch.io import cells as values
from tlresearch.io.xlsx_reader import sheet_names

#: Usual spellings of each kind of column, most specific first (compared folded:
#: lowercase, no accents, no punctuation).
COLUMN_SPELLINGS = {
    "code": ["inseecom", "code insee", "codeinsee", "insee", "numcom", "code commune insee",
             "code commune", "codecommune", "depcom", "cog", "code com", "com insee"],
    "postcode": ["cp", "code postal", "codepostal", "postcode", "postal code", "zip"],
    "name": ["nomcom", "nom commune", "commune", "nom de la commune", "libelle commune",
             "ville", "city", "cominit"],
    "lat": ["lat", "latitude", "y wgs84", "lat wgs84", "wgs84 lat", "y"],
    "lon": ["long", "lon", "lng", "longitude", "x wgs84", "lon wgs84", "wgs84 lon", "x"],
}

#: Coordinates outside this box are not metropolitan France...
LATITUDE_RANGE = (41.0, 51.5)
LONGITUDE_RANGE = (-5.5, 10.0)
#: ...unless they fall in one of the overseas departments (971-976): (lat, lon) boxes.
OVERSEAS_BOXES = (
    ((15.8, 16.6), (-61.9, -60.9)),    # Guadeloupe
    ((14.3, 15.0), (-61.3, -60.7)),    # Martinique
    ((2.0, 6.0), (-54.7, -51.5)),      # Guyane
    ((-21.5, -20.8), (55.2, 55.9)),    # La Réunion
    ((-13.1, -12.6), (44.9, 45.4)),    # Mayotte
)

#: Methods weaker than coordinates: a look-alike name does not beat a point elsewhere.
WEAKER_THAN_POINT = {"name_fuzzy", "postcode_name_fuzzy", "postcode_only"}


@dataclass(frozen=True)
class ColumnChoice:
    """Which input column holds each kind of evidence (None: absent).

    ``fallbacks`` lists further columns of the same kind, used where the chosen one
    is empty (the CGET register has ``NOMCOM`` and, as first declared, ``COMINIT``).
    """

    code: str | None = None
    postcode: str | None = None
    name: str | None = None
    lat: str | None = None
    lon: str | None = None
    fallbacks: tuple[tuple[str, str], ...] = ()


def detect_columns(header: list[str], **explicit: str | None) -> ColumnChoice:
    """Find the evidence columns of a table by their usual spellings.

    Parameters
    ----------
    header
        The table's column names.
    **explicit
        ``code=``, ``postcode=``, ``name=``, ``lat=``, ``lon=``: column names given by
        the user, which win over detection.

    Raises
    ------
    UsageError
        When an explicit column is not in the header, or no evidence column at all
        can be found.

    Examples
    --------
    >>> detect_columns(["ID", "NOM_TL", "CP", "INSEECOM", "NOMCOM", "LAT", "LONG"])
    ColumnChoice(code='INSEECOM', postcode='CP', name='NOMCOM', lat='LAT', lon='LONG', fallbacks=())
    """
    folded = {values.fold(column): column for column in reversed(header)}
    chosen: dict = {}
    fallbacks = []
    for kind, spellings in COLUMN_SPELLINGS.items():
        given = explicit.get(kind)
        if given is not None:
            if given not in header:
                raise UsageError(f"column {given!r} (given for {kind}) is not in the table; "
                                 f"columns: {', '.join(header)}")
            chosen[kind] = given
            continue
        found = [folded[s] for s in spellings if s in folded]
        chosen[kind] = found[0] if found else None
        if kind in {"code", "name"}:
            fallbacks += [(kind, column) for column in found[1:]]
    if (chosen["lat"] is None) != (chosen["lon"] is None):
        chosen["lat"] = chosen["lon"] = None
    if not any(chosen.values()):
        raise UsageError("no INSEE code, postcode, commune name or coordinates column found; "
                         "name them with --code / --postcode / --name / --lat --lon")
    return ColumnChoice(**chosen, fallbacks=tuple(fallbacks))


def resolve_table(table: pd.DataFrame, columns: ColumnChoice | None = None,
                  region: str = DEFAULT_REGION) -> pd.DataFrame:
    """Add the resolution columns to ``table`` (same rows, same order, same columns first).

    Output column names that already exist in the input get the suffix ``_resolu``
    so that no input column is overwritten. ``resolution_disagreement`` is True
    where two kinds of evidence pointed to different communes.
    """
    columns = columns or detect_columns(list(table.columns))
    evidence = _evidence(table, columns)
    resolved = resolve_communes(evidence, region=region)
    resolved["resolution_disagreement"] = False
    if columns.lat and columns.lon:
        _add_point_evidence(evidence, resolved, region)
    resolved["resolution_disagreement"] = resolved["resolution_disagreement"].astype("boolean")
    renamed = {c: (f"{c}_resolu" if c in table.columns else c) for c in resolved.columns}
    out = pd.concat([table.reset_index(drop=True),
                     resolved.reset_index(drop=True).rename(columns=renamed)], axis=1)
    out.attrs["disagreements"] = int(resolved["resolution_disagreement"].sum())
    out.attrs["unresolved"] = int((resolved["resolution_method"] == "unresolved").sum())
    return out


def _evidence(table: pd.DataFrame, columns: ColumnChoice) -> pd.DataFrame:
    def parsed(column, parser):
        if column is None:
            return pd.Series(pd.NA, index=table.index, dtype="object")
        return table[column].map(lambda v: parser(str(v))[0] if pd.notna(v) else None)

    evidence_fill: dict[str, list[pd.Series]] = {}

    for kind, column in columns.fallbacks:
        target = "commune_code" if kind == "code" else "commune_name"
        parser = values.normalise_commune_code if kind == "code" else (
            lambda v: (values.normalise_text(v), None))
        extra = parsed(column, parser)
        evidence_fill.setdefault(target, []).append(extra)
    evidence = pd.DataFrame({
        "commune_code": parsed(columns.code, values.normalise_commune_code),
        "postcode": parsed(columns.postcode, values.normalise_postcode),
        "commune_name": (table[columns.name].map(values.normalise_text, na_action="ignore")
                         if columns.name else pd.NA),
        "lat": parsed(columns.lat, values.parse_decimal),
        "lon": parsed(columns.lon, values.parse_decimal),
    }, index=table.index)
    for target, series in evidence_fill.items():
        for extra in series:
            evidence[target] = evidence[target].where(evidence[target].notna(), extra)
    return evidence


def _coordinates_win(resolved: pd.DataFrame, pos, code: str, region: str, why: str,
                     method: str, score: float) -> None:
    """Row ``pos`` takes commune ``code`` from its coordinates; ``why`` leads its note and
    the evidence it overrode is flagged as a disagreement."""
    from tlresearch.geo.communes import describe_commune

    for key, value in describe_commune(code, region).items():
        resolved.at[pos, key] = value
    note = resolved.at[pos, "resolution_note"]
    resolved.at[pos, "resolution_note"] = f"{why}; {note}" if pd.notna(note) else why
    resolved.at[pos, "resolution_method"] = method
    resolved.at[pos, "resolution_score"] = score
    resolved.at[pos, "resolution_disagreement"] = True


def _add_point_evidence(evidence: pd.DataFrame, resolved: pd.DataFrame, region: str) -> None:
    """Use the coordinates: alone when nothing else resolved, as a check otherwise."""
    from tlresearch.geo import reference as geography
    from tlresearch.geo.communes import describe_commune

    lat = pd.to_numeric(evidence["lat"], errors="coerce")
    lon = pd.to_numeric(evidence["lon"], errors="coerce")
    usable = lat.between(*LATITUDE_RANGE) & lon.between(*LONGITUDE_RANGE)
    for lat_range, lon_range in OVERSEAS_BOXES:
        usable |= lat.between(*lat_range) & lon.between(*lon_range)
    if not usable.any():
        return
    at = pd.Series(pd.NA, index=evidence.index, dtype="object")
    at[usable] = geography.commune_at(lat[usable].to_numpy(), lon[usable].to_numpy(),
                                      region=None).to_numpy()
    for pos in evidence.index[usable]:
        point_code = at[pos]
        if pd.isna(point_code):
            continue
        chosen = resolved.at[pos, "commune_code"]
        if resolved.at[pos, "resolution_method"] == "unresolved":
            for key, value in describe_commune(point_code, region).items():
                resolved.at[pos, key] = value
            resolved.at[pos, "resolution_method"] = "point"
            resolved.at[pos, "resolution_score"] = 80.0
        elif chosen != point_code and (homonym := _homonym_at_point(
                resolved, pos, point_code, region)):
            note = (f"name {resolved.at[pos, 'commune_name']!r} gave {chosen} in the region; "
                    f"coordinates in département of its homonym {homonym}, taken")
            _coordinates_win(resolved, pos, homonym, region, note, "point_name", 90.0)
        elif chosen != point_code and resolved.at[pos, "resolution_method"] in WEAKER_THAN_POINT:
            # "Narbonne" is not "Arbonne": coordinates 400 km away win over a look-alike.
            weak = (f"{resolved.at[pos, 'resolution_method']} gave {chosen} "
                    f"({resolved.at[pos, 'commune_name']}), coordinates fall in {point_code}")
            _coordinates_win(resolved, pos, point_code, region, weak, "point", 80.0)
        elif chosen != point_code:
            note = resolved.at[pos, "resolution_note"]
            method = resolved.at[pos, "resolution_method"]
            extra = f"coordinates fall in {point_code}, {method} kept"
            resolved.at[pos, "resolution_note"] = f"{note}; {extra}" if pd.notna(note) else extra
            resolved.at[pos, "resolution_disagreement"] = True


def _homonym_at_point(resolved: pd.DataFrame, pos, point_code: str, region: str) -> str | None:
    """The homonym, in the département of the coordinates, of a commune a name alone chose.

    « Moncontour » is a commune of the Vienne (86) and of the Côtes-d'Armor (22): the
    name found the one in the region, the point lies in the other département. A name
    never beats coordinates that lie elsewhere: the commune of that name in the point's
    département is taken (the point itself may fall just across a boundary).
    """
    from tlresearch.geo.communes import _reference, describe_commune

    if resolved.at[pos, "resolution_method"] != "name_unique":
        return None
    departement = describe_commune(point_code, region)["departement_code"]
    if departement == resolved.at[pos, "departement_code"]:
        return None
    ref = _reference(region)
    same_name = ref.folded_names.get(values.fold(resolved.at[pos, "commune_name"]), set())
    there = [code for code in same_name if ref.current[code]["departement_code"] == departement]
    return there[0] if len(there) == 1 else None


def read_places(path, sheet: str | None = None) -> pd.DataFrame:
    """Read a list of places with the survey readers: every column as text.

    In a workbook, the first sheet whose header has a commune column (code,
    postcode, name or coordinates) is read: open-data files put a metadata sheet
    first. ``sheet`` names it instead.

    Raises
    ------
    UsageError
        No sheet has such a column (a workbook of metadata only).
    """
    from tlresearch.io.raw_tables import read_table

    if sheet is not None:
        return read_table(path, sheet=sheet).frame
    names = sheet_names(path)
    if not names:
        return read_table(path).frame
    for name in names:
        try:
            frame = read_table(path, sheet=name).frame
            detect_columns(list(frame.columns))
        except (UsageError, DataError):
            continue
        return frame
    raise UsageError(f"no sheet of the workbook has an INSEE code, postcode, commune name or "
                     f"coordinates column (sheets: {', '.join(names)}); name one with --sheet")



def write_resolved(table: pd.DataFrame, path) -> None:
    """Write a resolved table by its extension: ``.csv`` (``;``, UTF-8 with BOM, for
    French Excel), ``.xlsx`` or ``.parquet``; atomically."""
    import io
    from pathlib import Path

    from tlresearch.core.storage import atomic_write_bytes, parquet_bytes

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix != ".parquet":  # a spreadsheet opens these: names typed as formulas stay text
        table = table.copy()
        for column in table.columns[table.dtypes.astype(str).isin(["object", "string", "str"])]:
            table[column] = table[column].map(_spreadsheet_text, na_action="ignore")
    if suffix == ".parquet":
        data = parquet_bytes(table)
    elif suffix == ".xlsx":
        buffer = io.BytesIO()
        table.to_excel(buffer, index=False)
        data = buffer.getvalue()
    elif suffix in {".csv", ".txt"}:
        data = table.to_csv(index=False, sep=";").encode("utf-8-sig")
    else:
        raise UsageError(f"cannot write {path.name}: use .csv, .xlsx or .parquet")
    atomic_write_bytes(path, data)


#: Text a spreadsheet would run as a formula (CWE-1236); signed numbers are left alone.
_FORMULA = re.compile(r"[=@\t\r]|[+-](?![\d\s.,()]*$)")


def _spreadsheet_text(value: object) -> object:
    """A cell with a leading apostrophe when a spreadsheet would run it as a formula."""
    if isinstance(value, str) and _FORMULA.match(value):
        return "'" + value
    return value


def summary(table: pd.DataFrame) -> str:
    """A few lines for the terminal: how each row was resolved."""
    method = table["resolution_method"] if "resolution_method" in table else table[
        "resolution_method_resolu"]
    lines = [f"{len(table)} rows"]
    for name, count in method.value_counts().sort_index().items():
        lines.append(f"  {name:<22}{count:>6}")
    lines.append(f"  {'disagreements':<22}{table.attrs.get('disagreements', 0):>6}")
    return "\n".join(lines)
