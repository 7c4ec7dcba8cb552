"""Syddanmark 2018 takstberegning (Bilag 14, 15, 17; 001 L4220-5158): every limit, the readings, the explanations."""
from __future__ import annotations

from decimal import Decimal

import pytest
import yaml

from conftest import run


def asset(navn, art, ibrugtaget, **fields):
    record = {"navn": navn, "art": art, "ibrugtaget": ibrugtaget, "ejendomsvaerdi_2004": 0, "anskaffelsessum": 0,
              "levetid_aar": 0, "aarlig_afskrivning_driftsherre": 0, "vaerdi_primo": 0}
    record.update(fields)
    return record


def budget(**fields):
    """A round botilbud budget; override any field."""
    record = {"id": "b", "tilbudstype": "botilbud", "loen": 1000000, "udvikling": 0, "udviklingspulje_afsat": 0,
              "administration": 0, "indtaegter": 0, "oevrige_driftsudgifter": 0, "ejendomsudgifter": 0, "puljer": 0,
              "tilsyn": 0, "overheadprocent": "4,4 %", "rentesats": "1,47 %", "belaegningsprocent": "100 %",
              "tjenestemaend": [], "aktiver": []}
    record.update(fields)
    return record


def takst(period, readings=None, lang="da", **fields):
    return run(period, "takstberegning", budget(**fields), readings, lang)


def value(answer):
    return str(answer["value"])


# -- overhead, max 4,4 % (001 L4981) ---------------------------------------------------------------------------------
@pytest.mark.parametrize("pct, expected", [("4,3 %", "tilladt"), ("4,4 %", "tilladt"), ("4,5 %", "over_maksimum"),
                                           ("4,41 %", "over_maksimum")])
def test_overhead_percentage_boundary(syd2018, pct, expected):
    answer = takst(syd2018, overheadprocent=pct)
    assert answer["overheadprocent_status"]["value"] == expected
    assert answer["overholder"]["value"] == ("ja" if expected == "tilladt" else "nej")


def test_overhead_breach_names_the_rule_and_why_not(syd2018):
    answer = takst(syd2018, overheadprocent="5 %")
    assert answer["overholder"]["rule"] == "syd2018.bilag17.overholder.overhead"
    status = answer["overheadprocent_status"]
    reasons = {entry["rule"]: entry["reasons"] for entry in status["why_not"]}
    assert reasons["syd2018.bilag17.overhead.procent_tilladt"] == ["overheadprocent er 5 %; kræver højst 4,4 % (0,6 procentpoint for meget)"]


def test_overhead_net_base_by_default(syd2018):
    answer = takst(syd2018, loen=1000000, administration=100000, indtaegter=100000, tilsyn=50000)
    # net base: 1.000.000 + 100.000 - 100.000 = 1.000.000 (tilsyn is not in the list L4985-5003)
    assert Decimal(value(answer["overhead_maks"])) == Decimal("44000")
    assert answer["overhead_maks"]["rule"] == "syd2018.bilag17.overhead.maks_netto"
    flags = {flag["code"] for flag in answer["overhead_maks"]["flags"]}
    assert {"interpretation", "conflict"} <= flags
    texts = " ".join(flag["text"] for flag in answer["overhead_maks"]["flags"])
    assert "--reading takst_overhead_grundlag=brutto" in texts


def test_overhead_gross_reading(syd2018):
    answer = takst(syd2018, {"takst_overhead_grundlag": "brutto"}, loen=1000000, administration=100000, indtaegter=100000)
    assert Decimal(value(answer["overhead_maks"])) == Decimal("48400")
    assert answer["overhead_maks"]["rule"] == "syd2018.bilag17.overhead.maks_brutto"
    assert answer["overhead"]["rule"] == "syd2018.bilag17.overhead.beloeb_brutto"


def test_overhead_amount_uses_providers_percentage(syd2018):
    answer = takst(syd2018, loen=2000000, overheadprocent="3 %")
    assert Decimal(value(answer["overhead"])) == Decimal("60000")
    assert Decimal(value(answer["overhead_maks"])) == Decimal("88000")


# -- udviklingspulje 0,5 % (001 L4466) -----------------------------------------------------------------------------
def test_udviklingspulje_default_base_is_operating_costs(syd2018):
    answer = takst(syd2018, loen=1000000, administration=200000, indtaegter=100000, tilsyn=100000)
    assert Decimal(value(answer["udviklingspulje"])) == Decimal("6000")
    gap = [flag["text"] for flag in answer["udviklingspulje"]["flags"] if flag["code"] == "gap"]
    assert gap and "Kilden siger ikke hvad de 0,5 % er en andel af" in gap[0]


def test_udviklingspulje_payroll_reading(syd2018):
    answer = takst(syd2018, {"takst_udviklingspulje_grundlag": "loen"}, loen=1000000, administration=200000)
    assert Decimal(value(answer["udviklingspulje"])) == Decimal("5000")
    assert answer["udviklingspulje"]["rule"] == "syd2018.bilag17.udviklingspulje.af_loen"


# -- tjenestemandspension 20,3 % and the 3 % option (001 L5105-5121) -----------------------------------------------
def test_pension_uninsured_insured_and_correction(syd2018):
    tjm = [{"navn": "A", "pensionsgivende_loen": 400000, "forsikret": False, "praemie": 0, "allerede_indregnet": 1200},
           {"navn": "B", "pensionsgivende_loen": 300000, "forsikret": True, "praemie": 25000, "allerede_indregnet": 0}]
    answer = takst(syd2018, tjenestemaend=tjm)
    # 20,3 % of 400.000 = 81.200; minus 1.200 already included; plus the premium 25.000
    assert Decimal(value(answer["tjenestemandspension"])) == Decimal("105000")
    assert answer["tjenestemandspension"]["rule"] == "syd2018.bilag17.tjenestemandspension.beregning"
    assert answer["tjenestemandspension"]["explanation"]["summary"].startswith("Hensættelser til tjenestemandspension: 105.000 kr.")


def lukket(**fields):
    record = {"undtagelse_paragraf_2_stk_4": True, "loenudgift": 500000, "faktiske_udgifter": 9000, "metode": "tre_procent",
              "tidligere_valgt_tre_procent": False}
    record.update(fields)
    return record


def test_closed_group_three_percent(syd2018):
    answer = takst(syd2018, tilbudstype="specialundervisning", lukket_gruppe=lukket())
    assert Decimal(value(answer["tjenestemandspension"])) == Decimal("15000")
    assert answer["lukket_gruppe_valg"]["value"] == "tilladt"


def test_closed_group_actual_costs(syd2018):
    answer = takst(syd2018, lukket_gruppe=lukket(metode="faktiske"))
    assert Decimal(value(answer["tjenestemandspension"])) == Decimal("9000")
    assert answer["overholder"]["value"] == "ja"


def test_closed_group_cannot_go_back_from_three_percent(syd2018):
    answer = takst(syd2018, lukket_gruppe=lukket(metode="faktiske", tidligere_valgt_tre_procent=True))
    assert answer["lukket_gruppe_valg"]["value"] == "ikke_tilladt"
    assert answer["lukket_gruppe_valg"]["rule"] == "syd2018.bilag17.tjenestemandspension.tilbage_til_faktiske"
    assert Decimal(value(answer["tjenestemandspension"])) == Decimal("15000")
    assert (answer["overholder"]["value"], answer["overholder"]["rule"]) == ("nej", "syd2018.bilag17.overholder.lukket_gruppe")


def test_closed_group_without_exception_state_pays(syd2018):
    answer = takst(syd2018, lukket_gruppe=lukket(undtagelse_paragraf_2_stk_4=False))
    assert answer["lukket_gruppe_valg"]["value"] == "ingen_hensaettelse"
    assert Decimal(value(answer["tjenestemandspension"])) == Decimal("0")


def test_no_closed_group_is_not_relevant(syd2018):
    assert takst(syd2018)["lukket_gruppe_valg"]["value"] == "ikke_relevant"


# -- afskrivning og forrentning (001 L5008-5066) -------------------------------------------------------------------------
def test_building_before_1999_uses_2004_value_over_30_years(syd2018):
    aktiver = [asset("Hus", "bygning", "1980-01-01", opfoert="1979-06-01", ejendomsvaerdi_2004=3000000, anskaffelsessum=999999)]
    assert Decimal(value(takst(syd2018, aktiver=aktiver)["afskrivning"])) == Decimal("100000")


@pytest.mark.parametrize("opfoert, expected", [("1998-12-31", "100000"), ("1999-01-01", "200000"), ("1999-01-02", "200000")])
def test_building_cut_off_1999(syd2018, opfoert, expected):
    aktiver = [asset("Hus", "bygning", "2005-01-01", opfoert=opfoert, ejendomsvaerdi_2004=3000000, anskaffelsessum=6000000)]
    assert Decimal(value(takst(syd2018, aktiver=aktiver)["afskrivning"])) == Decimal(expected)


def test_old_building_acquired_later_reading(syd2018):
    aktiver = [asset("Hus", "bygning", "2001-01-01", opfoert="1970-01-01", erhvervet="2001-01-01",
                     ejendomsvaerdi_2004=3000000, anskaffelsessum=6000000)]
    default = takst(syd2018, aktiver=aktiver)["afskrivning"]
    assert Decimal(value(default)) == Decimal("200000")
    assert any(flag["code"] == "conflict" for flag in default["flags"])
    alternative = takst(syd2018, {"takst_bygning_erhvervet": "ejendomsvaerdi_2004"}, aktiver=aktiver)["afskrivning"]
    assert Decimal(value(alternative)) == Decimal("100000")
    assert alternative["rule"] == "syd2018.bilag17.afskrivning.aarlig_ejendomsvaerdi"


@pytest.mark.parametrize("ibrugtaget, expected", [("2018-12-31", "100000"), ("2019-01-01", "0")])
def test_building_acquired_by_end_of_2018(syd2018, ibrugtaget, expected):
    aktiver = [asset("Ny", "bygning", ibrugtaget, opfoert="2018-01-01", anskaffelsessum=3000000)]
    assert Decimal(value(takst(syd2018, aktiver=aktiver)["afskrivning"])) == Decimal(expected)


def test_land_is_not_depreciated_but_earns_interest(syd2018):
    aktiver = [asset("Grund", "grund", "1990-01-01", anskaffelsessum=500000, vaerdi_primo=1000000)]
    answer = takst(syd2018, aktiver=aktiver)
    assert Decimal(value(answer["afskrivning"])) == Decimal("0")
    assert Decimal(value(answer["forrentning"])) == Decimal("14700")


@pytest.mark.parametrize("sum_, life, counted", [(100000, 5, False), (100001, 5, True), (99999, 5, False),
                                                 (200000, 1, False), (200000, 2, True)])
def test_other_assets_thresholds(syd2018, sum_, life, counted):
    aktiver = [asset("Bus", "andet", "2016-01-01", anskaffelsessum=sum_, levetid_aar=life, aarlig_afskrivning_driftsherre=20000,
                     vaerdi_primo=100000)]
    answer = takst(syd2018, aktiver=aktiver)
    assert Decimal(value(answer["afskrivning"])) == (Decimal("20000") if counted else Decimal("0"))
    assert Decimal(value(answer["forrentning"])) == (Decimal("1470") if counted else Decimal("0"))


def test_acquisitions_in_2018_earn_no_interest_in_2018(syd2018):
    aktiver = [asset("Ny", "bygning", "2018-01-01", opfoert="2017-01-01", anskaffelsessum=3000000, vaerdi_primo=3000000),
               asset("Gammel", "bygning", "2017-12-31", opfoert="2017-01-01", anskaffelsessum=3000000, vaerdi_primo=3000000)]
    assert Decimal(value(takst(syd2018, aktiver=aktiver)["forrentning"])) == Decimal("44100")


@pytest.mark.parametrize("rate, expected", [("1,46 %", "tilladt"), ("1,47 %", "tilladt"), ("1,48 %", "over_maksimum")])
def test_interest_rate_cap(syd2018, rate, expected):
    answer = takst(syd2018, rentesats=rate)
    assert answer["rentesats_status"]["value"] == expected
    if expected == "over_maksimum":
        assert answer["overholder"]["rule"] == "syd2018.bilag17.overholder.rente"


# -- belægningsprocent ≤ 100 % (001 L5128) ------------------------------------------------------------------------------
@pytest.mark.parametrize("pct, expected", [("99 %", "i_orden"), ("100 %", "i_orden"), ("100,1 %", "overbelaegning")])
def test_occupancy_boundary(syd2018, pct, expected):
    answer = takst(syd2018, belaegningsprocent=pct)
    assert answer["belaegning"]["value"] == expected
    assert answer["overholder"]["value"] == ("ja" if expected == "i_orden" else "nej")


# -- indberetning 15. november 2017 (001 L4418) ---------------------------------------------------------------------------
@pytest.mark.parametrize("day, expected", [("2017-11-14", "rettidig"), ("2017-11-15", "rettidig"), ("2017-11-16", "for_sent")])
def test_reporting_deadline(syd2018, day, expected):
    answer = takst(syd2018, indberetningsdato=day)
    assert answer["indberetning"]["value"] == expected


def test_reporting_late_makes_calculation_non_compliant(syd2018):
    answer = takst(syd2018, indberetningsdato="2017-12-01")
    assert (answer["overholder"]["value"], answer["overholder"]["rule"]) == ("nej", "syd2018.bilag17.overholder.indberetning")


def test_reporting_date_missing(syd2018):
    assert takst(syd2018)["indberetning"]["value"] == "ikke_oplyst"


# -- Bilag 14 differentiation (001 L4269-4272) --------------------------------------------------------------------------------
@pytest.mark.parametrize("kind, diff, expected", [
    ("botilbud", 149999, "udbyders_vurdering"), ("botilbud", 150000, "boer_differentieres"), ("botilbud", 150001, "boer_differentieres"),
    ("dagtilbud", 29999, "udbyders_vurdering"), ("dagtilbud", 30000, "boer_differentieres"), ("dagtilbud", 30001, "boer_differentieres"),
])
def test_differentiation_lower_reading(syd2018, kind, diff, expected):
    answer = takst(syd2018, tilbudstype=kind, personaleudgift_forskel=diff)
    assert answer["takstdifferentiering"]["value"] == expected


@pytest.mark.parametrize("kind, diff, expected", [
    ("botilbud", 174999, "udbyders_vurdering"), ("botilbud", 175000, "boer_differentieres"), ("botilbud", 175001, "boer_differentieres"),
    ("dagtilbud", 49999, "udbyders_vurdering"), ("dagtilbud", 50000, "boer_differentieres"), ("dagtilbud", 50001, "boer_differentieres"),
])
def test_differentiation_upper_reading(syd2018, kind, diff, expected):
    answer = takst(syd2018, {"takst_differentiering_graense": "oevre"}, tilbudstype=kind, personaleudgift_forskel=diff)
    assert answer["takstdifferentiering"]["value"] == expected


def test_differentiation_flags_reading_and_other_types(syd2018):
    answer = takst(syd2018, personaleudgift_forskel=160000)["takstdifferentiering"]
    assert answer["rule"] == "syd2018.bilag14.differentiering.botilbud"
    assert any("--reading takst_differentiering_graense=oevre" in flag["text"] for flag in answer["flags"])
    assert takst(syd2018, tilbudstype="andet", personaleudgift_forskel=900000)["takstdifferentiering"]["value"] == "ingen_vejledende_graense"
    assert takst(syd2018)["takstdifferentiering"]["value"] == "ikke_oplyst"


def test_english_summary(syd2018):
    answer = takst(syd2018, lang="en", overheadprocent="5 %")["overholder"]
    assert answer["explanation"]["summary"].startswith("The takst calculation complies with Bilag 17: no")


# -- Bilag 15: særforanstaltninger og enkeltmandsprojekter (001 L4323-4357) ---------------------------------------------------
def saer(period, **fields):
    record = {"id": "s", "ny_plads": False, "antal_borgere": 1, "enighed_foer_start": True, "aftale_niveau": "central_forvaltning",
              "vilkaar_praeciseret": True, "omkostningsbaseret": True}
    record.update(fields)
    return run(period, "saerforanstaltning", record)


def test_existing_place_is_saerforanstaltning(syd2018):
    answer = saer(syd2018)
    assert (answer["art"]["value"], answer["art"]["rule"]) == ("saerforanstaltning", "syd2018.bilag15.saerforanstaltning")
    assert answer["betingelser"]["value"] == "opfyldt"
    assert answer["indberetning"]["value"] == "nej"


def test_new_place_is_enkeltmandsprojekt(syd2018):
    assert saer(syd2018, ny_plads=True)["art"]["value"] == "enkeltmandsprojekt"


@pytest.mark.parametrize("count, expected", [(1, "enkeltmandsprojekt"), (2, "differentieret_takst")])
def test_several_citizens_should_get_differentiated_takst(syd2018, count, expected):
    assert saer(syd2018, ny_plads=True, antal_borgere=count)["art"]["value"] == expected


@pytest.mark.parametrize("field, bad, rule", [
    ("enighed_foer_start", False, "syd2018.bilag15.betingelse.enighed"),
    ("aftale_niveau", "tilbud", "syd2018.bilag15.betingelse.niveau"),
    ("vilkaar_praeciseret", False, "syd2018.bilag15.betingelse.vilkaar"),
    ("omkostningsbaseret", False, "syd2018.bilag15.betingelse.omkostningsbaseret"),
])
def test_each_condition(syd2018, field, bad, rule):
    answer = saer(syd2018, **{field: bad})["betingelser"]
    assert (answer["value"], answer["rule"]) == ("ikke_opfyldt", rule)


@pytest.mark.parametrize("pct, expected", [("4,4 %", "opfyldt"), ("4,5 %", "ikke_opfyldt")])
def test_saer_overhead_boundary(syd2018, pct, expected):
    assert saer(syd2018, overheadprocent=pct)["betingelser"]["value"] == expected


# -- the fixture ------------------------------------------------------------------------------------------------------------------
def test_fixture_budget(syd2018):
    from pathlib import Path
    path = Path(__file__).resolve().parent.parent / "fixtures" / "syddanmark" / "2018" / "takstberegning.yaml"
    record = yaml.safe_load(path.read_text(encoding="utf-8"))["takstberegning"][0]
    answer = run(syd2018, "takstberegning", record)
    assert Decimal(value(answer["afskrivning"])) == Decimal("350000")
    assert Decimal(value(answer["forrentning"])) == Decimal("99225")
    assert Decimal(value(answer["tjenestemandspension"])) == Decimal("126500")
    assert Decimal(value(answer["overhead_maks"])) == Decimal("531771.9")
    assert Decimal(value(answer["udviklingspulje"])) == Decimal("60578.625")
    assert answer["overholder"]["value"] == "ja"
