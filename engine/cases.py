"""Test cases for policy staff: YAML files of "these facts must give this answer", and `rammeaftale test`.

A case file (`fixtures/cases/<region>/<period>/*.yaml`, the contract in fixtures/cases/README.md) holds cases,
each ONE record in the facts format plus the expected answers. The record goes through the same facts parser
as `evaluate` (so a typo in a case file is reported with file, line and column), is evaluated under the
period, and each expected decision is compared with what the rules give: value, deciding rule, flags.
"""
from __future__ import annotations

import datetime
import difflib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rich.markup import escape

from ..dsl.errors import ErrorList, RammeaftaleError
from . import coverage as coverage_module
from . import fmt
from . import golden as golden_module
from .compile import CompiledPeriod
from .evaluate import DecisionResult, evaluate_subject
from .explain import FLAG_CODES, Explainer
from .facts import check_readings, parse_facts
from .fixtures import display_path
from .periods import compiled_periods, default_rules_dir, select
from .yamlsafe import PosDict, PosList, load_file

CASE_KEYS = ("name", "description", "date", "readings", "expect")
FILE_KEYS = ("cases", "region", "period")
LONG_KEYS = ("value", "rule", "flags", "no_flags")
CASE_SUFFIXES = (".yaml", ".yml")
_NUMBER = re.compile(r"^\s*-?\d+(?:\.\d+)?\s*$")
_PERCENT = re.compile(r"^\s*(-?\d+(?:[.,]\d+)?)\s*%\s*$")

WORDS = {
    "da": {"expected": "forventet", "actual": "faktisk", "value": "værdi", "rule": "regel", "flags": "flag",
           "no_flags": "ikke flag", "none": "ingen", "why_not": "Hvorfor ikke", "wrong_value": "værdien er {actual}, forventet {expected}",
           "wrong_rule": "afgjort af {actual}, forventet {expected}", "missing_flag": "mangler flaget {flag}",
           "unwanted_flag": "har flaget {flag}, som ikke må være der", "no_rule": "(ingen regel)"},
    "en": {"expected": "expected", "actual": "actual", "value": "value", "rule": "rule", "flags": "flags",
           "no_flags": "no flags", "none": "none", "why_not": "Why not", "wrong_value": "the value is {actual}, expected {expected}",
           "wrong_rule": "decided by {actual}, expected {expected}", "missing_flag": "the flag {flag} is missing",
           "unwanted_flag": "has the flag {flag}, which must not be there", "no_rule": "(no rule)"},
}


# -- the case file contract -------------------------------------------------------------------------------
@dataclass
class Expectation:
    decision: str
    value: object = None
    has_value: bool = False
    rule: str | None = None
    has_rule: bool = False
    flags: list[str] = field(default_factory=list)
    no_flags: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        shown = {}
        if self.has_value:
            shown["value"] = fmt.plain(self.value)
        if self.has_rule:
            shown["rule"] = self.rule
        if self.flags:
            shown["flags"] = list(self.flags)
        if self.no_flags:
            shown["no_flags"] = list(self.no_flags)
        return shown


@dataclass
class Case:
    name: str
    description: str | None
    subject: str
    record: object                   # SubjectFacts, parsed exactly like a facts file's record
    readings: dict
    date: datetime.date
    expect: list[Expectation]
    file: str
    line: int
    compiled: CompiledPeriod

    @property
    def period_key(self) -> str:
        return f"{self.compiled.period.region}/{self.compiled.period.id}"


@dataclass
class CaseFile:
    path: Path
    file: str
    cases: list[Case]


def _error(code: str, da: str, en: str, file: str, where, hint: str | None = None,
           hint_en: str | None = None) -> RammeaftaleError:
    line, column = (where.line, where.column) if where is not None else (1, 1)
    return RammeaftaleError(code, da, message_en=en, file=file, line=line, column=column, hint=hint, hint_en=hint_en)


def _did_you_mean(word, options, lang: str = "da") -> str | None:
    close = difflib.get_close_matches(str(word), [str(option) for option in options], n=1, cutoff=0.6)
    if not close:
        return None
    return f"mente du '{close[0]}'?" if lang == "da" else f"did you mean '{close[0]}'?"


def _listing(options) -> str:
    return ", ".join(str(option) for option in options)


def _period_for(path: Path, data: PosDict, rules_root: Path, file: str) -> CompiledPeriod:
    """Region and period from the folders (<region>/<period>/file.yaml) unless the file names them."""
    resolved = Path(path).resolve()
    region = str(data["region"]) if "region" in data else resolved.parent.parent.name
    period_id = str(data["period"]) if "period" in data else resolved.parent.name
    where = data.pos.get("region") or data.pos.get("period") or data.start
    try:
        return select(rules_root, period_id, region)
    except ErrorList:
        raise
    except RammeaftaleError as error:
        hint = ("læg filen i fixtures/cases/<region>/<periode>/, eller skriv 'region:' og 'period:' øverst i filen"
                + (f" ({error.hint})" if error.hint else ""))
        hint_en = ("put the file in fixtures/cases/<region>/<period>/, or write 'region:' and 'period:' at the top of the file"
                   + (f" ({error.hint_for('en')})" if error.hint_for("en") else ""))
        raise _error("CASE009", f"kan ikke finde perioden for tilfældene: {error.message}",
                     f"cannot find the period for the cases: {error.message_en}", file, where, hint, hint_en) from None


def load_case_file(path: Path, rules_root: Path | None = None) -> CaseFile:
    """Read and validate one case file; every mistake in it is reported at once (ErrorList), with positions."""
    rules_root = rules_root or default_rules_dir()
    file = display_path(path)
    data, _ = load_file(path, file)
    if not isinstance(data, PosDict) or "cases" not in data:
        where = data.start if isinstance(data, PosDict) else None
        raise _error("CASE001", "en tilfældefil skal have en liste 'cases:'", "a case file must have a list 'cases:'", file, where,
                     "se fixtures/cases/README.md", hint_en="see fixtures/cases/README.md")
    errors: list[RammeaftaleError] = []
    for key in data:
        if key not in FILE_KEYS:
            errors.append(_error("CASE002", f"ukendt felt '{key}' øverst i filen", f"unknown field '{key}' at the top of the file",
                                 file, data.key_pos[key], _did_you_mean(key, FILE_KEYS) or "tilladte felter: " + _listing(FILE_KEYS),
                                 hint_en=_did_you_mean(key, FILE_KEYS, "en") or "allowed fields: " + _listing(FILE_KEYS)))
    items = data["cases"]
    if not isinstance(items, PosList) or not items:
        errors.append(_error("CASE001", "'cases' skal være en ikke-tom liste af tilfælde", "'cases' must be a non-empty list of cases",
                             file, data.pos["cases"], "se fixtures/cases/README.md", hint_en="see fixtures/cases/README.md"))
        raise ErrorList(errors)
    compiled = _period_for(path, data, rules_root, file)
    cases, names = [], {}
    for index, item in enumerate(items):
        try:
            case = _case(item, items.pos[index], compiled, file)
        except ErrorList as error:
            errors.extend(error.errors)
            continue
        except RammeaftaleError as error:
            errors.append(error)
            continue
        if case.name in names:
            errors.append(_error("CASE003", f"navnet '{case.name}' er brugt to gange", f"the name '{case.name}' is used twice",
                                 file, item.pos["name"], f"første gang i linje {names[case.name]}; giv hvert tilfælde sit eget navn",
                                 hint_en=f"first on line {names[case.name]}; give each case its own name"))
            continue
        names[case.name] = case.line
        cases.append(case)
    if errors:
        raise ErrorList(errors)
    return CaseFile(Path(path), file, cases)


def _case(item, where, compiled: CompiledPeriod, file: str) -> Case:
    period = compiled.period
    if not isinstance(item, PosDict):
        raise _error("CASE003", "et tilfælde skal være en samling felter (name:, tilbud:, expect: ...)",
                     "a case must be a mapping (name:, tilbud:, expect: ...)", file, where, "se fixtures/cases/README.md",
                     hint_en="see fixtures/cases/README.md")
    errors = []
    if not isinstance(item.get("name"), str) or not item["name"].strip():
        errors.append(_error("CASE003", "tilfældet mangler 'name' (en tekst)", "the case has no 'name' (a text)", file,
                             item.pos.get("name", item.start), "skriv fx 'name: klynge ved 2 købere'",
                             hint_en="write e.g. 'name: klynge ved 2 købere'"))
    name = str(item.get("name", f"#{where.line}"))
    subjects = [key for key in item if key not in CASE_KEYS]
    for key in subjects:
        if key not in period.subjects:
            hint = _did_you_mean(key, list(period.subjects) + list(CASE_KEYS)) or "emnetyper: " + _listing(sorted(period.subjects))
            hint_en = (_did_you_mean(key, list(period.subjects) + list(CASE_KEYS), "en")
                       or "subject types: " + _listing(sorted(period.subjects)))
            errors.append(_error("CASE004", f"ukendt emnetype '{key}' i {period.region} {period.id}",
                                 f"unknown subject type '{key}' in {period.region} {period.id}", file, item.key_pos[key], hint,
                                 hint_en))
    subjects = [key for key in subjects if key in period.subjects]
    if not subjects and not errors:
        errors.append(_error("CASE004", f"tilfældet '{name}' mangler en post, fx 'tilbud:'", f"the case '{name}' has no record, e.g. 'tilbud:'",
                             file, item.start, "emnetyper: " + _listing(sorted(period.subjects)),
                             hint_en="subject types: " + _listing(sorted(period.subjects))))
    if len(subjects) > 1:
        errors.append(_error("CASE004", f"tilfældet har {len(subjects)} poster ({_listing(subjects)}); der må kun være én",
                             f"the case has {len(subjects)} records ({_listing(subjects)}); only one is allowed", file,
                             item.key_pos[subjects[1]], "skriv hver post i sit eget tilfælde",
                             hint_en="write each record in its own case"))
    if "expect" not in item:
        errors.append(_error("CASE005", f"tilfældet '{name}' mangler 'expect:'", f"the case '{name}' has no 'expect:'", file, item.start,
                             "skriv fx 'expect: {kategori: klyngetilbud}'", hint_en="write e.g. 'expect: {kategori: klyngetilbud}'"))
    if errors:
        raise ErrorList(errors)
    subject_name = subjects[0]
    record = item[subject_name]
    if record is None or (isinstance(record, PosDict) and not record):
        raise _error("CASE004", f"posten '{subject_name}' er tom; den skal holde postens felter (en samling felter)",
                     f"the record '{subject_name}' is empty; it must hold the record's fields (a mapping)", file,
                     item.pos[subject_name], f"skriv felterne indrykket under '{subject_name}:', fx '  id: palleshave'",
                     hint_en=f"write the fields indented under '{subject_name}:', e.g. '  id: palleshave'")
    if not isinstance(record, PosDict):
        kind_da, kind_en = ("en liste", "a list") if isinstance(record, list) else ("en enkelt værdi", "a single value")
        raise _error("CASE004", f"'{subject_name}' skal holde én post (en samling felter), ikke {kind_da}",
                     f"'{subject_name}' must hold one record (a mapping), not {kind_en}", file, item.pos[subject_name],
                     "skriv felterne direkte under '" + subject_name + ":'",
                     hint_en="write the fields directly under '" + subject_name + ":'")
    # The record is checked exactly as a facts file would be: {subject: [record]}, keeping the positions.
    wrapper = PosDict({subject_name: PosList([record])})
    wrapper.start, wrapper.pos[subject_name], wrapper.key_pos[subject_name] = item.start, item.pos[subject_name], item.key_pos[subject_name]
    wrapper[subject_name].pos, wrapper[subject_name].start = [item.pos[subject_name]], item.pos[subject_name]
    # Each part is checked even when another has mistakes, so one run lists them all.
    facts, readings, day, expect = None, {}, None, None
    try:
        facts = parse_facts(wrapper, file, period)[0]
        check_readings(facts.readings, period, file, facts.line)
    except ErrorList as error:
        errors.extend(error.errors)
    except RammeaftaleError as error:
        errors.append(error)
    if "readings" in item:
        try:
            if not isinstance(item["readings"], dict):
                raise _error("CASE003", "'readings' skal være en samling ID: valg", "'readings' must be a mapping ID: option", file,
                             item.pos["readings"], "skriv fx 'readings: {kategori_hul: lokalt_tilbud}'",
                             hint_en="write e.g. 'readings: {kategori_hul: lokalt_tilbud}'")
            readings = {str(key): str(value) for key, value in item["readings"].items()}
            check_readings(readings, period, file, item.pos["readings"].line)
        except RammeaftaleError as error:
            errors.append(error)
    if "date" in item:
        try:
            day = _case_date(item, period, file)
        except RammeaftaleError as error:
            errors.append(error)
    try:
        expect = _expectations(item["expect"], item.pos["expect"], compiled.subjects[subject_name].subject, file)
    except ErrorList as error:
        errors.extend(error.errors)
    if errors:
        raise ErrorList(errors)
    day = day or facts.date or period.valid_from
    description = item.get("description")
    return Case(name, str(description) if description is not None else None, subject_name, facts, readings, day, expect, file,
                where.line, compiled)


def _case_date(item, period, file: str) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(str(item["date"]))
    except ValueError:
        raise _error("CASE008", f"'{item['date']}' er ikke en dato", f"'{item['date']}' is not a date", file, item.pos["date"],
                     "skriv datoer som ÅÅÅÅ-MM-DD", hint_en="write dates as YYYY-MM-DD") from None
    if not period.valid_from <= day <= period.valid_to:
        raise _error("CASE008", f"datoen {day.isoformat()} ligger uden for perioden {period.id} "
                     f"({period.valid_from.isoformat()} – {period.valid_to.isoformat()})",
                     f"the date {day.isoformat()} lies outside the period {period.id} "
                     f"({period.valid_from.isoformat()} – {period.valid_to.isoformat()})", file, item.pos["date"],
                     "flyt filen til den periode datoen hører til, eller ret datoen",
                     hint_en="move the file to the period the date belongs to, or correct the date")
    return day


def _expectations(spec, where, subject, file: str) -> list[Expectation]:
    if not isinstance(spec, PosDict) or not spec:
        raise _error("CASE005", "'expect' skal nævne mindst én afgørelse og dens forventede svar",
                     "'expect' must name at least one decision and its expected answer", file, where,
                     "fx 'expect: {kategori: klyngetilbud}'", hint_en="e.g. 'expect: {kategori: klyngetilbud}'")
    errors, found = [], []
    for name, wanted in spec.items():
        decision = subject.decisions.get(name)
        if decision is None:
            errors.append(_error("CASE006", f"ukendt afgørelse '{name}' for {subject.name}", f"unknown decision '{name}' for {subject.name}",
                                 file, spec.key_pos[name], _did_you_mean(name, subject.decisions) or "afgørelser: " + _listing(sorted(subject.decisions)),
                                 hint_en=_did_you_mean(name, subject.decisions, "en") or "decisions: " + _listing(sorted(subject.decisions))))
            continue
        try:
            found.append(_expectation(decision, wanted, spec.pos[name], file))
        except ErrorList as error:
            errors.extend(error.errors)
    if errors:
        raise ErrorList(errors)
    return found


def _expectation(decision, wanted, where, file: str) -> Expectation:
    item = Expectation(decision.name)
    errors = []
    if isinstance(wanted, PosDict):
        for key in wanted:
            if key not in LONG_KEYS:
                errors.append(_error("CASE007", f"ukendt felt '{key}' i forventningen til '{decision.name}'",
                                     f"unknown field '{key}' in the expectation for '{decision.name}'", file, wanted.key_pos[key],
                                     _did_you_mean(key, LONG_KEYS) or "tilladte felter: " + _listing(LONG_KEYS),
                                     hint_en=_did_you_mean(key, LONG_KEYS, "en") or "allowed fields: " + _listing(LONG_KEYS)))
        if "value" in wanted:
            item.value, item.has_value = wanted["value"], True
            errors.extend(_value_problems(decision, wanted["value"], wanted.pos["value"], file))
        if "rule" in wanted:
            item.rule, item.has_rule = (None if wanted["rule"] is None else str(wanted["rule"])), True
            ids = [rule.id for rule in decision.rules]
            if item.rule is not None and item.rule not in ids:
                errors.append(_error("CASE007", f"afgørelsen '{decision.name}' har ingen regel '{item.rule}'",
                                     f"the decision '{decision.name}' has no rule '{item.rule}'", file, wanted.pos["rule"],
                                     _did_you_mean(item.rule, ids) or "regler: " + _listing(ids),
                                     hint_en=_did_you_mean(item.rule, ids, "en") or "rules: " + _listing(ids)))
        for key in ("flags", "no_flags"):
            if key not in wanted:
                continue
            codes = wanted[key]
            places = codes.pos if isinstance(codes, PosList) else None
            if not isinstance(codes, list):
                codes = [codes]
            for index, code in enumerate(codes):
                if code not in FLAG_CODES:
                    errors.append(_error("CASE007", f"ukendt flag '{code}'", f"unknown flag '{code}'", file,
                                         places[index] if places else wanted.pos[key],
                                         _did_you_mean(code, FLAG_CODES) or "flag: " + _listing(FLAG_CODES),
                                         hint_en=_did_you_mean(code, FLAG_CODES, "en") or "flags: " + _listing(FLAG_CODES)))
            setattr(item, key, [str(code) for code in codes])
        if not any(key in wanted for key in LONG_KEYS) and not errors:
            errors.append(_error("CASE007", f"forventningen til '{decision.name}' siger ingenting",
                                 f"the expectation for '{decision.name}' says nothing", file, where,
                                 "skriv 'value:', 'rule:', 'flags:' eller 'no_flags:'",
                                 hint_en="write 'value:', 'rule:', 'flags:' or 'no_flags:'"))
    else:
        item.value, item.has_value = wanted, True
        errors.extend(_value_problems(decision, wanted, where, file))
    if errors:
        raise ErrorList(errors)
    return item


def _value_problems(decision, wanted, where, file: str) -> list[RammeaftaleError]:
    """Catch a mistyped expected value when the file is read, not only as a failing case."""
    if wanted is None:
        return []
    if decision.type is None:
        if str(wanted) not in decision.values:
            return [_error("CASE007", f"'{wanted}' er ikke en værdi af '{decision.name}'", f"'{wanted}' is not a value of '{decision.name}'",
                           file, where, _did_you_mean(wanted, decision.values) or "værdier: " + _listing(decision.values),
                           hint_en=_did_you_mean(wanted, decision.values, "en") or "values: " + _listing(decision.values))]
        return []
    kind = decision.type.name
    if kind in ("kr", "number", "pct") and _canon(wanted)[0] != "num":
        return [_error("CASE007", f"'{wanted}' er ikke et tal", f"'{wanted}' is not a number", file, where,
                       "skriv tal med punktum som decimaltegn, fx 1727.50" + (" eller '40 %'" if kind == "pct" else ""),
                       hint_en="write numbers with a point as the decimal sign, e.g. 1727.50" + (" or '40 %'" if kind == "pct" else ""))]
    if kind == "date":
        try:
            datetime.date.fromisoformat(str(wanted))
        except ValueError:
            return [_error("CASE007", f"'{wanted}' er ikke en dato", f"'{wanted}' is not a date", file, where, "skriv datoer som ÅÅÅÅ-MM-DD",
                           hint_en="write dates as YYYY-MM-DD")]
    if kind == "bool" and not isinstance(wanted, bool):
        return [_error("CASE007", f"'{wanted}' er ikke sand/falsk", f"'{wanted}' is not true/false", file, where, "skriv true eller false",
                       hint_en="write true or false")]
    if kind == "list" and not isinstance(wanted, list):
        return [_error("CASE007", f"'{wanted}' er ikke en liste", f"'{wanted}' is not a list", file, where, "skriv fx [71, 36, 18]",
                       hint_en="write e.g. [71, 36, 18]")]
    return []


# -- comparing values ---------------------------------------------------------------------------------------
def _canon(item):
    """One comparable form for an expected YAML value and a decision's plain value: numbers as Decimal
    (1727.5 == "1727.50", "40 %" == 0.4), text as text, lists and mappings element by element."""
    if item is None or isinstance(item, bool):
        return ("const", item)
    if isinstance(item, (int, Decimal)):
        return ("num", Decimal(item))
    if isinstance(item, str):
        if _NUMBER.match(item):
            return ("num", Decimal(item.strip()))
        percent = _PERCENT.match(item)
        if percent:
            return ("num", Decimal(percent.group(1).replace(",", ".")) / 100)
        return ("text", item)
    if isinstance(item, list):
        return ("list", tuple(_canon(element) for element in item))
    if isinstance(item, dict):
        return ("map", tuple(sorted((str(key), _canon(value)) for key, value in item.items())))
    return ("text", str(item))


def same_value(expected, actual_plain) -> bool:
    try:
        return _canon(expected) == _canon(actual_plain)
    except (InvalidOperation, ValueError):
        return False


def shown(item) -> str:
    """A value as a YAML writer would write it."""
    if item is None:
        return "null"
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, list):
        return "[" + ", ".join(shown(element) for element in item) + "]"
    if isinstance(item, dict):
        return "{" + ", ".join(f"{key}: {shown(value)}" for key, value in item.items()) + "}"
    return str(fmt.plain(item))


# -- running ------------------------------------------------------------------------------------------------
@dataclass
class Check:
    expectation: Expectation
    ok: bool
    actual: dict                     # {value, rule, flags}
    problems: list[str]
    summary: str
    why_not: list[str]


@dataclass
class CaseResult:
    case: Case
    checks: list[Check]
    results: dict[str, DecisionResult]     # the asserted decisions, with their traces (for coverage)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)


def run_case(case: Case, lang: str = "da") -> CaseResult:
    compiled = case.compiled.subjects[case.subject]
    readings = {**case.compiled.default_readings(), **case.record.readings, **case.readings}
    results, env = evaluate_subject(compiled, case.record.values, readings, case.date)
    explainer = Explainer(compiled, case.compiled.period, lang, case.date)
    words = WORDS[lang]
    checks = []
    for expectation in case.expect:
        result = results[expectation.decision]
        answer = explainer.explain(result, env)
        codes = [flag["code"] for flag in answer["flags"]]
        actual = {"value": fmt.plain(answer["value"]), "rule": answer["rule"], "flags": sorted(set(codes))}
        problems = []
        if expectation.has_value and not same_value(expectation.value, actual["value"]):
            problems.append(words["wrong_value"].format(actual=shown(actual["value"]), expected=shown(expectation.value)))
        if expectation.has_rule and expectation.rule != actual["rule"]:
            problems.append(words["wrong_rule"].format(actual=actual["rule"] or words["no_rule"], expected=expectation.rule or words["no_rule"]))
        problems += [words["missing_flag"].format(flag=code) for code in expectation.flags if code not in codes]
        problems += [words["unwanted_flag"].format(flag=code) for code in expectation.no_flags if code in codes]
        why_not = [f"{entry['label']}" + (f" ({entry['rule']})" if entry["rule"] else "") + ": " + "; ".join(entry["reasons"])
                   for entry in answer["why_not"]]
        checks.append(Check(expectation, not problems, actual, problems, answer["explanation"]["summary"], why_not))
    asserted = {item.decision for item in case.expect}
    return CaseResult(case, checks, {name: result for name, result in results.items() if name in asserted})


def find_case_files(paths: list[Path]) -> list[Path]:
    found = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found.extend(sorted(item for item in path.rglob("*") if item.suffix in CASE_SUFFIXES and item.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            raise RammeaftaleError("IO003", f"'{path}' findes ikke", message_en=f"'{path}' does not exist", file=str(path),
                                   hint="angiv tilfældefiler eller mapper med dem, fx fixtures/cases",
                                   hint_en="give case files or folders holding them, e.g. fixtures/cases")
    unique = []
    for path in found:
        if path.resolve() not in {item.resolve() for item in unique}:
            unique.append(path)
    return unique


def case_json(result: CaseResult) -> dict:
    case = result.case
    return {"file": case.file, "line": case.line, "region": case.compiled.period.region, "period": case.compiled.period.id,
            "subject": case.subject, "id": case.record.id, "name": case.name, "ok": result.ok,
            "checks": [{"decision": check.expectation.decision, "ok": check.ok, "expected": check.expectation.as_json(),
                        "actual": check.actual, "problems": check.problems,
                        **({"summary": check.summary, "why_not": check.why_not} if not check.ok else {})}
                       for check in result.checks]}


def failure_lines(result: CaseResult, lang: str = "da") -> list[str]:
    """What a failing case shows: per failing decision, expected vs actual and the explanation."""
    words = WORDS[lang]
    lines = []
    for check in result.checks:
        if check.ok:
            continue
        expected = check.expectation
        wanted = []
        if expected.has_value:
            wanted.append(f"{words['value']} {shown(expected.value)}")
        if expected.has_rule:
            wanted.append(f"{words['rule']} {expected.rule or words['no_rule']}")
        if expected.flags:
            wanted.append(f"{words['flags']} {', '.join(expected.flags)}")
        if expected.no_flags:
            wanted.append(f"{words['no_flags']} {', '.join(expected.no_flags)}")
        actual = check.actual
        got = [f"{words['value']} {shown(actual['value'])}", f"{words['rule']} {actual['rule'] or words['no_rule']}",
               f"{words['flags']} {', '.join(actual['flags']) or words['none']}"]
        lines.append(f"{expected.decision}: " + "; ".join(check.problems))
        lines.append(f"  {words['expected']}: " + "; ".join(wanted))
        lines.append(f"  {words['actual']}:   " + "; ".join(got))
        lines.append(f"  {check.summary}")
        if check.why_not:
            lines.append(f"  {words['why_not']}:")
            lines.extend(f"    {text}" for text in check.why_not)
    return lines


# -- the command ---------------------------------------------------------------------------------------------
TEXT = {
    "da": {"summary": "{n} tilfælde: {ok} ok, {failed} fejlet", "errors": "{n} fejl i tilfældefilerne", "no_cases": "ingen tilfælde fundet",
           "no_cases_in": "ingen tilfælde fundet i {paths}; angiv tilfældefiler (*.yaml) eller mapper med dem, fx fixtures/cases",
           "min_range": "--min skal være et tal fra 0 til 100 (procent), ikke {min}",
           "golden_hint": "kør 'rammeaftale test --update' når ændringerne er tilsigtede",
           "min_fail": "regeldækningen for {key} er {percent} %, under kravet på {min} %"},
    "en": {"summary": "{n} cases: {ok} ok, {failed} failed", "errors": "{n} errors in the case files", "no_cases": "no cases found",
           "no_cases_in": "no cases found in {paths}; give case files (*.yaml) or folders holding them, e.g. fixtures/cases",
           "min_range": "--min must be a number from 0 to 100 (percent), not {min}",
           "golden_hint": "run 'rammeaftale test --update' when the changes are intended",
           "min_fail": "rule coverage for {key} is {percent}%, below the required {min}%"},
}


def cmd_test(args, out) -> int:
    lang = args.lang
    text = TEXT[lang]
    if args.min is not None and not 0 <= args.min <= 100:
        from .cli import UsageError
        raise UsageError(text["min_range"].format(min=args.min))
    root = args.rules or default_rules_dir()
    compiled_periods(root)          # rules with mistakes: reported once here, not once per case file
    fixtures = args.fixtures or Path.cwd() / "fixtures"
    explicit = bool(args.paths)
    paths = [Path(path) for path in args.paths] if explicit else [fixtures / "cases"]
    if not explicit and not fixtures.is_dir():
        raise RammeaftaleError("IO003", f"mappen '{fixtures}' findes ikke", message_en=f"the folder '{fixtures}' does not exist",
                               hint="kør fra projektmappen, eller angiv --fixtures DIR eller tilfældefiler",
                               hint_en="run from the project folder, or give --fixtures DIR or case files")
    files = find_case_files([path for path in paths if explicit or path.exists()])
    case_files, errors = [], []
    for path in files:
        try:
            case_files.append(load_case_file(path, root))
        except ErrorList as error:
            errors.extend(error.errors)
        except RammeaftaleError as error:
            errors.append(error)
    results = [run_case(case, lang) for case_file in case_files for case in case_file.cases]
    want_coverage = args.coverage or args.min is not None
    report = coverage_module.report(results, root, lang) if want_coverage else None
    run_golden = not explicit or args.golden or args.update
    golden = golden_module.run(root, fixtures, update=args.update, lang=lang) if run_golden else []
    below = coverage_module.below_minimum(report, args.min, lang) if report is not None and args.min is not None else []
    failed = sum(1 for result in results if not result.ok)
    golden_failed = sum(1 for item in golden if not item["ok"])
    # PATHS that hold no case (an empty folder, a mistyped path, fixtures/golden) fail, so CI does not pass on nothing
    nothing = explicit and not results and not errors
    if args.format == "json":
        document = {"format": "rammeaftale.test/1", "ok": not (failed or errors or golden_failed or below or nothing),
                    "errors": [error.as_json(lang) for error in errors], "cases": [case_json(result) for result in results],
                    "golden": golden, "coverage": report, "below_minimum": below}
        out.file.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    else:
        def say(line: str) -> None:
            out.print(line, soft_wrap=True)      # one result per line, for reading and for grep

        for error in errors:
            say(f"[red]{escape(error.render(lang))}[/red]")
        current = None
        for result in results:
            case = result.case
            if case.file != current:
                current = case.file
                say(f"[bold]{escape(case.file)}[/bold] ({case.period_key})")
            if result.ok:
                say(f"  [green]ok[/green]    {escape(case.name)}")
            else:
                say(f"  [red]FAIL[/red]  {escape(case.name)}  ({escape(case.file)}:{case.line})")
                for line in failure_lines(result, lang):
                    say("        " + escape(line))
        if nothing:
            say(f"[red]{escape(text['no_cases_in'].format(paths=', '.join(str(path) for path in args.paths)))}[/red]")
        elif results or not golden:
            say(text["summary"].format(n=len(results), ok=len(results) - failed, failed=failed) if results else text["no_cases"])
        if errors:
            say(f"[red]{text['errors'].format(n=len(errors))}[/red]")
        for item in golden:
            say(escape(golden_module.status_line(item, lang)))
            for line in golden_module.change_lines(item["changes"], lang):
                say("    " + escape(line))
        if golden_failed:
            say(f"[yellow]{text['golden_hint']}[/yellow]")
        if report is not None:
            for line in coverage_module.text_lines(report, lang):
                say(escape(line))
        for key, percent in below:
            say(f"[red]{escape(text['min_fail'].format(key=key, percent=percent, min=args.min))}[/red]")
    return 1 if failed or errors or golden_failed or below or nothing else 0
