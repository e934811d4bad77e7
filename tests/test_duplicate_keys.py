"""Two submissions of one place in a wave, one with its SIRET and one without, are one place."""
import pandas as pd

from tlresearch.ingest.wave import _duplicate_key


def test_a_blank_siret_joins_the_submission_that_typed_it():
    responses = pd.DataFrame({
        "response_id": ["r1", "r2", "r3"], "place_name": ["La Boussole", "la boussole", "Autre"],
        "commune_code": ["40243", "40243", "40243"],
        "siret": pd.array(["12793841363043", None, None], dtype="string")})
    keys = _duplicate_key(responses)
    assert keys[0] == keys[1] == "siret:12793841363043"
    assert keys[2] != keys[0]
