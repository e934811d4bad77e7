"""Glue of the report notebooks: territory of a report, its parameters, French tables.

The notebooks under ``notebooks/`` only call the library; what two of them need (which
territory a code names, checking the papermill parameters, the rows and outlines of a
territory, an indicator table as French text after statistical secrecy) lives here.

A territory is a code: the region's (``"75"``, Nouvelle-Aquitaine) or one of its
departments (``"33"``, ``"64"``...). Functions return data; none writes a file.

Examples
--------
>>> territory_level("75"), territory_level("33")
('region', 'departement')
>>> territory_label("33")
'Gironde (33)'
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

from tlresearch.core.errors import UsageError
from tlresearch.core.formats import (
    format_count,
    format_interval,
    format_number,
    format_percent,
    format_points,
)
from tlresearch.core.paths import DEFAULT_REGION, DataPaths

if TYPE_CHECKING:
    import pandas as pd

#: Indicators of the key-figures table of a Panorama, in the order they are shown.
KEY_FIGURES = ("respondents", "share_employers", "share_volunteer_run", "staff_total_sum",
               "cdi_sum", "etp_sum", "facilitator_places", "facilitator_jobs",
               "volunteers_sum")


def _departements(region: str) -> dict[str, str]:
    from tlresearch.geo.datafrance import departement_names

    return departement_names(region)


def _region_name(region: str) -> str:
    from tlresearch.geo.datafrance import regions

    table = regions()
    names = table.loc[table["code"] == region, "name"]
    return names.iloc[0] if len(names) else region


def territory_level(code: str, region: str = DEFAULT_REGION) -> str:
    """``"region"`` for the region's code, else ``"departement"``.

    Examples
    --------
    >>> territory_level("75"), territory_level("64")
    ('region', 'departement')
    """
    return "region" if str(code) == region else "departement"


def territory_label(code: str, region: str = DEFAULT_REGION) -> str:
    """French name of a territory: ``Nouvelle-Aquitaine`` or ``Gironde (33)``."""
    code = str(code)
    if code == region:
        return _region_name(region)
    name = _departements(region).get(code)
    return f"{name} ({code})" if name else code


def panel_waves(data_dir: str | os.PathLike | None = None) -> list[int]:
    """Waves of the built panel, from the metadata ingest writes (no table is read).

    Raises
    ------
    UsageError
        When the panel has not been built.
    """
    from tlresearch.core.storage import read_parquet_metadata

    path = DataPaths.resolve(data_dir).processed_table("responses")
    if not path.is_file():
        raise UsageError(f"{path} does not exist: build the panel with `tlresearch ingest`")
    return sorted(int(w) for w in read_parquet_metadata(path)["waves"].split(",") if w)


def validate_parameters(year: int, territory: str, data_dir: str | os.PathLike | None = None,
                        region: str = DEFAULT_REGION) -> tuple[str, str]:
    """Check a report's parameters and return the territory as ``(level, code)``.

    Parameters
    ----------
    year
        Survey wave; it must be in the panel of ``data_dir``.
    territory
        The region's code or the code of one of its departments.
    data_dir
        Data folder (see :mod:`tlresearch.core.paths`).

    Raises
    ------
    UsageError
        Unknown territory, a year with no wave in the panel, or no panel built yet.

    Examples
    --------
    >>> validate_parameters(2025, "33", "/tmp/demo")   # doctest: +SKIP
    ('departement', '33')
    """
    code = str(territory)
    departements = _departements(region)
    if code != region and code not in departements:
        raise UsageError(
            f"territoire inconnu {code!r} / unknown territory: give the region's code "
            f"{region!r} or one of its departments ({', '.join(sorted(departements))})")
    waves = panel_waves(data_dir)
    if int(year) not in waves:
        raise UsageError(
            f"aucune vague {year} dans le panel / no wave {year} in the panel; "
            f"waves: {', '.join(map(str, waves))}")
    return territory_level(code, region), code


def select_territory(frame: pd.DataFrame, territory: str,
                     region: str = DEFAULT_REGION) -> pd.DataFrame:
    """Rows of ``frame`` (responses or places) in the territory, by their department.

    The region keeps rows whose ``region_code`` is the region's or unknown (the survey
    is regional: a place whose commune was not found still answered it; all rows when
    the column is absent); a department keeps rows whose ``departement_code`` is its code.
    """
    code = str(territory)
    if territory_level(code, region) == "region":
        if "region_code" not in frame.columns:
            return frame.reset_index(drop=True)
        mask = frame["region_code"].astype("string").eq(code).fillna(True)
    else:
        mask = frame["departement_code"].astype("string").eq(code).fillna(False)
    return frame[mask.astype(bool)].reset_index(drop=True)


def territory_boundaries(territory: str, data_dir: str | os.PathLike | None = None,
                         region: str = DEFAULT_REGION, web: bool = True) -> dict:
    """Communes, EPCI and departments of a territory, for :mod:`tlresearch.viz.maps`.

    For a department, the communes and the department are its own and the EPCI are
    those with at least one commune in it (drawn whole, as far as the region goes).
    """
    from tlresearch.geo.reference import load_boundaries

    paths = DataPaths.resolve(data_dir)
    layers = {level: load_boundaries(level, region=region, web=web, paths=paths)
              for level in ("commune", "epci", "departement")}
    code = str(territory)
    if territory_level(code, region) == "region":
        return layers
    communes = layers["commune"][layers["commune"]["departement_code"] == code]
    epci = layers["epci"][layers["epci"]["code"].isin(communes["epci_code"].dropna())]
    departement = layers["departement"][layers["departement"]["code"] == code]
    return {"commune": communes.reset_index(drop=True), "epci": epci.reset_index(drop=True),
            "departement": departement.reset_index(drop=True)}


def format_value(value, unit: str) -> str:
    """One indicator value as French text suited to its unit.

    Examples
    --------
    >>> format_value(0.563, "part")
    '56,3\\xa0%'
    >>> format_value(0.05, "écart de part")
    '+5,0\\xa0pts'
    """
    if unit == "part":
        return format_percent(value)
    if unit == "écart de part":
        return format_points(value)
    if unit in {"lieux", "personnes"}:
        return format_count(value)
    return format_number(value, 1)


def indicator_table(tidy: pd.DataFrame) -> pd.DataFrame:
    """An indicator table as it may be published, in French: secret figures read ``s``.

    Parameters
    ----------
    tidy
        A table of :func:`tlresearch.stats.indicators.compute_indicators`,
        :func:`tlresearch.stats.trends.indicator_series` or
        :func:`tlresearch.stats.trends.compare_waves`.

    Returns
    -------
    DataFrame of text: ``Indicateur``, ``Vague``, the split value when the table has a
    split (``Catégorie``), ``Valeur``, ``Intervalle``, ``Base (lieux)``, ``Note``.
    Figures resting on too few places (see :mod:`tlresearch.secrecy.marks`) read ``s``
    and carry neither interval nor base.
    """
    import pandas as pd

    from tlresearch.stats.indicator_catalogue import split_label

    table = tidy.copy()
    if "suppressed" in table.columns:
        from tlresearch.secrecy.marks import publishable

        table = publishable(table)
    secret = (table["display"].eq("s").fillna(False) if "display" in table.columns
              else pd.Series(False, index=table.index))
    out = pd.DataFrame({"Indicateur": table["label"].astype(str),
                        "Vague": table["wave"].map(lambda w: str(int(w)))})
    if table["split"].notna().any():
        out["Catégorie"] = [split_label(s, v) for s, v in zip(table["split"],
                                                              table["split_value"])]
    values, intervals, bases = [], [], []
    for (_, row), hidden in zip(table.iterrows(), secret):
        unit = str(row["unit"])
        values.append("s" if hidden else format_value(row["value"], unit))
        both = not (pd.isna(row["low"]) or pd.isna(row["high"]))
        intervals.append(format_interval(row["low"], row["high"],
                                         lambda v, **kw: format_value(v, unit))
                         if both and not hidden else "")
        bases.append("" if hidden else format_count(row["n"]))
    out["Valeur"] = values
    out["Intervalle"] = intervals
    out["Base (lieux)"] = bases
    out["Note"] = table["note"].fillna("").astype(str)
    return out.reset_index(drop=True)


def key_figures(responses: pd.DataFrame, staff: pd.DataFrame | None, year: int,
                territory: str, open_places=None, region: str = DEFAULT_REGION
                ) -> pd.DataFrame:
    """The key figures of a Panorama (:data:`KEY_FIGURES`) as a French table after secrecy.

    Both definitions of facilitators are there, labelled (a) places and (b) job slots.
    """
    from tlresearch.stats.indicators import compute_indicators

    tidy = compute_indicators(responses, staff, int(year),
                              territory=(territory_level(territory, region), str(territory)),
                              open_places=open_places, indicators=list(KEY_FIGURES))
    return indicator_table(tidy).drop(columns=["Vague"])


def previous_wave(responses: pd.DataFrame, year: int) -> int:
    """The last wave of ``responses`` before ``year`` (``year`` itself when there is none).

    Examples
    --------
    >>> import pandas as pd
    >>> previous_wave(pd.DataFrame({"wave": [2017, 2019, 2020]}), 2020)
    2019
    """
    earlier = responses.loc[responses["wave"] < int(year), "wave"]
    return int(earlier.max()) if len(earlier) else int(year)


def count_table(frame: pd.DataFrame, by: str | list[str], label: str = "Nombre") -> pd.DataFrame:
    """Rows of ``frame`` counted by one or more columns, largest first, counts in French.

    Examples
    --------
    >>> import pandas as pd
    >>> count_table(pd.DataFrame({"rule": ["a", "b", "a"]}), "rule", "Lignes")
      rule Lignes
    0    a      2
    1    b      1
    """
    keys = [by] if isinstance(by, str) else list(by)
    counts = (frame.groupby(keys, dropna=False).size().rename("_n").reset_index()
              .sort_values(["_n", *keys], ascending=[False, *[True] * len(keys)],
                           kind="stable"))
    counts[label] = counts.pop("_n").map(format_count)
    return counts.reset_index(drop=True)


def french_table(frame: pd.DataFrame, counts: list[str] = (), shares: list[str] = (),
                 percents: list[str] = ()) -> pd.DataFrame:
    """A copy of ``frame`` with columns written the French way.

    ``counts`` become ``1 234``; ``shares`` (proportions, 0.563) and ``percents``
    (already times 100, 56.3) become ``56,3 %``.

    Examples
    --------
    >>> import pandas as pd
    >>> french_table(pd.DataFrame({"n": [1234], "share": [54.5]}), ["n"],
    ...              percents=["share"]).iloc[0].tolist() == ["1\u202f234", "54,5\xa0%"]
    True
    """
    out = frame.copy()
    for column in counts:
        out[column] = out[column].map(format_count)
    for column in shares:
        out[column] = out[column].map(format_percent)
    for column in percents:
        out[column] = out[column].map(lambda v: format_percent(v if _missing(v) else v / 100))
    return out


def _missing(value) -> bool:
    from tlresearch.core.formats import is_missing

    return is_missing(value)


__all__ = ["territory_level", "territory_label", "validate_parameters", "select_territory",
           "territory_boundaries", "format_value", "indicator_table", "key_figures",
           "previous_wave", "count_table", "french_table", "KEY_FIGURES"]
