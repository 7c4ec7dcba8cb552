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

    def active_rules(self, readings: dict) -> list[CompiledRule]:
        key = tuple(sorted(readings.items()))
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
