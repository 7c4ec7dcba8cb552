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

from .ast import Node
from .compiler import _LOOPS, _UNSET, _divide, failed, missing, out_of_range
from . import functions as _functions
from .functions import BY_NAME

MAX_SOURCE_LINES = 2000
LITERALS = ("number", "quantity", "date", "string", "bool")


class _Writer:
    def __init__(self):
        self.lines: list[str] = []
        self.constants: list = []
        self.counter = 0
        self.closures = 0      # nodes left to their closures: they read env, so a loop must bind its name there
        self.lists: set[str] = set()   # variables that surely hold a list (made here), never None
        self.common: dict[tuple, str] = {}   # a loop written at the top level -> the variable holding its result
        self.hoist: list[str] | None = None  # in a loop's body: reads of env to do once, before the loop
        self.fixed: dict = {}                # names whose value is a constant here, not read from env
        self.given: set[str] = set()         # constants that hold a value (not None): no check for a missing one

    def constant(self, value) -> str:
        self.constants.append(value)
        return f"c{len(self.constants) - 1}"

    def value(self, value) -> str:
        """A constant that is a value of the language (a literal, a parameter of the day)."""
        name = self.constant(value)
        if value is not None:
            self.given.add(name)
        return name

    def temp(self) -> str:
        self.counter += 1
        return f"v{self.counter}"

    def emit(self, depth: int, text: str) -> None:
        self.lines.append("    " * depth + text)


def _logic(w: _Writer, node: Node, depth: int, part, target: str | None = None) -> str:
    """og / eller as a truth value, stopping at the first part that settles it (og at a false one, eller at a true
    one); ikke; hvis. `part(child, depth)` writes a child and names the variable holding its value."""
    kind = node.kind
    target = target or w.temp()
    if kind in ("and", "or"):
        stops_and = kind == "and"
        w.emit(depth, f"{target} = {'True' if stops_and else 'False'}")
        level = depth
        for child in node.children:
            value = part(child, level)
            w.emit(level, f"if {'not ' if stops_and else ''}{value}:")
            w.emit(level + 1, f"{target} = {'False' if stops_and else 'True'}")
            w.emit(level, "else:")
            level += 1
        w.emit(level, "pass")
    elif kind == "not":
        w.emit(depth, f"{target} = not {part(node.children[0], depth)}")
    else:   # if
        w.emit(depth, f"if {part(node.children[0], depth)}:")
        w.emit(depth + 1, f"{target} = {part(node.children[1], depth + 1)}")
        w.emit(depth, "else:")
        w.emit(depth + 1, f"{target} = {part(node.children[2], depth + 1)}")
    return target


def _present(w: _Writer, value: str, node: Node, depth: int) -> None:
    """Raise EVAL001 for `node` where `value` is None; nothing to write where it surely holds a value (a constant
    that is one, a list made here)."""
    if value not in w.given and value not in w.lists:
        w.emit(depth, f"if {value} is None:")
        w.emit(depth + 1, f"raise missing({w.constant(node)})")


def _computed(w: _Writer, node: Node, depth: int, statement: str) -> None:
    """`statement`, with a failure of its function raised as EVAL003 for `node`."""
    w.emit(depth, "try:")
    w.emit(depth + 1, statement)
    w.emit(depth, "except (ValueError, ArithmeticError) as error:")
    w.emit(depth + 1, f"raise failed({w.constant(node)}, error) from None")


def _given(w: _Writer, node: Node, depth: int, statement: str, left: str, right: str) -> None:
    """`statement` on two operands that must be given (a missing one is named), an overflow caught as the node's."""
    _present(w, left, node.children[0], depth)
    _present(w, right, node.children[1], depth)
    w.emit(depth, "try:")
    w.emit(depth + 1, statement)
    w.emit(depth, "except (ArithmeticError, ValueError) as error:")
    w.emit(depth + 1, f"raise out_of_range({w.constant(node)}, error) from None")


def _comparison(w: _Writer, node: Node, depth: int, scope: dict | None = None) -> tuple[str, str, str]:
    """Both operands evaluated, then compared as compiler.py compares them: (the variable holding the truth, the
    left operand's, the right operand's). = and != take a missing value as a value; the others need both."""
    left = _gen(w, node.children[0], depth, scope)
    right = _gen(w, node.children[1], depth, scope)
    target = w.temp()
    if node.value in ("=", "!="):
        w.emit(depth, f"{target} = {left} {'==' if node.value == '=' else '!='} {right}")
    else:   # the operator itself (operator.ge ... operator.lt)
        _given(w, node, depth, f"{target} = {left} {node.value} {right}", left, right)
    return target, left, right


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
    if kind in LITERALS:
        return w.value(node.run(None))
    if kind == "name" and node.value in w.fixed:   # a value fixed for the whole function (a parameter of the day)
        return w.value(w.fixed[node.value])
    if kind == "name":
        target = w.temp()
        if w.hoist is not None:   # in a loop's body, a name the loop does not bind: read once, before the loop
            w.hoist.append(f"{target} = env[{w.constant(node.value)}]")
        else:
            w.emit(depth, f"{target} = env[{w.constant(node.value)}]")
        return target
    if kind == "field":
        base = _gen(w, node.children[0], depth, scope)
        target = w.temp()
        _present(w, base, node.children[0], depth)
        if node.children[0].type is not None and node.children[0].type.name == "list":
            w.emit(depth, f"{target} = [item.get({w.constant(node.value)}) for item in {base}]")
            w.lists.add(target)
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
        # three or more: all(...) / any(...), a truth value
        return _logic(w, node, depth, lambda part, level: _gen(w, part, level, scope), target)
    if kind in ("not", "if"):
        return _logic(w, node, depth, lambda part, level: _gen(w, part, level, scope))
    if kind == "compare":
        return _comparison(w, node, depth, scope)[0]
    if kind == "binop":
        left = _gen(w, node.children[0], depth, scope)
        right = _gen(w, node.children[1], depth, scope)
        target = w.temp()
        if node.value == "/":   # compiler.py's division, which says which division by zero
            statement = f"{target} = {w.constant(_divide(node))}({left}, {right})"
        else:   # the operator itself, as compiler.py applies it (operator.add, .sub, .mul)
            statement = f"{target} = {left} {node.value} {right}"
        _given(w, node, depth, statement, left, right)
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
        _present(w, items, collection_node, depth)
        element = _gen(w, element_node, depth, scope)
        w.emit(depth, f"{target} = {element} {'in' if kind == 'member' else 'not in'} {items}")
        return target
    if kind == "call":
        return _call(w, node, depth, scope)
    return _closure(w, node, depth)


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
        # the same loop over the same facts, written again at the top of the function (two derived facts filtering
        # one list alike): its first result serves; nothing in between can change what it reads
        common = (node.kind, node.text) if depth == 1 and not scope else None
        if common in w.common:
            return w.common[common]
        items = _gen(w, children[0], depth, scope)
        _present(w, items, children[0], depth)
        variable = w.constant(children[1].value)
        saved, item, hold = w.temp(), w.temp(), w.temp()
        # The body is written first, aside, to learn whether any closure in it reads env: only then must the
        # loop bind the name in env (and restore it), as the closures do; otherwise the loop variable is enough.
        body_writer = _Writer()
        body_writer.constants, body_writer.counter, body_writer.hoist = w.constants, w.counter, []
        body_writer.fixed, body_writer.given = w.fixed, w.given
        body = _gen(body_writer, children[1].children[0], 3, {**(scope or {}), children[1].value: item})
        w.counter, binds = body_writer.counter, body_writer.closures > 0
        w.closures += body_writer.closures
        if not binds:   # nothing in the body changes env: what it reads there is the same for every item
            for line in body_writer.hoist:
                w.emit(depth, line)
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
            for line in body_writer.hoist:   # read for each item, as the closures do
                w.emit(body_depth, line)
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
        if function.name == "filter":
            w.lists.add(target)
        w.emit(inner - 1, "except (ValueError, ArithmeticError) as error:")
        w.emit(inner, f"raise failed({w.constant(node)}, error) from None")
        if binds:
            w.emit(depth, "finally:")
            w.emit(depth + 1, f"if {saved} is UNSET:")
            w.emit(depth + 2, f"env.pop({variable}, None)")
            w.emit(depth + 1, "else:")
            w.emit(depth + 2, f"env[{variable}] = {saved}")
        if common is not None:
            w.common[common] = target
        return target
    if any(child.kind == "lambda" for child in children):
        return _closure(w, node, depth)
    if function.name == "count" and len(children) == 1 and _plain_distinct(children[0]):
        return _count_distinct(w, children[0], depth, scope, target)
    run = w.constant(function.run)
    if len(children) == 1:
        value = _gen(w, children[0], depth, scope)
        known = value in w.lists     # a list made here: neither None nor anything but a list
        _present(w, value, children[0], depth)
        if function.name in ("sum", "max", "min"):
            # `None in items` by identity: the same for every value a fact can hold (no Decimal, text, date or
            # record equals None), without Decimal's slow comparison with a non-number
            if not known:
                w.emit(depth, f"if isinstance({value}, list):")
            w.emit(depth + (0 if known else 1), f"for item in {value}:")
            w.emit(depth + (1 if known else 2), "if item is None:")
            w.emit(depth + (2 if known else 3), f"raise missing({w.constant(children[0])})")
        inline = _inline(function, children[0], value)
        if inline is not None:   # a plain list: the function's own work written out, without its call
            if function.name == "distinct" and known:
                w.lists.add(target)
            _computed(w, node, depth, f"{target} = ({inline})" if known
                      else f"{target} = ({inline}) if type({value}) is list else {run}({value})")
            return target
        arguments = value
    else:
        values = [_gen(w, child, depth, scope) for child in children]
        for value, child in zip(values, children):
            _present(w, value, child, depth)
        arguments = ", ".join(values)
    _computed(w, node, depth, f"{target} = {run}({arguments})")
    return target


def _plain_distinct(node: Node) -> bool:
    """distinct() of a list of hashable items, which _inline writes out."""
    if node.kind != "call" or len(node.children) != 1 or BY_NAME[node.value].name != "distinct":
        return False
    return _inline(BY_NAME[node.value], node.children[0], "") is not None


def _count_distinct(w: _Writer, node: Node, depth: int, scope: dict | None, target: str) -> str:
    """count(distinct(items)): how many different items, without making the list of them (a set holds the same
    items as the dict distinct() keeps its order by)."""
    items = _gen(w, node.children[0], depth, scope)
    _present(w, items, node.children[0], depth)
    distinct = w.constant(BY_NAME[node.value].run)
    fallback = "" if items in w.lists else f" if type({items}) is list else Decimal(len({distinct}({items})))"
    _computed(w, node, depth, f"{target} = Decimal(len(set({items})))" + fallback)
    return target


def _inline(function, argument: Node, value: str) -> str | None:
    """The body of sum/max/min/count/distinct of one list, as functions.py computes it (tests/test_bench.py holds
    the two to the same results)."""
    name = function.name
    if name == "sum" and function.run is _functions._sum:
        return f"sum({value}, ZERO)"
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
                      "Decimal": Decimal, "ZERO": Decimal(0), "EvaluationError": EvaluationError, "__builtins__": _BUILTINS, **(extra or {})})
    try:
        code = compile(source, filename, "exec")
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return None
    exec(code, namespace)
    return namespace[signature.split("(", 1)[0]]


def _builtins() -> dict:
    import builtins
    return {name: getattr(builtins, name) for name in ("isinstance", "list", "set", "type", "len", "sum", "max", "min", "dict", "tuple", "map",
                                                       "str", "TypeError", "ArithmeticError", "ValueError")}


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
        _derived_step(writer, key, step, derived_nodes.get(name))
    if len(writer.lines) > 4 * MAX_SOURCE_LINES:
        return None
    return _define(writer, "plan(env, readings)", "results", "<rammeaftale plan>", {"chain_or_loop": _chain_or_loop})


def _derived_step(writer: _Writer, key: str, step, node: Node | None) -> None:
    """A derived fact's expression written out in place (its closure where there is no tree or it is too deep)."""
    if node is None:
        writer.closures += 1
        writer.emit(1, f"env[{key}] = {writer.constant(step)}(env)")
        return
    mark, common, lists = len(writer.lines), dict(writer.common), set(writer.lists)
    try:
        value = _gen(writer, node, 1)
    except RecursionError:   # what was written of it is dropped, and so is what it made known
        del writer.lines[mark:]
        writer.common, writer.lists = common, lists
        value = _closure(writer, node, 1)
    writer.emit(1, f"env[{key}] = {value}")


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


# -- the explained path: every rule's condition traced, as dsl/tracer.py does, in one generated function ----------
SKELETON = ("and", "or", "not", "if")
OPERANDS = ("compare", "member", "not_member")


class _Skipped:
    """A part of a condition that a short-circuit left unevaluated (the tracer has no trace for it)."""
    __slots__ = ()

    def __repr__(self):
        return "SKIPPED"


SKIPPED = _Skipped()


def skeleton_leaves(node: Node) -> list[Node]:
    """The parts of a condition the tracer records a value for (comparisons, membership and other values under
    og/eller/ikke/hvis), in the order it meets them."""
    if node.kind in SKELETON:
        return [leaf for child in node.children for leaf in skeleton_leaves(child)]
    return [node]


def fixed_operand(node: Node, fixed: dict) -> bool:
    """An operand with the same value in every record: a literal (or a list of them), or a name in `fixed`."""
    if node.kind in LITERALS or node.kind == "name" and node.value in fixed:
        return True
    return node.kind == "list" and all(child.kind in LITERALS for child in node.children)


class Layout:
    """Where one decision's traced values stand in the tuple the generated function returns: per leaf of each
    active rule's condition its value (SKIPPED where not evaluated) and, for comparisons and membership, each
    operand that is neither fixed (the same in every record) nor a name (its value stays in env); then the
    override's reason and by."""

    def __init__(self, name: str, rules: list, has_override: bool, prefix: str, fixed: dict):
        self.name, self.rules, self.prefix = name, rules, prefix
        self.position: dict[int, int] = {}        # id(leaf node) -> index of its value in the tuple
        self.operands: dict[int, tuple] = {}      # id(leaf node) -> per operand its index, or None (fixed, or a name)
        self.leaves: list[Node] = []
        size = 0
        for item in rules:
            for leaf in skeleton_leaves(item.rule.when.node):
                self.position[id(leaf)] = size
                self.leaves.append(leaf)
                size += 1
                if leaf.kind in OPERANDS:
                    places = []
                    for child in leaf.children:
                        kept = not fixed_operand(child, fixed) and child.kind != "name"
                        places.append(size if kept else None)
                        size += 1 if kept else 0
                    self.operands[id(leaf)] = tuple(places)
        self.override_at = size if has_override else None   # reason, by
        self.size = size + (2 if has_override else 0)

    def slot(self, index: int) -> str:
        return f"{self.prefix}{index}"

    def start(self) -> list[str]:
        """What stands before anything is evaluated: SKIPPED values, None operands and override texts."""
        lines = [f"{self.slot(self.position[id(leaf)])} = SKIPPED" for leaf in self.leaves]
        kept = [self.slot(index) for places in self.operands.values() for index in places if index is not None]
        if self.override_at is not None:
            kept += [self.slot(self.override_at), self.slot(self.override_at + 1)]
        if kept:
            lines.append(" = ".join(kept) + " = None")
        return lines


def traced_for(steps, decision_class, derived_nodes: dict, active: dict, recorded: list[str], fixed: dict):
    """One function env -> ((key, values), ...) for the recorded decisions, in their order, doing what
    evaluate_subject does for them: the derived facts they need, then per decision every active rule's condition
    traced (og/eller stop where the tracer stops; both operands of a comparison evaluated, then compared), the first
    that holds giving the value, then the override. `values` holds what the tracer would record (see Layout); `key`
    is the outcome pattern: each leaf's truth (SKIPPED where not evaluated), whether the override applied, and the
    value. Every error is raised as the closures raise it. The names in `fixed` (the parameters of the day) are
    constants in it. Returns (function, {decision: Layout}, whether env must hold those names too: a closure in it
    reads them there) or None."""
    writer = _Writer()
    writer.fixed = fixed
    layouts, finals = {}, []
    for name, step in steps:
        key = writer.constant(name)
        if not isinstance(step, decision_class):
            _derived_step(writer, key, step, derived_nodes.get(name))
            continue
        rules = active[name]
        layout = None
        if name in recorded:
            layout = layouts[name] = Layout(name, rules, step.override_when is not None, f"r{len(layouts)}_", fixed)
        truths = [_trace(writer, item.rule.when.node, 1, layout) for item in rules]
        writer.emit(1, "value = None")
        for index, (item, truth) in enumerate(zip(rules, truths)):
            writer.emit(1, f"{'if' if index == 0 else 'elif'} {truth}:")
            if item.rule.then_expr is not None:
                writer.emit(2, f"value = {_gen(writer, item.rule.then_expr.node, 2)}")
            else:
                writer.emit(2, f"value = {writer.constant(item.value(None))}")
        override = step.decision.override
        if step.override_when is not None:
            writer.emit(1, "applied = False")
            writer.emit(1, f"if {_gen(writer, override.when.node, 1)}:")
            writer.emit(2, f"value = {_gen(writer, override.value.node, 2)}")
            if layout is not None:
                writer.emit(2, f"{layout.slot(layout.override_at)} = {_gen(writer, override.reason.node, 2)}")
                if override.by is not None:
                    writer.emit(2, f"{layout.slot(layout.override_at + 1)} = {_gen(writer, override.by.node, 2)}")
            writer.emit(2, "applied = True")
        writer.emit(1, f"env[{key}] = value")
        if layout is not None:
            parts = []
            for leaf in layout.leaves:
                slot = layout.slot(layout.position[id(leaf)])
                # a comparison's value is already a truth value; any other leaf's is made one
                parts.append(slot if leaf.kind in OPERANDS else f"({slot} if {slot} is SKIPPED else not not {slot})")
            parts.append("applied" if step.override_when is not None else "False")
            writer.emit(1, f"{layout.prefix}key = ({', '.join(parts)}, value)")
            values = "".join(f"{layout.slot(index)}, " for index in range(layout.size))
            finals.append(f"({layout.prefix}key, ({values}))")
    if len(writer.lines) > 4 * MAX_SOURCE_LINES:
        return None
    writer.lines[:0] = ["    " + line for layout in layouts.values() for line in layout.start()]
    function = _define(writer, "traced(env)", f"({''.join(item + ', ' for item in finals)})", "<rammeaftale explained>",
                       {"SKIPPED": SKIPPED})
    return None if function is None else (function, layouts, writer.closures > 0)


def _trace(w: _Writer, node: Node, depth: int, layout: Layout | None) -> str:
    """Emit the tracer's walk of a condition; return the variable holding the value its trace would have."""
    if node.kind in SKELETON:   # the tracer's junctions give truth values, and so do these
        return _logic(w, node, depth, lambda part, level: _trace(w, part, level, layout))
    kind = node.kind
    if kind not in OPERANDS:
        target = _gen(w, node, depth)
        if layout is not None:
            w.emit(depth, f"{layout.slot(layout.position[id(node)])} = {target}")
        return target
    if kind == "compare":   # node.on_values written out
        target, left, right = _comparison(w, node, depth)
    else:   # membership: the node's own test on the two values, as the tracer calls it
        left = _gen(w, node.children[0], depth)
        right = _gen(w, node.children[1], depth)
        target = w.temp()
        w.emit(depth, f"{target} = {w.constant(node.on_values)}({left}, {right})")
    if layout is not None:
        w.emit(depth, f"{layout.slot(layout.position[id(node)])} = {target}")
        for index, value in zip(layout.operands[id(node)], (left, right)):
            if index is not None:
                w.emit(depth, f"{layout.slot(index)} = {value}")
    return target
