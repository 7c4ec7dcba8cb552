"""One Python function per checked expression, for the untraced hot path (step 3, after compiler.py).

compiler.py gives every node a closure (`node.run`), which the tracer needs; evaluating a whole expression
through them costs a Python call per node. Here the same tree becomes the source of one function whose body
does what the closures do, node for node: the same evaluation order, the same `missing` / `failed` /
`out_of_range` errors for the same nodes, the same function implementations. Only our own identifiers and
numbers stand in the generated source: every name, text, constant and node from a rule file is passed in a
table of constants (`c0`, `c1`, ...), never written into the code. A kind this module does not know, or a tree too deep for
Python's compiler, is left to the node's closure (`cN(env)`), so the result is always the closures' result.
"""
from __future__ import annotations

import operator

from .ast import Node
from .compiler import COMPARISONS, _LOOPS, _UNSET, _divide, failed, missing, out_of_range
from . import functions as _functions
from .functions import BY_NAME

MAX_SOURCE_LINES = 2000


class _Writer:
    def __init__(self):
        self.lines: list[str] = []
        self.constants: list = []
        self.counter = 0
        self.closures = 0      # nodes left to their closures: they read env, so a loop must bind its name there

    def constant(self, value) -> str:
        self.constants.append(value)
        return f"c{len(self.constants) - 1}"

    def temp(self) -> str:
        self.counter += 1
        return f"v{self.counter}"

    def emit(self, depth: int, text: str) -> None:
        self.lines.append("    " * depth + text)


def _closure(w: _Writer, node: Node, depth: int, scope: dict | None = None) -> str:
    w.closures += 1
    target = w.temp()
    w.emit(depth, f"{target} = {w.constant(node.run)}(env)")
    return target


def _gen(w: _Writer, node: Node, depth: int, scope: dict | None = None) -> str:
    """Emit statements that leave the node's value in a variable; return that variable's name. `scope` maps a
    lambda's bound name to the loop variable that holds it (env holds the same item while the body runs)."""
    kind = node.kind
    if scope and kind == "name" and node.value in scope:
        return scope[node.value]
    if kind in ("number", "quantity", "date", "string", "bool"):
        return w.constant(node.run(None))
    if kind == "name":
        target = w.temp()
        w.emit(depth, f"{target} = env[{w.constant(node.value)}]")
        return target
    if kind == "field":
        base = _gen(w, node.children[0], depth, scope)
        target = w.temp()
        w.emit(depth, f"if {base} is None:")
        w.emit(depth + 1, f"raise missing({w.constant(node.children[0])})")
        if node.children[0].type is not None and node.children[0].type.name == "list":
            w.emit(depth, f"{target} = [item.get({w.constant(node.value)}) for item in {base}]")
        else:
            w.emit(depth, f"{target} = {base}.get({w.constant(node.value)})")
        return target
    if kind in ("and", "or"):
        target = w.temp()
        parts = node.children
        if len(parts) == 2:   # `a og b` is Python's `a and b`: the deciding operand's own value
            first = _gen(w, parts[0], depth, scope)
            w.emit(depth, f"{target} = {first}")
            w.emit(depth, f"if {'' if kind == 'and' else 'not '}{target}:")
            second = _gen(w, parts[1], depth + 1, scope)
            w.emit(depth + 1, f"{target} = {second}")
            return target
        # three or more: all(...) / any(...), a truth value, stopping at the first part that settles it
        w.emit(depth, f"{target} = {'True' if kind == 'and' else 'False'}")
        level = depth
        for part in parts:
            value = _gen(w, part, level, scope)
            w.emit(level, f"if {'not ' if kind == 'and' else ''}{value}:")
            w.emit(level + 1, f"{target} = {'False' if kind == 'and' else 'True'}")
            w.emit(level, "else:")
            level += 1
        w.emit(level, "pass")
        return target
    if kind == "not":
        inner = _gen(w, node.children[0], depth, scope)
        target = w.temp()
        w.emit(depth, f"{target} = not {inner}")
        return target
    if kind == "if":
        condition = _gen(w, node.children[0], depth, scope)
        target = w.temp()
        w.emit(depth, f"if {condition}:")
        w.emit(depth + 1, f"{target} = {_gen(w, node.children[1], depth + 1, scope)}")
        w.emit(depth, "else:")
        w.emit(depth + 1, f"{target} = {_gen(w, node.children[2], depth + 1, scope)}")
        return target
    if kind == "compare" and node.value in ("=", "!="):
        left = _gen(w, node.children[0], depth, scope)
        right = _gen(w, node.children[1], depth, scope)
        target = w.temp()
        w.emit(depth, f"{target} = {left} {'==' if node.value == '=' else '!='} {right}")
        return target
    if kind == "compare" or kind == "binop":
        op = COMPARISONS[node.value] if kind == "compare" else \
            {"+": _ADD, "-": _SUB, "*": _MUL}.get(node.value) or _divide(node)
        left = _gen(w, node.children[0], depth, scope)
        right = _gen(w, node.children[1], depth, scope)
        target = w.temp()
        w.emit(depth, f"if {left} is None:")
        w.emit(depth + 1, f"raise missing({w.constant(node.children[0])})")
        w.emit(depth, f"if {right} is None:")
        w.emit(depth + 1, f"raise missing({w.constant(node.children[1])})")
        w.emit(depth, "try:")
        w.emit(depth + 1, f"{target} = {w.constant(op)}({left}, {right})")
        w.emit(depth, "except (ArithmeticError, ValueError) as error:")
        w.emit(depth + 1, f"raise out_of_range({w.constant(node)}, error) from None")
        return target
    if kind in ("member", "not_member"):
        element_node, collection_node = node.children
        target = w.temp()
        literal = collection_node.kind == "list" and all(child.kind in ("string", "number", "quantity", "date")
                                                         for child in collection_node.children)
        if literal:
            fixed = frozenset(child.run(None) for child in collection_node.children)
            element = _gen(w, element_node, depth, scope)
            w.emit(depth, f"{target} = {element} {'in' if kind == 'member' else 'not in'} {w.constant(fixed)}")
            return target
        items = _gen(w, collection_node, depth, scope)
        w.emit(depth, f"if {items} is None:")
        w.emit(depth + 1, f"raise missing({w.constant(collection_node)})")
        element = _gen(w, element_node, depth, scope)
        w.emit(depth, f"{target} = {element} {'in' if kind == 'member' else 'not in'} {items}")
        return target
    if kind == "call":
        return _call(w, node, depth, scope)
    return _closure(w, node, depth)


_ADD, _SUB, _MUL = operator.add, operator.sub, operator.mul   # as compiler.py's _binop


def _call(w: _Writer, node: Node, depth: int, scope: dict | None = None) -> str:
    function = BY_NAME[node.value]
    children = node.children
    target = w.temp()
    if function.name == "exists":
        w.emit(depth, "try:")
        inner = _gen(w, children[0], depth + 1, scope)
        w.emit(depth + 1, f"{target} = {inner} is not None")
        w.emit(depth, "except EvaluationError:")
        w.emit(depth + 1, f"{target} = False")
        return target
    if function.name in _LOOPS and len(children) == 2 and children[1].kind == "lambda":
        items = _gen(w, children[0], depth, scope)
        w.emit(depth, f"if {items} is None:")
        w.emit(depth + 1, f"raise missing({w.constant(children[0])})")
        variable = w.constant(children[1].value)
        saved, item, hold = w.temp(), w.temp(), w.temp()
        # The body is written first, aside, to learn whether any closure in it reads env: only then must the
        # loop bind the name in env (and restore it), as the closures do; otherwise the loop variable is enough.
        body_writer = _Writer()
        body_writer.constants, body_writer.counter = w.constants, w.counter
        body = _gen(body_writer, children[1].children[0], 3, {**(scope or {}), children[1].value: item})
        w.counter, binds = body_writer.counter, body_writer.closures > 0
        w.closures += body_writer.closures
        inner = depth + 2 if binds else depth + 1
        if binds:
            w.emit(depth, f"{saved} = env.get({variable}, UNSET)")
            w.emit(depth, "try:")
        w.emit(inner - 1, "try:")
        start = {"filter": "[]", "count": "0", "any": "False", "all": "True"}[function.name]
        w.emit(inner, f"{hold} = {start}")
        w.emit(inner, f"for {item} in {items}:")
        body_depth = inner + 1
        if binds:
            w.emit(body_depth, f"env[{variable}] = {item}")
        for line in body_writer.lines:
            w.lines.append("    " * (body_depth - 3) + line)
        if function.name == "filter":
            w.emit(body_depth, f"if {body}:")
            w.emit(body_depth + 1, f"{hold}.append({item})")
        elif function.name == "count":
            w.emit(body_depth, f"if {body}:")
            w.emit(body_depth + 1, f"{hold} += 1")
        elif function.name == "any":
            w.emit(body_depth, f"if {body}:")
            w.emit(body_depth + 1, f"{hold} = True")
            w.emit(body_depth + 1, "break")
        else:
            w.emit(body_depth, f"if not {body}:")
            w.emit(body_depth + 1, f"{hold} = False")
            w.emit(body_depth + 1, "break")
        w.emit(inner, f"{target} = Decimal({hold})" if function.name == "count" else f"{target} = {hold}")
        w.emit(inner - 1, "except (ValueError, ArithmeticError) as error:")
        w.emit(inner, f"raise failed({w.constant(node)}, error) from None")
        if binds:
            w.emit(depth, "finally:")
            w.emit(depth + 1, f"if {saved} is UNSET:")
            w.emit(depth + 2, f"env.pop({variable}, None)")
            w.emit(depth + 1, "else:")
            w.emit(depth + 2, f"env[{variable}] = {saved}")
        return target
    if any(child.kind == "lambda" for child in children):
        return _closure(w, node, depth)
    run = w.constant(function.run)
    if len(children) == 1:
        value = _gen(w, children[0], depth, scope)
        w.emit(depth, f"if {value} is None:")
        w.emit(depth + 1, f"raise missing({w.constant(children[0])})")
        if function.name in ("sum", "max", "min"):
            # `None in items` by identity: the same for every value a fact can hold (no Decimal, text, date or
            # record equals None), without Decimal's slow comparison with a non-number
            w.emit(depth, f"if isinstance({value}, list):")
            w.emit(depth + 1, f"for item in {value}:")
            w.emit(depth + 2, "if item is None:")
            w.emit(depth + 3, f"raise missing({w.constant(children[0])})")
        inline = _inline(function, children[0], value)
        if inline is not None:   # a plain list: the function's own work written out, without its call
            w.emit(depth, "try:")
            w.emit(depth + 1, f"{target} = ({inline}) if type({value}) is list else {run}({value})")
            w.emit(depth, "except (ValueError, ArithmeticError) as error:")
            w.emit(depth + 1, f"raise failed({w.constant(node)}, error) from None")
            return target
        arguments = value
    else:
        values = [_gen(w, child, depth, scope) for child in children]
        for value, child in zip(values, children):
            w.emit(depth, f"if {value} is None:")
            w.emit(depth + 1, f"raise missing({w.constant(child)})")
        arguments = ", ".join(values)
    w.emit(depth, "try:")
    w.emit(depth + 1, f"{target} = {run}({arguments})")
    w.emit(depth, "except (ValueError, ArithmeticError) as error:")
    w.emit(depth + 1, f"raise failed({w.constant(node)}, error) from None")
    return target


def _inline(function, argument: Node, value: str) -> str | None:
    """The body of sum/max/min/count/distinct of one list, as functions.py computes it (tests/test_bench.py holds
    the two to the same results)."""
    name = function.name
    if name == "sum" and function.run is _functions._sum:
        return f"sum({value}, Decimal(0))"
    if name in ("max", "min"):
        return f"({name}({value}) if {value} else None)"
    if name == "count":
        return f"Decimal(len({value}))"
    item = argument.type.item if argument.type is not None and argument.type.name == "list" else None
    if name == "distinct" and function.run is _functions._distinct and item is not None \
            and item.name not in ("record", "list", "any"):   # hashable items: the first of each, in order
        return f"list(dict.fromkeys({value}))"
    return None


def function_for(node: Node):
    """One function env -> value for a compiled tree (node.run set on every node), or None: then use node.run."""
    writer = _Writer()
    try:
        result = _gen(writer, node, 1)
    except RecursionError:
        return None
    if len(writer.lines) > MAX_SOURCE_LINES:
        return None
    return _define(writer, "evaluate(env)", result, "<rammeaftale expression>")


def _define(writer: _Writer, signature: str, result: str, filename: str, extra: dict | None = None):
    """Compile the writer's lines as `def <signature>: ... return <result>`, with only the constants table, our
    helpers and a few builtins in scope; None when Python's compiler cannot take it (nested too deep)."""
    from decimal import Decimal
    from .compiler import EvaluationError
    source = f"def {signature}:\n" + "\n".join(writer.lines) + f"\n    return {result}\n"
    namespace = {f"c{index}": value for index, value in enumerate(writer.constants)}
    namespace.update({"missing": missing, "failed": failed, "out_of_range": out_of_range, "UNSET": _UNSET,
                      "Decimal": Decimal, "EvaluationError": EvaluationError, "__builtins__": _BUILTINS, **(extra or {})})
    try:
        code = compile(source, filename, "exec")
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return None
    exec(code, namespace)
    return namespace[signature.split("(", 1)[0]]


def _builtins() -> dict:
    import builtins
    return {name: getattr(builtins, name) for name in ("isinstance", "list", "type", "len", "sum", "max", "min", "dict", "tuple", "map",
                                                       "ArithmeticError", "ValueError")}


_BUILTINS = _builtins()


def plan_for(steps, decision_class, derived_nodes: dict):
    """One function (env, readings) -> results for a list of steps, doing what decide_fast does step by step:
    each derived fact's expression written out in place, each decision by its rules and override."""
    writer = _Writer()
    writer.emit(1, "results = {}")
    for name, step in steps:
        key = writer.constant(name)
        if isinstance(step, decision_class):
            # the rules in force depend on the readings: one generated chain per choice of this decision's readings
            decision, chains = writer.constant(step), writer.constant({})
            writer.emit(1, f"choice = tuple(map(readings.get, {decision}.reading_ids))")
            writer.emit(1, f"chain = {chains}.get(choice)")
            writer.emit(1, "if chain is None:")
            writer.emit(2, f"chain = {chains}[choice] = chain_or_loop({decision}, readings)")
            writer.emit(1, f"env[{key}] = results[{key}] = chain(env)")
            continue
        node = derived_nodes.get(name)
        if node is None:
            writer.emit(1, f"env[{key}] = {writer.constant(step)}(env)")
            continue
        mark = len(writer.lines)
        try:
            value = _gen(writer, node, 1)
        except RecursionError:
            del writer.lines[mark:]
            value = _closure(writer, node, 1)
        writer.emit(1, f"env[{key}] = {value}")
    if len(writer.lines) > 4 * MAX_SOURCE_LINES:
        return None
    return _define(writer, "plan(env, readings)", "results", "<rammeaftale plan>", {"chain_or_loop": _chain_or_loop})


def chain_for(decision, rules):
    """One function env -> value for a decision under one choice of readings: its active rules tried in order
    (the first whose condition holds gives the value), then the override, as decide_fast's loop does."""
    writer = _Writer()
    writer.emit(1, "value = None")
    writer.emit(1, "found = False")
    for position, item in enumerate(rules):
        depth = 1 if position == 0 else 2
        if position:
            writer.emit(1, "if not found:")
        condition = _gen(writer, item.rule.when.node, depth)
        writer.emit(depth, f"if {condition}:")
        writer.emit(depth + 1, "found = True")
        if item.rule.then_expr is not None:
            outcome = _gen(writer, item.rule.then_expr.node, depth + 1)
        else:
            outcome = writer.constant(item.value(None))   # a constant outcome: the rule's own value
        writer.emit(depth + 1, f"value = {outcome}")
    override = decision.decision.override
    if decision.override_when is not None:
        when = _gen(writer, override.when.node, 1)
        writer.emit(1, f"if {when}:")
        writer.emit(2, f"value = {_gen(writer, override.value.node, 2)}")
    if len(writer.lines) > 4 * MAX_SOURCE_LINES:
        return None
    return _define(writer, "chain(env)", "value", "<rammeaftale decision>")


def _chain_or_loop(decision, readings):
    rules = decision.active_rules(readings)
    try:
        chain = chain_for(decision, rules)
    except RecursionError:
        chain = None
    if chain is not None:
        return chain

    def loop(env):   # decide_fast's own loop, for a decision too large to write out
        value = None
        for item in rules:
            if item.run(env):
                value = item.value(env)
                break
        if decision.override_when is not None and decision.override_when(env):
            value = decision.override_value(env)
        return value
    return loop
