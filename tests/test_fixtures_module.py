"""engine/fixtures.py: the facts files of a fixtures folder, shared by golden snapshots and the period diff."""
from __future__ import annotations

import datetime
import shutil
from pathlib import Path

from conftest import REPO
from rammeaftale.engine import cases, diff, fixtures, golden
from rammeaftale.engine.fixtures import FactsFiles, facts_files
from rammeaftale.engine.periods import compiled_periods, default_rules_dir

TILBUD = REPO / "fixtures" / "syddanmark" / "2018" / "tilbud.yaml"


def test_one_shared_module():
    assert diff.evaluation_days is fixtures.evaluation_days
    assert cases.display_path is fixtures.display_path and golden.display_path is fixtures.display_path
    assert not hasattr(golden, "_days") and not hasattr(golden, "_shown_path") and not hasattr(diff, "_records")
    assert fixtures.FACTS_SUFFIXES == (".yaml", ".yml", ".json") and fixtures.NOT_FACTS == ("cases", "golden")


def test_cases_and_golden_folders_are_skipped_at_any_depth(tmp_path):
    for name in ("a.yaml", "sub/b.json", "sub/cases/c.yaml", "sub/deeper/golden/d.yaml", "cases/e.yaml", "f.txt"):
        path = tmp_path / "fixtures" / "syddanmark" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("tilbud: []\n", encoding="utf-8")
    root = tmp_path / "fixtures" / "syddanmark"
    assert [path.relative_to(root).as_posix() for path in facts_files(root)] == ["a.yaml", "sub/b.json"]
    # the folder given, or the fixtures folder it lies in, may itself be cases/ or golden/
    assert facts_files(root / "cases") == [] and facts_files(root / "sub" / "cases", within=root / "sub" / "cases") == []
    assert facts_files(root / "sub", within=tmp_path / "fixtures") == [root / "sub" / "b.json"]
    assert facts_files(tmp_path / "nowhere") == []
    assert golden.facts_files(tmp_path / "fixtures", "syddanmark") == facts_files(root)


def test_a_file_is_loaded_once_and_parsed_per_period(monkeypatch):
    loads = []
    real = fixtures.load_file

    def counting(path, shown=None):
        loads.append(Path(path).name)
        return real(path, shown)

    monkeypatch.setattr(fixtures, "load_file", counting)
    compiled = compiled_periods(default_rules_dir())
    loaded = FactsFiles()
    per_period = [loaded.records(TILBUD, "t.yaml", compiled["syddanmark", key].period) for key in ("2018", "2021-22", "2023-24")]
    assert loads == ["tilbud.yaml"]
    assert [len(records) for records in per_period] == [16, 16, 16]
    assert per_period[0][0].file == "t.yaml" and per_period[0][0].id == per_period[2][0].id


def test_a_load_error_is_kept_and_given_to_every_period(tmp_path, monkeypatch):
    bad = tmp_path / "bad.yaml"
    bad.write_text("tilbud: [\n", encoding="utf-8")
    calls = []
    real = fixtures.load_file
    monkeypatch.setattr(fixtures, "load_file", lambda path, shown=None: calls.append(1) or real(path, shown))
    compiled = compiled_periods(default_rules_dir())
    loaded = FactsFiles()
    messages = []
    for key in ("2018", "2021-22"):
        try:
            loaded.records(bad, "bad.yaml", compiled["syddanmark", key].period)
        except Exception as error:     # a RammeaftaleError with the file's name
            messages.append(error.render("da"))
    assert len(calls) == 1 and len(messages) == 2 and messages[0] == messages[1] and "bad.yaml" in messages[0]


def test_golden_reads_each_facts_file_once_per_run(tmp_path, monkeypatch):
    root = tmp_path / "fixtures"
    shutil.copytree(REPO / "fixtures" / "syddanmark", root / "syddanmark")
    shutil.copytree(REPO / "fixtures" / "nordjylland", root / "nordjylland")
    loads = []
    real = fixtures.load_file
    monkeypatch.setattr(fixtures, "load_file", lambda path, shown=None: loads.append(shown) or real(path, shown))
    entries = golden.run(default_rules_dir(), root, update=True)
    assert len(entries) == 6                        # three periods of each region
    files = facts_files(root / "syddanmark") + facts_files(root / "nordjylland")
    assert sorted(loads) == sorted(path.relative_to(root).as_posix() for path in files)


def test_golden_builds_one_explainer_per_subject_type_and_day(monkeypatch):
    built = []
    real = golden.Explainer

    def counting(subject, period, lang, day):
        built.append((subject.subject.name, day))
        return real(subject, period, lang, day)

    monkeypatch.setattr(golden, "Explainer", counting)
    compiled = compiled_periods(default_rules_dir())["syddanmark", "2023-24"]
    golden.snapshot(compiled, REPO / "fixtures")
    assert built and len(built) == len(set(built))
    assert ("tilbud", datetime.date(2024, 1, 1)) in built
