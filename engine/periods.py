"""Find, load, check and compile the periods under a rules folder (parse → check → compile, once each)."""
from __future__ import annotations

import datetime
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..dsl.errors import ErrorList, RammeaftaleError
from .check import check_period
from .compile import CompiledPeriod, compile_period
from .model import Period
from .rulefile import load_period_dir


def default_rules_dir() -> Path:
    """The rules shipped with the package (rules/ in the checkout)."""
    return Path(str(resources.files("rammeaftale.rules")))


def period_dirs(root: Path) -> list[Path]:
    return sorted(path.parent for path in root.glob("*/*/period.yaml"))


def load_all(root: Path) -> tuple[list[Period], list[RammeaftaleError]]:
    """Every period under root, parsed and checked; errors from all of them, not just the first."""
    if not root.is_dir():
        raise RammeaftaleError("IO002", f"regelmappen '{root}' findes ikke", message_en=f"the rules folder '{root}' does not exist",
                               hint="angiv en mappe med --rules, fx --rules rules")
    periods, errors = [], []
    dirs = period_dirs(root)
    orphans = sorted({path.parent for path in root.glob("*/*/*.yaml")} - set(dirs))
    for orphan in orphans:
        errors.append(RammeaftaleError("RULE002", "mappen har regelfiler men ingen period.yaml",
                                       message_en="the folder has rule files but no period.yaml",
                                       file=os.path.join(root.name, str(orphan.relative_to(root))),
                                       hint="læg periodens metadata i period.yaml"))
    for directory in dirs:
        try:
            period = load_period_dir(directory, root)
            check_period(period)
        except ErrorList as error:
            errors.extend(error.errors)
            continue
        except RammeaftaleError as error:
            errors.append(error)
            continue
        periods.append(period)
    if not dirs and not orphans:
        errors.append(RammeaftaleError("RULE005", f"ingen perioder i '{root}'", message_en=f"no periods in '{root}'",
                                       hint="en periode er en mappe <region>/<periode>/ med en period.yaml"))
    return periods, errors


@lru_cache(maxsize=8)
def _compiled(root: str) -> tuple[dict, list]:
    periods, errors = load_all(Path(root))
    return {period.key: compile_period(period) for period in periods}, errors


def compiled_periods(root: Path) -> dict[tuple[str, str], CompiledPeriod]:
    compiled, errors = _compiled(str(root.resolve()))
    if errors:
        raise ErrorList(errors)
    return compiled


def select(root: Path, period_id: str | None, region: str | None, day: datetime.date | None = None,
           subjects: set[str] | None = None) -> CompiledPeriod:
    """The period asked for: by id, or else the one whose validity covers `day`. Without a region, the one
    region whose rules know the facts' subject types."""
    compiled = compiled_periods(root)
    regions = sorted({key[0] for key in compiled})
    if region is None:
        if len(regions) > 1 and subjects:
            regions = sorted({key[0] for key, item in compiled.items() if subjects <= set(item.period.subjects)}) or regions
        if len(regions) > 1:
            raise RammeaftaleError("CLI002", "vælg en region med --region", message_en="choose a region with --region",
                                   hint="regioner: " + ", ".join(regions))
        region = regions[0]
    candidates = [item for key, item in compiled.items() if key[0] == region]
    if not candidates:
        raise RammeaftaleError("CLI002", f"ukendt region '{region}'", message_en=f"unknown region '{region}'",
                               hint="regioner: " + ", ".join(regions))
    if period_id:
        for item in candidates:
            if item.period.id == period_id:
                return item
        raise RammeaftaleError("CLI003", f"ukendt periode '{period_id}' for {region}", message_en=f"unknown period '{period_id}' for {region}",
                               hint="perioder: " + ", ".join(sorted(item.period.id for item in candidates)))
    if day is not None:
        for item in candidates:
            if item.period.valid_from <= day <= item.period.valid_to:
                return item
        raise RammeaftaleError("CLI004", f"ingen periode for {region} gælder {day.isoformat()}",
                               message_en=f"no period for {region} covers {day.isoformat()}")
    raise RammeaftaleError("CLI005", "angiv --period (eller --date)", message_en="give --period (or --date)",
                           hint="perioder: " + ", ".join(sorted(item.period.id for item in candidates)))
