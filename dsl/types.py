"""The DSL's types: numbers, money (kr), percentages, dates, durations, truth values, text, lists, records."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Type:
    name: str                                   # number kr pct date duration bool text list record any
    item: "Type | None" = None                  # for lists
    fields: tuple[tuple[str, "Type"], ...] = ()  # for records, in declared order
    values: tuple[str, ...] = ()                # for text: the allowed values of an enumeration

    def __str__(self) -> str:
        if self.name == "list":
            return f"liste af {self.item}"
        if self.name == "text" and self.values:
            return "tekst (" + " | ".join(self.values) + ")"
        return DANISH_NAMES.get(self.name, self.name)

    def field(self, name: str) -> "Type | None":
        return dict(self.fields).get(name)


NUMBER = Type("number")
KR = Type("kr")
PCT = Type("pct")
DATE = Type("date")
DURATION = Type("duration")
BOOL = Type("bool")
TEXT = Type("text")
ANY = Type("any")

DANISH_NAMES = {"number": "tal", "kr": "kr.", "pct": "procent", "date": "dato", "duration": "varighed",
                "bool": "sand/falsk", "text": "tekst", "record": "post", "any": "hvad som helst"}

# The names rule files use for fact types.
SCALARS = {"number": NUMBER, "tal": NUMBER, "integer": NUMBER, "kr": KR, "pct": PCT, "percent": PCT, "date": DATE,
           "dato": DATE, "duration": DURATION, "bool": BOOL, "text": TEXT, "tekst": TEXT}


def list_of(item: Type) -> Type:
    return Type("list", item=item)


def enum(values) -> Type:
    return Type("text", values=tuple(values))


def record(fields: dict[str, Type]) -> Type:
    return Type("record", fields=tuple(fields.items()))


NUMERIC = {"number", "kr", "pct"}


def comparable(left: Type, right: Type) -> bool:
    """kr compares only with kr; a percentage is a plain ratio, so number and pct compare with each other."""
    if ANY in (left, right):
        return True
    if left.name in ("number", "pct") and right.name in ("number", "pct"):
        return True
    return left.name == right.name


def ordered(kind: Type) -> bool:
    return kind.name in ("number", "kr", "pct", "date", "any")


def arithmetic(op: str, left: Type, right: Type) -> Type | None:
    """Result type of `left op right`, or None when the units do not fit."""
    a, b = left.name, right.name
    if "any" in (a, b):
        return left if b == "any" else right
    if op in "+-":
        if a == b and a in ("number", "kr", "pct", "duration"):
            return left
        if a == "date" and b == "duration":
            return DATE
        if op == "+" and a == "duration" and b == "date":
            return DATE
        return None
    if op == "*":
        if a == "kr" and b in ("number", "pct"):
            return KR
        if b == "kr" and a in ("number", "pct"):
            return KR
        if a in ("number", "pct") and b in ("number", "pct"):
            return PCT if "pct" in (a, b) else NUMBER
        if a == "number" and b == "duration" or a == "duration" and b == "number":
            return DURATION
        return None
    if op == "/":
        if a == b and a in ("kr", "number", "pct"):
            return NUMBER
        if a in ("kr", "pct") and b == "number":
            return left
        if a == "kr" and b == "pct":
            return KR
        if a == "number" and b == "pct":
            return NUMBER
        return None
    return None
