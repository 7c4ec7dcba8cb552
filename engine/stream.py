"""JSON Lines for `rammeaftale evaluate`: records in, one result per line out, in bounded memory.

Input: a facts file whose name ends in .jsonl or .ndjson (or any FACTS with `--input jsonl`, or `-` for stdin, sniffed)
holds one record per line, `{"type": "tilbud", "id": ..., <the record's fields as in a facts file>, "date"?, "readings"?}`.
YAML and JSON facts files are read whole, as before.

Output (`--format jsonl`): a header line, one line per subject (the subject object of `rammeaftale.result/1`, plus the
record's `line`), one `{"error": {...}}` line per problem in a record (the run goes on; exit 1 at the end), and a summary
line. Nothing is collected: each record is read, checked against its subject type's schema (one validator per type,
built once), evaluated with the shared compiled rules, written and flushed before the next line is read.
"""
from __future__ import annotations

import datetime
import difflib
import json
import os
import re
import sys
import time
from decimal import Decimal
from pathlib import Path

import jsonschema

from ..dsl.errors import ErrorList, RammeaftaleError
from . import fmt
from .compile import CompiledPeriod
from .explain_fast import CompiledExplainer
from .facts import check_readings, facts_schema, load_facts, not_a_mapping, parse_facts, record_facts
from .model import Period
from .periods import select
from .schema import _Validator, validate
from ..dsl.parser import MAX_INTEGER_DIGITS, number_problem
from .yamlsafe import MAX_FILE_BYTES, PosDict, load_file, load_text, number_error

STREAM_FORMAT = "rammeaftale.result-stream/1"
MAX_LINE_BYTES = 1024 * 1024      # one record; a longer line is an error line, skipped without reading it into memory
LINES_SUFFIXES = (".jsonl", ".ndjson")
STDIN_NAME = "<stdin>"
LINE_HINT = 'hver linje er ét JSON-objekt, fx {"type": "tilbud", "id": "palleshave", ...}'
LINE_HINT_EN = 'each line is one JSON object, e.g. {"type": "tilbud", "id": "palleshave", ...}'


class NoDate(RammeaftaleError):
    """A record without a date when neither --period nor --date is given. Text and JSON output treat it as wrong use
    of the command (exit 2), as they always have; JSON Lines output writes it as an error line and goes on."""

    def __init__(self, record):
        da = f"{record.type} '{record.id}' har ingen dato; angiv --period eller --date, eller 'date: ÅÅÅÅ-MM-DD' på posten"
        en = f"{record.type} '{record.id}' has no date; give --period or --date, or 'date: YYYY-MM-DD' on the record"
        super().__init__("CLI007", da, message_en=en, file=record.file, line=record.line,
                         hint="--period 2018 / --date 2018-06-01", hint_en="--period 2018 / --date 2018-06-01")

    def usage(self, lang: str) -> str:
        return f"{self.file}:{self.line}: {self.message if lang == 'da' else self.message_en}"


# -- reading ----------------------------------------------------------------------------------------------
class _Duplicate(ValueError):
    def __init__(self, key):
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs):
    record = dict(pairs)
    if len(record) != len(pairs):   # YAML facts refuse a key written twice (YAML002); so do lines
        seen = set()
        for key, _ in pairs:
            if key in seen:
                raise _Duplicate(key)
            seen.add(key)
    return record


def _no_constant(name):
    raise ValueError(f"{name} er ikke et tal")


class _BadNumber(ValueError):
    def __init__(self, text: str, problem: str):
        super().__init__(text)
        self.text, self.problem = text, problem


def _decimal(text: str) -> Decimal:
    # the limits YAML facts and the DSL have (YAML010): a JSON line is facts too
    value = Decimal(text)
    problem = number_problem(value)
    if problem is not None:
        raise _BadNumber(text, problem)
    return value


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:   # JSON has no leading zeros: every digit counts
        raise _BadNumber(text, "large")
    return int(text)


# one decoder for the whole run (json.loads with options would build one per line)
_DECODER = json.JSONDecoder(parse_float=_decimal, parse_int=_integer, parse_constant=_no_constant,
                            object_pairs_hook=_no_duplicates)


def _line_error(code, da, en, file, line, column=None, hint=LINE_HINT, hint_en=LINE_HINT_EN) -> RammeaftaleError:
    return RammeaftaleError(code, da, message_en=en, file=file, line=line, column=column, hint=hint, hint_en=hint_en)


class Source:
    """One FACTS argument: a path or `-` (stdin), read as JSON Lines or as one YAML/JSON facts document."""

    def __init__(self, path: str, input_kind: str = "auto", stdin=None):
        self.path = path
        self.is_stdin = path == "-"
        self.name = STDIN_NAME if self.is_stdin else path
        self._stdin = stdin
        self._pending: list[bytes | None] = []   # stdin lines read ahead (None: one too long), given back first
        self._data = None                 # a stdin document, read once
        self.position = 0                 # bytes read so far (for the progress bar)
        self.size = None if self.is_stdin else _size(path)
        if input_kind == "jsonl" or (input_kind == "auto" and path.lower().endswith(LINES_SUFFIXES)):
            self.lines = True
        elif input_kind == "auto" and self.is_stdin:
            self.lines = self._sniff()
        else:
            self.lines = False

    # stdin ---------------------------------------------------------------------------------------
    def _stdin_handle(self):
        return self._stdin if self._stdin is not None else sys.stdin.buffer

    def _sniff(self) -> bool:
        """JSON Lines if the first non-blank line is a whole JSON object with a "type"; else a YAML/JSON document."""
        handle = self._stdin_handle()
        while True:
            raw = handle.readline(MAX_LINE_BYTES + 1)
            if not raw:
                return False
            self._pending.append(raw)
            if raw.strip():
                break
        try:
            first = json.loads(raw.decode("utf-8").lstrip("\ufeff"), parse_float=Decimal)
        except (ValueError, RecursionError):
            return False
        return isinstance(first, dict) and isinstance(first.get("type"), str)

    def _stdin_document(self):
        if self._data is None:
            pending = b"".join(self._pending)
            self._pending = []
            raw = pending + self._stdin_handle().read(max(0, MAX_FILE_BYTES + 1 - len(pending)))
            if len(raw) > MAX_FILE_BYTES:
                raise RammeaftaleError("YAML006", f"filen er for stor (over {MAX_FILE_BYTES // (1024 * 1024)} MB)",
                                       message_en=f"the file is too large (over {MAX_FILE_BYTES // (1024 * 1024)} MB)",
                                       file=self.name, hint="skriv posterne som JSON Lines (én post pr. linje, --input jsonl)",
                                       hint_en="write the records as JSON Lines (one record per line, --input jsonl)")
            try:
                text = raw.decode("utf-8").lstrip("\ufeff")
            except UnicodeDecodeError:
                raise RammeaftaleError("YAML003", "filen er ikke UTF-8", message_en="the file is not UTF-8", file=self.name) from None
            self.position = len(raw)
            self._data = load_text(text, self.name)
        return self._data

    # both kinds ----------------------------------------------------------------------------------
    def subject_types(self) -> set[str]:
        """The subject types the source names, to find the region when none is given. Of a JSON Lines source only the
        first lines are looked at: the first record with a type speaks for it."""
        if not self.lines:
            data = self._stdin_document() if self.is_stdin else load_file(self.path)[0]
            if not isinstance(data, dict):
                raise not_a_mapping(self.name)
            return {key for key in data if key not in ("readings", "date")}
        for raw in self._peek_lines():
            try:
                record = json.loads(raw.decode("utf-8").lstrip("\ufeff"), parse_float=Decimal)
            except (ValueError, RecursionError):
                continue
            if isinstance(record, dict) and isinstance(record.get("type"), str):
                return {record["type"]}
        return set()

    PEEK = 100   # lines looked at for a first record with a type (a bad first line is reported later, in its place)

    def _peek_lines(self):
        """The first non-blank lines, up to PEEK; from stdin they are kept to be read again."""
        seen = 0
        if self.is_stdin:
            for raw in list(self._pending):
                if raw is not None and raw.strip():
                    seen += 1
                    yield raw
            handle = self._stdin_handle()
            while seen < self.PEEK:
                raw = handle.readline(MAX_LINE_BYTES + 1)
                if not raw:
                    return
                if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                    self._skip_rest(handle, raw)
                    self._pending.append(None)   # a line too long: kept as a mark, reported in its place
                    continue
                self._pending.append(raw)
                if raw.strip():
                    seen += 1
                    yield raw
            return
        with self._open() as handle:
            while seen < self.PEEK:
                raw = handle.readline(MAX_LINE_BYTES + 1)
                if not raw:
                    return
                if raw.strip():
                    seen += 1
                    yield raw

    def _open(self):
        try:
            return open(self.path, "rb")
        except OSError as error:
            raise RammeaftaleError("IO001", f"kan ikke læse filen: {error.strerror}",
                                   message_en=f"cannot read the file: {error.strerror}", file=self.name) from None

    def _skip_rest(self, handle, raw: bytes) -> None:
        """Read past the rest of a line too long, in pieces, holding none of it."""
        while raw and not raw.endswith(b"\n"):
            raw = handle.readline(64 * 1024)
            self.position += len(raw)

    def _raw_lines(self):
        """(line number, bytes) for every line; None for a line longer than MAX_LINE_BYTES (never held whole)."""
        handle = self._stdin_handle() if self.is_stdin else self._open()
        try:
            number = 0
            pending, self._pending = self._pending, []
            while True:
                if pending:
                    raw = pending.pop(0)
                    if raw is None:   # a line too long, met while sniffing
                        number += 1
                        yield number, None
                        continue
                else:
                    raw = handle.readline(MAX_LINE_BYTES + 1)
                if not raw:
                    return
                number += 1
                self.position += len(raw)
                if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                    self._skip_rest(handle, raw)
                    yield number, None
                    continue
                yield number, raw
        finally:
            if not self.is_stdin:
                handle.close()

    def items(self, reader: "RecordReader"):
        """Every record as SubjectFacts, or a RammeaftaleError for each problem, in input order."""
        if self.lines:
            for number, raw in self._raw_lines():
                yield from reader.parse_line(raw, number, self.name)
            return
        try:
            records = parse_facts(self._stdin_document(), self.name, reader.period) if self.is_stdin \
                else load_facts(self.path, reader.period)
        except ErrorList as error:
            yield from error.errors
            return
        except RammeaftaleError as error:
            yield error
            return
        if self.size is not None:
            self.position = self.size
        yield from records

    def records(self, reader: "RecordReader"):
        """The records for text and JSON output: a document's errors raise as before; a JSON Lines source's bad
        lines are all reported together once it is read (and nothing is printed)."""
        if not self.lines:
            records = parse_facts(self._stdin_document(), self.name, reader.period) if self.is_stdin \
                else load_facts(self.path, reader.period)
            self.position = self.size or self.position
            yield from records
            return
        errors = []
        for item in self.items(reader):
            if isinstance(item, RammeaftaleError):
                errors.append(item)
            else:
                yield item
        if errors:
            raise ErrorList(errors)


def _size(path: str) -> int | None:
    try:
        return os.path.getsize(path)
    except OSError:
        return None


def open_sources(paths: list[str], input_kind: str = "auto", stdin=None) -> list[Source]:
    if paths.count("-") > 1:
        raise RammeaftaleError("CLI008", "'-' (standard input) kan kun angives én gang",
                               message_en="'-' (standard input) can be given only once", hint="læg posterne i én strøm",
                               hint_en="put the records in one stream")
    return [Source(path, input_kind, stdin) for path in paths]


# -- a fast validity check --------------------------------------------------------------------------------
_NUMBER_TYPES = (int, float, Decimal)
_TYPE_TESTS = {
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "string": lambda value: isinstance(value, str),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
    "number": lambda value: isinstance(value, _NUMBER_TYPES) and not isinstance(value, bool),
    # as schema.py's validator: a Decimal with no fraction (40.0) is a whole number
    "integer": lambda value: (value == value.to_integral_value() if isinstance(value, Decimal)
                              else isinstance(value, int) and not isinstance(value, bool)
                              or isinstance(value, float) and value.is_integer()),
}
_IGNORED = {"description", "title", "$schema", "$id"}


def fast_check(schema: dict):
    """A function data -> bool that answers exactly as the JSON Schema validator's `is_valid` for the keywords a facts
    schema uses (tested against it), without building an error per keyword; None if the schema uses another keyword.
    Valid records (nearly all) take this path; an invalid one is validated again by jsonschema for the wording."""
    if not isinstance(schema, dict) or set(schema) - _IGNORED - {"type", "enum", "minimum", "maximum", "pattern", "format",
                                                                  "maxItems", "items", "properties", "required",
                                                                  "additionalProperties"}:
        return None
    checks = []
    kind = schema.get("type")
    if kind is not None:
        if kind not in _TYPE_TESTS:
            return None
        checks.append(_TYPE_TESTS[kind])
    if "enum" in schema:
        values = schema["enum"]
        if not all(isinstance(value, str) for value in values):
            return None
        allowed = frozenset(values)
        checks.append(lambda value: isinstance(value, str) and value in allowed)   # enum is not limited to one type
    is_number = _TYPE_TESTS["number"]
    if "minimum" in schema:
        low = schema["minimum"]
        checks.append(lambda value: not is_number(value) or value >= low)
    if "maximum" in schema:
        high = schema["maximum"]
        checks.append(lambda value: not is_number(value) or value <= high)
    if "pattern" in schema:
        search = re.compile(schema["pattern"]).search
        checks.append(lambda value: not isinstance(value, str) or search(value) is not None)
    if "format" in schema:
        if schema["format"] != "date":
            return None
        conforms = jsonschema.FormatChecker(["date"]).conforms
        checks.append(lambda value: conforms(value, "date"))
    if "maxItems" in schema:
        most = schema["maxItems"]
        checks.append(lambda value: not isinstance(value, list) or len(value) <= most)
    if "items" in schema:
        item = fast_check(schema["items"])
        if item is None:
            return None
        checks.append(lambda value: not isinstance(value, list) or all(item(element) for element in value))
    properties = {}
    for name, sub in schema.get("properties", {}).items():
        properties[name] = fast_check(sub)
        if properties[name] is None:
            return None
    extra = schema.get("additionalProperties", True)
    if isinstance(extra, dict):
        extra = fast_check(extra)
        if extra is None:
            return None
    elif not isinstance(extra, bool):
        return None
    required = tuple(schema.get("required", ()))
    if properties or required or extra is not True:
        def mapping(value):
            if not isinstance(value, dict):
                return True
            for name in required:
                if name not in value:
                    return False
            for name, element in value.items():
                check = properties.get(name)
                if check is not None:
                    if not check(element):
                        return False
                elif extra is False or (extra is not True and not extra(element)):
                    return False
            return True
        checks.append(mapping)
    if len(checks) == 1:
        return checks[0]
    return lambda value: all(check(value) for check in checks)


class RecordReader:
    """Parses and validates JSON Lines records for one period's facts schema; one validator per subject type."""

    def __init__(self, period: Period):
        self.period = period
        self._schemas = facts_schema(period)["properties"]   # built once for the whole run
        self._validators: dict[str, object] = {}
        self.count = 0

    def _validator(self, kind: str):
        """is_valid for the subject type's records: the fast check where it applies, else jsonschema's."""
        validator = self._validators.get(kind)
        if validator is None:
            schema = self._schemas[kind]["items"]
            validator = self._validators[kind] = fast_check(schema) or \
                _Validator(schema, format_checker=jsonschema.FormatChecker(["date"])).is_valid
        return validator

    def parse_line(self, raw: bytes | None, number: int, file: str):
        """The record on one line (SubjectFacts), or its errors; a blank line gives nothing."""
        if raw is None:
            yield _line_error("JSONL004", f"linjen er for lang (over {MAX_LINE_BYTES // 1024} KB)",
                              f"the line is too long (over {MAX_LINE_BYTES // 1024} KB)", file, number)
            return
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            column = len(raw[:error.start].decode("utf-8", "replace")) + 1
            yield _line_error("JSONL005", "linjen er ikke UTF-8", "the line is not UTF-8", file, number, column,
                              hint="gem filen som UTF-8", hint_en="save the file as UTF-8")
            return
        if number == 1:
            text = text.lstrip("\ufeff")
        if not text.strip():
            return
        try:
            data = _DECODER.decode(text)
        except _Duplicate as error:
            first = text.find(json.dumps(error.key, ensure_ascii=False))
            second = text.find(json.dumps(error.key, ensure_ascii=False), first + 1)
            yield _line_error("JSONL006", f"nøglen '{error.key}' står to gange", f"the key '{error.key}' appears twice",
                              file, number, second + 1 if second >= 0 else None, hint="slet eller omdøb den ene",
                              hint_en="delete or rename one of them")
            return
        except _BadNumber as error:
            yield number_error(error.text, error.problem, file, number, text.find(error.text) + 1)
            return
        except json.JSONDecodeError as error:
            yield _line_error("JSONL001", f"linjen er ikke gyldig JSON ({error.msg})", f"the line is not valid JSON ({error.msg})",
                              file, number, error.colno)
            return
        except (ValueError, RecursionError) as error:   # NaN/Infinity, a number too long, nesting too deep
            detail = str(error) if isinstance(error, ValueError) else "for dybt indlejret"
            yield _line_error("JSONL001", f"linjen er ikke gyldig JSON ({detail})", f"the line is not valid JSON ({detail})",
                              file, number, 1)
            return
        if not isinstance(data, dict):
            yield _line_error("JSONL002", "linjen skal være et JSON-objekt", "the line must be a JSON object", file, number, 1)
            return
        kind = data.pop("type", None)
        subjects = sorted(self.period.subjects)
        if not isinstance(kind, str):
            yield _line_error("JSONL002", "posten mangler 'type' (emnetypen, fx \"tilbud\")",
                              "the record lacks 'type' (the subject type, e.g. \"tilbud\")", file, number, 1,
                              hint="emnetyper: " + ", ".join(subjects), hint_en="subject types: " + ", ".join(subjects))
            return
        if kind not in self.period.subjects:
            close = difflib.get_close_matches(kind, subjects, n=1, cutoff=0.6)
            yield _line_error("JSONL003", f"ukendt emnetype '{kind}' i {self.period.region} {self.period.id}",
                              f"unknown subject type '{kind}' in {self.period.region} {self.period.id}", file, number,
                              max(1, text.find('"type"') + 1),
                              hint=f"mente du '{close[0]}'?" if close else "emnetyper: " + ", ".join(subjects),
                              hint_en=f"did you mean '{close[0]}'?" if close else "subject types: " + ", ".join(subjects))
            return
        if not self._validator(kind)(data):
            errors = self._schema_errors(text, kind, data, number, file)
            if errors:
                yield from errors
                return
        self.count += 1
        yield record_facts(kind, self.period.subjects[kind], data, self.count - 1, file, number)

    def _schema_errors(self, text: str, kind: str, data: dict, number: int, file: str) -> list[RammeaftaleError]:
        """The record's schema errors worded as in YAML facts files, with the column in the line where it can be found
        (the line read again with positions: a JSON object is YAML too; only on this error path)."""
        try:
            positioned = load_text(text, file)
            if isinstance(positioned, PosDict):
                positioned.pop("type", None)
        except RammeaftaleError:
            positioned = None
        target = positioned if isinstance(positioned, PosDict) and positioned == data else data
        ident = data.get("id")
        label = (f"{kind} '{ident}'", f"{kind} '{ident}'") if isinstance(ident, str) and ident else \
            (f"{kind} i linje {number}", f"{kind} on line {number}")

        def name_path(path):
            field = ".".join(str(step) for step in path)
            return (f"{label[0]}, felt '{field}'", f"{label[1]}, field '{field}'") if field else label

        errors = validate(target, self._schemas[kind]["items"], file, name_path)
        for error in errors:
            if target is not positioned:
                error.column = None
            error.line = number
        return errors


# -- evaluating ---------------------------------------------------------------------------------------------
class Evaluator:
    """One record at a time, as `evaluate` always has: the period by --period, else by the record's date (or --date)."""

    def __init__(self, root: Path, compiled: CompiledPeriod, period_id: str | None, day: datetime.date | None,
                 cli_readings: dict, decisions: list[str] | None, lang: str):
        self.root, self.compiled, self.period_id, self.day = root, compiled, period_id, day
        self.cli_readings, self.lang = cli_readings, lang
        self.only = set(decisions) if decisions else None
        self.decisions = sorted(self.only) if self.only else None
        self._targets: dict[datetime.date, CompiledPeriod] = {}   # by day; a few periods, so a few entries
        self._explainers: dict[tuple, CompiledExplainer] = {}
        self._days: dict[tuple, tuple] = {}   # (id(subject), day) -> (subject, the dated values in force: _in_force)

    def target(self, record) -> CompiledPeriod:
        if self.period_id:
            return self.compiled
        if record.date is None and self.day is None:  # not enough said on the command line to pick a period
            raise NoDate(record)
        day = record.date or self.day
        target = self._targets.get(day)
        if target is None:
            if len(self._targets) >= 4096:   # many distinct dates: stay bounded
                self._targets.clear()
            target = self._targets[day] = select(self.root, None, self.compiled.period.region, day)
        if record.type not in target.subjects:
            raise RammeaftaleError("CLI006", f"perioden {target.period.id} har ikke emnet '{record.type}'",
                                   message_en=f"the period {target.period.id} has no subject '{record.type}'",
                                   file=record.file, line=record.line)
        return target

    def _in_force(self, compiled_subject, day: datetime.date) -> tuple:
        """Which dated value of each parameter is in force on `day`: all a day changes in an explanation (the values,
        their sources, gaps and inheritance), so days alike here share one explainer."""
        key = (id(compiled_subject), day)
        found = self._days.get(key)
        if found is None or found[0] is not compiled_subject:
            if len(self._days) >= 4096:   # many distinct dates: stay bounded
                self._days.clear()
            found = self._days[key] = (compiled_subject, tuple(parameter.index_on(day)
                                                               for parameter in compiled_subject.subject.parameters.values()))
        return found[1]

    def evaluate(self, record) -> tuple[dict, int]:
        """The subject as `evaluate` reports it, and how many of its decisions could not be made."""
        target = self.target(record)
        readings = {**target.default_readings(), **record.readings, **self.cli_readings}
        check_readings(record.readings, target.period, record.file, record.line)
        compiled_subject = target.subjects[record.type]
        when = record.date or self.day or target.period.valid_from
        key = (id(compiled_subject), self._in_force(compiled_subject, when), tuple(readings.items()))
        explainer = self._explainers.get(key)
        if explainer is None or explainer.compiled is not compiled_subject:
            if len(self._explainers) >= 4096:   # stay bounded
                self._explainers.clear()
            # one per subject, parameter values in force and readings: its generated code and what it remembers
            # serve every such record, whatever its day
            explainer = self._explainers[key] = CompiledExplainer(compiled_subject, target.period, self.lang, when,
                                                                  readings, self.only)
        decisions, problems = explainer.explain(record.values)
        return ({"type": record.type, "id": record.id, "name": record.values.get("navn"), "file": record.file,
                 "period": target.period.id, "date": when, "readings": readings, "decisions": decisions}, problems)


# -- writing ------------------------------------------------------------------------------------------------
def _line(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def subject_line(subject: dict, line: int | None) -> dict:
    """The subject object of rammeaftale.result/1 (no `name`, as there), with the record's line after its file."""
    plain = {}
    for key, value in subject.items():
        if key != "name":
            plain[key] = value
        if key == "file":
            plain["line"] = line
    return fmt.plain(plain)


def error_lines(errors, lang: str) -> str:
    """Errors found before the stream begins (bad rules, unknown period, ...), as error lines."""
    return "".join(_line({"error": error.as_json(lang)}) for error in errors)


def write_stream(evaluator: Evaluator, sources: list[Source], handle, err=None, delay: float = 1.0) -> int:
    """Header, one line per subject or error as it is made, summary. Exit code: 1 if any record or decision failed."""
    period = evaluator.compiled.period
    reader = RecordReader(period)
    write = handle.write
    write(_line({"format": STREAM_FORMAT, "region": period.region, "period": period.id, "rules_digest": period.digest,
                 "lang": evaluator.lang, "decisions": evaluator.decisions}))
    handle.flush()
    subjects = errors = failed = 0
    meter = Meter(err, sources, evaluator.lang, delay)
    try:
        for source in sources:
            for item in source.items(reader):
                if not isinstance(item, RammeaftaleError):
                    try:
                        subject, problems = evaluator.evaluate(item)
                    except RammeaftaleError as error:
                        item = error
                    else:
                        write(_line(subject_line(subject, item.line)))
                        subjects += 1
                        failed += problems
                if isinstance(item, RammeaftaleError):
                    write(_line({"error": item.as_json(evaluator.lang)}))
                    errors += 1
                handle.flush()   # a reader downstream gets each result as it is made
                meter.tick(subjects + errors)
    finally:
        meter.close()
    write(_line({"summary": {"subjects": subjects, "errors": errors, "decision_errors": failed}}))
    handle.flush()
    return 1 if errors or failed else 0


# -- progress -----------------------------------------------------------------------------------------------
class Meter:
    """A transient progress bar on `console` (stderr) for runs longer than `delay` seconds: records done, records/s,
    and the share of the input read when its size is known. Nothing at all without a terminal console."""

    EVERY = 64   # look at the clock every 64 records, not every one

    def __init__(self, console, sources: list[Source], lang: str = "da", delay: float = 1.0):
        self.console = console if console is not None and console.is_terminal else None
        self.sources, self.lang, self.delay = sources, lang, delay
        sizes = [source.size for source in sources]
        self.total = None if any(size is None for size in sizes) else max(1, sum(sizes))
        self.started = time.monotonic()
        self.progress = None
        self.task = None
        self.records = 0

    def tick(self, records: int) -> None:
        self.records = records
        if self.console is None or records % self.EVERY:
            return
        now = time.monotonic()
        if self.progress is None:
            if now - self.started < self.delay:
                return
            self._start()
        self._update(now)

    def _start(self):
        from rich.progress import BarColumn, Progress, SpinnerColumn, TaskProgressColumn, TextColumn, TimeElapsedColumn
        word = "poster" if self.lang == "da" else "records"
        columns = [SpinnerColumn(), TextColumn(f"[bold]{'evaluerer' if self.lang == 'da' else 'evaluating'}"), BarColumn()]
        if self.total is not None:
            columns.append(TaskProgressColumn())
        columns += [TextColumn("{task.fields[records]} " + word), TextColumn("{task.fields[rate]} " + word + "/s"),
                    TimeElapsedColumn()]
        # stdout is ours alone: the bar must not take it over
        self.progress = Progress(*columns, console=self.console, transient=True, redirect_stdout=False, redirect_stderr=False)
        self.task = self.progress.add_task("", total=self.total, records="0", rate="0")
        self.progress.start()

    def _update(self, now: float):
        elapsed = max(now - self.started, 1e-9)
        done = sum(source.position for source in self.sources)
        self.progress.update(self.task, completed=done if self.total is not None else self.records,
                             records=fmt.number(Decimal(self.records), self.lang),
                             rate=fmt.number(Decimal(int(self.records / elapsed)), self.lang))

    def close(self):
        if self.progress is not None:
            self._update(time.monotonic())
            self.progress.refresh()
            self.progress.stop()
            self.progress = None
