"""The command line: evaluate and check, their JSON contracts, text output and languages."""
from __future__ import annotations

import json
import re

import pytest

from conftest import REPO, SEEDS
from rammeaftale.engine.cli import main

FIXTURE = str(REPO / "fixtures" / "syddanmark" / "2018" / "tilbud.yaml")

# (kategori, rule, omfattet) for each fixture tilbud, worked out by hand from the fixture's values
EXPECTED = {
    "palleshave": ("klyngetilbud", "syd2018.kategori.klynge", "omfattet"),                  # 1.727 kr., 2 buyers
    "toften": ("klyngetilbud", "syd2018.kategori.klynge", "omfattet"),                      # 1.830 kr., ABL § 105 stk. 2
    "kernehuset_soebo_vesterparken": ("klyngetilbud", "syd2018.kategori.klynge", "ikke_omfattet"),  # SEL § 85 only
    "solskraenten": ("hoejt_specialiseret", "syd2018.kategori.hul_klynge", "omfattet"),    # gap, then vurdering
    "juhlskov_huset": ("klyngetilbud", "syd2018.kategori.klynge", "omfattet"),
    "minibo_lindegaarden": ("hoejt_specialiseret", "syd2018.kategori.hoejt_specialiseret", "omfattet"),  # 4 buyers
    "bjerggaardshaven": ("lokalt_tilbud", "syd2018.kategori.lokal", "ikke_omfattet"),      # no buyers
    "aeblehaven": ("hoejt_specialiseret", "syd2018.kategori.hoejt_specialiseret", "omfattet"),  # 60 % sold
    "pomonahuset": ("hoejt_specialiseret", "syd2018.kategori.hoejt_specialiseret", "omfattet"),
    "egely": ("klyngetilbud", "syd2018.kategori.klynge", "omfattet"),
    "center_for_hoeretab": ("klyngetilbud", "syd2018.kategori.klynge", "omfattet"),        # 41,7 % sold but 1.200 kr.
    "holmehoej_afd_b": ("hoejt_specialiseret", "syd2018.kategori.hoejt_specialiseret", "omfattet"),
    "lunden": ("hoejt_specialiseret", "syd2018.kategori.hoejt_specialiseret", "omfattet"),  # 43,75 % sold
    "spurvetoften": ("klyngetilbud", "syd2018.kategori.hul_klynge", "omfattet"),           # the gap
    "skansebakken": ("klyngetilbud", "syd2018.kategori.klynge", "omfattet"),
    "botilbuddet_skovbo": ("lokalt_tilbud", "syd2018.kategori.lokal", "ikke_omfattet"),
}


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_evaluate_json_contract(capsys):
    code, out, _ = run(capsys, "evaluate", FIXTURE, "--period", "2018", "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert document["format"] == "rammeaftale.result/1"
    assert (document["region"], document["period"]) == ("syddanmark", "2018")
    assert re.fullmatch(r"[0-9a-f]{64}", document["rules_digest"])
    found = {subject["id"]: subject for subject in document["subjects"]}
    assert set(found) == set(EXPECTED)
    for ident, (kategori, rule, omfattet) in EXPECTED.items():
        decisions = found[ident]["decisions"]
        assert found[ident]["type"] == "tilbud"
        assert (decisions["kategori"]["value"], decisions["kategori"]["rule"], decisions["omfattet"]["value"]) == (kategori, rule, omfattet), ident
        for answer in decisions.values():
            assert set(answer) == {"value", "rule", "flags", "explanation", "why_not", "sources"}
            assert answer["sources"] and all(set(source) == {"document", "lines", "quote"} for source in answer["sources"])
            assert all(set(flag) == {"code", "text"} for flag in answer["flags"])


def test_evaluate_json_flags_gap_and_override(capsys):
    _, out, _ = run(capsys, "evaluate", FIXTURE, "--period", "2018", "--format", "json", "--decision", "kategori")
    found = {subject["id"]: subject["decisions"] for subject in json.loads(out)["subjects"]}
    assert set(found["palleshave"]) == {"kategori"}
    assert "gap" in [flag["code"] for flag in found["spurvetoften"]["kategori"]["flags"]]
    assert [flag["code"] for flag in found["solskraenten"]["kategori"]["flags"]][-1] == "override"


def test_evaluate_json_is_deterministic(capsys):
    _, first, _ = run(capsys, "evaluate", FIXTURE, "--period", "2018", "--format", "json")
    _, second, _ = run(capsys, "evaluate", FIXTURE, "--period", "2018", "--format", "json")
    assert first == second


def test_reading_on_the_command_line(capsys):
    _, out, _ = run(capsys, "evaluate", FIXTURE, "--period", "2018", "--format", "json", "--reading", "kategori_hul=lokalt_tilbud")
    found = {subject["id"]: subject for subject in json.loads(out)["subjects"]}
    assert found["spurvetoften"]["decisions"]["kategori"]["value"] == "lokalt_tilbud"
    assert found["spurvetoften"]["readings"]["kategori_hul"] == "lokalt_tilbud"


def test_unknown_reading_option_is_an_error(capsys):
    code, _, err = run(capsys, "evaluate", FIXTURE, "--period", "2018", "--reading", "kategori_hul=maaske")
    assert code == 1
    assert "læsningen 'kategori_hul' har ikke valget 'maaske'" in err


def test_evaluate_text_in_danish_and_english(capsys):
    code, out, _ = run(capsys, "evaluate", FIXTURE, "--period", "2018", "--decision", "kategori")
    assert code == 0
    assert "tilbud spurvetoften — Spurvetoften" in out
    assert "Hvorfor ikke" in out and "sælger pladser til 2 andre kommuner; kræver mindst 4 (mangler 2)" in out
    code, out, _ = run(capsys, "evaluate", FIXTURE, "--period", "2018", "--decision", "kategori", "--lang", "en")
    assert "Why not" in out and "sells places to 2 other kommuner; requires at least 4 (2 short)" in out


def test_date_selects_the_period(capsys):
    code, out, _ = run(capsys, "evaluate", FIXTURE, "--date", "2018-06-01", "--format", "json")
    assert code == 0 and json.loads(out)["period"] == "2018"
    code, _, err = run(capsys, "evaluate", FIXTURE, "--date", "2030-01-01")
    assert code == 1 and "ingen periode for syddanmark gælder 2030-01-01" in err


def test_check_json_lists_provisions_with_verified_quotes(capsys):
    argv = ["check", "--format", "json"] + (["--sources", str(SEEDS)] if SEEDS.is_dir() else [])
    code, out, _ = run(capsys, *argv)
    assert code == 0
    document = json.loads(out)
    assert document["format"] == "rammeaftale.check/1" and document["ok"] is True and document["errors"] == []
    [period] = [item for item in document["periods"] if (item["region"], item["period"]) == ("syddanmark", "2018")]
    assert (period["region"], period["valid_from"], period["valid_to"], period["extends"]) == ("syddanmark", "2018-01-01", "2018-12-31", None)
    ids = {provision["id"] for provision in period["provisions"]}
    assert {"syd2018.kategori.hoejt_specialiseret", "syd2018.kategori.klynge", "syd2018.kategori.lokal",
            "syd2018.bilag5.tilbudstyper", "syd2018.omfattet.driftsoverenskomst"} <= ids
    for provision in period["provisions"]:
        assert provision["status"] == "confirmed" and provision["sources"]
        for source in provision["sources"]:
            assert source["verified"] is (True if SEEDS.is_dir() else None)


def test_periods_and_schema(capsys):
    code, out, _ = run(capsys, "periods", "--format", "json")
    assert code == 0 and ("syddanmark", "2018") in {(row["region"], row["period"]) for row in json.loads(out)}
    code, out, _ = run(capsys, "schema", "facts", "--period", "2018", "--region", "syddanmark")
    schema = json.loads(out)
    assert schema["properties"]["tilbud"]["items"]["properties"]["driftsform"]["enum"] == ["kommunal", "regional", "driftsoverenskomst", "privat"]
    code, out, _ = run(capsys, "schema", "rules")
    assert json.loads(out)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("argv", [["evaluate"], ["frobnicate"], ["evaluate", FIXTURE, "--format", "xml", "--period", "2018"]])
def test_usage_errors_exit_2(capsys, argv):
    code, _, err = run(capsys, *argv)
    assert code == 2 and "rammeaftale:" in err


def test_a_decision_that_does_not_concern_the_case_is_not_a_gap(capsys):
    path = str(REPO / "fixtures" / "syddanmark" / "2018" / "opsigelse.yaml")
    code, out, _ = run(capsys, "evaluate", path, "--period", "2018", "--region", "syddanmark", "--format", "json",
                       "--decision", "ny_pakke_fra")
    found = {subject["id"]: subject["decisions"]["ny_pakke_fra"] for subject in json.loads(out)["subjects"]}
    assert code == 0
    assert found["eksempel_14_januar"]["value"] is None
    assert found["eksempel_14_januar"]["flags"] == [{"code": "not_applicable", "text": "gælder kun ved skift af ydelsespakke"}]
    assert found["eksempel_14_januar"]["explanation"]["summary"] == \
        "Den nye ydelsespakke gælder fra: ikke relevant — gælder kun ved skift af ydelsespakke"
    assert found["pakkeskift_et_trin"]["value"] == "2018-02-14" and found["pakkeskift_et_trin"]["flags"] == []


def test_json_errors_reach_stdout_as_json(capsys, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("tilbud: [{id: x}]\n", encoding="utf-8")
    code, out, err = run(capsys, "evaluate", str(path), "--period", "2018", "--region", "syddanmark", "--format", "json")
    document = json.loads(out)
    assert code == 1 and document["format"] == "rammeaftale.error/1" and not document["ok"]
    error = document["errors"][0]     # one per missing field group and type, each with its position
    assert (error["code"], error["line"], error["column"]) == ("SCHEMA001", 1, 10)
    assert "tilbud 'x': mangler 'driftsherre'" in error["message"] and "SCHEMA001" in err
