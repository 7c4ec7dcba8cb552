"""Error hints in both languages: with `--lang en` (render("en"), as_json("en")) an error shows its English hint,
with `--lang da` the Danish one exactly as before; an error without an English hint keeps its Danish one.

The last test scans the package's own sources: every call that passes `hint=` passes `hint_en=` too.
"""
from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest

from conftest import REPO
from rammeaftale.dsl.errors import ErrorList, RammeaftaleError
from rammeaftale.engine.cli import main
from rammeaftale.engine.facts import load_facts_text
from rammeaftale.engine.yamlsafe import MAX_ALIASES, load_text

TILBUD = Path("syddanmark") / "2018" / "tilbud.yaml"
HS_WHEN = "when: hoejeste_takst >= takstgraense og ("
TYPO_WHEN = "when: hoejeste_taskt >= takstgraense og ("


# -- the error type ------------------------------------------------------------------------------------------
def test_render_and_json_use_the_english_hint():
    error = RammeaftaleError("DSL101", "ukendt navn 'x'", message_en="unknown name 'x'", file="a.yaml", line=3, column=7,
                             hint="mente du 'y'?", hint_en="did you mean 'y'?")
    assert error.render("da") == "a.yaml:3:7: ukendt navn 'x' [DSL101]\n  tip: mente du 'y'?"
    assert error.render("en") == "a.yaml:3:7: unknown name 'x' [DSL101]\n  hint: did you mean 'y'?"
    assert error.as_json("da")["hint"] == "mente du 'y'?"
    assert error.as_json("en") == {"code": "DSL101", "file": "a.yaml", "line": 3, "column": 7,
                                   "message": "unknown name 'x'", "hint": "did you mean 'y'?"}


def test_without_an_english_hint_the_danish_one_is_kept():
    error = RammeaftaleError("X001", "fejl", message_en="error", hint="gør sådan")
    assert error.hint_en is None
    assert error.render("en") == "error [X001]\n  hint: gør sådan"
    assert error.as_json("en")["hint"] == "gør sådan"
    bare = RammeaftaleError("X001", "fejl", message_en="error")
    assert bare.render("en") == "error [X001]" and bare.as_json("en")["hint"] is None


def test_the_danish_output_is_unchanged_by_an_english_hint():
    plain = RammeaftaleError("X001", "fejl", message_en="error", file="f", line=1, hint="gør sådan")
    both = RammeaftaleError("X001", "fejl", message_en="error", file="f", line=1, hint="gør sådan", hint_en="do this")
    assert both.render("da") == plain.render("da") == "f:1: fejl [X001]\n  tip: gør sådan"
    assert both.as_json("da") == plain.as_json("da")


def test_an_error_list_passes_the_english_hint_on():
    first = RammeaftaleError("X001", "a", message_en="a_en", hint="tip a", hint_en="hint a")
    second = RammeaftaleError("X002", "b", message_en="b_en", hint="tip b")
    errors = ErrorList([first, second])
    assert (errors.hint, errors.hint_en) == ("tip a", "hint a")
    assert errors.render("en") == "a_en [X001]\n  hint: hint a\nb_en [X002]\n  hint: tip b"
    assert errors.render("da") == "a [X001]\n  tip: tip a\nb [X002]\n  tip: tip b"


# -- errors from the code ------------------------------------------------------------------------------------
def _only(errors: list[RammeaftaleError], code: str) -> RammeaftaleError:
    found = [error for error in errors if error.code == code]
    assert len(found) == 1, [error.render("da") for error in errors]
    return found[0]


def test_a_yaml_alias_error_in_english():
    text = "base: &b [1, 2]\n" + "".join(f"k{n}: *b\n" for n in range(MAX_ALIASES + 1))
    with pytest.raises(RammeaftaleError) as caught:
        load_text(text, "bomb.yaml")
    error = caught.value
    assert error.code == "YAML004"
    assert error.as_json("en")["hint"] == "write the values out instead of using &anchor/*alias"
    assert error.as_json("da")["hint"] == "skriv værdierne ud i stedet for at bruge &anker/*alias"
    assert "\n  hint: write the values out" in error.render("en")


def test_a_duplicate_yaml_key_in_english_keeps_the_line_number():
    with pytest.raises(RammeaftaleError) as caught:
        load_text("a: 1\nb: 2\na: 3\n", "x.yaml")
    error = caught.value
    assert error.code == "YAML002"
    assert error.hint == "første gang i linje 1; slet eller omdøb den ene"
    assert error.hint_for("en") == "first on line 1; delete or rename one of them"


def test_a_facts_error_in_english(syd2018):
    with pytest.raises(RammeaftaleError) as caught:
        load_facts_text("- tilbud\n", "facts.yaml", syd2018.period)
    error = caught.value
    assert error.code == "FACTS001"
    assert error.render("en").endswith(
        "\n  hint: at the top stands the subject type with a list of records: 'tilbud:' and then '  - id: ...'")
    assert error.render("da").endswith(
        "\n  tip: øverst står emnetypen med en liste af poster: 'tilbud:' og så '  - id: ...'")


def test_a_misspelt_field_in_a_facts_file_in_english(syd2018):
    text = "tilbud:\n  - id: x\n    driftsherre: Odense\n    pladsr: 3\n"
    with pytest.raises(ErrorList) as caught:
        load_facts_text(text, "facts.yaml", syd2018.period)
    [error] = [error for error in caught.value.errors if error.message_en.endswith("unknown field 'pladsr'")]
    assert error.code == "SCHEMA001"
    assert error.as_json("da")["hint"] == "mente du 'pladser'?"
    assert error.as_json("en")["hint"] == "did you mean 'pladser'?"


def test_an_unknown_reading_in_english(syd2018):
    from rammeaftale.engine.facts import check_readings
    with pytest.raises(RammeaftaleError) as caught:
        check_readings({"no_such_reading": "x"}, syd2018.period, "facts.yaml", 2)
    error = caught.value
    readings = ", ".join(sorted(syd2018.period.readings))
    assert (error.code, error.hint, error.hint_for("en")) == ("FACTS002", "læsninger: " + readings, "readings: " + readings)


def test_an_unknown_function_lists_the_functions_in_english():
    from rammeaftale.dsl.checker import Checker
    from rammeaftale.dsl.parser import parse
    checker = Checker({})
    checker.check(parse("frobnicate(1)"))
    [error] = checker.errors
    assert error.code == "DSL113"
    assert error.hint.startswith("funktioner: abs, all, allocate")
    assert error.hint_for("en").startswith("functions: abs, all, allocate")


def test_a_wrong_number_of_arguments_explains_the_function_in_english():
    from rammeaftale.dsl.checker import Checker
    from rammeaftale.dsl.parser import parse
    checker = Checker({})
    checker.check(parse("summer(1, 2)"))
    [error] = checker.errors
    assert error.code == "DSL114"
    assert error.hint == "summer(): summen af en liste; tjek kommaerne mellem argumenterne"
    assert error.hint_for("en") == "summer(): the sum of a list; check the commas between the arguments"


def test_every_function_has_an_english_doc():
    from rammeaftale.dsl.functions import FUNCTIONS
    assert all(function.doc_en.strip() and function.doc_en != function.doc for function in FUNCTIONS)


# -- the command line ----------------------------------------------------------------------------------------
@pytest.fixture
def broken_rules(tmp_path) -> Path:
    """A copy of the shipped rules with an unknown name (a typo) in one rule of syddanmark 2018."""
    target = tmp_path / "rules"
    shutil.copytree(REPO / "rules", target, ignore=shutil.ignore_patterns("__init__.py", "__pycache__", "*.md"))
    path = target / TILBUD
    text = path.read_text(encoding="utf-8")
    assert HS_WHEN in text, "the rule file changed; update the test"
    path.write_text(text.replace(HS_WHEN, TYPO_WHEN, 1), encoding="utf-8")
    return target


def _cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_check_in_english_prints_the_english_hint(capsys, broken_rules):
    code, out, err = _cli(capsys, "check", "--rules", broken_rules, "--lang", "en")
    text = out + err
    assert code == 1
    assert "unknown name 'hoejeste_taskt'" in text
    assert "hint: did you mean 'hoejeste_takst'?" in text
    assert "tip:" not in text and "mente du" not in text


def test_check_in_danish_prints_the_danish_hint(capsys, broken_rules):
    code, out, err = _cli(capsys, "check", "--rules", broken_rules, "--lang", "da")
    text = out + err
    assert code == 1
    assert "ukendt navn 'hoejeste_taskt'" in text and "tip: mente du 'hoejeste_takst'?" in text
    assert "did you mean" not in text


def test_check_json_in_english_has_the_english_hint(capsys, broken_rules):
    code, out, _ = _cli(capsys, "check", "--rules", broken_rules, "--format", "json", "--lang", "en")
    [error] = json.loads(out)["errors"]
    assert code == 1
    assert (error["code"], error["message"], error["hint"]) == \
        ("DSL101", "unknown name 'hoejeste_taskt'", "did you mean 'hoejeste_takst'?")
    code, out, _ = _cli(capsys, "check", "--rules", broken_rules, "--format", "json")
    [error] = json.loads(out)["errors"]
    assert (error["message"], error["hint"]) == ("ukendt navn 'hoejeste_taskt'", "mente du 'hoejeste_takst'?")


def test_a_missing_rules_folder_in_english(capsys, tmp_path):
    code, out, err = _cli(capsys, "check", "--rules", tmp_path / "nowhere", "--lang", "en")
    text = out + err
    assert code != 0
    assert "hint: give a folder with --rules, e.g. --rules rules" in text and "tip:" not in text


def test_json_lines_error_lines_in_english(capsys, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"type": "tilbd", "id": "y"}\n[1, 2]\n', encoding="utf-8")
    code, out, _ = _cli(capsys, "evaluate", path, "--region", "syddanmark", "--period", "2018", "--format", "jsonl",
                        "--lang", "en")
    errors = [item["error"] for item in map(json.loads, out.splitlines()) if "error" in item]
    assert code == 1
    assert [(error["code"], error["hint"]) for error in errors] == [
        ("JSONL003", "did you mean 'tilbud'?"),
        ("JSONL002", 'each line is one JSON object, e.g. {"type": "tilbud", "id": "palleshave", ...}')]


# -- every hint in the sources has an English twin ----------------------------------------------------------
# Calls allowed to pass `hint=` without `hint_en=`: (file, enclosing function) -> why.
ALLOWED: dict[tuple[str, str], str] = {}


def _helpers(tree: ast.Module) -> dict[str, tuple[int, int | None]]:
    """Functions of one module that take a `hint` parameter: name -> (position of hint, position of hint_en)."""
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names = [arg.arg for arg in node.args.posonlyargs + node.args.args]
            if names[:1] == ["self"]:
                names = names[1:]
            if "hint" in names:
                found[node.name] = (names.index("hint"), names.index("hint_en") if "hint_en" in names else None)
    return found


def _hint_without_english(path: Path) -> list[tuple[int, str]]:
    """(line, enclosing function) of every call in `path` that passes a hint (by keyword, or by position to a
    helper of the same module that takes `hint`) but no `hint_en`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    helpers = _helpers(tree)
    found = []

    def walk(node, function):
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else function
            if isinstance(child, ast.Call):
                keywords = {keyword.arg for keyword in child.keywords}
                name = child.func.attr if isinstance(child.func, ast.Attribute) else getattr(child.func, "id", None)
                has_hint, has_english = "hint" in keywords, "hint_en" in keywords
                if name in helpers:
                    hint_at, english_at = helpers[name]
                    has_hint = has_hint or len(child.args) > hint_at
                    has_english = has_english or (english_at is not None and len(child.args) > english_at)
                if has_hint and not has_english:
                    found.append((child.lineno, function))
            walk(child, inner)

    walk(tree, "<module>")
    return found


def test_every_hint_in_the_sources_has_an_english_hint():
    missing, used = [], set()
    for folder in ("engine", "dsl"):
        for path in sorted((REPO / folder).glob("*.py")):
            name = f"{folder}/{path.name}"
            for line, function in _hint_without_english(path):
                if (name, function) in ALLOWED:
                    used.add((name, function))
                else:
                    missing.append(f"{name}:{line} (in {function})")
    assert missing == [], "give these calls a hint_en= (the hint in English) next to hint="
    assert set(ALLOWED) - used == set(), "these allow-list entries are no longer needed: remove them"


def test_every_helper_that_takes_a_hint_takes_an_english_hint_too():
    lacking = []
    for folder in ("engine", "dsl"):
        for path in sorted((REPO / folder).glob("*.py")):
            for name, (_, english_at) in _helpers(ast.parse(path.read_text(encoding="utf-8"))).items():
                if english_at is None:
                    lacking.append(f"{folder}/{path.name}: {name}")
    assert lacking == []


def test_the_scan_finds_a_hint_without_an_english_one(tmp_path):
    path = tmp_path / "sample.py"
    path.write_text("def _error(code, da, en, hint=None, hint_en=None):\n    pass\n\n"
                    "def f():\n"
                    "    _error('A', 'b', 'c', 'tip')\n"                       # positional hint, no English: found
                    "    _error('A', 'b', 'c', 'tip', 'hint')\n"               # both positional: fine
                    "    _error('A', 'b', 'c', 'tip', hint_en='hint')\n"       # fine
                    "    RammeaftaleError('A', 'b', hint='tip')\n"             # keyword hint, no English: found
                    "    RammeaftaleError('A', 'b', hint='tip', hint_en='hint')\n", encoding="utf-8")
    assert _hint_without_english(path) == [(5, "f"), (8, "f")]


def test_evaluation_errors_have_english_hints():
    from decimal import Decimal
    from rammeaftale.dsl.ast import Node
    from rammeaftale.dsl.compiler import _divide, failed, missing, out_of_range
    node = Node("binop", [Node("name", [], "a", text="a"), Node("name", [], "b", text="b")], "/", text="a / b")
    try:
        _divide(node)(Decimal(1), Decimal(0))
    except RammeaftaleError as error:
        divided = error
    errors = {"EVAL001": missing(node), "EVAL002": divided, "EVAL003": failed(node, ValueError("x")),
              "EVAL004": out_of_range(node, OverflowError("y"))}
    assert {code: error.code for code, error in errors.items()} == {code: code for code in errors}
    english = {code: error.as_json("en")["hint"] for code, error in errors.items()}
    assert english == {
        "EVAL001": "an optional fact is missing, or a list is empty (e.g. no ydelser); in a rule, exists(...) can check that first",
        "EVAL002": "write e.g.: if pladser > 0 then ... else 0 %",
        "EVAL003": "check the arguments in the facts, e.g. a position not in the list or a number of decimals",
        "EVAL004": "check the dates and durations in the facts: a date must lie between year 1 and 9999"}
    assert errors["EVAL002"].as_json("da")["hint"] == "skriv fx: hvis pladser > 0 så ... ellers 0 %"
