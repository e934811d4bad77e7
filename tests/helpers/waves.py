"""A regional wave shaped like the real one, for the secrecy tests (seeded, tiny to build)."""
from __future__ import annotations

import numpy as np
import pandas as pd

DEPARTEMENTS = ["16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87"]
WEIGHTS = [.06, .10, .04, .02, .08, .25, .06, .05, .12, .06, .08, .08]
TYPES = ["coworking", "fablab", "atelier_partage", "cafe_associatif", "hybride",
         "tiers_lieu_nourricier", "autre"]


def a_wave(seed: int, n: int = 235, unknown: int = 3) -> pd.DataFrame:
    """Gironde large, Creuse tiny, a few places whose commune is unknown, skewed ETP."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "place_id": [f"TL{i:05d}" for i in range(n)],
        "departement_code": rng.choice(DEPARTEMENTS, n, p=WEIGHTS).astype(object),
        "typology": rng.choice(TYPES, n, p=[.3, .15, .1, .1, .2, .05, .1]),
        "etp": rng.gamma(1.2, 1.5, n).round(1),
    })
    frame.loc[frame.index[:unknown], "departement_code"] = None
    return frame
