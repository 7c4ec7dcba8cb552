"""Coverage by the Styringsaftale 2018 (000 L290-300, Bilag 5 and 6: 001 L3816-3896)."""
from __future__ import annotations

import pytest

from conftest import buyers, decide, tilbud


def omfattet(period, readings=None, **fields):
    return decide(period, tilbud(**fields), readings)["omfattet"]


@pytest.mark.parametrize("driftsform, expected, rule", [
    ("driftsoverenskomst", "ikke_omfattet", "syd2018.omfattet.driftsoverenskomst"),
    ("privat", "ikke_omfattet", "syd2018.omfattet.privat"),
    ("regional", "omfattet", "syd2018.omfattet.regional"),
    ("kommunal", "omfattet", "syd2018.omfattet.solgt"),
])
def test_driftsform(syd2018, driftsform, expected, rule):
    answer = omfattet(syd2018, driftsform=driftsform, koeb=buyers(1))
    assert (answer["value"], answer["rule"]) == (expected, rule)


def test_regional_is_covered_even_outside_bilag5_and_without_buyers(syd2018):
    answer = omfattet(syd2018, driftsform="regional", driftsherre="Region Syddanmark", lovgrundlag=["SEL § 85"])
    assert (answer["value"], answer["rule"]) == ("omfattet", "syd2018.omfattet.regional")


def test_lovgrundlag_outside_bilag5(syd2018):
    answer = omfattet(syd2018, lovgrundlag=["SEL § 85"], koeb=buyers(2))
    assert (answer["value"], answer["rule"]) == ("ikke_omfattet", "syd2018.omfattet.uden_for_bilag5")
    assert answer["explanation"]["rule"]["condition"]["sentence"] == "lovgrundlaget er nævnt i bilag 5: nej ✓"


def test_one_listed_lovgrundlag_is_enough(syd2018):
    answer = omfattet(syd2018, lovgrundlag=["SEL § 85", "ABL § 105 stk. 2"], koeb=buyers(1))
    assert answer["value"] == "omfattet"


def test_bilag6_area_outside_bilag5_is_partly_covered_and_conflict_flagged(syd2018):
    answer = omfattet(syd2018, lovgrundlag=["SUL § 141"], bilag6_omraade="misbrug", koeb=buyers(1))
    assert (answer["value"], answer["rule"]) == ("delvist_omfattet", "syd2018.omfattet.bilag6")
    conflict = [flag["text"] for flag in answer["flags"] if flag["code"] == "conflict"]
    assert conflict and "bilag 5 nr. 7" in conflict[0]


def test_bilag6_area_with_section_101_follows_bilag5(syd2018):
    answer = omfattet(syd2018, lovgrundlag=["SEL § 101"], bilag6_omraade="misbrug", koeb=buyers(1))
    assert (answer["value"], answer["rule"]) == ("omfattet", "syd2018.omfattet.solgt")


def test_only_own_use_is_not_covered_with_conflict_flag(syd2018):
    answer = omfattet(syd2018, koeb=[{"kommune": "Odense", "pladser": 20}])
    assert (answer["value"], answer["rule"]) == ("ikke_omfattet", "syd2018.omfattet.eget_brug")
    codes = [flag["code"] for flag in answer["flags"]]
    assert codes == ["interpretation", "conflict"]
    assert answer["explanation"]["rule"]["table_row"] == 6


def test_only_own_use_alternative_reading(syd2018):
    answer = omfattet(syd2018, {"eget_brug": "delvist_omfattet"}, koeb=[])
    assert (answer["value"], answer["rule"]) == ("delvist_omfattet", "syd2018.omfattet.eget_brug_delvist")


def test_table_row_explanation_lists_cells(syd2018):
    answer = omfattet(syd2018, koeb=buyers(1))
    condition = answer["explanation"]["rule"]["condition"]
    assert condition["text"] == "i_bilag5 = sand og antal_koeberkommuner >= 1"
    assert [child["sentence"] for child in condition["children"]] == [
        "lovgrundlaget er nævnt i bilag 5: ja ✓", "sælger pladser til 1 anden kommune (mindst 1) ✓"]
    why = {entry["rule"]: entry["reasons"] for entry in answer["why_not"]}
    assert why["syd2018.omfattet.driftsoverenskomst"] == ["driftsform er kommunal; kræver driftsoverenskomst"]
    assert why["syd2018.omfattet.lokalt"] == ["Kategori: klyngetilbud; kræver lokalt tilbud"]
