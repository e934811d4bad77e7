"""One writer per survey tool: how each wave's export looks, byte for byte.

The wave's codebook says which column holds which variable and with which labels; a
:class:`Layout` adds what the tool itself puts around the answers (technical columns,
encoding, delimiter, date format, tick marks) and the columns the codebook does not
map. Writers return bytes; :mod:`tlresearch.demo.files` puts them on disk.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tlresearch.demo import mess
from tlresearch.demo.junk import TOTAL_VARIABLES
from tlresearch.demo.mess import Style
from tlresearch.spec.codebook import Codebook, ColumnMapping, JobSlots, MultiColumns, MultiDelimited

#: Fixed time stamped inside XLSX files, so two runs give the same bytes.
FIXED_TIME = dt.datetime(2017, 6, 1, 0, 0, 0)
COUNTS = {"staff_total", "cdi", "cdd", "other_contracts", "volunteers", "civic_service",
          "interns", "board_members", "users_count"}
AMOUNTS = {"surface_m2", "revenue_eur", "public_funding_eur"}


@dataclass(frozen=True)
class Layout:
    """What a survey tool adds around the answers of one wave."""

    style: Style
    date_format: str | None  # None: native dates (XLSX)
    tick: tuple = ("Y", "")
    tech: str = "none"  # name of the technical-columns function below
    lead: tuple[str, ...] = ()
    trail: tuple[str, ...] = ()
    before: dict[str, str] = field(default_factory=dict)  # tech column -> mapped column
    extras: dict[str, tuple[str, ...]] = field(default_factory=dict)  # unmapped questions
    keeps_incomplete: bool = True
    incomplete_value: str = ""
    blank_submit_if_incomplete: bool = False
    total_row: bool = False
    sort_by_name: bool = False
    writer: str = "csv"  # csv | xlsx | xlsx_grouped
    encoding: str = "utf-8"
    delimiter: str = ";"
    quote_all: bool = False
    line_end: str = "\n"


_LIME_LEAD = ("id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp")
_KOBO_TRAIL = ("_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status",
               "_submitted_by", "__version__", "_tags", "_index")
_GF_STYLE = Style(free_text=True, decimal_sep=",", siret_mode="spaces")

LAYOUTS: dict[int, Layout] = {
    2017: Layout(Style(free_text=True, decimal_sep=",", siret_mode="excel",
                       drop_leading_zero=True),
                 "%d/%m/%Y", tech="row_number", lead=("N°",), keeps_incomplete=False,
                 total_row=True, sort_by_name=True, encoding="cp1252", line_end="\r\n"),
    2018: Layout(Style(siret_mode="none"), "%Y-%m-%d %H:%M:%S", tech="limesurvey",
                 lead=_LIME_LEAD, before={"TYPE[other]": "STATUT"},
                 blank_submit_if_incomplete=True, encoding="utf-8-sig", quote_all=True),
    2019: Layout(Style(siret_mode="spaces"), "%Y-%m-%d %H:%M:%S", tech="limesurvey",
                 lead=_LIME_LEAD, before={"TYPE[other]": "STATUT"},
                 extras={"SATISF": ("A1", "A2", "A3", "A4", "")},
                 blank_submit_if_incomplete=True, encoding="utf-8-sig", quote_all=True),
    2020: Layout(_GF_STYLE, "%d/%m/%Y %H:%M:%S", lead=("Horodateur", "Adresse e-mail"),
                 extras={"Avez-vous dû fermer pendant le premier confinement ?":
                         ("Oui", "Non", "Partiellement")},
                 keeps_incomplete=False, delimiter=","),
    2021: Layout(_GF_STYLE, "%d/%m/%Y %H:%M:%S", lead=("Horodateur", "Adresse e-mail"),
                 keeps_incomplete=False, delimiter=","),
    2022: Layout(Style(siret_mode="none"), "%Y-%m-%dT%H:%M:%S", tick=("1", "0"), tech="kobo",
                 lead=("start", "end"), trail=_KOBO_TRAIL,
                 before={"activites/types": "activites/types/coworking"},
                 keeps_incomplete=False),
    2023: Layout(Style(native=True, siret_mode="number"), None, tick=("X", None), tech="row_id",
                 lead=("ID", "Horodatage", "Statut"), incomplete_value="Partielle",
                 writer="xlsx"),
    2024: Layout(Style(native=True, siret_mode="number"), None, tick=("Oui", "Non"),
                 tech="row_id", lead=("ID", "Statut"), incomplete_value="Partielle",
                 writer="xlsx_grouped"),
    2025: Layout(Style(free_text=True, decimal_sep=",", siret_mode="spaces"),
                 "%Y-%m-%d %H:%M:%S", tick=("X", ""), tech="framaforms",
                 lead=("Numéro", "SID", "Heure de soumission", "Brouillon", "Adresse IP",
                       "UID", "Nom d'utilisateur"),
                 extras={"Souhaitez-vous recevoir la lettre d'information ?": ("Oui", "Non")},
                 incomplete_value="Oui", delimiter="\t"),
}

#: Group headers of the 2024 export (merged cells above the column names).
GROUPS = {
    "Réponse": {"submitted_at"},
    "Identification": {"place_name", "address", "postcode", "commune_name", "commune_code",
                       "siret"},
    "Activités": {"place_types", "legal_status", "opening_year", "surface_m2", "users_count"},
    "Emploi": COUNTS - {"users_count"} | {"etp", "jobs"},
    "Finances": AMOUNTS - {"surface_m2"},
    "Contact": {"contact_name", "contact_email", "contact_phone", "comments"},
}


def header(layout: Layout, cb: Codebook) -> list[str]:
    """Column names in the tool's order: technical lead, questions, extras, trail."""
    cols = list(layout.lead)
    fixed = set(layout.lead) | set(layout.trail)
    inserts = {target: tech for tech, target in layout.before.items()}
    for column in cb.raw_columns():
        if column in fixed or column in cols:
            continue
        if column in inserts:
            cols.append(inserts[column])
        cols.append(column)
    cols += list(layout.extras) + list(layout.trail)
    missing = set(cb.ignore) - set(cols)
    if missing:
        raise ValueError(f"wave {cb.wave}: ignored columns never written: {sorted(missing)}")
    return cols


def render(rng: np.random.Generator, records: list[dict], layout: Layout, cb: Codebook
           ) -> tuple[list[str], list[dict]]:
    """Header and cells (dicts column -> value) of every record, in export order."""
    if layout.sort_by_name:
        key = lambda r: (r["kind"] == "total", str(r.get("place_name")).lower(), r.get("place_id", ""))  # noqa: E731
    else:
        key = lambda r: (r["submitted_at"], r["place_id"])  # noqa: E731
    ordered = sorted(records, key=key)
    tech = TECH[layout.tech]
    rows = []
    for k, rec in enumerate(ordered, start=1):
        cells = _answers(rng, rec, layout, cb)
        cells.update(tech(rng, rec, k, layout))
        for column, choices in layout.extras.items():
            cells[column] = str(rng.choice(choices)) if rec["kind"] != "total" else ""
        rows.append(cells)
    return header(layout, cb), rows


def _answers(rng, rec: dict, layout: Layout, cb: Codebook) -> dict:
    style, out = layout.style, {}
    kind = rec["kind"]
    answered = rec.get("answered")
    override = rec.get("override", {})
    for var, m in cb.variables.items():
        if answered is not None and var not in answered:
            continue
        if kind == "total" and var not in {"place_name", *TOTAL_VARIABLES}:
            continue
        if var in override:
            out[m.column] = override[var]
        elif isinstance(m, MultiColumns):
            for code, column in m.options.items():
                out[column] = layout.tick[0] if code in rec["types"] else layout.tick[1]
        elif isinstance(m, MultiDelimited):
            picked = [mess.label(rng, c, m.labels) for c in dict.fromkeys(m.labels.values())
                      if c in rec["types"]]
            out[m.column] = m.separator.join(picked)
        elif isinstance(m, JobSlots):
            for k, (title_col, contract_col) in enumerate(m.slots):
                if k < len(rec["jobs"]):
                    title, contract = rec["jobs"][k]
                    out[title_col] = title
                    if contract_col:
                        out[contract_col] = mess.label(rng, contract, m.contract_labels)
        elif kind == "total" and var != "place_name":
            value = rec.get(var)
            out[m.column] = "" if value is None else mess.plain(value, style.decimal_sep)
        else:
            out[m.column] = _value(rng, var, rec, m, layout)
    if cb.completeness:
        complete = cb.completeness.complete_values[0]
        if kind == "incomplete":
            out[cb.completeness.column] = (
                str(max(1, int(int(complete) * rec["page_share"]))) if complete.isdigit()
                else layout.incomplete_value)
            if layout.blank_submit_if_incomplete and "submitted_at" in cb.variables:
                out[cb.variables["submitted_at"].column] = ""
        elif kind != "total":
            out[cb.completeness.column] = complete
    return out


def _value(rng, var: str, rec: dict, m: ColumnMapping, layout: Layout):
    style, value = layout.style, rec.get(var)
    blank_zero = m.blank == "zero"
    if var == "commune_name":
        return rec["former"][1] if rec.get("former") else mess.commune_name(rng, value)
    if var == "commune_code":
        if rec.get("former"):
            return rec["former"][0]
        if rng.random() < mess.RATES["postcode_as_code"] and rec.get("postcode"):
            return mess.code(rec["postcode"], style)
        return mess.code(value, style)
    if var == "postcode":
        return mess.code(value, style)
    if var == "siret":
        return mess.siret(rng, value, style)
    if var == "legal_status":
        return mess.label(rng, value, m.labels)
    if var == "opening_year":
        return mess.year(rng, value, style)
    if var in COUNTS:
        return mess.count(rng, value, style, blank_zero)
    if var == "etp":
        return mess.etp(rng, value, style, blank_zero)
    if var in AMOUNTS:
        return mess.amount(rng, value, style, blank_zero)
    if var == "submitted_at":
        stamp = pd.Timestamp(value).to_pydatetime()
        return stamp if layout.date_format is None else stamp.strftime(layout.date_format)
    return "" if mess.is_missing(value) else str(value)


# Technical columns each tool adds (ignored by the codebooks).
def _none(rng, rec, k, layout) -> dict:
    return {}


def _row_number(rng, rec, k, layout) -> dict:
    return {"N°": "" if rec["kind"] == "total" else str(k)}


def _row_id(rng, rec, k, layout) -> dict:
    return {"ID": k}


def _limesurvey(rng, rec, k, layout) -> dict:
    when = pd.Timestamp(rec["submitted_at"])
    start = when - pd.Timedelta(seconds=int(rng.integers(240, 2400)))
    other = str(rng.choice(["Ludothèque", "Recyclerie"])) if rng.random() < 0.03 else ""
    return {"id": str(k), "startlanguage": "fr", "seed": str(int(rng.integers(10**8, 10**9))),
            "startdate": start.strftime(layout.date_format),
            "datestamp": when.strftime(layout.date_format), "TYPE[other]": other}


def _kobo(rng, rec, k, layout) -> dict:
    when = pd.Timestamp(rec["submitted_at"])
    start = when - pd.Timedelta(seconds=int(rng.integers(300, 1800)))
    iso = lambda t: f"{t:%Y-%m-%dT%H:%M:%S}.{int(rng.integers(0, 1000)):03d}+01:00"  # noqa: E731
    uuid = "-".join(f"{int(x):0{n}x}" for x, n in zip(
        rng.integers(0, [16**8, 16**4, 16**3, 16**4, 16**12], dtype=np.int64), [8, 4, 3, 4, 12]))
    uuid = uuid[:14] + "4" + uuid[14:]
    return {"start": iso(start), "end": iso(when - pd.Timedelta(seconds=2)),
            "activites/types": " ".join(sorted(rec["types"])), "_id": str(183_000_000 + 7 * k),
            "_uuid": uuid, "_validation_status": "", "_notes": "", "_status": "submitted_via_web",
            "_submitted_by": "", "__version__": "vQ3b9XhTf7KpZs2mRcN4dw", "_tags": "",
            "_index": str(k)}


def _framaforms(rng, rec, k, layout) -> dict:
    a, b, c = (int(x) for x in rng.integers(1, 255, 3))
    return {"Numéro": str(k), "SID": str(4000 + k), "Adresse IP": f"10.{a}.{b}.{c}",
            "UID": "0", "Nom d'utilisateur": "Anonyme"}


TECH: dict[str, Callable] = {"none": _none, "row_number": _row_number, "row_id": _row_id,
                             "limesurvey": _limesurvey, "kobo": _kobo, "framaforms": _framaforms}


def to_bytes(layout: Layout, cb: Codebook, columns: list[str], rows: list[dict],
             readme: list[str]) -> bytes:
    """Serialise a rendered export the way the tool does."""
    if layout.writer == "csv":
        return _csv(layout, columns, rows)
    return _xlsx(layout, columns, rows, readme, _groups(cb))


def _csv(layout: Layout, columns, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=layout.delimiter, lineterminator=layout.line_end,
                        quoting=csv.QUOTE_ALL if layout.quote_all else csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c, "") for c in columns])
    # An Excel re-save replaces what cp1252 cannot hold by "?".
    return buffer.getvalue().encode(layout.encoding, errors="replace")


def _xlsx(layout: Layout, columns, rows, readme: list[str], group_of: dict[str, str]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.properties.creator = "tlresearch demo"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    ws = wb.active
    if layout.writer == "xlsx":
        ws.title = "Lisez-moi"
        for line in readme:
            ws.append([line])
        ws = wb.create_sheet("Réponses")
    else:
        ws.title = "Export"
        groups = [group_of.get(c, "Réponse") for c in columns]
        ws.append(groups)
        start = 0
        for k in range(1, len(columns) + 1):
            if k == len(columns) or groups[k] != groups[start]:
                for j in range(start + 1, k):
                    ws.cell(row=1, column=j + 1).value = None
                if k - start > 1:
                    ws.merge_cells(start_row=1, start_column=start + 1, end_row=1, end_column=k)
                start = k
    ws.append(columns)
    for row in rows:
        ws.append([row.get(c) if row.get(c) != "" else None for c in columns])
    for cells in ws.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "dd/mm/yyyy hh:mm:ss"
    buffer = io.BytesIO()
    wb.save(buffer)
    return stable_zip(buffer.getvalue())


def _groups(cb: Codebook) -> dict[str, str]:
    """Group header of each mapped column of a grouped export."""
    out = {}
    for var, m in cb.variables.items():
        group = next((g for g, members in GROUPS.items() if var in members), "Réponse")
        for column in m.raw_columns():
            out[column] = group
    return out


def stable_zip(data: bytes) -> bytes:
    """Rewrite an XLSX archive with fixed entry dates and document times.

    openpyxl stamps the save time in ``docProps/core.xml`` and zipfile stamps every
    entry with the current time; both would change the bytes on every run.
    """
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            payload = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                payload = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                                 rb"\g<1>" + stamp, payload)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, payload)
    return out.getvalue()
