"""``split="departement"``: each département against the rest of the region, corrected.

Twelve départements tested at 5 % would find a « difference » by chance more often
than not; :func:`compare_departements` tests each against the rest of the region
(Welch) and corrects for the number of tests (Holm), French columns first.
"""
from __future__ import annotations

import os

import pandas as pd

from tlresearch.core.settings import home_region
from tlresearch.explore.indicator import _waves
from tlresearch.explore.panel_status import ExplorerError, panel_status, read_tables
from tlresearch.geo.datafrance import departement_names
from tlresearch.secrecy.rules import SECRET, SecrecyRule
from tlresearch.stats.paired_changes import departement_tests

#: Indicators that can be tested per place, and the place-level variable tested.
TESTABLE = {"share_employers": "share_employers", "staff_total_sum": "staff_total",
            "cdi_sum": "cdi", "cdd_sum": "cdd", "volunteers_sum": "volunteers",
            "etp_sum": "etp", "etp_mean": "etp"}


def compare_departements(code: str = "share_employers", wave: int | None = None,
                         region: str | None = None, *,
                         data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Each département against the rest of the region for one indicator and wave.

    For a sum, the mean per place is compared. ``p ajustée`` is Holm's correction over
    the départements tested; a département with fewer than three respondents reads
    « s » (its number stays in ``value`` for the lab's own work).
    """
    status = panel_status(data_dir).require()
    (wave,) = _waves(wave, status.waves)
    if code not in TESTABLE:
        raise ExplorerError(f"comparaison par département non disponible pour {code!r} ; "
                            f"choisir parmi : {', '.join(TESTABLE)}")
    region = region or home_region(data_dir)
    (responses,) = read_tables(data_dir, "responses")
    table = departement_tests(responses, wave, TESTABLE[code], region)
    if table.empty:
        return table
    names = departement_names(region)
    rule = SecrecyRule()
    secret = table["n"] < rule.threshold
    french = pd.DataFrame({
        "Département": table["departement_code"].map(lambda c: f"{names.get(c, c)} ({c})"),
        "Vague": wave, "Valeur (moyenne par lieu)": table["value"].where(~secret),
        "Reste de la région": table["rest_of_region"], "Écart": table["difference"].where(~secret),
        "Répondants": table["n"], "p": table["p_value"], "p ajustée (Holm)": table["p_adjusted"],
        "Significatif à 5 %": table["significant"].map({True: "oui", False: "non"}),
        "Secret": secret.map({True: SECRET, False: ""})})
    out = pd.concat([french, table.assign(indicator=code, suppressed=secret)], axis=1)
    out.attrs["note"] = str(table["method"].iloc[0])
    return out
