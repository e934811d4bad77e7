"""Resolution of what respondents give (code, postcode, name) to a current commune.

Order of evidence, strongest first: a valid current INSEE code; a former code
(commune déléguée or associée, merged into a commune nouvelle) mapped to its current
commune; postcode + name (insensitive to case, accents, hyphens, ``St``/``Saint``),
exact then fuzzy; name alone when it is unique in the region. A code that is in fact
a postcode (a frequent mistake: 33000 for Bordeaux, whose code is 33063) is used as a
postcode. Rows that cannot be resolved, and communes outside the region, are kept and
flagged, never dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from tlresearch.core.paths import DEFAULT_REGION
from tlresearch.geo import datafrance as georef
from tlresearch.io.cells import fold

OUTPUT_COLUMNS = [
    "commune_code", "commune_name", "epci_code", "epci_name", "departement_code",
    "region_code", "resolution_method", "resolution_score", "resolution_note",
]

#: Minimum rapidfuzz score (0-100) for a misspelt name to count as the same commune.
FUZZY_NAME_THRESHOLD = 88

#: ``region`` value meaning all of France (metropolitan and overseas): nothing is "outside".
ALL_REGIONS = "all"

#: Region or country words people add after a commune name ("Baie Mahault Guadeloupe"),
#: folded, longest first.
TRAILING_WORDS = (
    "nouvelle aquitaine", "la reunion", "reunion", "guadeloupe", "martinique", "guyane",
    "mayotte", "france", "gironde", "dordogne", "landes", "charente maritime", "charente",
    "correze", "creuse", "vienne", "haute vienne", "deux sevres", "pyrenees atlantiques",
    "lot et garonne",
)


def strip_trailing_words(folded: str) -> str:
    """A folded commune name without a trailing region, department or country word.

    Examples
    --------
    >>> strip_trailing_words("baie mahault guadeloupe")
    'baie mahault'
    >>> strip_trailing_words("france")
    'france'
    """
    for word in sorted(TRAILING_WORDS, key=len, reverse=True):
        if folded.endswith(" " + word):
            return folded[: -len(word) - 1].strip()
    return folded


@dataclass(frozen=True)
class _Reference:
    """Look-up tables of the reference geography, as plain dicts for speed."""

    current: dict[str, dict]              # code -> name, epci, department, region
    former_to_current: dict[str, str]     # COMD/COMA/ARM code -> current code
    by_postcode: dict[str, list[str]]     # postcode -> current codes
    folded_names: dict[str, set[str]]     # folded name (current or former) -> current codes
    region_names: dict[str, set[str]]     # folded name -> current codes in the region
    region_choices: dict[str, str]        # current code in the region -> folded name


@lru_cache(maxsize=4)
def _reference(region: str) -> _Reference:
    everything = georef.all_communes()
    com = everything[everything["type"] == "COM"].drop_duplicates("code")
    current = {
        row.code: {"commune_name": row.name, "epci_code": row.epci_code,
                   "epci_name": row.epci_name, "departement_code": row.departement_code,
                   "region_code": row.region_code}
        for row in com.itertuples(index=False)
    }
    former = everything[everything["type"] != "COM"].dropna(subset=["parent_code"])
    # A commune nouvelle often keeps its chef-lieu's code for a COMD too: current wins.
    former = former[~former["code"].isin(current)].drop_duplicates("code")
    pairs = georef.postcodes()
    by_postcode: dict[str, list[str]] = {}
    for postcode, code in zip(pairs["postcode"], pairs["commune_code"]):
        by_postcode.setdefault(postcode, []).append(code)
    folded_names: dict[str, set[str]] = {}
    for code, kind, name, parent in zip(everything["code"], everything["type"],
                                        everything["name"], everything["parent_code"]):
        target = code if kind == "COM" else parent
        if isinstance(target, str) and target in current:
            folded_names.setdefault(fold(name), set()).add(target)
    in_region = com if region == ALL_REGIONS else com[com["region_code"] == region]
    region_choices = {code: fold(name) for code, name in zip(in_region["code"], in_region["name"])}
    region_names: dict[str, set[str]] = {}
    for code, folded in region_choices.items():
        region_names.setdefault(folded, set()).add(code)
    return _Reference(current, dict(zip(former["code"], former["parent_code"])), by_postcode,
                      folded_names, region_names, region_choices)


def resolve_communes(frame: pd.DataFrame, region: str = DEFAULT_REGION) -> pd.DataFrame:
    """Resolve each row's ``commune_code`` / ``postcode`` / ``commune_name`` to a commune.

    Parameters
    ----------
    frame
        Any table with some of the columns ``commune_code``, ``postcode``,
        ``commune_name`` (already normalised: 5-character codes, text or NA).
    region
        INSEE region code; communes outside it are resolved but flagged.

    Returns
    -------
    DataFrame aligned on ``frame.index`` with :data:`OUTPUT_COLUMNS`.
    ``resolution_method`` is one of ``code``, ``former_code``, ``postcode_name``,
    ``postcode_name_fuzzy``, ``name_unique``, ``name_fuzzy``, ``postcode_only``,
    ``unresolved``.
    """
    get = lambda c: frame[c] if c in frame else pd.Series(pd.NA, index=frame.index)  # noqa: E731
    keys = pd.DataFrame({"code": get("commune_code"), "postcode": get("postcode"),
                         "name": get("commune_name")}, index=frame.index)
    # Resolved once per distinct (code, postcode, name), then spread back to the rows by
    # position: a wave of two million rows has a few thousand distinct keys, and the
    # rows then cost one integer each here, not a row of Python objects.
    positions, firsts = _distinct_keys(keys)
    distinct = keys.iloc[firsts].astype(object)
    distinct = distinct.where(distinct.notna(), None)
    rows = [_resolve_one(code, postcode, name, region)
            for code, postcode, name in distinct.itertuples(index=False, name=None)]
    resolved = pd.DataFrame(rows, columns=OUTPUT_COLUMNS)
    out = pd.DataFrame(index=frame.index)
    for column in OUTPUT_COLUMNS:
        values = resolved[column].astype("Float64" if column == "resolution_score" else "string")
        out[column] = values.take(positions).set_axis(frame.index)
    return out


def _distinct_keys(keys: pd.DataFrame):
    """Each row's distinct-key number, and the first row of each distinct key.

    Keys are numbered in order of first appearance; a missing value is a value of its
    own (``pd.factorize`` gives it -1, shifted to 0 here).
    """
    import numpy as np

    positions = np.zeros(len(keys), dtype=np.int64)
    for column in keys.columns:
        codes, uniques = pd.factorize(keys[column], use_na_sentinel=True)
        # Renumbered after each column, so the pair numbers stay below rows².
        positions, _ = pd.factorize(positions * (len(uniques) + 1) + (codes + 1))
    _, firsts = np.unique(positions, return_index=True)
    return positions, firsts


def _resolve_one(code, postcode, name, region) -> dict:
    ref = _reference(region)
    current, former_to_current, by_postcode = ref.current, ref.former_to_current, ref.by_postcode
    folded_names, region_names = ref.folded_names, ref.region_names
    notes: list[str] = []
    name, departement = _departement_suffix(name)
    folded = fold(name) if name else ""
    if folded and folded not in folded_names and strip_trailing_words(folded) in folded_names:
        folded = strip_trailing_words(folded)
    method, score, found = None, None, None
    if departement:  # « Vannes (56) »: the name within its département
        in_departement = {c for c in folded_names.get(folded, set())
                          if current[c]["departement_code"] == departement}
        if len(in_departement) == 1:
            region_names = {**region_names, folded: in_departement}
            folded_names = {**folded_names, folded: in_departement}

    if code and code in current and _postcode_of_named_commune(code, folded, ref):
        # Both a valid code and a postcode: the name says which one was meant.
        notes.append(f"code {code} is a postcode (and the code of "
                     f"{current[code]['commune_name']}), used as a postcode")
        postcode = postcode or code
    elif code and code in current:
        method, score, found = "code", 100.0, code
    elif code and code in former_to_current:
        method, score, found = "former_code", 100.0, former_to_current[code]
        notes.append(f"code {code} is a former commune, now {found}")
    elif code and code in by_postcode:
        notes.append(f"code {code} is a postcode, used as such")
        postcode = postcode or code
    elif code:
        notes.append(f"code {code} is not a commune code")

    if not found and postcode and postcode not in by_postcode and postcode in current:
        # The reverse mistake: an INSEE code typed in the postcode field. Weak
        # evidence: a name that clearly names another commune wins over it.
        named = region_names.get(folded) or folded_names.get(folded, set())
        if len(named) == 1 and postcode not in named:
            notes.append(f"postcode {postcode} is the code of another commune than {name!r}")
            postcode = None
        else:
            method, score, found = "code", 95.0, postcode
            notes.append(f"postcode {postcode} is not a postcode but the code of a commune")

    if found and folded:
        # Check the name against the code: a disagreement is worth a note.
        candidates = folded_names.get(folded, set())
        if candidates and found not in candidates:
            notes.append(f"name {name!r} points to {sorted(candidates)[0]}, code kept")

    if not found and postcode and postcode in by_postcode:
        in_postcode = by_postcode[postcode]
        if folded:
            exact = [c for c in in_postcode if c in folded_names.get(folded, set())]
            if len(exact) == 1:
                method, score, found = "postcode_name", 100.0, exact[0]
            else:
                choices = {c: fold(current[c]["commune_name"]) for c in dict.fromkeys(in_postcode)
                           if c in current}
                found, score = _fuzzy_among(folded, choices, within_postcode=True)
                if found:
                    method = "postcode_name_fuzzy"
        named = _named_commune(folded, ref)
        if not found and named and named not in in_postcode:
            # The name is a commune's exact name; the postcode belongs to others.
            method, score, found = "name_unique", 95.0, named
            notes.append(f"postcode {postcode} is not that of {name!r}: the name is kept")
        if not found and len(set(in_postcode)) == 1:
            method, score, found = "postcode_only", 90.0, in_postcode[0]
            if folded:
                notes.append(f"name {name!r} not found in postcode {postcode}")

    if not found and folded:
        candidates = region_names.get(folded, set())
        if len(candidates) == 1:
            method, score, found = "name_unique", 95.0, next(iter(candidates))
        elif len(candidates) > 1:
            notes.append(f"name {name!r} is ambiguous in the region ({len(candidates)} communes)")
        elif folded in folded_names:
            # The exact name of a commune elsewhere: never a look-alike of the region.
            elsewhere = folded_names[folded]
            if len(elsewhere) == 1:
                method, score, found = "name_unique", 95.0, next(iter(elsewhere))
            else:
                notes.append(f"name {name!r} names {len(elsewhere)} communes outside the region")
        else:
            found, score = _fuzzy_among(folded, ref.region_choices)
            if found:
                method = "name_fuzzy"

    if not found:
        return {"resolution_method": "unresolved", "resolution_score": None,
                "resolution_note": "; ".join(notes) or "no usable code, postcode or name",
                **{c: None for c in OUTPUT_COLUMNS[:6]}}
    info = current[found]
    if region != ALL_REGIONS and info["region_code"] != region:
        notes.append(f"outside region {region}")
    return {"commune_code": found, **info, "resolution_method": method,
            "resolution_score": score, "resolution_note": "; ".join(notes) or None}


#: A département number after a commune name: « Vannes (56) », « Saint-Benoît (974) ».
_DEPARTEMENT = re.compile(r"^(.*\S)\s*\((\d{2}|2[ABab]|97\d)\)\s*$")


def _departement_suffix(name: str | None) -> tuple[str | None, str | None]:
    """``("Vannes", "56")`` for « Vannes (56) »; the name unchanged otherwise."""
    match = _DEPARTEMENT.match(name) if name else None
    return (match.group(1), match.group(2).upper()) if match else (name, None)


def _named_commune(folded: str, ref: _Reference) -> str | None:
    """The commune a name designates unambiguously: unique in the region, else in France."""
    if not folded:
        return None
    in_region = ref.region_names.get(folded, set())
    if len(in_region) == 1:
        return next(iter(in_region))
    everywhere = ref.folded_names.get(folded, set())
    return next(iter(everywhere)) if not in_region and len(everywhere) == 1 else None


def _postcode_of_named_commune(code: str, folded: str, ref: _Reference) -> bool:
    """True when ``code`` names another commune but is the postcode of the named one."""
    if not folded or code not in ref.by_postcode:
        return False
    named = ref.folded_names.get(folded, set())
    return code not in named and bool(named & set(ref.by_postcode[code]))


def _fuzzy_among(folded: str, choices: dict[str, str], within_postcode: bool = False):
    """Best commune among ``choices`` (code -> folded name) for a misspelt name.

    Within one postcode the candidates are few, so a name that is a whole-word
    subset of one commune's name also counts ("Cadillac" for the commune renamed
    "Cadillac-sur-Garonne"); region-wide, only close spellings do.
    """
    from rapidfuzz import fuzz, process

    if not choices:
        return None, None
    scorer = fuzz.token_set_ratio if within_postcode else fuzz.ratio
    matches = process.extract(folded, choices, scorer=scorer, limit=3,
                              score_cutoff=FUZZY_NAME_THRESHOLD)
    if not matches:
        return None, None
    best = matches[0]
    if len(matches) > 1 and matches[1][1] == best[1]:
        # A tie (e.g. "Saint" alone): decide by plain similarity, or give up.
        ranked = sorted(matches, key=lambda m: -fuzz.ratio(folded, m[0]))
        if fuzz.ratio(folded, ranked[0][0]) == fuzz.ratio(folded, ranked[1][0]):
            return None, None
        best = ranked[0]
    return best[2], float(round(best[1], 1))


def describe_commune(code: str, region: str = DEFAULT_REGION) -> dict:
    """Name, EPCI, department and region of a current commune (as resolution columns)."""
    info = _reference(region).current[code]
    note = (None if region == ALL_REGIONS or info["region_code"] == region
            else f"outside region {region}")
    return {"commune_code": code, **info, "resolution_note": note}


def is_commune_code(code: str) -> bool:
    """Whether ``code`` is the INSEE code of a current commune (any region)."""
    return code in _reference(DEFAULT_REGION).current
