"""The generated explained path (engine/explain_fast.py) gives explain.py's answers, byte for byte: for every fixture
record of every shipped period and its variants, for thousands of synthetic tilbud under each reading, in both
languages; and where it cannot (an error, a new pattern beyond the limit, a builder that disagrees), explain.py does."""
from __future__ import annotations

import ast
import datetime
import io
import json
import keyword
import re
import tokenize
from decimal import Decimal

import pytest

from rammeaftale.dsl import codegen
from rammeaftale.engine import bench, explain_fast
from rammeaftale.engine.explain_fast import CODE_TEXTS, FIELDS, CompiledExplainer
from rammeaftale.engine.periods import default_rules_dir

from test_bench import _fixture_cases, _variants


def _text(answers) -> str:
    return json.dumps(answers, ensure_ascii=False, default=str)   # key order counts: it is the output's order


def _both(explainer: CompiledExplainer, facts: dict):
    """(generated, reference) for one record, each as evaluate would print it, with its count of failed decisions."""
    fast, fast_problems = explainer.explain(facts)
    reference, problems = explainer.reference(facts)
    return (_text(fast), fast_problems), (_text(reference), problems)


def _generated_answers(explainer: CompiledExplainer) -> int:
    return sum(1 for known in explainer.builders.values() for build in known.values() if build is not None)


@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_fixture_record_is_explained_as_explain_py_explains_it(lang):
    checked, explainers = 0, {}
    for period, subject, record, day, readings in _fixture_cases():
        explainer = explainers.get((period.id, record.type, day))
        if explainer is None:   # no warm-up: the generated path from the first record on
            explainer = explainers[(period.id, record.type, day)] = CompiledExplainer(subject, period, lang, day, readings,
                                                                                      warm_up=0)
        for values in _variants(record, subject.subject):
            fast, reference = _both(explainer, values)
            assert fast == reference, (period.id, record.id)
            checked += 1
    generated = sum(_generated_answers(explainer) for explainer in explainers.values())
    assert checked > 300          # every fixture record of every shipped period, with its variants
    assert generated > 50         # and many of them through generated builders, not explain.py's fallback


@pytest.mark.parametrize("lang, readings", [
    ("da", {}), ("en", {}), ("da", {"kategori_hul": "lokalt_tilbud"}), ("da", {"hs_praecedens": "takst_kun_kommuner"})])
def test_synthetic_tilbud_are_explained_as_explain_py_explains_them(lang, readings):
    setup = bench.Setup(lang=lang)
    chosen = {**setup.readings, **readings}
    explainer = CompiledExplainer(setup.subject, setup.period, lang, bench.DAY, chosen, {"kategori"}, warm_up=0)
    everything = CompiledExplainer(setup.subject, setup.period, lang, bench.DAY, chosen, warm_up=0)   # both decisions
    answers = set()
    for facts in bench.typed_facts(bench.synthetic_tilbud(1500, 11), setup.subject.subject):
        fast, reference = _both(explainer, facts)
        assert fast == reference
        assert _both(everything, facts)[0] == _both(everything, facts)[1]
        answers.add(fast)
    assert len(answers) > 1000                        # the records differ: sameness is not what makes them equal
    assert explainer.templates > 10 and _generated_answers(explainer) == explainer.templates   # none left to fallback
    assert list(json.loads(_both(everything, facts)[0][0])) == ["kategori", "omfattet"]


def test_zero_and_minus_zero_are_never_mixed_up():
    # -0 reads "-0" and 0 reads "0"; they are equal Decimals with one hash, so a memo keyed on values must keep apart
    setup = bench.Setup()
    explainer = CompiledExplainer(setup.subject, setup.period, "da", bench.DAY, setup.readings, {"kategori"}, warm_up=0)
    base = bench.typed_facts(bench.synthetic_tilbud(1, 3), setup.subject.subject)[0]
    for takst in (Decimal("0"), Decimal("-0"), Decimal("0"), Decimal("-0.00"), Decimal("0.00")):
        facts = {**base, "ydelser": [{"navn": "x", "takst": takst, "enhed": "døgn"}]}
        fast, reference = _both(explainer, facts)
        assert fast == reference
        assert ("-0 kr." in fast[0]) == takst.is_signed()


def test_an_error_is_explained_by_explain_py():
    setup = bench.Setup()
    explainer = CompiledExplainer(setup.subject, setup.period, "da", bench.DAY, setup.readings, warm_up=0)
    base = bench.typed_facts(bench.synthetic_tilbud(1, 3), setup.subject.subject)[0]
    broken = {**base, "ydelser": [{"navn": "x", "takst": None, "enhed": "døgn"}]}   # a takst missing: no highest takst
    fast, reference = _both(explainer, broken)
    assert fast == reference and fast[1] >= 1
    assert '"error"' in fast[0]
    assert _both(explainer, base)[0] == _both(explainer, base)[1]   # and the next record is generated again


def test_a_builder_that_disagrees_is_not_kept(monkeypatch):
    wrong = lambda *arguments: (lambda values, env: {"value": "forkert"})   # noqa: E731
    monkeypatch.setattr(explain_fast, "_builder", wrong)
    setup = bench.Setup()
    explainer = CompiledExplainer(setup.subject, setup.period, "da", bench.DAY, setup.readings, {"kategori"}, warm_up=0)
    for facts in bench.typed_facts(bench.synthetic_tilbud(30, 3), setup.subject.subject):
        fast, reference = _both(explainer, facts)
        assert fast == reference
    assert explainer.templates > 3 and _generated_answers(explainer) == 0


def test_patterns_beyond_the_limit_are_left_to_explain_py(monkeypatch):
    monkeypatch.setattr(explain_fast, "TEMPLATE_LIMIT", 2)
    setup = bench.Setup()
    explainer = CompiledExplainer(setup.subject, setup.period, "da", bench.DAY, setup.readings, {"kategori"}, warm_up=0)
    for facts in bench.typed_facts(bench.synthetic_tilbud(60, 3), setup.subject.subject):
        fast, reference = _both(explainer, facts)
        assert fast == reference
    assert explainer.templates == 2 and sum(len(known) for known in explainer.builders.values()) == 2


def test_the_warm_up_runs_explain_py_and_then_the_generated_path():
    setup = bench.Setup()
    explainer = CompiledExplainer(setup.subject, setup.period, "da", bench.DAY, setup.readings, {"kategori"}, warm_up=5)
    records = bench.typed_facts(bench.synthetic_tilbud(12, 3), setup.subject.subject)
    for facts in records[:5]:
        explainer.explain(facts)
    assert explainer.traced is None
    for facts in records[5:]:
        assert _both(explainer, facts)[0] == _both(explainer, facts)[1]
    assert explainer.traced is not None and explainer.templates > 0


def test_forgetting_empties_the_tables_the_explainers_use():
    setup = bench.Setup()
    explainer = CompiledExplainer(setup.subject, setup.period, "da", bench.DAY, setup.readings, {"kategori"}, warm_up=0)
    for facts in bench.typed_facts(bench.synthetic_tilbud(20, 3), setup.subject.subject):
        explainer.explain(facts)
    assert explainer.explainer._sentences and explainer.explainer._shown
    setup.subject.forget_explanations()
    assert not explainer.explainer._sentences and not explainer.explainer._shown   # the very tables, emptied


def test_generated_explanation_source_holds_no_rule_text(monkeypatch):
    # the traced functions and the builders: no string literal but explain.py's own field names, and only our names
    sources = []
    real = compile

    def keep(source, filename, mode, *rest, **options):
        if filename in ("<rammeaftale explained>", "<rammeaftale explanation>"):
            sources.append(source)
        return real(source, filename, mode, *rest, **options)
    monkeypatch.setattr(codegen, "compile", keep, raising=False)
    setup = bench.Setup()
    explainer = CompiledExplainer(setup.subject, setup.period, "da", bench.DAY, setup.readings, warm_up=0)
    for facts in bench.typed_facts(bench.synthetic_tilbud(200, 4), setup.subject.subject):
        explainer.explain(facts)
    own = re.compile(r"^(env|r|x|value|applied|build|traced|item|error|append|get|pop|fromkeys|__class__|is_signed|"
                     r"[cvs]\d+|r\d+_(\d+|key)|missing|failed|out_of_range|UNSET|Decimal|EvaluationError|SKIPPED|"
                     r"S|SHOWN|D|ZERO|plain|write|learn|isdigit|override_text)$")
    assert len(sources) > 10
    for source in sources:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.STRING:
                assert ast.literal_eval(token.string) in FIELDS | CODE_TEXTS, token.string
            elif token.type == tokenize.NAME:
                assert keyword.iskeyword(token.string) or token.string in codegen._BUILTINS or own.match(token.string), \
                    token.string


def test_the_quick_texts_of_numbers_are_their_definitions():
    # fmt.plain reads str() where that is the same text; fmt.number groups with format(',f'): both against what
    # they are defined as, on the edges (-0, exponents, whole numbers with decimals) and on many seeded values
    import random
    from rammeaftale.engine import fmt

    def defined(item):
        return format(item.normalize(), "f") if item == item.to_integral_value() else format(item, "f")
    rng = random.Random(5)
    values = [Decimal(text) for text in ("0", "-0", "0.00", "-0.00", "10.0", "2000.00", "0.325", "1E+3", "1E-7",
                                         "-1.50", "10.50", "0E+2", "123456789012345678901234567.89")]
    values += [Decimal((rng.randrange(2), tuple(int(digit) for digit in str(rng.randrange(10 ** rng.randrange(1, 12)))),
                        rng.randrange(-12, 8))) for _ in range(5000)]
    assert [fmt.plain(value) for value in values] == [defined(value) for value in values]
    assert [fmt.number(Decimal(text), "da") for text in ("1234567.5", "-0", "2000.00", "1E-7", "-1234.50")] == \
        ["1.234.567,5", "-0", "2.000", "0,0000001", "-1.234,5"]
    assert [fmt.number(Decimal(text), "en", 2) for text in ("1234567.5", "2.005", "-0.001")] == \
        ["1,234,567.50", "2.01", "-0"]   # a whole number after rounding shows none


def test_days_with_the_same_values_in_force_share_one_explainer_and_explain_alike():
    # a stream over many dates of one period: one generated explainer per set of dated parameter values in force,
    # and each record explained as explain.py explains it on its own day
    import datetime
    from types import SimpleNamespace
    from rammeaftale.engine.periods import select
    from rammeaftale.engine.stream import Evaluator
    root = default_rules_dir()
    compiled = select(root, "2023-24", "syddanmark")
    evaluator = Evaluator(root, compiled, None, None, {}, ["kategori"], "da")
    subject = compiled.subjects["tilbud"]
    records = bench.typed_facts(bench.synthetic_tilbud(300, 8), subject.subject)
    days = [datetime.date(2022, 6, 1) + datetime.timedelta(days=2 * index) for index in range(len(records))]   # two periods
    for index, (facts, day) in enumerate(zip(records, days)):
        record = SimpleNamespace(type="tilbud", id=f"t{index}", values=facts, date=day, readings={}, file="-", line=index)
        answer, problems = evaluator.evaluate(record)
        target = evaluator.target(record)
        reference = CompiledExplainer(target.subjects["tilbud"], target.period, "da", day,
                                      {**target.default_readings()}, {"kategori"}, warm_up=10 ** 9).reference(facts)
        assert (_text(answer["decisions"]), problems) == (_text(reference[0]), reference[1]), day
    generated = [explainer for explainer in evaluator._explainers.values() if explainer.traced is not None]
    assert len(set(days)) == 300 and len(evaluator._explainers) <= 4 and generated


def test_a_parameter_compared_with_a_fixed_value_reads_its_own_value(tmp_path, monkeypatch):
    # `graense > 10` with graense a parameter (5): a constant in the generated code, not in env; its sentence must
    # read "grænse er 5" when written anew (memo emptied, or full), as explain.py writes it
    from rammeaftale.engine import explain as reference
    from rammeaftale.engine.periods import compiled_periods
    source, target = default_rules_dir() / "nordjylland" / "2018", tmp_path / "rules" / "nordjylland" / "2018"
    target.mkdir(parents=True)
    (target / "period.yaml").write_text((source / "period.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    text = (source / "ra2018.yaml").read_text(encoding="utf-8")
    parameter = ("parameters:\n  graense:\n    id: nord2018.ra2018.graense\n    type: number\n"
                 "    title: {da: grænse, en: limit}\n    values: {2017-01-01: 5}\n    sources:\n"
                 "      - document: 003_ddc6af9f0ece5e93.txt\n        lines: [515, 516]\n"
                 "        quote: med frist den 15.10.2017\n")
    assert text.count("parameters:\n") == 1 and text.count("when: behandlet <= frist\n") == 1
    text = text.replace("parameters:\n", parameter).replace("when: behandlet <= frist\n", "when: behandlet <= frist og graense > 10\n")
    (target / "ra2018.yaml").write_text(text, encoding="utf-8")
    compiled = next(iter(compiled_periods(tmp_path / "rules").values()))
    subject = compiled.subjects["ra2018_behandling"]
    monkeypatch.setattr(reference, "MEMO_LIMIT", 5)
    for lang, shown in (("da", "grænse er 5;"), ("en", "limit is 5;")):
        explainer = CompiledExplainer(subject, compiled.period, lang, datetime.date(2018, 3, 1), compiled.default_readings(), warm_up=0)
        for day in range(40):
            facts = {"id": str(day), "part": "x", "behandlet": datetime.date(2017, 9, 1) + datetime.timedelta(days=day)}
            fast, expected = _both(explainer, facts)
            assert fast == expected and shown in fast[0]
            if day == 0:
                subject.forget_explanations()
        assert _generated_answers(explainer) >= 1
