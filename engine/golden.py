"""Golden regression snapshots: every fixture record's answers, per period, kept in fixtures/golden/.

For each period of the rules, every facts file under fixtures/<region>/ is evaluated under that period and
each record's decisions are written down as {value, rule, flags}. A later change to rules or engine that
changes any answer shows up as a diff; `rammeaftale test --update` accepts it by rewriting the snapshot.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from ..dsl.errors import ErrorList, RammeaftaleError
from . import fmt
from .compile import CompiledPeriod
from .evaluate import evaluate_subject
from .explain import Explainer
from .facts import check_readings, parse_facts
from .periods import compiled_periods
from .yamlsafe import load_file

FORMAT = "rammeaftale.golden/1"
FACTS_SUFFIXES = (".yaml", ".yml", ".json")
NOT_FACTS = ("cases", "golden")        # folders under fixtures/ that hold no facts files

TEXT = {
    "da": {"ok": "golden {key}: uændret ({n} poster)", "changed": "golden {key}: {n} ændring(er)",
           "updated": "golden {key}: opdateret, {n} ændring(er) accepteret", "missing": "golden {key}: øjebliksbilledet mangler ({file})",
           "created": "golden {key}: oprettet ({file}, {n} poster)", "stale": "golden {key}: øjebliksbillede for en periode der ikke findes ({file})",
           "removed": "golden {key}: fjernet, perioden findes ikke ({file})", "added": "ny", "gone": "fjernet",
           "skipped": "springes over", "no_rule": "ingen regel",
           "broken": "golden {key}: øjebliksbilledet kan ikke læses eller har ikke den forventede form ({file})"},
    "en": {"ok": "golden {key}: unchanged ({n} records)", "changed": "golden {key}: {n} change(s)",
           "updated": "golden {key}: updated, {n} change(s) accepted", "missing": "golden {key}: the snapshot is missing ({file})",
           "created": "golden {key}: created ({file}, {n} records)", "stale": "golden {key}: snapshot of a period that does not exist ({file})",
           "removed": "golden {key}: removed, the period does not exist ({file})", "added": "new", "gone": "removed",
           "skipped": "skipped", "no_rule": "no rule",
           "broken": "golden {key}: the snapshot cannot be read or is not in the expected form ({file})"},
}


def facts_files(fixtures: Path, region: str) -> list[Path]:
    base = fixtures / region
    if not base.is_dir():
        return []
    return sorted(path for path in base.rglob("*") if path.is_file() and path.suffix in FACTS_SUFFIXES
                  and not set(path.relative_to(fixtures).parts[:-1]) & set(NOT_FACTS))


def _days(compiled: CompiledPeriod, subject: str, record_day):
    """The record's own date when it lies in the period (else the period's start), and every day in the
    period on which one of the subject's parameters takes a new value."""
    period = compiled.period
    base = record_day if record_day is not None and period.valid_from <= record_day <= period.valid_to else period.valid_from
    days = {base}
    for parameter in compiled.subjects[subject].subject.parameters.values():
        days |= {start for start, _ in parameter.values if period.valid_from <= start <= period.valid_to}
    return sorted(days)


def snapshot(compiled: CompiledPeriod, fixtures: Path) -> dict:
    """The snapshot of one period: {file: {"subjects": {type/id: {date: {decision: {value, rule, flags}}}}} or {"skipped": why}}."""
    period = compiled.period
    files = {}
    defaults = compiled.default_readings()
    explainers = {}
    for path in facts_files(fixtures, period.region):
        key = path.relative_to(fixtures).as_posix()
        try:
            data, _ = load_file(path, key)
            records = parse_facts(data, key, period)
            for record in records:
                check_readings(record.readings, period, record.file, record.line)
        except RammeaftaleError as error:
            # e.g. a subject type this period lacks: recorded, not a crash
            reasons = error.errors if isinstance(error, ErrorList) else [error]
            files[key] = {"skipped": "; ".join(reason.render("da") for reason in reasons[:3])}
            continue
        subjects = {}
        for record in records:
            name = f"{record.type}/{record.id}"
            if name in subjects:                 # two records with one id: keep both, by position
                name = f"{name}@{record.line}"
            compiled_subject = compiled.subjects[record.type]
            readings = {**defaults, **record.readings}
            by_day = {}
            for day in _days(compiled, record.type, record.date):
                # the explainer reads the parameter values (and their flags) in force on that day
                explainer = explainers.setdefault((record.type, day), Explainer(compiled_subject, period, "da", day))
                results, _ = evaluate_subject(compiled_subject, record.values, readings, day)
                by_day[day.isoformat()] = {
                    decision: {"value": fmt.plain(result.value), "rule": result.rule.rule.id if result.rule else None,
                               "flags": sorted({flag["code"] for flag in explainer.flags(result)})}
                    for decision, result in results.items()}
            subjects[name] = by_day
        files[key] = {"subjects": subjects}
    return {"format": FORMAT, "region": period.region, "period": period.id, "files": files}


def snapshot_path(fixtures: Path, region: str, period_id: str) -> Path:
    return fixtures / "golden" / region / f"{period_id}.json"


def dumps(document: dict) -> str:
    return json.dumps(document, sort_keys=True, ensure_ascii=False, indent=1) + "\n"


def write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder and os.replace, so a reader never sees half a snapshot."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False)
    try:
        with handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, 0o666 & ~_umask())    # a temporary file is private (0600); a snapshot is an ordinary file
        os.replace(handle.name, path)
    except BaseException:
        if os.path.exists(handle.name):
            os.unlink(handle.name)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def count_records(document: dict) -> int:
    return sum(len(item.get("subjects", {})) for item in document.get("files", {}).values())


def diff(old: dict, new: dict) -> list[dict]:
    """Every difference in answers: {file, subject, date, decision, change: changed|added|removed|skipped, old, new}."""
    changes = []
    old_files, new_files = old.get("files", {}), new.get("files", {})
    for file in sorted(set(old_files) | set(new_files)):
        before, after = old_files.get(file), new_files.get(file)
        if before is None or after is None or "skipped" in before or "skipped" in after:
            if before != after:
                changes.append({"file": file, "subject": None, "date": None, "decision": None,
                                "change": "added" if before is None else "removed" if after is None else "skipped",
                                "old": before.get("skipped", count_records({"files": {file: before}})) if before else None,
                                "new": after.get("skipped", count_records({"files": {file: after}})) if after else None})
            continue
        old_subjects, new_subjects = before["subjects"], after["subjects"]
        for subject in sorted(set(old_subjects) | set(new_subjects)):
            if subject not in old_subjects or subject not in new_subjects:
                changes.append({"file": file, "subject": subject, "date": None, "decision": None,
                                "change": "added" if subject not in old_subjects else "removed", "old": None, "new": None})
                continue
            old_days, new_days = old_subjects[subject], new_subjects[subject]
            for day in sorted(set(old_days) | set(new_days)):
                if day not in old_days or day not in new_days:
                    changes.append({"file": file, "subject": subject, "date": day, "decision": None,
                                    "change": "added" if day not in old_days else "removed", "old": None, "new": None})
                    continue
                for decision in sorted(set(old_days[day]) | set(new_days[day])):
                    a, b = old_days[day].get(decision), new_days[day].get(decision)
                    if a != b:
                        changes.append({"file": file, "subject": subject, "date": day, "decision": decision,
                                        "change": "changed" if a is not None and b is not None else "added" if a is None else "removed",
                                        "old": a, "new": b})
    return changes


def _answer(item: dict | None, lang: str) -> str:
    if item is None:
        return "-"
    value = item["value"]
    shown = "null" if value is None else json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    flags = ", ".join(item["flags"])
    return f"{shown} ({item['rule'] or TEXT[lang]['no_rule']}" + (f"; {flags})" if flags else ")")


def _file_state(state, lang: str) -> str:
    """A facts file in a snapshot: skipped (with the reason) or how many records it gave."""
    if isinstance(state, str):
        return f"{TEXT[lang]['skipped']}: {state}"
    return f"{state} {'poster' if lang == 'da' else 'records'}"


def change_lines(changes: list[dict], lang: str = "da") -> list[str]:
    words = TEXT[lang]
    lines = []
    for change in changes:
        where = " ".join(part for part in (change["file"], change["subject"], change["date"]) if part)
        kind = change["change"]
        if change["decision"] is not None:
            if kind == "changed":
                lines.append(f"{where} {change['decision']}: {_answer(change['old'], lang)} → {_answer(change['new'], lang)}")
            else:
                lines.append(f"{'+' if kind == 'added' else '-'} {where} {change['decision']}: "
                             f"{_answer(change['new'] if kind == 'added' else change['old'], lang)}")
        elif kind == "skipped":
            lines.append(f"{where}: {_file_state(change['old'], lang)} → {_file_state(change['new'], lang)}")
        else:
            lines.append(f"{'+' if kind == 'added' else '-'} {where} ({words['added'] if kind == 'added' else words['gone']})")
    return lines


def compare(path: Path, new: dict) -> tuple[str, list[dict]]:
    """(status, changes) of the snapshot file at `path` against a fresh snapshot: ok, changed, missing, broken."""
    if not path.exists():
        return "missing", []
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "broken", []
    if not isinstance(old, dict):
        return "broken", []
    changes = diff(old, new)
    if changes:
        return "changed", changes
    # same answers, but not the file we would write (hand-edited, another format): rewrite with --update
    return ("ok" if dumps(old) == dumps(new) else "broken"), []


def run(rules_root: Path, fixtures: Path, update: bool = False, lang: str = "da") -> list[dict]:
    """Compare (or with update=True rewrite) the snapshot of every period. One entry per period (and per stale file)."""
    compiled = compiled_periods(rules_root)
    entries = []
    expected_paths = set()
    for key in sorted(compiled):
        path = snapshot_path(fixtures, *key)
        expected_paths.add(path.resolve())
        new = snapshot(compiled[key], fixtures)
        status, changes = compare(path, new)
        if update and status != "ok":
            write_atomic(path, dumps(new))
            status = {"missing": "created"}.get(status, "updated")
        entries.append({"region": key[0], "period": key[1], "file": _shown_path(path), "records": count_records(new),
                        "status": status, "ok": status in ("ok", "updated", "created"), "changes": changes})
    golden_root = fixtures / "golden"
    if golden_root.is_dir():
        for path in sorted(golden_root.glob("*/*.json")):
            if path.resolve() in expected_paths:
                continue
            entry = {"region": path.parent.name, "period": path.stem, "file": _shown_path(path), "records": 0, "changes": []}
            if update:
                path.unlink()
                entry.update({"status": "removed", "ok": True})
            else:
                entry.update({"status": "stale", "ok": False})
            entries.append(entry)
    return entries


def check_one(rules_root: Path, snapshot_file: Path) -> tuple[str, list[dict]]:
    """For the pytest plugin: (status, changes) of one snapshot file against a fresh snapshot of its period."""
    fixtures = snapshot_file.resolve().parent.parent.parent
    compiled = compiled_periods(rules_root).get((snapshot_file.parent.name, snapshot_file.stem))
    if compiled is None:
        return "stale", []
    return compare(snapshot_file, snapshot(compiled, fixtures))


def _shown_path(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def status_line(entry: dict, lang: str = "da") -> str:
    words = TEXT[lang]
    key = f"{entry['region']}/{entry['period']}"
    template = {"ok": "ok", "changed": "changed", "updated": "updated", "missing": "missing", "created": "created",
                "stale": "stale", "removed": "removed", "broken": "broken"}[entry["status"]]
    count = len(entry["changes"]) if entry["status"] in ("changed", "updated") else entry["records"]
    return words[template].format(key=key, n=count, file=entry["file"])
