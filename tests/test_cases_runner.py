"""`rammeaftale test`: case files, golden snapshots, coverage and the pytest plugin."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import REPO
from rammeaftale.dsl.errors import ErrorList, RammeaftaleError
from rammeaftale.engine import golden
from rammeaftale.engine.cases import load_case_file, run_case, same_value
from rammeaftale.engine.cli import main
from rammeaftale.engine.coverage import report
from rammeaftale.engine.periods import default_rules_dir

SHIPPED_CASES = REPO / "fixtures" / "cases" / "syddanmark" / "2018" / "tilbud.yaml"

PALLESHAVE = """\
    tilbud:
      id: palleshave
      driftsherre: Faaborg-Midtfyn
      driftsform: kommunal
      lovgrundlag: ["SEL § 108"]
      pladser: 40
      ydelser: [{navn: Boenhed, takst: 1727.5, enhed: døgn}]
      koeb: [{kommune: Odense, pladser: 3}, {kommune: Svendborg, pladser: 2}, {kommune: Faaborg-Midtfyn, pladser: 30}]
"""
NO_BUYERS = """\
    tilbud:
      id: skovbo
      driftsherre: Aabenraa
      driftsform: kommunal
      lovgrundlag: ["SEL § 108"]
      pladser: 12
      ydelser: [{navn: Botilbud, takst: 1480, enhed: døgn}]
      koeb: []
"""


def case_file(tmp_path: Path, text: str, name: str = "cases.yaml") -> Path:
    path = tmp_path / "cases" / "syddanmark" / "2018" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def one_case(expect: str, record: str = PALLESHAVE, extra: str = "") -> str:
    return "cases:\n  - name: Et tilfælde\n" + extra + record + "    expect:\n" + expect


def cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def errors_of(path: Path) -> list[RammeaftaleError]:
    with pytest.raises(RammeaftaleError) as caught:
        load_case_file(path)
    return caught.value.errors if isinstance(caught.value, ErrorList) else [caught.value]


# -- cases ----------------------------------------------------------------------------------------------------
def test_passing_case(tmp_path, capsys):
    path = case_file(tmp_path, one_case("      kategori: {value: klyngetilbud, rule: syd2018.kategori.klynge, flags: [interpretation], no_flags: [gap]}\n"
                                        "      omfattet: omfattet\n"))
    loaded = load_case_file(path)
    (case,) = loaded.cases
    assert (case.name, case.subject, case.record.id, case.date.isoformat(), case.period_key) == \
        ("Et tilfælde", "tilbud", "palleshave", "2018-01-01", "syddanmark/2018")
    result = run_case(case)
    assert result.ok
    assert [check.actual for check in result.checks] == [
        {"value": "klyngetilbud", "rule": "syd2018.kategori.klynge", "flags": ["interpretation"]},
        {"value": "omfattet", "rule": "syd2018.omfattet.solgt", "flags": []}]
    code, out, _ = cli(capsys, "test", str(path))
    assert code == 0
    assert "ok    Et tilfælde" in out and "1 tilfælde: 1 ok, 0 fejlet" in out
    assert "golden" not in out            # explicit paths: no snapshots unless --golden


def test_failing_case_shows_expected_actual_and_explanation(tmp_path, capsys):
    path = case_file(tmp_path, one_case("      kategori: {value: lokalt_tilbud, flags: [gap]}\n"))
    code, out, _ = cli(capsys, "test", str(path))
    assert code == 1
    assert "FAIL  Et tilfælde" in out
    assert "kategori: værdien er klyngetilbud, forventet lokalt_tilbud; mangler flaget gap" in out
    assert "forventet: værdi lokalt_tilbud; flag gap" in out
    assert "faktisk:   værdi klyngetilbud; regel syd2018.kategori.klynge; flag interpretation" in out
    assert "Kategori: klyngetilbud — afgjort af regel syd2018.kategori.klynge" in out          # the explanation summary
    assert "lokalt tilbud (syd2018.kategori.lokal): sælger pladser til 2 andre kommuner; kræver 0" in out   # why-not
    assert "1 tilfælde: 0 ok, 1 fejlet" in out

    code, out, _ = cli(capsys, "test", str(path), "--format", "json", "--lang", "en")
    assert code == 1
    document = json.loads(out)
    assert document["format"] == "rammeaftale.test/1" and document["ok"] is False and document["golden"] == []
    (check,) = document["cases"][0]["checks"]
    assert check["expected"] == {"value": "lokalt_tilbud", "flags": ["gap"]}
    assert check["actual"] == {"value": "klyngetilbud", "rule": "syd2018.kategori.klynge", "flags": ["interpretation"]}
    assert check["problems"] == ["the value is klyngetilbud, expected lokalt_tilbud", "the flag gap is missing"]
    assert check["summary"].startswith("Category: klyngetilbud")


def test_readings_and_date_of_a_case(tmp_path):
    path = case_file(tmp_path, one_case("      kategori: {value: lokalt_tilbud, rule: syd2018.kategori.hul_lokal}\n",
                                        PALLESHAVE.replace("takst: 1727.5", "takst: 2100"),
                                        "    date: 2018-06-01\n    readings: {kategori_hul: lokalt_tilbud}\n"))
    (case,) = load_case_file(path).cases
    assert case.date.isoformat() == "2018-06-01" and case.readings == {"kategori_hul": "lokalt_tilbud"}
    assert run_case(case).ok


def test_values_compare_by_their_plain_forms():
    assert same_value(Decimal("1727.5"), "1727.50")
    assert same_value(1727, "1727")
    assert same_value("40 %", "0.4") and same_value("12,5 %", "0.125")
    assert same_value("2018-03-14", "2018-03-14")
    assert same_value([71, 36, Decimal("18.0")], ["71", "36", "18"])
    assert same_value(None, None)
    assert same_value({"months": 2, "days": 0}, {"months": 2, "days": 0})
    assert not same_value(1727, "1727.01")
    assert not same_value([71, 36], ["71", "36", "18"])
    assert not same_value(None, "0")
    assert not same_value(True, "1")
    assert not same_value("klyngetilbud", "lokalt_tilbud")


def test_region_and_period_from_the_file_instead_of_the_folders(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("region: syddanmark\nperiod: 2018\n" + one_case("      kategori: klyngetilbud\n"), encoding="utf-8")
    assert run_case(load_case_file(path).cases[0]).ok
    elsewhere = tmp_path / "nowhere" / "mine.yaml"
    elsewhere.parent.mkdir()
    elsewhere.write_text(one_case("      kategori: klyngetilbud\n"), encoding="utf-8")
    (error,) = errors_of(elsewhere)
    assert error.code == "CASE009" and (error.line, error.column) == (1, 1)
    assert "region:" in error.hint


def test_bad_case_file_errors_name_line_and_column(tmp_path, capsys):
    path = case_file(tmp_path, """\
        cases:
          - name: A
            tilbudd: {id: x}
            expect: {kategori: klyngetilbud}
          - name: B
            tilbud:
              id: t
              driftsherre: Odense
              driftsform: kommunall
              lovgrundlag: ["SEL § 108"]
              pladser: 20
              ydelser: [{navn: Botilbud, takst: 1500, enhed: døgn}]
              koeb: []
            expect: {kategorii: klyngetilbud, omfattet: {value: omfatet, rule: syd2018.omfattet.solg, flags: [gapp]}}
          - name: C
            tilbud: {id: t}
        """)
    found = {(error.code, error.line, error.column): error for error in errors_of(path)}
    assert set(found) == {("CASE004", 3, 5), ("SCHEMA001", 9, 19), ("CASE006", 14, 14), ("CASE007", 14, 57),
                          ("CASE007", 14, 72), ("CASE007", 14, 103), ("CASE005", 15, 5)}
    assert found["CASE004", 3, 5].message == "ukendt emnetype 'tilbudd' i syddanmark 2018" and found["CASE004", 3, 5].hint == "mente du 'tilbud'?"
    assert found["CASE006", 14, 14].message == "ukendt afgørelse 'kategorii' for tilbud"
    assert found["CASE006", 14, 14].hint == "mente du 'kategori'?"
    assert found["CASE007", 14, 57].hint == "mente du 'omfattet'?"
    assert found["CASE007", 14, 72].hint == "mente du 'syd2018.omfattet.solgt'?"
    assert found["CASE007", 14, 103].message == "ukendt flag 'gapp'"
    assert found["SCHEMA001", 9, 19].message.startswith("tilbud 't', felt 'driftsform': 'kommunall' er ikke tilladt")
    assert found["CASE005", 15, 5].message == "tilfældet 'C' mangler 'expect:'"
    code, out, err = cli(capsys, "test", str(path))
    assert code == 1
    assert f"{path}:3:5: ukendt emnetype 'tilbudd'" in out
    assert "7 fejl i tilfældefilerne" in out


def test_more_case_file_mistakes(tmp_path):
    duplicate = case_file(tmp_path, one_case("      kategori: klyngetilbud\n") + "  - name: Et tilfælde\n" + PALLESHAVE
                          + "    expect: {kategori: klyngetilbud}\n", "dup.yaml")
    (error,) = errors_of(duplicate)
    assert (error.code, error.line, error.column) == ("CASE003", 13, 11) and "første gang i linje 2" in error.hint
    outside = case_file(tmp_path, one_case("      kategori: klyngetilbud\n", extra="    date: 2019-01-01\n"), "date.yaml")
    (error,) = errors_of(outside)
    assert (error.code, error.line, error.column) == ("CASE008", 3, 11)
    assert error.message == "datoen 2019-01-01 ligger uden for perioden 2018 (2018-01-01 – 2018-12-31)"
    reading = case_file(tmp_path, one_case("      kategori: klyngetilbud\n", extra="    readings: {kategori_hul: lokal}\n"), "reading.yaml")
    (error,) = errors_of(reading)
    assert (error.code, error.line) == ("FACTS002", 3) and "klyngetilbud, lokalt_tilbud" in error.hint
    not_cases = case_file(tmp_path, "tilbud: []\n", "plain.yaml")
    (error,) = errors_of(not_cases)
    assert (error.code, error.line, error.column) == ("CASE001", 1, 1)


# -- golden ---------------------------------------------------------------------------------------------------
@pytest.fixture
def fixtures(tmp_path) -> Path:
    root = tmp_path / "fixtures"
    (root / "syddanmark" / "2018").mkdir(parents=True)
    shutil.copy(REPO / "fixtures" / "syddanmark" / "2018" / "tilbud.yaml", root / "syddanmark" / "2018" / "tilbud.yaml")
    # a file whose subject type the rules do not know: skipped with the reason, not a crash
    (root / "syddanmark" / "2018" / "ukendt.yaml").write_text("ukendt_emne: [{id: x}]\n", encoding="utf-8")
    return root


def test_golden_snapshot_content(fixtures):
    entries = {(entry["region"], entry["period"]): entry for entry in golden.run(default_rules_dir(), fixtures, update=True)}
    assert entries["syddanmark", "2018"]["status"] == "created" and entries["syddanmark", "2018"]["records"] == 16
    path = fixtures / "golden" / "syddanmark" / "2018.json"
    text = path.read_text(encoding="utf-8")
    document = json.loads(text)
    assert text.endswith("}\n") and text == json.dumps(document, sort_keys=True, ensure_ascii=False, indent=1) + "\n"
    assert "Hul i kilden" not in text          # flag codes only, no texts
    days = document["files"]["syddanmark/2018/tilbud.yaml"]["subjects"]["tilbud/spurvetoften"]
    assert days["2018-01-01"]["kategori"] == {"value": "klyngetilbud", "rule": "syd2018.kategori.hul_klynge", "flags": ["gap", "interpretation"]}
    assert days["2018-01-01"]["omfattet"] == {"value": "omfattet", "rule": "syd2018.omfattet.solgt", "flags": []}
    solskraenten = document["files"]["syddanmark/2018/tilbud.yaml"]["subjects"]["tilbud/solskraenten"]["2018-01-01"]["kategori"]
    assert solskraenten == {"value": "hoejt_specialiseret", "rule": "syd2018.kategori.hul_klynge", "flags": ["gap", "interpretation", "override"]}
    skipped = document["files"]["syddanmark/2018/ukendt.yaml"]["skipped"]
    assert "ukendt felt 'ukendt_emne'" in skipped
    assert {entry["status"] for entry in golden.run(default_rules_dir(), fixtures)} == {"ok"}


def test_golden_mismatch_is_a_failure_with_the_diff(fixtures, capsys):
    golden.run(default_rules_dir(), fixtures, update=True)
    facts = fixtures / "syddanmark" / "2018" / "tilbud.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("takst: 1727,", "takst: 2727,"), encoding="utf-8")
    entry = next(item for item in golden.run(default_rules_dir(), fixtures) if item["period"] == "2018" and item["region"] == "syddanmark")
    assert entry["status"] == "changed" and not entry["ok"]
    assert entry["changes"] == [{"file": "syddanmark/2018/tilbud.yaml", "subject": "tilbud/palleshave", "date": "2018-01-01",
                                 "decision": "kategori", "change": "changed",
                                 "old": {"value": "klyngetilbud", "rule": "syd2018.kategori.klynge", "flags": ["interpretation"]},
                                 "new": {"value": "klyngetilbud", "rule": "syd2018.kategori.hul_klynge", "flags": ["gap", "interpretation"]}}]
    code, out, _ = cli(capsys, "test", "--fixtures", str(fixtures))
    assert code == 1
    assert "golden syddanmark/2018: 1 ændring(er)" in out
    assert ("syddanmark/2018/tilbud.yaml tilbud/palleshave 2018-01-01 kategori: klyngetilbud (syd2018.kategori.klynge; interpretation)"
            " → klyngetilbud (syd2018.kategori.hul_klynge; gap, interpretation)") in out
    assert "rammeaftale test --update" in out
    # a record that disappears is reported as removed
    facts.write_text(facts.read_text(encoding="utf-8").replace("id: toften", "id: toften_ny"), encoding="utf-8")
    changes = next(item for item in golden.run(default_rules_dir(), fixtures) if item["period"] == "2018" and item["region"] == "syddanmark")["changes"]
    assert [(change["subject"], change["change"]) for change in changes if change["decision"] is None] == \
        [("tilbud/toften", "removed"), ("tilbud/toften_ny", "added")]


def test_update_accepts_the_diff_and_writes_atomically(fixtures, capsys, monkeypatch):
    golden.run(default_rules_dir(), fixtures, update=True)
    path = fixtures / "golden" / "syddanmark" / "2018.json"
    facts = fixtures / "syddanmark" / "2018" / "tilbud.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("takst: 1727,", "takst: 2727,"), encoding="utf-8")
    replaced = []
    real_replace = os.replace

    def watching_replace(source, target):
        # the new content is complete in a temporary file beside the target before it takes the target's place
        assert Path(source).parent == Path(target).parent and Path(source).name.endswith(".tmp")
        json.loads(Path(source).read_text(encoding="utf-8"))
        replaced.append(Path(target).relative_to(fixtures / "golden").as_posix())
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", watching_replace)   # golden writes through engine/atomic.py
    code, out, _ = cli(capsys, "test", "--fixtures", str(fixtures), "--update")
    assert code == 0
    # only periods whose answers changed are rewritten (later Syddanmark periods see Palleshave too)
    assert "syddanmark/2018.json" in replaced and "nordjylland/2018.json" not in replaced
    assert "golden syddanmark/2018: opdateret, 1 ændring(er) accepteret" in out
    assert "kategori: klyngetilbud (syd2018.kategori.klynge; interpretation) → klyngetilbud (syd2018.kategori.hul_klynge" in out
    palleshave = json.loads(path.read_text(encoding="utf-8"))["files"]["syddanmark/2018/tilbud.yaml"]["subjects"]["tilbud/palleshave"]
    assert palleshave["2018-01-01"]["kategori"]["rule"] == "syd2018.kategori.hul_klynge"
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask
    assert cli(capsys, "test", "--fixtures", str(fixtures))[0] == 0


def test_a_failed_write_leaves_the_old_snapshot(fixtures, monkeypatch):
    golden.run(default_rules_dir(), fixtures, update=True)
    path = fixtures / "golden" / "syddanmark" / "2018.json"
    before = path.read_text(encoding="utf-8")

    def failing_replace(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)   # golden writes through engine/atomic.py
    with pytest.raises(OSError):
        golden.write_atomic(path, "{}\n")
    assert path.read_text(encoding="utf-8") == before
    assert not [item for item in path.parent.iterdir() if item.name.endswith(".tmp")]


def test_stale_and_missing_snapshots(fixtures, capsys):
    golden.run(default_rules_dir(), fixtures, update=True)
    stale = fixtures / "golden" / "syddanmark" / "2017.json"
    stale.write_text("{}\n", encoding="utf-8")
    (fixtures / "golden" / "nordjylland" / "2018.json").unlink()
    statuses = {(entry["region"], entry["period"]): entry["status"] for entry in golden.run(default_rules_dir(), fixtures)}
    assert statuses["syddanmark", "2017"] == "stale" and statuses["nordjylland", "2018"] == "missing"
    assert statuses["syddanmark", "2018"] == "ok"
    golden.run(default_rules_dir(), fixtures, update=True)
    assert not stale.exists() and (fixtures / "golden" / "nordjylland" / "2018.json").exists()


# -- coverage -------------------------------------------------------------------------------------------------
def _coverage(tmp_path, text):
    loaded = load_case_file(case_file(tmp_path, text))
    return report([run_case(case) for case in loaded.cases], default_rules_dir())["syddanmark/2018"]


def _condition(section, rule_id, text):
    return next((item for item in section["missed"] if item["rule"] == rule_id and item["text"] == text), None)


def test_coverage_counts_rules_conditions_and_table_rows(tmp_path):
    one = _coverage(tmp_path, one_case("      kategori: klyngetilbud\n      omfattet: omfattet\n"))
    assert one["cases"] == 1
    assert (one["rules"]["covered"], one["table_rows"]["covered"]) == (2, 1)
    missed = {item["id"] for item in one["rules"]["missed"]}
    assert "syd2018.kategori.klynge" not in missed and "syd2018.omfattet.solgt" not in missed
    assert "syd2018.kategori.lokal" in missed
    entry = next(item for item in one["rules"]["missed"] if item["id"] == "syd2018.kategori.lokal")
    assert entry["file"] == "rules/syddanmark/2018/tilbud.yaml" and entry["line"] > 0
    # one case sees each condition one way only
    assert _condition(one["conditions"], "syd2018.kategori.lokal", "antal_koeberkommuner = 0")["seen"] == [False]
    assert _condition(one["conditions"], "syd2018.kategori.klynge", "antal_koeberkommuner >= 1 og hoejeste_takst < takstgraense")["seen"] == [True]
    # the part of og that was never evaluated was not seen at all
    assert _condition(one["conditions"], "syd2018.kategori.hoejt_specialiseret", "andel_solgt >= min_andel_solgt")["seen"] == []

    two = _coverage(tmp_path, one_case("      kategori: klyngetilbud\n      omfattet: omfattet\n")
                    + "  - name: Uden salg\n" + NO_BUYERS + "    expect: {kategori: lokalt_tilbud, omfattet: ikke_omfattet}\n")
    assert (two["rules"]["covered"], two["table_rows"]["covered"]) == (4, 2)
    assert _condition(two["conditions"], "syd2018.kategori.lokal", "antal_koeberkommuner = 0") is None          # both ways now
    assert _condition(two["conditions"], "syd2018.kategori.klynge", "antal_koeberkommuner >= 1 og hoejeste_takst < takstgraense") is None
    assert two["conditions"]["covered"] == two["conditions"]["total"] - len(two["conditions"]["missed"])
    assert two["rules"]["total"] == one["rules"]["total"] and two["rules"]["percent"] == \
        str((Decimal(400) / two["rules"]["total"]).quantize(Decimal("0.1")))


def test_only_asserted_decisions_count(tmp_path):
    only_kategori = _coverage(tmp_path, one_case("      kategori: klyngetilbud\n"))
    assert only_kategori["rules"]["covered"] == 1 and only_kategori["table_rows"]["covered"] == 0


def test_shipped_cases_cover_every_tilbud_rule_and_min(capsys):
    code, out, _ = cli(capsys, "test", str(SHIPPED_CASES), "--coverage", "--format", "json")
    assert code == 0
    document = json.loads(out)
    coverage = document["coverage"]["syddanmark/2018"]
    tilbud_missed = [item["id"] for item in coverage["rules"]["missed"] if item["subject"] == "tilbud"]
    assert tilbud_missed == []
    assert coverage["cases"] == len(document["cases"]) >= 15
    assert document["coverage"]["nordjylland/2018"]["cases"] == 0
    code, out, _ = cli(capsys, "test", str(SHIPPED_CASES), "--min", "100")
    assert code == 1 and "regeldækningen for syddanmark/2018 er" in out and "under kravet på 100 %" in out
    # a period without cases (nordjylland) never fails --min
    code, out, _ = cli(capsys, "test", str(SHIPPED_CASES), "--min", "1")
    assert code == 0 and "Dækning nordjylland/2018: ingen tilfælde" in out


# -- the pytest plugin ----------------------------------------------------------------------------------------
def test_pytest_plugin_collects_cases_and_renders_failures(tmp_path):
    case_file(tmp_path, one_case("      kategori: klyngetilbud\n") + "  - name: Forkert svar\n" + NO_BUYERS
              + "    expect: {kategori: klyngetilbud}\n")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "not_a_case.yaml").write_text("anything: [1, 2]\n", encoding="utf-8")  # outside cases/: ignored
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rf", str(tmp_path)],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert "1 failed, 1 passed" in result.stdout, result.stdout + result.stderr
    assert "FAILED cases/syddanmark/2018/cases.yaml::Forkert svar" in result.stdout
    assert "kategori: værdien er lokalt_tilbud, forventet klyngetilbud" in result.stdout
    assert "Kategori: lokalt tilbud — afgjort af regel syd2018.kategori.lokal" in result.stdout
    assert "Traceback" not in result.stdout


def test_the_documented_examples_pass(tmp_path):
    """The case examples in README.md and fixtures/cases/README.md are real, passing cases."""
    readme = (REPO / "README.md").read_text(encoding="utf-8").split("## Test cases for policy staff", 1)[1]
    contract = (REPO / "fixtures" / "cases" / "README.md").read_text(encoding="utf-8").split("## A case file", 1)[1]
    for index, text in enumerate((readme, contract)):
        block = text.split("```yaml\n", 1)[1].split("```", 1)[0]
        loaded = load_case_file(case_file(tmp_path, block, f"example{index}.yaml"))
        assert loaded.cases and all(run_case(case).ok for case in loaded.cases)


# -- review fixes ---------------------------------------------------------------------------------------------
def _rules_of_syddanmark_only(tmp_path: Path) -> Path:
    rules = tmp_path / "rules_syd"
    shutil.copytree(default_rules_dir(), rules, ignore=shutil.ignore_patterns("nordjylland", "__pycache__"))
    return rules


def test_update_with_rules_of_one_region_keeps_the_other_regions_snapshots(fixtures, tmp_path, capsys):
    golden.run(default_rules_dir(), fixtures, update=True)
    nord = fixtures / "golden" / "nordjylland" / "2018.json"
    stale = fixtures / "golden" / "syddanmark" / "2017.json"
    stale.write_text("{}\n", encoding="utf-8")
    rules = _rules_of_syddanmark_only(tmp_path)
    entries = golden.run(rules, fixtures)
    assert {entry["region"] for entry in entries} == {"syddanmark"}      # nordjylland's snapshots are not these rules'
    assert [entry["period"] for entry in entries if entry["status"] == "stale"] == ["2017"]
    code, out, _ = cli(capsys, "test", "--fixtures", str(fixtures), "--rules", str(rules), "--update")
    assert code == 0 and "golden syddanmark/2017: fjernet" in out and "nordjylland" not in out
    assert nord.exists() and not stale.exists()
    assert golden.check_one(rules, nord)[0] == "other_region"
    assert golden.check_one(default_rules_dir(), fixtures / "golden" / "nordjylland" / "2099.json")[0] == "stale"


def test_paths_without_cases_fail(tmp_path, capsys):
    (tmp_path / "tom").mkdir()
    code, out, _ = cli(capsys, "test", str(tmp_path / "tom"))
    assert code == 1 and "ingen tilfælde fundet i" in out
    code, out, _ = cli(capsys, "test", str(REPO / "fixtures" / "golden"), "--format", "json")
    assert code == 1 and json.loads(out)["ok"] is False and json.loads(out)["cases"] == []
    code, out, _ = cli(capsys, "test", str(tmp_path / "tom"), "--golden", "--fixtures", str(REPO / "fixtures"))
    assert code == 1 and "ingen tilfælde fundet i" in out


@pytest.mark.parametrize("value", ["101", "-1", "1000"])
def test_min_outside_0_to_100_is_a_usage_error(capsys, value):
    code, out, err = cli(capsys, "test", str(SHIPPED_CASES), f"--min={value}")
    assert code == 2 and out == "" and "--min skal være et tal fra 0 til 100" in err


def test_min_0_and_100_are_allowed(capsys):
    assert cli(capsys, "test", str(SHIPPED_CASES), "--min", "0")[0] == 0


def test_coverage_of_a_period_with_only_inherited_rules(capsys):
    code, out, _ = cli(capsys, "test", str(REPO / "fixtures" / "cases" / "syddanmark" / "2021-22"), "--coverage")
    assert code == 0
    block = out.split("Dækning syddanmark/2021-22", 1)[1].split("Dækning", 1)[0]
    assert "  ingen egne regler (alle er arvet)" in block and "0/0" not in block
    code, out, _ = cli(capsys, "test", str(REPO / "fixtures" / "cases" / "syddanmark" / "2021-22"), "--coverage", "--lang", "en")
    assert "  no rules of its own (all inherited)" in out


def test_an_empty_record_is_called_empty(tmp_path):
    path = case_file(tmp_path, "cases:\n  - name: Tom post\n    tilbud:\n    expect: {kategori: klyngetilbud}\n")
    [error] = errors_of(path)
    assert error.code == "CASE004" and "posten 'tilbud' er tom" in error.message and "ikke en liste" not in error.message
    assert error.line == 3
    assert "id: palleshave" in error.hint
    [error] = errors_of(case_file(tmp_path, "cases:\n  - name: Liste\n    tilbud: [{id: a}]\n    expect: {kategori: klyngetilbud}\n",
                                  "liste.yaml"))
    assert "ikke en liste" in error.message


def test_pytest_plugin_golden_failure_hint_and_other_region(tmp_path):
    from rammeaftale.engine import pytest_plugin
    from rammeaftale.engine.cases import TEXT
    assert TEXT["da"]["golden_hint"] not in Path(pytest_plugin.__file__).read_text(encoding="utf-8")   # one text, in cases.TEXT
    for region in ("syddanmark", "nordjylland"):
        (tmp_path / "golden" / region).mkdir(parents=True)
        (tmp_path / "golden" / region / "2018.json").write_text("{}\n", encoding="utf-8")
    rules = _rules_of_syddanmark_only(tmp_path / "r")
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rfs",
                             f"--rammeaftale-rules={rules}", str(tmp_path / "golden")],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert "1 failed, 1 skipped" in result.stdout, result.stdout + result.stderr
    assert TEXT["da"]["golden_hint"] in result.stdout
