"""Golden regression snapshots: every fixture record's answers, per period, kept in fixtures/golden/.

For each period of the rules, every facts file under fixtures/<region>/ is evaluated under that period and
each record's decisions are written down as {value, rule, flags}. A later change to rules or engine that
changes any answer shows up as a diff; `rammeaftale test --update` accepts it by rewriting the snapshot.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..dsl.errors import ErrorList, RammeaftaleError
from . import fmt
from .atomic import write_atomic
from .compile import CompiledPeriod
from .evaluate import evaluate_subject
from .explain import Explainer
from .fixtures import FactsFiles, display_path, evaluation_days
from .fixtures import facts_files as _facts_files
from .periods import compiled_periods

FORMAT = "rammeaftale.golden/1"

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
    """The facts files of one region: fixtures/<region>/, recursively, without cases/ and golden/ folders."""
    return _facts_files(fixtures / region)


def snapshot(compiled: CompiledPeriod, fixtures: Path, loaded: FactsFiles | None = None) -> dict:
    """The snapshot of one period: {file: {"subjects": {type/id: {date: {decision: {value, rule, flags}}}}} or {"skipped": why}}.
    `loaded` keeps each facts file's YAML between the periods of one run."""
    period = compiled.period
    loaded = loaded if loaded is not None else FactsFiles()
    files = {}
    defaults = compiled.default_readings()
    explainers = {}
    for path in facts_files(fixtures, period.region):
        key = path.relative_to(fixtures).as_posix()
        try:
            records = loaded.records(path, key, period)
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
            for day in evaluation_days(compiled, record.type, record.date):
                # the explainer reads the parameter values (and their flags) in force on that day
                explainer = explainers.get((record.type, day))
                if explainer is None:
                    explainer = explainers[(record.type, day)] = Explainer(compiled_subject, period, "da", day)
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
    regions = {region for region, _ in compiled}
    loaded = FactsFiles()           # each facts file's YAML is read once, then parsed under every period
    entries = []
    expected_paths = set()
    for key in sorted(compiled):
        path = snapshot_path(fixtures, *key)
        expected_paths.add(path.resolve())
        new = snapshot(compiled[key], fixtures, loaded)
        status, changes = compare(path, new)
        if update and status != "ok":
            write_atomic(path, dumps(new))
            status = {"missing": "created"}.get(status, "updated")
        entries.append({"region": key[0], "period": key[1], "file": display_path(path), "records": count_records(new),
                        "status": status, "ok": status in ("ok", "updated", "created"), "changes": changes})
    golden_root = fixtures / "golden"
    if golden_root.is_dir():
        for path in sorted(golden_root.glob("*/*.json")):
            # a snapshot of a region these rules do not hold (--rules with only some regions) is not theirs to judge
            if path.resolve() in expected_paths or path.parent.name not in regions:
                continue
            entry = {"region": path.parent.name, "period": path.stem, "file": display_path(path), "records": 0, "changes": []}
            if update:
                path.unlink()
                entry.update({"status": "removed", "ok": True})
            else:
                entry.update({"status": "stale", "ok": False})
            entries.append(entry)
    return entries


def check_one(rules_root: Path, snapshot_file: Path) -> tuple[str, list[dict]]:
    """For the pytest plugin: (status, changes) of one snapshot file against a fresh snapshot of its period;
    "other_region" when the rules hold no period of the snapshot's region."""
    fixtures = snapshot_file.resolve().parent.parent.parent
    periods = compiled_periods(rules_root)
    compiled = periods.get((snapshot_file.parent.name, snapshot_file.stem))
    if compiled is None:
        return ("stale" if any(region == snapshot_file.parent.name for region, _ in periods) else "other_region"), []
    return compare(snapshot_file, snapshot(compiled, fixtures))


def status_line(entry: dict, lang: str = "da") -> str:
    words = TEXT[lang]
    key = f"{entry['region']}/{entry['period']}"
    template = {"ok": "ok", "changed": "changed", "updated": "updated", "missing": "missing", "created": "created",
                "stale": "stale", "removed": "removed", "broken": "broken"}[entry["status"]]
    count = len(entry["changes"]) if entry["status"] in ("changed", "updated") else entry["records"]
    return words[template].format(key=key, n=count, file=entry["file"])
