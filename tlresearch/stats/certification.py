"""Outcomes of the certification "Piloter un tiers-lieu": the graduates' survey.

The lab trains tiers-lieu facilitators and asks its graduates, some years later, what
became of them. :func:`read_graduates` reads that survey (one row per graduate: promotion,
status at entry into the training, status now, post held now, whether the job is new),
:func:`outcome_tables` turns it into the tables the certification publishes:

* ``situation_actuelle`` - facilitator / other project-lead or coordination post / seeking
  work / other, among graduates whose situation is known (published 2018 for the six
  region 75 promotions 2015-2018: 54.5 % / 27 % / 13.5 %, the rest other);
* ``transitions`` - job-seeker -> active, student -> active, active -> business creator,
  changed job (36 / 10 / 50 / 4 %) among graduates whose situation changed between entry
  and the survey. Those shares sum to 100 % while 13.5 % of graduates are seeking work,
  so their base cannot be all graduates; ``vocab/certification.yaml`` explains the rules.

Shares are ``100 × n / base`` rounded half up to :data:`SHARE_DECIMALS` decimal (the
published precision: 54.5, 13.5), from exact integers, so a table whose counts match the
publication reproduces it digit for digit; rounded shares need not sum to 100.

Graduates' names, e-mails and phones are never read into the frame nor quoted in the
quality log. Labels are matched after :func:`tlresearch.io.cells.fold` (case, accents,
punctuation); an unknown label becomes missing and is logged as an
:class:`~tlresearch.core.quality_log.Issue`, never an exception.

Examples
--------
Not run as a test (it reads a data folder, a built panel or a file)::

    frame, issues = read_graduates("data/raw/certification/diplomes.csv")
    outcome_tables(frame)["situation_actuelle"][["label", "share"]]
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

import pandas as pd
import yaml

from tlresearch.core.errors import DataError, MissingColumnError
from tlresearch.core.paths import VOCAB_DIR
from tlresearch.core.quality_log import Issue
from tlresearch.io.cells import fold
from tlresearch.io.raw_tables import read_table

VOCAB_FILE = VOCAB_DIR / "certification.yaml"

#: Decimals of published shares (the certification page writes 54.5 % and 13.5 %).
SHARE_DECIMALS = 1

#: Columns of the frame :func:`read_graduates` returns.
FRAME_COLUMNS = ["row", "promotion", "promotion_annee", "statut_avant", "statut_actuel",
                 "poste_actuel", "nouvel_emploi"]

_PROMOTION_NOISE = {"promo", "promotion", "session", "cohorte", "de", "du"}
_YEAR = re.compile(r"(?:19|20)\d{2}")


@dataclass(frozen=True)
class Vocabulary:
    """The content of ``vocab/certification.yaml``, folded and checked once."""

    headers: dict[str, str]               # folded header -> canonical column
    required: tuple[str, ...]
    personal: frozenset[str]
    missing: frozenset[str]
    before: dict[str, str]                # code -> French label
    before_aliases: dict[str, str]        # folded alias -> code
    now: dict[str, str]
    now_aliases: dict[str, str]
    active: frozenset[str]
    posts: dict[str, str]
    post_aliases: dict[str, str]
    post_keywords: tuple[tuple[str, tuple[str, ...]], ...]
    yes: frozenset[str]
    no: frozenset[str]
    situations: dict[str, str]
    transitions: tuple[dict, ...]
    fallback: str
    transition_labels: dict[str, str]
    outside_base: frozenset[str]


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """Read and check the packaged vocabulary (cached)."""
    with open(VOCAB_FILE, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    where = dict(file=VOCAB_FILE.name, rule="vocabulary")
    headers = {}
    for column, spec in raw["columns"].items():
        for header in spec["headers"]:
            headers[fold(header)] = column

    def aliases(section: dict) -> tuple[dict[str, str], dict[str, str]]:
        labels, lookup = {}, {}
        for code, spec in section.items():
            labels[code] = spec["label"]
            for alias in [code.replace("_", " "), spec["label"], *spec.get("aliases", [])]:
                if lookup.setdefault(fold(alias), code) != code:
                    raise DataError(f"alias {alias!r} names two codes", column=code, **where)
        return labels, lookup

    before, before_aliases = aliases(raw["statuts_avant"])
    now, now_aliases = aliases(raw["statuts_actuels"])
    posts, post_aliases = aliases(raw["postes"])
    transitions = tuple(raw["transitions"])
    labels = dict(raw["transition_labels"])
    for rule in transitions:
        unknown = ({rule["code"]} - set(labels)) | (set(rule["before"]) - set(before)) | (
            set(rule["now"]) - set(now))
        if unknown:
            raise DataError(f"transition rule names unknown code(s) {sorted(unknown)}", **where)
    if set(raw["situations"]) - set(posts) - set(now) - {"autre"}:
        raise DataError("a situation is neither a post nor a status", **where)
    return Vocabulary(
        headers=headers,
        required=tuple(c for c, s in raw["columns"].items() if s.get("required")),
        personal=frozenset(fold(h) for h in raw["personal_headers"]),
        missing=frozenset(fold(m) for m in raw["missing"]),
        before=before, before_aliases=before_aliases, now=now, now_aliases=now_aliases,
        active=frozenset(c for c, s in raw["statuts_actuels"].items() if s.get("active")),
        posts=posts, post_aliases=post_aliases,
        post_keywords=tuple((c, tuple(fold(k) for k in s.get("keywords", [])))
                            for c, s in raw["postes"].items()),
        yes=frozenset(fold(v) for v in raw["oui"]), no=frozenset(fold(v) for v in raw["non"]),
        situations=dict(raw["situations"]), transitions=transitions,
        fallback=raw["transition_fallback"], transition_labels=labels,
        outside_base=frozenset(raw["outside_base"]),
    )


# --- reading ---------------------------------------------------------------------------

def read_graduates(path: str | os.PathLike, *, name: str | None = None
                   ) -> tuple[pd.DataFrame, list[Issue]]:
    """Read the graduates' survey (CSV in any encoding/delimiter, or XLSX).

    Parameters
    ----------
    path : str or Path
        The raw file (opened read-only).
    name : str, optional
        Name used in messages and issues (default: the file name).

    Returns
    -------
    frame : DataFrame
        One row per graduate, columns :data:`FRAME_COLUMNS`: ``row`` (row in the file),
        ``promotion`` (canonical label: year first, lowercase, e.g. ``"2017 printemps"``),
        ``promotion_annee``, the codes of ``statut_avant``, ``statut_actuel`` and
        ``poste_actuel`` (missing when unanswered or unknown) and ``nouvel_emploi``
        (boolean). Personal columns (name, e-mail, phone) and unknown columns are dropped.
    issues : list of Issue
        Unknown labels (``set_missing``), job titles classed ``autre`` by default
        (``flagged``), rows the reader found broken (``quarantined``, dropped), columns
        dropped (``reported``). No personal value is ever quoted.

    Raises
    ------
    MissingColumnError
        A required column (promotion, the two statuses, the post) is absent.
    ReadError
        The file cannot be read as a table.
    """
    vocab = vocabulary()
    table = read_table(path, name=name)
    name = table.name
    issues: list[Issue] = []
    columns: dict[str, str] = {}   # canonical -> header in the file
    dropped: set[str] = set()
    for header in table.frame.columns:
        key = fold(header)
        canonical = vocab.headers.get(key)
        if key in vocab.personal:
            dropped.add(header)
            issues.append(Issue("personal_column_dropped", "reported",
                                "personal data: column not read", file=name, column=header))
        elif canonical is None:
            dropped.add(header)
            issues.append(Issue("unmapped_column", "reported", "column not used, dropped",
                                file=name, column=header))
        elif canonical in columns:
            raise DataError(f"two columns mean {canonical!r} ({columns[canonical]!r} and "
                            f"{header!r})", file=name, column=header, rule="duplicate_column")
        else:
            columns[canonical] = header
    for canonical in vocab.required:
        if canonical not in columns:
            accepted = sorted(h for h, c in vocab.headers.items() if c == canonical)
            raise MissingColumnError(f"required column missing (accepted headers: "
                                     f"{', '.join(accepted)})", file=name, column=canonical,
                                     rule="missing_column")
    # What the reader noticed in a dropped column may quote a name or an e-mail.
    issues = [i for i in table.issues if not (i.column in dropped and i.row is not None)] + issues
    if "nouvel_emploi" not in columns:
        issues.append(Issue("optional_column_absent", "reported",
                            "no 'nouvel emploi' column: a change of job among graduates active "
                            "before and after cannot be told apart (left undetermined)",
                            file=name, column="nouvel_emploi"))
    answers = {**{v: True for v in vocab.yes}, **{v: False for v in vocab.no}}
    records = []
    for position, row in enumerate(table.rows):
        if row in table.row_problems:
            issues.append(table.row_problems[row])
            continue
        cells = table.frame.iloc[position]

        def cell(canonical: str, cells=cells) -> object:
            return cells[columns[canonical]] if canonical in columns else pd.NA

        def lookup(canonical: str, aliases: dict[str, str], row=row) -> str | None:
            return _lookup(cell(canonical), aliases, vocab, issues, name, row,
                           columns.get(canonical))

        label, year = _promotion(cell("promotion"))
        records.append({
            "row": row, "promotion": label, "promotion_annee": year,
            "statut_avant": lookup("statut_avant", vocab.before_aliases),
            "statut_actuel": lookup("statut_actuel", vocab.now_aliases),
            "poste_actuel": _post(cell("poste_actuel"), vocab, issues, name, row,
                                  columns["poste_actuel"]),
            "nouvel_emploi": lookup("nouvel_emploi", answers),
        })
    return _frame(records), issues


#: What the certification page says when the lab's data folder has no graduates' survey.
NO_SURVEY = ("Aucune enquête auprès des diplômé·es dans le dossier raw/certification/ des "
             "données : rien à publier pour l'instant, les tableaux ci-dessous sont vides.")


def read_graduates_in(root: str | os.PathLike, source: str) -> tuple[pd.DataFrame, list[Issue]]:
    """:func:`read_graduates` of ``source``, a path relative to the data folder ``root``.

    A lab's own data folder may hold no graduates' survey yet (``source`` is then
    ``""``, see :func:`tlresearch.batch.plan.find_graduates_file`): the result is an
    empty frame and no issue, so that the certification page says there is nothing to
    show (:data:`NO_SURVEY`) instead of failing.
    """
    if not source:
        return _frame([]), []
    return read_graduates(os.path.join(root, source))


def _frame(records: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(records, columns=FRAME_COLUMNS).astype({
        "row": "Int64", "promotion": "string", "promotion_annee": "Int64",
        "statut_avant": "string", "statut_actuel": "string", "poste_actuel": "string",
        "nouvel_emploi": "boolean"})


def _lookup(value: object, aliases: dict, vocab: Vocabulary, issues: list[Issue], name: str,
            row: int, header: str | None):
    """Code of a closed-list answer; unknown labels are logged and become missing."""
    key = fold(value)
    if key in vocab.missing:
        return None
    if key in aliases:
        return aliases[key]
    issues.append(Issue("unknown_label", "set_missing", "label not in vocab/certification.yaml",
                        file=name, row=row, column=header, value=str(value)))
    return None


def _post(value: object, vocab: Vocabulary, issues: list[Issue], name: str, row: int,
          header: str) -> str | None:
    """Category of the post held now: a category label, else keywords of a free title."""
    key = fold(value)
    if key in vocab.missing:
        return None
    if key in vocab.post_aliases:
        return vocab.post_aliases[key]
    padded = f" {key} "
    for code, keywords in vocab.post_keywords:
        if any(f" {k} " in padded for k in keywords):
            return code
    issues.append(Issue("unrecognised_post", "flagged", "job title matches no category: "
                        "classed 'autre'", file=name, row=row, column=header, value=str(value)))
    return "autre"


def _promotion(value: object) -> tuple[str | None, int | None]:
    """Canonical promotion label, year first: 'Promo Printemps 2017' -> '2017 printemps'."""
    words = [w for w in fold(value).split() if w not in _PROMOTION_NOISE]
    if not words:
        return None, None
    year = next((w for w in words if _YEAR.fullmatch(w)), None)
    if year is None:
        return " ".join(words), None
    words.remove(year)
    return " ".join([year, *words]), int(year)


# --- tables ----------------------------------------------------------------------------

def classify_graduates(frame: pd.DataFrame) -> pd.DataFrame:
    """Add each graduate's published ``situation`` and ``transition`` (codes, or missing).

    ``situation``: ``recherche_emploi`` for a graduate seeking work; the post's category
    for an active one (missing if the post is unanswered); ``autre`` otherwise.
    ``transition``: the first rule of the vocabulary that matches (see the YAML).
    """
    vocab = vocabulary()
    out = frame.copy()
    situations, transitions = [], []
    for before, now, post, new_job in zip(out["statut_avant"], out["statut_actuel"],
                                          out["poste_actuel"], out["nouvel_emploi"]):
        before, now, post, new_job = (None if pd.isna(x) else x
                                      for x in (before, now, post, new_job))
        if now is None:
            situation = None
        elif now == "recherche_emploi":
            situation = "recherche_emploi"
        elif now in vocab.active:
            situation = post if post in vocab.situations else None
        else:
            situation = "autre"
        situations.append(situation)
        transitions.append(_transition(before, now, new_job, vocab))
    out["situation"] = pd.array(situations, dtype="string")
    out["transition"] = pd.array(transitions, dtype="string")
    return out


def _transition(before: str | None, now: str | None, new_job: bool | None,
                vocab: Vocabulary) -> str | None:
    if before is None or now is None:
        return None
    for rule in vocab.transitions:
        if before in rule["before"] and now in rule["now"]:
            wanted = rule.get("nouvel_emploi")
            if wanted is None:
                return rule["code"]
            if new_job is None:
                return None  # undetermined: the question that decides is unanswered
            if new_job == wanted:
                return rule["code"]
    return vocab.fallback


def outcome_tables(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The certification's outcome tables, tidy, with French labels.

    Parameters
    ----------
    frame : DataFrame
        As returned by :func:`read_graduates` (classified here if needed).

    Returns
    -------
    dict of DataFrame
        ``situation_actuelle`` and ``transitions``: columns ``code``, ``label``, ``n``,
        ``share`` (percent of ``base``, rounded half up to :data:`SHARE_DECIMALS`) and
        ``base``, rows in the published order (``autre_evolution`` only when some
        graduate has it). ``promotions``: graduates per promotion. ``champ``: who is in
        each base and who is not (situation unknown, unchanged, undetermined).
    """
    vocab = vocabulary()
    if "situation" not in frame or "transition" not in frame:
        frame = classify_graduates(frame)
    situation = _shares(frame["situation"], vocab.situations)
    in_base = frame["transition"].where(~frame["transition"].isin(vocab.outside_base))
    shown = {c: label for c, label in vocab.transition_labels.items()
             if c not in vocab.outside_base and (c != vocab.fallback or (in_base == c).any())}
    transitions = _shares(in_base, shown)
    # Promotions by year, then in the order the file lists them (spring before autumn).
    promotions = (frame.assign(_first=frame["row"])
                  .groupby(["promotion_annee", "promotion"], dropna=False)
                  .agg(n=("row", "size"), first=("_first", "min")).reset_index()
                  .sort_values(["promotion_annee", "first"], na_position="last", kind="stable")
                  .rename(columns={"promotion_annee": "year"})[["promotion", "year", "n"]]
                  .reset_index(drop=True))
    champ = pd.DataFrame([
        ("diplomes", "Diplômé·es ayant répondu", len(frame)),
        ("base_situation", "Situation actuelle connue (base de la situation)",
         int(frame["situation"].notna().sum())),
        ("situation_inconnue", "Situation actuelle non renseignée ou inconnue",
         int(frame["situation"].isna().sum())),
        ("base_transitions", "Situation changée depuis l'entrée en formation "
                             "(base des transitions)", int(in_base.notna().sum())),
        ("sans_changement", vocab.transition_labels["sans_changement"],
         int(frame["transition"].isin(vocab.outside_base).sum())),
        ("transition_indeterminee", "Évolution non déterminée (statut ou nouvel emploi "
                                    "non renseigné)", int(frame["transition"].isna().sum())),
    ], columns=["code", "label", "n"])
    return {"situation_actuelle": situation, "transitions": transitions,
            "promotions": promotions.astype({"promotion": "string", "year": "Int64",
                                             "n": "int64"}),
            "champ": champ.astype({"code": "string", "label": "string", "n": "int64"})}


def _shares(codes: pd.Series, labels: dict[str, str]) -> pd.DataFrame:
    """Counts and rounded shares of each code among the non-missing ones."""
    base = int(codes.notna().sum())
    rows = []
    for code, label in labels.items():
        n = int((codes == code).sum())
        rows.append((code, label, n, share(n, base), base))
    return pd.DataFrame(rows, columns=["code", "label", "n", "share", "base"]).astype(
        {"code": "string", "label": "string", "n": "int64", "share": "Float64", "base": "int64"})


def share(n: int, base: int, decimals: int = SHARE_DECIMALS) -> float | None:
    """``100 × n / base`` rounded half up (from exact integers), or None on an empty base.

    Examples
    --------
    >>> share(109, 200), share(1, 8), share(0, 0)
    (54.5, 12.5, None)
    """
    if base == 0:
        return None
    exact = Decimal(100 * n) / Decimal(base)
    return float(exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))
