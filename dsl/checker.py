"""Static check of a parsed expression (step 2): names, types, units and arity, before anything runs.

The checker annotates every node with its type and collects all errors it finds with their positions,
so a policy editor sees every mistake in a rule file at once.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass

from . import types as T
from .ast import Node
from .errors import RammeaftaleError
from .functions import BY_NAME


@dataclass(frozen=True)
class Symbol:
    type: T.Type
    kind: str              # fact, derived, parameter, decision, reading, local


class Checker:
    def __init__(self, scope: dict[str, Symbol]):
        self.scope = scope
        self.errors: list[RammeaftaleError] = []
        self.used: set[str] = set()

    # -- reporting ----------------------------------------------------------------------------------
    def _error(self, node: Node, code: str, da: str, en: str, hint: str | None = None,
               hint_en: str | None = None) -> T.Type:
        self.errors.append(RammeaftaleError(code, da, message_en=en, line=node.line, column=node.column, hint=hint,
                                            hint_en=hint_en))
        return T.ANY

    def _unknown_name(self, node: Node, locals_: dict) -> T.Type:
        names = list(self.scope) + list(locals_)
        close = difflib.get_close_matches(node.value, names, n=1, cutoff=0.6)
        hint = f"mente du '{close[0]}'?" if close else "navne skal være erklæret under facts, derived, parameters eller decisions"
        hint_en = f"did you mean '{close[0]}'?" if close else "names must be declared under facts, derived, parameters or decisions"
        return self._error(node, "DSL101", f"ukendt navn '{node.value}'", f"unknown name '{node.value}'", hint, hint_en)

    # -- the walk -----------------------------------------------------------------------------------
    def check(self, node: Node, expected: T.Type | None = None, locals_: dict | None = None) -> T.Type:
        kind = self.visit(node, locals_ or {})
        if expected is not None and kind != T.ANY and not _fits(kind, expected):
            self._error(node, "DSL102", f"forventede {expected}, men udtrykket giver {kind}",
                        f"expected {expected.name}, but the expression gives {kind.name}",
                        "beløb skrives med kr, andele med %, og en betingelse skal give sand/falsk",
                        "amounts are written with kr, shares with %, and a condition must give true/false")
        return kind

    def visit(self, node: Node, locals_: dict) -> T.Type:
        node.type = getattr(self, "_" + node.kind)(node, locals_)
        return node.type

    def _number(self, node, locals_):
        return T.NUMBER

    def _quantity(self, node, locals_):
        amount, unit = node.value
        if unit not in ("kr", "pct") and amount != amount.to_integral_value():
            return self._error(node, "DSL117", f"en varighed skal være et helt antal ({node.text})",
                               f"a duration must be a whole number ({node.text})", "skriv fx 2 måneder eller 61 dage",
                               "write e.g. 2 months or 61 days")
        return {"kr": T.KR, "pct": T.PCT}.get(unit, T.DURATION)

    def _date(self, node, locals_):
        return T.DATE

    def _string(self, node, locals_):
        return T.TEXT

    def _bool(self, node, locals_):
        return T.BOOL

    def _name(self, node, locals_):
        if node.value in locals_:
            return locals_[node.value]
        symbol = self.scope.get(node.value)
        if symbol is None:
            return self._unknown_name(node, locals_)
        self.used.add(node.value)
        return symbol.type

    def _field(self, node, locals_):
        base = self.visit(node.children[0], locals_)
        if base == T.ANY:
            return T.ANY
        record = base.item if base.name == "list" else base
        if record is None or record.name != "record":
            return self._error(node, "DSL103", f"'{node.children[0].text}' er {base} og har ingen felter",
                               f"'{node.children[0].text}' is {base.name} and has no fields",
                               "kun poster og lister af poster har felter (fx koeb.kommune)",
                               "only records and lists of records have fields (e.g. koeb.kommune)")
        kind = record.field(node.value)
        if kind is None:
            names = [name for name, _ in record.fields]
            close = difflib.get_close_matches(node.value, names, n=1, cutoff=0.6)
            return self._error(node, "DSL104", f"ukendt felt '{node.value}'", f"unknown field '{node.value}'",
                               f"mente du '{close[0]}'?" if close else "felter: " + ", ".join(names),
                               f"did you mean '{close[0]}'?" if close else "fields: " + ", ".join(names))
        # a field of a list of records is the list of that field (koeb.kommune)
        return T.list_of(kind) if base.name == "list" else kind

    def _list(self, node, locals_):
        kinds = [self.visit(child, locals_) for child in node.children]
        if not kinds:
            return T.list_of(T.ANY)
        for child, kind in zip(node.children[1:], kinds[1:]):
            if not T.comparable(kinds[0], kind):
                self._error(child, "DSL105", f"listen blander {kinds[0]} og {kind}", f"the list mixes {kinds[0].name} and {kind.name}",
                            "alle elementer i en liste skal have samme type", "every item of a list must have the same type")
        return T.list_of(kinds[0])

    def _neg(self, node, locals_):
        kind = self.visit(node.children[0], locals_)
        if kind.name not in ("number", "kr", "pct", "duration", "any"):
            return self._error(node, "DSL106", f"kan ikke gøre {kind} negativ", f"cannot negate {kind.name}",
                               "kun tal, beløb, procenter og varigheder kan have minus foran",
                               "only numbers, amounts, percentages and durations can have a minus in front")
        return kind

    def _binop(self, node, locals_):
        left, right = (self.visit(child, locals_) for child in node.children)
        result = T.arithmetic(node.value, left, right)
        if result is None:
            return self._error(node, "DSL107", f"enhederne passer ikke: {left} {node.value} {right}",
                               f"units do not fit: {left.name} {node.value} {right.name}",
                               "kr. kan lægges til kr. og ganges med tal eller procent; en dato plus en varighed giver en dato",
                               "kr. can be added to kr. and multiplied by numbers or percentages; a date plus a duration gives a date")
        return result

    def _compare(self, node, locals_):
        left_node, right_node = node.children
        left, right = self.visit(left_node, locals_), self.visit(right_node, locals_)
        if not T.comparable(left, right):
            return self._error(node, "DSL108", f"kan ikke sammenligne {left} med {right}",
                               f"cannot compare {left.name} with {right.name}",
                               "skriv beløb med enhed (2000 kr) og andele med % (40 %)",
                               "write amounts with a unit (2000 kr) and shares with % (40 %)")
        if node.value not in ("=", "!=") and not T.ordered(left):
            self._error(node, "DSL109", f"'{node.value}' kan ikke bruges på {left}", f"'{node.value}' cannot be used on {left.name}",
                        "tekst og sand/falsk kan kun sammenlignes med = og !=",
                        "text and true/false can only be compared with = and !=")
        self._check_enum_literal(left, right_node)
        self._check_enum_literal(right, left_node)
        return T.BOOL

    def _check_enum_literal(self, kind: T.Type, literal: Node):
        """A text compared with an enumeration must be one of its values (catches typos like "lokal")."""
        if kind.values and literal.kind == "string" and literal.value not in kind.values:
            close = difflib.get_close_matches(literal.value, kind.values, n=1, cutoff=0.5)
            self._error(literal, "DSL110", f"'{literal.value}' er ikke en af de mulige værdier ({', '.join(kind.values)})",
                        f"'{literal.value}' is not one of the possible values ({', '.join(kind.values)})",
                        f"mente du '{close[0]}'?" if close else None,
                        f"did you mean '{close[0]}'?" if close else None)

    def _member(self, node, locals_):
        element, collection = node.children
        element_type, collection_type = self.visit(element, locals_), self.visit(collection, locals_)
        if collection_type != T.ANY and collection_type.name != "list":
            return self._error(collection, "DSL111", f"'i' kræver en liste til højre, fik {collection_type}",
                               f"'in' needs a list on the right, got {collection_type.name}",
                               'skriv fx driftsform i ["kommunal", "regional"]',
                               'write e.g. driftsform in ["kommunal", "regional"]')
        item = collection_type.item or T.ANY
        if not T.comparable(element_type, item):
            self._error(node, "DSL108", f"kan ikke søge {element_type} i {collection_type}",
                        f"cannot look for {element_type.name} in a list of {item.name}")
        if collection.kind == "list":
            for literal in collection.children:
                self._check_enum_literal(element_type, literal)
        return T.BOOL

    _not_member = _member

    def _logic(self, node, locals_):
        for child in node.children:
            self.check(child, T.BOOL, locals_)
        return T.BOOL

    _and = _or = _not = _logic

    def _if(self, node, locals_):
        condition, then, otherwise = node.children
        self.check(condition, T.BOOL, locals_)
        then_type, else_type = self.visit(then, locals_), self.visit(otherwise, locals_)
        if not T.comparable(then_type, else_type):
            return self._error(node, "DSL112", f"'så' giver {then_type} men 'ellers' giver {else_type}",
                               f"'then' gives {then_type.name} but 'else' gives {else_type.name}",
                               "'så' og 'ellers' skal give samme slags værdi, fx begge kr.",
                               "'så/then' and 'ellers/else' must give the same kind of value, e.g. both kr.")
        return then_type if then_type != T.ANY else else_type

    def _call(self, node, locals_):
        function = BY_NAME.get(node.value)
        if function is None:
            close = difflib.get_close_matches(node.value, list(BY_NAME), n=1, cutoff=0.6)
            for child in node.children:
                if child.kind != "lambda":
                    self.visit(child, locals_)
            return self._error(node, "DSL113", f"ukendt funktion '{node.value}'", f"unknown function '{node.value}'",
                               f"mente du '{close[0]}'?" if close else "funktioner: " + ", ".join(sorted(f.name for f in set(BY_NAME.values()))),
                               f"did you mean '{close[0]}'?" if close else "functions: " + ", ".join(sorted(f.name for f in set(BY_NAME.values()))))
        low, high = function.arity
        count = len(node.children)
        if count < low or (high != -1 and count > high):
            wanted = f"{low}" if low == high else (f"mindst {low}" if high == -1 else f"{low}-{high}")
            return self._error(node, "DSL114", f"{node.value}() tager {wanted} argument(er), fik {count}",
                               f"{node.value}() takes {wanted} argument(s), got {count}",
                               f"{node.value}(): {function.doc}; tjek kommaerne mellem argumenterne",
                               f"{node.value}(): {function.doc_en}; check the commas between the arguments")
        kinds = []
        for index, child in enumerate(node.children):
            if child.kind == "lambda":
                if not function.takes_lambda or index != count - 1 or not kinds:
                    return self._error(child, "DSL115", f"{node.value}() tager ikke en betingelse 'x => ...' her",
                                       f"{node.value}() does not take a condition 'x => ...' here",
                                       "en betingelse 'k => ...' står sidst i antal, filtrer, nogen eller alle",
                                       "a condition 'k => ...' stands last in count, filter, any or all")
                item = kinds[0].item if kinds[0].name == "list" else T.ANY
                self.check(child.children[0], T.BOOL, {**locals_, child.value: item or T.ANY})
                child.type = T.BOOL
            else:
                kinds.append(self.visit(child, locals_))
        # antal(koeb, 5) would call 5 as a condition at run time: a second argument must be a condition
        if function.takes_lambda and (function.arity[0] == 2 or count >= 2) and node.children[-1].kind != "lambda":
            return self._error(node, "DSL115", f"{node.value}() kræver en betingelse som sidste argument, fx k => k.pladser > 0",
                               f"{node.value}() needs a condition as its last argument, e.g. k => k.pladser > 0",
                               f"{node.value}(): {function.doc}", f"{node.value}(): {function.doc_en}")
        result = function.result(kinds)
        if isinstance(result, str):
            return self._error(node, "DSL116", f"{node.value}(): {result}", f"{node.value}(): wrong argument type",
                               f"{node.value}(): {function.doc}", f"{node.value}(): {function.doc_en}")
        return result

    def _lambda(self, node, locals_):
        return self._error(node, "DSL115", "en betingelse 'x => ...' kan kun stå i count, filter, any eller all",
                           "a condition 'x => ...' can only stand in count, filter, any or all",
                           "fx antal(koeb, k => k.pladser > 0)", "e.g. count(koeb, k => k.pladser > 0)")


def _fits(kind: T.Type, expected: T.Type) -> bool:
    if expected.name in ("number", "pct") and kind.name in ("number", "pct"):
        return True
    if expected.name == "text" and kind.name == "text":
        return True
    if expected.name == "list" and kind.name == "list":
        return expected.item == T.ANY or kind.item == T.ANY or _fits(kind.item, expected.item)
    return kind == expected
