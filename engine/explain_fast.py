"""Explanations from generated code (step 5, the fast way): the very dicts explain.py writes, for a stream of records.

explain.py is the reference: it walks the traces of one record and writes every sentence. Most of what it writes
depends only on the rule files and on the outcome pattern of a record — which parts of each condition held, which
rule decided, whether an assessment overrode it: the rule, the sources, the flags, the why-not structure, the
titles. So for each decision of a compiled subject (one day, one choice of readings):
1. one generated function (dsl/codegen.py `traced_for`) computes the derived facts and traces every rule, as
   evaluate_subject does, and returns per decision its outcome pattern (the key) and the values the tracer would
   record;
2. the first record with a new key is explained by explain.py twice: once as usual, once with placeholders where
   the record's own values show (a sentence, an operand, an input, the assessment's reason). The placeholder
   version becomes the source of one more generated function, which builds the explanation of any record with
   that key from its values; it is kept only if it gives exactly explain.py's answer for that first record;
3. sentences and shown values are looked up in explain.py's memo (keyed by node, day and each varying value's
   class and plain text, which tells apart what reads differently); a new sentence of a comparison with a fixed
   value comes from a template per truth, class and singular/plural, itself checked against explain.py's sentence
   when made; any other new sentence is explain.py's own.
Anything else — an error, a decision computed by expression, a key beyond the limit — is explained by explain.py
itself. tests/test_explain_fast.py holds the two paths to identical output.
"""
from __future__ import annotations

import datetime
import re
from decimal import Decimal

from ..dsl.codegen import OPERANDS, _define, _Writer, fixed_operand, traced_for
from ..dsl.tracer import Trace
from . import fmt
from .compile import CompiledDecision, CompiledSubject
from .evaluate import SPEED_UP_AFTER, _decide_traced, environment, evaluate_subject
from .explain import Explainer, kept
from .model import Period

MARK = "\ufdd0"          # a Unicode noncharacter: placeholders are MARK, number, MARK
_PLACEHOLDER = re.compile(f"{MARK}(\\d+){MARK}")
TEMPLATE_LIMIT = 256     # outcome patterns per explainer with a generated builder; beyond, explain.py writes them


class CompiledExplainer:
    """Explanations of the decisions `only` (None: all) of one compiled subject, on one day, under one choice of
    readings: explain(facts) gives what evaluate_subject + Explainer.explain give, decision by decision."""

    def __init__(self, compiled: CompiledSubject, period: Period, lang: str, day: datetime.date, readings: dict,
                 only: set[str] | None = None, warm_up: int = SPEED_UP_AFTER):
        self.compiled, self.day, self.readings, self.only = compiled, day, dict(readings), only
        self.explainer = Explainer(compiled, period, lang, day)
        self.writers = _Writers(self.explainer)
        self.warm_up, self.calls = warm_up, 0
        self.traced = None        # after warm_up records: the generated function, and where its values stand
        self.layouts: dict = {}
        self.parameters: dict = {}   # the parameter values of the day, as environment() adds them
        self.needs_parameters = True  # whether env gets them on every record (see _generate)
        self.order: list = []     # (decision, whether the generated function records it), in the answers' order
        self.builders: dict = {}  # decision -> {key: build function, or None where explain.py writes it}
        self.templates = 0

    # -- the reference ----------------------------------------------------------------------------------
    def reference(self, facts: dict) -> tuple[dict, int]:
        results, env = evaluate_subject(self.compiled, facts, self.readings, self.day, self.only)
        explain = self.explainer.explain
        return ({name: explain(result, env) for name, result in results.items()},
                sum(1 for result in results.values() if result.error is not None))

    def _one(self, name: str, env: dict) -> dict:
        """One decision by explain.py, on the environment the generated function left (the same values)."""
        env = self._complete(env)
        return self.explainer.explain(_decide_traced(self._decision(name), env, self.readings), env)

    # -- the generated path ---------------------------------------------------------------------------
    def explain(self, facts: dict) -> tuple[dict, int]:
        """{decision: explanation} and how many decisions could not be made."""
        traced = self.traced
        if traced is None:
            self.calls += 1
            if self.calls <= self.warm_up or not self._generate():
                return self.reference(facts)
            traced = self.traced
        env = dict(facts)   # environment() adds the parameter values of the day; they are constants in `traced`
        if self.needs_parameters:
            env.update(self.parameters)
        try:
            outcomes = traced(env)
        except Exception:   # an error, or anything unusual: explain.py says what it says of this record
            return self.reference(facts)
        decisions = {}
        outcome = iter(outcomes)
        for name, generated in self.order:
            build = None
            if generated:
                key, values = next(outcome)
                try:
                    build = self.builders[name][key]
                except KeyError:
                    build = self._learn(name, key, values, env)
                except TypeError:   # an unhashable value in the key
                    pass
            decisions[name] = build(values, env) if build is not None else self._one(name, env)
        return decisions, 0

    def _complete(self, env: dict) -> dict:
        """env with the parameters, as explain.py's closures read them (there already where `traced` needs them, or
        where some decision is always explained by explain.py)."""
        if not self.needs_parameters:
            env.update(self.parameters)
        return env

    def _decision(self, name: str) -> CompiledDecision:
        return self.explainer._by_decision[name]

    def _generate(self) -> bool:
        """Write the traced function; False, for good, when it cannot be written. Decisions computed by an expression
        are evaluated in it but explained by explain.py (their value is not one of a few outcomes)."""
        compiled = self.compiled
        steps = compiled.steps if self.only is None else compiled.steps_needed(self.only)
        active = {name: step.active_rules(self.readings) for name, step in steps if isinstance(step, CompiledDecision)}
        wanted = [name for name in active if self.only is None or name in self.only]
        recorded = [name for name in wanted if self._decision(name).decision.type is None
                    and all(item.rule.then_expr is None for item in active[name])]
        self.parameters = environment(compiled, {}, self.day)
        made = traced_for(steps, CompiledDecision, {name: compiled.subject.derived[name].expr.node
                                                    for name, step in steps if name in compiled.subject.derived},
                          active, recorded, self.parameters)
        if made is None:
            self.warm_up = float("inf")
            return False
        self.traced, self.layouts, closures = made
        self.order = [(name, name in self.layouts) for name in wanted]   # the answers in evaluate_subject's order
        # env gets the parameters on every record when a closure in `traced` reads them there, or when a decision
        # is explained by explain.py every time; else only on the rare paths to explain.py (_complete)
        self.needs_parameters = closures or len(self.layouts) < len(wanted)
        self.builders = {name: {} for name in self.layouts}
        return True

    def _learn(self, name: str, key, values: tuple, env: dict):
        """The build function for a new outcome pattern (see the module's docstring), or None."""
        known = self.builders[name]
        if self.templates >= TEMPLATE_LIMIT:
            return None
        self.templates += 1
        decision = self._decision(name)
        env = self._complete(env)
        expected = self.explainer.explain(_decide_traced(decision, env, self.readings), env)
        # traced again, not shared: explain.py keeps the sentences it wrote on the traces (RuleTrace.failed), and the
        # placeholder version must write its own
        build = _builder(self.explainer, self.writers, self.layouts[name], _decide_traced(decision, env, self.readings), env)
        if build is not None and (_marked(expected) or build(values, env) != expected):
            build = None
        known[key] = build
        return build


# -- templates ------------------------------------------------------------------------------------------------
class _Template(Explainer):
    """explain.py's Explainer, writing a placeholder wherever a record's own values show."""

    def __init__(self, base: Explainer, layout):
        self.__dict__.update(base.__dict__)
        self._sentences, self._shown, self._wanted, self._per_rule, self._inputs_for = {}, {}, {}, {}, {}   # not shared
        self.layout = layout
        self.slots: dict[tuple, int] = {}   # what each placeholder stands for -> its number
        self.seen: dict[int, tuple] = {}    # leaf position -> (value, operands) of the record it is made from

    def token(self, slot: tuple) -> str:
        number = self.slots.setdefault(slot, len(self.slots))
        return f"{MARK}{number}{MARK}"

    def sentence(self, result: Trace) -> str:
        at = self.layout.position.get(id(result.node))
        if at is None:
            return super().sentence(result)
        self.seen[at] = (result.value, result.operands)
        return self.token(("sentence", at))

    def condition(self, result: Trace) -> dict:
        item = super().condition(result)
        if "values" in item:
            places = self.layout.operands[id(result.node)]
            item["values"] = [shown if _fixed(child, self.subject) else self.token(_operand_slot(child, place))
                              for child, shown, place in zip(result.node.children, item["values"], places)]
        return item

    def inputs(self, env: dict, names) -> dict:
        shown = super().inputs(env, names)
        for name, item in shown.items():
            item["value"], item["shown"] = self.token(("plain_env", name)), self.token(("shown", name))
        return shown

    def _override_text(self, result) -> str:
        return self.token(("override_text",))


def _fixed(node, subject) -> bool:
    """The same value in every record of this explainer: a literal, or a parameter (the day is fixed)."""
    return fixed_operand(node, subject.parameters)


def _operand_slot(node, at: int | None) -> tuple:
    # an operand that is a name is the value in env (the generated code read it there): one plain() per record
    return ("plain_env", node.value) if node.kind == "name" else ("plain", at)


def _builder(explainer: Explainer, writers: "_Writers", layout, result, env: dict):
    """Generate build(values, env) -> the explanation, for the outcome pattern of `result`."""
    template = _Template(explainer, layout)
    if result.override is not None:
        result.override = dict(result.override, reason=template.token(("reason",)), by=template.token(("by",)))
    tree = template.explain(result, env)
    fill = _Filler(explainer, writers, layout, template.seen)
    names = {number: fill.slot(slot) for slot, number in template.slots.items()}
    # the flags and sources of a pattern are explain.py's own remembered dicts, shared by its answers too (it
    # copies the lists, not the items): the same here, where no placeholder stands in them
    for field in ("flags", "sources"):
        tree[field] = [item if _marked(item) else _Shared(item) for item in tree[field]]
    try:
        expression = _literal(fill.writer, tree, names)
    except (KeyError, ValueError):   # a placeholder it does not know: leave this pattern to explain.py
        return None
    override_text = _override_writer(explainer, result) if result.override is not None else None
    return _define(fill.writer, "build(r, env)", expression, "<rammeaftale explanation>",
                   {"S": explainer._sentences, "SHOWN": explainer._shown, "D": Decimal, "plain": fmt.plain,
                    "write": writers.write, "learn": writers.learn, "override_text": override_text})


class _Filler:
    """Emits the code that gives each placeholder its text for the record in `r` (and `env`)."""

    def __init__(self, explainer: Explainer, writers: "_Writers", layout, seen: dict):
        self.explainer, self.writers, self.layout, self.seen, self.writer = explainer, writers, layout, seen, _Writer()
        self.leaves = {layout.position[id(leaf)]: leaf for leaf in layout.leaves}
        self.value_of: dict[str, str] = {}     # name -> the variable holding env.get(name), read once
        self.plain_of: dict[str, str] = {}     # name -> the variable holding plain(env[name]), made once
        self.shown_of: dict[str, str] = {}     # name -> the variable holding its text as an input shows it

    def emit(self, text: str, depth: int = 1) -> None:
        self.writer.emit(depth, text)

    def value_env(self, name: str) -> str:
        target = self.value_of.get(name)
        if target is None:
            target = self.value_of[name] = self.writer.temp()
            self.emit(f"{target} = env.get({self.writer.constant(name)})")
        return target

    def plain_env(self, name: str) -> str:
        target = self.plain_of.get(name)
        if target is None:
            target, value = self.writer.temp(), self.value_env(name)
            self.plain_of[name] = target
            # fmt.plain written out for the common case, a Decimal whose str() is its plain text (no exponent, and
            # not a whole number with decimals)
            self.emit(f"if {value}.__class__ is D:")
            self.emit(f"{target} = str({value})", 2)
            self.emit(f"if 'E' in {target} or {target}[-1] == '0' and '.' in {target}:", 2)
            self.emit(f"{target} = plain({value})", 3)
            self.emit("else:")
            self.emit(f"{target} = plain({value})", 2)
        return target

    def shown_env(self, name: str) -> str:
        """explain.py's key for an input shown: its name, the value's class and plain text."""
        target = self.shown_of.get(name)
        if target is None:
            target, value, plain, w = self.writer.temp(), self.value_env(name), self.plain_env(name), self.writer
            self.shown_of[name] = target
            key, depth = f"{w.constant(name)}, {value}.__class__, {plain}", 1
            kind = getattr(self.explainer._named(name), "type", None)
            if kind is None or kind.name not in ("kr", "pct"):
                # a number, not an amount or a share: under 1000 and whole, it shows as its plain text (fmt.number)
                self.emit(f"if {value}.__class__ is D and len({plain}) <= 3 and {plain}.isdigit():")
                self.emit(f"{target} = {plain}", 2)
                self.emit("else:")
                depth = 2
            self.lookup(target, "SHOWN", key, f"{w.constant(self.writers.shown(name))}(({key}), {value})", depth)
        return target

    def slot(self, slot: tuple) -> str:
        kind, w, layout = slot[0], self.writer, self.layout
        if kind == "plain_env":
            return self.plain_env(slot[1])
        if kind == "shown":
            return self.shown_env(slot[1])
        target = w.temp()
        if kind == "sentence":
            self.sentence(slot[1], target)
        elif kind == "plain":
            self.emit(f"{target} = plain(r[{slot[1]}])")
        elif kind in ("reason", "by"):
            self.emit(f"{target} = r[{layout.override_at + (0 if kind == 'reason' else 1)}]")
        elif kind == "override_text":
            self.emit(f"{target} = override_text(r[{layout.override_at}], r[{layout.override_at + 1}])")
        else:
            raise ValueError(kind)
        return target

    def sentence(self, at: int, target: str) -> None:
        leaf, w = self.leaves[at], self.writer
        node = w.constant(leaf)
        if leaf.kind in OPERANDS:
            # a comparison's sentence follows from its operands; its truth is the pattern's. The fixed operands are
            # the same in every record of this day, so the key holds the day; each other operand by its class and
            # plain text, which tells apart what reads differently (-0 from 0, 2.50 from 2.5), in a string whose
            # hash is kept
            truth, seen = self.seen[at]
            key, operands = [node, w.constant(self.explainer.day)], []
            for child, place, value in zip(leaf.children, self.layout.operands[id(leaf)], seen):
                if _fixed(child, self.explainer.subject):
                    operands.append(w.constant(value))
                    continue
                operand = self.value_env(child.value) if child.kind == "name" else f"r[{place}]"
                shown = self.plain_env(child.value) if child.kind == "name" else f"plain({operand})"
                key += [f"{operand}.__class__", shown]
                operands.append(operand)
            key = ", ".join(key)
            miss = self.writers.miss(leaf, truth, seen[1])
            if miss is not None:
                # a fact compared with a fixed value: a new sentence is its template filled with the fact's text as
                # its input shows it (looked up once for both) and the distance
                left = leaf.children[0]
                # (a parameter on the left is a constant here, not in env: its text is written on a miss)
                shares = self.explainer.shares_shown(left) and not _fixed(left, self.explainer.subject)
                shown = self.shown_env(left.value) if shares else "None"
                self.lookup(target, "S", key, f"{w.constant(miss)}(({key}), {operands[0]}, {shown})")
                return
            truth = repr(truth) if truth is True or truth is False else w.constant(truth)
            self.lookup(target, "S", key, f"learn(({key}), {node}, {truth}, {', '.join(operands)})")
            return
        # any other leaf: explain.py's own key (the node, its value and the value's class), never for a -0
        value = f"r[{at}]"
        self.emit(f"if {value}.__class__ is D and not {value} and {value}.is_signed():")
        self.emit(f"{target} = write({node}, {value})", 2)
        self.emit("else:")
        key = f"{node}, {value}.__class__, {value}"
        self.lookup(target, "S", key, f"learn(({key}), {node}, {value})", 2)

    def lookup(self, target: str, memo: str, key: str, otherwise: str, depth: int = 1) -> None:
        """target = memo[key], else what `otherwise` writes (a miss is common in a first run: no exception for it;
        a key that holds a list is no key)."""
        self.emit("try:", depth)
        self.emit(f"{target} = {memo}.get(({key}))", depth + 1)
        self.emit("except TypeError:", depth)
        self.emit(f"{target} = None", depth + 1)
        self.emit(f"if {target} is None:", depth)
        self.emit(f"{target} = {otherwise}", depth + 1)


def _marked(item) -> bool:
    """Whether a placeholder mark stands anywhere in this answer (in a text, or a key)."""
    if isinstance(item, str):
        return MARK in item
    if isinstance(item, dict):
        return any(_marked(key) or _marked(value) for key, value in item.items())
    if isinstance(item, (list, tuple)):
        return any(_marked(value) for value in item)
    return False


class _Shared:
    """A part of the answer that is the same object in every answer."""
    __slots__ = ("item",)

    def __init__(self, item):
        self.item = item


# the field names explain.py writes (our own words, so they may stand in the generated source)
FIELDS = frozenset({"value", "rule", "flags", "explanation", "why_not", "sources", "summary", "id", "title", "file",
                    "line", "table_row", "condition", "text", "result", "column", "op", "children", "not_evaluated",
                    "sentence", "values", "tried_before", "then", "failed", "inputs", "shown", "criteria", "override",
                    "reason", "by", "error", "code", "label", "reasons", "document", "lines", "quote"})


# the texts the generated code itself tests for (fmt.plain written out): ours too
CODE_TEXTS = frozenset({"E", "0", "."})


def _literal(w: _Writer, item, names: dict) -> str:
    """A Python expression that builds `item` anew: dicts and lists as literals, every text from the rule files
    from the constants table, placeholders as the variables that hold their text."""
    if isinstance(item, _Shared):
        return w.constant(item.item)
    if isinstance(item, dict):
        return "{" + ", ".join(f"{repr(key) if key in FIELDS else w.constant(key)}: {_literal(w, value, names)}"
                               for key, value in item.items()) + "}"
    if isinstance(item, list):
        return "[" + ", ".join(_literal(w, value, names) for value in item) + "]"
    if isinstance(item, tuple):
        return "(" + "".join(_literal(w, value, names) + ", " for value in item) + ")"
    if isinstance(item, str) and MARK in item:
        parts = _PLACEHOLDER.split(item)
        if MARK in "".join(parts[::2]):
            raise ValueError(item)
        if len(parts) == 3 and not parts[0] and not parts[2]:
            return names[int(parts[1])]        # the whole text is one placeholder: its value as it is
        pieces = [w.constant(text) if index % 2 == 0 else f"str({names[int(text)]})"
                  for index, text in enumerate(parts) if index % 2 or text]
        return "(" + " + ".join(pieces) + ")"
    if item is None or item is True or item is False or item.__class__ is int:
        return repr(item)
    return w.constant(item)


class _Writers:
    """What the builders of one explainer call to write what its memo does not hold yet."""

    def __init__(self, explainer: Explainer):
        self.explainer = explainer
        self.misses: dict = {}   # (node, truth) -> miss(...) below; shared by the builders of all patterns
        self.shown_writers: dict = {}   # name -> shown(name) below

    def write(self, node, value, *operands) -> str:
        """explain.py's sentence (and its memo, by its own key)."""
        return self.explainer.sentence(Trace(node, value, operands=operands))

    def learn(self, key, node, value, *operands) -> str:
        """explain.py's sentence, kept under this key (a sentence is stored once; the builder found none)."""
        text = self.explainer._write_sentence(Trace(node, value, operands=operands))
        return kept(self.explainer._sentences, key, text)

    def shown(self, name: str):
        """write(key, value) -> the value's text as explain.py shows this input, kept under key."""
        made = self.shown_writers.get(name)
        if made is None:
            explainer = self.explainer
            memo, lang, text = explainer._shown, explainer.lang, fmt.value
            kind = getattr(explainer._named(name), "type", None)

            def made(key, value):
                return kept(memo, key, text(value, kind, lang))
            self.shown_writers[name] = made
        return made

    def miss(self, node, truth, b):
        """For a fact compared with the fixed value b, and the truth of one outcome pattern: write(key, a, shown) ->
        the sentence for the fact's value a (shown: its text as an input, or None), kept under key; None for any
        other leaf. The sentence comes from a template per class of a and whether a is 1 (singular), made the first
        time and checked against explain.py's sentence then. (b is the same for every pattern of one explainer:
        its day fixes it.)"""
        made = self.misses.get((node, truth), _UNSEEN)
        if made is _UNSEEN:
            made = self.misses[(node, truth)] = self._miss(node, truth, b)
        return made

    def _miss(self, node, truth, b):
        explainer = self.explainer
        if node.kind != "compare" or not _sentence_template_fits(explainer, node):
            return None
        left = node.children[0]
        memo, fills = explainer._sentences, {}

        def write(key, a, shown):
            shape = (a.__class__, a == 1)
            fill = fills.get(shape, _UNSEEN)
            if fill is _UNSEEN:
                fill = fills[shape] = _sentence_template(explainer, Trace(node, truth, operands=(a, b)))
            if fill is None:
                text = explainer._write_sentence(Trace(node, truth, operands=(a, b)))
            else:
                text = fill(explainer.show(a, left) if shown is None else shown, a, b)
            return kept(memo, key, text)
        return write


_UNSEEN = object()
_SHOWN, _DISTANCE = f"{MARK}shown{MARK}", f"{MARK}distance{MARK}"


def _sentence_template_fits(explainer: Explainer, node) -> bool:
    """A comparison of a fact or derived fact with a fixed value: its sentence is fixed text around the fact's value
    as shown and the distance, once the truth, the value's class and whether it is 1 (singular) are known."""
    left, right = node.children
    return (left.kind == "name" and left.value not in explainer.subject.decisions and _fixed(right, explainer.subject)
            and not (right.kind == "bool" and node.value == "="))


class _SentenceTemplate(Explainer):
    """explain.py's sentence writer, writing placeholders for the left operand's shown value and the distance."""

    def __init__(self, base: Explainer, left):
        self.__dict__.update(base.__dict__)
        self._shown, self._wanted, self._sentences = {}, {}, {}
        self.left = left

    def show(self, value, node) -> str:
        return _SHOWN if node is self.left else super().show(value, node)

    def _distance(self, node, left, right):
        return None if super()._distance(node, left, right) is None else _DISTANCE


def _sentence_template(explainer: Explainer, trace: Trace):
    """fill(shown, a, b) -> the sentence of this comparison for this shape (shown: a as shown), or None if the
    template does not give explain.py's sentence for the record it was made from."""
    node = trace.node
    left = node.children[0]
    text = _SentenceTemplate(explainer, left)._write_sentence(trace)
    parts = re.split(f"({_SHOWN}|{_DISTANCE})", text)
    if MARK in "".join(part for part in parts if part not in (_SHOWN, _DISTANCE)):
        return None
    # the only things of the left value _write_sentence reads, for a fact compared with a fixed value: its text as
    # shown, the distance, whether it is 1 (singular) and its class; the truth is fixed by the shape too
    show, distance = explainer.show, explainer._distance_writer(node)
    measured = _DISTANCE in parts

    # one format string: the fixed text with {0} for the shown value and {1} for the distance
    pattern = "".join("{0}" if part == _SHOWN else "{1}" if part == _DISTANCE else part.replace("{", "{{").replace("}", "}}")
                      for part in parts)

    def fill(shown, a, b):
        return pattern.format(shown, distance(a, b) if measured else None)
    a, b = trace.operands
    return fill if fill(show(a, left), a, b) == explainer._write_sentence(trace) else None


def _override_writer(explainer: Explainer, result):
    """The assessment's sentence for a reason and a by, the rest as in this pattern (its rule, value, criteria);
    remembered by each one's class and text, which is all of them the sentence reads (an assessment's reason and
    by are often the same from record to record)."""
    memo, pattern = explainer._sentences, object()   # the pattern's own first part of the key

    def override_text(reason, by):
        key = (pattern, reason.__class__, str(reason), by.__class__, str(by))
        text = memo.get(key)
        if text is None:
            result.override = {"reason": reason, "by": by}
            text = kept(memo, key, explainer._override_text(result))
        return text
    return override_text
