"""Validation: range and cross-field rules name the failing rule and column."""
import pandas as pd

from tlresearch.ingest.validate import validate_responses


def frame(**columns):
    n = len(next(iter(columns.values())))
    base = {"response_id": pd.array([f"2019-{i:06d}" for i in range(n)], dtype="string"),
            "wave": pd.array([2019] * n, dtype="Int64")}
    for name, values in columns.items():
        dtype = "Float64" if name == "etp" else "string" if name == "legal_status" else "Int64"
        base[name] = pd.array(values, dtype=dtype)
    return pd.DataFrame(base)


def rules(failures):
    return sorted(zip(failures["response_id"], failures["rule"], failures["column"]))


def test_clean_rows_pass():
    df = frame(cdi=[1, 0], cdd=[1, None], staff_total=[2, 0], etp=[1.5, 0.0],
               opening_year=[2019, 2001], legal_status=["association", None])
    assert validate_responses(df).empty


def test_negative_count():
    df = frame(cdi=[-1, 2])
    assert rules(validate_responses(df)) == [("2019-000000", "range_cdi", "cdi")]


def test_cdi_plus_cdd_above_staff():
    df = frame(cdi=[3, 1], cdd=[2, 1], staff_total=[4, 2])
    failures = validate_responses(df)
    assert rules(failures) == [("2019-000000", "cdi_cdd_above_staff", "cdi")]
    assert failures["value"].tolist() == ["3"]


def test_etp_above_one_and_a_half_times_headcount():
    # 4.6 > 3 x 1.5; the second row has no declared total, so CDI + CDD counts.
    df = frame(staff_total=[3, None, 2], cdi=[1, 1, 2], cdd=[0, 1, 0], etp=[4.6, 3.0, 3.0])
    assert rules(validate_responses(df)) == [("2019-000000", "etp_above_headcount", "etp")]


def test_future_opening_year():
    df = frame(opening_year=[2020, 2019])
    assert rules(validate_responses(df)) == [("2019-000000", "opening_after_wave", "opening_year")]


def test_unknown_category():
    df = frame(legal_status=["associatoin", "scic"])
    assert rules(validate_responses(df)) == [("2019-000000", "category_legal_status", "legal_status")]


def test_missing_values_are_not_violations():
    df = frame(cdi=[None], cdd=[None], staff_total=[None], etp=[None], opening_year=[None])
    assert validate_responses(df).empty
