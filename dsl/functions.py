"""The DSL's built-in functions: Danish and English names, arity, typing and implementation in one table."""
from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Callable

from . import types as T


@dataclass(frozen=True)
class Duration:
    """A calendar duration. Months are added first (clamped to the month's last day), then days."""
    months: int = 0
    days: int = 0

    def __add__(self, other):
        if isinstance(other, Duration):
            return Duration(self.months + other.months, self.days + other.days)
        if isinstance(other, datetime.date):
            return add_duration(other, self)
        return NotImplemented

    __radd__ = __add__

    def __sub__(self, other):
        return Duration(self.months - other.months, self.days - other.days) if isinstance(other, Duration) else NotImplemented

    def __rsub__(self, other):  # date - duration
        return add_duration(other, -self) if isinstance(other, datetime.date) else NotImplemented

    def __neg__(self):
        return Duration(-self.months, -self.days)

    def __mul__(self, factor):
        return Duration(int(self.months * factor), int(self.days * factor))

    __rmul__ = __mul__


def add_duration(day: datetime.date, duration: Duration) -> datetime.date:
    """Real calendar arithmetic: 31 Jan + 1 month = 28/29 Feb; leap years follow the calendar."""
    month_index = day.year * 12 + (day.month - 1) + duration.months
    year, month = divmod(month_index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(day.day, last)) + datetime.timedelta(days=duration.days)


def month_end(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def round_half_up(value: Decimal, places: Decimal = Decimal(0)) -> Decimal:
    # The sources round half up (11,25 % -> 11,3 %); Python's round() would round half to even.
    return value.quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)


def _distinct(items):
    seen, result = set(), []
    for item in items:
        key = repr(item) if isinstance(item, (dict, list)) else item
        if key not in seen:
            seen.add(key)
            result.append(item)
    return result


def _sum(items):
    total = Decimal(0)
    for item in items:
        total += item
    return total


@dataclass(frozen=True)
class Function:
    name: str
    aliases: tuple[str, ...]
    arity: tuple[int, int]            # min, max number of arguments (-1: any number)
    takes_lambda: bool                # the last argument is `x => ...` applied to each list item
    result: Callable                  # (argument types) -> result type or an error text
    run: Callable                     # the implementation on plain values
    doc: str
    doc_en: str = ""                  # the doc in English (for the English hints of DSL114-DSL116)


def _needs_list(kinds):
    return kinds[0].name == "list" or kinds[0] == T.ANY


def _result_count(kinds):
    return T.NUMBER if _needs_list(kinds) else "forventede en liste"


def _result_sum(kinds):
    if not _needs_list(kinds):
        return "forventede en liste"
    item = kinds[0].item or T.ANY
    return item if item.name in ("number", "kr", "pct", "any") else f"kan ikke summere {item}"


def _result_extreme(kinds):
    if len(kinds) == 1:
        if not _needs_list(kinds):
            return "forventede en liste eller flere værdier"
        item = kinds[0].item or T.ANY
        return item if T.ordered(item) else f"kan ikke ordne {item}"
    first = kinds[0]
    for kind in kinds[1:]:
        if not T.comparable(first, kind):
            return f"kan ikke sammenligne {first} med {kind}"
    return first if T.ordered(first) else f"kan ikke ordne {first}"


def _result_same_list(kinds):
    return kinds[0] if _needs_list(kinds) else "forventede en liste"


def _result_bool(kinds):
    return T.BOOL if _needs_list(kinds) else "forventede en liste"


def _result_round(kinds):
    if kinds[0].name not in ("number", "kr", "pct", "any"):
        return f"kan ikke afrunde {kinds[0]}"
    if len(kinds) == 2 and kinds[1].name not in ("number", "any"):
        return "antal decimaler skal være et tal"
    return kinds[0]


def _result_date(kinds):
    return T.DATE if kinds[0].name in ("date", "any") else f"forventede en dato, fik {kinds[0]}"


def _date_part(kinds):
    return T.NUMBER if kinds[0].name in ("date", "any") else f"forventede en dato, fik {kinds[0]}"


def _result_days_between(kinds):
    if all(kind.name in ("date", "any") for kind in kinds):
        return T.NUMBER
    return "forventede to datoer"


def _result_abs(kinds):
    return kinds[0] if kinds[0].name in ("number", "kr", "pct", "any") else f"kan ikke tage numerisk værdi af {kinds[0]}"


def allocate(total: Decimal, weights, rest_position: Decimal | None = None) -> list[Decimal]:
    """Split `total` in proportion to `weights`, each share rounded half up to whole kroner; the rounding
    residual goes to the item at `rest_position` (1-based), or else to the item with the largest weight."""
    weights = list(weights)
    whole = sum(weights, Decimal(0))
    if not weights or whole == 0:
        return [Decimal(0) for _ in weights]
    shares = [round_half_up(total * weight / whole) for weight in weights]
    if rest_position is None:
        index = max(range(len(weights)), key=lambda position: (weights[position], -position))
    else:
        index = int(rest_position) - 1
        if not 0 <= index < len(weights):
            raise ValueError(f"position {rest_position} findes ikke i en liste med {len(weights)} elementer")
    shares[index] += total - sum(shares, Decimal(0))
    return shares


def _result_allocate(kinds):
    if kinds[0].name not in ("kr", "number", "any"):
        return "det der fordeles skal være et beløb eller et tal"
    if kinds[1].name != "list" or (kinds[1].item and kinds[1].item.name not in ("number", "kr", "pct", "any")):
        return "fordelingsnøglen skal være en liste af tal"
    if len(kinds) == 3 and kinds[2].name not in ("number", "any"):
        return "restens plads skal være et tal (1 = første)"
    return T.list_of(kinds[0])


def _result_item(kinds):
    if not _needs_list(kinds) or kinds[1].name not in ("number", "any"):
        return "forventede en liste og en plads (1 = første)"
    return kinds[0].item or T.ANY


def _item(items, position):
    index = int(position) - 1
    return items[index] if 0 <= index < len(items) else None


def _extreme(pick):
    def run(*args):
        items = args[0] if len(args) == 1 else args
        items = list(items)
        return pick(items) if items else None
    return run


FUNCTIONS = [
    Function("count", ("antal",), (1, 2), True, _result_count,
             lambda items, keep=None: Decimal(sum(1 for item in items if keep is None or keep(item))),
             "antal elementer i en liste (evt. dem der opfylder en betingelse)",
             "the number of items in a list (optionally those that meet a condition)"),
    Function("sum", ("summer",), (1, 1), False, _result_sum, _sum, "summen af en liste", "the sum of a list"),
    Function("max", ("maks", "størst"), (1, -1), False, _result_extreme, _extreme(max), "den største værdi", "the largest value"),
    Function("min", ("mindst_af",), (1, -1), False, _result_extreme, _extreme(min), "den mindste værdi", "the smallest value"),
    Function("distinct", ("forskellige",), (1, 1), False, _result_same_list, _distinct, "listen uden gentagelser", "the list without repeats"),
    Function("filter", ("filtrer",), (2, 2), True, _result_same_list,
             lambda items, keep: [item for item in items if keep(item)], "de elementer der opfylder betingelsen",
             "the items that meet the condition"),
    Function("any", ("nogen",), (2, 2), True, _result_bool,
             lambda items, test: any(test(item) for item in items), "sand hvis mindst ét element opfylder betingelsen",
             "true if at least one item meets the condition"),
    Function("all", ("alle",), (2, 2), True, _result_bool,
             lambda items, test: all(test(item) for item in items), "sand hvis alle elementer opfylder betingelsen",
             "true if every item meets the condition"),
    Function("exists", ("findes",), (1, 1), False, lambda kinds: T.BOOL,
             lambda value: value is not None, "sand hvis et valgfrit faktum er angivet",
             "true if an optional fact is given"),
    Function("round", ("afrund",), (1, 2), False, _result_round,
             lambda value, places=Decimal(0): round_half_up(value, places), "afrunding (halvt op, som kilderne)",
             "rounding (half up, as the sources do)"),
    Function("abs", ("numerisk",), (1, 1), False, _result_abs, abs, "numerisk værdi", "absolute value"),
    Function("month_end", ("månedsslut", "maanedsslut"), (1, 1), False, _result_date, month_end,
             "sidste dag i datoens måned", "the last day of the date's month"),
    Function("month_start", ("månedsstart", "maanedsstart"), (1, 1), False, _result_date, month_start,
             "første dag i datoens måned", "the first day of the date's month"),
    Function("allocate", ("fordel",), (2, 3), False, _result_allocate, allocate,
             "fordel et beløb efter en nøgle, afrundet til hele kroner; resten til den største (eller den angivne plads)",
             "split an amount by a key, rounded to whole kroner; the rest goes to the largest (or the given position)"),
    Function("item", ("nr",), (2, 2), False, _result_item, _item, "elementet på en plads i en liste (1 = første)",
             "the item at a position in a list (1 = first)"),
    Function("month_of", ("måned_af", "maaned_af"), (1, 1), False, lambda kinds: _date_part(kinds),
             lambda day: Decimal(day.month), "månedens nummer (1-12) i en dato",
             "the month's number (1-12) of a date"),
    Function("year_of", ("år_af", "aar_af"), (1, 1), False, lambda kinds: _date_part(kinds),
             lambda day: Decimal(day.year), "årstallet i en dato", "the year of a date"),
    Function("day_of", ("dag_af",), (1, 1), False, lambda kinds: _date_part(kinds),
             lambda day: Decimal(day.day), "dagens nummer i måneden", "the day's number in the month"),
    Function("round_down", ("afrund_ned",), (1, 2), False, _result_round,
             lambda value, places=Decimal(0): value.quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_DOWN),
             "afrunding nedad (mod nul)", "rounding down (towards zero)"),
    Function("days_between", ("dage_mellem",), (2, 2), False, _result_days_between,
             lambda first, last: Decimal((last - first).days), "antal dage fra første til anden dato",
             "the number of days from the first date to the second"),
]

BY_NAME: dict[str, Function] = {}
for _function in FUNCTIONS:
    for _name in (_function.name, *_function.aliases):
        BY_NAME[_name] = _function


def is_exists(node) -> bool:
    """`findes(x)` / `exists(x)`: the test of whether an optional value is given."""
    function = BY_NAME.get(node.value) if node.kind == "call" else None
    return function is not None and function.name == "exists"
