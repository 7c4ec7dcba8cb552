"""Changes to a tilbud (rules/syddanmark/2018/aendringer.yaml): 000 L298-300 and L332-333, Bilag 10 (001 L3993-4001),
Bilag 11 (001 L4003-4155), Bilag 12 (001 L4156-4173) and the Faaborg-Midtfyn templates (001 L5943-6179).

The rules are loaded from a private copy of period.yaml + aendringer*.yaml, so these tests do not depend on other
subjects being edited in the same tree at the same time.
"""
from __future__ import annotations

import datetime
import shutil

import pytest
import yaml

from conftest import REPO
from rammeaftale.engine.evaluate import evaluate_subject
from rammeaftale.engine.explain import Explainer
from rammeaftale.engine.facts import load_facts_text
from rammeaftale.engine.periods import default_rules_dir, select

RULES = REPO / "rules" / "syddanmark" / "2018"
FIXTURE = REPO / "fixtures" / "syddanmark" / "2018" / "aendringer.yaml"
FILE = "rules/syddanmark/2018/aendringer.yaml"


@pytest.fixture(scope="session")
def period():
    return select(default_rules_dir(), "2018", "syddanmark")


def D(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def aendring(**fields) -> dict:
    """A permanent change during 2018 to a klyngetilbud; override any field."""
    record = {"id": "a", "kategori": "klyngetilbud", "aendringstype": "takstforhoejelse", "tidspunkt": "i_aaret",
              "aar_start": "2018-01-01", "vedtaget_dato": "2018-03-01"}
    record.update(fields)
    return record


def evaluate(period, record: dict, readings: dict | None = None, lang: str = "da", text: str | None = None) -> dict:
    text = text or yaml.safe_dump({"aendring": [record]}, allow_unicode=True)
    facts = load_facts_text(text, "test.yaml", period.period)[0]
    chosen = {**period.default_readings(), **(readings or {})}
    compiled = period.subjects["aendring"]
    results, env = evaluate_subject(compiled, facts.values, chosen, datetime.date(2018, 6, 1))
    explainer = Explainer(compiled, period.period, lang)
    return {name: explainer.explain(result, env) for name, result in results.items()}


def values(answer: dict) -> dict:
    return {name: decision["value"] for name, decision in answer.items()}


def flags(decision: dict, code: str) -> list[str]:
    return [flag["text"] for flag in decision["flags"] if flag["code"] == code]


def why(decision: dict) -> dict:
    return {entry.get("rule"): entry["reasons"] for entry in decision["why_not"]}


# -- the three Faaborg-Midtfyn templates (001 L5943-6179) --------------------------------------------------------------
def fixture_records() -> dict:
    data = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    return {record["id"]: record for record in data["aendring"]}


def test_fixture_reproduces_the_templates_takster_to_the_krone(period):
    records = fixture_records()
    assert [entry["takst"] for entry in records["palleshave_2017"]["nye_takster"]] == [1160, 1450, 1727, 577, 721, 884]
    assert [entry["takst"] for entry in records["toften_2017"]["nye_takster"]] == [1058, 1320, 1588, 1830]
    assert [entry["takst"] for entry in records["kernehuset_soebo_vesterparken_2017"]["nye_takster"]] == [774]
    # typed as Decimal by the facts parser
    facts = load_facts_text(FIXTURE.read_text(encoding="utf-8"), str(FIXTURE), period.period)
    by_id = {item.id: item for item in facts}
    from decimal import Decimal
    assert [entry["takst"] for entry in by_id["palleshave_2017"].values["nye_takster"]][2] == Decimal("1727")


@pytest.mark.parametrize("ident, rute, rule", [
    ("palleshave_2017", "teknisk_fejl", "syd2018.aendringer.budgetfejl_teknisk"),
    ("toften_2017", "teknisk_fejl", "syd2018.aendringer.teknisk_fejl"),
    ("kernehuset_soebo_vesterparken_2017", "teknisk_fejl", "syd2018.aendringer.budgetfejl_teknisk"),
])
def test_templates_follow_the_technical_error_route_from_1_january_2017(period, ident, rute, rule):
    answer = evaluate(period, fixture_records()[ident])
    assert (answer["rute"]["value"], answer["rute"]["rule"]) == (rute, rule)
    # as the templates say: effective 1. januar 2017, paying kommuner and Socialdirektørforum informed
    assert answer["tidligste_ikrafttraedelse"]["value"] == D("2017-01-01")
    assert answer["tidligste_ikrafttraedelse"]["rule"] == "syd2018.aendringer.fra_aarets_start"
    assert answer["ikrafttraedelse_vurdering"]["value"] == "overholdt"
    assert answer["meddeles"]["value"] == "betalingskommuner_og_sdf"
    assert answer["hoering"]["value"] == "ingen"
    assert answer["begrundelse"]["value"] == "takstaendring"
    assert answer["tilladt"]["value"] == "umiddelbart"


def test_palleshave_budget_error_is_flagged_as_interpretation(period):
    answer = evaluate(period, fixture_records()["palleshave_2017"])
    texts = flags(answer["rute"], "interpretation")
    assert texts and texts[0].startswith("syd2018.aendringer.budgetfejl_teknisk: Valgt læsning: En budgetfejl")
    assert "--reading aendringer_budgetfejl=takstaendring" in texts[0]
    documents = {(source["document"], tuple(source["lines"])) for source in answer["rute"]["sources"]}
    assert ("001_c7b3169ddc9536ee.txt", (5988, 5989)) in documents


def test_palleshave_alternative_reading_makes_1_january_too_early(period):
    answer = evaluate(period, fixture_records()["palleshave_2017"], {"aendringer_budgetfejl": "takstaendring"})
    assert (answer["rute"]["value"], answer["rute"]["rule"]) == ("takstforhoejelse", "syd2018.aendringer.budgetfejl_forhoejelse")
    assert answer["tidligste_ikrafttraedelse"]["value"] == D("2017-02-01")        # the (illustrative) adoption
    assert answer["ikrafttraedelse_vurdering"]["value"] == "for_tidlig"
    assert answer["meddeles"]["value"] == "alle_kommuner_og_brugerkommuner"
    assert answer["tilladt"]["value"] == "kun_undtagelsesvis"
    assert answer["begrundelse"]["value"] == "takstforhoejelse"


def test_kernehuset_budget_error_reduction_gives_same_dates_under_either_reading(period):
    record = fixture_records()["kernehuset_soebo_vesterparken_2017"]
    default = evaluate(period, record)
    alternative = evaluate(period, record, {"aendringer_budgetfejl": "takstaendring"})
    assert alternative["rute"]["value"] == "takstreduktion"
    for name in ("tidligste_ikrafttraedelse", "meddeles", "hoering", "begrundelse", "tilladt"):
        assert default[name]["value"] == alternative[name]["value"], name


def test_fixture_evaluates_through_the_cli(period, capsys, tmp_path):
    import json
    from rammeaftale.engine.cli import main
    rules_root = tmp_path / "rules" / "syddanmark" / "2018"
    rules_root.mkdir(parents=True)
    for path in [RULES / "period.yaml", *sorted(RULES.glob("aendringer*.yaml"))]:
        shutil.copy(path, rules_root / path.name)
    code = main(["evaluate", str(FIXTURE), "--period", "2018", "--rules", str(tmp_path / "rules"), "--format", "json",
                 "--decision", "tidligste_ikrafttraedelse"])
    out, _ = capsys.readouterr()
    assert code == 0
    found = {subject["id"]: subject["decisions"]["tidligste_ikrafttraedelse"]["value"] for subject in json.loads(out)["subjects"]}
    assert found == {"palleshave_2017": "2017-01-01", "toften_2017": "2017-01-01", "kernehuset_soebo_vesterparken_2017": "2017-01-01"}


# -- Bilag 11: the table for højt specialiserede tilbud and klyngetilbud -------------------------------------------------------
HS, KLYNGE = "hoejt_specialiseret", "klyngetilbud"


@pytest.mark.parametrize("aendringstype, kategori, hoering, meddeles, begrundelse", [
    ("oprettelse_af_pladser", HS, "socialdirektoerforum", "alle_kommuner_og_brugerkommuner", "udvidelse"),
    ("oprettelse_af_pladser", KLYNGE, "ingen", "alle_kommuner_og_brugerkommuner", "udvidelse"),
    ("nedlaeggelse_af_pladser", HS, "socialdirektoerforum", "alle_kommuner_og_brugerkommuner", "reduktion_hs"),
    ("nedlaeggelse_af_pladser", KLYNGE, "ingen", "alle_kommuner_og_brugerkommuner", "reduktion"),
    ("lukning", HS, "socialdirektoerforum", "alle_kommuner_og_brugerkommuner", "lukning_hs"),
    ("lukning", KLYNGE, "ingen", "alle_kommuner_og_brugerkommuner", "lukning"),
    ("takstforhoejelse", HS, "socialdirektoerforum", "alle_kommuner_og_brugerkommuner", "takstforhoejelse"),
    ("takstforhoejelse", KLYNGE, "ingen", "alle_kommuner_og_brugerkommuner", "takstforhoejelse"),
    ("takstreduktion", HS, "ingen", "betalingskommuner_og_sdf", "takstaendring"),
    ("takstreduktion", KLYNGE, "ingen", "betalingskommuner_og_sdf", "takstaendring"),
])
def test_bilag11_table(period, aendringstype, kategori, hoering, meddeles, begrundelse):
    answer = evaluate(period, aendring(aendringstype=aendringstype, kategori=kategori, hoering_afsluttet_dato="2018-04-01",
                                       meddelt_dato="2018-03-15"))
    assert (answer["hoering"]["value"], answer["meddeles"]["value"], answer["begrundelse"]["value"]) == (hoering, meddeles, begrundelse)


def test_technical_error_for_both_categories(period):
    for kategori in (HS, KLYNGE):
        for direction in ("takstforhoejelse", "takstreduktion"):
            answer = evaluate(period, aendring(kategori=kategori, aendringstype=direction, skyldes="teknisk_beregningsfejl"))
            assert answer["rute"]["rule"] == "syd2018.aendringer.teknisk_fejl"
            assert answer["hoering"]["value"] == "ingen"
            assert answer["tidligste_ikrafttraedelse"]["value"] == D("2018-01-01")


def test_hs_hearing_explained_with_rule_sources_and_why_not_for_klynge(period):
    hs = evaluate(period, aendring(kategori=HS, aendringstype="lukning", hoering_afsluttet_dato="2018-04-01", meddelt_dato="2018-03-01"))
    rule = hs["hoering"]["explanation"]["rule"]
    assert rule["id"] == "syd2018.aendringer.hoering_hs" and rule["file"] == FILE
    assert any(source["lines"] == [4106, 4108] for source in hs["hoering"]["sources"])
    klynge = evaluate(period, aendring(aendringstype="lukning", meddelt_dato="2018-03-01"))
    assert why(klynge["hoering"])["syd2018.aendringer.hoering_hs"] == ["tilbuddets kategori er klyngetilbud; kræver hoejt_specialiseret"]


def test_hs_reduction_text_includes_continuation_cost(period):
    answer = evaluate(period, aendring(kategori=HS, aendringstype="nedlaeggelse_af_pladser", hoering_afsluttet_dato="2018-04-01",
                                       meddelt_dato="2018-03-01"))
    summary = answer["begrundelse"]["explanation"]["summary"]
    assert "økonomiske konsekvenser ved at videreføre dem" in summary


# -- allowed during the year -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fields, expected, rule", [
    ({"aendringstype": "kategori"}, "ikke_tilladt", "syd2018.aendringer.kategori_i_aaret"),
    ({"aendringstype": "kategori", "tidspunkt": "aarsskifte"}, "tilladt", "syd2018.aendringer.aarsskifte_tilladt"),
    ({"aendringstype": "takstforhoejelse"}, "kun_undtagelsesvis", "syd2018.aendringer.kun_undtagelsesvis"),
    ({"aendringstype": "lukning", "meddelt_dato": "2018-03-01"}, "kun_undtagelsesvis", "syd2018.aendringer.kun_undtagelsesvis"),
    ({"aendringstype": "takstreduktion"}, "umiddelbart", "syd2018.aendringer.reduktion_umiddelbart"),
    ({"aendringstype": "oprettelse_af_tilbud"}, "tilladt", "syd2018.aendringer.oprettelse_frit"),
    ({"aendringstype": "oprettelse_af_pladser", "varig": False}, "tilladt", "syd2018.aendringer.midlertidig_tilladt"),
    ({"aendringstype": "normering", "varig": False}, "tilladt", "syd2018.aendringer.midlertidig_tilladt"),
    ({"aendringstype": "normering"}, "kun_undtagelsesvis", "syd2018.aendringer.ikke_reguleret_tilladt"),
    ({"aendringstype": "takstforhoejelse", "kategori": "lokalt_tilbud"}, "tilladt", "syd2018.aendringer.lokale_tilladt"),
])
def test_tilladt(period, fields, expected, rule):
    answer = evaluate(period, aendring(**fields))["tilladt"]
    assert (answer["value"], answer["rule"]) == (expected, rule)


def test_category_change_in_year_not_allowed_and_takes_effect_next_year(period):
    answer = evaluate(period, aendring(aendringstype="kategori", kategori=HS))
    assert answer["tilladt"]["value"] == "ikke_tilladt"
    assert answer["tilladt"]["explanation"]["summary"].startswith("Tilladt i løbet af året: ikke tilladt i løbet af året")
    assert any(source["document"] == "000_c8f43d8e9a5c082f.txt" and source["lines"] == [332, 332] for source in answer["tilladt"]["sources"])
    assert answer["tidligste_ikrafttraedelse"]["value"] == D("2019-01-01")
    assert answer["hoering"]["value"] == "ingen" and answer["meddeles"]["value"] == "ingen"


def test_reduction_reading_alternative(period):
    answer = evaluate(period, aendring(aendringstype="takstreduktion"), {"aendringer_reduktion": "kun_undtagelsesvis"})
    assert (answer["tilladt"]["value"], answer["tilladt"]["rule"]) == ("kun_undtagelsesvis", "syd2018.aendringer.reduktion_undtagelsesvis")
    default = evaluate(period, aendring(aendringstype="takstreduktion"))
    assert "--reading aendringer_reduktion=kun_undtagelsesvis" in flags(default["tilladt"], "interpretation")[0]


def test_varig_defaults_to_true_boundary(period):
    assert evaluate(period, aendring(aendringstype="nedlaeggelse_af_pladser", meddelt_dato="2018-03-01"))["rute"]["value"] == "nedlaeggelse_pladser"
    assert evaluate(period, aendring(aendringstype="nedlaeggelse_af_pladser", varig=True, meddelt_dato="2018-03-01"))["rute"]["value"] == "nedlaeggelse_pladser"
    temporary = evaluate(period, aendring(aendringstype="nedlaeggelse_af_pladser", varig=False))
    assert (temporary["rute"]["value"], temporary["meddeles"]["value"], temporary["begrundelse"]["value"]) == ("midlertidig", "ingen", "ingen")
    assert temporary["tidligste_ikrafttraedelse"]["value"] == D("2018-03-01")
    # a temporary takst change is still a takst change: only staffing/places can be temporary
    assert evaluate(period, aendring(aendringstype="takstforhoejelse", varig=False))["rute"]["value"] == "takstforhoejelse"


def test_permanent_normering_in_hs_is_a_gap(period):
    answer = evaluate(period, aendring(aendringstype="normering", kategori=HS))
    assert answer["rute"]["value"] == "ikke_reguleret"
    assert flags(answer["rute"], "gap")[0].startswith("Hul i kilden: Bilag 11 har ingen række for en varig normeringsændring")
    assert answer["tidligste_ikrafttraedelse"]["value"] is None
    assert flags(answer["tidligste_ikrafttraedelse"], "gap") == ["ingen regel dækker dette tilfælde"]


# -- earliest effective date -----------------------------------------------------------------------------------------------------
def test_takst_increase_from_adoption_default(period):
    answer = evaluate(period, aendring(kategori=HS, vedtaget_dato="2018-03-01", hoering_afsluttet_dato="2018-04-15"))
    decision = answer["tidligste_ikrafttraedelse"]
    assert (decision["value"], decision["rule"]) == (D("2018-03-01"), "syd2018.aendringer.forhoejelse_vedtagelse")
    text = flags(decision, "interpretation")[0]
    assert "læsning aendringer_vedtagelse = driftsherre" in text and "--reading aendringer_vedtagelse=efter_hoering" in text


def test_takst_increase_after_hearing_alternative(period):
    record = aendring(kategori=HS, vedtaget_dato="2018-03-01", hoering_afsluttet_dato="2018-04-15")
    decision = evaluate(period, record, {"aendringer_vedtagelse": "efter_hoering"})["tidligste_ikrafttraedelse"]
    assert (decision["value"], decision["rule"]) == (D("2018-04-15"), "syd2018.aendringer.forhoejelse_efter_hoering")
    klynge = evaluate(period, aendring(vedtaget_dato="2018-03-01"), {"aendringer_vedtagelse": "efter_hoering"})["tidligste_ikrafttraedelse"]
    assert (klynge["value"], klynge["rule"]) == (D("2018-03-01"), "syd2018.aendringer.forhoejelse_klynge_efter_hoering")


@pytest.mark.parametrize("ikrafttraedelse, expected", [("2018-02-28", "for_tidlig"), ("2018-03-01", "overholdt"), ("2018-03-02", "overholdt")])
def test_proposed_date_boundary_around_adoption(period, ikrafttraedelse, expected):
    answer = evaluate(period, aendring(vedtaget_dato="2018-03-01", ikrafttraedelse=ikrafttraedelse))
    assert answer["ikrafttraedelse_vurdering"]["value"] == expected


def test_proposed_date_why_not(period):
    answer = evaluate(period, aendring(vedtaget_dato="2018-03-01", ikrafttraedelse="2018-01-01"))
    assert answer["ikrafttraedelse_vurdering"]["rule"] == "syd2018.aendringer.ikrafttraedelse_for_tidlig"
    reasons = why(answer["ikrafttraedelse_vurdering"])["syd2018.aendringer.ikrafttraedelse_overholdt"]
    assert reasons == ["foreslået tidspunkt for ændringens ikrafttrædelse er 1. januar 2018; kræver mindst 1. marts 2018"]


def test_no_proposed_date_gives_no_assessment(period):
    answer = evaluate(period, aendring())
    assert answer["ikrafttraedelse_vurdering"]["value"] is None


@pytest.mark.parametrize("hoering, meddelt, expected", [
    ("2018-04-01", "2018-03-15", "2018-04-01"), ("2018-04-01", "2018-04-01", "2018-04-01"), ("2018-04-01", "2018-04-02", "2018-04-02")])
def test_hs_capacity_change_after_hearing_and_notice(period, hoering, meddelt, expected):
    answer = evaluate(period, aendring(kategori=HS, aendringstype="oprettelse_af_pladser", hoering_afsluttet_dato=hoering, meddelt_dato=meddelt))
    decision = answer["tidligste_ikrafttraedelse"]
    assert (decision["value"], decision["rule"]) == (D(expected), "syd2018.aendringer.kapacitet_efter_hoering")
    assert flags(decision, "gap")


def test_klynge_capacity_change_after_notice(period):
    decision = evaluate(period, aendring(aendringstype="lukning", meddelt_dato="2018-05-01"))["tidligste_ikrafttraedelse"]
    assert (decision["value"], decision["rule"]) == (D("2018-05-01"), "syd2018.aendringer.kapacitet_efter_meddelelse")


def test_missing_hearing_date_is_an_error_not_a_default(period):
    decision = evaluate(period, aendring(kategori=HS, aendringstype="lukning", meddelt_dato="2018-05-01"))["tidligste_ikrafttraedelse"]
    assert decision["value"] is None
    assert decision["flags"][0]["code"] == "error"


def test_year_start_defaults_to_the_agreement_year(period):
    record = aendring(aendringstype="takstreduktion")
    del record["aar_start"]
    decision = evaluate(period, record)["tidligste_ikrafttraedelse"]
    assert decision["value"] == D("2018-01-01")
    assert decision["explanation"]["rule"]["id"] == "syd2018.aendringer.fra_aarets_start"


# -- Bilag 12: capacity at the turn of the year -----------------------------------------------------------------------------------
def test_bilag12_hs(period):
    answer = evaluate(period, aendring(kategori=HS, aendringstype="nedlaeggelse_af_pladser", tidspunkt="aarsskifte"))
    assert values(answer) | {"ikrafttraedelse_vurdering": None} == {
        "rute": "aarsskifte_kapacitet", "tilladt": "tilladt", "hoering": "socialdirektoerforum",
        "meddeles": "alle_kommuner_og_brugerkommuner", "begrundelse": "aarsskifte_hs",
        "tidligste_ikrafttraedelse": D("2019-01-01"), "ikrafttraedelse_vurdering": None}
    assert answer["hoering"]["rule"] == "syd2018.aendringer.hoering_hs_aarsskifte"


def test_bilag12_klynge(period):
    answer = evaluate(period, aendring(aendringstype="oprettelse_af_pladser", tidspunkt="aarsskifte"))
    assert (answer["hoering"]["value"], answer["meddeles"]["value"], answer["begrundelse"]["value"]) == (
        "ingen", "alle_kommuner_og_brugerkommuner", "aarsskifte_klynge")
    assert "takstindberetningen" in answer["begrundelse"]["explanation"]["summary"]


def test_takst_change_at_year_end_is_a_gap(period):
    answer = evaluate(period, aendring(aendringstype="takstforhoejelse", tidspunkt="aarsskifte"))
    assert answer["rute"]["value"] == "aarsskifte_takst"
    assert flags(answer["rute"], "gap")


# -- lokale tilbud and Bilag 10 ------------------------------------------------------------------------------------------------------
def test_lokalt_significant_change_informs_affected_kommuner(period):
    answer = evaluate(period, aendring(kategori="lokalt_tilbud", aendringstype="oprettelse_af_tilbud", vaesentlig_indflydelse=True))
    assert (answer["rute"]["value"], answer["meddeles"]["value"], answer["begrundelse"]["value"]) == ("lokale_i_aaret", "berorte_kommuner", "skabelon")
    assert flags(answer["meddeles"], "conflict")[0].startswith('Kilderne er uenige: Bilag 11 siger at "de berørte tilbud" orienteres')
    alternative = evaluate(period, aendring(kategori="lokalt_tilbud", vaesentlig_indflydelse=True), {"aendringer_lokale_modtagere": "berorte_tilbud"})
    assert (alternative["meddeles"]["value"], alternative["meddeles"]["rule"]) == ("berorte_tilbud", "syd2018.aendringer.lokale_berorte_tilbud")


@pytest.mark.parametrize("significant", [False, None])
def test_lokalt_without_significant_effect_needs_no_notice(period, significant):
    fields = {} if significant is None else {"vaesentlig_indflydelse": significant}
    answer = evaluate(period, aendring(kategori="lokalt_tilbud", aendringstype="normering", **fields))
    assert (answer["meddeles"]["value"], answer["meddeles"]["rule"]) == ("ingen", "syd2018.aendringer.ingen_meddelelse")
    assert answer["hoering"]["value"] == "ingen"


def test_lokalt_at_year_end_is_a_gap(period):
    answer = evaluate(period, aendring(kategori="lokalt_tilbud", aendringstype="lukning", tidspunkt="aarsskifte", vaesentlig_indflydelse=True))
    assert answer["rute"]["value"] == "lokale_aarsskifte"
    assert "bilag 12 har kun regler" in flags(answer["rute"], "gap")[0]
    assert answer["meddeles"]["value"] == "berorte_kommuner"


def test_bilag10_new_klynge_tilbud_is_free_and_published(period):
    answer = evaluate(period, aendring(aendringstype="oprettelse_af_tilbud"))
    assert values(answer) | {"ikrafttraedelse_vurdering": None} == {
        "rute": "oprettelse_tilbud", "tilladt": "tilladt", "hoering": "ingen", "meddeles": "offentliggoeres",
        "begrundelse": "ingen", "tidligste_ikrafttraedelse": D("2018-03-01"), "ikrafttraedelse_vurdering": None}
    assert any(source["lines"] == [4000, 4001] for source in answer["meddeles"]["sources"])


def test_english_explanation(period):
    answer = evaluate(period, aendring(kategori=HS), lang="en")
    assert answer["hoering"]["explanation"]["summary"].startswith("Hearing: hearing in Socialdirektørforum")
