"""Later periods: inheritance marked inherited-unverified, dated values inside a period (barnets lov from
2024-01-01), period selection by date, and the period calendar check."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import REPO, SEEDS
from rammeaftale.engine.cli import main

BARNETS_LOV = str(REPO / "fixtures" / "syddanmark" / "2023-24" / "barnets_lov.yaml")
TILBUD_2018 = str(REPO / "fixtures" / "syddanmark" / "2018" / "tilbud.yaml")
SOURCES = ["--sources", str(SEEDS)] if SEEDS.is_dir() else []


def cli(capsys, *argv):
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "intern fejl" not in err, err
    return code, out, err


@pytest.fixture(scope="module")
def checked():
    import io
    import contextlib
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(["check", "--format", "json", *SOURCES])
    assert code == 0
    return json.loads(buffer.getvalue())


def period_of(document, region, period_id):
    [found] = [item for item in document["periods"] if (item["region"], item["period"]) == (region, period_id)]
    return found


def provision(period, provision_id):
    [found] = [item for item in period["provisions"] if item["id"] == provision_id]
    return found


# -- check lists the periods with their validity and provenance -----------------------------------------
def test_check_lists_the_three_syddanmark_periods(checked):
    periods = [(item["period"], item["valid_from"], item["valid_to"], item["extends"])
               for item in checked["periods"] if item["region"] == "syddanmark"]
    assert periods == [("2018", "2018-01-01", "2018-12-31", None),
                       ("2021-22", "2021-01-01", "2022-12-31", "2018"),
                       ("2023-24", "2023-01-01", "2024-12-31", "2021-22")]
    assert period_of(checked, "syddanmark", "2021-22")["gap_before"]["from"] == "2019-01-01"
    assert period_of(checked, "syddanmark", "2021-22")["gap_before"]["to"] == "2020-12-31"


def test_every_2018_provision_is_inherited_unverified_in_2021_22(checked):
    first, second = period_of(checked, "syddanmark", "2018"), period_of(checked, "syddanmark", "2021-22")
    own_2018 = {item["id"] for item in first["provisions"]}
    inherited = {item["id"] for item in second["provisions"] if item["status"] == "inherited-unverified"}
    statements_2018 = {item["id"] for item in first["provisions"] if item["kind"] == "statement"}
    # every 2018 provision but the statements that 2021-22 restates (gyldighed, dele, godkendelse, temaer, bilag)
    assert inherited == own_2018 - statements_2018
    assert second["counts"]["inherited_unverified"] == len(own_2018) - 5
    klynge = provision(second, "syd2018.kategori.klynge")
    assert (klynge["status"], klynge["inherited_from"]) == ("inherited-unverified", "2018")
    assert provision(second, "syd2122.rammeaftale.gyldighed")["status"] == "confirmed"


def test_2023_24_confirms_the_bek_1365_list_from_2024(checked):
    period = period_of(checked, "syddanmark", "2023-24")
    bilag5 = provision(period, "syd2018.bilag5.tilbudstyper")
    assert bilag5["values"] == [{"from": "2018-01-01", "status": "inherited-unverified", "inherited_from": "2018"},
                                {"from": "2024-01-01", "status": "confirmed", "inherited_from": None}]
    # statements 2023-24 does not restate are carried from 2021-22 (which wrote them), unverified
    assert provision(period, "syd2122.rammeaftale.bilag")["inherited_from"] == "2021-22"
    assert provision(period, "syd2324.rammeaftale.godkendelse")["status"] == "confirmed"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the source documents are not available")
def test_later_period_quotes_are_verified_against_their_documents(checked):
    for period_id in ("2021-22", "2023-24"):
        period = period_of(checked, "syddanmark", period_id)
        sources = [source for item in period["provisions"] if item["status"] == "confirmed" for source in item["sources"]]
        assert sources and all(source["verified"] for source in sources)
        assert {source["document"] for source in sources} <= {"004_2c31612e13099a8f.txt", "later-periods.md"}


# -- evaluation by date ---------------------------------------------------------------------------------
def omfattet_answers(capsys, *extra):
    code, out, _ = cli(capsys, "evaluate", BARNETS_LOV, "--decision", "omfattet", "--format", "json", *extra)
    document = json.loads(out)
    return code, {subject["id"]: subject for subject in document["subjects"]}


def test_each_record_date_picks_the_period_and_the_list_in_force(capsys):
    code, subjects = omfattet_answers(capsys)
    assert code == 0
    assert {subject["period"] for subject in subjects.values()} == {"2023-24"}
    before = subjects["boernehjemmet_2023"]["decisions"]["omfattet"]
    after = subjects["boernehjemmet_2024"]["decisions"]["omfattet"]
    assert before["value"] == after["value"] == "omfattet"
    # 2023-06-01: the inherited 2018 Bilag 5 (serviceloven); 2024-03-01: BEK nr. 1365 (barnets lov)
    before_sources = {(source["document"], tuple(source["lines"])) for source in before["sources"]}
    after_sources = {(source["document"], tuple(source["lines"])) for source in after["sources"]}
    assert ("001_c7b3169ddc9536ee.txt", (3831, 3833)) in before_sources        # "Døgninstitutioner efter § 66, stk. 1, nr. 6"
    assert not any(document == "later-periods.md" for document, _ in before_sources)
    assert ("later-periods.md", (47, 49)) in after_sources                     # "Døgninstitutioner efter § 43, stk. 3, i barnets lov"
    assert not any(lines == (3831, 3833) for _, lines in after_sources)
    assert any("§ 66" in source["quote"] for source in before["sources"])
    assert any("barnets lov" in source["quote"] for source in after["sources"])


def test_a_2024_record_citing_repealed_sel_66_is_not_covered_and_flagged(capsys):
    _, subjects = omfattet_answers(capsys)
    answer = subjects["boernehjemmet_2024_gammelt_lovgrundlag"]["decisions"]["omfattet"]
    assert (answer["value"], answer["rule"]) == ("ikke_omfattet", "syd2018.omfattet.uden_for_bilag5")
    gap = [flag["text"] for flag in answer["flags"] if flag["code"] == "gap"]
    assert gap and "BEK nr. 1365" in gap[0] and "BL § 43 stk. 3" in gap[0]


def test_inherited_answers_say_so_in_danish_and_english(capsys):
    code, out, _ = cli(capsys, "evaluate", TILBUD_2018, "--period", "2021-22", "--decision", "kategori", "--format", "json")
    assert code == 0
    palleshave = next(subject for subject in json.loads(out)["subjects"] if subject["id"] == "palleshave")
    flags = {flag["code"]: flag["text"] for flag in palleshave["decisions"]["kategori"]["flags"]}
    assert flags["inherited"].startswith("Arvet fra 2018; ikke verificeret mod rammeaftale 2021–22: syd2018.kategori.klynge")
    assert "syd2018.kategori.takstgraense" in flags["inherited"]        # the 2000 kr. threshold is carried over too
    _, out, _ = cli(capsys, "evaluate", TILBUD_2018, "--period", "2021-22", "--decision", "kategori", "--format", "json",
                    "--lang", "en")
    palleshave = next(subject for subject in json.loads(out)["subjects"] if subject["id"] == "palleshave")
    flags = {flag["code"]: flag["text"] for flag in palleshave["decisions"]["kategori"]["flags"]}
    assert flags["inherited"].startswith("Inherited from 2018; not verified against framework agreement 2021–22")


def test_2018_answers_carry_no_inherited_flag(capsys):
    _, out, _ = cli(capsys, "evaluate", TILBUD_2018, "--period", "2018", "--format", "json")
    codes = {flag["code"] for subject in json.loads(out)["subjects"]
             for answer in subject["decisions"].values() for flag in answer["flags"]}
    assert "inherited" not in codes and "interpretation" in codes


@pytest.mark.parametrize("day, period", [("2018-12-31", "2018"), ("2021-01-01", "2021-22"), ("2022-12-31", "2021-22"),
                                         ("2023-01-01", "2023-24"), ("2024-02-29", "2023-24")])
def test_date_selects_the_period(capsys, day, period):
    code, out, _ = cli(capsys, "evaluate", TILBUD_2018, "--date", day, "--format", "json", "--decision", "kategori")
    assert code == 0 and json.loads(out)["period"] == period


def test_a_date_in_the_declared_gap_has_no_period(capsys):
    code, _, err = cli(capsys, "evaluate", TILBUD_2018, "--date", "2019-06-01")
    assert code == 1
    assert "ingen periode for syddanmark gælder 2019-06-01" in err and "2021-22 (2021-01-01 – 2022-12-31)" in err


def test_a_record_without_date_needs_period_or_date(capsys):
    code, _, err = cli(capsys, "evaluate", TILBUD_2018)
    assert code == 2 and "har ingen dato; angiv --period eller --date" in err and "tilbud.yaml:" in err


# -- rule folders: inheritance and calendar errors -------------------------------------------------------
@pytest.fixture
def rules(tmp_path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(REPO / "rules", target, ignore=shutil.ignore_patterns("__init__.py", "__pycache__", "nordjylland"))
    return target


def check_errors(capsys, rules: Path) -> list[dict]:
    code, out, _ = cli(capsys, "check", "--rules", rules, "--format", "json", *SOURCES)
    document = json.loads(out)
    assert code == (1 if document["errors"] else 0)
    return document["errors"]


def rewrite(path: Path, old: str, new: str):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_copied_rules_are_fine(capsys, rules):
    assert check_errors(capsys, rules) == []


def test_overlapping_periods_are_reported(capsys, rules):
    rewrite(rules / "syddanmark" / "2023-24" / "period.yaml", "valid_from: 2023-01-01", "valid_from: 2022-07-01")
    [error] = check_errors(capsys, rules)
    assert error["code"] == "CAL002" and "2023-24 (2022-07-01) overlapper 2021-22 (til 2022-12-31)" in error["message"]
    assert error["file"].endswith("2023-24/period.yaml")


def test_an_undeclared_gap_is_reported_with_the_declaration_to_add(capsys, rules):
    rewrite(rules / "syddanmark" / "2023-24" / "period.yaml", "valid_from: 2023-01-01", "valid_from: 2023-02-01")
    [error] = check_errors(capsys, rules)
    assert error["code"] == "CAL003" and "ingen periode dækker 2023-01-01 – 2023-01-31" in error["message"]
    assert "gap_before: {from: 2023-01-01, to: 2023-01-31" in error["hint"]


def test_a_declared_gap_must_match(capsys, rules):
    rewrite(rules / "syddanmark" / "2021-22" / "period.yaml", "to: 2020-12-31", "to: 2020-06-30")
    [error] = check_errors(capsys, rules)
    assert error["code"] == "CAL003" and "gap_before siger 2019-01-01 – 2020-06-30" in error["message"]


def test_extending_an_unknown_period(capsys, rules):
    rewrite(rules / "syddanmark" / "2023-24" / "period.yaml", 'extends: "2021-22"', 'extends: "2021-2022"')
    errors = check_errors(capsys, rules)
    assert [error["code"] for error in errors] == ["RULE031"]
    assert "bygger på '2021-2022', som ikke findes for syddanmark" in errors[0]["message"]
    assert "2021-22" in errors[0]["hint"]


def test_periods_extending_each_other_in_a_cycle(capsys, rules):
    rewrite(rules / "syddanmark" / "2018" / "period.yaml", "extends: null", 'extends: "2023-24"')
    codes = [error["code"] for error in check_errors(capsys, rules)]
    assert "RULE030" in codes


def test_a_patch_value_for_an_unknown_parameter(capsys, rules):
    rewrite(rules / "syddanmark" / "2023-24" / "tilbud.yaml", "  bilag5_lovgrundlag:", "  bilag5_lovgrundlagg:")
    [error] = check_errors(capsys, rules)
    assert error["code"] == "RULE012" and "bilag5_lovgrundlagg" in error["message"]
    assert error["file"].endswith("2023-24/tilbud.yaml") and error["line"] == 5


def test_a_new_subject_in_a_later_period_needs_title_and_facts(capsys, rules):
    (rules / "syddanmark" / "2023-24" / "nyt.yaml").write_text("subject: nyt_emne\n", encoding="utf-8")
    [error] = check_errors(capsys, rules)
    assert error["code"] == "RULE006" and error["line"] == 1


def test_the_digest_of_a_later_period_follows_its_parent(capsys, rules):
    def digests():
        code, out, _ = cli(capsys, "check", "--rules", rules, "--format", "json")
        return {item["period"]: item["rules_digest"] for item in json.loads(out)["periods"]}
    before = digests()
    rewrite(rules / "syddanmark" / "2018" / "tilbud.yaml", "values: {2018-01-01: 4}", "values: {2018-01-01: 5}")
    after = digests()
    assert all(before[key] != after[key] for key in ("2018", "2021-22", "2023-24"))


# -- new-period -----------------------------------------------------------------------------------------
def test_new_period_scaffolds_a_period_that_check_accepts(capsys, rules):
    code, out, _ = cli(capsys, "check", "--rules", rules, "--format", "json")
    expected = period_of(json.loads(out), "syddanmark", "2023-24")["counts"]["provisions"]
    code, out, _ = cli(capsys, "new-period", "2025-26", "--from", "2023-24", "--rules", rules)
    assert code == 0 and f"med {expected} arvede bestemmelser at bekræfte" in out
    folder = rules / "syddanmark" / "2025-26"
    text = (folder / "period.yaml").read_text(encoding="utf-8")
    assert 'extends: "2023-24"' in text and "valid_from: 2025-01-01" in text and "valid_to: 2026-12-31" in text
    assert "gap_before" not in text                        # 2025-01-01 follows 2024-12-31
    checklist = (folder / "CHECKLIST.md").read_text(encoding="utf-8")
    assert "- [ ] `syd2018.kategori.klynge` — Klyngetilbud" in checklist
    assert "- [ ] `syd2324.rammeaftale.godkendelse`" in checklist   # confirmed in 2023-24, to confirm again
    code, out, _ = cli(capsys, "check", "--rules", rules, "--format", "json")
    document = json.loads(out)
    assert code == 0 and document["ok"]
    new = period_of(document, "syddanmark", "2025-26")
    assert (new["valid_from"], new["valid_to"], new["extends"]) == ("2025-01-01", "2026-12-31", "2023-24")
    assert new["counts"]["confirmed"] == 0 and new["counts"]["inherited_unverified"] == expected


def test_new_period_after_a_pause_declares_the_gap(capsys, rules):
    code, _, _ = cli(capsys, "new-period", "2027-28", "--from", "2023-24", "--rules", rules)
    assert code == 0
    text = (rules / "syddanmark" / "2027-28" / "period.yaml").read_text(encoding="utf-8")
    assert "from: 2025-01-01\n    to: 2026-12-31" in text
    assert check_errors(capsys, rules) == []


@pytest.mark.parametrize("argv, message", [
    (["2025-26", "--from", "2019-20"], "perioden '2019-20' findes ikke [NEW003]\n  tip: perioder: syddanmark: 2018, 2021-22, 2023-24"),
    (["2019", "--from", "2018"], "2019 skal komme efter regionens sidste periode (2023-24)"),
    (["2024-25", "--from", "2023-24"], "2024-25 begynder 2024-01-01, før 2023-24 slutter (2024-12-31)"),
    (["2025/26", "--from", "2023-24"], "ugyldigt periode-id '2025/26'"),
    (["2023-24", "--from", "2021-22"], "findes allerede"),
    (["2024-25", "--from", "2021-22"], "2024-25 overlapper perioden 2023-24"),
])
def test_new_period_refuses_what_would_not_fit(capsys, rules, argv, message):
    code, _, err = cli(capsys, "new-period", *argv, "--rules", rules)
    assert code == 1 and message in err


def test_new_period_after_an_older_parent_declares_the_gap_from_the_last_period(capsys, rules):
    # 2027-28 extends 2021-22, but the stretch to declare runs from 2023-24, the region's last period
    assert cli(capsys, "new-period", "2027-28", "--from", "2021-22", "--rules", rules)[0] == 0
    text = (rules / "syddanmark" / "2027-28" / "period.yaml").read_text(encoding="utf-8")
    assert 'extends: "2021-22"' in text and "from: 2025-01-01\n    to: 2026-12-31" in text
    assert check_errors(capsys, rules) == []


def test_two_folders_with_one_period_id(capsys, rules):
    shutil.copytree(rules / "syddanmark" / "2021-22", rules / "syddanmark" / "2021-22b")
    errors = check_errors(capsys, rules)
    assert [error["code"] for error in errors] == ["RULE032"]
    assert "to mapper er periode 2021-22 for syddanmark: 2021-22 og 2021-22b" in errors[0]["message"]


def test_a_new_value_in_a_later_period_needs_its_own_source(capsys, rules):
    assert cli(capsys, "new-period", "2025-26", "--from", "2023-24", "--rules", rules)[0] == 0
    (rules / "syddanmark" / "2025-26" / "tilbud.yaml").write_text(
        "subject: tilbud\nparameters:\n  takstgraense:\n    values: {2025-01-01: 2500}\n", encoding="utf-8")
    [error] = check_errors(capsys, rules)
    assert error["code"] == "RULE013" and "den nye værdi for 'takstgraense' fra 2025-01-01 har ingen kilde" in error["message"]
    assert (error["line"], error["column"]) == (4, 26)


def test_new_period_does_not_overwrite(capsys, rules):
    assert cli(capsys, "new-period", "2025-26", "--from", "2023-24", "--rules", rules)[0] == 0
    code, _, err = cli(capsys, "new-period", "2025-26", "--from", "2023-24", "--rules", rules)
    assert code == 1 and "findes allerede" in err
