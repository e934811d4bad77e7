"""The published figures, side by side with what the demo's own pipeline publishes.

The demo survey is calibrated on the figures the Coopérative Tiers-Lieux and the Région
published (``shared/reference/published_figures.yaml``). Calibrating the generator's
hidden truth is not enough: a reader sees the respondents kept after ingest, the
indicators the pages print, the territorial class of :mod:`tlresearch.geo.territorial_class`,
the known places of the coverage and the certification's tables. This module reads those
from an ingested demo data folder and puts each published figure beside its demo value.

Which figure is read how is data, not code: ``published_figures_map.yaml`` (next to this
module) maps every entry of the reference file to a measure of :data:`MEASURES`, or marks
it *ambiguous* (the source leaves its base open, or another source contradicts it) or
*not reproducible* (the survey has no such question, wave or scope) with a one-line
reason. No entry is left out: :func:`check_published` raises on an entry the map does
not decide.

Tolerances: ±15 % for counts, sums and means, ±5 points for shares; a lower bound
(« plus de 300 ») holds when the demo reaches it.

Examples
--------
Not run as a test (it reads a data folder, a built panel or a file)::

    import yaml
    entries = yaml.safe_load(open("../shared/reference/published_figures.yaml"))
    table = check_published(entries, DemoFigures.read("data"))
    table[table["status"] == "beyond"]
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from tlresearch.core.errors import UsageError

MAP_FILE = Path(__file__).with_name("published_figures_map.yaml")
#: The demo's region, as the reference file names it.
REGION_SCOPE = "nouvelle-aquitaine"
REGION_CODE = "75"
#: Relative tolerance of counts, sums and means; absolute (points) of shares.
COUNT_TOLERANCE = 0.15
SHARE_TOLERANCE = 5.0
#: Columns of :func:`check_published`.
COLUMNS = ["year", "scope", "indicator", "published", "demo", "kind", "measure", "status",
           "reason"]
#: Keys an entry of the map may have.
MAP_KEYS = {"year", "scope", "indicator", "measure", "kind", "published", "status", "reason"}
#: Legal statuses grouped as the publications group them.
STATUS_GROUPS = {"private": {"sas", "sarl", "ei"}, "public": {"collectivite", "public_autre"},
                 "cooperative": {"scic", "scop"}}


@dataclass
class DemoFigures:
    """What the demo's pipeline publishes, read once from an ingested data folder."""

    data_dir: str
    responses: pd.DataFrame
    staff: pd.DataFrame
    graduates: pd.DataFrame
    _known: pd.DataFrame | None = field(default=None, repr=False)
    _indicators: dict = field(default_factory=dict, repr=False)

    @classmethod
    def read(cls, data_dir: str | os.PathLike) -> DemoFigures:
        """Read the panel tables and the graduates' file of an ingested demo folder."""
        import tlresearch
        from tlresearch.core.paths import DataPaths
        from tlresearch.demo.graduates import DEMO_FILE
        from tlresearch.stats.certification import read_graduates

        paths = DataPaths.resolve(data_dir)
        graduates_file = paths.raw / DEMO_FILE
        graduates = (read_graduates(graduates_file)[0] if graduates_file.is_file()
                     else pd.DataFrame())
        return cls(data_dir=str(paths.root),
                   responses=tlresearch.load_responses(data_dir=paths.root),
                   staff=tlresearch.load_staff(data_dir=paths.root), graduates=graduates)

    def wave(self, wave: int) -> pd.DataFrame:
        return self.responses[self.responses["wave"] == wave]

    def known(self) -> pd.DataFrame:
        """Known places of every wave, as the coverage counts them (panel + directory)."""
        if self._known is None:
            from tlresearch.explore.coverage import known

            self._known = known(self.data_dir)
        return self._known

    def indicator(self, code: str, wave: int, scope: str) -> float:
        """An indicator of ``vocab/indicators.yaml`` as the pages compute it (shares in %)."""
        key = (wave, scope)
        if key not in self._indicators:
            from tlresearch.stats.indicators import compute_indicators

            table = compute_indicators(self.responses, self.staff, wave, territory(scope),
                                       resamples=50)
            self._indicators[key] = table.set_index("indicator")
        row = self._indicators[key].loc[code]
        value = float(row["value"])
        return value * 100.0 if row["unit"] == "part" else value


def territory(scope: str) -> tuple[str, str]:
    """``("region", "75")`` for the region, ``("departement", code)`` for a département."""
    return ("region", REGION_CODE) if scope == REGION_SCOPE else ("departement", scope)


# --- measures: (figures, wave, scope, argument) -> the demo's value ---------------------

def _known_places(fig: DemoFigures, wave: int, scope: str, _arg: str) -> float:
    from tlresearch.stats.known_places import coverage

    column, code = (("region_code", REGION_CODE) if scope == REGION_SCOPE
                    else ("departement_code", scope))
    table = coverage(fig.known(), wave, column, code, unlocated_inside=scope == REGION_SCOPE)
    return float(table["known_places"].iloc[0])


def _indicator(fig: DemoFigures, wave: int, scope: str, arg: str) -> float:
    return sum(fig.indicator(code, wave, scope) for code in arg.split("+"))


def _share_of(fig: DemoFigures, wave: int, column: str, values: set) -> float:
    """Share (%) of the wave's respondents whose ``column`` is in ``values``, all
    respondents in the base (unknown values included), as the profile tables print it."""
    rows = fig.wave(wave)
    return 100.0 * rows[column].astype("string").isin(values).sum() / len(rows)


def _class_share(fig, wave, _scope, arg):
    return _share_of(fig, wave, "territorial_class", {arg})


def _status_share(fig, wave, _scope, arg):
    return _share_of(fig, wave, "legal_status", STATUS_GROUPS.get(arg, {arg}))


def _typology_share(fig, wave, _scope, arg):
    return _share_of(fig, wave, "typology", {arg})


def _typology_count(fig, wave, _scope, arg):
    return float((fig.wave(wave)["typology"].astype("string") == arg).sum())


def _ticked(fig, wave, _scope, arg):
    return float(fig.wave(wave)[f"type_{arg}"].fillna(False).astype(bool).sum())


def _people_mobilised(fig, wave, scope, _arg):
    return _indicator(fig, wave, scope, "volunteers_sum+board_members_sum+cdi_sum+cdd_sum"
                                        "+interns_sum+civic_service_sum")


def _graduates_table(fig: DemoFigures, name: str) -> pd.DataFrame:
    from tlresearch.stats.certification import outcome_tables

    if fig.graduates.empty:
        raise LookupError("the data folder has no graduates' survey")
    return outcome_tables(fig.graduates)[name]


def _graduates_promotions(fig, _wave, _scope, _arg):
    return float(len(_graduates_table(fig, "promotions")))


def _graduates_share(name):
    def measure(fig, _wave, _scope, arg):
        table = _graduates_table(fig, name)
        return float(table.set_index("code").loc[arg, "share"])
    return measure


#: Every measure the map may name.
MEASURES = {
    "known_places": _known_places, "indicator": _indicator, "class_share": _class_share,
    "status_share": _status_share, "typology_share": _typology_share,
    "typology_count": _typology_count, "ticked": _ticked, "people_mobilised": _people_mobilised,
    "graduates_promotions": _graduates_promotions,
    "graduates_situation": _graduates_share("situation_actuelle"),
    "graduates_transition": _graduates_share("transitions"),
}


# --- the map ---------------------------------------------------------------------------

@lru_cache(maxsize=1)
def figure_map() -> dict:
    """``published_figures_map.yaml``: ``rules`` and ``figures`` keyed by (year, scope, indicator)."""
    raw = yaml.safe_load(MAP_FILE.read_text(encoding="utf-8"))
    figures = {}
    for entry in raw["figures"]:
        key = (int(entry["year"]), str(entry["scope"]), entry["indicator"])
        if set(entry) - MAP_KEYS:  # e.g. an unquoted comma in a flow mapping's reason
            raise UsageError(f"{MAP_FILE.name}: {key} has unknown keys {sorted(set(entry) - MAP_KEYS)}")
        if key in figures:
            raise UsageError(f"{MAP_FILE.name}: {key} is decided twice")
        if ("measure" in entry) == ("status" in entry) or ("status" in entry and not entry.get("reason")):
            raise UsageError(f"{MAP_FILE.name}: {key} needs a measure, or a status and its reason")
        figures[key] = entry
    return {"rules": raw["rules"], "figures": figures}


def decide(entry: dict) -> dict:
    """How one reference entry is read: the map's entry, or the rule that marks it.

    Raises
    ------
    LookupError
        The map decides nothing about the entry (a new figure in the reference file).
    """
    year, scope, indicator = int(entry["year"]), str(entry["scope"]), str(entry["indicator"])
    for rule in figure_map()["rules"]:
        if (("scope" in rule and scope == rule["scope"])
                or ("scopes_other_than" in rule and scope not in rule["scopes_other_than"])
                or ("indicator_suffix" in rule and indicator.endswith(rule["indicator_suffix"]))
                or ("before_year" in rule and year < rule["before_year"])):
            return {"status": rule["status"], "reason": rule["reason"]}
    try:
        return figure_map()["figures"][(year, scope, indicator)]
    except KeyError:
        raise LookupError(f"{MAP_FILE.name} decides nothing about {year} {scope} {indicator}; "
                          "map it to a measure or mark it with its reason") from None


def _kind(decision: dict, entry: dict) -> str:
    if "kind" in decision:
        return decision["kind"]
    return "share" if str(entry.get("unit", "")).startswith("percent") else "count"


def within(kind: str, published: float, demo: float) -> bool:
    """Whether the demo's value keeps to the published one (see the module docstring)."""
    if pd.isna(demo):
        return False
    if kind == "share":
        return abs(demo - published) <= SHARE_TOLERANCE + 1e-9
    if kind == "at_least":
        return demo >= published
    if kind == "above":
        return demo > published
    return abs(demo - published) <= COUNT_TOLERANCE * abs(published) + 1e-9


def check_published(entries: list[dict], figures: DemoFigures) -> pd.DataFrame:
    """Every reference entry with the demo's value and its status.

    Returns
    -------
    DataFrame of :data:`COLUMNS`, one row per entry in the reference's order. ``status``:
    ``within`` or ``beyond`` (tolerance) for a checked figure, else ``ambiguous`` or
    ``not_reproducible`` with its ``reason``.
    """
    rows = []
    for entry in entries:
        decision = decide(entry)
        row = {"year": int(entry["year"]), "scope": str(entry["scope"]),
               "indicator": entry["indicator"], "published": entry["value"], "demo": None,
               "kind": None, "measure": None, "status": decision.get("status"),
               "reason": decision.get("reason", "")}
        if "measure" in decision:
            name, _, arg = decision["measure"].partition(":")
            published = float(decision.get("published", entry["value"]))
            kind = _kind(decision, entry)
            try:
                demo = MEASURES[name](figures, row["year"], row["scope"], arg)
            except (KeyError, LookupError, IndexError) as error:
                demo, row["reason"] = float("nan"), f"not measured: {error}"
            row.update(published=published, demo=demo, kind=kind, measure=decision["measure"],
                       status="within" if within(kind, published, demo) else "beyond")
        rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)


def summary(table: pd.DataFrame) -> dict[str, int]:
    """Counts of each status (``within``, ``beyond``, ``ambiguous``, ``not_reproducible``)."""
    counts = table["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in ("within", "beyond", "ambiguous", "not_reproducible")}


__all__ = ["COLUMNS", "DemoFigures", "MEASURES", "check_published", "decide", "figure_map",
           "summary", "within"]
