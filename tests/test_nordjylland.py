"""Nordjylland 2018 (003): Børnehus Nord's financing and objective split (L573-784), withdrawal from det forstærkede
samarbejde (L31-127) with its årshjul (L88-125), and the RA 2018 deadline (L377-535).

The rules are loaded from a private rules root holding only rules/nordjylland, so that other regions' files being
edited in parallel cannot break these tests (the full tree is covered by test_quotes.py and `rammeaftale check`)."""
from __future__ import annotations

import datetime
from decimal import Decimal
import json
import subprocess
import sys

import pytest

from conftest import REPO, SEEDS, run
from rammeaftale.engine.evaluate import evaluate_subject
from rammeaftale.engine.explain import Explainer
from rammeaftale.engine.facts import load_facts
from rammeaftale.engine.periods import load_all, select
from rammeaftale.engine.sources import provision_sources, verify
from rammeaftale.dsl.errors import ErrorList, RammeaftaleError

FIXTURES = REPO / "fixtures" / "nordjylland" / "2018"

# 003 L762-784: kommune, 0-17-årige pr. 1/1 2016, objektiv finansiering 2017, skønnet 2018
TABLE = [
    ("Brønderslev", 7995, "181833", "213860"),
    ("Frederikshavn", 10918, "248312", "292049"),
    ("Hjørring", 13239, "301100", "354134"),
    ("Jammerbugt", 8050, "183084", "215332"),
    ("Læsø", 249, "5663", "6661"),
    ("Mariagerfjord", 8648, "196685", "231328"),
    ("Morsø", 4020, "91428", "107532"),
    ("Rebild", 6933, "157680", "185453"),
    ("Thisted", 8982, "204281", "240262"),
    ("Vesthimmerlands", 7781, "176966", "208136"),
    ("Aalborg", 38747, "881241", "1036453"),
]
KOMMUNER = [{"kommune": name, "boern_0_17": count} for name, count, _, _ in TABLE]


@pytest.fixture(scope="session")
def root(tmp_path_factory):
    directory = tmp_path_factory.mktemp("rules")
    (directory / "nordjylland").symlink_to(REPO / "rules" / "nordjylland", target_is_directory=True)
    return directory


@pytest.fixture(scope="session")
def nord(root):
    return select(root, "2018", "nordjylland")


def value(answer):
    """The decided value as plain text (Decimal 9803 → "9803"; lists item by item; None stays None)."""
    found = answer["value"]
    if isinstance(found, list):
        return [str(item) for item in found]
    return None if found is None else str(found)


def flags(answer, code):
    return [flag["text"] for flag in answer["flags"] if flag["code"] == code]


# -- the period and the quotes ------------------------------------------------------------------------------------
def test_period(nord):
    assert (nord.period.region, nord.period.id) == ("nordjylland", "2018")
    assert (nord.period.valid_from, nord.period.valid_to) == (datetime.date(2018, 1, 1), datetime.date(2018, 12, 31))
    assert {"nordjylland_periodestart", "nordjylland_udmeldingsmaaned"} <= set(nord.period.readings)
    assert set(nord.subjects) == {"boernehus_budget", "forstaerket_tilbud", "aarshjul_maaned", "ra2018_behandling"}


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the source texts are not at ../shared/seeds")
def test_every_quote_stands_in_the_source(root):
    periods, errors = load_all(root)
    assert not errors
    checked = 0
    for provision_id, _title, sources, _file, _line in provision_sources(periods[0]):
        for source in sources:
            assert source.document == "003_ddc6af9f0ece5e93.txt"
            assert verify(source, SEEDS) is None, provision_id
            checked += 1
    assert checked > 40


# -- Børnehus Nord: the source's worked figures (003 L667-784) -----------------------------------------------------
@pytest.fixture(scope="session")
def fixture_results(nord):
    out = {}
    for path in sorted(FIXTURES.glob("*.yaml")):
        for record in load_facts(str(path), nord.period):
            compiled = nord.subjects[record.type]
            results, env = evaluate_subject(compiled, record.values, nord.default_readings(), datetime.date(2018, 6, 1))
            explainer = Explainer(compiled, nord.period, "da")
            out[record.id] = {name: explainer.explain(result, env) for name, result in results.items()}
    return out


def test_budget_2016(fixture_results):
    answer = fixture_results["budget_2016"]
    assert answer["takst"]["value"] == Decimal("9803")
    assert answer["takst"]["rule"] == "nord2018.boernehus.takst"
    inputs = answer["takst"]["explanation"]["inputs"]
    assert inputs["budget_i_alt"]["value"] == "4166216"
    assert inputs["takstfinansiering"]["value"] == "1666486"
    assert value(answer["objektiv_finansiering"]) == "2499730"
    assert answer["objektiv_finansiering"]["rule"] == "nord2018.boernehus.finansiering"
    assert answer["objektiv_finansiering"]["explanation"]["inputs"]["objektiv_brutto"]["shown"] == "2.499.730 kr."
    assert any("2.499.729,60" in text for text in flags(answer["objektiv_finansiering"], "interpretation"))


def test_budget_2017_with_surplus_set_off(fixture_results):
    answer = fixture_results["budget_2017"]
    assert value(answer["takst"]) == "9813"
    assert answer["takst"]["explanation"]["inputs"]["takstfinansiering"]["value"] == "2060800"
    assert value(answer["objektiv_finansiering"]) == "2628273"
    assert answer["objektiv_finansiering"]["rule"] == "nord2018.boernehus.finansiering_med_overskud"
    inputs = answer["objektiv_finansiering"]["explanation"]["inputs"]
    assert (inputs["budget_i_alt"]["value"], inputs["objektiv_brutto"]["value"], inputs["overskud"]["value"]) == ("5152000", "3091200", "462927")
    assert value(answer["stigning_objektiv"]) == "128543"
    assert answer["stigning_objektiv"]["rule"] == "nord2018.boernehus.stigning"


def test_split_2017_reproduces_the_table_exactly(fixture_results):
    answer = fixture_results["budget_2017"]["fordeling"]
    assert answer["rule"] == "nord2018.boernehus.objektiv_fordeling"
    assert value(answer) == [row[2] for row in TABLE]
    assert sum(answer["value"]) == Decimal("2628273")
    assert all(isinstance(share, Decimal) for share in answer["value"])
    assert answer["explanation"]["inputs"]["boern_i_alt"]["value"] == "115562"
    assert any("Aalborg" in text and "881.241" in text for text in flags(answer, "interpretation"))
    assert not flags(answer, "conflict")


def test_estimate_2018_reproduces_the_table_and_flags_both_conflicts(fixture_results):
    answer = fixture_results["skoen_2018"]
    assert value(answer["objektiv_finansiering"]) == "3091200"
    assert value(answer["fordeling"]) == [row[3] for row in TABLE]
    assert answer["fordeling"]["rule"] == "nord2018.boernehus.objektiv_fordeling_skoen"
    assert any("befolkningsprognosen 2016" in text for text in flags(answer["fordeling"], "conflict"))
    assert value(answer["stigning_objektiv"]) == "591470"
    assert any("ca. 580.000" in text and "591.470" in text for text in flags(answer["stigning_objektiv"], "conflict"))


def budget(total, sager=210, **fields):
    record = {"id": "b", "aar": 2017, "antal_sager": sager, "budgetposter": [{"post": "Drift", "beloeb": total}], "kommuner": []}
    record.update(fields)
    return record


@pytest.mark.parametrize("sager, expected", [(3, "133"), (160, "3"), (161, "2"), (159, "3")])
def test_takst_rounds_half_up(nord, sager, expected):
    # 40 % of 1.000 kr. = 400 kr.; 400 / 160 = 2,5 → 3 (half up); 400 / 161 = 2,48 → 2; 400 / 159 = 2,52 → 3
    assert value(run(nord, "boernehus_budget", budget(1000, sager))["takst"]) == expected


def test_one_case_is_the_least(nord):
    assert value(run(nord, "boernehus_budget", budget(1000, 1))["takst"]) == "400"
    with pytest.raises((ErrorList, RammeaftaleError)):
        run(nord, "boernehus_budget", budget(1000, 0))


@pytest.mark.parametrize("overskud, rule, expected", [
    (None, "nord2018.boernehus.finansiering", "600"),
    (0, "nord2018.boernehus.finansiering_med_overskud", "600"),
    (1, "nord2018.boernehus.finansiering_med_overskud", "599"),
])
def test_surplus_only_reduces_the_objective_part(nord, overskud, rule, expected):
    fields = {} if overskud is None else {"overskud_modregnet": overskud}
    answer = run(nord, "boernehus_budget", budget(1000, 4, **fields))
    assert (answer["objektiv_finansiering"]["rule"], value(answer["objektiv_finansiering"])) == (rule, expected)
    assert value(answer["takst"]) == "100"      # the takst part is untouched: 400 / 4


def test_objective_part_rounds_half_up(nord):
    # 60 % × 4,25 kr. = 2,55 → 3; 60 % × 4,15 kr. = 2,49 → 2 (and 4,166,216 × 60 % = 2,499,729.6 → 2,499,730 above)
    assert value(run(nord, "boernehus_budget", budget(4.25, 1))["objektiv_finansiering"]) == "3"
    assert value(run(nord, "boernehus_budget", budget(4.15, 1))["objektiv_finansiering"]) == "2"


def test_split_residual_goes_to_the_largest_kommune(nord):
    kommuner = [{"kommune": "A", "boern_0_17": 1}, {"kommune": "B", "boern_0_17": 2}, {"kommune": "C", "boern_0_17": 1}]
    # 60 % of 1.000 = 600; 150, 300, 150: no residual
    assert value(run(nord, "boernehus_budget", budget(1000, kommuner=kommuner))["fordeling"]) == ["150", "300", "150"]
    # 60 % of 7 kr. = 4,2 → 4 over 1:1:1 = 1,33 → 1, 1, 1; the residual 1 goes to the largest weight (first of equals)
    equal = [{"kommune": k, "boern_0_17": 1} for k in "ABC"]
    assert value(run(nord, "boernehus_budget", budget(7, 1, kommuner=equal))["fordeling"]) == ["2", "1", "1"]


def test_split_needs_kommuner_and_children(nord):
    answer = run(nord, "boernehus_budget", budget(1000))["fordeling"]
    assert value(answer) is None and answer["rule"] is None
    assert any("antal(kommuner) er 0" in reason for item in answer["why_not"] for reason in item["reasons"])
    zero = [{"kommune": "A", "boern_0_17": 0}]
    assert run(nord, "boernehus_budget", budget(1000, kommuner=zero))["fordeling"]["rule"] is None
    one = [{"kommune": "A", "boern_0_17": 1}]
    assert value(run(nord, "boernehus_budget", budget(1000, kommuner=one))["fordeling"]) == ["600"]


def test_estimate_flag_selects_the_estimate_rules(nord):
    fields = {"forrige_objektive_finansiering": 500, "kommuner": [{"kommune": "A", "boern_0_17": 1}]}
    plain = run(nord, "boernehus_budget", budget(1000, skoen=False, **fields))
    assert plain["fordeling"]["rule"] == "nord2018.boernehus.objektiv_fordeling"
    assert plain["stigning_objektiv"]["rule"] == "nord2018.boernehus.stigning"
    estimate = run(nord, "boernehus_budget", budget(1000, skoen=True, **fields))
    assert estimate["fordeling"]["rule"] == "nord2018.boernehus.objektiv_fordeling_skoen"
    assert (value(estimate["stigning_objektiv"]), estimate["stigning_objektiv"]["rule"]) == ("100", "nord2018.boernehus.stigning_skoen")
    assert any(item["rule"] == "nord2018.boernehus.stigning_skoen" for item in plain["stigning_objektiv"]["why_not"])


def test_rise_needs_the_year_before(nord):
    assert run(nord, "boernehus_budget", budget(1000))["stigning_objektiv"]["rule"] is None
    answer = run(nord, "boernehus_budget", budget(1000, forrige_objektive_finansiering=500))["stigning_objektiv"]
    assert (value(answer), answer["rule"]) == ("100", "nord2018.boernehus.stigning")
    assert not flags(answer, "conflict")


# -- det forstærkede samarbejde: udmelding (003 L44-84, L95-125) ---------------------------------------------------
def tilbud(udmelding=None, start=2017):
    record = {"id": "t", "driftsherre": "Aalborg", "omfattet_fra_aar": start}
    if udmelding is not None:
        record["udmelding"] = {"initiativ": "driftsherre", "maaned": 1, **udmelding}
    return record


def test_no_withdrawal(nord):
    answer = run(nord, "forstaerket_tilbud", tilbud())
    assert (value(answer["udmeldingsstatus"]), answer["udmeldingsstatus"]["rule"]) == ("ingen_udmelding", "nord2018.forstaerket.ingen_udmelding")
    assert value(answer["udtraeder_aar"]) is None


@pytest.mark.parametrize("year, status, leaves", [
    (2017, "ikke_i_ulige_aar", None), (2018, "til_vurdering", "2019"), (2019, "ikke_i_ulige_aar", None), (2020, "til_vurdering", "2021"),
])
def test_only_even_years(nord, year, status, leaves):
    answer = run(nord, "forstaerket_tilbud", tilbud({"aar": year}))
    assert value(answer["udmeldingsstatus"]) == status
    assert value(answer["udtraeder_aar"]) == leaves


def test_odd_year_explains_why_not(nord):
    answer = run(nord, "forstaerket_tilbud", tilbud({"aar": 2019}))["udmeldingsstatus"]
    assert answer["rule"] == "nord2018.forstaerket.ulige_aar"
    assert answer["explanation"]["inputs"]["udmelding_i_lige_aar"] == {"title": "udmeldingen sker i et lige år", "value": False, "shown": "nej"}


@pytest.mark.parametrize("month, status", [(1, "til_vurdering"), (2, "efter_januar"), (12, "efter_januar")])
def test_january_only_by_default(nord, month, status):
    answer = run(nord, "forstaerket_tilbud", tilbud({"aar": 2018, "maaned": month}))["udmeldingsstatus"]
    assert value(answer) == status
    if status == "efter_januar":
        assert any("nordjylland_udmeldingsmaaned" in text for text in flags(answer, "interpretation"))


def test_whole_even_year_reading(nord):
    answer = run(nord, "forstaerket_tilbud", tilbud({"aar": 2018, "maaned": 6}), {"nordjylland_udmeldingsmaaned": "hele_lige_aar"})
    assert value(answer["udmeldingsstatus"]) == "til_vurdering"
    assert value(answer["udtraeder_aar"]) == "2019"


@pytest.mark.parametrize("approved, status, leaves", [(True, "godkendt", "2019"), (False, "afvist", None)])
def test_political_decision(nord, approved, status, leaves):
    answer = run(nord, "forstaerket_tilbud", tilbud({"aar": 2018, "politisk_godkendt": approved}))
    assert value(answer["udmeldingsstatus"]) == status
    assert value(answer["udtraeder_aar"]) == leaves


def test_odd_year_beats_approval(nord):
    answer = run(nord, "forstaerket_tilbud", tilbud({"aar": 2019, "politisk_godkendt": True}))["udmeldingsstatus"]
    assert value(answer) == "ikke_i_ulige_aar"


@pytest.mark.parametrize("start, year, default, alternative", [
    (2017, 2018, "2019", "2019"),   # started in an odd year: both readings agree
    (2018, 2018, "2019", "2020"),   # started in an even year: its own period 2018-2019
    (2018, 2020, "2021", "2022"),
    (2019, 2020, "2021", "2021"),
])
def test_period_start_reading(nord, start, year, default, alternative):
    answer = run(nord, "forstaerket_tilbud", tilbud({"aar": year}, start))["udtraeder_aar"]
    assert (value(answer), answer["rule"]) == (default, "nord2018.forstaerket.virkning_faelles")
    assert any("ulige år" in text for text in flags(answer, "gap"))
    assert any("nordjylland_periodestart" in text for text in flags(answer, "interpretation"))
    other = run(nord, "forstaerket_tilbud", tilbud({"aar": year}, start), {"nordjylland_periodestart": "fra_tilbuddets_start"})["udtraeder_aar"]
    assert (value(other), other["rule"]) == (alternative, "nord2018.forstaerket.virkning_eget_start")


def test_english_explanation(nord):
    answer = run(nord, "forstaerket_tilbud", tilbud({"aar": 2018}), lang="en")["udtraeder_aar"]
    assert "take effect" in answer["explanation"]["summary"] or "takes effect" in answer["explanation"]["summary"]


# -- the årshjul (003 L92-125) ---------------------------------------------------------------------------------------
EVEN = {1: "ind_og_udmelding_og_ikrafttraeden", 2: "ekspertpanel_med_udmeldinger", 3: "das", 4: "kkr", 5: "ingen_aktivitet",
        6: "ingen_aktivitet", 7: "ingen_aktivitet", 8: "endelig_behandling", 9: "endelig_behandling", 10: "endelig_behandling",
        11: "ingen_aktivitet", 12: "ingen_aktivitet"}


@pytest.mark.parametrize("month", range(1, 13))
def test_aarshjul_even_year(nord, month):
    assert value(run(nord, "aarshjul_maaned", {"id": "m", "aar": 2018, "maaned": month})["aktivitet"]) == EVEN[month]


@pytest.mark.parametrize("month, expected", [(1, "indmelding_og_ikrafttraeden"), (2, "ekspertpanel"), (3, "das"), (7, "ingen_aktivitet"), (8, "endelig_behandling")])
def test_aarshjul_odd_year(nord, month, expected):
    assert value(run(nord, "aarshjul_maaned", {"id": "m", "aar": 2019, "maaned": month})["aktivitet"]) == expected


@pytest.mark.parametrize("year, nye, expected", [
    (2019, False, "intet_moede"), (2019, True, "ekspertpanel"), (2018, False, "ekspertpanel_med_udmeldinger"),
])
def test_february_meeting(nord, year, nye, expected):
    answer = run(nord, "aarshjul_maaned", {"id": "m", "aar": year, "maaned": 2, "nye_indmeldinger": nye})["aktivitet"]
    assert value(answer) == expected


def test_february_odd_year_unknown_nominations_is_flagged(nord):
    answer = run(nord, "aarshjul_maaned", {"id": "m", "aar": 2019, "maaned": 2})["aktivitet"]
    assert answer["rule"] == "nord2018.aarshjul.februar"
    assert any("medmindre det er oplyst" in text for text in flags(answer, "interpretation"))


def test_quiet_months_are_a_gap(nord):
    answer = run(nord, "aarshjul_maaned", {"id": "m", "aar": 2018, "maaned": 11})["aktivitet"]
    assert answer["rule"] == "nord2018.aarshjul.ingen"
    assert flags(answer, "gap")


# -- RA 2018 deadline (003 L515-516) and the "Rammeaftale 2017" error (L497) ---------------------------------------
@pytest.mark.parametrize("day, expected", [("2017-10-14", "rettidig"), ("2017-10-15", "rettidig"), ("2017-10-16", "for_sent")])
def test_ra2018_deadline(nord, day, expected):
    answer = run(nord, "ra2018_behandling", {"id": "k", "part": "Aalborg", "behandlet": day})["rettidig"]
    assert value(answer) == expected


def test_ra2018_typo_is_a_conflict(nord):
    answer = run(nord, "ra2018_behandling", {"id": "k", "part": "Aalborg", "behandlet": "2017-10-01"})["rettidig"]
    assert answer["rule"] == "nord2018.ra2018.frist"
    assert any("Rammeaftale 2017" in text for text in flags(answer, "conflict"))


# -- the CLI ---------------------------------------------------------------------------------------------------------
def test_cli_evaluates_the_fixture(root):
    done = subprocess.run([sys.executable, "-m", "rammeaftale.engine.cli", "evaluate", "--rules", str(root),
                           str(FIXTURES / "boernehus.yaml"), "--period", "2018", "--region", "nordjylland", "--format", "json"],
                          capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    subjects = {item["id"]: item for item in json.loads(done.stdout)["subjects"]}
    assert subjects["budget_2017"]["decisions"]["fordeling"]["value"][-1] == "881241"
    assert subjects["skoen_2018"]["decisions"]["fordeling"]["value"][-1] == "1036453"


# -- month 13: the fact spec's maximum (1-12) reaches the facts JSON Schema ----------------------------------------------
@pytest.mark.parametrize("text", [
    "aarshjul_maaned:\n  - {id: m13, aar: 2018, maaned: 13}\n",
    "forstaerket_tilbud:\n  - id: f13\n    driftsherre: Aalborg\n    omfattet_fra_aar: 2017\n"
    "    udmelding: {aar: 2018, maaned: 13, initiativ: driftsherre}\n",
], ids=["aarshjul", "forstaerket"])
def test_month_13_is_rejected_with_file_line_and_column(nord, tmp_path, text):
    path = tmp_path / "maaned13.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ErrorList) as caught:
        load_facts(str(path), nord.period)
    [error] = caught.value.errors
    # where "13" stands: the line and (1-based) column of the value
    line, row = next((number, row) for number, row in enumerate(text.splitlines(), start=1) if "maaned: 13" in row)
    column = row.index("maaned: 13") + len("maaned: ") + 1
    assert (error.code, error.file, error.line, error.column) == ("SCHEMA001", str(path), line, column)
    assert "felt" in error.message and "maaned" in error.message
    assert "13 er for stor (højst 12)" in error.message and "13 is too large (at most 12)" in error.message_en


def test_month_12_is_accepted(nord, tmp_path):
    path = tmp_path / "maaned12.yaml"
    path.write_text("aarshjul_maaned:\n  - {id: m12, aar: 2018, maaned: 12}\n", encoding="utf-8")
    [record] = load_facts(str(path), nord.period)
    assert record.values["maaned"] == 12


def test_maximum_is_in_the_facts_schema(nord):
    from rammeaftale.engine.facts import facts_schema
    schema = facts_schema(nord.period)
    maaned = schema["properties"]["aarshjul_maaned"]["items"]["properties"]["maaned"]
    assert (maaned["minimum"], maaned["maximum"]) == (1, 12)
    udmelding = schema["properties"]["forstaerket_tilbud"]["items"]["properties"]["udmelding"]["properties"]["maaned"]
    assert (udmelding["minimum"], udmelding["maximum"]) == (1, 12)
