"""Find, load, check and compile the periods under a rules folder (parse → check → compile, once each)."""
from __future__ import annotations

import datetime
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..dsl.errors import ErrorList, RammeaftaleError
from . import rulecache
from .check import check_period
from .compile import CompiledPeriod, compile_period
from .model import Period


def default_rules_dir() -> Path:
    """./rules when the working folder holds a rules tree (a checkout, where policy staff edit the rules: their
    edits count at once, without a reinstall); else the rules shipped with the package."""
    local = Path("rules")
    if any(local.glob("*/*/period.yaml")):
        return local
    return Path(str(resources.files("rammeaftale.rules")))


def period_dirs(root: Path) -> list[Path]:
    return sorted(path.parent for path in root.glob("*/*/period.yaml"))


def load_all(root: Path) -> tuple[list[Period], list[RammeaftaleError]]:
    """Every period under root, parsed and checked; errors from all of them, not just the first."""
    if not root.is_dir():
        raise RammeaftaleError("IO002", f"regelmappen '{root}' findes ikke", message_en=f"the rules folder '{root}' does not exist",
                               hint="angiv en mappe med --rules, fx --rules rules", hint_en="give a folder with --rules, e.g. --rules rules")
    key = rulecache.rules_key(root)
    cached = rulecache.load(key, "rules")
    if cached is not None:   # the same files and code as a load that found no errors: the same periods
        return cached, check_calendar(cached)
    periods, errors = [], []
    dirs = period_dirs(root)
    orphans = sorted({path.parent for path in root.glob("*/*/*.yaml")} - set(dirs))
    for orphan in orphans:
        errors.append(RammeaftaleError("RULE002", "mappen har regelfiler men ingen period.yaml",
                                       message_en="the folder has rule files but no period.yaml",
                                       file=os.path.join(root.name, str(orphan.relative_to(root))),
                                       hint="læg periodens metadata i period.yaml", hint_en="put the period's metadata in period.yaml"))
    loaded: dict[tuple[str, str], Period] = {}
    heads = {directory: _head(directory) for directory in dirs}
    for directory in _parents_first(heads, root, errors):
        head = heads[directory]
        parent = None
        if head.get("extends") is not None:
            parent = loaded.get((str(head.get("region")), str(head["extends"])))
            if parent is None:  # its parent failed to load (reported there) or does not exist (reported below)
                continue
        try:
            period = _load_period_dir(directory, root, parent)
            check_period(period)
        except ErrorList as error:
            errors.extend(error.errors)
            continue
        except RammeaftaleError as error:
            errors.append(error)
            continue
        loaded[period.key] = period
        periods.append(period)
    errors.extend(check_calendar(periods))
    if not dirs and not orphans:
        errors.append(RammeaftaleError("RULE005", f"ingen perioder i '{root}'", message_en=f"no periods in '{root}'",
                                       hint="en periode er en mappe <region>/<periode>/ med en period.yaml",
                                       hint_en="a period is a folder <region>/<period>/ with a period.yaml"))
    if not errors and key is not None and rulecache.rules_key(root) == key:   # not if a file changed meanwhile
        rulecache.store(key, "rules", periods)
    return periods, errors


def _load_period_dir(directory: Path, root: Path, parent):
    # imported here: the rule files' reader (YAML, the schema, the DSL parser) is needed only without the rule cache
    from .rulefile import load_period_dir
    return load_period_dir(directory, root, parent)


def _head(directory: Path) -> dict:
    """The `period:` block of a folder's period.yaml, read loosely (the full load validates it)."""
    from .yamlsafe import load_file   # here: a load from the rule cache needs no YAML parser
    try:
        data, _ = load_file(directory / "period.yaml", str(directory / "period.yaml"))
    except RammeaftaleError:
        return {}
    head = data.get("period") if isinstance(data, dict) else None
    return head if isinstance(head, dict) else {}


def _parents_first(heads: dict[Path, dict], root: Path, errors: list) -> list[Path]:
    """The period folders ordered so that a period comes after the one it extends; unknown parents and cycles
    are reported here."""
    by_key, order, state = {}, [], {}
    for directory, head in heads.items():
        # a period.yaml that cannot be read keys by its folder; loading it reports what is wrong
        key = (str(head.get("region", directory.parent.name)), str(head.get("id", directory.name)))
        if key in by_key:
            errors.append(RammeaftaleError("RULE032", f"to mapper er periode {key[1]} for {key[0]}: {by_key[key].name} og {directory.name}",
                                           message_en=f"two folders are period {key[1]} of {key[0]}: {by_key[key].name} and {directory.name}",
                                           file=os.path.join(root.name, str((directory / "period.yaml").relative_to(root))),
                                           hint="giv hver periode sit eget id (og mappen samme navn)",
                                           hint_en="give each period its own id (and its folder the same name)"))
            continue
        by_key[key] = directory

    def where(directory):
        return os.path.join(root.name, str((directory / "period.yaml").relative_to(root)))

    def visit(key, path):
        if state.get(key) == "done":
            return True
        if state.get(key) == "active":
            chain = " → ".join(item[1] for item in path + [key])
            errors.append(RammeaftaleError("RULE030", f"perioderne bygger på hinanden i ring: {chain}",
                                           message_en=f"the periods extend each other in a cycle: {chain}",
                                           file=where(by_key[key]), hint="extends skal pege på en tidligere periode",
                                           hint_en="extends must point to an earlier period"))
            return False
        state[key] = "active"
        directory = by_key[key]
        head = heads[directory]
        ok = True
        if head.get("extends") is not None:
            parent = (key[0], str(head["extends"]))  # a parent is looked up in the same region
            if parent not in by_key:
                known = sorted(item[1] for item in by_key if item[0] == key[0])
                errors.append(RammeaftaleError("RULE031", f"periode {key[1]} bygger på '{head['extends']}', som ikke findes for {key[0]}",
                                               message_en=f"period {key[1]} extends '{head['extends']}', which does not exist for {key[0]}",
                                               file=where(directory), hint="perioder: " + ", ".join(known),
                                               hint_en="periods: " + ", ".join(known)))
                ok = False
            else:
                ok = visit(parent, path + [key])
        state[key] = "done"
        if ok:
            order.append(directory)
        return ok

    for key in sorted(by_key):
        visit(key, [])
    return order


def check_calendar(periods: list[Period]) -> list[RammeaftaleError]:
    """Per region: periods do not overlap, and a stretch between two periods is declared (gap_before) exactly."""
    errors = []
    by_region: dict[str, list[Period]] = {}
    for period in periods:
        by_region.setdefault(period.region, []).append(period)
    for region, items in sorted(by_region.items()):
        items.sort(key=lambda item: item.valid_from)
        for period in items:
            if period.valid_to < period.valid_from:
                errors.append(RammeaftaleError("CAL001", f"{region} {period.id} slutter før den begynder",
                                               message_en=f"{region} {period.id} ends before it begins", file=period.file,
                                               hint="valid_to skal ligge efter valid_from", hint_en="valid_to must come after valid_from"))
        for before, after in zip(items, items[1:]):
            gap = after.gap_before
            if after.valid_from <= before.valid_to:
                errors.append(RammeaftaleError(
                    "CAL002", f"{region} {after.id} ({after.valid_from}) overlapper {before.id} (til {before.valid_to})",
                    message_en=f"{region} {after.id} ({after.valid_from}) overlaps {before.id} (until {before.valid_to})",
                    file=after.file, hint="en dato må kun høre til én periode", hint_en="a date may belong to one period only"))
            elif after.valid_from - before.valid_to > datetime.timedelta(days=1):
                expected = (before.valid_to + datetime.timedelta(days=1), after.valid_from - datetime.timedelta(days=1))
                if gap is None or (gap["from"], gap["to"]) != expected:
                    errors.append(RammeaftaleError(
                        "CAL003", f"{region}: ingen periode dækker {expected[0]} – {expected[1]}"
                                  + (f" (gap_before siger {gap['from']} – {gap['to']})" if gap else ""),
                        message_en=f"{region}: no period covers {expected[0]} – {expected[1]}"
                                   + (f" (gap_before says {gap['from']} – {gap['to']})" if gap else ""),
                        file=after.file,
                        hint=f"erklær hullet i {after.id}: gap_before: {{from: {expected[0]}, to: {expected[1]}, why: ...}}",
                        hint_en=f"declare the gap in {after.id}: gap_before: {{from: {expected[0]}, to: {expected[1]}, why: ...}}"))
            elif gap is not None:
                errors.append(RammeaftaleError("CAL004", f"{region} {after.id} erklærer et hul før sig, men {before.id} slutter dagen før",
                                               message_en=f"{region} {after.id} declares a gap before it, but {before.id} ends the day before",
                                               file=after.file, hint="fjern gap_before", hint_en="remove gap_before"))
        if items and items[0].gap_before is not None:
            first = items[0]
            errors.append(RammeaftaleError("CAL004", f"{region} {first.id} erklærer et hul før sig, men er regionens første periode",
                                           message_en=f"{region} {first.id} declares a gap before it but is the region's first period",
                                           file=first.file, hint="fjern gap_before", hint_en="remove gap_before"))
    return errors


@lru_cache(maxsize=8)
def _compiled(root: str) -> tuple[dict, list]:
    periods, errors = load_all(Path(root))
    return {period.key: compile_period(period) for period in periods}, errors


def compiled_periods(root: Path) -> dict[tuple[str, str], CompiledPeriod]:
    compiled, errors = _compiled(str(root.resolve()))
    if errors:
        raise ErrorList(errors)
    return compiled


def pick_region(compiled: dict, region: str | None, subjects: set[str] | None = None) -> str:
    """The region asked for; without one, the one region whose rules know the facts' subject types."""
    regions = sorted({key[0] for key in compiled})
    if region is None:
        if len(regions) > 1 and subjects:
            regions = sorted({key[0] for key, item in compiled.items() if subjects <= set(item.period.subjects)}) or regions
        if len(regions) > 1:
            raise RammeaftaleError("CLI002", "vælg en region med --region", message_en="choose a region with --region",
                                   hint="regioner: " + ", ".join(regions), hint_en="regions: " + ", ".join(regions))
        return regions[0]
    if region not in regions:
        raise RammeaftaleError("CLI002", f"ukendt region '{region}'", message_en=f"unknown region '{region}'",
                               hint="regioner: " + ", ".join(regions), hint_en="regions: " + ", ".join(regions))
    return region


def select(root: Path, period_id: str | None, region: str | None, day: datetime.date | None = None,
           subjects: set[str] | None = None) -> CompiledPeriod:
    """The period asked for: by id, or else the one whose validity covers `day`. Without a region, the one
    region whose rules know the facts' subject types."""
    compiled = compiled_periods(root)
    region = pick_region(compiled, region, subjects)
    candidates = sorted((item for key, item in compiled.items() if key[0] == region), key=lambda item: item.period.valid_from)
    if period_id:
        for item in candidates:
            if item.period.id == period_id:
                return item
        raise RammeaftaleError("CLI003", f"ukendt periode '{period_id}' for {region}", message_en=f"unknown period '{period_id}' for {region}",
                               hint="perioder: " + ", ".join(item.period.id for item in candidates),
                               hint_en="periods: " + ", ".join(item.period.id for item in candidates))
    if day is not None:
        for item in candidates:
            if item.period.valid_from <= day <= item.period.valid_to:
                return item
        raise RammeaftaleError("CLI004", f"ingen periode for {region} gælder {day.isoformat()}",
                               message_en=f"no period for {region} covers {day.isoformat()}",
                               hint="perioder: " + ", ".join(f"{item.period.id} ({item.period.valid_from} – {item.period.valid_to})"
                                                             for item in candidates),
                               hint_en="periods: " + ", ".join(f"{item.period.id} ({item.period.valid_from} – {item.period.valid_to})"
                                                               for item in candidates))
    raise RammeaftaleError("CLI005", "angiv --period (eller --date)", message_en="give --period (or --date)",
                           hint="perioder: " + ", ".join(item.period.id for item in candidates),
                           hint_en="periods: " + ", ".join(item.period.id for item in candidates))


def latest(root: Path, region: str | None, subjects: set[str] | None = None) -> CompiledPeriod:
    """The region's last period: the facts schema to read dated records with, before each picks its own period."""
    compiled = compiled_periods(root)
    region = pick_region(compiled, region, subjects)
    return max((item for key, item in compiled.items() if key[0] == region), key=lambda item: item.period.valid_from)
