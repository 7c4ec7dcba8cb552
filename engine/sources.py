"""Check that every quote stands, word for word, in the cited lines of the source documents."""
from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

from ..dsl.errors import RammeaftaleError
from .model import Period, Source

# PDF extraction leaves private-use bullet glyphs and odd spaces; they are not part of any quote.
_NOISE = re.compile(r"[\uf000-\uf8ff\u00ad]")
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    text = _NOISE.sub(" ", text).replace("\u2010", "-").replace("\u2011", "-")
    return _SPACE.sub(" ", text).strip()


def find_sources_dir(explicit: str | None = None) -> Path | None:
    """--sources, else $RAMMEAFTALE_SOURCES, else ../shared/seeds or shared/seeds from the working folder."""
    candidates = [explicit, os.environ.get("RAMMEAFTALE_SOURCES"), "../shared/seeds", "shared/seeds"]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


@lru_cache(maxsize=16)
def _lines(path: str) -> list[str]:
    with open(path, encoding="utf-8") as handle:
        # numbered like `cat -n`: only "\n" ends a line (PDF text may hold other control characters)
        lines = handle.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def verify(source: Source, directory: Path) -> str | None:
    """None when the quote is in the cited lines; otherwise what is wrong."""
    path = directory / source.document
    if not path.is_file():
        return f"dokumentet {source.document} findes ikke i {directory}"
    lines = _lines(str(path))
    first, last = source.lines
    if last > len(lines):
        return f"{source.document} har kun {len(lines)} linjer (citeret {first}-{last})"
    cited = normalise(" ".join(lines[first - 1:last]))
    if normalise(source.quote) not in cited:
        return f"citatet står ikke i {source.document} linje {first}-{last}: \"{source.quote[:60]}\""
    return None


def provision_sources(period: Period):
    """(provision id, title, sources, file, line) for everything in a period that cites the source."""
    for reading in period.readings.values():
        yield f"reading.{reading.id}", reading.title, reading.sources, reading.file, reading.line
    for subject in period.subjects.values():
        for name, item in subject.parameters.items():
            yield item.id or f"{subject.name}.{name}", item.title, item.sources, item.file, item.line
        for name, item in subject.derived.items():
            if item.sources:
                yield item.id or f"{subject.name}.{name}", item.title, item.sources, item.file, item.line
        for decision in subject.decisions.values():
            for rule in decision.rules:
                yield rule.id, rule.title, rule.sources, rule.file, rule.line
            if decision.override:
                yield f"{subject.name}.{decision.name}.vurdering", decision.title, decision.override.sources, decision.file, decision.line


def quote_error(provision_id: str, source: Source, directory: Path, file: str, line: int) -> RammeaftaleError | None:
    """The error for a quote that is not in its cited lines, placed at the quote in the rule file."""
    problem = verify(source, directory)
    if problem is None:
        return None
    return RammeaftaleError("SRC001", f"{provision_id}: {problem}", message_en=f"{provision_id}: quote not found: {problem}",
                            file=source.file or file, line=source.line or line, column=source.column,
                            hint="citatet skal stå ordret (bortset fra mellemrum) i de citerede linjer")
