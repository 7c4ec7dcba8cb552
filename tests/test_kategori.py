"""Syddanmark 2018 categories (000 L312-357): every boundary, the readings, the gap, the override."""
from __future__ import annotations

import pytest

from conftest import buyers, decide, tilbud


def kategori(period, readings=None, lang="da", **fields):
    return decide(period, tilbud(**fields), readings, lang)["kategori"]


def takst(amount):
    return [{"navn": "Botilbud", "takst": amount, "enhed": "døgn"}]


# -- takst: "2000 kr. eller derover" (inclusive) ---------------------------------------------------------
@pytest.mark.parametrize("amount, expected", [(2000, "hoejt_specialiseret"), (1999, "klyngetilbud"), (2001, "hoejt_specialiseret")])
def test_takst_boundary_with_four_buyers(syd2018, amount, expected):
    answer = kategori(syd2018, ydelser=takst(amount), koeb=buyers(1, 1, 1, 1))
    assert answer["value"] == expected


def test_takst_decimal_boundary(syd2018):
    assert kategori(syd2018, ydelser=takst(1999.99), koeb=buyers(1, 1, 1, 1))["value"] == "klyngetilbud"


# -- buyers: "minimum 4 kommuner (udover udbyderkommunen)" ---------------------------------------------------
@pytest.mark.parametrize("count, expected_rule", [(4, "syd2018.kategori.hoejt_specialiseret"), (3, "syd2018.kategori.hul_klynge")])
def test_buyer_boundary(syd2018, count, expected_rule):
    answer = kategori(syd2018, ydelser=takst(2500), pladser=100, koeb=buyers(*[1] * count))
    assert answer["rule"] == expected_rule


def test_driftsherre_itself_and_repeated_buyers_are_not_counted(syd2018):
    koeb = buyers(1, 1, 1) + [{"kommune": "Odense", "pladser": 10}, {"kommune": "K0", "pladser": 2}]
    answer = kategori(syd2018, ydelser=takst(2500), pladser=100, koeb=koeb)
    assert answer["explanation"]["inputs"]["antal_koeberkommuner"]["value"] == "3"
    assert answer["explanation"]["inputs"]["solgte_pladser"]["value"] == "5"
    assert answer["rule"] == "syd2018.kategori.hul_klynge"


# -- share sold: "minimum 40 % af deres pladser" ---------------------------------------------------------------
@pytest.mark.parametrize("sold, expected_rule", [(40, "syd2018.kategori.hoejt_specialiseret"), (39, "syd2018.kategori.hul_klynge")])
def test_share_boundary(syd2018, sold, expected_rule):
    answer = kategori(syd2018, ydelser=takst(2000), pladser=100, koeb=[{"kommune": "Vejle", "pladser": sold}])
    assert answer["rule"] == expected_rule


def test_share_with_no_places_is_zero(syd2018):
    answer = kategori(syd2018, ydelser=takst(2500), pladser=0, koeb=buyers(1))
    assert answer["explanation"]["inputs"]["andel_solgt"]["value"] == "0"


def test_highest_takst_among_ydelser_decides_and_is_flagged(syd2018):
    ydelser = [{"navn": "Dag", "takst": 900, "enhed": "dag"}, {"navn": "Døgn", "takst": 2100, "enhed": "døgn"}]
    answer = kategori(syd2018, ydelser=ydelser, koeb=buyers(1, 1, 1, 1))
    assert answer["value"] == "hoejt_specialiseret"
    assert answer["explanation"]["inputs"]["hoejeste_takst"]["shown"] == "2.100 kr."
    texts = [flag["text"] for flag in answer["flags"] if flag["code"] == "interpretation"]
    assert any(text.startswith("syd2018.kategori.takstkriterium: Valgt læsning: Takstkriteriet bruger den højeste takst") for text in texts)


# -- klynge and lokal -----------------------------------------------------------------------------------------
def test_one_buyer_low_takst_is_klynge(syd2018):
    answer = kategori(syd2018, ydelser=takst(1999), koeb=buyers(1))
    assert (answer["value"], answer["rule"]) == ("klyngetilbud", "syd2018.kategori.klynge")
    assert answer["flags"] and not any(flag["code"] == "gap" for flag in answer["flags"])


def test_no_buyers_is_lokalt(syd2018):
    answer = kategori(syd2018, ydelser=takst(3000), koeb=[{"kommune": "Odense", "pladser": 20}])
    assert (answer["value"], answer["rule"]) == ("lokalt_tilbud", "syd2018.kategori.lokal")


# -- the gap between footnote 2 and 3 ---------------------------------------------------------------------------
def test_gap_is_klynge_by_default_and_flagged(syd2018):
    answer = kategori(syd2018, ydelser=takst(2100), pladser=20, koeb=buyers(2, 1))
    assert (answer["value"], answer["rule"]) == ("klyngetilbud", "syd2018.kategori.hul_klynge")
    gap = [flag["text"] for flag in answer["flags"] if flag["code"] == "gap"]
    assert gap and "Fodnote 2 og 3 dækker ikke" in gap[0] and "--reading kategori_hul=lokalt_tilbud" in gap[0]


def test_gap_alternative_reading_gives_lokalt(syd2018):
    answer = kategori(syd2018, {"kategori_hul": "lokalt_tilbud"}, ydelser=takst(2100), pladser=20, koeb=buyers(2, 1))
    assert (answer["value"], answer["rule"]) == ("lokalt_tilbud", "syd2018.kategori.hul_lokal")
    assert any(flag["code"] == "gap" for flag in answer["flags"])


def test_precedence_reading_changes_low_takst_high_share(syd2018):
    fields = dict(ydelser=takst(1500), pladser=10, koeb=[{"kommune": "Kolding", "pladser": 4}])
    assert kategori(syd2018, **fields)["value"] == "klyngetilbud"
    alternative = kategori(syd2018, {"hs_praecedens": "takst_kun_kommuner"}, **fields)
    assert (alternative["value"], alternative["rule"]) == ("hoejt_specialiseret", "syd2018.kategori.hoejt_specialiseret_alternativ")


def test_precedence_flag_names_the_selectable_reading(syd2018):
    answer = kategori(syd2018, ydelser=takst(2500), koeb=buyers(1, 1, 1, 1))
    texts = " ".join(flag["text"] for flag in answer["flags"])
    assert "læsning hs_praecedens = takst_gaelder_begge" in texts
    assert "--reading hs_praecedens=takst_kun_kommuner" in texts


# -- why-not with the nearest threshold -------------------------------------------------------------------------
def test_why_not_names_first_failing_condition_and_distance(syd2018):
    answer = kategori(syd2018, ydelser=takst(2500), pladser=100, koeb=buyers(1, 1, 1))
    why = {entry["rule"]: entry["reasons"] for entry in answer["why_not"]}
    assert why["syd2018.kategori.hoejt_specialiseret"] == [
        "sælger pladser til 3 andre kommuner; kræver mindst 4 (mangler 1)",
        "sælger 3 % af pladserne til andre kommuner; kræver mindst 40 % (mangler 37 procentpoint)",
    ]
    assert why["syd2018.kategori.lokal"] == ["sælger pladser til 3 andre kommuner; kræver 0"]


def test_why_not_takst_short(syd2018):
    answer = kategori(syd2018, ydelser=takst(1727), koeb=buyers(1, 1, 1, 1, 1))
    why = {entry["rule"]: entry["reasons"] for entry in answer["why_not"]}
    assert why["syd2018.kategori.hoejt_specialiseret"] == ["højeste takst er 1.727 kr.; kræver mindst 2.000 kr. (mangler 273 kr.)"]


def test_why_not_for_a_value_given_only_under_another_reading(syd2018):
    answer = kategori(syd2018, ydelser=takst(1500), koeb=buyers(1))
    entries = [entry for entry in answer["why_not"] if entry["value"] == "lokalt_tilbud"]
    assert entries[0]["rule"] == "syd2018.kategori.lokal"


def test_why_not_in_english(syd2018):
    answer = kategori(syd2018, lang="en", ydelser=takst(2500), pladser=100, koeb=buyers(1, 1, 1))
    why = {entry["rule"]: entry["reasons"] for entry in answer["why_not"]}
    assert why["syd2018.kategori.hoejt_specialiseret"][0] == "sells places to 3 other kommuner; requires at least 4 (1 short)"
    assert answer["explanation"]["summary"].startswith("Category: klyngetilbud (cluster tilbud) — decided by rule syd2018.kategori.hul_klynge")


def test_singular_phrase(syd2018):
    answer = kategori(syd2018, ydelser=takst(1500), koeb=buyers(1))
    sentences = [child["sentence"] for child in answer["explanation"]["rule"]["condition"]["children"]]
    assert sentences == ["sælger pladser til 1 anden kommune (mindst 1) ✓", "højeste takst er 1.500 kr. (under 2.000 kr.) ✓"]


# -- explanation content ------------------------------------------------------------------------------------------
def test_explanation_has_rule_condition_values_and_sources(syd2018):
    answer = kategori(syd2018, ydelser=takst(2000), koeb=buyers(1, 1, 1, 1))
    rule = answer["explanation"]["rule"]
    assert rule["id"] == "syd2018.kategori.hoejt_specialiseret" and rule["file"] == "rules/syddanmark/2018/tilbud.yaml"
    first = rule["condition"]["children"][0]
    assert first["sentence"] == "højeste takst er 2.000 kr. (mindst 2.000 kr.) ✓"
    assert first["values"] == ["2000", "2000"]
    # the eller was settled by its first part; the second is listed as not evaluated
    either = rule["condition"]["children"][1]
    assert either["children"][0]["sentence"] == "sælger pladser til 4 andre kommuner (mindst 4) ✓"
    assert either["not_evaluated"] == ["andel_solgt >= min_andel_solgt"]
    documents = {(source["document"], tuple(source["lines"])) for source in answer["sources"]}
    assert ("000_c8f43d8e9a5c082f.txt", (351, 353)) in documents


# -- the kommune's own assessment overrides ---------------------------------------------------------------------------
def test_vurdering_overrides_and_shows_criteria(syd2018):
    vurdering = {"kategori": "hoejt_specialiseret", "begrundelse": "Eneste tilbud til målgruppen.", "af": "Vejle Kommune"}
    answer = kategori(syd2018, ydelser=takst(1500), koeb=buyers(1), vurdering=vurdering)
    assert answer["value"] == "hoejt_specialiseret"
    assert answer["rule"] == "syd2018.kategori.klynge"
    assert answer["explanation"]["criteria"] == {"value": "klyngetilbud", "rule": "syd2018.kategori.klynge"}
    assert answer["explanation"]["override"] == {"value": "hoejt_specialiseret", "reason": "Eneste tilbud til målgruppen.",
                                                 "by": "Vejle Kommune"}
    override = [flag["text"] for flag in answer["flags"] if flag["code"] == "override"]
    assert override == ["Fastsat ved vurdering af Vejle Kommune: Eneste tilbud til målgruppen. Kriterierne alene giver klyngetilbud "
                        "(regel syd2018.kategori.klynge)."]
    why = {entry["rule"]: entry["reasons"] for entry in answer["why_not"]}
    assert why["syd2018.kategori.klynge"] == ["kriterierne giver denne værdi, men vurderingen tilsidesætter den"]
    assert any(source["lines"] == [353, 354] for source in answer["sources"])


def test_vurdering_can_move_down(syd2018):
    vurdering = {"kategori": "lokalt_tilbud", "begrundelse": "Sælger kun enkelte pladser."}
    answer = decide(syd2018, tilbud(ydelser=takst(2500), koeb=buyers(1, 1, 1, 1), vurdering=vurdering))
    assert answer["kategori"]["value"] == "lokalt_tilbud"
    assert answer["kategori"]["explanation"]["criteria"]["value"] == "hoejt_specialiseret"
    # the category feeds coverage: a lokalt tilbud that sells is partly covered (000 L329-330)
    assert (answer["omfattet"]["value"], answer["omfattet"]["rule"]) == ("delvist_omfattet", "syd2018.omfattet.lokalt")


def test_missing_takst_is_an_error_not_a_default(syd2018):
    answer = decide(syd2018, tilbud(ydelser=[], koeb=buyers(1)))
    assert answer["kategori"]["value"] is None
    assert answer["kategori"]["flags"][0]["code"] == "error"
    assert "hoejeste_takst" in answer["kategori"]["flags"][0]["text"] or "ydelser" in answer["kategori"]["flags"][0]["text"]
    assert answer["omfattet"]["value"] == "omfattet"
