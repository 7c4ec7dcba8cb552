"""Socialtilsyn Syd 2018 financing (001 L1-390): takst categories and every boundary, the takst tables, skærpet
tilsyn, timepris, the objective financing per kommune, the financing steps and the source's figures to the krone.

The rules are loaded from a copy of period.yaml and the socialtilsyn*.yaml files, so these tests do not depend on
other subject files being mid-edit; `rammeaftale check` checks the whole tree."""
from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import yaml

from rammeaftale.engine.periods import default_rules_dir, select

from conftest import REPO, run

SOURCE_2018 = {  # 001 L275-317, 2018 column
    "Assens": 932738, "Kerteminde": 511487, "Langeland": 201472, "Middelfart": 866298, "Nordfyns": 659980,
    "Nyborg": 696807, "Odense": 4116665, "Svendborg": 1238768, "Ærø": 91314, "Billund": 621646, "Esbjerg": 2516410,
    "Fanø": 65470, "Fredericia": 1139701, "Haderslev": 1222832, "Kolding": 2152123, "Sønderborg": 1603593,
    "Tønder": 808365, "Varde": 1152516, "Vejen": 1016837, "Vejle": 2702914, "Aabenraa": 1304239,
    "Frederiksberg": 1993078,
}


@pytest.fixture(scope="session")
def sts():
    return select(default_rules_dir(), "2018", "syddanmark")


def tilbud(period, readings=None, lang="da", **fields):
    return run(period, "socialtilsyn_tilbud", {"id": "t", **fields}, readings, lang)


def flags(answer, code):
    return [flag["text"] for flag in answer["flags"] if flag["code"] == code]


def why_not(answer):
    return {entry["rule"]: entry["reasons"] for entry in answer["why_not"]}


# -- size categories: every boundary ------------------------------------------------------------------------------------
@pytest.mark.parametrize("places, category, takst, ny, vaesentlig", [
    (1, "kat_1_7", "31879", "22179", "8183"),
    (7, "kat_1_7", "31879", "22179", "8183"),
    (8, "kat_8_24", "38254", "26615", "9820"),
    (24, "kat_8_24", "38254", "26615", "9820"),
    (25, "kat_25_49", "63757", "44358", "16367"),
    (49, "kat_25_49", "63757", "44358", "16367"),
    (50, "kat_50_plus", "95636", "66537", "24550"),
    (51, "kat_50_plus", "95636", "66537", "24550"),
    (400, "kat_50_plus", "95636", "66537", "24550"),
])
def test_category_boundaries_and_source_takster(sts, places, category, takst, ny, vaesentlig):
    answer = tilbud(sts, pladser=places)
    assert answer["takstkategori"]["value"] == category
    assert answer["takstkategori"]["rule"] == f"sts2018.takstkategori.{category}"
    assert str(answer["tilsynstakst"]["value"]) == takst
    assert str(answer["nygodkendelsestakst"]["value"]) == ny
    assert str(answer["vaesentlig_aendring_takst"]["value"]) == vaesentlig


def test_tilsynstakst_is_exact_decimal_and_cited(sts):
    answer = tilbud(sts, pladser=30)["tilsynstakst"]
    assert answer["value"] == Decimal("63757")
    assert answer["rule"] == "sts2018.tilsynstakst.kat_25_49"
    assert any(source["lines"] == [181, 181] for source in answer["sources"])


def test_why_not_names_the_distance_to_the_next_category(sts):
    answer = tilbud(sts, pladser=24)["takstkategori"]
    reasons = why_not(answer)
    assert reasons["sts2018.takstkategori.kat_25_49"] == ["antal godkendte pladser er 24; kræver mindst 25 (mangler 1)"]
    assert reasons["sts2018.takstkategori.kat_1_7"] == ["antal godkendte pladser er 24; kræver højst 7 (17 for meget)"]


def test_fifty_places_is_50_plus_and_flags_the_annual_report_label(sts):
    answer = tilbud(sts, pladser=50)["takstkategori"]
    assert answer["value"] == "kat_50_plus"
    assert any('">50"' in text for text in flags(answer, "interpretation"))


# -- 0 places: a gap with a selectable reading ----------------------------------------------------------------------------------
def test_zero_places_is_first_category_by_default(sts):
    answer = tilbud(sts, pladser=0)
    kategori = answer["takstkategori"]
    assert (kategori["value"], kategori["rule"]) == ("kat_1_7", "sts2018.takstkategori.nul_pladser")
    assert any("--reading socialtilsyn_nul_pladser=ingen_kategori" in text for text in flags(kategori, "gap"))
    assert str(answer["tilsynstakst"]["value"]) == "31879"


def test_zero_places_alternative_reading_gives_no_takst(sts):
    answer = tilbud(sts, {"socialtilsyn_nul_pladser": "ingen_kategori"}, pladser=0)
    assert (answer["takstkategori"]["value"], answer["takstkategori"]["rule"]) == ("uden_kategori", "sts2018.takstkategori.nul_pladser_ingen")
    assert answer["tilsynstakst"]["value"] is None
    assert answer["modeltakst"]["value"] is None
    # one place is category 1-7 under either reading
    assert tilbud(sts, {"socialtilsyn_nul_pladser": "ingen_kategori"}, pladser=1)["takstkategori"]["value"] == "kat_1_7"


# -- how the table is derived: weights 1 : 1,2 : 2 : 3 ----------------------------------------------------------------------
@pytest.mark.parametrize("places, model, table", [(1, "31879", "31879"), (8, "38255", "38254"), (25, "63758", "63757"), (50, "95637", "95636")])
def test_rounded_base_times_weight_is_one_krone_above_the_table(sts, places, model, table):
    answer = tilbud(sts, pladser=places)
    assert str(answer["modeltakst"]["value"]) == model
    assert str(answer["tilsynstakst"]["value"]) == table
    assert any("38.255 / 63.758 / 95.637" in text for text in flags(answer["modeltakst"], "conflict"))


def test_table_fits_an_unrounded_base_rounded_half_up():
    # the interpretation's claim: any base in [31.878,50; 31.878,75) times the weights, half up, gives the table
    from rammeaftale.dsl.functions import round_half_up
    for base in (Decimal("31878.50"), Decimal("31878.70")):
        assert [round_half_up(base * w) for w in (Decimal(1), Decimal("1.2"), Decimal(2), Decimal(3))] == [31879, 38254, 63757, 95636]
    assert round_half_up(Decimal("31878.75") * Decimal("1.2")) == 38255


def test_nygodkendelse_8_24_flags_the_1798_typo(sts):
    answer = tilbud(sts, pladser=10)["nygodkendelsestakst"]
    assert answer["rule"] == "sts2018.nygodkendelse.kat_8_24"
    assert any('"1798-24 pladser"' in text for text in flags(answer, "conflict"))


# -- skærpet tilsyn: 1/10 årstakst per month ------------------------------------------------------------------------------
def test_skaerpet_tilsyn_three_months(sts):
    answer = tilbud(sts, pladser=24, skaerpet_tilsyn_maaneder=3)
    assert answer["skaerpet_maanedstakst"]["value"] == Decimal("3825.4")
    assert answer["skaerpet_tilsyn_takst"]["value"] == Decimal("11476.2")
    assert answer["skaerpet_tilsyn_takst"]["rule"] == "sts2018.skaerpet_tilsyn.maaneder"
    assert any('"marginal"' in text for text in flags(answer["skaerpet_tilsyn_takst"], "conflict"))
    assert any("påbegyndt måned" in text for text in flags(answer["skaerpet_tilsyn_takst"], "gap"))


@pytest.mark.parametrize("months, expected", [(0, "0"), (1, "3187.9"), (10, "31879"), (12, "38254.8")])
def test_skaerpet_tilsyn_months(sts, months, expected):
    answer = tilbud(sts, pladser=3, skaerpet_tilsyn_maaneder=months)["skaerpet_tilsyn_takst"]
    assert answer["value"] == Decimal(expected)


def test_quarter_now_costs_more_than_the_old_quarter(sts):
    quarter = tilbud(sts, pladser=3, skaerpet_tilsyn_maaneder=3)["skaerpet_tilsyn_takst"]["value"]
    assert quarter == Decimal("9563.7")
    assert quarter / (Decimal("31879") / 4) == Decimal("1.2")


def test_no_skaerpet_tilsyn_no_payment(sts):
    answer = tilbud(sts, pladser=3)["skaerpet_tilsyn_takst"]
    assert answer["value"] is None
    assert why_not(answer)["sts2018.skaerpet_tilsyn.maaneder"]


# -- timepris 497 kr. ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("hours, expected", [(0, "0"), (1, "497"), (2.5, "1242.5")])
def test_tillaegsydelser_at_497_per_hour(sts, hours, expected):
    answer = tilbud(sts, pladser=3, tillaeg_timer=hours)["tillaegsydelse_takst"]
    assert answer["value"] == Decimal(expected)
    assert answer["rule"] == "sts2018.timepris.tillaeg"


# -- objective financing per kommune ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("kommune, amount", sorted(SOURCE_2018.items()))
def test_every_kommune_pays_the_source_amount(sts, kommune, amount):
    answer = run(sts, "socialtilsyn_kommune", {"id": "k", "kommune": kommune})["objektiv_bidrag"]
    assert answer["value"] == Decimal(amount)
    assert "socialtilsyn_objektiv_grundlag" in " ".join(flags(answer, "interpretation"))


def test_odense_flags_the_2017_typo(sts):
    answer = run(sts, "socialtilsyn_kommune", {"id": "k", "kommune": "Odense"})["objektiv_bidrag"]
    assert answer["rule"] == "sts2018.plejefamilie.bidrag_odense"
    assert any('"4.076191"' in text for text in flags(answer, "conflict"))


def test_faaborg_midtfyn_is_not_in_the_table(sts):
    answer = run(sts, "socialtilsyn_kommune", {"id": "k", "kommune": "Faaborg-Midtfyn"})["objektiv_bidrag"]
    assert answer["value"] is None
    assert flags(answer, "gap") == ["ingen regel dækker dette tilfælde"]


def test_share_reading_computes_from_0_17_year_olds(sts):
    record = {"id": "k", "kommune": "Faaborg-Midtfyn", "boern_0_17": 1, "boern_0_17_i_alt": 3}
    answer = run(sts, "socialtilsyn_kommune", record, {"socialtilsyn_objektiv_grundlag": "andel_af_behov"})["objektiv_bidrag"]
    assert (answer["value"], answer["rule"]) == (Decimal("9200000"), "sts2018.plejefamilie.bidrag_andel")
    # half up: 27.600.000 / 7 = 3.942.857,14... and 27.600.000 × 3 / 8 = 10.350.000
    half = run(sts, "socialtilsyn_kommune", {"id": "k", "kommune": "X", "boern_0_17": 1, "boern_0_17_i_alt": 7},
               {"socialtilsyn_objektiv_grundlag": "andel_af_behov"})["objektiv_bidrag"]
    assert half["value"] == Decimal("3942857")
    assert any("27.615.253" in text for text in flags(answer, "conflict"))


def test_share_reading_ignores_the_table(sts):
    record = {"id": "k", "kommune": "Odense", "boern_0_17": 4116665, "boern_0_17_i_alt": 27615253}
    answer = run(sts, "socialtilsyn_kommune", record, {"socialtilsyn_objektiv_grundlag": "andel_af_behov"})["objektiv_bidrag"]
    # Odense's table share of 27.600.000 kr.: 4.116.665 × 27.600.000 / 27.615.253 = 4.114.391,2
    assert answer["value"] == Decimal("4114391")


# -- the financing steps --------------------------------------------------------------------------------------------------------
def finansiering(period, kommuner=None):
    record = {"id": "f"}
    if kommuner is not None:
        record["kommuner"] = kommuner
    return run(period, "socialtilsyn_finansiering", record)


def test_financing_need_52_9_less_1_pct_is_52_4(sts):
    answer = finansiering(sts)
    behov = answer["finansieringsbehov"]
    assert behov["value"] == Decimal("52400000")
    assert any('"-52,4"' in text for text in flags(behov, "conflict"))
    assert answer["behov_fordelt"]["value"] == Decimal("52400000")
    assert answer["grundtakstbehov"]["value"] == Decimal("22800000")


def test_per_plejefamilie_reproduces_17933(sts):
    answer = finansiering(sts)["pr_plejefamilie"]
    assert answer["value"] == Decimal("17933")
    assert any("17.934" in text for text in flags(answer, "interpretation"))


def test_table_total_is_one_krone_off(sts):
    answer = finansiering(sts)["tabel_total"]
    assert answer["value"] == Decimal("27615253") == sum(Decimal(v) for v in SOURCE_2018.values())
    assert any("27.615.254" in text for text in flags(answer, "conflict"))


def test_fordel_splits_27_6_mio_exactly(sts):
    kommuner = [{"kommune": name, "boern_0_17": amount} for name, amount in SOURCE_2018.items()]
    answer = finansiering(sts, kommuner)["objektiv_fordeling"]
    values = answer["value"]
    assert sum(values) == Decimal("27600000")
    assert values[0] == Decimal("932223")    # Assens: 932.738 × 27.600.000 / 27.615.253 = 932.222,8
    assert values[6] == Decimal("4114391")   # Odense, the largest key, takes the rounding residual (here 0)
    assert answer["rule"] == "sts2018.plejefamilie.fordeling"


def test_fordel_residual_goes_to_the_largest(sts):
    answer = finansiering(sts, [{"kommune": "A", "boern_0_17": 1}, {"kommune": "B", "boern_0_17": 1}, {"kommune": "C", "boern_0_17": 1}])
    assert answer["objektiv_fordeling"]["value"] == [Decimal("9200000")] * 3
    uneven = finansiering(sts, [{"kommune": "A", "boern_0_17": 1}, {"kommune": "B", "boern_0_17": 2}, {"kommune": "C", "boern_0_17": 4}])
    assert uneven["objektiv_fordeling"]["value"] == [Decimal("3942857"), Decimal("7885714"), Decimal("15771429")]


def test_no_kommuner_no_fordeling(sts):
    answer = finansiering(sts)["objektiv_fordeling"]
    assert answer["value"] is None
    assert why_not(answer)["sts2018.plejefamilie.fordeling"]
    one = finansiering(sts, [{"kommune": "A", "boern_0_17": 5}])["objektiv_fordeling"]
    assert one["value"] == [Decimal("27600000")]


def test_fixture_evaluates(sts):
    data = yaml.safe_load((REPO / "fixtures" / "syddanmark" / "2018" / "socialtilsyn.yaml").read_text())
    for subject, records in data.items():
        for record in records:
            answers = run(sts, subject, record)
            assert all(not any(flag["code"] == "error" for flag in answer["flags"]) for answer in answers.values())


def test_english_explanation(sts):
    answer = tilbud(sts, lang="en", pladser=24)["takstkategori"]
    assert answer["explanation"]["summary"].startswith("Takst category: 8-24 places — decided by rule sts2018.takstkategori.kat_8_24")


# -- the 2017 column, the plejefamilie 2017 table, the tilbud count and the internal budget (001 L58-390, L2883-2893) ----
NOTAT_2017 = {1: 32270, 8: 38724, 25: 64541, 50: 96812}          # 001 L177-183, 2017 column (2018 prices)
NOTAT_2018 = {1: 31879, 8: 38254, 25: 63757, 50: 95636}          # 001 L177-183, 2018 column
AARSRAPPORT_2017 = {1: 31576, 8: 37891, 25: 63152, 50: 94728}    # 001 L2887-2893, 2017 column (2017 prices)
SOURCE_2017 = {  # 001 L275-317, 2017 column; Odense "4.076191" read as 4.076.191
    "Assens": 925202, "Kerteminde": 512196, "Langeland": 198893, "Middelfart": 860131, "Nordfyns": 651970,
    "Nyborg": 685846, "Odense": 4076191, "Svendborg": 1226384, "Ærø": 98435, "Billund": 615536, "Esbjerg": 2494422,
    "Fanø": 61575, "Fredericia": 1130720, "Haderslev": 1224936, "Kolding": 2132856, "Sønderborg": 1597964,
    "Tønder": 796959, "Varde": 1147551, "Vejen": 1023656, "Vejle": 2653900, "Aabenraa": 1301809,
    "Frederiksberg": 1945895,
}


@pytest.mark.parametrize("places", sorted(NOTAT_2017))
def test_2017_takst_in_2018_prices_and_the_change(sts, places):
    answer = tilbud(sts, pladser=places)
    assert answer["tilsynstakst_2017"]["value"] == Decimal(NOTAT_2017[places])
    assert answer["tilsynstakst"]["value"] == Decimal(NOTAT_2018[places])
    change = answer["aendring_fra_2017"]
    assert change["value"] == Decimal("-0.0121")                 # 31.879 / 32.270 - 1 = -1,2117 % → -1,21 % (all four)
    assert change["explanation"]["summary"].startswith("Ændring i tilsynstaksten fra 2017 til 2018 (i 2018-priser): -1,21 %")


@pytest.mark.parametrize("places, computed, conflict", [(1, 32271, True), (8, 38725, True), (25, 64541, False), (50, 96812, False)])
def test_2017_aarsrapport_times_1_022(sts, places, computed, conflict):
    # 31.576 × 1,022 = 32.270,672 → 32.271 (notat 32.270); 37.891 × 1,022 = 38.724,602 → 38.725 (notat 38.724);
    # 63.152 × 1,022 = 64.541,344 → 64.541 ✓; 94.728 × 1,022 = 96.812,016 → 96.812 ✓
    answer = tilbud(sts, pladser=places)["tilsynstakst_2017_fremskrevet"]
    assert answer["value"] == Decimal(computed)
    assert abs(Decimal(AARSRAPPORT_2017[places]) * Decimal("1.022") - Decimal(computed)) <= Decimal("0.5")
    texts = flags(answer, "conflict")
    assert bool(texts) is conflict
    if conflict:
        assert "32.271" in texts[0] and "32.270" in texts[0] and "38.725" in texts[0] and "38.724" in texts[0]
        assert Decimal(computed) - NOTAT_2017[places] == 1      # both numbers: the rule's and the notat's
    else:
        assert answer["value"] == NOTAT_2017[places]
    assert any("Kilden angiver ikke PL-satsen" in text for text in flags(answer, "interpretation"))


def test_2017_columns_need_a_category(sts):
    answer = tilbud(sts, {"socialtilsyn_nul_pladser": "ingen_kategori"}, pladser=0)
    assert [answer[name]["value"] for name in ("tilsynstakst_2017", "tilsynstakst_2017_fremskrevet", "aendring_fra_2017")] == [None] * 3


def test_460_tilbud_conflict_on_the_takst_rule_quoting_it(sts):
    answer = tilbud(sts, pladser=5)["tilsynstakst"]
    assert answer["rule"] == "sts2018.tilsynstakst.kat_1_7"
    assert any(source["quote"].endswith("blandt anslået 460 tilbud, opkræver Socialtilsyn Syd følgende") for source in answer["sources"])
    texts = flags(answer, "conflict")
    assert any("460" in text and "298" in text and "170" in text and "468" in text for text in texts)
    assert answer["value"] == Decimal("31879")                  # the takst itself is the source's table


def test_tilbud_count_468_against_the_stated_460(sts):
    answer = finansiering(sts)
    assert answer["antal_tilbud"]["value"] == Decimal(468)       # 298 + 170 (001 L61-64)
    assert answer["antal_tilbud_forskel"]["value"] == Decimal(8)  # 468 - 460 (001 L66)
    stated = sts.period.subjects["socialtilsyn_finansiering"].parameters["antal_tilbud_angivet"].value_on(datetime.date(2018, 1, 1))
    assert stated == Decimal(460)
    assert any("468" in text and '"Total – tilbud" 460' in text for text in flags(answer["antal_tilbud"], "conflict"))


def test_plejefamilie_2017_column_total_and_per_plejefamilie(sts):
    answer = finansiering(sts)
    total = answer["tabel_total_2017"]
    assert total["value"] == Decimal(27363027) == sum(Decimal(v) for v in SOURCE_2017.values())
    assert total["rule"] == "sts2018.plejefamilie.tabel_kontrol_2017"
    stated = sts.period.subjects["socialtilsyn_finansiering"].parameters["objektiv_total_2017_angivet"].value_on(datetime.date(2018, 1, 1))
    assert stated == Decimal(27362998)                          # "Total 27.362.998" (001 L319): 29 kr. less
    assert any("27.363.027" in text and "27.362.998" in text and '"4.076191"' in text for text in flags(total, "conflict"))
    assert why_not(total)["sts2018.plejefamilie.tabel_kontrol_2017_stemmer"] == [
        "tabellens beløb for 2017 summerer til 27.363.027 kr.; kræver 27.362.998 kr."]
    assert answer["pr_plejefamilie_2017"]["value"] == Decimal(17878)   # 27.300.000 / 1527 = 17.878,19 (001 L326)
    assert answer["pr_plejefamilie"]["value"] == Decimal(17933)        # 27.600.000 / 1539 = 17.933,72


def test_table_2018_total_compares_with_the_stated_total(sts):
    answer = finansiering(sts)["tabel_total"]
    assert why_not(answer)["sts2018.plejefamilie.tabel_kontrol_stemmer"] == ["tabellens beløb summerer til 27.615.253 kr.; kræver 27.615.254 kr."]


def test_internal_budget_totals_and_reconciliation(sts):
    answer = finansiering(sts)
    assert answer["intern_udgifter_2017"]["value"] == Decimal(51440070)      # "UDGIFTER I ALT 51.440.070" (001 L366)
    assert answer["intern_udgifter_2018"]["value"] == Decimal(52441074)      # "... 52.441.074"
    # 2018 without the budgeted surplus 41.074 is the financing need 52.400.000 (001 L343, L144)
    assert answer["intern_forbrug_2018"]["value"] == Decimal(52400000) == answer["finansieringsbehov"]["value"]
    assert answer["intern_forbrug_2018"]["rule"] == "sts2018.intern_budget.forbrug_2018_stemmer"
    assert not flags(answer["intern_forbrug_2018"], "conflict")
    # 2017: 51.440.070 - 40.070 = 51.400.000 against the stated 52.600.000
    forbrug_2017 = answer["intern_forbrug_2017"]
    assert forbrug_2017["value"] == Decimal(51400000)
    assert forbrug_2017["rule"] == "sts2018.intern_budget.forbrug_2017"
    assert why_not(forbrug_2017)["sts2018.intern_budget.forbrug_2017_stemmer"] == [
        "det budgetterede forbrug 2017 er 51.400.000 kr.; kræver 52.600.000 kr."]
    assert any("52.600.000" in text and "1.200.000" in text for text in flags(forbrug_2017, "conflict"))
