"""Smaller Syddanmark 2018 provisions (family `oevrige`): belægningsindberetning (000 L204-255), udgiftsloft
(000 L173-177), egenbetaling model 1 (001 L4534-4577), køb og salg uden for Syddanmark (000 L278-286), overtagelse
af regionale tilbud (000 L337-345) and særlig opmærksomhed (Bilag 19, 001 L5447-5599).

The rules are loaded from a copy of period.yaml and the oevrige_*.yaml files only, so that other subjects being
edited in parallel cannot break these tests; the files are the shipped ones, byte for byte.
"""
from __future__ import annotations

import datetime
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from conftest import run
from rammeaftale.engine.periods import default_rules_dir, select

REPO = Path(__file__).resolve().parent.parent
RULES = REPO / "rules" / "syddanmark" / "2018"
FIXTURES = REPO / "fixtures" / "syddanmark" / "2018"


@pytest.fixture(scope="session")
def period():
    return select(default_rules_dir(), "2018", "syddanmark")


def fixture(name: str, record_id: str) -> dict:
    data = yaml.safe_load((FIXTURES / f"oevrige_{name}.yaml").read_text(encoding="utf-8"))
    (records,) = data.values()
    return next(record for record in records if record["id"] == record_id)


def flags(answer, code) -> list[str]:
    return [flag["text"] for flag in answer["flags"] if flag["code"] == code]


def why_not(answer) -> dict:
    return {entry["rule"]: entry["reasons"] for entry in answer["why_not"]}


def inputs(answer) -> dict:
    return {name: item["value"] for name, item in answer["explanation"]["inputs"].items()}


# == Belægningsindberetning: "afviger 5 % eller mere" (000 L216-217), 1 May / 1 Nov 2018 (L249-255) =====================
def belaegning(period, budget, faktisk, kategori="klyngetilbud", periode="foerste_kvartal", readings=None):
    record = {"id": "b", "kategori": kategori, "periode": periode,
              "budgetteret_belaegning": budget, "faktisk_belaegning": faktisk}
    return run(period, "belaegningsindberetning", record, readings)


@pytest.mark.parametrize("faktisk, expected, rule", [
    ("90 %", "skal_indberettes", "syd2018.belaegning.indberetning"),          # exactly 5 points: "eller mere"
    ("90,01 %", "skal_ikke_indberettes", "syd2018.belaegning.ingen_indberetning"),  # 4,99 points
    ("89,99 %", "skal_indberettes", "syd2018.belaegning.indberetning"),       # 5,01 points
    ("100 %", "skal_indberettes", "syd2018.belaegning.indberetning"),         # over-occupancy counts too
    ("99,99 %", "skal_ikke_indberettes", "syd2018.belaegning.ingen_indberetning"),
])
def test_belaegning_percentage_point_boundary(period, faktisk, expected, rule):
    answer = belaegning(period, "95 %", faktisk)["indberetning"]
    assert (answer["value"], answer["rule"]) == (expected, rule)


def test_belaegning_readings_differ_points_vs_relative(period):
    record = fixture("belaegning", "forskellige_laesninger")          # 80 % budgeted, 76 % actual
    default = run(period, "belaegningsindberetning", record)["indberetning"]
    assert (default["value"], default["rule"]) == ("skal_ikke_indberettes", "syd2018.belaegning.ingen_indberetning")
    assert inputs(default)["afvigelse_procentpoint"] == "0.04"
    # the "no" answer says that the other reading may change it
    assert "--reading oevrige_belaegning_afvigelse=relativ" in " ".join(flags(default, "interpretation"))
    assert why_not(default)["syd2018.belaegning.indberetning"] == [
        "afvigelsen i procentpoint er 4 %; kræver mindst 5 % (mangler 1 procentpoint)"]
    relative = run(period, "belaegningsindberetning", record, {"oevrige_belaegning_afvigelse": "relativ"})["indberetning"]
    assert (relative["value"], relative["rule"]) == ("skal_indberettes", "syd2018.belaegning.indberetning_relativ")
    assert inputs(relative)["afvigelse_relativ"] == "0.05"             # 4 / 80 = 5 % exactly: "eller mere"


def test_belaegning_relative_boundary(period):
    below = belaegning(period, "80 %", "76,04 %", readings={"oevrige_belaegning_afvigelse": "relativ"})["indberetning"]
    assert below["value"] == "skal_ikke_indberettes"
    assert Decimal(inputs(below)["afvigelse_relativ"]) == Decimal("0.0495")
    above = belaegning(period, "80 %", "75,96 %", readings={"oevrige_belaegning_afvigelse": "relativ"})["indberetning"]
    assert above["value"] == "skal_indberettes"


def test_belaegning_zero_budget_counts_as_full_deviation(period):
    answer = belaegning(period, "0 %", "3 %", readings={"oevrige_belaegning_afvigelse": "relativ"})["indberetning"]
    assert answer["value"] == "skal_indberettes" and inputs(answer)["afvigelse_relativ"] == "1"
    # in points, 3 points is under the limit
    assert belaegning(period, "0 %", "3 %")["indberetning"]["value"] == "skal_ikke_indberettes"


def test_belaegning_flag_names_the_selectable_reading(period):
    answer = belaegning(period, "95 %", "88 %")["indberetning"]
    text = " ".join(flags(answer, "interpretation"))
    assert "læsning oevrige_belaegning_afvigelse = procentpoint" in text
    assert "--reading oevrige_belaegning_afvigelse=relativ" in text


def test_belaegning_lokalt_tilbud_is_outside(period):
    answer = run(period, "belaegningsindberetning", fixture("belaegning", "lokalt"))["indberetning"]
    assert (answer["value"], answer["rule"]) == ("uden_for_ordningen", "syd2018.belaegning.lokalt_tilbud")
    assert any("lokale tilbud indberettes ikke" in text for text in flags(answer, "interpretation"))


@pytest.mark.parametrize("kategori", ["klyngetilbud", "hoejt_specialiseret"])
def test_belaegning_scope_is_klynge_and_hs(period, kategori):
    assert belaegning(period, "95 %", "70 %", kategori=kategori)["indberetning"]["value"] == "skal_indberettes"


@pytest.mark.parametrize("periode, deadline, rule", [
    ("foerste_kvartal", datetime.date(2018, 5, 1), "syd2018.belaegning.frist_foerste_kvartal"),
    ("tre_kvartaler", datetime.date(2018, 11, 1), "syd2018.belaegning.frist_tre_kvartaler"),
])
def test_belaegning_deadlines(period, periode, deadline, rule):
    answer = belaegning(period, "95 %", "88 %", periode=periode)["frist"]
    assert (answer["value"], answer["rule"]) == (deadline, rule)
    assert any(source["lines"] in ([249, 251], [253, 255]) for source in answer["sources"])


@pytest.mark.parametrize("reported, expected", [("2018-04-30", "rettidig"), ("2018-05-01", "rettidig"), ("2018-05-02", "for_sen"),
                                                ("2018-11-01", "for_sen")])
def test_belaegning_report_in_time_q1(period, reported, expected):
    record = {"id": "b", "kategori": "klyngetilbud", "periode": "foerste_kvartal", "budgetteret_belaegning": "95 %",
              "faktisk_belaegning": "88 %", "indberettet_dato": reported}
    assert run(period, "belaegningsindberetning", record)["rettidighed"]["value"] == expected


@pytest.mark.parametrize("reported, expected", [("2018-10-31", "rettidig"), ("2018-11-01", "rettidig"), ("2018-11-02", "for_sen")])
def test_belaegning_report_in_time_q3(period, reported, expected):
    record = {"id": "b", "kategori": "hoejt_specialiseret", "periode": "tre_kvartaler", "budgetteret_belaegning": "95 %",
              "faktisk_belaegning": "88 %", "indberettet_dato": reported}
    answer = run(period, "belaegningsindberetning", record)["rettidighed"]
    assert answer["value"] == expected


def test_belaegning_no_report_date(period):
    assert belaegning(period, "95 %", "88 %")["rettidighed"]["value"] == "ikke_oplyst"


# == Udgiftsloft: udg2018 <= udg2017 x (1 + KL PL) (000 L173-177) ===================================================
def udgifter(period, u2017, u2018, pl="1,5 %"):
    return run(period, "udgiftsudvikling", {"id": "u", "udgifter_2017": u2017, "udgifter_2018": u2018, "pl_fremskrivning": pl})


@pytest.mark.parametrize("u2018, expected, rule", [
    (101500000, "fastholdt", "syd2018.udgiftsstyring.loft"),          # exactly at the ceiling: "maximalt"
    (101500001, "overskredet", "syd2018.udgiftsstyring.overskredet"),
    (101499999, "fastholdt", "syd2018.udgiftsstyring.loft"),
    (100000000, "fastholdt", "syd2018.udgiftsstyring.loft"),          # held, not fallen
    (99999999, "faldet", "syd2018.udgiftsstyring.faldet"),
])
def test_udgiftsloft_boundaries(period, u2018, expected, rule):
    answer = udgifter(period, 100000000, u2018)
    assert (answer["udgiftsloft_overholdt"]["value"], answer["udgiftsloft_overholdt"]["rule"]) == (expected, rule)
    assert answer["loft_2018"]["value"] == Decimal("101500000")
    assert answer["overskridelse_2018"]["value"] == Decimal(u2018) - Decimal("101500000")


def test_udgiftsloft_exact_decimal_without_rounding(period):
    answer = udgifter(period, 1234567, 1251851, pl="1,4 %")
    assert str(answer["loft_2018"]["value"]) == "1251850.938"
    assert str(answer["overskridelse_2018"]["value"]) == "0.062"
    verdict = answer["udgiftsloft_overholdt"]
    assert verdict["value"] == "overskredet"
    assert flags(verdict, "gap") and "overskrider loftet" in flags(verdict, "gap")[0]
    assert why_not(verdict)["syd2018.udgiftsstyring.loft"] == [
        "udgifter 2018 er 1.251.851 kr.; kræver højst 1.251.850,94 kr. (0,06 kr. for meget)"]


def test_udgiftsloft_in_english(period):
    record = {"id": "u", "udgifter_2017": 100000000, "udgifter_2018": 102000000, "pl_fremskrivning": "1,5 %"}
    answer = run(period, "udgiftsudvikling", record, lang="en")["udgiftsloft_overholdt"]
    assert answer["explanation"]["summary"].startswith(
        "The expenditure target for 2018: expenditure has risen more than KL's price and wage index — decided by rule "
        "syd2018.udgiftsstyring.overskredet")


def test_udgiftsloft_fixture(period):
    answer = run(period, "udgiftsudvikling", fixture("udgiftsloft", "over_loftet"))
    assert answer["udgiftsloft_overholdt"]["value"] == "overskredet"
    assert answer["loft_2018"]["value"] == Decimal("512373000")          # 505.000.000 + 505.000.000 x 1,46 %
    assert answer["overskridelse_2018"]["value"] == Decimal("627000")


# == Egenbetaling model 1 (001 L4534-4577) ==========================================================================
def egenbetaling(period, **fields):
    record = {"id": "e", "foerste_opkraevning": "2018-02-01", "bruttotakst": 45000, "egenbetaling": 6000, "graense": 5000}
    record.update(fields)
    record = {key: value for key, value in record.items() if value is not None}
    return run(period, "egenbetaling_model1", record)


@pytest.mark.parametrize("approved, timely", [
    ("2018-01-17", True),    # 15 days before
    ("2018-01-18", True),    # exactly 14 days before
    ("2018-01-19", False),   # 13 days before
])
def test_egenbetaling_14_day_boundary(period, approved, timely):
    answer = egenbetaling(period, godkendelse_dato=approved)
    assert answer["opkraevning"]["explanation"]["inputs"]["seneste_godkendelse"]["value"] == "2018-01-18"
    if timely:
        assert (answer["opkraevning"]["value"], answer["opkraevning"]["rule"]) == ("borger_og_kommune", "syd2018.bilag17.egenbetaling_model1")
        assert answer["borger_betaler"]["value"] == Decimal("5000")
        assert answer["kommune_betaler"]["value"] == Decimal("40000")     # 45.000 - 6.000 + 1.000 over the limit
    else:
        assert answer["opkraevning"]["rule"] == "syd2018.bilag17.egenbetaling_model1.ikke_godkendt"
        assert answer["borger_betaler"]["value"] == Decimal("0")
        assert answer["kommune_betaler"]["value"] == Decimal("45000")
        assert why_not(answer["opkraevning"])["syd2018.bilag17.egenbetaling_model1"] == ["godkendelsen foreligger rettidigt: nej ✗"]


def test_egenbetaling_without_approval_is_bruttotakst_for_the_year(period):
    answer = egenbetaling(period, graense=None)
    assert answer["opkraevning"]["value"] == "bruttotakst_hos_betalingskommunen"
    assert answer["kommune_betaler"]["rule"] == "syd2018.bilag17.egenbetaling_model1.kommune_brutto"
    assert answer["kommune_betaler"]["explanation"]["inputs"]["budgetaarets_slut"]["value"] == "2018-12-31"
    assert any(text.startswith("syd2018.bilag17.egenbetaling_model1.budgetaar: Valgt læsning: Budgetåret er 2018")
               for text in flags(answer["kommune_betaler"], "interpretation"))


def test_egenbetaling_after_the_budget_year_is_left_open(period):
    answer = egenbetaling(period, foerste_opkraevning="2019-01-15", budgetaar_slut="2018-12-31")
    assert answer["kommune_betaler"]["value"] is None
    assert flags(answer["kommune_betaler"], "gap")


@pytest.mark.parametrize("limit, citizen, kommune", [
    (5999, "5999", "39001"),   # just below: 1 kr. over the limit goes to the betalingskommune
    (6000, "6000", "39000"),   # at the limit
    (6001, "6000", "39000"),   # above
    (None, "6000", "39000"),   # no limit given
])
def test_egenbetaling_limit_boundary(period, limit, citizen, kommune):
    answer = egenbetaling(period, godkendelse_dato="2018-01-10", graense=limit)
    assert str(answer["borger_betaler"]["value"]) == citizen
    assert str(answer["kommune_betaler"]["value"]) == kommune
    # the handle-/betalingskommune inconsistency of points 4-6 is flagged on the invoice rule
    assert any("handlekommunen" in text for text in flags(answer["kommune_betaler"], "conflict"))


def test_egenbetaling_fixture_records(period):
    assert egenbetaling(period, **{k: v for k, v in fixture("egenbetaling", "rettidig").items() if k != "id"})["kommune_betaler"]["value"] == Decimal("40000")
    late = run(period, "egenbetaling_model1", fixture("egenbetaling", "for_sen"))
    assert late["kommune_betaler"]["value"] == Decimal("45000")


# == Køb og salg uden for Syddanmark (000 L278-286) =================================================================
def test_uden_for_without_reference_driftsherre_carries_100_pct(period):
    answer = run(period, "koeb_uden_for_syddanmark", fixture("uden_for_syddanmark", "salg_uden_henvisning"))
    assert (answer["underskudsansvar"]["value"], answer["underskudsansvar"]["rule"]) == ("driftsherre_100_pct", "syd2018.koeb_uden_for_syddanmark")
    assert answer["kan_kraeves_af_koebere_uden_for"]["value"] == Decimal("0")
    assert answer["driftsherre_baerer"]["value"] == Decimal("250000")
    assert answer["regulering"]["value"] == "betalingsaftale"
    assert any(source["lines"] == [283, 286] for source in answer["underskudsansvar"]["sources"])
    assert flags(answer["underskudsansvar"], "interpretation")


def test_uden_for_with_reference_follows_takstprincipper(period):
    answer = run(period, "koeb_uden_for_syddanmark", fixture("uden_for_syddanmark", "salg_med_henvisning"))
    assert answer["underskudsansvar"]["value"] == "takstprincipperne"
    assert answer["kan_kraeves_af_koebere_uden_for"]["value"] == Decimal("250000")
    assert answer["driftsherre_baerer"]["value"] == Decimal("0")
    assert why_not(answer["underskudsansvar"])["syd2018.koeb_uden_for_syddanmark"]


def test_inside_syddanmark_is_the_styringsaftale(period):
    answer = run(period, "koeb_uden_for_syddanmark", fixture("uden_for_syddanmark", "salg_inden_for"))
    assert answer["regulering"]["value"] == "styringsaftalen"
    assert answer["underskudsansvar"]["value"] == "styringsaftalen"
    assert answer["driftsherre_baerer"]["value"] == Decimal("0")


def test_missing_betalingsaftale_and_purchase_gap(period):
    record = {"id": "k", "rolle": "koeb", "modpart_i_syddanmark": False, "betalingsaftale": False, "henviser_til_takstprincipper": False}
    answer = run(period, "koeb_uden_for_syddanmark", record)
    assert answer["regulering"]["value"] == "betalingsaftale_mangler"
    assert answer["underskudsansvar"]["rule"] == "syd2018.koeb_uden_for_syddanmark.koeb_uden_henvisning"
    assert flags(answer["underskudsansvar"], "gap")[0].startswith("Hul i kilden: Reglen om 100 % driftsherreansvar")


# == Overtagelse af regionale tilbud (000 L337-345) =================================================================
def overtagelse(period, meddelt="2019-06-01", overtaget="2020-06-01", readings=None, **fields):
    record = {"id": "o", "regionalt": True, "beliggende_i_kommunen": True, "meddelt_dato": meddelt, "overtagelsesdato": overtaget}
    record.update(fields)
    return run(period, "overtagelse_regionalt_tilbud", record, readings)["overtagelse"]


@pytest.mark.parametrize("meddelt, expected", [
    ("2019-12-31", "kan_overtages"), ("2020-01-01", "kan_overtages"), ("2020-01-02", "meddelt_for_sent")])
def test_overtagelse_notice_boundary(period, meddelt, expected):
    assert overtagelse(period, meddelt=meddelt, overtaget="2020-06-01")["value"] == expected


@pytest.mark.parametrize("overtaget, expected", [
    ("2020-12-31", "kan_overtages"), ("2021-01-01", "kan_overtages"), ("2021-01-02", "overtagelse_for_sent")])
def test_overtagelse_takeover_boundary(period, overtaget, expected):
    assert overtagelse(period, overtaget=overtaget)["value"] == expected


def test_overtagelse_2019_differs_by_reading(period):
    record = fixture("overtagelse", "overtagelse_2019")
    default = run(period, "overtagelse_regionalt_tilbud", record)["overtagelse"]
    assert (default["value"], default["rule"]) == ("kan_overtages", "syd2018.overtagelse.regionale_tilbud")
    assert "--reading oevrige_overtagelse_1_januar_2020=tidligste_overtagelse" in " ".join(flags(default, "interpretation"))
    alternative = run(period, "overtagelse_regionalt_tilbud", record,
                      {"oevrige_overtagelse_1_januar_2020": "tidligste_overtagelse"})["overtagelse"]
    assert (alternative["value"], alternative["rule"]) == ("overtagelse_for_tidligt", "syd2018.overtagelse.for_tidligt")


@pytest.mark.parametrize("overtaget, expected", [("2019-12-31", "overtagelse_for_tidligt"), ("2020-01-01", "kan_overtages")])
def test_overtagelse_earliest_date_boundary_under_alternative(period, overtaget, expected):
    readings = {"oevrige_overtagelse_1_januar_2020": "tidligste_overtagelse"}
    assert overtagelse(period, meddelt="2019-06-01", overtaget=overtaget, readings=readings)["value"] == expected


def test_overtagelse_conditions(period):
    assert overtagelse(period, regionalt=False)["value"] == "ikke_regionalt"
    assert flags(overtagelse(period, regionalt=False), "gap")
    assert overtagelse(period, beliggende_i_kommunen=False)["value"] == "ikke_i_kommunen"
    assert overtagelse(period, tidligere_overtagelse_i_valgperioden=True)["value"] == "allerede_overtaget"
    assert overtagelse(period, tidligere_overtagelse_i_valgperioden=False)["value"] == "kan_overtages"
    before = overtagelse(period, meddelt="2019-06-01", overtaget="2019-05-31")
    assert before["value"] == "overtagelse_foer_meddelelse"
    assert why_not(overtagelse(period, meddelt="2020-01-02"))["syd2018.overtagelse.regionale_tilbud"][0].startswith(
        "dato hvor ønsket meddeles regionsrådet er 2. januar 2020; kræver højst 1. januar 2020")


# == Bilag 19: særlig opmærksomhed (001 L5447-5599) ====================================================================
def saerlig(period, readings=None, **fields):
    record = {"id": "s", "tilbud": "Lunden", "anmodning_fra_socialdirektoer": True, "oekonomiske_data": True}
    record.update(fields)
    return run(period, "saerlig_opmaerksomhed", record, readings)


def options(*costly):
    return [{"navn": f"F{index}", "udgiftsdrivende": flag} for index, flag in enumerate(costly)]


@pytest.mark.parametrize("forslag, expected, rule", [
    (None, "for_faa_muligheder", "syd2018.bilag19.udmoentning.for_faa"),
    (options(False), "for_faa_muligheder", "syd2018.bilag19.udmoentning.for_faa"),
    (options(False, True), "opfyldt", "syd2018.bilag19.udmoentning"),
    (options(False, True, True), "opfyldt", "syd2018.bilag19.udmoentning"),
    (options(True, True), "alle_udgiftsdrivende", "syd2018.bilag19.udmoentning.alle_udgiftsdrivende"),
    (options(False, False), "opfyldt", "syd2018.bilag19.udmoentning"),
])
def test_saerlig_udmoentning_boundaries(period, forslag, expected, rule):
    fields = {} if forslag is None else {"forslag": forslag}
    answer = saerlig(period, **fields)["udmoentning"]
    assert (answer["value"], answer["rule"]) == (expected, rule)


def test_saerlig_why_not_counts(period):
    answer = saerlig(period, forslag=options(True, True))["udmoentning"]
    assert why_not(answer)["syd2018.bilag19.udmoentning"] == ["0 af mulighederne er ikke udgiftsdrivende; kræver mindst 1 (mangler 1)"]


def test_saerlig_bilag2_has_the_13_tilbud(period):
    values = period.subjects["saerlig_opmaerksomhed"].subject.parameters["bilag2_tilbud"].values
    ((start, listed),) = values
    assert start == datetime.date(2018, 1, 1)
    assert len(listed) == 13
    assert listed[0] == "Solskrænten" and listed[-1] == "Botilbuddet Skovbo"
    assert "Autismecenter Holmehøj, afdeling B i Kværndrup" in listed


def test_saerlig_bilag2_reading(period):
    listed = saerlig(period, tilbud="Botilbuddet Skovbo", readings={"oevrige_saerlig_bilag2": "udtoemmende"})["indstilling"]
    assert listed["value"] == "kan_indstilles"
    unlisted = run(period, "saerlig_opmaerksomhed", fixture("saerlig_opmaerksomhed", "ikke_paa_listen"))["indstilling"]
    assert (unlisted["value"], unlisted["rule"]) == ("kan_indstilles", "syd2018.bilag19.saerlig_opmaerksomhed")
    assert "--reading oevrige_saerlig_bilag2=udtoemmende" in " ".join(flags(unlisted, "interpretation"))
    exhaustive = run(period, "saerlig_opmaerksomhed", fixture("saerlig_opmaerksomhed", "ikke_paa_listen"),
                     {"oevrige_saerlig_bilag2": "udtoemmende"})["indstilling"]
    assert (exhaustive["value"], exhaustive["rule"]) == ("ikke_paa_listen", "syd2018.bilag19.bilag2_udtoemmende")


def test_saerlig_request_must_carry_economic_data(period):
    answer = saerlig(period, oekonomiske_data=False)["indstilling"]
    assert (answer["value"], answer["rule"]) == ("anmodning_mangler", "syd2018.bilag19.anmodning")


@pytest.mark.parametrize("assessed, expected", [("2018-05-02", "rettidig"), ("2018-05-03", "rettidig"), ("2018-05-04", "for_sen")])
def test_saerlig_taskforce_due_at_next_meeting(period, assessed, expected):
    answer = saerlig(period, taskforce_nedsat=True, anmodningsmoede="2018-03-01", naeste_moede="2018-05-03",
                     taskforce_vurdering_dato=assessed)
    assert answer["taskforce_frist"]["value"] == datetime.date(2018, 5, 3)
    assert answer["taskforce_rettidig"]["value"] == expected


def test_saerlig_fixture_skovbo(period):
    answer = run(period, "saerlig_opmaerksomhed", fixture("saerlig_opmaerksomhed", "skovbo"))
    assert answer["udmoentning"]["value"] == "opfyldt"
    assert answer["taskforce_rettidig"]["rule"] == "syd2018.bilag19.taskforce_rettidig"
    assert saerlig(period)["taskforce_rettidig"]["value"] == "ikke_relevant"


# == remaining boundaries ===============================================================================================
@pytest.mark.parametrize("overtaget, expected", [("2019-05-31", "overtagelse_foer_meddelelse"), ("2019-06-01", "kan_overtages"),
                                                 ("2019-06-02", "kan_overtages")])
def test_overtagelse_not_before_notice_boundary(period, overtaget, expected):
    assert overtagelse(period, meddelt="2019-06-01", overtaget=overtaget)["value"] == expected


@pytest.mark.parametrize("first, expected", [("2018-12-30", Decimal("45000")), ("2018-12-31", Decimal("45000")), ("2019-01-01", None)])
def test_egenbetaling_bruttotakst_until_budget_year_end(period, first, expected):
    answer = egenbetaling(period, foerste_opkraevning=first, budgetaar_slut="2018-12-31")
    assert answer["kommune_betaler"]["value"] == expected


def test_cli_json_contract(tmp_path):
    import json
    import subprocess
    rules = tmp_path / "rules" / "syddanmark" / "2018"
    rules.mkdir(parents=True)
    for path in [RULES / "period.yaml", *sorted(RULES.glob("oevrige_*.yaml"))]:
        shutil.copy(path, rules / path.name)
    facts = tmp_path / "facts.yaml"
    facts.write_text(yaml.safe_dump({"overtagelse_regionalt_tilbud": [fixture("overtagelse", "overtagelse_2019")]}), encoding="utf-8")
    out = subprocess.run(["rammeaftale", "evaluate", str(facts), "--region", "syddanmark", "--period", "2018", "--format", "json",
                          "--rules", str(tmp_path / "rules"),
                          "--reading", "oevrige_overtagelse_1_januar_2020=tidligste_overtagelse"],
                         capture_output=True, text=True, cwd=REPO, check=True).stdout
    text = json.dumps(json.loads(out), ensure_ascii=False)
    assert "overtagelse_for_tidligt" in text and "syd2018.overtagelse.for_tidligt" in text
