"""Compile a checked period (step 3): every expression becomes a closure once, and derived facts and
decisions are put in dependency order, so evaluation is a straight run through two lists.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..dsl.compiler import compile_expression
from ..dsl.errors import ErrorList
from .check import dependencies, scope_of, topological_order
from .model import Decision, Period, Rule, Subject


@dataclass
class CompiledRule:
    rule: Rule
    run: object          # the condition
    value: object        # env -> the outcome: the rule's constant value, or its computed expression


@dataclass
class CompiledDecision:
    decision: Decision
    rules: list[CompiledRule]
    override_when: object = None
    override_value: object = None
    override_reason: object = None
    override_by: object = None
    by_reading: dict = field(default_factory=dict)   # readings key -> the rules that apply under them
    reading_ids: tuple = None                        # the readings this decision's rules depend on

    def __post_init__(self):
        self.reading_ids = tuple(sorted({item.rule.under_reading[0] for item in self.rules if item.rule.under_reading}))

    def active_rules(self, readings: dict) -> list[CompiledRule]:
        # keyed by the choices of this decision's own readings only: a short key, found without sorting all readings
        key = tuple(map(readings.get, self.reading_ids))
        rules = self.by_reading.get(key)
        if rules is None:
            rules = [item for item in self.rules
                     if item.rule.under_reading is None or readings.get(item.rule.under_reading[0]) == item.rule.under_reading[1]]
            self.by_reading[key] = rules
        return rules


@dataclass
class CompiledSubject:
    subject: Subject
    derived: list[tuple[str, object]]        # (name, closure), in dependency order
    decisions: list[CompiledDecision]        # in dependency order
    uses: dict[str, set[str]]                # derived/decision -> the derived facts and decisions it reads
    steps: list[tuple[str, object]] = field(default_factory=list)
    # derived facts and decisions interleaved in one dependency order: (name, closure) or (name, CompiledDecision),
    # so a derived fact may read a decision and a decision a derived fact
    parameter_values: dict = field(default_factory=dict, repr=False)   # day -> {parameter: value in force}, filled on use
    steps_for: dict = field(default_factory=dict, repr=False)          # frozenset of decisions -> the steps they need
    explain_memo: dict = field(default_factory=dict, repr=False)       # lang -> what explain.py remembers (see there)

    evaluations: int = field(default=0, repr=False)   # how often this subject was evaluated (see speed_up)
    plan: object = field(default=None, repr=False)    # after speed_up: decide_fast's whole loop as one function

    def speed_up(self) -> None:
        """Swap each step's closure for one generated function per expression (dsl/codegen.py), which gives the
        same values and errors with fewer Python calls. Done once a subject is evaluated many times, so a run over
        a few records does not pay for generating code it will hardly use."""
        from ..dsl.codegen import function_for
        self.evaluations = -1   # done
        fast = {}
        for name, step in self.steps:
            if isinstance(step, CompiledDecision):
                for item in step.rules:
                    item.run = function_for(item.rule.when.node) or item.run
                    if item.rule.then_expr is not None:
                        item.value = function_for(item.rule.then_expr.node) or item.value
                override = step.decision.override
                if override is not None:
                    step.override_when = function_for(override.when.node) or step.override_when
                    step.override_value = function_for(override.value.node) or step.override_value
                    step.override_reason = function_for(override.reason.node) or step.override_reason
                    if override.by is not None:
                        step.override_by = function_for(override.by.node) or step.override_by
            else:
                fast[name] = function_for(self.subject.derived[name].expr.node) or step
        self.steps[:] = [(name, fast.get(name, step)) for name, step in self.steps]
        self.derived[:] = [(name, fast.get(name, step)) for name, step in self.derived]
        self.steps_for.clear()
        from ..dsl.codegen import plan_for
        self.plan = plan_for(self.steps, CompiledDecision,
                             {name: self.subject.derived[name].expr.node for name, _ in self.derived})

    def forget_explanations(self) -> None:
        """Empty every table explanations remember things in (sentences and shown values above all), in place:
        the explainers holding them start over as on a first run."""
        for tables in self.explain_memo.values():
            for table in tables.values():
                table.clear()

    def needed(self, names) -> set[str]:
        """These derived facts and decisions and every one they read, directly or not."""
        found, stack = set(), list(names)
        while stack:
            name = stack.pop()
            if name not in found:
                found.add(name)
                stack.extend(self.uses.get(name, ()))
        return found

    def steps_needed(self, names) -> list[tuple[str, object]]:
        key = frozenset(names)
        steps = self.steps_for.get(key)
        if steps is None:
            needed = self.needed(key)
            steps = self.steps_for[key] = [step for step in self.steps if step[0] in needed]
        return steps


@dataclass
class CompiledPeriod:
    period: Period
    subjects: dict[str, CompiledSubject]

    def default_readings(self) -> dict:
        return {reading.id: reading.default for reading in self.period.readings.values()}


def compile_period(period: Period) -> CompiledPeriod:
    subjects = {}
    for name, subject in period.subjects.items():
        errors = []
        graph = dependencies(subject, scope_of(subject))
        order = topological_order(graph, subject, errors)
        if errors:
            raise ErrorList(errors)
        steps = [(item, compile_expression(subject.derived[item].expr.node)) if item in subject.derived
                 else (item, _compile_decision(subject.decisions[item])) for item in order]
        derived = [step for step in steps if step[0] in subject.derived]
        decisions = [step[1] for step in steps if step[0] in subject.decisions]
        subjects[name] = CompiledSubject(subject, derived, decisions, graph, steps)
    return CompiledPeriod(period, subjects)


def _outcome(rule: Rule):
    if rule.then_expr is not None:
        return compile_expression(rule.then_expr.node)
    constant = rule.then
    return lambda env: constant


def _compile_decision(decision: Decision) -> CompiledDecision:
    compiled = CompiledDecision(decision, [CompiledRule(rule, compile_expression(rule.when.node), _outcome(rule))
                                           for rule in decision.rules])
    override = decision.override
    if override:
        compiled.override_when = compile_expression(override.when.node)
        compiled.override_value = compile_expression(override.value.node)
        compiled.override_reason = compile_expression(override.reason.node)
        compiled.override_by = compile_expression(override.by.node) if override.by else None
    return compiled
