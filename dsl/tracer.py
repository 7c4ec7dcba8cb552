"""Evaluate a compiled condition while recording what it saw (the input to explanations).

Only the logical skeleton (og/eller/ikke/hvis, comparisons, membership) is walked; every operand is
evaluated with its compiled closure, so a traced run gives exactly the values the fast run uses.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .ast import Node


@dataclass
class Trace:
    node: Node
    value: Any
    children: list["Trace"] = field(default_factory=list)
    operands: tuple = ()          # for comparisons and membership: (left value, right value)
    skipped: int = 0              # og/eller: how many later parts were not evaluated (short-circuit)


def trace(node: Node, env: dict) -> Trace:
    kind = node.kind
    if kind == "and" or kind == "or":
        stop_at = kind == "and"  # og stops at the first false part, eller at the first true part
        children = []
        for index, child in enumerate(node.children):
            result = trace(child, env)
            children.append(result)
            if bool(result.value) != stop_at:
                return Trace(node, not stop_at, children, skipped=len(node.children) - index - 1)
        return Trace(node, stop_at, children)
    if kind == "not":
        inner = trace(node.children[0], env)
        return Trace(node, not inner.value, [inner])
    if kind == "if":
        condition = trace(node.children[0], env)
        branch = trace(node.children[1] if condition.value else node.children[2], env)
        return Trace(node, branch.value, [condition, branch])
    if kind in ("compare", "member", "not_member"):
        left, right = (child.run(env) for child in node.children)
        return Trace(node, node.run(env), operands=(left, right))
    return Trace(node, node.run(env))


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
