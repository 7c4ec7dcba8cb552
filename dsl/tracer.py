"""Evaluate a compiled condition while recording what it saw (the input to explanations).

Only the logical skeleton (og/eller/ikke/hvis, comparisons, membership) is walked; every operand is
evaluated with its compiled closure, so a traced run gives exactly the values the fast run uses.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .ast import Node


@dataclass(slots=True)
class Trace:
    node: Node
    value: Any
    children: list["Trace"] = field(default_factory=list)
    operands: tuple = ()          # for comparisons and membership: (left value, right value)
    skipped: int = 0              # og/eller: how many later parts were not evaluated (short-circuit)


def trace(node: Node, env: dict) -> Trace:
    return _BY_KIND.get(node.kind, _value)(node, env)


def _junction(node: Node, env: dict) -> Trace:
    stop_at = node.kind == "and"  # og stops at the first false part, eller at the first true part
    children = []
    parts = node.children
    for index, child in enumerate(parts):
        result = _BY_KIND.get(child.kind, _value)(child, env)
        children.append(result)
        if bool(result.value) != stop_at:
            return Trace(node, not stop_at, children, skipped=len(parts) - index - 1)
    return Trace(node, stop_at, children)


def _not(node: Node, env: dict) -> Trace:
    inner = trace(node.children[0], env)
    return Trace(node, not inner.value, [inner])


def _if(node: Node, env: dict) -> Trace:
    condition = trace(node.children[0], env)
    branch = trace(node.children[1] if condition.value else node.children[2], env)
    return Trace(node, branch.value, [condition, branch])


def _operands(node: Node, env: dict) -> Trace:
    left, right = node.children
    a, b = left.run(env), right.run(env)
    return Trace(node, node.on_values(a, b), operands=(a, b))   # the node's own test on the values it recorded


def _value(node: Node, env: dict) -> Trace:
    return Trace(node, node.run(env))


# the logical skeleton is walked; any other node is one value from its compiled closure
_BY_KIND = {"and": _junction, "or": _junction, "not": _not, "if": _if,
            "compare": _operands, "member": _operands, "not_member": _operands}


def first_failure(result: Trace) -> list[Trace]:
    """The comparisons that made a false condition false: the first failing part of an og, every part of an eller."""
    if result.value:
        return []
    kind = result.node.kind
    if kind == "and":
        failing = next(child for child in result.children if not child.value)
        return first_failure(failing)
    if kind == "or":
        found = []
        for child in result.children:
            found.extend(first_failure(child))
        return found
    if kind == "if":
        return first_failure(result.children[1])
    return [result]
