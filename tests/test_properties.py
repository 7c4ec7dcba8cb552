"""Property tests: random and mutated DSL expressions, rule files, facts files and case files never give anything but
a RammeaftaleError (with a catalogue code, and a position where the input has one); through the CLI no traceback and
no "intern fejl" reach the user, and the exit code is 0, 1 or 2.

The generators and mutations are fuzz/fuzz_rules.py's (the same as `python fuzz/fuzz_rules.py --iterations N`);
hypothesis draws the seeds and the choices, bounded by max_examples so the file runs in well under a minute.
"""
from __future__ import annotations

import json
import random
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO

sys.path.insert(0, str(REPO / "fuzz"))
import fuzz_rules as fuzz  # noqa: E402  (the fuzz target is a script folder, not a package)

from rammeaftale.dsl.errors import RammeaftaleError  # noqa: E402
from rammeaftale.dsl.parser import parse  # noqa: E402

CORPUS = fuzz.real_expressions()
RULE_FILES = fuzz.rule_files(own_only=True)
FACTS_FILES = fuzz.facts_files()
CASE_FILES = fuzz.case_files()
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(autouse=True)
def _own_rule_cache(tmp_path_factory, monkeypatch):
    # mutated rule folders must not fill the user's rule cache
    monkeypatch.setenv("RAMMEAFTALE_CACHE_DIR", str(tmp_path_factory.mktemp("rule-cache")))


def test_the_corpus_is_the_shipped_rules():
    assert len(CORPUS) > 300 and len(RULE_FILES) > 20 and len(FACTS_FILES) > 15 and len(CASE_FILES) > 15
    # every real expression goes all the way: parsed (and a cell as a cell)
    assert all(isinstance(parse(text, start), object) for text, start in CORPUS)


# -- DSL expressions ----------------------------------------------------------------------------------------
@FAST
@given(st.randoms(use_true_random=False), st.sampled_from(["bool", "number", "kr", "pct", "date"]))
def test_typed_random_expressions_check_and_evaluate(rng, kind):
    text = fuzz.TypedGenerator(fuzz._subject()[0], rng).expr(kind)
    # well-typed by construction: it passes the checker, and the fast and the traced run agree
    assert fuzz.check_expression(text) in ("evaluated", "evaluate"), text


@FAST
@given(st.sampled_from(CORPUS), st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=4))
def test_mutated_real_expressions(original, seeds):
    text, start = original
    for seed in seeds:
        text = fuzz.mutate_text(random.Random(seed), text)
    fuzz.check_expression(text, start)


@FAST
@given(st.lists(st.sampled_from(fuzz.TOKENS), max_size=40).map(" ".join), st.sampled_from(["start", "cell"]))
def test_token_soup(text, start):
    fuzz.check_expression(text, start)


@FAST
@given(st.text(max_size=300))
def test_any_text_as_an_expression(text):
    try:
        fuzz.check_expression(text)
    except fuzz.Finding:
        raise
    # and a syntax error always has a code and a position inside the text
    try:
        parse(text)
    except RammeaftaleError as error:
        assert error.code.startswith("DSL") and error.line >= 1 and error.column >= 1
        assert error.line <= text.count("\n") + 1


@pytest.mark.parametrize("text", [
    "x" + ".a" * 1900,                                  # a field chain: was a RecursionError
    "if a then 1 else " * 230 + "2",                    # an if-chain deeper than MAX_TREE_DEPTH
    "-(" * 30 + "x" + ".a" * 200 + ")" * 30,
], ids=["fields", "if-chain", "mixed"])
def test_deep_chains_are_refused_with_a_position(text):
    with pytest.raises(RammeaftaleError) as caught:
        parse(text)
    assert caught.value.code == "DSL008" and caught.value.line == 1 and caught.value.column > 1


# -- files through the CLI ----------------------------------------------------------------------------------
PLANS = st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=3)


def _mutated(path: Path, seeds: list[int]) -> str:
    text = path.read_text(encoding="utf-8")
    for seed in seeds:
        text = fuzz.mutate_yaml(random.Random(seed), text)
    return text


@SLOW
@given(st.sampled_from(RULE_FILES), PLANS, st.sampled_from([("json",), ("text",)]))
def test_mutated_rule_files_through_check(path, seeds, formats):
    with tempfile.TemporaryDirectory() as folder:
        assert fuzz.check_rule_file(Path(folder), path, _mutated(path, seeds), formats)[0] in (0, 1)


@SLOW
@given(st.sampled_from(FACTS_FILES), PLANS)
def test_mutated_facts_files_through_evaluate(path, seeds):
    with tempfile.TemporaryDirectory() as folder:
        assert fuzz.evaluate_facts_file(Path(folder), path, _mutated(path, seeds)) in (0, 1)


@SLOW
@given(st.sampled_from(CASE_FILES), PLANS)
def test_mutated_case_files_through_test(path, seeds):
    with tempfile.TemporaryDirectory() as folder:
        assert fuzz.run_case_file(Path(folder), path, _mutated(path, seeds)) in (0, 1)


# values of any shape put in place of a real fact: the facts contract (schema, then typed conversion) holds
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.decimals(allow_nan=False, allow_infinity=False, places=4)
    | st.floats(allow_nan=True) | st.text(max_size=20) | st.sampled_from(["2018-02-30", "9999-12-31", "0001-01-01", "40 %", "-5 %"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)


def _leaves(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, path + (index,))
    yield path


def _replace(node, path, value):
    if not path:
        return value
    node[path[0]] = _replace(node[path[0]], path[1:], value)
    return node


def _plain(value):
    return str(value) if isinstance(value, Decimal) else value


@SLOW
@given(st.sampled_from(FACTS_FILES), st.data())
def test_any_value_in_place_of_a_fact(path, data):
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    where = data.draw(st.sampled_from(sorted(set(_leaves(document)), key=repr)))
    value = data.draw(VALUES)
    mutated = _replace(document, where, json.loads(json.dumps(value, default=_plain)) if not isinstance(value, float) else value)
    text = yaml.safe_dump(mutated, allow_unicode=True, sort_keys=False)
    with tempfile.TemporaryDirectory() as folder:
        assert fuzz.evaluate_facts_file(Path(folder), path, text) in (0, 1)


# -- crashes the fuzzer found (each fixed where it arose) ----------------------------------------------------
def test_a_bad_source_inside_a_dated_parameter_value_is_a_schema_error(tmp_path, capsys):
    # was ValueError from int('\x00'): the {value, sources} form of a dated value was not validated
    path = REPO / "rules" / "syddanmark" / "2023-24" / "tilbud.yaml"
    text = path.read_text(encoding="utf-8")
    assert "lines: [" in text
    start = text.index("value:")
    broken = text[:start] + text[start:].replace("lines: [", 'lines: "\\x00" #[', 1)
    code, out = fuzz.check_rule_file(tmp_path, path, broken, formats=("json",))
    assert code == 1
    errors = [error for error in out["errors"] if error["code"] == "SCHEMA001" and error["file"].endswith("2023-24/tilbud.yaml")]
    assert errors and all(error["line"] and error["column"] for error in errors)


def test_a_date_at_the_end_of_the_calendar(tmp_path):
    # was "intern fejl: ValueError: year 10000 is out of range" from '9999-12-31 + 1 måned' in a derived fact
    target = tmp_path / "opsigelse.yaml"
    target.write_text("opsigelse:\n  - {id: x, lovgrundlag: SEL § 108, anledning: ophoer, opsigelsesdato: '9999-12-31', "
                      "ophoersdato: '9999-12-31'}\n", encoding="utf-8")
    argv = ["evaluate", target, "--period", "2018", "--region", "syddanmark", "--format", "json"]
    code, out, err = fuzz.run_cli(argv)
    fuzz.assert_clean(argv, code, out, err)
    inputs = json.loads(out)["subjects"][0]["decisions"]["varsel_udloeber"]
    assert inputs["value"] is None and inputs["explanation"]["inputs"]["loebende_maaned"]["value"] == "9999-12-31"


def test_date_arithmetic_past_the_calendar_is_an_evaluation_error():
    from rammeaftale.dsl import types as T
    from rammeaftale.dsl.checker import Checker, Symbol
    from rammeaftale.dsl.compiler import compile_expression
    import datetime
    node = parse("dag + 1 måned")
    Checker({"dag": Symbol(T.DATE, "fact")}).check(node)
    with pytest.raises(RammeaftaleError) as caught:
        compile_expression(node)({"dag": datetime.date(9999, 12, 31)})
    assert (caught.value.code, caught.value.line, caught.value.column) == ("EVAL004", 1, 1)
    assert compile_expression(node)({"dag": datetime.date(9999, 11, 30)}) == datetime.date(9999, 12, 30)
