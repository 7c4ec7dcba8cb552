"""Compile a checked expression into nested Python closures (step 3).

Each node becomes one closure `run(env)`, built once when the rule file is loaded; evaluating a rule is
then plain function calls with no parsing and no tree walk. `env` is a dict of name -> value. Every
node keeps its closure in `node.run`, so the tracer can evaluate any sub-expression for explanations.
"""
from __future__ import annotations

import operator
from decimal import Decimal, DivisionByZero, InvalidOperation

from .ast import Node
from .errors import RammeaftaleError
from .functions import BY_NAME, Duration

COMPARISONS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt,
               "=": operator.eq, "!=": operator.ne}


class EvaluationError(RammeaftaleError):
    """Raised while evaluating: a missing optional value was used, or a division by zero."""


def missing(node: Node) -> EvaluationError:
    return EvaluationError("EVAL001", f"'{node.text}' har ingen værdi", message_en=f"'{node.text}' has no value",
                           line=node.line, column=node.column,
                           hint="en valgfri oplysning mangler, eller en liste er tom (fx ingen ydelser); "
                                "i en regel kan findes(...) tjekke det først",
                           hint_en="an optional fact is missing, or a list is empty (e.g. no ydelser); "
                                   "in a rule, exists(...) can check that first")


def failed(node: Node, error: Exception) -> EvaluationError:
    return EvaluationError("EVAL003", f"{node.value}() kunne ikke beregnes: {error}",
                           message_en=f"{node.value}() could not be computed: {error}", line=node.line, column=node.column,
                           hint="tjek argumenterne i fakta, fx en plads der ikke findes i listen eller et antal decimaler",
                           hint_en="check the arguments in the facts, e.g. a position not in the list or a number of decimals")


def out_of_range(node: Node, error: Exception) -> EvaluationError:
    return EvaluationError("EVAL004", f"'{node.text}' kan ikke beregnes: resultatet ligger uden for det mulige ({error})",
                           message_en=f"'{node.text}' cannot be computed: the result is out of range ({error})",
                           line=node.line, column=node.column,
                           hint="tjek datoer og varigheder i fakta: en dato skal ligge mellem år 1 og 9999",
                           hint_en="check the dates and durations in the facts: a date must lie between year 1 and 9999")


def _divide(node: Node):
    def divide(left, right):
        try:
            return left / right
        except (DivisionByZero, InvalidOperation, ZeroDivisionError):
            raise EvaluationError("EVAL002", f"division med nul i '{node.text}'", message_en=f"division by zero in '{node.text}'",
                                  line=node.line, column=node.column,
                                  hint="skriv fx: hvis pladser > 0 så ... ellers 0 %",
                                  hint_en="write e.g.: if pladser > 0 then ... else 0 %") from None
    return divide


def compile_node(node: Node):
    run = globals()["_" + node.kind](node)
    node.run = run
    return run


def _constant(value):
    return lambda env: value


def _number(node):
    return _constant(node.value)


def _quantity(node):
    amount, unit = node.value
    if unit in ("kr", "pct"):
        return _constant(amount)
    count = int(amount)  # the checker has made sure it is whole
    return _constant({"months": Duration(months=count), "years": Duration(months=12 * count),
                      "days": Duration(days=count)}[unit])


def _date(node):
    return _constant(node.value)


_string = _bool = _date


def _name(node):
    name = node.value

    def lookup(env):
        return env[name]
    return lookup


def _field(node):
    base, name = compile_node(node.children[0]), node.value
    key = _env_key(node.children[0])
    if node.children[0].type is not None and node.children[0].type.name == "list":
        def project(env):
            items = env[key] if key is not None else base(env)
            if items is None:
                raise missing(node.children[0])
            return [item.get(name) for item in items]
        return project

    def get(env):
        record = env[key] if key is not None else base(env)
        if record is None:
            raise missing(node.children[0])
        return record.get(name)
    return get


def _env_key(node):
    """The name a `name` node reads, so a parent can read env itself instead of calling the child's closure."""
    return node.value if node.kind == "name" else None


def _list(node):
    items = [compile_node(child) for child in node.children]
    return lambda env: [item(env) for item in items]


def _neg(node):
    inner, inner_node = compile_node(node.children[0]), node.children[0]

    def negate(env):
        value = inner(env)
        if value is None:
            raise missing(inner_node)
        return -value
    return negate


def _given(node, op):
    """`op(a, b)` on two computed values that names the missing operand instead of failing inside Decimal
    arithmetic."""
    left_node, right_node = node.children

    def apply(a, b):
        if a is None:
            raise missing(left_node)
        if b is None:
            raise missing(right_node)
        try:
            return op(a, b)
        except (ArithmeticError, ValueError) as error:   # a date beyond year 9999, a Decimal overflow
            raise out_of_range(node, error) from None
    return apply


def _both_given(node, op):
    left, right = (compile_node(child) for child in node.children)
    left_key, right_key = (_env_key(child) for child in node.children)   # a name operand is read from env directly
    apply = _given(node, op)

    def run(env):
        return apply(env[left_key] if left_key is not None else left(env),
                     env[right_key] if right_key is not None else right(env))
    return run


def _binop(node):
    return _both_given(node, {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": _divide(node)}[node.value])


def _compare(node):
    op = COMPARISONS[node.value]
    # the tracer records both operands and then compares them with this, so they are evaluated once
    node.on_values = op if node.value in ("=", "!=") else _given(node, op)
    if node.value in ("=", "!="):  # equality with a missing value is simply false (or true for !=)
        left, right = (compile_node(child) for child in node.children)
        left_key, right_key = (_env_key(child) for child in node.children)
        if left_key is not None and right_key is not None:   # k.kommune != driftsherre reads both from env
            return lambda env: op(env[left_key], env[right_key])
        if right_key is not None:
            return lambda env: op(left(env), env[right_key])
        return lambda env: op(left(env), right(env))
    return _both_given(node, op)


def _inside(node):
    collection_node = node.children[1]

    def inside(item, items):
        if items is None:
            raise missing(collection_node)
        return item in items
    return inside


def _member(node):
    element, collection = (compile_node(child) for child in node.children)
    node.on_values = _inside(node)
    if node.children[1].kind == "list" and all(child.kind in ("string", "number", "quantity", "date")
                                               for child in node.children[1].children):
        fixed = frozenset(child.run(None) for child in node.children[1].children)  # a literal list: a set lookup
        return lambda env: element(env) in fixed

    def member(env):
        items = collection(env)
        if items is None:
            raise missing(node.children[1])
        return element(env) in items
    return member


def _not_member(node):
    inside = _member(node)
    inside_values = node.on_values
    node.on_values = lambda item, items: not inside_values(item, items)
    return lambda env: not inside(env)


def _and(node):
    parts = [compile_node(child) for child in node.children]
    if len(parts) == 2:
        first, second = parts
        return lambda env: first(env) and second(env)
    return lambda env: all(part(env) for part in parts)


def _or(node):
    parts = [compile_node(child) for child in node.children]
    if len(parts) == 2:
        first, second = parts
        return lambda env: first(env) or second(env)
    return lambda env: any(part(env) for part in parts)


def _not(node):
    inner = compile_node(node.children[0])
    return lambda env: not inner(env)


def _if(node):
    condition, then, otherwise = (compile_node(child) for child in node.children)
    return lambda env: then(env) if condition(env) else otherwise(env)


def _lambda(node):
    # `k => body`: binds k in env for each item; the previous binding is restored afterwards
    name, body = node.value, compile_node(node.children[0])

    def bind(env):
        def apply(item):
            saved = env.get(name, _UNSET)
            env[name] = item
            try:
                return body(env)
            finally:
                if saved is _UNSET:
                    del env[name]
                else:
                    env[name] = saved
        return apply
    return bind


_UNSET = object()


def _call(node):
    function = BY_NAME[node.value]
    arguments = [compile_node(child) for child in node.children]
    run = function.run
    if function.name == "exists":
        inner = arguments[0]

        def exists(env):
            try:
                return inner(env) is not None
            except EvaluationError:  # findes(vurdering.af) when there is no vurdering at all
                return False
        return exists
    if function.name in _LOOPS and len(arguments) == 2 and node.children[1].kind == "lambda":
        return _call_with_lambda(node, function, arguments[0])
    if len(arguments) == 1:
        only = arguments[0]
        only_node = node.children[0]
        # sum/max/min of a projected list (ydelser.takst) must not meet a missing item inside Decimal arithmetic
        items_needed = function.name in ("sum", "max", "min")

        def call_one(env):
            value = only(env)
            # `None in value` by identity: the same for every value a fact can hold, and no slow Decimal == None
            if value is None or (items_needed and isinstance(value, list) and any(item is None for item in value)):
                raise missing(only_node)
            try:
                return run(value)
            except (ValueError, ArithmeticError) as error:
                raise failed(node, error) from None
        return call_one

    def call(env):
        values = [argument(env) for argument in arguments]
        for value, child in zip(values, node.children):
            if value is None:
                raise missing(child)
        try:
            return run(*values)
        except (ValueError, ArithmeticError) as error:
            raise failed(node, error) from None
    return call


def _call_with_lambda(node, function, items_of):
    """count/filter/any/all with `k => body`: the same as binding k for each item through the lambda's closure,
    with one binding saved and restored per call instead of per item."""
    items_node, variable = node.children[0], node.children[1].value
    body = node.children[1].children[0].run
    kind = function.name

    def looped(env):
        items = items_of(env)
        if items is None:
            raise missing(items_node)
        saved = env.get(variable, _UNSET)
        try:
            if kind == "filter":
                kept = []
                for item in items:
                    env[variable] = item
                    if body(env):
                        kept.append(item)
                return kept
            if kind == "count":
                count = 0
                for item in items:
                    env[variable] = item
                    if body(env):
                        count += 1
                return Decimal(count)
            if kind == "any":
                for item in items:
                    env[variable] = item
                    if body(env):
                        return True
                return False
            for item in items:   # all
                env[variable] = item
                if not body(env):
                    return False
            return True
        except (ValueError, ArithmeticError) as error:
            raise failed(node, error) from None
        finally:
            if saved is _UNSET:
                env.pop(variable, None)
            else:
                env[variable] = saved
    return looped


_LOOPS = ("filter", "count", "any", "all")


def compile_expression(node: Node):
    """The closure for a checked tree. Raises RammeaftaleError for a literal that cannot be compiled."""
    return compile_node(node)

