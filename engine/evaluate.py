"""Evaluate facts against a compiled period (step 4).

`decide_fast` gives only values (the hot path); `evaluate_subject` also records, for every decision,
the trace of each rule it tried and of the rules giving the other values, which explain.py turns into
explanations and why-not.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from ..dsl.errors import RammeaftaleError
from ..dsl.tracer import Trace, trace
from .compile import CompiledDecision, CompiledRule, CompiledSubject


@dataclass
class RuleTrace:
    rule: CompiledRule
    trace: Trace
    after_decision: bool = False      # evaluated only for why-not: it comes after the deciding rule


@dataclass
class DecisionResult:
    name: str
    value: Any
    rule: CompiledRule | None                   # the deciding rule (None: no rule matched, or an error)
    criteria_value: Any = None                  # what the rules said, before any override
    tried: list[RuleTrace] = field(default_factory=list)
    others: list[RuleTrace] = field(default_factory=list)
    override: dict | None = None                # {value, reason, by, trace} when a vurdering overrides
    error: RammeaftaleError | None = None
    readings: dict = field(default_factory=dict)


def environment(compiled: CompiledSubject, facts: dict, parameters_on: datetime.date) -> dict:
    env = dict(facts)
    for name, parameter in compiled.subject.parameters.items():
        env[name] = parameter.value_on(parameters_on)
    return env


def decide_fast(compiled: CompiledSubject, env: dict, readings: dict) -> dict:
    """Values only, no explanation: derived facts, then per decision the first matching rule and any override."""
    results = {}
    for name, step in compiled.steps:
        if not isinstance(step, CompiledDecision):
            env[name] = step(env)
            continue
        value = None
        for item in step.active_rules(readings):
            if item.run(env):
                value = item.value(env)
                break
        if step.override_when is not None and step.override_when(env):
            value = step.override_value(env)
        env[name] = results[name] = value
    return results


def _decide_traced(decision: CompiledDecision, env: dict, readings: dict) -> DecisionResult:
    result = DecisionResult(decision.decision.name, None, None, readings=readings)
    traces = []
    for item in decision.active_rules(readings):
        try:
            traces.append(RuleTrace(item, trace(item.rule.when.node, env)))
        except RammeaftaleError as error:
            error.file = error.file or item.rule.file  # positions in a condition are positions in its rule file
            raise
    for rule_trace in traces:
        if result.rule is not None:
            rule_trace.after_decision = True
        elif rule_trace.trace.value:
            result.rule = rule_trace.rule
            result.value = result.criteria_value = rule_trace.rule.value(env)
        if not rule_trace.after_decision:
            result.tried.append(rule_trace)
    if decision.override_when is not None:
        override_trace = trace(decision.decision.override.when.node, env)
        if override_trace.value:
            result.value = decision.override_value(env)
            result.override = {"value": result.value, "reason": decision.override_reason(env),
                               "by": decision.override_by(env) if decision.override_by else None,
                               "trace": override_trace}
    # why-not material: every rule that would give another value than the final one
    # (for a computed decision: every rule but the deciding one)
    computed = decision.decision.type is not None
    result.others = [rule_trace for rule_trace in traces
                     if (rule_trace.rule is not result.rule if computed else rule_trace.rule.rule.then != result.value)]
    return result


def evaluate_subject(compiled: CompiledSubject, facts: dict, readings: dict, day: datetime.date,
                     only: set[str] | None = None) -> tuple[dict[str, DecisionResult], dict]:
    """Every decision with its traces. Returns (results by decision name, the environment used)."""
    env = environment(compiled, facts, day)
    failures: dict[str, RammeaftaleError] = {}   # derived facts that could not be computed, and why
    results = {}
    for name, step in compiled.steps:
        if not isinstance(step, CompiledDecision):
            try:
                env[name] = step(env)
            except RammeaftaleError as error:
                env[name] = None
                failures[name] = error
            continue
        try:
            result = _decide_traced(step, env, readings)
        except RammeaftaleError as error:
            cause = next((failures[used] for used in compiled.uses.get(name, ()) if used in failures), None)
            result = DecisionResult(name, None, None, error=cause or error, readings=readings)
        env[name] = result.value
        if only is None or name in only:
            results[name] = result
    return results, env
