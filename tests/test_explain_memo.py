"""What explain.py remembers (sentences, shown values, sources, flags) never changes an explanation: the text a warm
explainer gives is the text a fresh one writes, for every fixture record and its variants, in both languages."""
from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest

from rammeaftale.engine import bench, explain
from rammeaftale.engine.evaluate import evaluate_subject
from rammeaftale.engine.explain import Explainer, memo_key, remembered

from test_bench import _fixture_cases, _variants


def _text(answers) -> str:
    return json.dumps(answers, ensure_ascii=False, sort_keys=True, default=str)


def _explained(subject, period, values, readings, day, lang, explainer=None):
    results, env = evaluate_subject(subject, values, readings, day)
    explainer = explainer or Explainer(subject, period, lang, day)
    return _text({name: explainer.explain(result, env) for name, result in results.items()})


@pytest.mark.parametrize("lang", ["da", "en"])
def test_a_warm_explainer_writes_what_a_fresh_one_writes(lang):
    checked = 0
    warm: dict = {}
    for period, subject, record, day, readings in _fixture_cases():
        for values in _variants(record, subject.subject):
            explainer = warm.get((period.id, record.type, day))
            if explainer is None:
                explainer = warm[(period.id, record.type, day)] = Explainer(subject, period, lang, day)
            remembered_text = _explained(subject, period, values, readings, day, lang, explainer)
            subject.explain_memo.clear()      # as if nothing had been explained before
            fresh_text = _explained(subject, period, values, readings, day, lang)
            subject.explain_memo.clear()
            assert remembered_text == fresh_text, (period.id, record.id)
            # and the warm explainer again, now on a memo filled by the fresh one's single record
            assert _explained(subject, period, values, readings, day, lang, explainer) == fresh_text
            checked += 1
    assert checked > 300   # every fixture record of every shipped period, with its variants


def test_synthetic_tilbud_explained_alike_warm_and_cold():
    setup = bench.Setup()
    records = bench.typed_facts(bench.synthetic_tilbud(400, 5), setup.subject.subject)
    warm = [_explained(setup.subject, setup.period, facts, setup.readings, bench.DAY, "da", setup.explainer)
            for facts in records]
    cold = []
    for facts in records:
        setup.subject.explain_memo.clear()
        cold.append(_explained(setup.subject, setup.period, facts, setup.readings, bench.DAY, "da"))
    assert warm == cold
    assert len(set(warm)) > 300   # the records differ: the memo is not hiding sameness


def test_memo_keys_keep_apart_what_reads_differently():
    # equal values that read alike share a key
    assert memo_key("n", (Decimal("2000"),)) == memo_key("n", (Decimal("2000.00"),))
    # True == 1 == Decimal(1) in Python, but "ja", "1" and "1" read differently or come from other types
    assert len({memo_key("n", (True,)), memo_key("n", (1,)), memo_key("n", (Decimal(1),))}) == 3
    # -0 reads "-0": never a key, so it is never mistaken for 0
    assert memo_key("n", (Decimal("-0"),)) is None
    assert memo_key("n", (Decimal("0"),)) is not None
    assert explain.fmt.value(Decimal("-0"), None) == "-0" and explain.fmt.value(Decimal("0"), None) == "0"


def test_remembered_writes_once_and_skips_what_cannot_be_a_key():
    calls = []

    def write():
        calls.append(1)
        return f"text {len(calls)}"

    cache: dict = {}
    assert remembered(cache, ("k", 1), write) == "text 1"
    assert remembered(cache, ("k", 1), write) == "text 1"    # remembered: not written again
    assert remembered(cache, None, write) == "text 2"        # no key: written each time
    assert remembered(cache, ("k", [1, 2]), write) == "text 3"   # a list: not hashable, written, not kept
    assert len(cache) == 1 and len(calls) == 3


def test_the_memo_stays_bounded(monkeypatch):
    monkeypatch.setattr(explain, "MEMO_LIMIT", 50)
    setup = bench.Setup()
    setup.subject.explain_memo.clear()
    explainer = Explainer(setup.subject, setup.period, "da", bench.DAY)
    for facts in bench.typed_facts(bench.synthetic_tilbud(300, 9), setup.subject.subject):
        _explained(setup.subject, setup.period, facts, setup.readings, bench.DAY, "da", explainer)
    memo = setup.subject.explain_memo["da"]
    assert 0 < len(memo["sentences"]) <= 50 and 0 < len(memo["shown"]) <= 50


def test_one_trace_explained_in_both_languages(syd2018):
    from conftest import tilbud, buyers
    import yaml
    from rammeaftale.engine.facts import load_facts_text
    record = tilbud(ydelser=[{"navn": "Botilbud", "takst": 2500, "enhed": "døgn"}], koeb=buyers(1, 1))
    facts = load_facts_text(yaml.safe_dump({"tilbud": [record]}, allow_unicode=True), "t.yaml", syd2018.period)[0]
    subject = syd2018.subjects["tilbud"]
    results, env = evaluate_subject(subject, facts.values, syd2018.default_readings(), datetime.date(2018, 6, 1),
                                    {"kategori"})
    danish = Explainer(subject, syd2018.period, "da").explain(results["kategori"], env)
    english = Explainer(subject, syd2018.period, "en").explain(results["kategori"], env)
    failed_da = danish["explanation"]["tried_before"][0]["failed"]
    failed_en = english["explanation"]["tried_before"][0]["failed"]
    assert failed_da == ["sælger pladser til 2 andre kommuner; kræver mindst 4 (mangler 2)",
                         "sælger 10 % af pladserne til andre kommuner; kræver mindst 40 % (mangler 30 procentpoint)"]
    assert all("requires" in sentence for sentence in failed_en)   # not the Danish sentences written first
