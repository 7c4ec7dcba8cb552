"""Determinism: the same rules and facts give byte-identical output, run after run and whatever PYTHONHASHSEED says;
and `rules_digest` changes exactly when the rule files' content does.

The digest (engine/rulefile.py) is the sha256 of each rule file's name and text, in name order, plus the digest of
the period it extends. Chosen meaning of "the rule content": every character of the files, comments included (a
comment in a rule file is part of what a reviewer signs off: provenance, readings, caveats), and the file names.
Not part of it: modification times, the order the file system lists the files in, where the folder lies, and the
newline convention (files are read with universal newlines).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

from rammeaftale.engine.periods import load_all

CASES = "fixtures/cases/syddanmark/2018/tilbud.yaml"
COMMANDS = {
    "evaluate-json": ["evaluate", "fixtures/syddanmark/2018/tilbud.yaml", "fixtures/syddanmark/2018/lukning_kommunal.yaml",
                      "--period", "2018", "--format", "json"],
    "evaluate-text": ["evaluate", "fixtures/nordjylland/2018/boernehus.yaml", "--period", "2018", "--lang", "en"],
    "evaluate-dated": ["evaluate", "fixtures/syddanmark/2023-24/barnets_lov.yaml", "--format", "json"],
    "check": ["check", "--format", "json"],
    "diff": ["diff", "2018", "2021-22", "--region", "syddanmark", "--format", "json"],
    "test": ["test", CASES, "--format", "json"],
    "test-text": ["test", CASES, "--coverage"],
}
# run every command twice in one process (caches warm the second time) and print what each wrote
SCRIPT = """
import contextlib, io, json, sys
from rammeaftale.engine.cli import main
results = {}
for round_ in (1, 2):
    for name, argv in json.loads(sys.argv[1]).items():
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
        results.setdefault(name, []).append([code, out.getvalue(), err.getvalue()])
json.dump(results, sys.stdout)
"""


def _start(seed: str, cache_dir: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONHASHSEED": seed, "RAMMEAFTALE_CACHE_DIR": str(cache_dir), "COLUMNS": "160"}
    return subprocess.Popen([sys.executable, "-c", SCRIPT, json.dumps(COMMANDS)], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> list[dict]:
    # two interpreters with different string hashing (set and dict-of-set order differ between them), side by side;
    # each with its own empty rule cache, so both do the whole work
    started = [_start(seed, tmp_path_factory.mktemp(f"cache-{seed}")) for seed in ("0", "4242")]
    results = []
    for process in started:
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, err[-3000:]
        results.append(json.loads(out))
    return results


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_output_is_byte_identical(runs, name):
    first = runs[0][name][0]
    assert first[0] in (0, 1) and first[1].strip(), first[2][-2000:]
    for run in runs:
        for attempt in run[name]:
            assert attempt == first, f"{name}: output differs between runs or hash seeds"


def test_the_json_outputs_are_what_they_claim(runs):
    documents = {name: json.loads(runs[0][name][0][1]) for name in COMMANDS if "json" in COMMANDS[name]}
    assert documents["evaluate-json"]["format"] == "rammeaftale.result/1"
    assert documents["check"]["format"] == "rammeaftale.check/1" and documents["check"]["ok"] is True
    assert documents["diff"]["format"] == "rammeaftale.diff/1"
    assert {subject["period"] for subject in documents["evaluate-dated"]["subjects"]} >= {"2023-24"}


# -- rules_digest ---------------------------------------------------------------------------------------------
FILES = {"2018": ["period.yaml", "tilbud.yaml", "opsigelse.yaml"], "2021-22": ["period.yaml"]}   # small: quick to load


def _copy(target: Path, reverse: bool = False) -> Path:
    """Part of syddanmark 2018, and 2021-22 (which extends it), file by file, in name order or reversed."""
    for period, names in FILES.items():
        folder = target / "rules" / "syddanmark" / period
        folder.mkdir(parents=True)
        for name in sorted(names, reverse=reverse):
            shutil.copyfile(REPO / "rules" / "syddanmark" / period / name, folder / name)
    return target / "rules"


def _digests(root: Path) -> dict[str, str]:
    periods, errors = load_all(root)
    assert errors == []
    return {period.id: period.digest for period in periods}


@pytest.fixture(scope="module")
def original(tmp_path_factory) -> dict[str, str]:
    return _digests(_copy(tmp_path_factory.mktemp("original")))


def test_digest_ignores_mtime_listing_order_and_location(tmp_path, original):
    root = _copy(tmp_path / "elsewhere" / "deeper", reverse=True)
    for path in root.rglob("*.yaml"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
    assert _digests(root) == original


def test_digest_ignores_the_newline_convention(tmp_path, original):
    root = _copy(tmp_path)
    path = root / "syddanmark" / "2018" / "tilbud.yaml"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert _digests(root) == original


@pytest.mark.parametrize("change", ["comment", "value", "title", "rename"])
def test_digest_changes_with_the_content_and_follows_to_later_periods(tmp_path, original, change):
    root = _copy(tmp_path)
    path = root / "syddanmark" / "2018" / "tilbud.yaml"
    text = path.read_text(encoding="utf-8")
    if change == "comment":
        path.write_text("# reviewed 2024\n" + text, encoding="utf-8")
    elif change == "value":
        assert "values: {2018-01-01: 2000}" in text
        path.write_text(text.replace("values: {2018-01-01: 2000}", "values: {2018-01-01: 2001}", 1), encoding="utf-8")
    elif change == "title":
        assert "title: {da: takstgrænse, en: takst threshold}" in text
        path.write_text(text.replace("title: {da: takstgrænse, en: takst threshold}", "title: {da: takstgrænsen, en: takst threshold}", 1),
                        encoding="utf-8")
    else:
        path.rename(path.with_name("tilbud_2018.yaml"))
    changed = _digests(root)
    assert changed["2018"] != original["2018"]
    assert changed["2021-22"] != original["2021-22"]          # a later period's digest includes its parent's
    # and undoing the change gives the original digest back
    if change == "rename":
        path.with_name("tilbud_2018.yaml").rename(path)
    else:
        path.write_text(text, encoding="utf-8")
    assert _digests(root) == original


def test_a_change_in_the_later_period_leaves_the_earlier_digest(tmp_path, original):
    root = _copy(tmp_path)
    path = root / "syddanmark" / "2021-22" / "period.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# note\n", encoding="utf-8")
    changed = _digests(root)
    assert changed["2018"] == original["2018"] and changed["2021-22"] != original["2021-22"]
