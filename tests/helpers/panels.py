"""The hand-built panel of tests/data/indicators, typed like the real one."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

DATA = Path(__file__).parents[1] / "data" / "indicators"
TEXT = ["response_id", "place_id", "place_name", "region_code", "departement_code",
        "epci_code", "typology", "legal_status"]


def hand_panel() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(responses, staff, directory) of tests/data/indicators, typed like the real panel."""
    responses = pd.read_csv(DATA / "responses.csv", dtype={c: "string" for c in TEXT})
    for column in ("wave", "staff_total", "cdi", "cdd", "other_contracts", "volunteers",
                   "civic_service", "interns", "board_members"):
        responses[column] = responses[column].astype("Int64")
    responses["etp"] = responses["etp"].astype("Float64")
    staff = pd.read_csv(DATA / "staff.csv", dtype="string").astype({"wave": "Int64",
                                                                     "job_index": "Int64"})
    directory = pd.read_csv(DATA / "directory.csv", sep=";", dtype="string")
    return responses, staff, directory
