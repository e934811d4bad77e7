"""Free-text job titles to one role of a small documented vocabulary.

Respondents describe each job in their own words, in every gender-inclusive
spelling French allows (``coordinateur·rice``, ``chargé(e)``, ``hôte·sse``,
``animateur/animatrice``). Counting facilitators across nine waves needs one code
per job, so a title is first normalised, then the keyword rules of
``vocab/roles.yaml`` are tried in their priority order; the first that matches
gives the role. The lab corrects what the rules get wrong with a small CSV of
overrides (``overrides/roles.csv``: ``title,role``) rather than new code.

Normalisation (:func:`normalise_title`), in order:

1. NFC, lowercase, typographic dots/apostrophes unified, accents removed;
2. ``H/F`` markers dropped and inclusive suffixes removed: a feminine ending glued
   to the word by ``·`` ``.`` ``-`` ``/`` or in parentheses (``-rice``, ``.trice``,
   ``(e)``, ``·sse``, ``·ne``, ``/ère``... with an optional plural ``s``), and the
   split form ``coordinat·eur·rice``;
3. punctuation becomes spaces;
4. each word is brought to its masculine (which is also the neutral form the
   keywords are written in): a short table of irregular words (``hôtesse``,
   ``cheffe``...), then productive endings (``-trice``→``-teur``, ``-euse``→``-eur``,
   ``-ère``→``-er``, ``-ienne``→``-ien``, ``-ive``→``-if``, ``-elle``→``-el``,
   ``-ante``/``-ente``→``-ant``/``-ent``, ``-ale``→``-al``, ``-ée``→``-é``, ...), skipping
   a list of ordinary nouns that only look feminine (``musée``, ``matière``,
   ``vente``...);
5. a word repeated right after itself is dropped (``animateur/animatrice`` gives
   ``animateur``) and spaces collapse.

A noun missing from that list may be over-stemmed (a rare noun in ``-ée`` loses
its last letter). That cannot break matching: the rule phrases of the YAML go
through the same function, so both sides change alike. Matching itself then
ignores small words (``de``, ``la``, ``d'``...) and plural endings, see
``vocab/roles.yaml``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from os import PathLike
from pathlib import Path

import pandas as pd
import yaml
from unidecode import unidecode

from tlresearch.core.errors import DataError
from tlresearch.core.paths import VOCAB_DIR
from tlresearch.core.text import strip_accents
from tlresearch.ingest.title_normalise import normalise_title
from tlresearch.io.small_tables import read_small_table

#: Role given when no rule matches a non-blank title.
UNKNOWN = "unknown"

_ROLES_FILE = VOCAB_DIR / "roles.yaml"

# --- matching form -------------------------------------------------------------

# Small words ignored when matching, so "animateur de la communauté" matches the
# phrase "animateur communauté".
_SMALL_WORDS = frozenset(
    "a au aux avec chez d dans de des du en et l la le les ou par pour sur un une".split()
)


def _singular(word: str) -> str:
    if len(word) <= 3 or word.endswith("ss"):
        return word
    for plural, singular in (("eaux", "eau"), ("eux", "eu"), ("aux", "al")):
        if word.endswith(plural):
            return word[: -len(plural)] + singular
    return word[:-1] if word.endswith("s") else word


def _match_form(normalised: str) -> str:
    """The normalised title with small words and plural endings removed."""
    return " ".join(_singular(w) for w in normalised.split() if w not in _SMALL_WORDS)


def _phrase_pattern(phrase: str) -> str:
    """Regex source matching ``phrase`` as whole words of a match form."""
    parts = []
    for token in phrase.split():
        if token.endswith("*"):
            stem = unidecode(strip_accents(token[:-1])).lower()
            parts.append(re.escape(stem) + r"[a-z0-9]*")
        else:
            parts.extend(re.escape(w) for w in _match_form(normalise_title(token)).split())
    if not parts:
        raise DataError(f"phrase {phrase!r} is empty once normalised",
                        file=_ROLES_FILE.name, rule="empty_rule")
    return r"(?<![a-z0-9])" + " ".join(parts) + r"(?![a-z0-9])"


# --- vocabulary ----------------------------------------------------------------


@dataclass(frozen=True)
class RoleRule:
    """One keyword rule of ``roles.yaml``: ``all`` phrases and at least one ``any``."""

    id: str
    role: str
    any: tuple[str, ...] = ()
    all: tuple[str, ...] = ()
    _any: tuple[re.Pattern, ...] = field(default=(), repr=False, compare=False)
    _all: tuple[re.Pattern, ...] = field(default=(), repr=False, compare=False)

    def matches(self, match_form: str) -> bool:
        """Whether a title, already in its match form, satisfies this rule."""
        return (all(p.search(match_form) for p in self._all)
                and (not self._any or any(p.search(match_form) for p in self._any)))


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[dict[str, str], tuple[RoleRule, ...]]:
    with open(_ROLES_FILE, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    labels = {str(code): str(label) for code, label in raw["roles"].items()}
    if UNKNOWN not in labels:
        raise DataError(f"role {UNKNOWN!r} has no label", file=_ROLES_FILE.name,
                        column="roles", rule="unknown_role")
    rules: list[RoleRule] = []
    for spec in raw["rules"]:
        rule_id, role = spec.get("id"), spec.get("role")
        if role not in labels or role == UNKNOWN:
            raise DataError(f"rule {rule_id!r} names unknown role {role!r}",
                            file=_ROLES_FILE.name, column="role", rule="unknown_role")
        if rule_id in {r.id for r in rules}:
            raise DataError(f"rule id {rule_id!r} is used twice", file=_ROLES_FILE.name,
                            column="id", rule="duplicate_rule")
        any_, all_ = tuple(spec.get("any") or ()), tuple(spec.get("all") or ())
        if not any_ and not all_:
            raise DataError(f"rule {rule_id!r} has no phrase", file=_ROLES_FILE.name,
                            column="any", rule="empty_rule")
        rules.append(RoleRule(
            id=rule_id, role=role, any=any_, all=all_,
            _any=tuple(re.compile(_phrase_pattern(p)) for p in any_),
            _all=tuple(re.compile(_phrase_pattern(p)) for p in all_),
        ))
    return labels, tuple(rules)


def role_labels() -> dict[str, str]:
    """Role codes and their French labels, in the order of ``roles.yaml``.

    Examples
    --------
    >>> role_labels()["facilitator"]
    'Facilitateur·rice / coordinateur·rice'
    """
    return dict(_vocabulary()[0])


def load_role_rules() -> list[RoleRule]:
    """The keyword rules of the packaged ``roles.yaml``, in priority order."""
    return list(_vocabulary()[1])


#: Role code -> French label (a copy of :func:`role_labels`).
ROLES: dict[str, str] = role_labels()


# --- overrides -----------------------------------------------------------------

_OVERRIDE_COLUMNS = ["title", "title_normalised", "role"]


def load_role_overrides(path: str | PathLike) -> pd.DataFrame:
    """Read the lab's corrections of roles: a CSV with columns ``title,role``.

    Why a file: a rule that misfires on one unusual title is best fixed where the
    lab can see it, without touching the shared vocabulary.

    Parameters
    ----------
    path
        The CSV (comma or semicolon separated, UTF-8). A missing file means no
        override. Blank lines are skipped; other columns (a comment...) are ignored.

    Returns
    -------
    DataFrame
        ``title`` (as written), ``title_normalised`` (the key matched against
        :func:`normalise_title` of each job title) and ``role``.

    Raises
    ------
    DataError
        A required column is missing (rule ``missing_column``), a role is not in the
        vocabulary (rule ``unknown_role``, with the file row and column ``role``), or
        the same normalised title is given two roles (rule ``conflicting_override``).
    """
    path = Path(path)
    if not path.exists():
        return pd.DataFrame({c: pd.Series(dtype="string") for c in _OVERRIDE_COLUMNS})
    raw = read_small_table(path)
    if raw.empty and not len(raw.columns):
        return pd.DataFrame({c: pd.Series(dtype="string") for c in _OVERRIDE_COLUMNS})
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    for column in ("title", "role"):
        if column not in raw.columns:
            raise DataError(f"the overrides file has no column {column!r}",
                            file=str(path), column=column, rule="missing_column")
    labels = role_labels()
    seen: dict[str, str] = {}
    rows = []
    for position, (title, role) in enumerate(zip(raw["title"], raw["role"])):
        file_row = position + 2  # header is row 1
        title, role = title.strip(), role.strip().lower()
        if not title and not role:
            continue
        if role not in labels:
            raise DataError(f"unknown role {role!r} (known: {', '.join(labels)})",
                            file=str(path), row=file_row, column="role", rule="unknown_role")
        key = normalise_title(title)
        if not key:
            raise DataError("the title is blank once normalised", file=str(path),
                            row=file_row, column="title", rule="blank_title")
        if seen.get(key, role) != role:
            raise DataError(f"title {key!r} is given two roles ({seen[key]}, {role})",
                            file=str(path), row=file_row, column="role",
                            rule="conflicting_override")
        if key not in seen:
            seen[key] = role
            rows.append((title, key, role))
    return pd.DataFrame(rows, columns=_OVERRIDE_COLUMNS).astype("string")


# --- assignment ----------------------------------------------------------------


def _rule_role(normalised: str, rules: tuple[RoleRule, ...]) -> tuple[str, str | None]:
    form = _match_form(normalised)
    for rule in rules:
        if rule.matches(form):
            return rule.role, rule.id
    return UNKNOWN, None


def assign_roles(titles: pd.Series, overrides: pd.DataFrame | None = None) -> pd.DataFrame:
    """Give each job title one role: an override if the lab wrote one, else the first rule.

    Parameters
    ----------
    titles
        Free-text job titles; missing or blank ones are allowed.
    overrides
        The lab's corrections, as returned by :func:`load_role_overrides` (a frame
        with ``title`` and ``role`` only is accepted too). Matched on the
        normalised title, and they win over the rules.

    Returns
    -------
    DataFrame
        Aligned on ``titles.index``: ``title_normalised``, ``role``, ``role_source``
        (``"override"``, ``"rule"`` or ``"none"``) and ``role_rule`` (the id of the
        rule that matched, else missing). A blank title has role and normalised title
        missing and source ``"none"``; a title no rule matches has role
        ``"unknown"`` and source ``"none"``, for the caller to log.

    Examples
    --------
    >>> out = assign_roles(pd.Series(["Coordinatrice", "Astronaute", None]))
    >>> out["role"].tolist()
    ['facilitator', 'unknown', <NA>]
    """
    rules = _vocabulary()[1]
    forced: dict[str, str] = {}
    if overrides is not None and len(overrides):
        keys = (overrides["title_normalised"] if "title_normalised" in overrides
                else overrides["title"].map(normalise_title))
        labels = role_labels()
        for key, role in zip(keys, overrides["role"]):
            if role not in labels:
                raise DataError(f"unknown role {role!r} in the overrides", column="role",
                                rule="unknown_role")
            forced[str(key)] = str(role)

    # Surveys repeat the same few hundred titles: normalise and match each once.
    text = titles.astype("string")
    keys = {title: normalise_title(title) for title in text.dropna().unique()}
    decided: dict[str, tuple[str, str, str | None]] = {}
    for key in set(keys.values()) - {""}:
        if key in forced:
            decided[key] = (forced[key], "override", None)
        else:
            role, rule_id = _rule_role(key, rules)
            decided[key] = (role, "rule" if rule_id else "none", rule_id)

    normalised = [None if pd.isna(t) else keys[t] or None for t in text]
    picked = [decided.get(key, (None, "none", None)) for key in normalised]
    out = pd.DataFrame(
        {
            "title_normalised": normalised,
            "role": [p[0] for p in picked],
            "role_source": [p[1] for p in picked],
            "role_rule": [p[2] for p in picked],
        },
        index=titles.index,
    )
    return out.astype("string")
