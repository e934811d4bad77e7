"""Places for map tests: spread over real communes, with hostile names and planted secrets."""
from __future__ import annotations

import pandas as pd

from tlresearch.viz import map_classes

#: Names that try to break out of every context a map puts them in.
PAYLOADS = [
    "La Fabrique <img src=x onerror=alert(1)>",
    "Le Hangar ${alert(1)}",
    "Le Four `+alert(1)+`",
    "L'Atelier </script><script>window.__pwned=1</script>",
    "Café {{ 7*7 }} {% if true %}jinja{% endif %}",
    'Le "Quai" <b onmouseover="window.__pwned=2">x</b>',
]
#: Values of non-public columns planted in the input: none may reach a page.
SECRETS = {"siret": "73282932000074", "email": "secret.contact@example.org",
           "telephone": "05 55 12 34 56", "contact_name": "Jeanne Secrète"}


def make_places(communes: pd.DataFrame, n: int = 400, payloads: bool = True) -> pd.DataFrame:
    """``n`` places spread over ``communes`` (deterministic), with payloads and secrets."""
    codes = communes.sort_values("code")
    step = max(1, len(codes) // n)
    chosen = codes.iloc[[(i * step) % len(codes) for i in range(n)]]
    types = [*map_classes.TYPOLOGY_COLOURS, None]
    names = [f"Lieu {i:03d}" for i in range(n)]
    if payloads:
        names[: len(PAYLOADS)] = PAYLOADS[:n]
    frame = pd.DataFrame({
        "place_id": [f"TL{i:010x}" for i in range(n)],
        "place_name": names,
        "commune_code": chosen["code"].astype(str).to_numpy(),
        "commune_name": chosen["name"].astype(str).to_numpy(),
        "epci_code": chosen["epci_code"].astype(str).to_numpy(),
        "departement_code": chosen["departement_code"].astype(str).to_numpy(),
        "typology": pd.array([types[i % len(types)] for i in range(n)], dtype="string"),
        "waves": ["2017,2018,2019,2022" if i % 2 else "2025" for i in range(n)],
        **{column: value for column, value in SECRETS.items()},
    })
    return frame
