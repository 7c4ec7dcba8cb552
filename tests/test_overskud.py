"""Over-/underskud: Bilag 18's A1-A7 model (001 L5169-5445) and Bilag 17's 5 % rules (001 L4694-4716).

The rules are loaded from a copy of period.yaml and the overskud*.yaml files only, so that other subjects being
edited in parallel cannot break these tests; the files are the shipped ones, byte for byte.
"""
from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from conftest import run
from rammeaftale.engine.periods import default_rules_dir, select

REPO = Path(__file__).resolve().parent.parent
RULES = REPO / "rules" / "syddanmark" / "2018"
FIXTURE = REPO / "fixtures" / "syddanmark" / "2018" / "overskud_bilag18.yaml"


@pytest.fixture(scope="session")
def period():
    return select(default_rules_dir(), "2018", "syddanmark")


def steps(answer) -> dict:
    return {name: item["value"] for name, item in answer["explanation"]["inputs"].items()}


def flags(answer, code) -> list[str]:
    return [flag["text"] for flag in answer["flags"] if flag["code"] == code]


def why_not(answer) -> dict:
    return {entry["rule"]: entry["reasons"] for entry in answer["why_not"]}


def example(number: int) -> dict:
    records = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))["overskudsmodel"]
    return records[number - 1]


# == Bilag 18: the three worked examples, every A-value to the krone ==================================================
def test_example_1_surplus_re_granted_no_takst_effect(period):
    answer = run(period, "overskudsmodel", example(1))
    regulering = answer["takstregulering"]
    assert (str(regulering["value"]), regulering["rule"]) == ("0", "syd2018.overskud.bilag18.a7_regel")
    assert steps(regulering) == {"a1": "10400000", "a2": "10000000", "a3": "0", "a4": "10000000", "a5": "400000",
                                 "mellemregning": "400000", "overfoert": "400000", "underskud_a5": "0",
                                 "graense": "500000", "a6": "400000", "a7": "0"}
    assert answer["retning"]["value"] == "uaendret"
    assert answer["retning"]["rule"] == "syd2018.overskud.bilag18.uaendret"


def test_example_2_more_re_granted_than_surplus_raises_takst_200000(period):
    answer = run(period, "overskudsmodel", example(2))
    regulering = answer["takstregulering"]
    assert regulering["value"] == Decimal("-200000") and str(regulering["value"]) == "-200000"
    assert steps(regulering) == {"a1": "9600000", "a2": "9400000", "a3": "0", "a4": "9400000", "a5": "200000",
                                 "mellemregning": "400000", "overfoert": "400000", "underskud_a5": "0",
                                 "graense": "470000", "a6": "400000", "a7": "-200000"}
    assert (answer["retning"]["value"], answer["retning"]["rule"]) == ("opskrives", "syd2018.overskud.bilag18.opskrives")
    text = " ".join(flags(regulering, "interpretation"))
    assert "læsning overskud_gulv = uden_gulv" in text and "--reading overskud_gulv=gulv_5_pct" in text


def test_example_3_table_small_deficit_covered_a7_zero_and_narrative_flagged(period):
    answer = run(period, "overskudsmodel", example(3))
    regulering = answer["takstregulering"]
    assert (str(regulering["value"]), regulering["rule"]) == ("0", "syd2018.overskud.bilag18.underskud_til_5")
    values = steps(regulering)
    assert values["a1"] == "20000000" and values["a2"] == "20400000" and values["a3"] == "200000"
    assert values["a4"] == "20600000" and values["a5"] == "-600000"
    assert values["a6"] == "-600000" and values["a7"] == "0"
    assert values["underskud_a5"] == "600000" and values["graense"] == "1020000"
    conflict = flags(regulering, "conflict")
    assert conflict and "Eksempel 3 modsiger sig selv" in conflict[0]
    assert "--reading overskud_smaa_underskud=fortaelling" in conflict[0]
    assert answer["retning"]["value"] == "uaendret"


def test_example_3_mellemregning_is_merforbrug_400000(period):
    answer = run(period, "overskudsmodel", example(3), {"overskud_smaa_underskud": "fortaelling"})
    regulering = answer["takstregulering"]
    values = steps(regulering)
    # M = 19.000.000 - 19.400.000 (L5436-5439)
    assert values["a7_fortaelling"] == "-300000"
    assert values["overfoert"] == "-300000"


def test_example_3_narrative_reading_raises_takst_300000(period):
    answer = run(period, "overskudsmodel", example(3), {"overskud_smaa_underskud": "fortaelling"})
    regulering = answer["takstregulering"]
    assert (str(regulering["value"]), regulering["rule"]) == ("-300000", "syd2018.overskud.bilag18.fortaelling")
    assert any("Alternativ læsning valgt" in text for text in flags(regulering, "conflict"))
    assert answer["retning"]["value"] == "opskrives"


def test_example_3_without_genbevilget_narrative_uses_m(period):
    record = {key: value for key, value in example(3).items() if key != "genbevilget"}
    answer = run(period, "overskudsmodel", record, {"overskud_smaa_underskud": "fortaelling"})
    assert steps(answer["takstregulering"])["mellemregning"] == "-400000"
    assert str(answer["takstregulering"]["value"]) == "-200000"


def test_example_2_floor_reading_gives_zero(period):
    answer = run(period, "overskudsmodel", example(2), {"overskud_gulv": "gulv_5_pct"})
    regulering = answer["takstregulering"]
    assert (str(regulering["value"]), regulering["rule"]) == ("0", "syd2018.overskud.bilag18.gulv_under_5")
    assert steps(regulering)["a7_underskud"] == "200000"
    assert flags(regulering, "conflict")


# == Bilag 18: boundaries ==============================================================================================
def record(a1, a2, a3=0, budget=1000000, regnskab=1000000, **extra):
    base = {"id": "x", "provenu": a1, "afregningsgrundlag": a2, "overfoersel_forrige_aar": a3, "budget": budget,
            "regnskab": regnskab}
    base.update(extra)
    return base


@pytest.mark.parametrize("a1, expected_value, expected_rule", [
    (950000, "0", "syd2018.overskud.bilag18.underskud_til_5"),        # underskud 50.000 = exactly 5 % of 1.000.000
    (950001, "0", "syd2018.overskud.bilag18.underskud_til_5"),        # just below 5 %
    (949999, "-1", "syd2018.overskud.bilag18.underskud_over_5"),      # just above: the 1 kr. above 5 % goes in
    (800000, "-150000", "syd2018.overskud.bilag18.underskud_over_5"),  # 200.000 underskud, 150.000 above 5 %
])
def test_underskud_5_pct_boundary(period, a1, expected_value, expected_rule):
    answer = run(period, "overskudsmodel", record(a1, 1000000))
    assert (answer["takstregulering"]["value"], answer["takstregulering"]["rule"]) == (Decimal(expected_value), expected_rule)


def test_underskud_over_5_pct_a6_is_minus_5_pct_and_gap_flagged(period):
    answer = run(period, "overskudsmodel", record(800000, 1000000))
    regulering = answer["takstregulering"]
    assert steps(regulering)["a6"] == "-50000"
    assert steps(regulering)["a7"] == "-150000"
    assert any("Bilag 18 har intet eksempel med et underskud over 5 %" in text for text in flags(regulering, "gap"))
    assert why_not(regulering)["syd2018.overskud.bilag18.underskud_til_5"] == [
        "det korrigerede underskud er 200.000 kr.; kræver højst 50.000 kr. (150.000 kr. for meget)"]


def test_zero_result_is_not_an_underskud(period):
    answer = run(period, "overskudsmodel", record(1000000, 1000000))
    assert (str(answer["takstregulering"]["value"]), answer["takstregulering"]["rule"]) == ("0", "syd2018.overskud.bilag18.a7_regel")
    assert why_not(answer["takstregulering"])["syd2018.overskud.bilag18.underskud_til_5"][0].startswith(
        "det korrigerede underskud er 0 kr.; kræver over 0 kr.")


def test_surplus_not_re_granted_lowers_takst(period):
    answer = run(period, "overskudsmodel", record(1100000, 1000000))
    assert str(answer["takstregulering"]["value"]) == "100000"
    assert (answer["retning"]["value"], answer["retning"]["rule"]) == ("nedsaettes", "syd2018.overskud.bilag18.nedsaettes")


@pytest.mark.parametrize("genbevilget, expected_value, expected_rule", [
    (50000, "0", "syd2018.overskud.bilag18.a7_regel"),                # A7 = 0: nothing to floor
    (100000, "0", "syd2018.overskud.bilag18.gulv_under_5"),           # A7 = -50.000 = exactly 5 %
    (100001, "-1", "syd2018.overskud.bilag18.gulv_over_5"),           # 1 kr. above 5 %
])
def test_floor_reading_boundary(period, genbevilget, expected_value, expected_rule):
    answer = run(period, "overskudsmodel", record(1050000, 1000000, genbevilget=genbevilget), {"overskud_gulv": "gulv_5_pct"})
    assert (answer["takstregulering"]["value"], answer["takstregulering"]["rule"]) == (Decimal(expected_value), expected_rule)


def test_without_floor_the_same_case_passes_whole_a7(period):
    answer = run(period, "overskudsmodel", record(1050000, 1000000, genbevilget=100001))
    assert str(answer["takstregulering"]["value"]) == "-50001"


def test_a1_prefers_internal_billing_over_days_times_takst(period):
    answer = run(period, "overskudsmodel", record(1000000, 1000000, belaegningsdage=10, takst=5))
    assert steps(answer["takstregulering"])["a1"] == "1000000"
    assert any(text.startswith("syd2018.overskud.bilag18.a1: Valgt læsning") for text in flags(answer["takstregulering"], "interpretation"))


def test_a1_missing_everything_is_an_error(period):
    bad = record(0, 1000000)
    del bad["provenu"]
    answer = run(period, "overskudsmodel", bad)
    assert answer["takstregulering"]["value"] is None
    assert answer["takstregulering"]["flags"][0]["code"] == "error"


def test_other_basis_for_5_pct(period):
    answer = run(period, "overskudsmodel", record(940000, 1000000, grundlag_5_pct=2000000))
    assert steps(answer["takstregulering"])["graense"] == "100000"
    assert str(answer["takstregulering"]["value"]) == "0"


def test_sign_convention_in_titles_and_english(period):
    answer = run(period, "overskudsmodel", example(2), lang="en")
    inputs = answer["takstregulering"]["explanation"]["inputs"]
    assert inputs["a5"]["title"] == "A5 corrected over- or underskud (A1 - A4; surplus = plus)"
    assert answer["takstregulering"]["explanation"]["summary"].startswith(
        "Takst adjustment in year 2 (A7; plus = lowered, minus = raised): DKK -200,000 — decided by rule syd2018.overskud.bilag18.a7_regel")


def test_sources_cite_the_examples(period):
    answer = run(period, "overskudsmodel", example(3))
    cited = {(source["document"], tuple(source["lines"])) for source in answer["takstregulering"]["sources"]}
    assert ("001_c7b3169ddc9536ee.txt", (5231, 5231)) in cited
    assert Decimal(answer["takstregulering"]["value"]) == Decimal(0)


# == Bilag 17: the 5 % band (001 L4694-4716); sign: plus = underskud ==================================================
def resultat(amount, budget=10000000, driftsform="kommunal", **extra):
    base = {"id": "r", "driftsform": driftsform, "regnskabsaar": "2018-01-01", "resultat": amount,
            "omkostningsbaseret_budget": budget}
    base.update(extra)
    return base


def b17(period, record, lang="da"):
    return run(period, "overskud", record, lang=lang)


@pytest.mark.parametrize("amount, expected_value, expected_rule", [
    (-499999, "0", "syd2018.overskud.bilag17.overskud_til_5"),
    (-500000, "0", "syd2018.overskud.bilag17.overskud_til_5"),          # exactly 5 %: "op til 5 pct."
    (-500001, "-1", "syd2018.overskud.bilag17.overskud_over_5"),        # 1 kr. "overstiger 5 pct."
    (-600000, "-100000", "syd2018.overskud.bilag17.overskud_over_5"),
    (-1, "0", "syd2018.overskud.bilag17.overskud_til_5"),
    (0, "0", "syd2018.overskud.bilag17.balance"),
    (1, "0", "syd2018.overskud.bilag17.underskud_til_5"),
    (499999, "0", "syd2018.overskud.bilag17.underskud_til_5"),
    (500000, "0", "syd2018.overskud.bilag17.underskud_til_5"),          # exactly 5 %
    (500001, "1", "syd2018.overskud.bilag17.underskud_over_5"),
    (750000, "250000", "syd2018.overskud.bilag17.underskud_over_5"),
])
def test_bilag17_5_pct_boundaries(period, amount, expected_value, expected_rule):
    answer = b17(period, resultat(amount))["takstregulering"]
    assert (answer["value"], answer["rule"]) == (Decimal(expected_value), expected_rule)


def test_bilag17_surplus_above_5_pct_full_explanation(period):
    answer = b17(period, resultat(-600000))
    regulering = answer["takstregulering"]
    assert steps(regulering) == {"omfattet_driftsherre": True, "graense": "500000", "overskud_beloeb": "600000",
                                 "underskud_beloeb": "0", "over_5_pct": "100000"}
    assert answer["kan_hensaettes"]["value"] == Decimal("500000")
    assert answer["kan_hensaettes"]["rule"] == "syd2018.overskud.bilag17.hensaettelse"
    assert answer["skal_daekkes"]["value"] == Decimal(0)
    assert answer["indregnes_senest"]["value"] == datetime.date(2020, 1, 1)
    assert answer["indregnes_senest"]["explanation"]["summary"].startswith(
        "Delen over 5 % indregnes senest i taksten for året der begynder: 1. januar 2020")
    assert answer["hensat_anvendes_senest"]["value"] == datetime.date(2023, 12, 31)
    why = why_not(regulering)
    assert why["syd2018.overskud.bilag17.overskud_til_5"] == ["overskuddet er 600.000 kr.; kræver højst 500.000 kr. (100.000 kr. for meget)"]
    assert any(text.startswith("syd2018.overskud.bilag17.graense: Valgt læsning: De 5 % regnes af det omkostningsbaserede budget")
               for text in flags(regulering, "interpretation"))


def test_bilag17_deficit_above_5_pct(period):
    answer = b17(period, resultat(750000, regnskabsaar="2019-01-01"))
    assert answer["takstregulering"]["value"] == Decimal(250000)
    assert answer["skal_daekkes"]["value"] == Decimal(500000)
    assert answer["kan_hensaettes"]["value"] == Decimal(0)
    assert answer["indregnes_senest"]["value"] == datetime.date(2021, 1, 1)
    assert answer["hensat_anvendes_senest"]["value"] is None


def test_bilag17_small_deficit_is_covered_not_passed_on(period):
    answer = b17(period, resultat(300000))
    assert answer["takstregulering"]["value"] == Decimal(0)
    assert answer["skal_daekkes"]["value"] == Decimal(300000)
    assert answer["indregnes_senest"]["value"] is None
    assert why_not(answer["takstregulering"])["syd2018.overskud.bilag17.underskud_over_5"] == [
        "underskuddet er 300.000 kr.; kræver over 500.000 kr. (mangler 200.000 kr.)"]


@pytest.mark.parametrize("driftsform", ["driftsoverenskomst", "privat"])
def test_bilag17_only_kommunal_and_regional_operators(period, driftsform):
    answer = b17(period, resultat(-600000, driftsform=driftsform))["takstregulering"]
    assert answer["value"] is None and answer["rule"] is None
    assert any(flag["code"] == "gap" for flag in answer["flags"])


def test_bilag17_regional_operator_is_covered(period):
    answer = b17(period, resultat(500001, driftsform="regional"))["takstregulering"]
    assert answer["value"] == Decimal(1)


@pytest.mark.parametrize("opgoerelse, expected", [
    ("2018-12-31", "40000"),      # 2012's provision expired after 31.12.2017; 2013's may still be used in 2018
    ("2019-01-01", "65000"),      # 2013's expired after 31.12.2018
    ("2017-12-31", "0"),          # 2012's may still be used on the last day of 2017 (2012 + 5)
    ("2018-01-01", "40000"),
])
def test_bilag17_unused_provisions_after_5_years(period, opgoerelse, expected):
    hensaettelser = [{"vedroerer_aar": "2012-01-01", "uforbrugt": 40000}, {"vedroerer_aar": "2013-01-01", "uforbrugt": 25000}]
    answer = b17(period, resultat(-100000, opgoerelsesdato=opgoerelse, hensaettelser=hensaettelser))["uforbrugt_til_taksten"]
    assert (answer["value"], answer["rule"]) == (Decimal(expected), "syd2018.overskud.bilag17.uforbrugt")
    assert any("Kilden siger ikke i hvilket takstår" in text for text in flags(answer, "gap"))


def test_bilag17_no_provisions(period):
    answer = b17(period, resultat(-100000))["uforbrugt_til_taksten"]
    assert (answer["value"], answer["rule"]) == (Decimal(0), "syd2018.overskud.bilag17.ingen_hensaettelser")


def test_bilag17_english_sign_convention(period):
    answer = b17(period, resultat(-600000), lang="en")["takstregulering"]
    assert answer["explanation"]["summary"].startswith("Takst adjustment (surcharge +, reduction -): DKK -100,000")


def test_both_fixtures_evaluate(period):
    records = yaml.safe_load((FIXTURE.parent / "overskud.yaml").read_text(encoding="utf-8"))["overskud"]
    values = [b17(period, record)["takstregulering"]["value"] for record in records]
    assert values == [Decimal(-100000), Decimal(0), Decimal(0)]


# == Bilag 18: the pool of saved surplus (001 L5178-5185) ================================================================
@pytest.mark.parametrize("pulje, expected_value, expected_rule", [
    (499999, "0", "syd2018.overskud.pulje.under_5"),
    (500000, "0", "syd2018.overskud.pulje.praecis_5"),
    (500001, "1", "syd2018.overskud.pulje.over_5"),
    (650000, "150000", "syd2018.overskud.pulje.over_5"),
])
def test_pool_5_pct_boundary(period, pulje, expected_value, expected_rule):
    answer = run(period, "overskudspulje", {"id": "p", "pulje": pulje, "ramme": 10000000})["efterregulering"]
    assert (answer["value"], answer["rule"]) == (Decimal(expected_value), expected_rule)


def test_pool_exactly_5_pct_is_a_flagged_gap(period):
    answer = run(period, "overskudspulje", {"id": "p", "pulje": 500000, "ramme": 10000000})["efterregulering"]
    assert any('ikke præcis 5 %' in text for text in flags(answer, "gap"))
    assert why_not(answer)["syd2018.overskud.pulje.over_5"] == ["puljen er 500.000 kr.; kræver over 500.000 kr. (mangler 0 kr.)"]
