"""pytest plugin (entry point `pytest11: rammeaftale`): case files and golden snapshots as test items.

`cases/**/*.yaml` gives one item per case (named by the case), `golden/<region>/<period>.json` one item per
period. Only files under a folder named `cases` or `golden` are collected, so the plugin does nothing in other
projects. A failure shows expected vs actual and the explanation, or the snapshot diff, not a traceback.
"""
from __future__ import annotations

from pathlib import Path

import pytest

CASE_SUFFIXES = (".yaml", ".yml")


def pytest_addoption(parser):
    group = parser.getgroup("rammeaftale")
    group.addoption("--rammeaftale-rules", default=None, metavar="DIR",
                    help="rule folder for case files and golden snapshots (default: the rules shipped with rammeaftale)")


def _rules(config) -> Path:
    from .periods import default_rules_dir
    value = config.getoption("rammeaftale_rules", None)
    return Path(value) if value else default_rules_dir()


def _folders(file_path: Path, config) -> tuple[str, ...]:
    """The folders of the path below pytest's rootdir (an unrelated 'cases' folder above the project does not count)."""
    try:
        return Path(file_path).relative_to(config.rootpath).parts[:-1]
    except ValueError:
        return Path(file_path).parts[:-1]


def pytest_collect_file(file_path, parent):
    folders = _folders(file_path, parent.config)
    if file_path.suffix in CASE_SUFFIXES and "cases" in folders:
        return CaseFile.from_parent(parent, path=file_path)
    if file_path.suffix == ".json" and folders[-2:-1] == ("golden",):
        return GoldenFile.from_parent(parent, path=file_path)
    return None


def _render_error(excinfo):
    from ..dsl.errors import RammeaftaleError
    if excinfo.errisinstance(RammeaftaleError):
        return excinfo.value.render("da")
    return None


class CaseFailed(Exception):
    def __init__(self, result):
        super().__init__(result.case.name)
        self.result = result


class CaseFile(pytest.File):
    def collect(self):
        from .cases import load_case_file
        case_file = load_case_file(self.path, _rules(self.config))
        for case in case_file.cases:
            yield CaseItem.from_parent(self, name=case.name, case=case)

    def repr_failure(self, excinfo):
        return _render_error(excinfo) or super().repr_failure(excinfo)


class CaseItem(pytest.Item):
    def __init__(self, *, case, **kwargs):
        super().__init__(**kwargs)
        self.case = case

    def runtest(self):
        from .cases import run_case
        result = run_case(self.case)
        if not result.ok:
            raise CaseFailed(result)

    def repr_failure(self, excinfo, style=None):
        from .cases import failure_lines
        if excinfo.errisinstance(CaseFailed):
            result = excinfo.value.result
            return "\n".join([f"{self.case.file}:{self.case.line}: {self.case.name} ({self.case.period_key})",
                              *failure_lines(result)])
        return _render_error(excinfo) or super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, self.case.line - 1, f"case: {self.case.name}"


class GoldenFailed(Exception):
    def __init__(self, status, changes):
        super().__init__(status)
        self.status = status
        self.changes = changes


class GoldenFile(pytest.File):
    def collect(self):
        yield GoldenItem.from_parent(self, name=f"{self.path.parent.name}/{self.path.stem}")

    def repr_failure(self, excinfo):
        return _render_error(excinfo) or super().repr_failure(excinfo)


class GoldenItem(pytest.Item):
    def runtest(self):
        from .golden import check_one
        status, changes = check_one(_rules(self.config), self.path)
        if status == "other_region":      # --rammeaftale-rules holds no period of this region: not these rules' snapshot
            pytest.skip(f"reglerne har ingen periode for regionen {self.path.parent.name}")
        if status != "ok":
            raise GoldenFailed(status, changes)

    def repr_failure(self, excinfo, style=None):
        from .cases import TEXT
        from .golden import change_lines, status_line
        if excinfo.errisinstance(GoldenFailed):
            failed = excinfo.value
            entry = {"region": self.path.parent.name, "period": self.path.stem, "file": str(self.path), "records": 0,
                     "status": failed.status, "changes": failed.changes}
            lines = [status_line(entry), *("  " + line for line in change_lines(failed.changes))]
            return "\n".join(lines + [TEXT["da"]["golden_hint"]])
        return _render_error(excinfo) or super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"golden: {self.name}"
