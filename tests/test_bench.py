"""`rammeaftale bench` and the speed work behind it: every engine gives the same answers, the JSON has its shape,
the generated functions give what the closures give, and the rule cache gives what the files give.
No timings are asserted here: speed is measured by `rammeaftale bench` and benchmarks/, as ratios in one run."""
from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import REPO
from rammeaftale.dsl import codegen
from rammeaftale.dsl.compiler import EvaluationError
from rammeaftale.dsl.errors import RammeaftaleError
from rammeaftale.dsl.functions import BY_NAME
from rammeaftale.engine import bench, rulecache
from rammeaftale.engine.cli import main
from rammeaftale.engine.compile import compile_period
from rammeaftale.engine.evaluate import decide_fast, environment, evaluate_subject, restricted
from rammeaftale.engine.explain import Explainer
from rammeaftale.engine.facts import load_facts
from rammeaftale.engine.periods import compiled_periods, default_rules_dir, load_all


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("RAMMEAFTALE_CACHE_DIR", str(tmp_path / "cache"))


# -- the synthetic tilbud and the engines ----------------------------------------------------------------
def test_synthetic_tilbud_cover_every_outcome_and_boundary():
    setup = bench.Setup()
    records = bench.synthetic_tilbud(400, 3)
    assert records == bench.synthetic_tilbud(400, 3)            # the seed decides everything
    assert records != bench.synthetic_tilbud(400, 4)
    decide = setup.hand_written()
    typed = bench.typed_facts(records, setup.subject.subject)
    outcomes = {decide(facts) for facts in typed if facts["vurdering"] is None}
    assert outcomes == {"hoejt_specialiseret", "klyngetilbud", "lokalt_tilbud"}
    derived = [bench.derived_plain(bench.plain_json(record)) for record in records]
    assert any(item["hoejeste_takst"] == 2000 for item in derived)
    assert any(item["hoejeste_takst"] == 1999.5 for item in derived)
    assert any(item["antal_koeberkommuner"] == 4 for item in derived)
    assert any(item["antal_koeberkommuner"] == 3 for item in derived)
    assert any(item["andel_solgt"] == 0.4 for item in derived)
    assert any(0.3 <= item["andel_solgt"] < 0.4 for item in derived)
    assert any(record["pladser"] == 0 for record in records)
    assert 20 < sum("vurdering" in record for record in records) < 120
    # the gap (takst >= 2000, 1-3 kommuner, under 40 %) is decided by the gap rule, as the rule file says
    gap = next(facts for facts, item in zip(typed, derived)
               if item["hoejeste_takst"] >= 2000 and 1 <= item["antal_koeberkommuner"] <= 3 and item["andel_solgt"] < 0.4
               and facts["vurdering"] is None)
    results, _ = evaluate_subject(setup.subject, gap, setup.readings, bench.DAY, {"kategori"})
    assert results["kategori"].rule.rule.id == "syd2018.kategori.hul_klynge"


def test_every_engine_gives_the_same_kategori():
    ids, engines = bench.prepare(300, 11)
    bench.agree(ids, engines)                                    # raises Disagreement otherwise
    answers = bench.answers(engines)
    assert answers["engine"] == answers["hand_written"] == answers["engine_traced"]
    assert len(answers["engine"]) == 300
    for name in bench.PEERS:
        if engines[name] is not None:
            assert answers[name] == answers["engine"], name


def test_a_disagreement_names_the_record_and_exits_1(monkeypatch, capsys):
    monkeypatch.setattr(bench, "hand_written_kategori", lambda *limits: (lambda facts: "lokalt_tilbud"))
    code = main(["bench", "--n", "40", "--repeat", "1"])
    err = capsys.readouterr().err
    assert code == 1
    assert "tilbud t0000" in err and "hand_written=lokalt_tilbud" in err and "engine=" in err


def test_bench_json_shape(capsys):
    code = main(["bench", "--n", "60", "--seed", "5", "--repeat", "1", "--format", "json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    assert result["format"] == "rammeaftale.bench/1"
    assert set(result["decisions_per_second"]) == {"engine", "engine_traced", "hand_written", "json_logic",
                                                    "rule_engine", "zen_engine"}
    assert set(result["ratios"]) == {"engine_vs_hand_written", "traced_vs_json_logic", "traced_vs_rule_engine"}
    assert set(result["targets_met"]) == set(result["ratios"])
    assert (result["n"], result["seed"]) == (60, 5)
    assert result["python"].count(".") == 2 and "cores" in result["machine"]
    for name in ("engine", "engine_traced", "hand_written"):
        assert result["decisions_per_second"][name] > 0
    rates = result["decisions_per_second"]
    assert result["ratios"]["engine_vs_hand_written"] == round(rates["engine"] / rates["hand_written"], 3)
    for name, ratio in result["ratios"].items():
        met = result["targets_met"][name]
        assert (met is None) if ratio is None else (met == (ratio >= result["targets"][name]))
    for peer, ratio in (("json_logic", "traced_vs_json_logic"), ("rule_engine", "traced_vs_rule_engine")):
        assert (rates[peer] is None) == (result["ratios"][ratio] is None)
    assert result["peers_precomputed"] == ["hoejeste_takst", "antal_koeberkommuner", "andel_solgt"]
    assert result["breakdown"]["reference_explained"] > 0 and result["breakdown"]["traced_vs_reference"] > 0


def test_bench_text_in_both_languages(capsys):
    assert main(["bench", "--n", "30", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "afgørelser/s" in out and "håndskrevet" in out and "beregnet pr. tilbud i den tidsmålte løkke" in out
    assert main(["bench", "--n", "30", "--repeat", "1", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "decisions/s" in out and "hand-written" in out and "inside the timed loop" in out


def test_bench_refuses_a_zero_count(capsys):
    assert main(["bench", "--n", "0"]) == 2
    assert "--n" in capsys.readouterr().err


# -- generated functions = closures ------------------------------------------------------------------------
def _outcome(function, env):
    try:
        return ("value", function(dict(env)))
    except RammeaftaleError as error:
        return ("error", error.code, error.message, error.line, error.column)
    except Exception as error:   # a fault of the engine's own (e.g. allocate() of a missing weight): the same one
        return ("exception", type(error).__name__, str(error))


def _fixture_records(period):
    folder = REPO / "fixtures" / period.region / period.id
    records = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        records += load_facts(str(path), period)
    return records


def _fixture_cases():
    """(period, compiled subject, record, day, default readings) for every fixture record of every shipped period."""
    for period in load_all(default_rules_dir())[0]:
        compiled = compile_period(period)
        readings = compiled.default_readings()
        for record in _fixture_records(period):
            yield period, compiled.subjects[record.type], record, record.date or period.valid_from, readings


def _variants(record, subject):
    """The record, and copies with each optional fact left out and each list emptied (valid facts all): the
    error paths of missing values."""
    yield record.values
    for name, fact in subject.facts.items():
        if fact.spec.get("optional") and record.values.get(name) is not None:
            yield {**record.values, name: None}
        if fact.spec.get("type") == "list" and record.values.get(name):
            yield {**record.values, name: []}


def _expressions(subject):
    for name, item in subject.derived.items():
        yield name, item.expr.node
    for decision in subject.decisions.values():
        for rule in decision.rules:
            yield rule.id, rule.when.node
            if rule.then_expr is not None:
                yield rule.id + ".then", rule.then_expr.node
        if decision.override:
            for part in ("when", "value", "reason", "by"):
                expression = getattr(decision.override, part)
                if expression is not None:
                    yield f"{decision.name}.override.{part}", expression.node


def test_generated_functions_give_what_the_closures_give():
    periods, errors = load_all(default_rules_dir())
    assert not errors
    compared = failures = 0
    for period in periods:
        compiled = compile_period(period)
        readings = compiled.default_readings()
        records = _fixture_records(period)
        for subject_name, subject in compiled.subjects.items():
            generated = {label: (node, codegen.function_for(node)) for label, node in _expressions(subject.subject)}
            assert all(function is not None for _, function in generated.values())
            for record in (item for item in records if item.type == subject_name):
                for values in _variants(record, subject.subject):
                    # every expression on the env evaluation ends with: all facts, parameters, derived facts, decisions
                    _, env = evaluate_subject(subject, values, readings, record.date or period.valid_from)
                    for label, (node, function) in generated.items():
                        expected, got = _outcome(node.run, env), _outcome(function, env)
                        assert got == expected, (period.id, subject_name, record.id, label)
                        compared += 1
                        failures += expected[0] == "error"
    assert compared > 5000 and failures > 300, (compared, failures)   # the error paths were compared too


def test_speed_up_keeps_every_answer_and_explanation():
    periods, _ = load_all(default_rules_dir())
    for period in periods:
        slow, fast = compile_period(period), compile_period(period)
        for subject in fast.subjects.values():
            subject.speed_up()
        readings = slow.default_readings()
        for record in _fixture_records(period):
            for values in _variants(record, slow.subjects[record.type].subject):
                day = record.date or period.valid_from
                answers = []
                for compiled in (slow, fast):
                    subject = compiled.subjects[record.type]
                    results, env = evaluate_subject(subject, values, readings, day)
                    explainer = Explainer(subject, period, "da", day)
                    answers.append(({name: explainer.explain(result, env) for name, result in results.items()},
                                    _outcome(lambda env: decide_fast(subject, env, readings),
                                             environment(subject, values, day))))
                assert answers[0] == answers[1], (period.id, record.id)


def test_only_some_decisions_gives_the_same_results():
    ids, engines = bench.prepare(60, 2)
    setup = bench.Setup()
    for facts in engines["engine"][1]:
        every, env_all = evaluate_subject(setup.subject, facts, setup.readings, bench.DAY)
        some, env_some = evaluate_subject(setup.subject, facts, setup.readings, bench.DAY, {"kategori"})
        assert set(some) == {"kategori"}
        assert setup.explainer.explain(some["kategori"], env_some) == setup.explainer.explain(every["kategori"], env_all)
        assert decide_fast(setup.plan, environment(setup.plan, facts, bench.DAY), setup.readings)["kategori"] == \
            every["kategori"].value


@pytest.mark.parametrize("items", [[], [Decimal(3), Decimal("1.5"), Decimal(3)], [Decimal("0.1")] * 4,
                                   ["b", "a", "b"], [datetime.date(2018, 1, 2), datetime.date(2017, 5, 1)],
                                   [Decimal(1), Decimal("1.0"), Decimal(2)]])
def test_written_out_list_functions_equal_the_function_table(items):
    for name in ("sum", "max", "min", "count", "distinct"):
        function = BY_NAME[name]
        if name == "sum" and items and not isinstance(items[0], Decimal):
            continue
        node = codegen.Node("call", [codegen.Node("name", [], "xs", text="xs")], name, text=f"{name}(xs)")
        node.children[0].type = _list_type(items)
        node.children[0].run = lambda env: env["xs"]
        node.run = lambda env: function.run(env["xs"])
        generated = codegen.function_for(node)
        expected = _outcome(lambda env: function.run(env["xs"]), {"xs": items})
        got = _outcome(generated, {"xs": items})
        assert got == expected and type(got[1]) is type(expected[1]), name


def _list_type(items):
    from rammeaftale.dsl import types as T
    if items and isinstance(items[0], str):
        return T.list_of(T.TEXT)
    if items and isinstance(items[0], datetime.date):
        return T.list_of(T.DATE)
    return T.list_of(T.NUMBER)


def test_generated_source_holds_no_rule_text():
    # every expression of every shipped period: the generated source has no string literal and only our own names
    # (env, constants c0.., temporaries v0.., Python keywords and builtins), so no rule-file text is ever executed
    import io
    import keyword
    import re
    import tokenize
    own = re.compile(r"^(env|item|error|append|get|pop|fromkeys|[cv]\d+|missing|failed|out_of_range|UNSET|Decimal|ZERO|EvaluationError)$")
    checked = 0
    for compiled in compiled_periods(default_rules_dir()).values():
        for subject in compiled.period.subjects.values():
            nodes = [item.expr.node for item in subject.derived.values()]
            nodes += [rule.when.node for decision in subject.decisions.values() for rule in decision.rules]
            for node in nodes:
                writer = codegen._Writer()
                codegen._gen(writer, node, 1)
                source = "\n".join(writer.lines) + "\n"
                for token in tokenize.generate_tokens(io.StringIO(source).readline):
                    assert token.type != tokenize.STRING, (node.text, source)
                    if token.type == tokenize.NAME:
                        assert keyword.iskeyword(token.string) or token.string in codegen._BUILTINS \
                            or own.match(token.string), (token.string, node.text)
                checked += 1
    assert checked > 1000


def test_a_missing_value_names_the_same_node_either_way():
    setup = bench.Setup()
    node = setup.subject.subject.derived["hoejeste_takst"].expr.node
    env = environment(setup.subject, {**bench.typed_facts(bench.synthetic_tilbud(1, 1), setup.subject.subject)[0],
                                      "ydelser": [{"navn": "x", "takst": None, "enhed": "døgn"}]}, bench.DAY)
    with pytest.raises(EvaluationError) as closure:
        node.run(env)
    with pytest.raises(EvaluationError) as generated:
        codegen.function_for(node)(env)
    assert (generated.value.code, generated.value.message, generated.value.line, generated.value.column) == \
        (closure.value.code, closure.value.message, closure.value.line, closure.value.column)


# -- the rule cache --------------------------------------------------------------------------------------------
def test_the_cache_gives_the_periods_the_files_give(tmp_path):
    first, errors = load_all(default_rules_dir())
    assert not errors
    assert list((tmp_path / "cache").glob("rules-*.json.z"))
    second, errors = load_all(default_rules_dir())            # from the cache
    assert not errors
    assert rulecache.encode(second) == rulecache.encode(first)
    assert [period.digest for period in second] == [period.digest for period in first]


def test_a_damaged_or_foreign_cache_entry_is_ignored(tmp_path):
    first, _ = load_all(default_rules_dir())
    entry = next((tmp_path / "cache").glob("rules-*.json.z"))
    entry.write_bytes(b"not a cache entry")
    again, errors = load_all(default_rules_dir())
    assert not errors and rulecache.encode(again) == rulecache.encode(first)
    # an entry naming a class outside our data classes is never built
    import zlib
    entry.write_bytes(zlib.compress(json.dumps({"format": rulecache.FORMAT, "shapes": [["Popen", ["args"]]],
                                                "data": ["o", 0, ["ls"]]}).encode()))
    assert rulecache.load(entry.name[len("rules-"):-len(".json.z")], "rules") is None


def test_a_changed_rule_file_misses_the_cache(tmp_path):
    import shutil
    root = tmp_path / "rules"
    shutil.copytree(REPO / "rules", root)
    key = rulecache.rules_key(root)
    load_all(root)
    tilbud = root / "syddanmark" / "2018" / "tilbud.yaml"
    tilbud.write_text(tilbud.read_text(encoding="utf-8").replace("antal_koeberkommuner = 0", "antal_koeberkommuner = nul"),
                      encoding="utf-8")
    assert rulecache.rules_key(root) != key
    _, errors = load_all(root)                                # the real load, with its error
    assert any(error.file.endswith("tilbud.yaml") for error in errors)


def test_the_cache_can_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv("RAMMEAFTALE_CACHE", "0")
    load_all(default_rules_dir())
    assert not (tmp_path / "cache").exists()


def test_check_reads_the_same_from_the_cache(capsys):
    outputs = []
    for _ in range(2):   # the first run writes the cache, the second reads it (rules and analysis)
        code = main(["check", "--format", "json"])
        outputs.append((code, capsys.readouterr().out))
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0][1])["analysis"]


def test_check_from_the_cache_imports_no_reader_of_rule_files(tmp_path):
    # a `check` served by the rule cache needs neither YAML, the schema validator nor the DSL parser (nor the
    # streaming evaluator): they are imported where the files are read, which was most of check's start-up time
    import os
    import subprocess
    import sys
    env = dict(os.environ, RAMMEAFTALE_CACHE_DIR=str(tmp_path / "cache"))
    script = ("import sys; from rammeaftale.engine.cli import main; code = main(['check']); "
              "print(code, sorted(name for name in ('yaml', 'jsonschema', 'lark', 'rammeaftale.engine.stream') if name in sys.modules))")
    runs = [subprocess.run([sys.executable, "-c", script], env=env, cwd=REPO, capture_output=True, text=True, check=True)
            for _ in range(2)]
    first, second = (run.stdout.strip().splitlines()[-1] for run in runs)
    assert first == "0 ['jsonschema', 'lark', 'yaml']"    # the first run reads the files (and fills the cache)
    assert second == "0 []"
