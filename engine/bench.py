"""`rammeaftale bench`: decisions per second for the 2018 Syddanmark `kategori` decision, in one process and one run.

The same N synthetic tilbud (facts format, with `ydelser` and `koeb` lists, made from a seed) are decided by
- the engine without explanation (`decide_fast` on the compiled subject, only the steps `kategori` needs),
- the engine with full explanation, as `rammeaftale evaluate` makes it (explain_fast.CompiledExplainer: generated
  code whose answers are explain.py's, byte for byte), and, for comparison, explain.py's interpreted path alone
  (`evaluate_subject` + `Explainer.explain`, the reference),
- a hand-written Python function with the same derivations and rules (Decimal arithmetic: the practical floor),
- and, when installed, json-logic (panzi-json-logic), rule-engine and zen-engine. Those get each record in plain
  JSON form; the derived facts they cannot express as rule-file logic (highest takst, distinct buying kommuner
  besides the driftsherre, share sold) are computed per record inside the timed loop by one Python function
  shared by the three, and the output says so.
Before anything is timed, every engine must give the same kategori on every record (exit 1 with the first
disagreement). Each engine is timed `--repeat` times, interleaved, in CPU time of this process, and its best run
counts: the machine may be shared, and the ratios of one run are what the targets are about.
The bench's own data (the N records in three forms, some 10^6 objects) is set aside from Python's garbage collector
(gc.freeze) before timing: a full collection, which any engine's surviving objects can set off, would otherwise walk
all of it inside that engine's time, which no real run over a stream has to.
"""
from __future__ import annotations

import datetime
import gc
import json
import os
import platform
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

from .evaluate import decide_fast, environment, evaluate_subject, restricted
from .explain import Explainer
from .explain_fast import CompiledExplainer
from .facts import _convert
from .periods import default_rules_dir, select

FORMAT = "rammeaftale.bench/1"
REGION, PERIOD, SUBJECT, DECISION = "syddanmark", "2018", "tilbud", "kategori"
DAY = datetime.date(2018, 1, 1)
ENGINES = ("engine", "engine_traced", "hand_written", "json_logic", "rule_engine", "zen_engine")
PEERS = ("json_logic", "rule_engine", "zen_engine")
TARGETS = {"engine_vs_hand_written": Decimal("0.25"), "traced_vs_json_logic": Decimal(1), "traced_vs_rule_engine": Decimal(1)}

KOMMUNER = ["Assens", "Billund", "Esbjerg", "Fanø", "Fredericia", "Faaborg-Midtfyn", "Haderslev", "Kerteminde",
            "Kolding", "Langeland", "Middelfart", "Nordfyn", "Nyborg", "Odense", "Svendborg", "Sønderborg", "Tønder",
            "Varde", "Vejen", "Vejle", "Ærø", "Aabenraa"]
LOVGRUNDLAG = ["SEL § 107", "SEL § 108", "SEL § 104", "SEL § 66 stk. 1 nr. 6", "SEL § 85", "SEL § 103"]
# what each synthetic record is made to hit (the default readings decide the gap as klyngetilbud)
SCENARIOS = ("hoejt_kommuner", "hoejt_andel", "gap", "klynge", "lokal", "lokal_kun_egne")

TEXT = {
    "da": {"title": "Hastighed: afgørelsen 'kategori' (syddanmark 2018), {n} syntetiske tilbud, frø {seed}, bedste af {repeat}",
           "per_second": "afgørelser/s", "not_installed": "ikke installeret (pip install '.[bench]')",
           "ratio": "forhold", "target": "mål", "met": "nået", "not_met": "IKKE nået", "na": "kan ikke måles",
           "names": {"engine": "motoren uden forklaring", "engine_traced": "motoren med fuld forklaring",
                     "hand_written": "håndskrevet Python (Decimal)", "json_logic": "json-logic (panzi-json-logic)",
                     "rule_engine": "rule-engine", "zen_engine": "zen-engine"},
           "ratios": {"engine_vs_hand_written": "motoren uden forklaring / håndskrevet",
                      "traced_vs_json_logic": "motoren med forklaring / json-logic",
                      "traced_vs_rule_engine": "motoren med forklaring / rule-engine"},
           "precomputed": "json-logic, rule-engine og zen-engine får de afledte fakta (højeste takst, antal købende "
                          "kommuner ud over driftsherren, andel solgt) beregnet pr. tilbud i den tidsmålte løkke af én "
                          "fælles Python-funktion; selve afgørelsen (reglerne og vurderingen) står i deres eget sprog.",
           "disagree": "motorerne er uenige om tilbud {id}: {answers}", "machine": "maskine",
           "breakdown": "  til sammenligning explain.py fortolket (evaluate_subject + Explainer): {rate} afgørelser/s; den genererede vej er {times} gange hurtigere"},
    "en": {"title": "Speed: the decision 'kategori' (syddanmark 2018), {n} synthetic tilbud, seed {seed}, best of {repeat}",
           "per_second": "decisions/s", "not_installed": "not installed (pip install '.[bench]')",
           "ratio": "ratio", "target": "target", "met": "met", "not_met": "NOT met", "na": "cannot be measured",
           "names": {"engine": "engine without explanation", "engine_traced": "engine with full explanation",
                     "hand_written": "hand-written Python (Decimal)", "json_logic": "json-logic (panzi-json-logic)",
                     "rule_engine": "rule-engine", "zen_engine": "zen-engine"},
           "ratios": {"engine_vs_hand_written": "engine without explanation / hand-written",
                      "traced_vs_json_logic": "engine with explanation / json-logic",
                      "traced_vs_rule_engine": "engine with explanation / rule-engine"},
           "precomputed": "json-logic, rule-engine and zen-engine get the derived facts (highest takst, number of buying "
                          "kommuner besides the driftsherre, share sold) computed per tilbud inside the timed loop by one "
                          "shared Python function; the decision itself (the rules and the assessment) is in their own language.",
           "disagree": "the engines disagree on tilbud {id}: {answers}", "machine": "machine",
           "breakdown": "  for comparison explain.py interpreted (evaluate_subject + Explainer): {rate} decisions/s; the generated path is {times} times faster"},
}


class Disagreement(Exception):
    def __init__(self, record_id: str, answers: dict):
        super().__init__(record_id)
        self.record_id, self.answers = record_id, answers


# -- synthetic tilbud ------------------------------------------------------------------------------------
def synthetic_tilbud(n: int, seed: int) -> list[dict]:
    """N tilbud as a facts file holds them (numbers as YAML gives them: int, or Decimal with a decimal point),
    spread over every outcome and the boundaries 2000 kr, 4 kommuner and 40 %, some with a vurdering."""
    rng = random.Random(seed)
    records = []
    for index in range(n):
        # the first rounds take every scenario in turn, so even a small N has each outcome
        scenario = SCENARIOS[index % len(SCENARIOS)] if index < 4 * len(SCENARIOS) else rng.choice(SCENARIOS)
        driftsherre = rng.choice(KOMMUNER)
        others = [name for name in KOMMUNER if name != driftsherre]
        edge = rng.random() < 0.4     # on a boundary: exactly 2000 kr / 4 kommuner / 40 %, or just beside it
        pladser = rng.choice([10, 20, 25, 40, 50, 100])
        needed = pladser * 40 // 100          # 40 % of the places (a whole number for these sizes)
        if scenario == "hoejt_kommuner":      # takst >= 2000 and at least 4 kommuner
            top, buyers = _high(rng, edge), 4 if edge else rng.randrange(4, 12)
            sold = rng.randrange(buyers, buyers + pladser)
        elif scenario == "hoejt_andel":       # takst >= 2000, 1-3 kommuner, at least 40 % sold
            top, buyers = _high(rng, edge), rng.randrange(1, 4)
            sold = needed if edge else rng.randrange(needed, pladser + 1)
        elif scenario == "gap":               # takst >= 2000, 1-3 kommuner, under 40 %: the gap (klyngetilbud by default)
            top, buyers = _high(rng, edge), 3 if edge else rng.randrange(1, 4)
            sold = needed - 1 if edge else rng.randrange(buyers, needed)
        elif scenario == "klynge":            # takst under 2000 and sold to others, even to many
            top = Decimal("1999.5") if edge else Decimal(rng.randrange(600, 3999)) / 2
            buyers = rng.randrange(1, 12)
            sold = rng.randrange(buyers, buyers + pladser)
        else:                                 # lokalt tilbud: no other kommune buys (perhaps the driftsherre itself)
            top, buyers, sold = Decimal(rng.randrange(600, 8000)) / 2, 0, 0
            if scenario == "lokal" and edge:
                pladser = 0                   # no places at all: the share sold is 0 %
        record = {"id": f"t{index + 1:06d}", "navn": f"Syntetisk tilbud {index + 1}", "driftsherre": driftsherre,
                  "driftsform": rng.choice(["kommunal", "kommunal", "regional"]),
                  "lovgrundlag": rng.sample(LOVGRUNDLAG, rng.randrange(1, 3)), "pladser": pladser,
                  "ydelser": _ydelser(rng, top), "koeb": _koeb(rng, driftsherre, rng.sample(others, buyers), sold, scenario)}
        if rng.random() < 0.15:
            record["vurdering"] = {"kategori": rng.choice(["hoejt_specialiseret", "klyngetilbud", "lokalt_tilbud"]),
                                   "begrundelse": "Kommunens vurdering (syntetisk)."}
            if rng.random() < 0.5:
                record["vurdering"]["af"] = f"{driftsherre} Kommune"
        records.append(record)
    return records


def _high(rng: random.Random, edge: bool) -> Decimal:
    return Decimal(2000) if edge else Decimal(rng.randrange(4001, 12000)) / 2


def _ydelser(rng: random.Random, top: Decimal) -> list[dict]:
    items = [{"navn": "Hovedydelse", "takst": _number(top), "enhed": "døgn"}]
    for number in range(rng.randrange(0, 5)):
        items.append({"navn": f"Ydelse {number + 2}", "takst": _number(Decimal(rng.randrange(100, int(top * 2) + 1)) / 2),
                      "enhed": rng.choice(["døgn", "dag", "time"])})
    rng.shuffle(items)
    return items


def _koeb(rng: random.Random, driftsherre: str, buyers: list[str], sold: int, scenario: str) -> list[dict]:
    """Purchases of `sold` places by exactly these buyers (each at least one place; some kommuner on two lines),
    plus now and then the driftsherre's own places, which never count."""
    shares = [1] * len(buyers)
    for _ in range(sold - len(buyers)):
        shares[rng.randrange(len(shares))] += 1
    lines = []
    for kommune, share in zip(buyers, shares):
        if share > 1 and rng.random() < 0.25:
            lines += [{"kommune": kommune, "pladser": share - 1}, {"kommune": kommune, "pladser": 1}]
        else:
            lines.append({"kommune": kommune, "pladser": share})
    if scenario == "lokal_kun_egne" or rng.random() < 0.5:
        lines.append({"kommune": driftsherre, "pladser": rng.randrange(1, 30)})
    rng.shuffle(lines)
    return lines


def _number(value: Decimal):
    return int(value) if value == value.to_integral_value() else value


def typed_facts(records: list[dict], subject) -> list[dict]:
    """The engine's facts: each record converted as a facts file is (Decimal amounts, [] for a missing list)."""
    return [{name: _convert(record.get(name), fact.spec) for name, fact in subject.facts.items()} for record in records]


def plain_json(record: dict) -> dict:
    """A record as JSON gives it to a JSON-based engine: numbers as JSON numbers."""
    return json.loads(json.dumps(record, default=lambda value: float(value) if isinstance(value, Decimal) else str(value)))


# -- the engines -------------------------------------------------------------------------------------------
class Setup:
    """The compiled 2018 Syddanmark rules and the readings and day the bench decides under."""

    def __init__(self, root: Path | None = None, lang: str = "da"):
        compiled = select(root or default_rules_dir(), PERIOD, REGION)
        self.period = compiled.period
        self.subject = compiled.subjects[SUBJECT]
        self.readings = compiled.default_readings()
        self.plan = restricted(self.subject, {DECISION})     # only the derived facts and decision `kategori` needs
        self.explainer = Explainer(self.subject, self.period, lang, DAY)
        self.compiled_explainer = CompiledExplainer(self.subject, self.period, lang, DAY, self.readings, {DECISION})
        parameters = self.subject.subject.parameters
        self.takstgraense = parameters["takstgraense"].value_on(DAY)
        self.min_kommuner = parameters["min_koeberkommuner"].value_on(DAY)
        self.min_andel = parameters["min_andel_solgt"].value_on(DAY)

    def engine(self):
        plan, readings = self.plan, self.readings

        def decide(facts):
            return decide_fast(plan, environment(plan, facts, DAY), readings)[DECISION]
        return decide

    def engine_traced(self):
        explain = self.compiled_explainer.explain

        def decide(facts):
            return explain(facts)[0][DECISION]["value"]
        return decide

    def reference(self):
        """explain.py's interpreted path: the traces (evaluate_subject), then the explanation written from them."""
        subject, readings, explainer, only = self.subject, self.readings, self.explainer, {DECISION}

        def decide(facts):
            results, env = evaluate_subject(subject, facts, readings, DAY, only)
            return explainer.explain(results[DECISION], env)["value"]
        return decide

    def hand_written(self):
        return hand_written_kategori(self.takstgraense, self.min_kommuner, self.min_andel)


def hand_written_kategori(takstgraense: Decimal, min_kommuner: Decimal, min_andel: Decimal):
    """The decision written by hand, as a programmer would: the floor for any interpreter of the rule files."""
    zero = Decimal(0)

    def decide(facts):
        takst = max(item["takst"] for item in facts["ydelser"])
        driftsherre = facts["driftsherre"]
        kommuner, sold = set(), zero
        for item in facts["koeb"]:
            if item["kommune"] != driftsherre:
                kommuner.add(item["kommune"])
                sold += item["pladser"]
        buyers = len(kommuner)
        pladser = facts["pladser"]
        andel = sold / pladser if pladser > 0 else zero
        if takst >= takstgraense and (buyers >= min_kommuner or andel >= min_andel):
            value = "hoejt_specialiseret"
        elif buyers >= 1:      # klyngetilbud, and the gap (takst >= 2000, too little sold) under the default reading
            value = "klyngetilbud"
        else:
            value = "lokalt_tilbud"
        vurdering = facts["vurdering"]
        return vurdering["kategori"] if vurdering is not None else value
    return decide


def derived_plain(record: dict) -> dict:
    """The three derived facts of a plain JSON record, for the peer engines (one function for all three)."""
    driftsherre = record["driftsherre"]
    kommuner, sold = set(), 0
    for item in record["koeb"]:
        if item["kommune"] != driftsherre:
            kommuner.add(item["kommune"])
            sold += item["pladser"]
    pladser = record["pladser"]
    return {"hoejeste_takst": max(item["takst"] for item in record["ydelser"]), "antal_koeberkommuner": len(kommuner),
            "andel_solgt": sold / pladser if pladser > 0 else 0, "vurdering": record.get("vurdering")}


def _peer_rules(setup: Setup):
    return float(setup.takstgraense), int(setup.min_kommuner), float(setup.min_andel)


def json_logic_engine(setup: Setup):
    try:
        from json_logic import jsonLogic
    except ImportError:
        return None
    takst, kommuner, andel = _peer_rules(setup)
    var = lambda name: {"var": name}   # noqa: E731
    logic = {"if": [
        {"!!": [var("vurdering")]}, var("vurdering.kategori"),
        {"and": [{">=": [var("hoejeste_takst"), takst]},
                 {"or": [{">=": [var("antal_koeberkommuner"), kommuner]}, {">=": [var("andel_solgt"), andel]}]}]},
        "hoejt_specialiseret",
        {"and": [{">=": [var("antal_koeberkommuner"), 1]}, {"<": [var("hoejeste_takst"), takst]}]}, "klyngetilbud",
        {">=": [var("antal_koeberkommuner"), 1]}, "klyngetilbud",
        {"==": [var("antal_koeberkommuner"), 0]}, "lokalt_tilbud",
        None]}

    def decide(record):
        data = dict(record)
        data.update(derived_plain(record))
        return jsonLogic(logic, data)
    return decide


def rule_engine_engine(setup: Setup):
    try:
        import rule_engine
    except ImportError:
        return None
    takst, kommuner, andel = _peer_rules(setup)
    rule = rule_engine.Rule(
        f"vurdering != null ? vurdering['kategori'] : "
        f"(hoejeste_takst >= {takst} and (antal_koeberkommuner >= {kommuner} or andel_solgt >= {andel}) ? 'hoejt_specialiseret' : "
        f"(antal_koeberkommuner >= 1 and hoejeste_takst < {takst} ? 'klyngetilbud' : "
        f"(antal_koeberkommuner >= 1 ? 'klyngetilbud' : (antal_koeberkommuner == 0 ? 'lokalt_tilbud' : null))))")

    def decide(record):
        data = dict(record)
        data.update(derived_plain(record))
        return rule.evaluate(data)
    return decide


def zen_engine_engine(setup: Setup):
    try:
        import zen
    except ImportError:
        return None
    takst, kommuner, andel = _peer_rules(setup)
    columns = ["vurdering", "hoejeste_takst", "antal_koeberkommuner", "andel_solgt"]
    rows = [  # first hit, as the rule file: the assessment first (it overrides), then the rules in order
        ["$ != null", "", "", "", "vurdering.kategori"],
        ["", f">= {takst}", f">= {kommuner}", "", '"hoejt_specialiseret"'],
        ["", f">= {takst}", "", f">= {andel}", '"hoejt_specialiseret"'],
        ["", f"< {takst}", ">= 1", "", '"klyngetilbud"'],
        ["", "", ">= 1", "", '"klyngetilbud"'],
        ["", "", "0", "", '"lokalt_tilbud"'],
    ]
    table = {"hitPolicy": "first",
             "inputs": [{"id": f"in_{name}", "name": name, "type": "expression", "field": name} for name in columns],
             "outputs": [{"id": "out_kategori", "name": "kategori", "type": "expression", "field": "kategori"}],
             "rules": [{"_id": f"row{number}", **{f"in_{name}": cell for name, cell in zip(columns, row)},
                        "out_kategori": row[-1]} for number, row in enumerate(rows, start=1)]}
    content = {"contentType": "application/vnd.gorules.decision",
               "nodes": [{"id": "request", "type": "inputNode", "name": "Request", "position": {"x": 0, "y": 0}},
                         {"id": "kategori", "type": "decisionTableNode", "name": "Kategori", "position": {"x": 200, "y": 0},
                          "content": table},
                         {"id": "response", "type": "outputNode", "name": "Response", "position": {"x": 400, "y": 0}}],
               "edges": [{"id": "e1", "sourceId": "request", "targetId": "kategori", "type": "edge"},
                         {"id": "e2", "sourceId": "kategori", "targetId": "response", "type": "edge"}]}
    decision = zen.ZenEngine().create_decision(json.dumps(content))

    def decide(record):
        data = dict(record)
        data.update(derived_plain(record))
        return decision.evaluate(data)["result"].get("kategori")
    return decide


# -- running -----------------------------------------------------------------------------------------------
def prepare(n: int, seed: int, root: Path | None = None, lang: str = "da", setup: Setup | None = None):
    """(ids, {engine: (decide, inputs) or None}) for the records of this seed."""
    setup = setup or Setup(root, lang)
    records = synthetic_tilbud(n, seed)
    typed = typed_facts(records, setup.subject.subject)
    plain = [plain_json(record) for record in records]
    engines = {"engine": (setup.engine(), typed), "engine_traced": (setup.engine_traced(), typed),
               "hand_written": (setup.hand_written(), typed), "reference": (setup.reference(), typed)}
    for name, build in (("json_logic", json_logic_engine), ("rule_engine", rule_engine_engine), ("zen_engine", zen_engine_engine)):
        decide = build(setup)
        engines[name] = None if decide is None else (decide, plain)
    return [record["id"] for record in records], engines


def answers(engines: dict) -> dict[str, list]:
    # (an engine that is not installed is None: it is left out, not unpacked)
    return {name: [entry[0](item) for item in entry[1]] for name, entry in engines.items() if entry is not None}


def agree(ids: list[str], engines: dict) -> None:
    """Raise Disagreement at the first record where the engines do not give the same kategori."""
    found = answers(engines)
    for index, record_id in enumerate(ids):
        seen = {name: values[index] for name, values in found.items()}
        if len(set(seen.values())) != 1:
            raise Disagreement(record_id, seen)


def _time(decide, inputs) -> float:
    # CPU time of this process: on a shared machine, other processes' load does not count against an engine
    start = time.process_time()
    for item in inputs:
        decide(item)
    return time.process_time() - start


def run(n: int = 20000, seed: int = 1, repeat: int = 3, root: Path | None = None, lang: str = "da") -> dict:
    setup = Setup(root, lang)
    ids, engines = prepare(n, seed, root, lang, setup)
    agree(ids, engines)
    best: dict[str, float] = {}
    gc.collect()
    gc.freeze()   # the records, the compiled rules and the engines' set-up: see the module's docstring
    try:
        for _ in range(repeat):     # interleaved: a busy moment on a shared machine hits every engine alike
            for name, entry in engines.items():
                if entry is not None:
                    # every timed pass explains as a first run over the data would: with no sentence or value text
                    # remembered from before (repeated values in the data still count); what follows from the
                    # rule files alone (generated code, sources, flags) is kept, as the generated untraced plan is
                    setup.subject.forget_explanations()
                    elapsed = _time(*entry)
                    best[name] = min(best.get(name, elapsed), elapsed)
    finally:
        gc.unfreeze()
    rates = {name: (round(n / best[name], 1) if name in best and best[name] > 0 else None) for name in ENGINES}
    ratios = {"engine_vs_hand_written": _ratio(rates["engine"], rates["hand_written"]),
              "traced_vs_json_logic": _ratio(rates["engine_traced"], rates["json_logic"]),
              "traced_vs_rule_engine": _ratio(rates["engine_traced"], rates["rule_engine"])}
    return {"format": FORMAT, "decisions_per_second": rates, "ratios": ratios, "n": n, "seed": seed, "repeat": repeat,
            "python": platform.python_version(), "machine": _machine(),
            "targets_met": {name: None if ratios[name] is None else ratios[name] >= float(TARGETS[name]) for name in TARGETS},
            "targets": {name: float(value) for name, value in TARGETS.items()},
            "peers_precomputed": ["hoejeste_takst", "antal_koeberkommuner", "andel_solgt"],
            "frozen_before_timing": True,   # the bench's own data, set aside from the garbage collector (gc.freeze)
            # the interpreted reference (explain.py on evaluate_subject's traces), which the generated path equals
            "breakdown": {"reference_explained": round(n / best["reference"], 1),
                          "traced_vs_reference": round(best["reference"] / best["engine_traced"], 3)},
            "versions": _versions()}


def _ratio(a, b):
    return None if a is None or b is None else round(a / b, 3)


def _machine() -> str:
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, {platform.python_implementation()}"


def _versions() -> dict:
    from importlib import metadata
    found = {}
    for name, package in (("json_logic", "panzi-json-logic"), ("rule_engine", "rule-engine"), ("zen_engine", "zen-engine")):
        try:
            found[name] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def render_text(result: dict, lang: str) -> list[str]:
    text = TEXT[lang]
    lines = [text["title"].format(n=result["n"], seed=result["seed"], repeat=result["repeat"])]
    width = max(len(text["names"][name]) for name in ENGINES)
    for name in ENGINES:
        rate = result["decisions_per_second"][name]
        shown = f"{_thousands(rate, lang)} {text['per_second']}" if rate is not None else text["not_installed"]
        lines.append(f"  {text['names'][name]:<{width}}  {shown}")
    for name, ratio in result["ratios"].items():
        target = result["targets"][name]
        state = text["na"] if ratio is None else (text["met"] if result["targets_met"][name] else text["not_met"])
        shown = "-" if ratio is None else _decimal(ratio, lang)
        lines.append(f"  {text['ratios'][name]}: {shown} ({text['target']} ≥ {_decimal(target, lang)}: {state})")
    breakdown = result["breakdown"]
    lines.append(text["breakdown"].format(rate=_thousands(breakdown["reference_explained"], lang),
                                          times=_decimal(breakdown["traced_vs_reference"], lang)))
    lines.append(text["precomputed"])
    lines.append(f"{text['machine']}: {result['machine']}, Python {result['python']}")
    return lines


def _thousands(value: float, lang: str) -> str:
    shown = f"{round(value):,}"
    return shown.replace(",", ".") if lang == "da" else shown


def _decimal(value: float, lang: str) -> str:
    shown = f"{value:.2f}"
    return shown.replace(".", ",") if lang == "da" else shown


def cmd_bench(args, out) -> int:
    from .cli import UsageError
    if args.n < 1 or args.repeat < 1:
        raise UsageError("--n og --repeat skal være mindst 1" if args.lang == "da" else "--n and --repeat must be at least 1")
    try:
        result = run(args.n, args.seed, args.repeat, args.rules, args.lang)
    except Disagreement as problem:
        shown = ", ".join(f"{name}={value}" for name, value in problem.answers.items())
        message = TEXT[args.lang]["disagree"].format(id=problem.record_id, answers=shown)
        if args.format == "json":
            out.file.write(json.dumps({"format": FORMAT, "ok": False, "disagreement": {"id": problem.record_id,
                                                                                       "answers": problem.answers}},
                                      ensure_ascii=False, indent=2) + "\n")
        print(message, file=sys.stderr)
        return 1
    if args.format == "json":
        out.file.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    else:
        for line in render_text(result, args.lang):
            out.print(line, markup=False, highlight=False, soft_wrap=True)
    return 0
