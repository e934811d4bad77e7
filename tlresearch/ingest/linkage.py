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

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz, process

from tlresearch.core.errors import DataError
from tlresearch.core.quality_log import Issue
from tlresearch.core.text import fold

#: Default minimum fuzzy score (0-100) for a fuzzy name link.
DEFAULT_THRESHOLD = 88

#: Words respondents add or omit around a place's name: articles, linking words,
#: legal forms and "espace". Type words (coworking, fablab, café...) are kept: one
#: commune can have "Coworking X" and "Fablab X".
STOP_WORDS = frozenset(
    "le la les l un une de du des d et association asso scic scop sas sarl eurl espace".split()
)
#: Phrases dropped from names, as folded words.
STOP_PHRASES = ("tiers lieux", "tiers lieu")

METHODS = ("override", "siret", "name_commune", "address_commune", "fuzzy_name_commune", "new")
LINK_COLUMNS = ["response_id", "place_id", "link_method", "link_score", "linked_to"]
OVERRIDE_COLUMNS = ["response_id", "same_place_as", "new_place"]
_REQUIRED = ["response_id", "wave", "place_name", "commune_key", "siret"]
_YES = {"yes", "oui", "y", "o", "true", "vrai", "1", "x"}


def normalise_place_name(name: str | None) -> str:
    """The key a place name is compared on (``""`` when there is no name).

    Folded (lowercase, no accents, punctuation to spaces, St to saint), then the
    :data:`STOP_PHRASES` and :data:`STOP_WORDS` removed. A name made only of such
    words keeps them all, so "L'Espace" stays comparable.

    Examples
    --------
    >>> normalise_place_name("Bocal (Le) - Tiers-Lieu")
    'bocal'
    >>> normalise_place_name("La Ruche Numérique")
    'ruche numerique'
    >>> normalise_place_name("L'Espace")
    'l espace'
    """
    if name is None or (not isinstance(name, str) and pd.isna(name)):
        return ""
    folded = fold(name)
    text = f" {folded} "
    for phrase in STOP_PHRASES:
        text = text.replace(f" {phrase} ", " ")
    kept = [w for w in text.split() if w not in STOP_WORDS]
    return " ".join(kept) if kept else folded


def normalise_address(address) -> str:
    """Folded street address, or "" when it is too vague to identify a building.

    An address is evidence only with a number and a street ("12 rue de la Gare"):
    "Centre bourg" or "Mairie" is shared by many places.

    Examples
    --------
    >>> normalise_address("12, Rue de la Gare")
    '12 rue de la gare'
    >>> normalise_address("Le bourg")
    ''
    """
    if address is None or (not isinstance(address, str) and pd.isna(address)):
        return ""
    folded = fold(str(address))
    tokens = folded.split()
    if len(tokens) < 3 or not any(t.isdigit() for t in tokens):
        return ""
    return folded


def _with_address(responses: pd.DataFrame) -> pd.DataFrame:
    """The required columns plus the optional ``address``, ``source_file`` and
    ``source_row`` (the file and row a person opens to check a link)."""
    frame = responses[_REQUIRED].copy()
    for optional in ("address", "source_file", "source_row"):
        frame[optional] = responses[optional] if optional in responses else pd.NA
    return frame


def place_id_for(anchor_response_id: str) -> str:
    """Pseudonymous place id: ``TL`` + 10 hex characters of the anchor's SHA-256.

    The anchor is the place's first response, so the id is stable from one run to
    the next and says nothing about the place.
    """
    return "TL" + hashlib.sha256(str(anchor_response_id).encode("utf-8")).hexdigest()[:10]


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
    with open(path, encoding="utf-8-sig", newline="") as handle:
        header = handle.readline()
    if not header.strip():
        return _empty_overrides()
    sep = ";" if header.count(";") > header.count(",") else ","
    raw = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                      skip_blank_lines=False)
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


@dataclass(frozen=True)
class _Response:
    response_id: str
    wave: int
    name: str       # normalised; "" when missing
    commune: str    # "" when missing
    siret: str      # "" when missing
    address: str = ""  # folded street address; "" when missing or too vague
    file: str | None = None  # where a person finds the response, for the quality log
    row: int | None = None


@dataclass
class _Place:
    last_wave: int
    sirets: set[str] = field(default_factory=set)


# A link: place_id, method, score, linked_to.
_Link = tuple[str, str, float | None, str | None]


class _Linker:
    """Places known so far, indexed by SIRET, by (name, commune) and by commune.

    Each index maps a key to ``{place_id: latest response of that place with the
    key}``, which is what ``linked_to`` reports. A place given a response in the
    current wave has ``last_wave == wave`` and is no longer a candidate in it.
    """

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.places: dict[str, _Place] = {}
        self.by_siret: dict[str, dict[str, str]] = defaultdict(dict)
        self.by_name: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
        self.by_address: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
        self.names_in: dict[str, list[str]] = defaultdict(list)  # fuzzy candidates
        self.anchors: dict[str, str] = {}
        self.links: dict[str, _Link] = {}
        self.issues: list[Issue] = []

    def attach(self, response: _Response, place_id: str | None, method: str,
               score: float | None = None, linked_to: str | None = None) -> str:
        """Record a link (a new place when ``place_id`` is None) and add its keys."""
        if place_id is None:
            place_id = place_id_for(response.response_id)
            if place_id in self.anchors:
                raise DataError(f"place id {place_id} derived from two responses "
                                f"({self.anchors[place_id]}, {response.response_id})",
                                column="response_id", rule="place_id_collision")
            self.anchors[place_id] = response.response_id
            self.places[place_id] = _Place(response.wave)
        place = self.places[place_id]
        place.last_wave = response.wave
        if response.siret:
            place.sirets.add(response.siret)
            self.by_siret[response.siret][place_id] = response.response_id
        if response.name and response.commune:
            key = (response.name, response.commune)
            if key not in self.by_name:
                self.names_in[response.commune].append(response.name)
            self.by_name[key][place_id] = response.response_id
        if response.address and response.commune:
            self.by_address[(response.address, response.commune)][place_id] = response.response_id
        self.links[response.response_id] = (place_id, method, score, linked_to)
        return place_id

    def _pick(self, holders: dict[str, str], response: _Response,
              check_siret: bool) -> tuple[str, str] | None:
        """The eligible holder seen most recently, then with the smallest place_id."""
        best = None
        for place_id, linked_to in holders.items():
            place = self.places[place_id]
            if place.last_wave >= response.wave:
                continue  # already has a response in this wave
            if check_siret and response.siret and place.sirets \
                    and response.siret not in place.sirets:
                continue  # another legal entity
            rank = (-place.last_wave, place_id)
            if best is None or rank < best[0]:
                best = (rank, place_id, linked_to)
        return None if best is None else (best[1], best[2])

    def match(self, response: _Response, method: str) -> tuple[str, str, float, str] | None:
        """Place, linked response, score and matched name for one method, or None."""
        if method == "siret":
            holders = self.by_siret.get(response.siret) if response.siret else None
            found = holders and self._pick(holders, response, check_siret=False)
            return (*found, 100.0, response.name) if found else None
        if not (response.name and response.commune):
            return None
        if method == "name_commune":
            holders = self.by_name.get((response.name, response.commune))
            found = holders and self._pick(holders, response, check_siret=True)
            return (*found, 100.0, response.name) if found else None
        if method == "address_commune":
            holders = (self.by_address.get((response.address, response.commune))
                       if response.address else None)
            found = holders and self._pick(holders, response, check_siret=True)
            return (*found, 100.0, response.address) if found else None
        names = self.names_in.get(response.commune)
        if not names:
            return None
        # Every candidate above the threshold, not only extractOne's best: the best
        # may be ineligible (answered this wave, other SIRET) and ties need our order.
        hits = process.extract(response.name, names, scorer=fuzz.token_set_ratio,
                               processor=None, limit=None, score_cutoff=self.threshold)
        best = None
        for name, score, _ in hits:
            if name == response.name:
                continue  # the exact key was tried by the previous pass
            found = self._pick(self.by_name[(name, response.commune)], response,
                               check_siret=True)
            if found:
                rank = (-score, -self.places[found[0]].last_wave, found[0])
                if best is None or rank < best[0]:
                    best = (rank, found, float(score), name)
        return None if best is None else (*best[1], best[2], best[3])

    def link_automatically(self, pending: list[_Response]) -> None:
        """SIRET, then exact name, then fuzzy name, then a new place; each pass in order."""
        for method in ("siret", "name_commune", "address_commune", "fuzzy_name_commune"):
            unmatched = []
            for response in pending:
                found = self.match(response, method)
                if found is None:
                    unmatched.append(response)
                    continue
                place_id, linked_to, score, other_name = found
                self.attach(response, place_id, method, score, linked_to)
                if method == "address_commune":
                    self.issues.append(_issue_about(
                        response, "address_link", "flagged", "address", response.name,
                        f"response {response.response_id} linked to {linked_to} "
                        f"(place {place_id}) by the same address in the same "
                        "commune under another name: a renamed place?"))
                if method == "fuzzy_name_commune":
                    self.issues.append(_issue_about(
                        response, "fuzzy_link", "flagged", "place_name",
                        f"{response.name} ~ {other_name}",
                        f"response {response.response_id} linked to {linked_to} "
                        f"(place {place_id}) by a similar name in the same commune, "
                        f"score {score:.1f}"))
            pending = unmatched
        for response in pending:
            self.attach(response, None, "new")


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
    items = sorted(
        (_Response(str(r.response_id), int(r.wave), normalise_place_name(r.place_name),
                   _text(r.commune_key), _text(r.siret), normalise_address(r.address),
                   _text(r.source_file) or None,
                   None if pd.isna(r.source_row) else int(r.source_row))
         for r in _with_address(responses).itertuples(index=False)),
        key=lambda r: (r.wave, r.response_id),
    )
    order = {r.response_id: position for position, r in enumerate(items)}
    linker = _Linker(threshold)
    forced_new, partners = _read_overrides(overrides, order, linker.issues)

    by_wave: dict[int, list[_Response]] = defaultdict(list)
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

    return _links_frame(responses, linker.links), linker.issues


def _issue_about(response: _Response, rule: str, action: str, column: str, value: str,
                 message: str) -> Issue:
    """A quality-log entry about one response, located where a person can open it."""
    return Issue(rule, action, message, file=response.file, row=response.row,
                 column=column, value=value, wave=response.wave)


def _link_to_partner(linker: _Linker, response: _Response, earlier: list[str],
                     order: dict[str, int]) -> None:
    """Join the place of the most recent earlier partner named by an override."""
    target = max(earlier, key=order.__getitem__)
    places = {linker.links[p][0] for p in earlier}
    if len(places) > 1:
        linker.issues.append(_issue_about(
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


def _links_frame(responses: pd.DataFrame, links: dict[str, _Link]) -> pd.DataFrame:
    rows = [links[str(rid)] for rid in responses["response_id"]]
    frame = pd.DataFrame(
        {
            "response_id": responses["response_id"].astype(str).to_numpy(),
            "place_id": [r[0] for r in rows],
            "link_method": [r[1] for r in rows],
            "link_score": [r[2] for r in rows],
            "linked_to": [r[3] for r in rows],
        },
        index=responses.index,
    )
    return frame.astype({"response_id": "string", "place_id": "string",
                         "link_method": "string", "link_score": "Float64",
                         "linked_to": "string"})
