"""What a loaded period is: plain data classes, filled by rulefile.py and read by every later step."""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from ..dsl.ast import Node
from ..dsl.types import Type


@dataclass(frozen=True)
class Source:
    document: str
    lines: tuple[int, int]
    quote: str
    file: str | None = field(default=None, compare=False)     # where the quote stands in the rule file
    line: int | None = field(default=None, compare=False)
    column: int | None = field(default=None, compare=False)

    def as_json(self) -> dict:
        return {"document": self.document, "lines": list(self.lines), "quote": self.quote}


@dataclass(frozen=True)
class Interpretation:
    chosen: dict
    alternative: dict
    why: dict
    reading: str | None = None


@dataclass
class Expression:
    text: str
    node: Node
    file: str
    line: int
    column: int


@dataclass
class Rule:
    id: str
    title: dict
    when: Expression
    then: str
    sources: list[Source]
    file: str
    line: int
    interpretation: Interpretation | None = None
    gap: dict | None = None
    conflict: dict | None = None
    under_reading: tuple[str, str] | None = None
    table_row: int | None = None          # 1-based row number when the rule is a decision-table row
    positions: dict = field(default_factory=dict)   # key -> (line, column) of `then`, `under_reading` in the file
    then_expr: Expression | None = None   # for a computed decision: the expression that gives the value
    inherited_from: str | None = None     # the period it was written for, when a later period carries it unverified


@dataclass
class Override:
    when: Expression
    value: Expression
    reason: Expression
    by: Expression | None
    sources: list[Source]
    inherited_from: str | None = None


@dataclass
class Decision:
    name: str
    title: dict
    values: dict                           # value -> {da, en}; empty for a computed decision
    rules: list[Rule]
    override: Override | None
    table_inputs: list[Expression] | None
    file: str
    line: int
    type: Type | None = None               # a computed decision's type (its rules' `then` are expressions)
    not_applicable: dict | None = None     # why no value when no rule applies (instead of a gap)


@dataclass
class Derived:
    name: str
    type: Type
    title: dict
    expr: Expression
    phrase: dict | None
    sources: list[Source]
    interpretation: Interpretation | None
    id: str | None
    file: str
    line: int
    inherited_from: str | None = None


@dataclass
class Parameter:
    name: str
    type: Type
    title: dict
    values: list[tuple[datetime.date, Any]]  # (effective from, value), sorted by date
    sources: list[Source]
    id: str | None
    file: str
    line: int
    value_sources: dict = field(default_factory=dict)    # start date -> the dated value's own sources (else `sources`)
    inherited_from: dict = field(default_factory=dict)   # start date -> the period a value was inherited from
    value_gaps: dict = field(default_factory=dict)       # start date -> {da, en}: what the source leaves open about it

    def value_on(self, day: datetime.date):
        return self.values[self.index_on(day)][1]

    def index_on(self, day: datetime.date) -> int:
        """Which dated value is in force on `day` (the first one before any start date)."""
        current = 0
        for index, (start, _) in enumerate(self.values):
            if start <= day:
                current = index
        return current

    def in_force(self, first: datetime.date, last: datetime.date) -> list[tuple[datetime.date, Any]]:
        """The dated values that hold on some day from `first` to `last` (a period's validity)."""
        return [(start, value) for index, (start, value) in enumerate(self.values)
                if start <= last and (index + 1 == len(self.values) or self.values[index + 1][0] > first)]

    def sources_on(self, day: datetime.date) -> list[Source]:
        return self.value_sources.get(self.values[self.index_on(day)][0], self.sources)

    def inherited_on(self, day: datetime.date) -> str | None:
        return self.inherited_from.get(self.values[self.index_on(day)][0])

    def gap_on(self, day: datetime.date) -> dict | None:
        return self.value_gaps.get(self.values[self.index_on(day)][0])


@dataclass
class Fact:
    name: str
    type: Type
    spec: dict                               # the declaration as written (for the facts JSON Schema)
    title: dict | None
    phrase: dict | None = None


@dataclass
class Reading:
    id: str
    title: dict
    default: str
    options: dict
    sources: list[Source]
    file: str
    line: int
    inherited_from: str | None = None


@dataclass
class Statement:
    """A provision about the agreement itself (its period, its parts, its annexes), not about a subject."""
    id: str
    title: dict
    text: dict
    sources: list[Source]
    file: str
    line: int
    items: list = field(default_factory=list)    # e.g. the annexes, in order
    inherited_from: str | None = None

    @property
    def topic(self) -> str:
        """What the statement is about, the same in every period: 'rammeaftale.bilag' for syd2018.rammeaftale.bilag."""
        return self.id.split(".", 1)[1]


@dataclass
class Subject:
    name: str
    title: dict
    file: str
    facts: dict[str, Fact] = field(default_factory=dict)
    derived: dict[str, Derived] = field(default_factory=dict)
    parameters: dict[str, Parameter] = field(default_factory=dict)
    decisions: dict[str, Decision] = field(default_factory=dict)


def expressions(subject: "Subject"):
    """Every expression of a subject: derived facts, each rule's condition and computed outcome, decision-table
    inputs, and the parts of an override."""
    for item in subject.derived.values():
        yield item.expr
    for decision in subject.decisions.values():
        for rule in decision.rules:
            yield rule.when
            if rule.then_expr is not None:
                yield rule.then_expr
        for expression in decision.table_inputs or ():
            if expression is not None:
                yield expression
        if decision.override:
            override = decision.override
            for part in (override.when, override.value, override.reason, override.by):
                if part is not None:
                    yield part


@dataclass
class Period:
    region: str
    id: str
    title: dict
    valid_from: datetime.date
    valid_to: datetime.date
    extends: str | None
    documents: list[dict]
    file: str
    readings: dict[str, Reading] = field(default_factory=dict)
    subjects: dict[str, Subject] = field(default_factory=dict)
    digest: str = ""
    gap_before: dict | None = None         # {from, to, why}: the declared stretch before this period that no period covers
    statements: list["Statement"] = field(default_factory=list)   # what the agreement says about itself (validity, structure)
    origin: dict = field(default_factory=dict)   # period id -> its title, for the periods provisions are inherited from

    def label(self, lang: str = "da") -> str:
        """'rammeaftale 2021–22': how explanations name the period."""
        return ("rammeaftale " if lang == "da" else "framework agreement ") + self.id.replace("-", "–")

    @property
    def key(self) -> tuple[str, str]:
        return self.region, self.id
