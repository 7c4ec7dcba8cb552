"""The syntax tree of a DSL expression.

One small node class instead of a class per construct: the checker, the compiler and the tracer each
dispatch on `kind`, and every node keeps where it stood in the expression text (1-based line/column)
so that errors and explanations can point at it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(eq=False)
class Node:
    kind: str                      # number, quantity, date, string, bool, name, field, call, lambda,
                                   # list, neg, binop, compare, member, not_member, and, or, not, if
    children: list["Node"] = field(default_factory=list)
    value: Any = None              # literal value, name, operator, unit, or function name
    line: int = 1
    column: int = 1
    end_column: int = 1
    text: str = ""                 # the source text of this node, for explanations
    type: Any = None               # filled in by the checker

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()
