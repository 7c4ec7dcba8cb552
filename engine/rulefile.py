"""Parse a period's rule files (step 1): YAML → schema validation → DSL syntax trees → a `Period`.

Everything found wrong is collected with file, line and column, so one run shows every mistake.
"""
from __future__ import annotations

import copy
import datetime
import hashlib
import os
from decimal import Decimal
from pathlib import Path

from ..dsl import types as T
from ..dsl.ast import Node
from ..dsl.errors import ErrorList, RammeaftaleError
from ..dsl.functions import Duration
from ..dsl.parser import MAX_DECIMAL_PLACES, MAX_INTEGER_DIGITS, number_problem, parse
from .model import (Decision, Derived, Expression, Fact, Interpretation, Override, Parameter, Period, Reading, Rule,
                    Source, Statement, Subject)
from .schema import packaged_schema, validate
from .yamlsafe import PosDict, load_file, dsl_position


class _FileReader:
    """Reads one rule file; remembers its text so DSL positions can be mapped into it."""

    def __init__(self, path: Path, display: str, errors: list):
        self.display = display
        self.errors = errors
        self.data, self.text = load_file(path, display)

    def error(self, code: str, da: str, en: str, where, hint: str | None = None, hint_en: str | None = None) -> None:
        """Record a mistake at `where` (a YAML position) in this file."""
        self.errors.append(RammeaftaleError(code, da, message_en=en, file=self.display, line=where.line,
                                            column=where.column, hint=hint, hint_en=hint_en))

    def expression(self, owner: PosDict, key, start: str = "start") -> Expression | None:
        text = owner[key]
        text = str(text) if isinstance(text, (int, Decimal)) else text
        where = owner.pos[key]
        try:
            node = parse(text, start=start)
        except RammeaftaleError as error:
            error.file = self.display
            error.line, error.column = dsl_position(self.text, where, text, error.line or 1, error.column or 1)
            self.errors.append(error)
            return None
        for part in node.walk():  # positions inside the expression become positions in the file
            part.line, part.column = dsl_position(self.text, where, text, part.line, part.column)
        return Expression(text, node, self.display, where.line, where.column)


def _text(value) -> dict:
    return {"da": value["da"], "en": value["en"]} if value else None


def _sources(items, file: str | None = None) -> list[Source]:
    sources = []
    for item in items or []:
        where = item.pos.get("quote") if isinstance(item, PosDict) else None
        sources.append(Source(item["document"], (int(item["lines"][0]), int(item["lines"][1])), item["quote"], file,
                              where.line if where else None, where.column if where else None))
    return sources


def _interpretation(value) -> Interpretation | None:
    if not value:
        return None
    return Interpretation(_text(value["chosen"]), _text(value["alternative"]), _text(value["why"]), value.get("reading"))


def type_from_spec(spec: dict) -> T.Type:
    kind = spec["type"]
    if kind == "list":
        return T.list_of(type_from_spec(spec["item"]) if isinstance(spec.get("item"), dict) else T.SCALARS[spec.get("item", "text")])
    if kind == "record":
        return T.record({name: type_from_spec(field) for name, field in spec["fields"].items()})
    if kind == "text" and spec.get("values"):
        return T.enum(spec["values"])
    return T.SCALARS.get(kind, T.DURATION)


class _Unfit(ValueError):
    """A parameter value that does not fit its type; the text (da, and `en`) says what to write instead."""

    def __init__(self, da: str, en: str):
        super().__init__(da)
        self.en = en


def _parameter_value(kind: T.Type, value, file: str, where) -> object:
    try:
        if kind.name == "date":
            return datetime.date.fromisoformat(str(value))
        if kind.name == "duration":
            node = parse(str(value))
            if node.kind != "quantity" or node.value[1] not in ("months", "days", "years") or node.value[0] % 1:
                raise _Unfit("skriv en varighed som '2 måneder', '30 dage' eller '1 år'",
                             "write a duration as '2 months', '30 days' or '1 year'")
            amount, unit = int(node.value[0]), node.value[1]
            return {"months": Duration(months=amount), "years": Duration(months=12 * amount), "days": Duration(days=amount)}[unit]
        if kind.name in ("number", "kr", "pct"):
            percent = isinstance(value, str) and value.strip().endswith("%")
            if kind.name == "pct" and not percent:
                raise _Unfit("skriv procent med %-tegn", "write percentages with a % sign")
            amount = Decimal(value.strip()[:-1].strip().replace(",", ".") if percent else str(value))
            if number_problem(amount):   # the number limits of YAML numbers hold for '40 %' and '1e999' too
                raise _Unfit(f"skriv tal med højst {MAX_INTEGER_DIGITS} cifre før kommaet og {MAX_DECIMAL_PLACES} efter",
                             f"write numbers with at most {MAX_INTEGER_DIGITS} digits before the decimal point and "
                             f"{MAX_DECIMAL_PLACES} after")
            return amount / 100 if percent else amount
        if kind.name == "list":
            return [_parameter_value(kind.item, item, file, where) for item in value]
        return value
    except (ValueError, ArithmeticError, RammeaftaleError) as error:
        raise RammeaftaleError("RULE010", f"værdien '{value}' passer ikke til typen {kind}",
                               message_en=f"the value '{value}' does not fit the type {kind.name}", file=file,
                               line=where.line, column=where.column,
                               hint=str(error) if "skriv" in str(error) else "beløb skrives som tal, procenter som '40 %'",
                               hint_en=error.en if isinstance(error, _Unfit)
                               else "amounts are written as numbers, percentages as '40 %'") from None


def _rule(reader: _FileReader, item: PosDict, when: Expression, index: int | None = None, computed: bool = False) -> Rule | None:
    reading = item.get("under_reading")
    then_expr = reader.expression(item, "then") if computed else None
    if computed and then_expr is None:
        return None
    return Rule(item["id"], _text(item["title"]), when, str(item["then"]), _sources(item["sources"], reader.display), reader.display,
                item.start.line, _interpretation(item.get("interpretation")), _text(item.get("gap")),
                _text(item.get("conflict")), next(iter(reading.items())) if reading else None, index,
                {key: (where.line, where.column) for key, where in item.pos.items()}, then_expr)


def _table_rule(reader: _FileReader, row: PosDict, inputs: list[Expression], index: int, computed: bool) -> Rule | None:
    cells = row["when"]
    if len(cells) != len(inputs):
        reader.error("RULE004", f"rækken har {len(cells)} celler, men tabellen har {len(inputs)} input",
                     f"the row has {len(cells)} cells, but the table has {len(inputs)} inputs", row.pos["when"],
                     "skriv '-' i en celle der ikke betyder noget for rækken",
                     "write '-' in a cell that does not matter for the row")
        return None
    parts = []
    for position, (cell_index, value_input) in enumerate(zip(range(len(cells)), inputs)):
        cell = reader.expression(cells, cell_index, start="cell")
        if cell is None or value_input is None:
            return None
        node = cell.node
        if node.kind == "cell_any":
            continue
        subject = copy.deepcopy(value_input.node)
        kind = {"cell_compare": "compare", "cell_equal": "compare", "cell_member": "member",
                "cell_not_member": "not_member"}[node.kind]
        op = node.value if node.kind == "cell_compare" else ("=" if node.kind == "cell_equal" else None)
        value = node.children[0]
        text = f"{subject.text} {op or ('i' if kind == 'member' else 'ikke i')} {value.text}"
        parts.append(Node(kind, [subject, value], op, node.line, node.column, node.end_column, text))
    if not parts:
        condition = Node("bool", [], True, row.start.line, row.start.column, row.start.column, "-")
    elif len(parts) == 1:
        condition = parts[0]
    else:
        condition = Node("and", parts, None, parts[0].line, parts[0].column, parts[-1].end_column,
                         " og ".join(part.text for part in parts))
    when = Expression(condition.text, condition, reader.display, row.pos["when"].line, row.pos["when"].column)
    return _rule(reader, row, when, index, computed)


def _decision(reader: _FileReader, name: str, spec: PosDict) -> Decision:
    rules, inputs = [], None
    computed = "type" in spec
    if "rules" in spec:
        for item in spec["rules"]:
            when = reader.expression(item, "when")
            rule = _rule(reader, item, when, computed=computed) if when is not None else None
            if rule is not None:
                rules.append(rule)
    else:
        table = spec["table"]
        inputs = [reader.expression(table["inputs"], index) for index in range(len(table["inputs"]))]
        for index, row in enumerate(table["rows"], start=1):
            rule = _table_rule(reader, row, inputs, index, computed)
            if rule is not None:
                rules.append(rule)
    override = None
    if "override" in spec:
        block = spec["override"]
        parts = {key: reader.expression(block, key) for key in ("when", "value", "reason", "by") if key in block}
        if all(parts.get(key) for key in ("when", "value", "reason")):
            override = Override(parts["when"], parts["value"], parts["reason"], parts.get("by"), _sources(block["sources"], reader.display))
    values = {key: _text(value) for key, value in spec.get("values", {}).items()}
    kind = type_from_spec({"type": spec["type"], "item": {"type": spec.get("item", "text")}}) if computed else None
    return Decision(name, _text(spec["title"]), values, rules, override, inputs, reader.display, spec.start.line, kind,
                    _text(spec.get("not_applicable")))


def _parameter(reader: _FileReader, name: str, spec: PosDict, inherited: Parameter | None, named_at=None) -> Parameter | None:
    """A full parameter, or (in a period that extends another) dated values added to the inherited one."""
    full = "type" in spec
    if not full and inherited is None:
        where = named_at or spec.start
        reader.error("RULE012", f"parameteren '{name}' mangler type, title og sources",
                     f"the parameter '{name}' lacks type, title and sources", where,
                     "kun en periode der bygger på en anden (extends) kan tilføje datoværdier til en arvet parameter",
                     "only a period that builds on another (extends) can add dated values to an inherited parameter")
        return None
    missing = [key for key in ("title", "sources") if full and key not in spec]
    if missing:
        where = named_at or spec.start
        reader.error("RULE012", f"parameteren '{name}' mangler {', '.join(missing)}",
                     f"the parameter '{name}' lacks {', '.join(missing)}", where,
                     "en parameter har type, title, values og sources", "a parameter has type, title, values and sources")
        return None
    if full:
        kind = T.list_of(T.SCALARS[spec.get("item", "text")]) if spec["type"] == "list" else T.SCALARS[spec["type"]]
    else:
        kind = inherited.type
    values, value_sources, value_gaps = [], {}, {}
    for start, value in spec["values"].items():
        where = spec["values"].pos[start]
        try:
            day = datetime.date.fromisoformat(start)
        except ValueError:
            reader.error("RULE011", f"ugyldig dato i values for '{name}'",
                         f"invalid date in values of '{name}'", where,
                         "skriv datoer som ÅÅÅÅ-MM-DD", "write dates as YYYY-MM-DD")
            return None
        if isinstance(value, PosDict) and "value" in value:  # {value: ..., sources: [...]}: a dated value citing its own source
            if "sources" in value:
                value_sources[day] = _sources(value["sources"], reader.display)
            if value.get("gap"):   # what the source leaves open about this value; flagged where it is used
                value_gaps[day] = _text(value["gap"])
            where, value = value.pos["value"], value["value"]
        try:
            values.append((day, _parameter_value(kind, value, reader.display, where)))
        except RammeaftaleError as error:
            reader.errors.append(error)
            return None
    if full:
        return Parameter(name, kind, _text(spec["title"]), sorted(values, key=lambda item: item[0]),
                         _sources(spec["sources"], reader.display), spec.get("id"), reader.display, spec.start.line,
                         value_sources, value_gaps=value_gaps)
    unsourced = [day for day, _ in values if day not in value_sources]
    if unsourced:  # a value this period sets must say where this period's agreement says so
        where = spec["values"].pos[unsourced[0].isoformat()] if unsourced[0].isoformat() in spec["values"].pos else spec.start
        reader.error("RULE013", f"den nye værdi for '{name}' fra {unsourced[0].isoformat()} har ingen kilde",
                     f"the new value of '{name}' from {unsourced[0].isoformat()} has no source", where,
                     "skriv værdien som {value: ..., sources: [{document, lines, quote}]} med citat fra den nye aftale",
                     "write the value as {value: ..., sources: [{document, lines, quote}]} quoting the new agreement")
        return None
    # the inherited values hold until the first new date; a new value on an inherited date replaces it
    merged = dict(inherited.values)
    merged.update(values)
    inherited.values = sorted(merged.items(), key=lambda item: item[0])
    inherited.value_sources = {**inherited.value_sources, **value_sources}
    inherited.value_gaps = {**inherited.value_gaps, **value_gaps}
    for day, _ in values:
        inherited.inherited_from.pop(day, None)
    return inherited


def _subject(reader: _FileReader, data: PosDict, inherited: Subject | None = None) -> Subject | None:
    """A subject from its file; in a period that extends another, the file patches the inherited subject."""
    if inherited is None and not all(key in data for key in ("title", "facts")):
        where = data.pos["subject"]
        reader.error("RULE006", f"emnet '{data['subject']}' mangler title og facts",
                     f"the subject '{data['subject']}' lacks title and facts", where,
                     "et nyt emne skal have title og facts; kun et arvet emne kan rettes med færre felter",
                     "a new subject must have title and facts; only an inherited subject can be patched with fewer fields")
        return None
    subject = inherited or Subject(data["subject"], _text(data["title"]), reader.display)
    if inherited is not None and "title" in data:
        subject.title = _text(data["title"])
    for name, spec in data.get("facts", {}).items():
        subject.facts[name] = Fact(name, type_from_spec(spec), spec, _text(spec.get("title")), _text(spec.get("phrase")))
    for name, spec in data.get("derived", {}).items():
        expr = reader.expression(spec, "expr")
        if expr is not None:
            kind = type_from_spec({"type": spec["type"], "item": {"type": spec.get("item", "text")}})
            subject.derived[name] = Derived(name, kind, _text(spec["title"]), expr,
                                            _text(spec.get("phrase")), _sources(spec.get("sources"), reader.display),
                                            _interpretation(spec.get("interpretation")), spec.get("id"), reader.display,
                                            spec.start.line)
    for name, spec in data.get("parameters", {}).items():
        parameter = _parameter(reader, name, spec, subject.parameters.get(name), data["parameters"].key_pos.get(name))
        if parameter is not None:
            subject.parameters[name] = parameter
    for name, spec in data.get("decisions", {}).items():
        subject.decisions[name] = _decision(reader, name, spec)
    return subject


def _readings(reader: _FileReader, data: PosDict, period_readings: dict):
    for reading_id, spec in data.get("readings", {}).items():
        period_readings[reading_id] = Reading(reading_id, _text(spec["title"]), spec["default"],
                                              {key: _text(value) for key, value in spec["options"].items()},
                                              _sources(spec["sources"], reader.display), reader.display, spec.start.line)


def _inherit(parent: Period, period: Period) -> None:
    """Carry the parent's subjects and readings into `period`, each provision marked with the period it was written
    for (unless this period's own files replace it): what a later agreement has not been checked against."""
    subjects = copy.deepcopy(parent.subjects)   # own copies: checking and compiling fill in nodes in place
    for subject in subjects.values():
        for item in subject.derived.values():
            item.inherited_from = item.inherited_from or parent.id
        for parameter in subject.parameters.values():
            parameter.inherited_from = {start: parameter.inherited_from.get(start, parent.id) for start, _ in parameter.values}
        for decision in subject.decisions.values():
            for rule in decision.rules:
                rule.inherited_from = rule.inherited_from or parent.id
            if decision.override:
                decision.override.inherited_from = decision.override.inherited_from or parent.id
    readings = copy.deepcopy(parent.readings)
    for reading in readings.values():
        reading.inherited_from = reading.inherited_from or parent.id
    period.subjects, period.readings = subjects, readings
    # a statement is replaced by the later period's statement on the same topic (its id without the period prefix)
    own = {statement.topic for statement in period.statements}
    carried = [copy.copy(statement) for statement in parent.statements if statement.topic not in own]
    for statement in carried:
        statement.inherited_from = statement.inherited_from or parent.id
    period.statements = carried + period.statements
    known = {document["file"] for document in period.documents}
    period.documents += [{**document, "inherited": True} for document in parent.documents if document["file"] not in known]
    period.origin = {**parent.origin, parent.id: parent.title}


def _statements(reader: _FileReader, head: PosDict) -> list[Statement]:
    return [Statement(item["id"], _text(item["title"]), _text(item["text"]), _sources(item["sources"], reader.display),
                      reader.display, item.start.line, list(item.get("items", [])))
            for item in head.get("statements", [])]


def load_period_dir(directory: Path, root: Path, parent: Period | None = None) -> Period:
    """Parse one rules/<region>/<period>/ folder; `parent` is the parsed period it extends, if any.
    Raises ErrorList with every error found."""
    errors: list[RammeaftaleError] = []
    schema = packaged_schema("rule-file.schema.json")
    readers = []
    digest = hashlib.sha256()
    for path in sorted(directory.glob("*.yaml")):
        display = _display_name(path, root)
        try:
            reader = _FileReader(path, display, errors)
        except RammeaftaleError as error:
            errors.append(error)
            continue
        digest.update(path.name.encode() + b"\0" + reader.text.encode() + b"\0")
        if not isinstance(reader.data, PosDict):
            errors.append(RammeaftaleError("RULE001", "en regelfil skal være en samling felter (nøgle: værdi)",
                                           message_en="a rule file must be a mapping (key: value)", file=display, line=1, column=1,
                                           hint="en regelfil begynder med 'subject: <emne>' (eller 'period:' i period.yaml)",
                                           hint_en="a rule file begins with 'subject: <subject>' (or 'period:' in period.yaml)"))
            continue
        found = validate(reader.data, schema, display)
        errors.extend(found)
        if not found:
            readers.append(reader)
    period_readers = [reader for reader in readers if "period" in reader.data]
    if not errors and len(period_readers) != 1:
        errors.append(RammeaftaleError("RULE002", f"mappen skal have præcis én fil med 'period:' (fandt {len(period_readers)})",
                                       message_en=f"the folder must have exactly one file with 'period:' (found {len(period_readers)})",
                                       file=_display_name(directory, root), hint="læg periodens metadata i period.yaml",
                                       hint_en="put the period's metadata in period.yaml"))
    if errors:
        raise ErrorList(errors)
    head = period_readers[0].data["period"]
    if parent is not None:  # the inherited rules are part of this period's content
        digest.update(b"extends\0" + parent.digest.encode())
    gap = head.get("gap_before")
    period = Period(head["region"], str(head["id"]), _text(head["title"]), datetime.date.fromisoformat(head["valid_from"]),
                    datetime.date.fromisoformat(head["valid_to"]), head.get("extends"), [dict(item) for item in head["documents"]],
                    period_readers[0].display, digest=digest.hexdigest(),
                    gap_before={"from": datetime.date.fromisoformat(gap["from"]), "to": datetime.date.fromisoformat(gap["to"]),
                                "why": _text(gap["why"])} if gap else None,
                    statements=_statements(period_readers[0], head))
    if parent is not None:
        _inherit(parent, period)
    elif not period.documents:
        where = head.pos["documents"]
        errors.append(RammeaftaleError("RULE007", "en periode der ikke bygger på en anden skal have mindst ét dokument",
                                       message_en="a period that does not extend another needs at least one document",
                                       file=period_readers[0].display, line=where.line, column=where.column,
                                       hint="skriv kildedokumenterne under period.documents",
                                       hint_en="list the source documents under period.documents"))
    patched: set[str] = set()
    for reader in readers:
        _readings(reader, reader.data, period.readings)
        if "subject" in reader.data:
            name = reader.data["subject"]
            if parent is not None and name in parent.subjects and name not in patched:
                patched.add(name)   # a later period's file for an inherited subject patches it
                subject = _subject(reader, reader.data, period.subjects[name])
                if subject is not None:
                    subject.file = reader.display
                continue
            if name in period.subjects:
                errors.append(RammeaftaleError("RULE003", f"emnet '{name}' er allerede defineret i {period.subjects[name].file}",
                                               message_en=f"the subject '{name}' is already defined in {period.subjects[name].file}",
                                               file=reader.display, line=reader.data.pos["subject"].line,
                                               column=reader.data.pos["subject"].column,
                                               hint="et emne står i én fil pr. periode; flyt indholdet derhen eller omdøb emnet",
                                               hint_en="a subject stands in one file per period; move the content there or "
                                                       "rename the subject"))
                continue
            subject = _subject(reader, reader.data)
            if subject is not None:
                period.subjects[name] = subject
    if errors:
        raise ErrorList(errors)
    return period


def _display_name(path: Path, root: Path) -> str:
    try:
        return os.path.join(root.name, str(path.relative_to(root)))
    except ValueError:
        return str(path)
