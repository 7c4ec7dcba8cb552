"""Facts files: the input contract. Validated against a JSON Schema made from the period's fact
declarations, then converted to typed values (Decimal for amounts, dates as dates). Errors name the
file, line, column, the record's id and the field.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from ..dsl.errors import ErrorList, RammeaftaleError
from .model import Period, Subject
from .schema import dotted_path, validate
from .yamlsafe import PosDict, load_file, load_text

MAX_LIST_ITEMS = 10_000
PERCENT = re.compile(r"^\s*(-?\d{1,15}(?:[.,]\d{1,12})?)\s*%\s*$")   # the number limits of yamlsafe
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
PROVENANCE = {"type": "object", "additionalProperties": False,
              "description": "where the record's values come from; not used by the rules",
              "properties": {"cite": {"type": "string"}, "from_source": {"type": "array", "items": {"type": "string"}},
                             "illustrative": {"type": "array", "items": {"type": "string"}}, "note": {"type": "string"}}}
READING_VALUES = {"type": "object", "additionalProperties": {"type": "string"},
                  "description": "chosen readings of ambiguous provisions, e.g. {kategori_hul: lokalt_tilbud}"}


def _value_schema(spec: dict) -> dict:
    kind = spec["type"]
    if kind == "text":
        schema = {"type": "string"}
        if spec.get("values"):
            schema["enum"] = list(spec["values"])
    elif kind in ("number", "kr"):
        schema = {"type": "integer" if spec.get("integer") else "number"}
        if "minimum" in spec:
            schema["minimum"] = spec["minimum"]
        if "maximum" in spec:
            schema["maximum"] = spec["maximum"]
    elif kind == "pct":
        schema = {"type": "string", "pattern": PERCENT.pattern, "description": "a percentage, e.g. '40 %'"}
    elif kind == "date":
        schema = {"type": "string", "pattern": DATE_PATTERN, "format": "date"}
    elif kind == "bool":
        schema = {"type": "boolean"}
    elif kind == "list":
        schema = {"type": "array", "items": _value_schema(spec["item"]), "maxItems": spec.get("max_items", MAX_LIST_ITEMS)}
    else:
        schema = _record_schema(spec["fields"])
    if spec.get("title"):
        schema["description"] = spec["title"]["en"]
    return schema


def _record_schema(fields: dict, extra: dict | None = None) -> dict:
    properties = {name: _value_schema(spec) for name, spec in fields.items()}
    properties.update(extra or {})
    required = [name for name, spec in fields.items() if not spec.get("optional")]
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


def facts_schema(period: Period) -> dict:
    """The JSON Schema (draft 2020-12) of a facts file for this period."""
    subjects = {
        name: {"type": "array", "maxItems": MAX_LIST_ITEMS,
               "items": _record_schema({fact: item.spec for fact, item in subject.facts.items()},
                                       {"readings": READING_VALUES, "date": {"type": "string", "pattern": DATE_PATTERN, "format": "date"},
                                        "provenance": PROVENANCE})}
        for name, subject in sorted(period.subjects.items())
    }
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"https://rammeaftale.dk/schemas/facts-{period.region}-{period.id}.schema.json",
            "title": f"rammeaftale facts for {period.region} {period.id}",
            "type": "object", "additionalProperties": False, "minProperties": 1,
            "properties": {**subjects, "readings": READING_VALUES, "date": {"type": "string", "pattern": DATE_PATTERN, "format": "date"}}}


def _convert(value, spec: dict):
    kind = spec["type"]
    if value is None:
        return [] if kind == "list" else None
    if kind in ("number", "kr"):
        return Decimal(value) if isinstance(value, int) else value
    if kind == "pct":
        return Decimal(PERCENT.match(value).group(1).replace(",", ".")) / 100
    if kind == "date":
        return datetime.date.fromisoformat(value)
    if kind == "list":
        return [_convert(item, spec["item"]) for item in value]
    if kind == "record":
        return {name: _convert(value.get(name), field) for name, field in spec["fields"].items()}
    return value


@dataclass
class SubjectFacts:
    type: str
    id: str
    values: dict          # typed facts, ready for evaluation
    readings: dict
    date: datetime.date | None
    file: str
    line: int | None


def _record_label(data, path) -> str | None:
    if len(path) >= 2 and isinstance(path[1], int):
        try:
            record = data[path[0]][path[1]]
        except (KeyError, IndexError, TypeError):
            return None
        ident = record.get("id") if isinstance(record, dict) else None
        return f"{path[0]} '{ident}'" if ident else f"{path[0]} nr. {path[1] + 1}"
    return None


def not_a_mapping(file: str) -> RammeaftaleError:
    return RammeaftaleError("FACTS001", "en faktafil skal være en samling felter, fx 'tilbud: [...]'",
                            message_en="a facts file must be a mapping, e.g. 'tilbud: [...]'", file=file, line=1, column=1,
                            hint="øverst står emnetypen med en liste af poster: 'tilbud:' og så '  - id: ...'",
                            hint_en="at the top stands the subject type with a list of records: 'tilbud:' and then '  - id: ...'")


def parse_facts(data, file: str, period: Period) -> list[SubjectFacts]:
    if not isinstance(data, PosDict):
        raise not_a_mapping(file)
    def name_path(path):
        """"tilbud 'palleshave', felt 'pladser'" instead of a bare path."""
        label = _record_label(data, path)
        if not label:
            return dotted_path(path)
        field = ".".join(str(step) for step in path[2:])
        return (f"{label}, felt '{field}'", f"{label}, field '{field}'") if field else (label, label)

    errors = validate(data, facts_schema(period), file, name_path)
    if errors:
        raise ErrorList(errors)
    file_readings = dict(data.get("readings", {}))
    file_date = datetime.date.fromisoformat(data["date"]) if "date" in data else None
    records = []
    for subject_name, items in data.items():
        if subject_name in ("readings", "date"):
            continue
        subject: Subject = period.subjects[subject_name]
        for index, item in enumerate(items):
            records.append(record_facts(subject_name, subject, item, index, file, items.pos[index].line, file_readings, file_date))
    return records


def record_facts(subject_name: str, subject: Subject, item: dict, index: int, file: str, line: int | None,
                 file_readings: dict | None = None, file_date: datetime.date | None = None) -> SubjectFacts:
    """One record, already valid against its subject's schema, as typed facts (also used per line by stream.py)."""
    values = {name: _convert(item.get(name), fact.spec) for name, fact in subject.facts.items()}
    readings = {**(file_readings or {}), **item.get("readings", {})}
    day = datetime.date.fromisoformat(item["date"]) if "date" in item else file_date
    return SubjectFacts(subject_name, str(item["id"]) if "id" in item else f"#{index + 1}", values, readings, day, file, line)


def load_facts(path: str, period: Period) -> list[SubjectFacts]:
    data, _ = load_file(path)
    return parse_facts(data, str(path), period)


def load_facts_text(text: str, name: str, period: Period) -> list[SubjectFacts]:
    return parse_facts(load_text(text, name), name, period)


def check_readings(readings: dict, period: Period, file: str | None, line: int | None) -> None:
    for reading_id, option in readings.items():
        reading = period.readings.get(reading_id)
        if reading is None:
            raise RammeaftaleError("FACTS002", f"ukendt læsning '{reading_id}'", message_en=f"unknown reading '{reading_id}'",
                                   file=file, line=line, hint="læsninger: " + ", ".join(sorted(period.readings)),
                                   hint_en="readings: " + ", ".join(sorted(period.readings)))
        if option not in reading.options:
            raise RammeaftaleError("FACTS002", f"læsningen '{reading_id}' har ikke valget '{option}'",
                                   message_en=f"the reading '{reading_id}' has no option '{option}'", file=file, line=line,
                                   hint="valg: " + ", ".join(reading.options), hint_en="options: " + ", ".join(reading.options))
