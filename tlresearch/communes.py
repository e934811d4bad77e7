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

from functools import lru_cache

import pandas as pd

from . import georef
from .config import DEFAULT_REGION
from .values import fold

OUTPUT_COLUMNS = [
    "commune_code", "commune_name", "epci_code", "epci_name", "departement_code",
    "region_code", "resolution_method", "resolution_score", "resolution_note",
]

#: Minimum rapidfuzz score (0-100) for a misspelt name to count as the same commune.
FUZZY_NAME_THRESHOLD = 88


@lru_cache(maxsize=4)
def _reference(region: str):
    everything = georef.all_communes()
    current = everything[everything["type"] == "COM"].drop_duplicates("code").set_index("code")
    former = everything[everything["type"] != "COM"].dropna(subset=["parent_code"])
    # A commune nouvelle often keeps its chef-lieu's code for a COMD too: current wins.
    former = former[~former["code"].isin(current.index)].drop_duplicates("code")
    former_to_current = dict(zip(former["code"], former["parent_code"]))
    pairs = georef.postcodes()
    by_postcode: dict[str, list[str]] = {}
    for postcode, code in zip(pairs["postcode"], pairs["commune_code"]):
        by_postcode.setdefault(postcode, []).append(code)
    names = everything[everything["code"].isin(current.index) | (everything["type"] != "COM")]
    # Names of current communes and of former ones, both leading to a current code.
    folded_names: dict[str, set[str]] = {}
    for code, kind, name, parent in zip(names["code"], names["type"], names["name"], names["parent_code"]):
        target = code if kind == "COM" else parent
        if isinstance(target, str):
            folded_names.setdefault(fold(name), set()).add(target)
    in_region = current[current["region_code"] == region]
    region_names = {}
    for code, name in zip(in_region.index, in_region["name"]):
        region_names.setdefault(fold(name), set()).add(code)
    return current, former_to_current, by_postcode, folded_names, region_names


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
    keys = keys.astype(object).where(keys.notna(), None)
    cache: dict[tuple, dict] = {}
    rows = []
    for code, postcode, name in keys.itertuples(index=False, name=None):
        key = (code, postcode, name)
        if key not in cache:
            cache[key] = _resolve_one(code, postcode, name, region)
        rows.append(cache[key])
    out = pd.DataFrame(rows, index=frame.index, columns=OUTPUT_COLUMNS)
    for column in OUTPUT_COLUMNS:
        out[column] = out[column].astype("Float64" if column == "resolution_score" else "string")
    return out


def _resolve_one(code, postcode, name, region) -> dict:
    current, former_to_current, by_postcode, folded_names, region_names = _reference(region)
    notes: list[str] = []
    folded = fold(name) if name else ""
    method, score, found = None, None, None

    if code and code in current.index and _postcode_of_named_commune(
            code, folded, current, by_postcode, folded_names):
        # Both a valid code and a postcode: the name says which one was meant.
        notes.append(f"code {code} is a postcode (and the code of {current.at[code, 'name']}),"
                     " used as a postcode")
        postcode = postcode or code
    elif code and code in current.index:
        method, score, found = "code", 100.0, code
    elif code and code in former_to_current:
        method, score, found = "former_code", 100.0, former_to_current[code]
        notes.append(f"code {code} is a former commune, now {found}")
    elif code and code in by_postcode:
        notes.append(f"code {code} is a postcode, used as such")
        postcode = postcode or code
    elif code:
        notes.append(f"code {code} is not a commune code")

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
                found, score = _fuzzy_among(folded, in_postcode, current)
                if found:
                    method = "postcode_name_fuzzy"
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
        else:
            region_codes = current.index[current["region_code"] == region].tolist()
            found, score = _fuzzy_among(folded, region_codes, current)
            if found:
                method = "name_fuzzy"

    if not found:
        return {"resolution_method": "unresolved", "resolution_score": None,
                "resolution_note": "; ".join(notes) or "no usable code, postcode or name",
                **{c: None for c in OUTPUT_COLUMNS[:6]}}
    ref = current.loc[found]
    if ref["region_code"] != region:
        notes.append(f"outside region {region}")
    return {
        "commune_code": found, "commune_name": ref["name"], "epci_code": ref["epci_code"],
        "epci_name": ref["epci_name"], "departement_code": ref["departement_code"],
        "region_code": ref["region_code"], "resolution_method": method,
        "resolution_score": score, "resolution_note": "; ".join(notes) or None,
    }


def _postcode_of_named_commune(code, folded, current, by_postcode, folded_names) -> bool:
    """True when ``code`` names another commune but is the postcode of the named one."""
    if not folded or code not in by_postcode:
        return False
    named = folded_names.get(folded, set())
    return code not in named and bool(named & set(by_postcode[code]))


def _fuzzy_among(folded: str, codes: list[str], current: pd.DataFrame):
    from rapidfuzz import fuzz, process

    if not codes:
        return None, None
    choices = {code: fold(current.at[code, "name"]) for code in dict.fromkeys(codes)}
    match = process.extractOne(folded, choices, scorer=fuzz.ratio,
                               score_cutoff=FUZZY_NAME_THRESHOLD)
    if match is None:
        return None, None
    return match[2], float(round(match[1], 1))
