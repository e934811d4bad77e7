"""Tests of tlresearch.io.cells: every parser returns an exact (value, rule) pair."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tlresearch.io.cells import (
    fold,
    luhn_valid,
    normalise_commune_code,
    normalise_postcode,
    normalise_siret,
    normalise_text,
    parse_count,
    parse_date,
    parse_decimal,
    parse_tick,
    parse_year,
    split_multi,
)

BLANKS = [None, pd.NA, float("nan"), "", "   ", "\u00a0\u202f"]


@pytest.mark.parametrize("text, expected", [
    ("  Tiers-lieu\u00a0 de   Pau ", "Tiers-lieu de Pau"),
    ("Cafe\u0301", "Café"),                      # NFD accent recomposed
    ("ligne 1\nligne 2", "ligne 1 ligne 2"),
    ("a\u202fb", "a b"),
])
def test_normalise_text(text, expected):
    assert normalise_text(text) == expected


@pytest.mark.parametrize("blank", BLANKS)
def test_normalise_text_blank_is_none(blank):
    assert normalise_text(blank) is None


@pytest.mark.parametrize("text, expected", [
    ("Ste-Foy-la-Grande", "sainte foy la grande"),
    ("St-Émilion", "saint emilion"),
    ("SAINT-ÉMILION", "saint emilion"),
    ("L’Atelier (Pau)", "l atelier pau"),
    ("L'Isle_d/Abeau.  ,x", "l isle d abeau x"),
    ("Cœur de Ville", "coeur de ville"),
    ("Stenay", "stenay"),                        # "st" only as a whole word
    ("Cafe\u0301 associatif", "cafe associatif"),
    (None, ""),
])
def test_fold(text, expected):
    assert fold(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("3", (3, None)),
    ("3,0", (3, None)),
    ("3.0", (3, None)),
    ("1 234", (1234, None)),
    ("1\u00a0234", (1234, None)),
    ("1\u202f234", (1234, None)),
    ("1.234", (1234, None)),
    ("1,234,567", (1234567, None)),
    ("1.234.567", (1234567, None)),
    ("0.500", (None, "count_not_integer")),
    ("2 personnes", (2, "unit_stripped")),
    ("2 ETP", (2, "unit_stripped")),
    ("NSP", (None, "not_known")),
    ("ne sait pas", (None, "not_known")),
    ("?", (None, "not_known")),
    ("-", (None, "not_known")),
    ("n/a", (None, "not_known")),
    ("NC", (None, "not_known")),
    ("aucun", (0, "word_number")),
    ("néant", (0, "word_number")),
    ("zero", (0, "word_number")),
    ("zéro", (0, "word_number")),
    ("Deux", (2, "word_number")),
    ("2,5", (None, "count_not_integer")),
    ("2,5 ETP", (None, "count_not_integer")),
    ("beaucoup", (None, "not_a_number")),
    ("2 ou 3", (None, "not_a_number")),        # a range is not one number
    ("10+", (None, "not_a_number")),
    ("12 k€", (None, "not_a_number")),         # stripping k€ would be wrong by 1000
    ("12 34", (None, "not_a_number")),         # not a thousands grouping
    ("-1", (-1, None)),
    ("1E+2", (100, "scientific_notation")),
    ("1,5E+1", (15, "scientific_notation")),
])
def test_parse_count(text, expected):
    result = parse_count(text)
    assert result == expected
    assert type(result[0]) is (int if expected[0] is not None else type(None))


@pytest.mark.parametrize("blank", BLANKS)
def test_parsers_blank_is_none_none(blank):
    for parse in (parse_count, parse_decimal, parse_year, parse_date, normalise_siret,
                  normalise_commune_code, normalise_postcode):
        assert parse(blank) == (None, None), parse.__name__


@pytest.mark.parametrize("text, expected", [
    ("2,5", (2.5, None)),
    ("2.5", (2.5, None)),
    ("-2,5", (-2.5, None)),
    ("0.125", (0.125, None)),
    ("1 234,5", (1234.5, None)),
    ("1\u202f234,5", (1234.5, None)),
    ("1.234,5", (1234.5, None)),
    ("1,234.5", (1234.5, None)),
    ("12.000", (12.0, None)),                   # a lone dot is a decimal point here
    ("44.837", (44.837, None)),                 # e.g. a latitude
    ("1.234.567,5", (1234567.5, None)),
    ("1.234.567", (1234567.0, None)),
    ("2 ETP", (2.0, "unit_stripped")),
    ("2,5 ETP", (2.5, "unit_stripped")),
    ("12 000 €", (12000.0, "unit_stripped")),
    ("12000 euros", (12000.0, "unit_stripped")),
    ("45 m²", (45.0, "unit_stripped")),
    ("45m2", (45.0, "unit_stripped")),
    ("56,3 %", (56.3, "unit_stripped")),
    ("mi-temps", (0.5, "word_number")),
    ("mi temps", (0.5, "word_number")),
    ("1/2 temps", (0.5, "word_number")),
    ("temps plein", (1.0, "word_number")),
    ("Temps-Plein", (1.0, "word_number")),
    ("aucun", (0.0, "word_number")),
    ("1/2", (0.5, "fraction")),
    ("3/4", (0.75, "fraction")),
    ("1/0", (None, "not_a_number")),
    ("NSP", (None, "not_known")),
    ("?", (None, "not_known")),
    ("NC", (None, "not_known")),
    ("beaucoup", (None, "not_a_number")),
    ("1,2,3", (None, "not_a_number")),
    ("1E+2", (100.0, "scientific_notation")),
])
def test_parse_decimal(text, expected):
    result = parse_decimal(text)
    assert result == expected
    if expected[0] is not None:
        assert type(result[0]) is float


@pytest.mark.parametrize("text, expected", [
    ("2015", (2015, None)),
    (" 2015 ", (2015, None)),
    ("2015.0", (2015, "float_artifact")),
    ("01/09/2015", (2015, "date_to_year")),
    ("2015-09-01", (2015, "date_to_year")),
    ("sept. 2015", (2015, "date_to_year")),
    ("septembre 2015", (2015, "date_to_year")),
    ("Septembre 2015", (2015, "date_to_year")),
    ("1er septembre 2015", (2015, "date_to_year")),
    ("09/2015", (2015, "date_to_year")),
    ("13/2015", (None, "not_a_year")),
    ("42248", (2015, "excel_serial")),
    ("15", (None, "not_a_year")),
    ("l'an dernier", (None, "not_a_year")),
    ("NSP", (None, "not_known")),
    ("1850", (None, "year_out_of_range")),
    ("2150", (None, "year_out_of_range")),
])
def test_parse_year(text, expected):
    assert parse_year(text) == expected


def test_parse_year_bounds_are_parameters():
    assert parse_year("2010", earliest=2013) == (None, "year_out_of_range")
    assert parse_year("1850", earliest=1800) == (1850, None)
    assert parse_year("2030", latest=2026) == (None, "year_out_of_range")


@pytest.mark.parametrize("text, expected", [
    ("23/11/2026", dt.datetime(2026, 11, 23)),
    ("23/11/2026 14:05", dt.datetime(2026, 11, 23, 14, 5)),
    ("23/11/2026 14:05:33", dt.datetime(2026, 11, 23, 14, 5, 33)),
    ("3/9/2026", dt.datetime(2026, 9, 3)),          # day first, always
    ("2026-11-23", dt.datetime(2026, 11, 23)),
    ("2026-11-23 14:05:33", dt.datetime(2026, 11, 23, 14, 5, 33)),
    ("2026-11-23T14:05:33", dt.datetime(2026, 11, 23, 14, 5, 33)),
    ("2026-11-23T14:05:33+01:00", dt.datetime(2026, 11, 23, 14, 5, 33)),
    ("2019/03/12 10:15:32 UTC+1", dt.datetime(2019, 3, 12, 10, 15, 32)),
    ("2019/03/12 10:15:32 PM UTC+1", dt.datetime(2019, 3, 12, 22, 15, 32)),
    ("2019/03/12 12:15:32 AM UTC+1", dt.datetime(2019, 3, 12, 0, 15, 32)),
    ("2019/03/12 12:15:32 PM GMT+2", dt.datetime(2019, 3, 12, 12, 15, 32)),
    ("23 novembre 2026", dt.datetime(2026, 11, 23)),
])
def test_parse_date_clean(text, expected):
    result = parse_date(text)
    assert result == (expected, None)
    assert result[0].tzinfo is None


@pytest.mark.parametrize("text, expected", [
    ("43536", dt.datetime(2019, 3, 12)),
    ("43536.4375", dt.datetime(2019, 3, 12, 10, 30)),
    ("43536,5", dt.datetime(2019, 3, 12, 12, 0)),
])
def test_parse_date_excel_serial(text, expected):
    assert parse_date(text) == (expected, "excel_serial")


@pytest.mark.parametrize("text, rule", [
    ("31/02/2019", "not_a_date"),
    ("2019-02-30", "not_a_date"),
    ("23/11/2026 25:00", "not_a_date"),
    ("2019/03/12 13:15:32 PM", "not_a_date"),
    ("bientôt", "not_a_date"),
    ("2019", "not_a_date"),
    ("NSP", "not_known"),
])
def test_parse_date_invalid(text, rule):
    assert parse_date(text) == (None, rule)


@pytest.mark.parametrize("text", ["Y", "Oui", "oui", "O", "X", "x", "1", "1.0", "True",
                                  "Vrai", "Yes", "coché", " oui "])
def test_parse_tick_true(text):
    assert parse_tick(text) == (True, None)


@pytest.mark.parametrize("text", [None, pd.NA, "", "  ", "0", "N", "Non", "False", "Faux"])
def test_parse_tick_false(text):
    assert parse_tick(text) == (False, None)


@pytest.mark.parametrize("text", ["peut-être", "Coworking", "2"])
def test_parse_tick_unclear(text):
    assert parse_tick(text) == (None, "not_a_tick")


def test_split_multi():
    assert split_multi(" Coworking ;Fablab;; ", ";") == ["Coworking", "Fablab"]
    assert split_multi("Café associatif, Fablab", ", ") == ["Café associatif", "Fablab"]
    assert split_multi(pd.NA, ",") == []
    assert split_multi(None, ",") == []
    with pytest.raises(ValueError):
        split_multi("a,b", "")


@pytest.mark.parametrize("digits, expected", [
    ("73282932000074", True),
    ("73282932000075", False),
    ("732829320", True),                         # a SIREN
    ("0", True),
    ("", False),
    ("7328293200007a", False),
    ("١٢٣", False),                              # non-ASCII digits are not digits here
])
def test_luhn_valid(digits, expected):
    assert luhn_valid(digits) is expected


@pytest.mark.parametrize("text, expected", [
    ("73282932000074", ("73282932000074", None)),
    ("732 829 320 00074", ("73282932000074", "siret_reformatted")),
    ("732\u00a0829\u00a0320\u00a000074", ("73282932000074", "siret_reformatted")),
    ("732.829.320.00074", ("73282932000074", "siret_reformatted")),
    ("732-829-320-00074", ("73282932000074", "siret_reformatted")),
    ("73282932000074.0", ("73282932000074", "siret_reformatted")),
    ("1.23456789012345E+13", (None, "siret_scientific_notation")),
    ("1,23457E+13", (None, "siret_scientific_notation")),
    ("7328293200007", (None, "siret_length")),
    ("732829320", (None, "siret_length")),
    ("SIRET en cours", (None, "siret_length")),
    ("73282932000075", (None, "siret_luhn")),
])
def test_normalise_siret(text, expected):
    assert normalise_siret(text) == expected


def test_normalise_siret_la_poste_exception():
    # La Poste's establishments: digit sum a multiple of 5, Luhn not required.
    siret = "35600000049837"
    assert sum(map(int, siret)) % 5 == 0 and not luhn_valid(siret)
    assert normalise_siret(siret) == (siret, None)
    not_multiple = "35600000000049"
    assert not luhn_valid(not_multiple)
    assert normalise_siret(not_multiple) == (None, "siret_luhn")
    # The exception is La Poste's alone.
    other = "35600000100000"
    assert not luhn_valid(other) and sum(map(int, other)) % 5 == 0
    assert normalise_siret(other) == (None, "siret_luhn")


@pytest.mark.parametrize("text, expected", [
    ("33063", ("33063", None)),
    (" 33063 ", ("33063", None)),
    ("33063.0", ("33063", "float_artifact")),
    ("6088", ("06088", "leading_zero_restored")),
    ("6088.0", ("06088", "leading_zero_restored")),
    ("2A004", ("2A004", None)),
    ("2a004", ("2A004", None)),
    ("2b033", ("2B033", None)),
    ("2C004", (None, "not_a_commune_code")),
    ("330630", (None, "not_a_commune_code")),
    ("33 063", (None, "not_a_commune_code")),
    ("Bordeaux", (None, "not_a_commune_code")),
])
def test_normalise_commune_code(text, expected):
    assert normalise_commune_code(text) == expected


def test_corsican_code_is_never_parsed_as_a_number():
    # "2E004" would be 2e4 as a float: it must stay text (and is not a valid code).
    assert normalise_commune_code("2E004") == (None, "not_a_commune_code")
    assert normalise_commune_code("2A004")[0] == "2A004"


@pytest.mark.parametrize("text, expected", [
    ("33000", ("33000", None)),
    ("33 000", ("33000", None)),
    ("33\u00a0000", ("33000", None)),
    ("33000.0", ("33000", "float_artifact")),
    ("6000", ("06000", "leading_zero_restored")),
    ("2A000", (None, "not_a_postcode")),
    ("330000", (None, "not_a_postcode")),
    ("33000 Bordeaux", (None, "not_a_postcode")),
])
def test_normalise_postcode(text, expected):
    assert normalise_postcode(text) == expected


def test_parsers_accept_non_string_scalars():
    # Callers may hand over numbers (e.g. from an XLSX read elsewhere).
    assert parse_count(3) == (3, None)
    assert parse_decimal(2.5) == (2.5, None)
    assert parse_year(2015) == (2015, None)
    assert normalise_commune_code(33063.0) == ("33063", "float_artifact")


def test_rules_are_snake_case():
    samples = [parse_count("2 personnes"), parse_decimal("mi-temps"), parse_year("15"),
               parse_date("31/02/2019"), parse_tick("?"), normalise_siret("1"),
               normalise_commune_code("x"), normalise_postcode("x")]
    for _, rule in samples:
        assert rule and rule.replace("_", "").isalpha() and rule == rule.lower()
