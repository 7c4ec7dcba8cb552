"""Static analysis of a checked period's decisions: gaps, overlaps, unreachable rules and unused names.

Abstract interpretation on a grid. Each rule's `when` is reduced to a boolean skeleton (og/eller/ikke/hvis) over
leaves that test one *variable* against constants: a comparison of an expression with a constant (literals and
parameters at the period's first day) gives thresholds, equality or membership with texts gives enumeration values,
a truth-valued fact is true or false, two non-constant sides compare as <, = or >, and anything else is an opaque
truth value. An enumeration decision named in a condition is read through its own rules (first match, readings,
override), a truth-valued derived fact through its expression. Each variable's range is cut at its thresholds into
atoms (the thresholds themselves and the open intervals between them; whole numbers and dates only where a whole
value fits), the readings the rules depend on are variables too, and every rule is evaluated on every cell of the
product (capped), all cells at once: a cell is one bit of a Python integer. Cells where no rule holds are gaps;
they are split into boxes and described with the facts' titles.

The analysis over-approximates: variables are independent, so a reported gap may need inputs that cannot occur
together (an analyst judges that); a rule reported unreachable is never the first match in any cell, which is exact
for comparisons with constants.
"""
from __future__ import annotations

import datetime
import operator
import os
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from ..dsl.ast import Node
from ..dsl.functions import BY_NAME, Duration, is_exists
from . import fmt
from .check import names_in
from .model import Decision, Period, Rule, Subject, expressions

CODES = {"gap": "ANA001", "gap_only": "ANA002", "overlap": "ANA003", "unreachable": "ANA004",
         "unused_fact": "ANA005", "unused_parameter": "ANA006", "unused_derived": "ANA007", "not_analysed": "ANA008"}
MAX_CELLS = 1_000_000        # beyond this a decision is reported as not analysed rather than guessed at
MAX_REGIONS = 12             # regions listed per finding; the rest are counted
MAX_BOXES = 200              # regions worked out per finding; past this the finding says there are more
NEVER_UNUSED = {"id", "navn"}
ERROR = None                 # a leaf that would fail at evaluation (an ordering comparison with a missing value)
ABSENT = "absent"
_OTHER = "\0other"          # a text none of the rules names (for a text without declared values)

OPS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt, "=": operator.eq, "!=": operator.ne}
FLIP = {">=": "<=", "<=": ">=", ">": "<", "<": ">", "=": "=", "!=": "!="}
SIGN_OPS = {"<": {"<"}, "<=": {"<", "="}, "=": {"="}, ">=": {">", "="}, ">": {">"}, "!=": {"<", ">"}}

TEXT = {
    "da": {"gap": "{where}: ingen regel dækker dette tilfælde",
           "gap_only": "{where}: ingen kildebaseret regel afgør; kun {rules} (markeret som hul)",
           "overlap": "{where}: både {winner} ({won}) og {loser} ({lost}) gælder; {winner} afgør, fordi den står først",
           "never": "regel {rule} kan aldrig afgøre: betingelsen kan ikke være opfyldt",
           "shadowed": "regel {rule} kan aldrig afgøre: hvor den gælder, afgør {earlier} altid først",
           "unused_fact": "faktum '{name}' bruges ikke af noget udtryk i {subject}",
           "unused_parameter": "parameteren '{name}' bruges ikke af noget udtryk i {subject}",
           "unused_derived": "den afledte værdi '{name}' bruges ikke af noget udtryk i {subject}",
           "not_analysed": "ikke analyseret: for mange kombinationer ({cells} celler; højst {cap})",
           "failed": "ikke analyseret: intern fejl i analysen ({error}); meld fejlen",
           "everywhere": "i alle tilfælde", "more": "og {n} områder mere", "many": "og mange flere områder", "given": "er angivet", "not_given": "er ikke angivet",
           "or_not_given": "(eller ikke angivet)", "met": "opfyldt", "not_met": "ikke opfyldt", "one_of": "er en af", "other": "anden værdi", "reading": "læsning", "yes": "ja", "no": "nej"},
    "en": {"gap": "{where}: no rule covers this case",
           "gap_only": "{where}: no source-based rule decides; only {rules} (marked as a gap)",
           "overlap": "{where}: both {winner} ({won}) and {loser} ({lost}) hold; {winner} decides because it comes first",
           "never": "rule {rule} can never decide: its condition cannot hold",
           "shadowed": "rule {rule} can never decide: wherever it holds, {earlier} always decides first",
           "unused_fact": "the fact '{name}' is not used by any expression of {subject}",
           "unused_parameter": "the parameter '{name}' is not used by any expression of {subject}",
           "unused_derived": "the derived fact '{name}' is not used by any expression of {subject}",
           "not_analysed": "not analysed: too many combinations ({cells} cells; at most {cap})",
           "failed": "not analysed: internal error in the analysis ({error}); please report it",
           "everywhere": "in every case", "more": "and {n} more regions", "many": "and many more regions", "given": "is given", "not_given": "is not given",
           "or_not_given": "(or not given)", "met": "met", "not_met": "not met", "one_of": "is one of", "other": "another value", "reading": "reading", "yes": "yes", "no": "no"},
}


class _NotConstant(Exception):
    pass


def _norm(text: str) -> str:
    return " ".join(text.split())


# -- constants and ranges ------------------------------------------------------------------------------
class _Context:
    """What one subject's expressions are read against: its names, parameters on the period's first day."""

    def __init__(self, subject: Subject, period: Period, lang: str):
        self.subject, self.period, self.lang = subject, period, lang
        self.day = period.valid_from
        self._constants: dict[str, object] = {}
        self._ranges: dict[str, tuple] = {}

    def constant(self, node: Node, active: frozenset = frozenset()):
        """The value of an expression of literals and parameters; raises _NotConstant otherwise."""
        kind = node.kind
        if kind in ("number", "date", "string", "bool"):
            return node.value
        if kind == "quantity":
            amount, unit = node.value
            if unit in ("kr", "pct"):
                return amount
            count = int(amount)
            return {"months": Duration(months=count), "years": Duration(months=12 * count), "days": Duration(days=count)}[unit]
        if kind == "list":
            return [self.constant(child, active) for child in node.children]
        if kind == "neg":
            return -self.constant(node.children[0], active)
        if kind == "binop":
            left, right = (self.constant(child, active) for child in node.children)
            try:
                return {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}[node.value](left, right)
            except (TypeError, ArithmeticError, InvalidOperation, ValueError):
                raise _NotConstant from None
        if kind == "name":
            name = node.value
            if name in self.subject.parameters:
                return self.subject.parameters[name].value_on(self.day)
            derived = self.subject.derived.get(name)
            if derived is not None and name not in active:  # a derived fact of parameters only is a constant too
                if name not in self._constants:
                    try:
                        self._constants[name] = self.constant(derived.expr.node, active | {name})
                    except _NotConstant:
                        self._constants[name] = _NotConstant
                if self._constants[name] is not _NotConstant:
                    return self._constants[name]
        raise _NotConstant

    def is_constant(self, node: Node):
        try:
            return True, self.constant(node)
        except _NotConstant:
            return False, None

    def fact_spec(self, node: Node) -> dict | None:
        """The declaration of a fact or of a record field (`vurdering.kategori`, `koeb.pladser`)."""
        if node.kind == "name":
            fact = self.subject.facts.get(node.value)
            return fact.spec if fact is not None else None
        if node.kind == "field":
            base = self.fact_spec(node.children[0])
            if base is None:
                return None
            if base.get("type") == "list" and isinstance(base.get("item"), dict):
                base = base["item"]
            fields = base.get("fields") if isinstance(base, dict) else None
            return fields.get(node.value) if isinstance(fields, dict) else None
        return None

    def optional(self, node: Node) -> bool:
        spec = self.fact_spec(node)
        return bool(spec and spec.get("optional"))

    def range(self, node: Node, active: frozenset = frozenset()) -> tuple:
        """(lowest, highest, whole) an expression's value can take, None where unbounded; for lists, of its items."""
        unknown = (None, None, False)
        kind = node.kind
        if kind in ("number", "quantity"):
            try:
                value = self.constant(node)
            except _NotConstant:
                return unknown
            if isinstance(value, Decimal):
                return value, value, value == value.to_integral_value()
            return unknown
        if kind in ("name", "field"):
            if kind == "name" and node.value in self.subject.parameters:
                value = self.subject.parameters[node.value].value_on(self.day)
                if isinstance(value, Decimal):
                    return value, value, value == value.to_integral_value()
                return unknown
            if kind == "name" and node.value in self.subject.derived:
                name = node.value
                if name in active:
                    return unknown
                if name not in self._ranges:
                    self._ranges[name] = self.range(self.subject.derived[name].expr.node, active | {name})
                return self._ranges[name]
            spec = self.fact_spec(node)
            if spec is None:
                return unknown
            if spec.get("type") == "list" and isinstance(spec.get("item"), dict):
                spec = spec["item"]
            low, high = spec.get("minimum"), spec.get("maximum")
            low = Decimal(str(low)) if low is not None else None
            high = Decimal(str(high)) if high is not None else None
            return low, high, bool(spec.get("integer"))
        if kind == "neg":
            low, high, whole = self.range(node.children[0], active)
            return (-high if high is not None else None), (-low if low is not None else None), whole
        if kind == "if":
            a, b = (self.range(child, active) for child in node.children[1:])
            low = min(a[0], b[0]) if a[0] is not None and b[0] is not None else None
            high = max(a[1], b[1]) if a[1] is not None and b[1] is not None else None
            return low, high, a[2] and b[2]
        if kind == "binop":
            a, b = (self.range(child, active) for child in node.children)
            whole = a[2] and b[2]
            if node.value == "+":
                return (a[0] + b[0] if a[0] is not None and b[0] is not None else None,
                        a[1] + b[1] if a[1] is not None and b[1] is not None else None, whole)
            if node.value == "-":
                return (a[0] - b[1] if a[0] is not None and b[1] is not None else None,
                        a[1] - b[0] if a[1] is not None and b[0] is not None else None, whole)
            if a[0] is not None and b[0] is not None and a[0] >= 0 and b[0] >= 0:
                return (a[0] * b[0] if node.value == "*" else Decimal(0)), None, whole and node.value == "*"
            return unknown
        if kind == "list":
            parts = [self.range(child, active) for child in node.children]
            if not parts:
                return unknown
            lows, highs = [part[0] for part in parts], [part[1] for part in parts]
            return (min(lows) if None not in lows else None, max(highs) if None not in highs else None,
                    all(part[2] for part in parts))
        if kind == "call":
            function = BY_NAME.get(node.value)
            name = function.name if function else node.value
            if name == "count":
                return Decimal(0), None, True
            if name in ("max", "min", "item", "filter", "distinct") and node.children:
                if len(node.children) > 1 and name in ("max", "min"):
                    parts = [self.range(child, active) for child in node.children]
                    lows = [part[0] for part in parts]
                    return min(lows) if None not in lows else None, None, all(part[2] for part in parts)
                return self.range(node.children[0], active)
            if name == "sum" and node.children:
                low, _, whole = self.range(node.children[0], active)
                return (Decimal(0) if low is not None and low >= 0 else None), None, whole
            if name in ("round", "round_down") and node.children:
                low, high, whole = self.range(node.children[0], active)
                return low, high, whole or len(node.children) == 1
            if name == "abs":
                return Decimal(0), None, self.range(node.children[0], active)[2]
            if name == "month_of":
                return Decimal(1), Decimal(12), True
            if name == "day_of":
                return Decimal(1), Decimal(31), True
            if name in ("year_of", "days_between"):
                return None, None, True
        return unknown

    # -- labels -----------------------------------------------------------------------------------
    def label(self, node: Node) -> str:
        if node.kind == "name":
            subject = self.subject
            item = (subject.facts.get(node.value) or subject.derived.get(node.value) or subject.decisions.get(node.value)
                    or subject.parameters.get(node.value))
            title = getattr(item, "title", None)
            if title:
                return title[self.lang]
            return node.value
        return _norm(node.text)


# -- the skeleton ----------------------------------------------------------------------------------------
# Leaves: ("const", bool) ("cmp", key, op, value) ("member", key, values, negated) ("bool", key) ("exists", key)
# ("sign", key, op) ("atom", key) ("reading", key, option) ("decision", name, values, negated);
# inner: ("and", [..]) ("or", [..]) ("not", x) ("if", c, a, b).
@dataclass
class _Var:
    key: str
    kind: str                   # num, date, enum, bool, sign, presence, atom, reading
    label: str
    type: object = None
    node: Node | None = None
    thresholds: set = field(default_factory=set)
    values: list = field(default_factory=list)          # enum: declared or mentioned values
    closed: bool = False                                 # enum: the declared values are all there are
    absent: bool = False                                 # a missing value is possible (optional fact, findes(...))
    atoms: list = field(default_factory=list)           # filled by _build: what each index stands for
    sides: tuple = ()                                    # sign: the two compared keys
    sides_labels: tuple = ()
    signs: tuple = ()


class _Collector:
    """Builds the skeletons of one decision's rules and the variables they test."""

    def __init__(self, context: _Context, period: Period):
        self.context = context
        self.period = period
        self.vars: dict[str, _Var] = {}
        self.decisions: dict[str, tuple] = {}   # inlined enumeration decisions: name -> (rules, override)
        self.active: set[str] = set()           # derived facts and decisions being inlined (no recursion)

    def var(self, node: Node, kind: str) -> _Var:
        key = _norm(node.text) or str(node.value)
        item = self.vars.get(key)
        if item is None or (item.kind == "presence" and kind != "presence"):
            # findes(x) met before x's own comparisons: x keeps the possibility of being absent
            absent = item.absent if item is not None else False
            item = self.vars[key] = _Var(key, kind, self.context.label(node), node.type, node, absent=absent)
            if kind == "enum" and node.type is not None and getattr(node.type, "values", ()):
                item.values, item.closed = list(node.type.values), True
            if node.kind in ("name", "field") and self.context.optional(node):
                item.absent = True
        return item

    def reading(self, reading_id: str, option: str):
        key = "reading:" + reading_id          # apart from a fact that happens to have the reading's name
        if key not in self.vars:
            reading = self.period.readings.get(reading_id)
            options = list(reading.options) if reading else [option]
            self.vars[key] = _Var(key, "reading", reading_id, atoms=options)
        return ("reading", key, option)

    def rule(self, rule: Rule):
        """A rule's skeleton, with its reading as a condition."""
        tree = self.skeleton(rule.when.node)
        if rule.under_reading:
            return ("and", [self.reading(*rule.under_reading), tree])
        return tree

    def skeleton(self, node: Node):
        kind = node.kind
        context = self.context
        if kind in ("and", "or"):
            return (kind, [self.skeleton(child) for child in node.children])
        if kind == "not":
            return ("not", self.skeleton(node.children[0]))
        if kind == "if":
            return ("if", *(self.skeleton(child) for child in node.children))
        if kind == "bool":
            return ("const", bool(node.value))
        constant, value = context.is_constant(node)
        if constant and isinstance(value, bool):
            return ("const", value)
        if kind == "compare":
            return self._compare(node)
        if kind in ("member", "not_member"):
            return self._member(node)
        if is_exists(node):
            inner = node.children[0]
            key = _norm(inner.text)
            variable = self.vars.get(key)
            if variable is None:
                variable = self.vars[key] = _Var(key, "presence", context.label(inner), inner.type, inner)
            variable.absent = True
            return ("exists", key)
        if kind == "name" and node.value in context.subject.derived and node.value not in self.active:
            inlined = self._inline_derived(node.value)
            if inlined is not None:
                return inlined
        if kind in ("name", "field") and node.type is not None and node.type.name == "bool":
            return ("bool", self.var(node, "bool").key)
        return self._atom(_norm(node.text), node)

    def _inline_derived(self, name: str):
        """A truth-valued derived fact built from tests of other facts is read through (so `er_takstaendring`
        and `aendringstype` stay consistent); one that needs an opaque test keeps its own title instead."""
        derived = self.context.subject.derived[name]
        if derived.type is None or derived.type.name != "bool":
            return None
        self.active.add(name)
        try:
            tree = self.skeleton(derived.expr.node)
        finally:
            self.active.discard(name)
        return None if _has_atoms(tree, ("atom", "sign")) else tree

    def _atom(self, text: str, node: Node):
        if text not in self.vars:
            self.vars[text] = _Var(text, "atom", text, None, node)
        return ("atom", text)

    def _decision_ref(self, node: Node):
        """An enumeration decision named in a condition is read through its own rules (first match, readings,
        override), so `rute = "x"` holds exactly where the rules of `rute` give x."""
        name = node.value if node.kind == "name" else None
        decision = self.context.subject.decisions.get(name) if name else None
        if decision is None or decision.type is not None or name in self.active:
            return None
        if name not in self.decisions:
            self.active.add(name)
            try:
                rules = [(rule.then, self.rule(rule)) for rule in decision.rules]
                override = None
                if decision.override is not None:
                    value_node = decision.override.value.node
                    value_type = value_node.type
                    if value_node.kind in ("name", "field") and value_type is not None and getattr(value_type, "values", ()):
                        override = (self.skeleton(decision.override.when.node), self.var(value_node, "enum").key)
                    else:  # an override that can give anything: every value is possible where it applies
                        override = (self.skeleton(decision.override.when.node), None)
            finally:
                self.active.discard(name)
            self.decisions[name] = (rules, override)
        return name

    def _member(self, node: Node):
        context = self.context
        kind = node.kind
        element, collection = node.children
        element_constant, _ = context.is_constant(element)
        is_list, values = context.is_constant(collection)
        if is_list and not element_constant and isinstance(values, list) and values:
            sample = values[0]
            if all(isinstance(item, str) for item in values):
                decision = self._decision_ref(element)
                if decision is not None:
                    return ("decision", decision, frozenset(values), kind == "not_member")
                variable = self.var(element, "enum")
                for item in values:
                    if item not in variable.values:
                        variable.values.append(item)
                return ("member", variable.key, frozenset(values), kind == "not_member")
            if all(isinstance(item, (Decimal, datetime.date)) and type(item) is type(sample) for item in values):
                variable = self.var(element, "date" if isinstance(sample, datetime.date) else "num")
                variable.thresholds |= {_ordinal(item) for item in values}
                return ("member", variable.key, frozenset(_ordinal(item) for item in values), kind == "not_member")
        text = f"{_norm(element.text)} i {_norm(collection.text)}"
        atom = self._atom(text, node)
        return ("not", atom) if kind == "not_member" else atom

    def _compare(self, node: Node):
        context = self.context
        op = node.value
        left, right = node.children
        left_constant, left_value = context.is_constant(left)
        right_constant, right_value = context.is_constant(right)
        if left_constant and right_constant:
            try:
                return ("const", bool(OPS[op](left_value, right_value)))
            except TypeError:
                return self._atom(_norm(node.text), node)
        if left_constant:
            left, right, left_value, right_value, right_constant, op = right, left, right_value, left_value, True, FLIP[op]
        if right_constant:
            value = right_value
            if isinstance(value, bool):
                if op in ("=", "!="):
                    inner = self.skeleton(left)
                    return inner if (op == "=") == value else ("not", inner)
                return self._atom(_norm(node.text), node)
            if isinstance(value, str):
                decision = self._decision_ref(left)
                if decision is not None and op in ("=", "!="):
                    return ("decision", decision, frozenset([value]), op == "!=")
                variable = self.var(left, "enum")
                if value not in variable.values:
                    variable.values.append(value)
                return ("cmp", variable.key, op, value)
            if isinstance(value, (Decimal, datetime.date)) and not isinstance(value, datetime.datetime):
                variable = self.var(left, "date" if isinstance(value, datetime.date) else "num")
                variable.thresholds.add(_ordinal(value))
                return ("cmp", variable.key, op, _ordinal(value))
            return self._atom(_norm(node.text), node)
        # two non-constant sides: their order is one variable (<, =, >)
        a, b = _norm(left.text), _norm(right.text)
        if b < a:
            a, b, op = b, a, FLIP[op]
            left, right = right, left
        key = f"{a} ? {b}"
        if key not in self.vars:
            ordered = left.type is not None and left.type.name in ("number", "kr", "pct", "date")
            self.vars[key] = _Var(key, "sign", f"{context.label(left)} ? {context.label(right)}", None, node, sides=(a, b),
                                  sides_labels=(context.label(left), context.label(right)),
                                  signs=("<", "=", ">") if ordered else ("=", "≠"))
        return ("sign", key, op)


def _has_atoms(tree, kinds: tuple) -> bool:
    """True when the skeleton has a leaf of these kinds (an opaque test, or an order of two computed values)."""
    kind = tree[0]
    if kind in kinds:
        return True
    if kind in ("and", "or"):
        return any(_has_atoms(child, kinds) for child in tree[1])
    if kind == "not":
        return _has_atoms(tree[1], kinds)
    if kind == "if":
        return any(_has_atoms(child, kinds) for child in tree[1:])
    return False


def _referenced(tree, decisions: dict, out: set, seen: set) -> None:
    """The variables a skeleton tests, through inlined decisions too."""
    kind = tree[0]
    if kind in ("and", "or"):
        for child in tree[1]:
            _referenced(child, decisions, out, seen)
    elif kind == "not":
        _referenced(tree[1], decisions, out, seen)
    elif kind == "if":
        for child in tree[1:]:
            _referenced(child, decisions, out, seen)
    elif kind == "decision":
        if tree[1] not in seen:
            seen.add(tree[1])
            rules, override = decisions[tree[1]]
            for _, rule_tree in rules:
                _referenced(rule_tree, decisions, out, seen)
            if override is not None:
                _referenced(override[0], decisions, out, seen)
                if override[1] is not None:
                    out.add(override[1])
    elif kind == "sign":
        out.add(tree[1])
    elif kind != "const":
        out.add(tree[1])


def _ordinal(value):
    return Decimal(value.toordinal()) if isinstance(value, datetime.date) else value


def _floor(value: Decimal) -> Decimal:
    return value.to_integral_value(rounding="ROUND_FLOOR")


def _ceil(value: Decimal) -> Decimal:
    return value.to_integral_value(rounding="ROUND_CEILING")


def _build(variable: _Var, context: _Context) -> None:
    """Cut a variable's range into atoms. Numbers: ('point', p) and ('between', a, b) with a representative."""
    if variable.kind in ("num", "date"):
        low, high, whole = (None, None, True) if variable.kind == "date" else context.range(variable.node)
        points = sorted(variable.thresholds)
        if low is not None:
            points = [point for point in points if point >= low]
            points = sorted(set(points) | {low})
        if high is not None:
            points = [point for point in points if point <= high]
            points = sorted(set(points) | {high})
        if whole:  # a whole-valued variable against 2.5 behaves as against 2 and 3
            points = sorted({edge for point in points for edge in (_floor(point), _ceil(point))})
        atoms = []
        if low is None and points:
            atoms.append(("below", None, points[0], (_ceil(points[0]) - 1) if whole else points[0] - 1))
        for index, point in enumerate(points):
            atoms.append(("point", point, point, point))
            if index + 1 < len(points):
                following = points[index + 1]
                if whole:
                    inside = _floor(point) + 1
                    if inside < following:
                        atoms.append(("between", point, following, inside))
                else:
                    atoms.append(("between", point, following, (point + following) / 2))
        if high is None and points:
            atoms.append(("above", points[-1], None, (_floor(points[-1]) + 1) if whole else points[-1] + 1))
        variable.atoms = atoms
    elif variable.kind == "enum":
        variable.atoms = list(variable.values) + ([] if variable.closed else [_OTHER])
    elif variable.kind in ("bool", "atom"):
        variable.atoms = [True, False]
    elif variable.kind == "presence":
        variable.atoms = ["present"]
    elif variable.kind == "sign":
        variable.atoms = list(variable.signs)
    if variable.absent and variable.kind not in ("sign", "atom", "reading"):
        variable.atoms.append(ABSENT)



# -- evaluation ------------------------------------------------------------------------------------------
def _leaf_table(leaf, variable: _Var) -> tuple:
    """The leaf's value at each of the variable's atoms: True, False or ERROR."""
    kind = leaf[0]
    out = []
    for atom in variable.atoms:
        if atom == ABSENT:
            if kind == "exists":
                out.append(False)
            elif kind == "cmp" and leaf[2] in ("=", "!="):
                out.append(leaf[2] == "!=")          # equality with a missing value is false (!= true), as compiled
            elif kind == "member":
                out.append(bool(leaf[3]))
            elif kind == "bool":
                out.append(False)                     # a missing truth value counts as false, as compiled
            else:
                out.append(ERROR)
            continue
        if kind == "exists":
            out.append(True)
        elif kind == "bool":
            out.append(atom is True)
        elif kind == "atom":
            out.append(atom)
        elif kind == "cmp":
            value = atom[3] if isinstance(atom, tuple) else atom
            if atom == _OTHER:
                out.append(leaf[2] == "!=")
            else:
                out.append(bool(OPS[leaf[2]](value, leaf[3])))
        elif kind == "member":
            value = atom[3] if isinstance(atom, tuple) else atom
            out.append((value in leaf[2]) != leaf[3])
        elif kind == "sign":
            out.append(atom in SIGN_OPS[leaf[2]] if atom != "≠" else leaf[2] == "!=")
    return tuple(out)


class _Grid:
    """The cells of one decision: the product of its variables' atoms, cell c as a bit of a Python integer, so a
    rule's condition over all cells is a pair of masks (where it holds, where it fails) built with &, | and ~."""

    def __init__(self, order: list[_Var], decisions: dict):
        self.order = order
        self.variables = {item.key: item for item in order}
        self.index = {item.key: position for position, item in enumerate(order)}
        self.sizes = [len(item.atoms) for item in order]
        self.strides = [1] * len(order)
        for position in range(len(order) - 2, -1, -1):
            self.strides[position] = self.strides[position + 1] * self.sizes[position + 1]
        self.count = self.strides[0] * self.sizes[0] if order else 1
        self.all = (1 << self.count) - 1
        self._decisions = decisions
        self._values: dict[str, tuple] = {}
        self._atom_masks: dict[tuple, int] = {}

    def atom(self, position: int, atom: int) -> int:
        """The cells where variable `position` is at atom `atom`."""
        key = (position, atom)
        if key not in self._atom_masks:
            stride, size = self.strides[position], self.sizes[position]
            period = stride * size
            block = ((1 << stride) - 1) << (atom * stride)
            repeat = ((1 << self.count) - 1) // ((1 << period) - 1)   # 1 every `period` bits
            self._atom_masks[key] = block * repeat
        return self._atom_masks[key]

    def eval(self, tree) -> tuple[int, int]:
        """(holds, fails) of a skeleton, with the short-circuit order the compiled rules evaluate in."""
        kind = tree[0]
        if kind == "const":
            return (self.all if tree[1] else 0), 0
        if kind == "and":
            holds, fails = self.all, 0
            for child in tree[1]:
                child_holds, child_fails = self.eval(child)
                fails |= holds & child_fails
                holds &= child_holds
            return holds, fails
        if kind == "or":
            holds, fails = 0, 0
            for child in tree[1]:
                child_holds, child_fails = self.eval(child)
                undecided = self.all & ~(holds | fails)
                fails |= undecided & child_fails
                holds |= undecided & child_holds
            return holds, fails
        if kind == "not":
            holds, fails = self.eval(tree[1])
            return self.all & ~(holds | fails), fails
        if kind == "if":
            condition, then, otherwise = (self.eval(child) for child in tree[1:])
            false = self.all & ~(condition[0] | condition[1])
            return ((condition[0] & then[0]) | (false & otherwise[0]),
                    condition[1] | (condition[0] & then[1]) | (false & otherwise[1]))
        if kind == "reading":
            position = self.index[tree[1]]
            return self.atom(position, self.variables[tree[1]].atoms.index(tree[2])), 0
        if kind == "decision":
            values, fails = self.decision(tree[1])
            holds = 0
            for value, mask in values.items():
                if value in tree[2] or value is _ANY:
                    holds |= mask
            if tree[3]:
                holds = self.all & ~(holds | fails)
            return holds, fails
        variable = self.variables[tree[1]]
        position = self.index[variable.key]
        table = _leaf_table(tree, variable)
        holds = fails = 0
        for atom, value in enumerate(table):
            if value is ERROR:
                fails |= self.atom(position, atom)
            elif value:
                holds |= self.atom(position, atom)
        if kind == "sign":
            # an ordering comparison with a missing side fails, as the compiled rule does; = and != do not
            missing = 0
            for side in variable.sides:
                if side in self.index and ABSENT in self.variables[side].atoms:
                    missing |= self.atom(self.index[side], self.variables[side].atoms.index(ABSENT))
            if missing:
                holds &= ~missing
                fails &= ~missing
                if tree[2] == "!=":
                    holds |= missing
                elif tree[2] != "=":
                    fails |= missing
        return holds, fails

    def decision(self, name: str) -> tuple[dict, int]:
        """Where an inlined decision gives each of its values (first match, readings, override), and where it fails."""
        if name in self._values:
            return self._values[name]
        rules, override = self._decisions[name]
        values: dict = {}
        remaining, fails = self.all, 0
        for then, tree in rules:
            holds, rule_fails = self.eval(tree)
            fails |= remaining & rule_fails
            hit = remaining & holds
            values[then] = values.get(then, 0) | hit
            remaining &= ~(holds | rule_fails)
        if override is not None:
            holds, override_fails = self.eval(override[0])
            fine = self.all & ~fails
            fails |= fine & override_fails
            applies = fine & holds
            values = {value: mask & ~applies for value, mask in values.items()}
            if override[1] is None:
                values[_ANY] = applies
            else:
                position = self.index[override[1]]
                for atom, value in enumerate(self.variables[override[1]].atoms):
                    if value != ABSENT:
                        values[value] = values.get(value, 0) | (applies & self.atom(position, atom))
        self._values[name] = (values, fails)
        return self._values[name]


_ANY = object()   # what an override that may give any value gives


# -- regions -----------------------------------------------------------------------------------------------
def _boxes(mask: int, grid: _Grid) -> list[tuple]:
    """A mask as a few readable boxes (one set of atoms per variable), found on the masks themselves: a variable
    the cells do not depend on is left open; otherwise the cells are split by the variable that needs the fewest
    pieces, atoms with the same remaining cells going into one piece (numbers only in unbroken runs)."""
    count = len(grid.order)
    everything = [frozenset(range(size)) for size in grid.sizes]
    boxes = []

    def split(cells: int, fixed: frozenset, parts: dict):
        if not cells or len(boxes) > MAX_BOXES:
            return
        while True:
            base = grid.all
            for position in fixed:
                base &= grid.atom(position, 0)
            if cells == base:
                boxes.append(tuple(parts.get(position, everything[position]) for position in range(count)))
                return
            best, free = None, None
            for position in range(count):
                if position in fixed:
                    continue
                stride = grid.strides[position]
                groups: dict[int, list[int]] = {}
                for atom in range(grid.sizes[position]):
                    rest = (cells & grid.atom(position, atom)) >> (atom * stride)
                    if rest:
                        groups.setdefault(rest, []).append(atom)
                pieces = [(rest, piece) for rest, atoms in groups.items()
                          for piece in _pieces(frozenset(atoms), grid.order[position])]
                if len(pieces) == 1 and len(pieces[0][1]) == grid.sizes[position]:
                    free = (position, pieces[0][0])
                    break
                if best is None or len(pieces) < len(best[1]):
                    best = (position, pieces)
            if free is None:
                break
            fixed = fixed | {free[0]}       # the cells do not depend on this variable: it stays open
            cells = free[1]
        position, pieces = best
        for rest, piece in pieces:
            split(rest, fixed | {position}, {**parts, position: piece})

    split(mask, frozenset(), {})
    return sorted(boxes, key=lambda box: tuple(sorted(part) for part in box))


def _pieces(union: frozenset, variable: _Var) -> list[frozenset]:
    """Numbers merge only into contiguous runs (a missing value joins a lone run); other kinds merge freely."""
    if variable.kind not in ("num", "date"):
        return [union]
    absent = variable.atoms.index(ABSENT) if ABSENT in variable.atoms else None
    present = sorted(index for index in union if index != absent)
    runs, run = [], []
    for index in present:
        if run and index != run[-1] + 1:
            runs.append(run)
            run = []
        run.append(index)
    if run:
        runs.append(run)
    pieces = [set(item) for item in runs]
    if absent is not None and absent in union:
        if len(pieces) == 1:
            pieces[0].add(absent)
        else:
            pieces.append({absent})
    return [frozenset(piece) for piece in pieces]


def _show(value, variable: _Var, lang: str) -> str:
    if variable.kind == "date":
        return fmt.value(datetime.date.fromordinal(int(value)), None, lang)
    kind = variable.type if variable.type is not None and getattr(variable.type, "name", None) in ("kr", "pct", "number") else None
    return fmt.value(value, kind, lang)


def _describe_part(variable: _Var, part: frozenset, lang: str):
    """(text, structured) for one variable's share of a box; None when it is the variable's whole range."""
    words = TEXT[lang]
    if len(part) == len(variable.atoms):
        return None
    atoms = variable.atoms
    absent = atoms.index(ABSENT) if ABSENT in atoms else None
    present = sorted(index for index in part if index != absent)
    all_present = len(present) == len(atoms) - (absent is not None)
    has_absent = absent is not None and absent in part
    label = variable.label
    if not present:
        return f"{label} {words['not_given']}", {"variable": variable.key, "given": False}
    if all_present and not has_absent:
        return f"{label} {words['given']}", {"variable": variable.key, "given": True}
    suffix = f" {words['or_not_given']}" if has_absent else ""
    structured: dict = {"variable": variable.key}
    if has_absent:
        structured["or_not_given"] = True
    if variable.kind in ("num", "date"):
        first, last = atoms[present[0]], atoms[present[-1]]
        lower = upper = None
        if present[0] != 0:
            lower = (first[1], first[0] == "point")
        if present[-1] != len(atoms) - 1 - (absent is not None):
            upper = (last[2], last[0] == "point")
        if first[0] == "point" and len(present) == 1:
            shown = _show(first[1], variable, lang)
            structured.update({"equals": fmt.plain(_plain_value(first[1], variable))})
            return f"{label} = {shown}{suffix}", structured
        structured.update({"min": fmt.plain(_plain_value(lower[0], variable)) if lower else None,
                           "min_inclusive": lower[1] if lower else None,
                           "max": fmt.plain(_plain_value(upper[0], variable)) if upper else None,
                           "max_inclusive": upper[1] if upper else None})
        if lower and upper:
            text = (f"{_show(lower[0], variable, lang)} {'≤' if lower[1] else '<'} {label} "
                    f"{'≤' if upper[1] else '<'} {_show(upper[0], variable, lang)}")
        elif lower:
            text = f"{label} {'≥' if lower[1] else '>'} {_show(lower[0], variable, lang)}"
        else:
            text = f"{label} {'≤' if upper[1] else '<'} {_show(upper[0], variable, lang)}"
        return text + suffix, structured
    if variable.kind in ("bool", "atom"):
        value = atoms[present[0]] if len(present) == 1 else None
        yes, no = (words["yes"], words["no"]) if variable.kind == "bool" else (words["met"], words["not_met"])
        structured["value"] = value
        return f"{label}: {yes if value else no}{suffix}", structured
    if variable.kind == "sign":
        signs = {atoms[index] for index in present}
        symbol = {frozenset("<"): "<", frozenset("="): "=", frozenset(">"): ">", frozenset("<="): "≤",
                  frozenset(">="): "≥", frozenset("<>"): "≠", frozenset(["≠"]): "≠"}.get(frozenset(signs), "?")
        left, right = variable.sides_labels
        structured.update({"left": variable.sides[0], "op": symbol, "right": variable.sides[1]})
        return f"{left} {symbol} {right}", structured
    # enumerations and readings
    values = [atoms[index] for index in present]
    others = [atom for index, atom in enumerate(atoms) if index not in part and atom != ABSENT]
    names = [words["other"] if value == _OTHER else value for value in values]
    structured["values"] = [None if value == _OTHER else value for value in values]
    prefix = f"{words['reading']} {label}" if variable.kind == "reading" else label
    if len(values) == 1:
        return f"{prefix} = {names[0]}{suffix}", structured
    if len(others) == 1 and others[0] != _OTHER:
        return f"{prefix} ≠ {others[0]}{suffix}", structured
    return f"{prefix} {words['one_of']} {', '.join(names)}{suffix}", structured


def _plain_value(value, variable: _Var):
    return datetime.date.fromordinal(int(value)) if variable.kind == "date" else value


def _describe(box: tuple, variables: list[_Var], lang: str) -> tuple[str, list]:
    texts, parts = [], []
    for variable, part in zip(variables, box):
        described = _describe_part(variable, part, lang)
        if described is not None:
            texts.append(described[0])
            parts.append({**described[1], "text": described[0]})
    return (", ".join(texts) if texts else TEXT[lang]["everywhere"]), parts


# -- one decision ---------------------------------------------------------------------------------------------
def _outcome(rule: Rule) -> str:
    return _norm(rule.then_expr.text) if rule.then_expr is not None else rule.then


def _outcome_label(rule: Rule, decision: Decision, lang: str) -> str:
    if rule.then_expr is None and rule.then in decision.values and decision.values[rule.then]:
        return decision.values[rule.then][lang]
    return _outcome(rule)


def _catch_all(rule: Rule) -> bool:
    node = rule.when.node
    return node.kind == "bool" and node.value is True


def _analyse_decision(decision: Decision, subject: Subject, period: Period, lang: str) -> list[dict]:
    rules = decision.rules
    if not rules:
        return []
    context = _Context(subject, period, lang)
    collector = _Collector(context, period)
    collector.active.add(decision.name)
    trees = [collector.skeleton(rule.when.node) for rule in rules]
    guards_wanted = [collector.reading(*rule.under_reading) if rule.under_reading else None for rule in rules]
    used: set[str] = set()
    seen: set[str] = set()
    for tree in trees:
        _referenced(tree, collector.decisions, used, seen)
    used |= {guard[1] for guard in guards_wanted if guard}
    variables = {key: item for key, item in collector.vars.items() if key in used}
    for variable in variables.values():
        if variable.kind != "reading":
            _build(variable, context)
    # readings first, then the other variables in the order the rules name them
    order = sorted(variables.values(), key=lambda item: (item.kind != "reading",))
    order = [item for item in order if item.atoms]
    base = {"period": period.id, "region": period.region, "subject": subject.name, "decision": decision.name}
    size = 1
    for item in order:
        size *= len(item.atoms)
    if size > MAX_CELLS:
        return [{**base, "code": CODES["not_analysed"], "severity": "info", "rules": [rule.id for rule in rules],
                 "cells": size, "where": "", "regions": [],
                 "message": TEXT[lang]["not_analysed"].format(cells=size, cap=MAX_CELLS),
                 "file": decision.file, "line": decision.line}]
    grid = _Grid(order, collector.decisions)
    results = [grid.eval(tree) for tree in trees]
    active = [grid.atom(grid.index[guard[1]], grid.variables[guard[1]].atoms.index(guard[2])) if guard else grid.all
              for guard in guards_wanted]
    # first match: a rule that fails before any rule holds makes the decision fail there (no gap, no answer)
    remaining, failed, first_wins = grid.all, 0, []
    for (holds, fails), live in zip(results, active):
        failing = remaining & live & fails
        failed |= failing
        remaining &= ~failing
        hit = remaining & live & holds
        first_wins.append(hit)
        remaining &= ~hit
    gaps = remaining
    holding = [live & holds & ~failed for (holds, _), live in zip(results, active)]
    outcomes = [_outcome(rule) for rule in rules]
    source_based = 0
    for rule, mask in zip(rules, holding):
        if rule.gap is None:
            source_based |= mask
    decided = grid.all & ~(failed | gaps)
    gap_only = decided & ~source_based

    findings = []
    if gaps and decision.not_applicable is None:
        # An answer missing for inputs someone can give is a warning in a classification; in a computed decision
        # it is usually a step that does not apply (say so with not_applicable), and a region that needs a
        # computed value to be missing arises only when an earlier step failed: both are info.
        buckets: dict[str, list] = {}
        for box in _boxes(gaps, grid):
            serious = decision.type is None and not _needs_missing_step(box, order, subject)
            buckets.setdefault("warning" if serious else "info", []).append(box)
        for severity, boxes in sorted(buckets.items(), reverse=True):
            where, regions = _joined([_describe(box, order, lang) for box in boxes], lang)
            findings.append({**base, "code": CODES["gap"], "severity": severity, "rules": [],
                             "cells": sum(_count(box) for box in boxes), "where": where, "regions": regions,
                             "message": TEXT[lang]["gap"].format(where=where), "file": decision.file, "line": decision.line})
    if gap_only:
        boxes = _boxes(gap_only, grid)
        fillers = [position for position, mask in enumerate(first_wins) if mask & gap_only]
        where, regions = _joined([_describe(box, order, lang) for box in boxes], lang)
        ids = [rules[position].id for position in fillers]
        findings.append({**base, "code": CODES["gap_only"], "severity": "info", "rules": ids,
                         "cells": sum(_count(box) for box in boxes), "where": where, "regions": regions,
                         "message": TEXT[lang]["gap_only"].format(where=where, rules=" / ".join(ids)),
                         "file": rules[fillers[0]].file, "line": rules[fillers[0]].line})
    shadowed_by = {position: [] for position in range(len(rules))}
    for loser, loser_holds in enumerate(holding):
        for winner in range(loser):
            both = first_wins[winner] & loser_holds
            if not both:
                continue
            shadowed_by[loser].append(winner)
            # a last `when: sand` is a default, meant to be overlapped; the same outcome is no conflict
            if outcomes[winner] == outcomes[loser] or _catch_all(rules[loser]):
                continue
            where, regions = _joined([_describe(box, order, lang) for box in _boxes(both, grid)], lang)
            findings.append({**base, "code": CODES["overlap"], "severity": "info", "rules": [rules[winner].id, rules[loser].id],
                             "cells": bin(both).count("1"), "where": where, "regions": regions,
                             "message": TEXT[lang]["overlap"].format(where=where, winner=rules[winner].id, loser=rules[loser].id,
                                                                     won=_outcome_label(rules[winner], decision, lang),
                                                                     lost=_outcome_label(rules[loser], decision, lang)),
                             "file": rules[loser].file, "line": rules[loser].line})
    matched_anywhere = [bool(mask) for mask in holding]
    for position, rule in enumerate(rules):
        if first_wins[position]:
            continue
        if matched_anywhere[position]:
            earlier = ", ".join(rules[item].id for item in shadowed_by[position])
            message = TEXT[lang]["shadowed"].format(rule=rule.id, earlier=earlier)
            involved = [rule.id] + [rules[item].id for item in shadowed_by[position]]
        else:
            message = TEXT[lang]["never"].format(rule=rule.id)
            involved = [rule.id]
        findings.append({**base, "code": CODES["unreachable"], "severity": "warning", "rules": involved, "cells": 0,
                         "where": "", "regions": [], "message": message, "file": rule.file, "line": rule.line})
    return findings


def _joined(described: list, lang: str) -> tuple[str, list]:
    """Several regions in one text (the first MAX_REGIONS, then how many more) and all of them structured."""
    shown = [text for text, _ in described[:MAX_REGIONS]]
    if len(described) > MAX_BOXES:
        shown.append(TEXT[lang]["many"])
    elif len(described) > MAX_REGIONS:
        shown.append(TEXT[lang]["more"].format(n=len(described) - MAX_REGIONS))
    return "; ".join(shown), [parts for _, parts in described]


def _needs_missing_step(box: tuple, order: list, subject: Subject) -> bool:
    """True when the region needs a derived fact or a decision to have no value."""
    for variable, part in zip(order, box):
        node = variable.node
        if node is None or node.kind != "name" or ABSENT not in variable.atoms:
            continue
        if node.value in subject.derived or node.value in subject.decisions:
            if part == {variable.atoms.index(ABSENT)}:
                return True
    return False


def _count(box: tuple) -> int:
    total = 1
    for part in box:
        total *= len(part)
    return total


# -- unused names -------------------------------------------------------------------------------------------
def used_names(subject: Subject) -> set[str]:
    used = set()
    for expression in expressions(subject):
        used |= names_in(expression)
    return used


def _unused(subject: Subject, period: Period, lang: str) -> list[dict]:
    used = used_names(subject)
    base = {"period": period.id, "region": period.region, "subject": subject.name, "decision": None, "rules": [],
            "cells": 0, "where": "", "regions": []}
    findings = []
    for name, fact in subject.facts.items():
        if name in used or name in NEVER_UNUSED:
            continue
        start = getattr(fact.spec, "start", None)
        optional = bool(fact.spec.get("optional")) if isinstance(fact.spec, dict) else False
        # an optional fact nobody reads is description; a required one makes every facts file supply it for nothing
        findings.append({**base, "code": CODES["unused_fact"], "severity": "info" if optional else "warning",
                         "message": TEXT[lang]["unused_fact"].format(name=name, subject=subject.name),
                         "file": getattr(fact, "file", None) or subject.file,
                         "line": getattr(fact, "line", None) or (start.line if start else None), "name": name})
    for name, item in subject.parameters.items():
        if name not in used:
            findings.append({**base, "code": CODES["unused_parameter"], "severity": "warning",
                             "message": TEXT[lang]["unused_parameter"].format(name=name, subject=subject.name),
                             "file": item.file, "line": item.line, "name": name})
    for name, item in subject.derived.items():
        if name not in used:
            findings.append({**base, "code": CODES["unused_derived"], "severity": "warning",
                             "message": TEXT[lang]["unused_derived"].format(name=name, subject=subject.name),
                             "file": item.file, "line": item.line, "name": name})
    return findings


# -- the whole period -----------------------------------------------------------------------------------------
def analysis_findings(period: Period, lang: str = "da") -> list[dict]:
    """Every finding for every decision of every subject of the period, sorted."""
    findings = []
    for subject in period.subjects.values():
        for decision in subject.decisions.values():
            try:
                findings.extend(_analyse_decision(decision, subject, period, lang))
            except Exception as error:  # a bug of ours must not stop `check`; say which decision was skipped
                if os.environ.get("RAMMEAFTALE_DEBUG"):
                    raise
                findings.append({"period": period.id, "region": period.region, "subject": subject.name,
                                 "decision": decision.name, "code": CODES["not_analysed"], "severity": "info",
                                 "rules": [], "cells": 0, "where": "", "regions": [],
                                 "message": TEXT[lang]["failed"].format(error=f"{type(error).__name__}: {error}"),
                                 "file": decision.file, "line": decision.line})
        findings.extend(_unused(subject, period, lang))
    return sorted(findings, key=lambda item: (item["region"], item["period"], item["subject"], item["decision"] or "",
                                              item["code"], item["file"] or "", item["line"] or 0, item["where"],
                                              item["message"]))


def counts(findings: list[dict]) -> dict[str, int]:
    result: dict[str, int] = {}
    for item in findings:
        result[item["code"]] = result.get(item["code"], 0) + 1
    return dict(sorted(result.items()))


CODE_NAMES = {
    "da": {"ANA001": "huller", "ANA002": "kun dækket af hul-regler", "ANA003": "overlap afgjort af rækkefølgen",
           "ANA004": "uopnåelige regler", "ANA005": "ubrugte fakta", "ANA006": "ubrugte parametre",
           "ANA007": "ubrugte afledte værdier", "ANA008": "ikke analyseret"},
    "en": {"ANA001": "gaps", "ANA002": "only covered by gap rules", "ANA003": "overlaps resolved by order",
           "ANA004": "unreachable rules", "ANA005": "unused facts", "ANA006": "unused parameters",
           "ANA007": "unused derived facts", "ANA008": "not analysed"},
}


def analyse_periods(periods: list[Period], lang: str = "da") -> list[dict]:
    """The findings of several periods, in the order check lists them."""
    findings = []
    for period in sorted(periods, key=lambda item: (item.region, item.valid_from)):
        findings.extend(analysis_findings(period, lang))
    return findings


def summary_lines(findings: list[dict], lang: str = "da") -> list[str]:
    """The short section `check` prints: a count per code, then each warning once (an inherited rule's warning
    names every period that carries it)."""
    heading = "Analyse af afgørelserne" if lang == "da" else "Analysis of the decisions"
    if not findings:
        return [f"{heading}: " + ("ingen fund" if lang == "da" else "no findings")]
    warnings_word = "advarsler" if lang == "da" else "warnings"
    per_code = counts(findings)
    warned = counts([item for item in findings if item["severity"] == "warning"])
    parts = [f"{code} {CODE_NAMES[lang].get(code, code)}: {number}" + (f" ({warnings_word}: {warned[code]})" if code in warned else "")
             for code, number in per_code.items()]
    lines = [f"{heading}: " + "; ".join(parts)]
    grouped: dict[tuple, list[str]] = {}
    for item in findings:
        if item["severity"] == "warning":
            key = (item["file"] or "", item["line"] or 0, item["code"], item["message"])
            grouped.setdefault(key, []).append(f"{item['region']} {item['period']}")
    for (file, line, code, message), where in sorted(grouped.items()):
        lines.append(f"  {file}:{line}: {message} [{code}] ({', '.join(where)})")
    return lines
