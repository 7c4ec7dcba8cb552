"""The facts files of a fixtures folder, shared by the golden snapshots (golden.py) and the period diff (diff.py).

Which files are facts files (not the test cases in `cases/` nor the snapshots in `golden/`), on which days a record
is evaluated in a period, how a path is shown in messages, and reading a facts file: its YAML is loaded once
(`FactsFiles`) and parsed and checked against each period it is evaluated under.
"""
from __future__ import annotations

import datetime
from pathlib import Path

from ..dsl.errors import RammeaftaleError
from .compile import CompiledPeriod
from .facts import SubjectFacts, check_readings, parse_facts
from .model import Period
from .yamlsafe import load_file

FACTS_SUFFIXES = (".yaml", ".yml", ".json")
NOT_FACTS = ("cases", "golden")        # folders of test cases and golden snapshots, at any depth: no facts files


def facts_files(directory: Path, within: Path | None = None) -> list[Path]:
    """Every facts file under `directory`, recursively, sorted; none in a folder named cases or golden at any depth
    from `within` (default: `directory`) down, `within` itself included, so `--fixtures fixtures/cases` finds none."""
    directory = Path(directory)
    top = Path(within) if within is not None else directory
    if not directory.is_dir():
        return []

    def folders(path: Path) -> set[str]:
        return {top.name, *path.relative_to(top).parts[:-1]}

    return sorted(path for path in directory.rglob("*") if path.is_file() and path.suffix in FACTS_SUFFIXES
                  and not folders(path) & set(NOT_FACTS))


def evaluation_days(compiled: CompiledPeriod, subject: str, record_day: datetime.date | None) -> list[datetime.date]:
    """The record's own date when it lies in the period (else the period's start), and every day inside the period
    on which one of the subject's parameters takes a new value."""
    period = compiled.period
    inside = record_day is not None and period.valid_from <= record_day <= period.valid_to
    days = {record_day if inside else period.valid_from}
    for parameter in compiled.subjects[subject].subject.parameters.values():
        days |= {start for start, _ in parameter.values if period.valid_from <= start <= period.valid_to}
    return sorted(days)


def display_path(path: Path) -> str:
    """The path relative to the working folder when it lies inside it (stable in messages and JSON)."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


class FactsFiles:
    """Facts files read once: each file's YAML is loaded on first use and kept (the PosDict, or the error that
    loading gave); `records` parses and checks it against one period, as often as there are periods."""

    def __init__(self) -> None:
        self._loaded: dict[tuple[str, str], object] = {}

    def data(self, path: Path, shown: str):
        key = (str(path), shown)
        if key not in self._loaded:
            try:
                self._loaded[key] = load_file(path, shown)[0]
            except RammeaftaleError as error:
                self._loaded[key] = error
        item = self._loaded[key]
        if isinstance(item, RammeaftaleError):
            raise item
        return item

    def records(self, path: Path, shown: str, period: Period) -> list[SubjectFacts]:
        """The file's records under `period`, with their readings checked; a RammeaftaleError (an ErrorList for
        several) when the file does not load or does not fit the period."""
        records = parse_facts(self.data(path, shown), shown, period)
        for record in records:
            check_readings(record.readings, period, record.file, record.line)
        return records
