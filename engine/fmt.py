"""Values as people read them: Danish (2.000 kr., 37,5 %, 14. marts 2018) or English (DKK 2,000, 37.5%)."""
from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Context, Decimal

from ..dsl.functions import Duration
from ..dsl.types import Type

MONTHS = {"da": ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
                 "november", "december"],
          "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                 "November", "December"]}


_CONTEXTS: dict[int, Context] = {}
_PLACES: dict[int, Decimal] = {}


def _quantize(value: Decimal, places: int) -> Decimal:
    # with enough digits for the whole number: the default 28 would refuse to show a 27-digit amount to 2 places
    prec = max(28, value.adjusted() + places + 2)
    context = _CONTEXTS.get(prec)
    if context is None:   # made once per precision (a few); a Context costs more to make than to use
        context = Context(prec=prec)
        if len(_CONTEXTS) < 64:
            _CONTEXTS[prec] = context
    exponent = _PLACES.get(places)
    if exponent is None:
        exponent = _PLACES[places] = Decimal(1).scaleb(-places)
    return value.quantize(exponent, rounding=ROUND_HALF_UP, context=context)


_DANISH = str.maketrans({",": ".", ".": ","})


def number(value: Decimal, lang: str, places: int | None = None) -> str:
    """2.000 / 37,5 (Danish), 2,000 / 37.5 (English): thousands grouped, no trailing zeros unless places is given."""
    if places is not None:
        value = _quantize(value, places)
    text = str(value)
    whole, _, fraction = text.partition(".")
    if len(whole) <= 3 and "E" not in text and whole[-1:].isdigit():   # under 1000, no exponent: its text, read off
        if not fraction.strip("0"):   # a whole number shows no decimals (2.00 -> 2)
            return whole
        if places is None:   # a fraction ends in a digit other than 0 once its zeros are gone
            fraction = fraction.rstrip("0")
        return f"{whole}{',' if lang == 'da' else '.'}{fraction}"
    return _grouped(value, lang, places)


def _grouped(value: Decimal, lang: str, places: int | None) -> str:
    whole = value.to_integral_value()
    if value == whole:   # a whole number shows no decimals (2000.00 -> 2.000)
        # (beyond 28 digits normalize() rounds to the context's precision, as this always did)
        text = format(whole if whole.adjusted() < 28 else value.normalize(), ",f")
    else:
        text = format(value, ",f")
        if places is None:   # a fraction ends in a digit other than 0 once its zeros are gone
            text = text.rstrip("0")
    return text.translate(_DANISH) if lang == "da" else text


def value(item, kind: Type | None, lang: str = "da") -> str:
    if item.__class__ is Decimal:   # the common case first (None and bool are never Decimal)
        return _decimal(item, kind.name if kind is not None else None, lang)
    if item is None:
        return "(ikke angivet)" if lang == "da" else "(not given)"
    name = kind.name if kind is not None else None
    if isinstance(item, bool):
        return ("ja" if item else "nej") if lang == "da" else ("yes" if item else "no")
    if isinstance(item, Decimal):
        return _decimal(item, name, lang)
    if isinstance(item, datetime.date):
        month = MONTHS[lang][item.month - 1]
        return f"{item.day}. {month} {item.year}" if lang == "da" else f"{item.day} {month} {item.year}"
    if isinstance(item, Duration):
        parts = []
        if item.months:
            parts.append(f"{item.months} {'måned' if abs(item.months) == 1 else 'måneder'}" if lang == "da"
                         else f"{item.months} month{'s' if abs(item.months) != 1 else ''}")
        if item.days or not parts:
            parts.append(f"{item.days} {'dag' if abs(item.days) == 1 else 'dage'}" if lang == "da"
                         else f"{item.days} day{'s' if abs(item.days) != 1 else ''}")
        return " og ".join(parts) if lang == "da" else " and ".join(parts)
    if isinstance(item, list):
        inner = kind.item if kind is not None and kind.name == "list" else None
        if not item:
            return "ingen" if lang == "da" else "none"
        return ", ".join(value(element, inner, lang) for element in item)
    if isinstance(item, dict):
        return ", ".join(f"{key}: {element}" for key, element in item.items())
    return str(item)


def _decimal(item: Decimal, name: str | None, lang: str) -> str:
    if name == "kr":
        if lang == "da":
            return f"{_kroner(item) or number(item, lang, 2 if item != item.to_integral_value() else None)} kr."
        return f"DKK {number(item, lang)}"
    if name == "pct":
        shown = number(_quantize(item * 100, 2), lang)  # as the source rounds: 5,625 % → 5,63 %
        return f"{shown} %" if lang == "da" else f"{shown}%"
    return number(item, lang)


def _kroner(item: Decimal) -> str | None:
    """An amount in Danish, read off its text where that is plain (no exponent, at most two decimals: nothing to round):
    whole kroner as 3.518, else with two decimals, 3.518,50. None for anything else (number() does it)."""
    text = str(item)
    whole, point, fraction = text.partition(".")
    if len(fraction) > 2 or "E" in text or "n" in text or "N" in text:   # to round, an exponent, Infinity or NaN
        return None
    sign = ""
    if whole[0] == "-":
        sign, whole = "-", whole[1:]
    size = len(whole)
    if size > 3:   # thousands grouped with dots, by slicing the digits
        if size <= 6:
            whole = f"{whole[:-3]}.{whole[-3:]}"
        elif size <= 27:
            head = size % 3 or 3
            whole = whole[:head] + "".join("." + whole[start:start + 3] for start in range(head, size, 3))
        else:
            return None
    if not fraction or fraction == "0" or fraction == "00":
        return sign + whole
    return f"{sign}{whole},{fraction}0" if len(fraction) == 1 else f"{sign}{whole},{fraction}"


_AS_IS = frozenset({int, str, bool, type(None)})


def plain(item):
    """A JSON-safe form: Decimal as text (no float ever), dates as ISO text."""
    if item.__class__ is Decimal:
        # str() is the same text unless it uses an exponent or is a whole number with decimals (2000.00 -> 2000)
        text = str(item)
        if "E" not in text:
            point = text.find(".")
            if point < 0 or text[-1] != "0":
                return text
            return text[:point] if text.rstrip("0")[-1] == "." else text
    elif item.__class__ in _AS_IS:
        return item
    if isinstance(item, Decimal):
        return format(item.normalize(), "f") if item == item.to_integral_value() else format(item, "f")
    if isinstance(item, (datetime.date, datetime.datetime)):
        return item.isoformat()
    if isinstance(item, Duration):
        return {"months": item.months, "days": item.days}
    if isinstance(item, list):
        return [plain(element) for element in item]
    if isinstance(item, dict):
        return {str(key): plain(element) for key, element in item.items()}
    return item
