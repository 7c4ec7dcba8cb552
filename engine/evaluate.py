"""Evaluate facts against a compiled period (step 4).

`decide_fast` gives only values (the hot path); `evaluate_subject` also records, for every decision,
the trace of each rule it tried and of the rules giving the other values, which explain.py turns into
explanations and why-not.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace
from typing import Any

from ..dsl.errors import RammeaftaleError
from ..dsl.tracer import Trace, trace
from .compile import CompiledDecision, CompiledRule, CompiledSubject


@dataclass
class RuleTrace:
    rule: CompiledRule
    trace: Trace
    after_decision: bool = False      # evaluated only for why-not: it comes after the deciding rule
    failed: dict = field(default_factory=dict)   # lang -> explain.py's sentences for what made the condition false


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
    values = compiled.parameter_values.get(parameters_on)
    if values is None:   # the values in force on a day are looked up once per day, not once per record
        values = compiled.parameter_values[parameters_on] = {
            name: parameter.value_on(parameters_on) for name, parameter in compiled.subject.parameters.items()}
    env = dict(facts)
    env.update(values)
    return env


def restricted(compiled: CompiledSubject, decisions: set[str]) -> CompiledSubject:
    """The compiled subject with only the steps these decisions need (the derived facts and decisions they read,
    directly or not): for decide_fast when a caller wants only some values."""
    needed = compiled.needed(decisions)
    return replace(compiled, derived=[step for step in compiled.derived if step[0] in needed],
                   decisions=[step for step in compiled.decisions if step.decision.name in needed],
                   steps=[step for step in compiled.steps if step[0] in needed], parameter_values={}, steps_for={}, explain_memo={},
                   plan=None, evaluations=0)


SPEED_UP_AFTER = 64   # evaluations of one subject before its expressions become generated functions


def decide_fast(compiled: CompiledSubject, env: dict, readings: dict) -> dict:
    """Values only, no explanation: derived facts, then per decision the first matching rule and any override."""
    if compiled.evaluations >= 0:
        compiled.evaluations += 1
        if compiled.evaluations > SPEED_UP_AFTER:
            compiled.speed_up()
    elif compiled.plan is not None:
        return compiled.plan(env, readings)
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
    if compiled.evaluations >= 0:
        compiled.evaluations += 1
        if compiled.evaluations > SPEED_UP_AFTER:
            compiled.speed_up()
    env = environment(compiled, facts, day)
    failures: dict[str, RammeaftaleError] = {}   # derived facts that could not be computed, and why
    results = {}
    # with `only`, just the steps those decisions need: the others' values are neither returned nor read
    for name, step in (compiled.steps if only is None else compiled.steps_needed(only)):
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
