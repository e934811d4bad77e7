"""Follow places across waves: give every response the pseudonymous id of its place.

The survey has no stable identifier: each year a place answers again, sometimes
with its SIRET, sometimes under a new name or with a typo. Linkage walks the waves
in order and attaches each response to a place already known, by the strongest
evidence available:

1. an override written by the lab (``overrides/place_links.csv``);
2. the same SIRET (a SIRET match wins over a name mismatch: the place was renamed);
3. the same normalised name in the same commune (``commune_key``);
4. a similar name in the same commune (:func:`rapidfuzz.fuzz.token_set_ratio` at
   least ``threshold``), flagged in the quality log for review;
5. otherwise a new place.

A place's keys accumulate (every SIRET and every name/commune pair it answered
with), so a place renamed in wave 3 whose SIRET was given in wave 1 stays one
place. Two responses of the same wave are never the same place unless an
override says so (duplicate submissions are removed before linkage), and a
response carrying a SIRET never links by name to a place that has a different
SIRET (different legal entities).

Why ``token_set_ratio``: respondents add or drop whole words from one year to the
next ("La Ruche" / "La Ruche Numérique" / "Ruche numérique Marmande"), which this
scorer forgives, while it still tells apart "Atelier Vélo" and "Atelier Bois"
(75). It also gives 100 when one name's words are a subset of the other's; that is
acceptable only because candidates are restricted to the same commune and every
fuzzy link is reported for review. ``WRatio`` was rejected: it mixes partial-string
scores whose behaviour is hard to explain to the lab.

The returned table is the link table: the caller writes it to
``processed/place_links.parquet`` so the lab can review links and write overrides.
"""
from __future__ import annotations

from collections import defaultdict
from os import PathLike
from pathlib import Path

import pandas as pd

from tlresearch.core.errors import DataError
from tlresearch.core.quality_log import Issue
from tlresearch.ingest.place_matching import (
    DEFAULT_THRESHOLD,
    Link,
    PlaceIndex,
    ResponseKeys,
    issue_about,
    normalise_address,
    normalise_place_name,
)
from tlresearch.io.small_tables import read_small_table

METHODS = ("override", "siret", "name_commune", "address_commune", "fuzzy_name_commune", "new")
LINK_COLUMNS = ["response_id", "place_id", "link_method", "link_score", "linked_to"]
OVERRIDE_COLUMNS = ["response_id", "same_place_as", "new_place"]
_REQUIRED = ["response_id", "wave", "place_name", "commune_key", "siret"]
_YES = {"yes", "oui", "y", "o", "true", "vrai", "1", "x"}


def _with_address(responses: pd.DataFrame) -> pd.DataFrame:
    """The required columns plus the optional ``address``, ``source_file`` and
    ``source_row`` (the file and row a person opens to check a link) and ``demo``."""
    frame = responses[_REQUIRED]  # copied on write: no copy of the columns themselves
    for optional in ("address", "source_file", "source_row", "demo"):
        frame[optional] = responses[optional] if optional in responses else pd.NA
    return frame


# --- overrides -----------------------------------------------------------------


def _empty_overrides() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="string") for c in OVERRIDE_COLUMNS})
    frame["new_place"] = pd.Series(dtype="boolean")
    frame["row"] = pd.Series(dtype="Int64")
    return frame


def load_link_overrides(path: str | PathLike) -> pd.DataFrame:
    """Read the lab's linkage decisions (``overrides/place_links.csv``).

    Each row either forces two responses into one place (``response_id``,
    ``same_place_as``) or, with ``same_place_as`` empty and ``new_place`` = ``yes``,
    forbids linking ``response_id`` to any earlier place.

    Parameters
    ----------
    path
        The CSV (comma or semicolon separated, UTF-8). A missing file means no
        override. Blank lines are skipped; other columns are ignored.

    Returns
    -------
    DataFrame
        ``response_id``, ``same_place_as`` (missing for a forced new place),
        ``new_place`` (boolean) and ``row`` (the row in the file, header = 1).

    Raises
    ------
    DataError
        A column is missing (``missing_column``), or a row says nothing, both things
        at once or links a response to itself (``invalid_override``).
    """
    path = Path(path)
    if not path.exists():
        return _empty_overrides()
    raw = read_small_table(path)
    if not len(raw.columns):
        return _empty_overrides()
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    for column in ("response_id", "same_place_as"):
        if column not in raw.columns:
            raise DataError(f"the overrides file has no column {column!r}",
                            file=str(path), column=column, rule="missing_column")
    if "new_place" not in raw.columns:
        raw["new_place"] = ""
    rows = []
    for position, record in enumerate(raw[OVERRIDE_COLUMNS].itertuples(index=False)):
        file_row = position + 2
        rid, other, new = (str(v).strip() for v in record)
        if not (rid or other or new):
            continue
        is_new = new.lower() in _YES
        if new and not is_new and new.lower() not in {"no", "non", "n", "false", "faux", "0"}:
            raise DataError(f"new_place must be yes or empty, not {new!r}", file=str(path),
                            row=file_row, column="new_place", rule="invalid_override")
        if not rid or (bool(other) == is_new) or rid == other:
            raise DataError("a row needs a response_id and either same_place_as (another "
                            "response) or new_place = yes", file=str(path), row=file_row,
                            column="same_place_as", rule="invalid_override")
        rows.append((rid, other or None, is_new, file_row))
    frame = pd.DataFrame(rows, columns=[*OVERRIDE_COLUMNS, "row"])
    if frame.empty:
        return _empty_overrides()
    frame = frame.astype({"response_id": "string", "same_place_as": "string",
                          "new_place": "boolean", "row": "Int64"})
    frame.attrs["file"] = str(path)
    return frame


# --- linkage -------------------------------------------------------------------


def link_places(
    responses: pd.DataFrame,
    overrides: pd.DataFrame | None = None,
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> tuple[pd.DataFrame, list[Issue]]:
    """Attach every response to a place, carried from wave to wave.

    Parameters
    ----------
    responses
        One row per response: ``response_id`` (unique), ``wave``, ``place_name``,
        ``commune_key`` (INSEE code when resolved, else the folded commune name) and
        ``siret`` (a valid SIRET or missing, checked by the caller).
    overrides
        The lab's decisions, as returned by :func:`load_link_overrides`.
    threshold
        Minimum :func:`~rapidfuzz.fuzz.token_set_ratio` of two normalised names in
        the same commune for a fuzzy link.

    Returns
    -------
    links : DataFrame
        One row per response, in the input order and index: ``response_id``,
        ``place_id``, ``link_method`` (one of :data:`METHODS`), ``link_score`` (100
        for exact and override links, the fuzzy score, missing when the response
        starts a place, including one forced new by an override) and ``linked_to``
        (the latest response of the place that carried the matching key, or the
        override's partner; missing when the response starts a place). The caller
        writes it to ``processed/place_links.parquet`` for review.
    issues : list of Issue
        ``override_unknown_response`` (reported) for an override naming a response
        not in ``responses``, ``override_conflict`` (reported) when a response is
        forced into two different places, and ``fuzzy_link`` (flagged) for every
        fuzzy link, its value the two normalised names joined by ``" ~ "``.

    Raises
    ------
    DataError
        A required column is missing, a ``response_id`` is missing or repeated, or
        an override forces a response to be new and also into an earlier place
        (``conflicting_override``).

    Notes
    -----
    Waves are processed in increasing order. Within a wave, overrides apply first,
    then the responses are matched in passes, strongest evidence first (SIRET,
    exact name, fuzzy name), each pass in ``response_id`` order, so a fuzzy guess
    never takes a place that another response of the wave claims by SIRET. Ties go
    to the best score, then the place seen most recently, then the smallest
    ``place_id``.

    Examples
    --------
    >>> responses = pd.DataFrame({
    ...     "response_id": ["a", "b"], "wave": [2023, 2024],
    ...     "place_name": ["La Ruche", "Ruche (La)"], "commune_key": ["47157", "47157"],
    ...     "siret": [pd.NA, pd.NA]})
    >>> links, issues = link_places(responses)
    >>> links["link_method"].tolist()
    ['new', 'name_commune']
    """
    _check_input(responses)
    # Communes and file names repeat down a wave: each distinct one is kept once, not
    # once per response (a million responses would hold a million copies).
    seen: dict[str, str] = {}
    items = sorted(
        (ResponseKeys(str(r.response_id), int(r.wave), normalise_place_name(r.place_name),
                      _shared(seen, _scoped(r, r.commune_key)), _scoped(r, r.siret),
                      normalise_address(r.address), _shared(seen, _text(r.source_file)) or None,
                      None if pd.isna(r.source_row) else int(r.source_row))
         for r in _with_address(responses).itertuples(index=False)),
        key=lambda r: (r.wave, r.response_id),
    )
    del seen
    # Positions serve the lab's overrides only: without any, a million responses need
    # no such table.
    order = ({r.response_id: position for position, r in enumerate(items)}
             if overrides is not None and not overrides.empty else {})
    linker = PlaceIndex(threshold)
    forced_new, partners = _read_overrides(overrides, order, linker.issues)

    by_wave: dict[int, list[ResponseKeys]] = defaultdict(list)
    for response in items:
        by_wave[response.wave].append(response)
    for wave, batch in by_wave.items():  # items are sorted, so waves come in order
        pending, same_wave = [], []
        for response in batch:
            rid = response.response_id
            earlier = [p for p in partners.get(rid, ()) if order[p] < order[rid]]
            if rid in forced_new:
                if earlier:
                    raise DataError(
                        f"response {rid} is forced to be a new place and also into "
                        f"the place of {', '.join(sorted(earlier))}",
                        file=overrides.attrs.get("file"), column="same_place_as",
                        rule="conflicting_override", wave=wave)
                linker.attach(response, None, "override")
            elif not earlier:
                pending.append(response)
            elif any(items[order[p]].wave == wave for p in earlier):
                same_wave.append((response, earlier))  # once its partner has a place
            else:
                _link_to_partner(linker, response, earlier, order)
        linker.link_automatically(pending)
        # Partners in this wave come first in response_id order, so they are placed.
        for response, earlier in same_wave:
            _link_to_partner(linker, response, earlier, order)

    links, issues = linker.links, linker.issues
    # The indexes of known places are let go before the table of links is built.
    del linker, items, order, by_wave
    return _links_frame(responses, links), issues


def _shared(seen: dict[str, str], text: str) -> str:
    """``text``, or the equal string met before: one copy of a value repeated down a wave."""
    return seen.setdefault(text, text)


def _link_to_partner(linker: PlaceIndex, response: ResponseKeys, earlier: list[str],
                     order: dict[str, int]) -> None:
    """Join the place of the most recent earlier partner named by an override."""
    target = max(earlier, key=order.__getitem__)
    places = {linker.links[p][0] for p in earlier}
    if len(places) > 1:
        linker.issues.append(issue_about(
            response, "override_conflict", "reported", "same_place_as", response.response_id,
            f"response {response.response_id} is forced into {len(places)} different "
            f"places; it joins the place of {target}, its most recent partner"))
    linker.attach(response, linker.links[target][0], "override", 100.0, target)


def _is_yes(value) -> bool:
    if value is None or pd.isna(value):
        return False
    if isinstance(value, str):
        return value.strip().lower() in _YES
    return bool(value)


def _text(value) -> str:
    return "" if value is None or pd.isna(value) else str(value).strip()


def _scoped(response, key) -> str:
    """A key of a demo response never equals a key of a real one (optional ``demo`` column):
    fictitious places must not be linked to real ones."""
    text = _text(key)
    return f"demo|{text}" if text and _is_yes(getattr(response, "demo", None)) else text


def _check_input(responses: pd.DataFrame) -> None:
    missing = [c for c in _REQUIRED if c not in responses.columns]
    if missing:
        raise DataError(f"responses lack column(s) {', '.join(missing)}",
                        column=missing[0], rule="missing_column")
    if responses["response_id"].isna().any() or responses["wave"].isna().any():
        raise DataError("every response needs a response_id and a wave",
                        column="response_id", rule="missing_value")
    duplicated = responses["response_id"].astype(str).duplicated()
    if duplicated.any():
        first = responses["response_id"][duplicated].iloc[0]
        raise DataError(f"response_id {first} appears more than once",
                        column="response_id", rule="duplicate_response_id")


def _read_overrides(overrides: pd.DataFrame | None, order: dict[str, int],
                    issues: list[Issue]) -> tuple[set[str], dict[str, list[str]]]:
    """Forced-new responses and, for each response, the responses forced with it."""
    forced_new: set[str] = set()
    partners: dict[str, list[str]] = defaultdict(list)
    if overrides is None or overrides.empty:
        return forced_new, partners
    source = overrides.attrs.get("file")
    for record in overrides.itertuples(index=False):
        row = getattr(record, "row", None)
        row = None if row is None or pd.isna(row) else int(row)
        rid, other = _text(record.response_id), _text(record.same_place_as)
        unknown = [(c, v) for c, v in (("response_id", rid), ("same_place_as", other))
                   if v and v not in order]
        for column, value in unknown:
            issues.append(Issue(
                rule="override_unknown_response", action="reported", file=source, row=row,
                column=column, value=value,
                message=f"the override names response {value}, which is not in the "
                        "data; the row is ignored"))
        if unknown:
            continue
        if other:
            partners[rid].append(other)
            partners[other].append(rid)
        elif _is_yes(getattr(record, "new_place", None)):
            forced_new.add(rid)
    return forced_new, partners


def _links_frame(responses: pd.DataFrame, links: dict[str, Link]) -> pd.DataFrame:
    """The links in the order of ``responses``, built a chunk at a time.

    Each chunk's Python lists become Arrow columns before the next is made, so the
    table costs its own size, not a list of objects per response besides.
    """
    step = 20_000
    ids = responses["response_id"]
    parts = []
    for start in range(0, max(len(ids), 1), step):
        chunk = ids.iloc[start:start + step]
        rows = [links[str(rid)] for rid in chunk]
        frame = pd.DataFrame(
            {
                "response_id": chunk.astype(str).to_numpy(),
                "place_id": [r[0] for r in rows],
                "link_method": [r[1] for r in rows],
                "link_score": [r[2] for r in rows],
                "linked_to": [r[3] for r in rows],
            },
            index=chunk.index,
        )
        parts.append(frame.astype({"response_id": "string", "place_id": "string",
                                   "link_method": "string", "link_score": "Float64",
                                   "linked_to": "string"}))
    return pd.concat(parts) if len(parts) > 1 else parts[0]
