"""Static check of a parsed period (step 2): every expression typed against the declared names,
outcomes among the decision's values, readings that exist, no cycles, and sources among the period's documents.
"""
from __future__ import annotations

import difflib

from ..dsl import types as T
from ..dsl.checker import Checker, Symbol
from ..dsl.errors import ErrorList, RammeaftaleError
from .model import Expression, Period, Subject


def scope_of(subject: Subject) -> dict[str, Symbol]:
    scope = {name: Symbol(fact.type, "fact") for name, fact in subject.facts.items()}
    scope.update({name: Symbol(item.type, "derived") for name, item in subject.derived.items()})
    scope.update({name: Symbol(item.type, "parameter") for name, item in subject.parameters.items()})
    scope.update({name: Symbol(item.type or T.enum(item.values), "decision") for name, item in subject.decisions.items()})
    return scope


def _error(errors, code, da, en, file, line, column=1, hint=None, hint_en=None):
    errors.append(RammeaftaleError(code, da, message_en=en, file=file, line=line, column=column, hint=hint,
                                   hint_en=hint_en))


def _check_expression(expression: Expression, scope, expected, errors) -> set[str]:
    """Type-check one expression; returns the names it uses (for the dependency order)."""
    checker = Checker(scope)
    checker.check(expression.node, expected)
    for error in checker.errors:
        error.file = expression.file
        errors.append(error)
    return checker.used


def dependencies(subject: Subject, scope) -> dict[str, set[str]]:
    """Which derived facts and decisions each derived fact or decision reads (after checking)."""
    graph = {}
    computed = set(subject.derived) | set(subject.decisions)
    for name, item in subject.derived.items():
        graph[name] = {used for used in names_in(item.expr) if used in computed}
    for name, decision in subject.decisions.items():
        used = set()
        for rule in decision.rules:
            used |= names_in(rule.when)
            if rule.then_expr is not None:
                used |= names_in(rule.then_expr)
        if decision.override:
            for part in (decision.override.when, decision.override.value, decision.override.reason, decision.override.by):
                if part:
                    used |= names_in(part)
        graph[name] = {name_ for name_ in used if name_ in computed}
    return graph


def names_in(expression: Expression) -> set[str]:
    bound = {node.value for node in expression.node.walk() if node.kind == "lambda"}
    return {node.value for node in expression.node.walk() if node.kind == "name" and node.value not in bound}


def topological_order(graph: dict[str, set[str]], subject: Subject, errors) -> list[str]:
    order, state = [], {}

    def visit(name, path):
        if state.get(name) == "done":
            return
        if state.get(name) == "active":
            cycle = " → ".join(path[path.index(name):] + [name])
            item = subject.derived.get(name) or subject.decisions.get(name)
            _error(errors, "RULE020", f"kredsløb: {cycle}", f"cycle: {cycle}", item.file, item.line,
                   hint="en afledt værdi eller afgørelse må ikke afhænge af sig selv",
                   hint_en="a derived value or decision must not depend on itself")
            return
        state[name] = "active"
        for dependency in sorted(graph.get(name, ())):
            visit(dependency, path + [name])
        state[name] = "done"
        order.append(name)

    for name in graph:
        visit(name, [])
    return order


def check_period(period: Period) -> None:
    """Raise ErrorList with every problem found in a parsed period."""
    errors: list[RammeaftaleError] = []
    documents = {document["file"] for document in period.documents}
    for subject in period.subjects.values():
        scope = scope_of(subject)
        for item in subject.derived.values():
            _check_expression(item.expr, scope, item.type, errors)
            _check_sources(item.sources, documents, item.file, item.line, errors)
        for item in subject.parameters.values():
            _check_sources(item.sources, documents, item.file, item.line, errors)
        for decision in subject.decisions.values():
            _check_decision(decision, scope, period, documents, errors)
        topological_order(dependencies(subject, scope), subject, errors)
    for reading in period.readings.values():
        if reading.default not in reading.options:
            _error(errors, "RULE021", f"læsning '{reading.id}': standardvalget '{reading.default}' er ikke blandt valgmulighederne",
                   f"reading '{reading.id}': the default '{reading.default}' is not among the options", reading.file, reading.line,
                   hint="valg: " + ", ".join(reading.options), hint_en="options: " + ", ".join(reading.options))
        _check_sources(reading.sources, documents, reading.file, reading.line, errors)
    if errors:
        unique = {}
        for error in errors:  # a table input checked once per row reports the same error once
            unique.setdefault((error.file, error.line, error.column, error.code, error.message), error)
        raise ErrorList(list(unique.values()))


def _check_decision(decision, scope, period: Period, documents, errors):
    seen_ids = {}
    for rule in decision.rules:
        _check_expression(rule.when, scope, T.BOOL, errors)
        if rule.then_expr is not None:
            _check_expression(rule.then_expr, scope, decision.type, errors)
        elif decision.type is not None or rule.then not in decision.values:
            close = difflib.get_close_matches(rule.then, list(decision.values), n=1, cutoff=0.5)
            _error(errors, "RULE022", f"regel '{rule.id}': udfaldet '{rule.then}' er ikke en af afgørelsens værdier",
                   f"rule '{rule.id}': the outcome '{rule.then}' is not one of the decision's values", rule.file,
                   *rule.positions.get("then", (rule.line, 1)),
                   hint=f"mente du '{close[0]}'?" if close else "mulige værdier: " + ", ".join(decision.values),
                   hint_en=f"did you mean '{close[0]}'?" if close else "possible values: " + ", ".join(decision.values))
        if rule.id in seen_ids:
            _error(errors, "RULE023", f"regel-id'et '{rule.id}' bruges to gange", f"the rule id '{rule.id}' is used twice",
                   rule.file, rule.line, hint=f"første gang i linje {seen_ids[rule.id].line}; giv hver regel sit eget id",
                   hint_en=f"first on line {seen_ids[rule.id].line}; give each rule its own id")
        seen_ids[rule.id] = rule
        if rule.under_reading:
            reading_id, option = rule.under_reading
            reading = period.readings.get(reading_id)
            if reading is None:
                _error(errors, "RULE024", f"regel '{rule.id}': ukendt læsning '{reading_id}'",
                       f"rule '{rule.id}': unknown reading '{reading_id}'", rule.file, *rule.positions.get("under_reading", (rule.line, 1)),
                       hint="læsninger erklæres under 'readings:'", hint_en="readings are declared under 'readings:'")
            elif option not in reading.options:
                _error(errors, "RULE025", f"regel '{rule.id}': læsningen '{reading_id}' har ikke valget '{option}'",
                       f"rule '{rule.id}': the reading '{reading_id}' has no option '{option}'", rule.file,
                       *rule.positions.get("under_reading", (rule.line, 1)),
                       hint="valg: " + ", ".join(reading.options), hint_en="options: " + ", ".join(reading.options))
        if rule.interpretation and rule.interpretation.reading and rule.interpretation.reading not in period.readings:
            _error(errors, "RULE024", f"regel '{rule.id}': ukendt læsning '{rule.interpretation.reading}'",
                   f"rule '{rule.id}': unknown reading '{rule.interpretation.reading}'", rule.file, rule.line)
        _check_sources(rule.sources, documents, rule.file, rule.line, errors)
    if decision.override:
        override = decision.override
        _check_expression(override.when, scope, T.BOOL, errors)
        _check_expression(override.value, scope, decision.type or T.TEXT, errors)
        _check_expression(override.reason, scope, T.TEXT, errors)
        if override.by:
            _check_expression(override.by, scope, T.TEXT, errors)
        value_type = override.value.node.type
        if value_type is not None and value_type.values and not set(value_type.values) <= set(decision.values):
            _error(errors, "RULE026", f"tilsidesættelsen kan give værdier som '{decision.name}' ikke har",
                   f"the override can give values that '{decision.name}' does not have", override.value.file,
                   override.value.line, override.value.column, hint="mulige værdier: " + ", ".join(decision.values),
                   hint_en="possible values: " + ", ".join(decision.values))
        _check_sources(override.sources, documents, decision.file, decision.line, errors)


def _check_sources(sources, documents, file, line, errors):
    for source in sources:
        if source.document not in documents:
            _error(errors, "RULE027", f"kilden '{source.document}' er ikke blandt periodens dokumenter",
                   f"the source '{source.document}' is not among the period's documents", file, line,
                   hint="tilføj den under period.documents i period.yaml", hint_en="add it under period.documents in period.yaml")
        if source.lines[0] > source.lines[1]:
            _error(errors, "RULE028", f"kildelinjerne {source.lines[0]}-{source.lines[1]} står i forkert rækkefølge",
                   f"the source lines {source.lines[0]}-{source.lines[1]} are in the wrong order", file, line,
                   hint=f"skriv lines: [{source.lines[1]}, {source.lines[0]}]",
                   hint_en=f"write lines: [{source.lines[1]}, {source.lines[0]}]")
