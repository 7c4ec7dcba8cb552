"""Check that every quote stands, word for word, in the cited lines of the source documents."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
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


def document_path(document: str, directory: Path) -> Path:
    """A seed file stands in the sources folder; a research note (*.md) in the spec folder beside it."""
    if document.endswith(".md"):
        return directory.parent / "spec" / document
    return directory / document


_MARKDOWN = re.compile(r"\*\*|`")


def verify(source: Source, directory: Path) -> str | None:
    """None when the quote is in the cited lines; otherwise what is wrong."""
    path = document_path(source.document, directory)
    if not path.is_file():
        return f"dokumentet {source.document} findes ikke i {path.parent}"
    lines = _lines(str(path))
    first, last = source.lines
    if last > len(lines):
        return f"{source.document} har kun {len(lines)} linjer (citeret {first}-{last})"
    cited = normalise(" ".join(lines[first - 1:last]))
    quote = normalise(source.quote)
    if source.document.endswith(".md"):  # emphasis marks in a note are not part of what it quotes
        cited, quote = _MARKDOWN.sub("", cited), _MARKDOWN.sub("", quote)
    if quote not in cited:
        return f"citatet står ikke i {source.document} linje {first}-{last}: \"{source.quote[:60]}\""
    return None


@dataclass
class Provision:
    """One thing in a period that cites the source, with where it was written and whether this period confirms it."""
    id: str
    title: dict
    sources: list
    file: str
    line: int
    inherited_from: str | None = None       # written for an earlier period and not confirmed for this one
    kind: str = "rule"
    values: list = field(default_factory=list)   # a parameter's dated values: [{from, inherited_from, sources}]

    @property
    def status(self) -> str:
        return status_of(self.inherited_from)


def status_of(inherited_from: str | None) -> str:
    """A provision's provenance in a period: its own (with sources), or carried over without one."""
    return "inherited-unverified" if inherited_from else "confirmed"


def provision_list(period: Period) -> list[Provision]:
    """Everything in a period that cites the source: statements, readings, parameters, derived facts, rules, overrides."""
    found = [Provision(item.id, item.title, item.sources, item.file, item.line, item.inherited_from, "statement")
             for item in period.statements]
    for reading in period.readings.values():
        found.append(Provision(f"reading.{reading.id}", reading.title, reading.sources, reading.file, reading.line,
                               reading.inherited_from, "reading"))
    for subject in period.subjects.values():
        for name, item in subject.parameters.items():
            found.append(_parameter_provision(period, subject.name, name, item))
        for name, item in subject.derived.items():
            if item.sources:
                found.append(Provision(item.id or f"{subject.name}.{name}", item.title, item.sources, item.file, item.line,
                                       item.inherited_from, "derived"))
        for decision in subject.decisions.values():
            for rule in decision.rules:
                found.append(Provision(rule.id, rule.title, rule.sources, rule.file, rule.line, rule.inherited_from))
            if decision.override:
                found.append(Provision(f"{subject.name}.{decision.name}.vurdering", decision.title, decision.override.sources,
                                       decision.file, decision.line, decision.override.inherited_from, "override"))
    return found


def _parameter_provision(period: Period, subject: str, name: str, item) -> Provision:
    """A parameter is confirmed when the values in force during the period are this period's own."""
    values = [{"from": start.isoformat(), "inherited_from": item.inherited_from.get(start),
               "sources": item.value_sources.get(start, item.sources)} for start, _ in item.in_force(period.valid_from, period.valid_to)]
    inherited = next((value["inherited_from"] for value in values if value["inherited_from"]), None)
    sources = []
    for value in values:
        sources.extend(source for source in value["sources"] if source not in sources)
    return Provision(item.id or f"{subject}.{name}", item.title, sources, item.file, item.line, inherited, "parameter", values)


def provision_sources(period: Period):
    """(provision id, title, sources, file, line) for everything in a period that cites the source."""
    for item in provision_list(period):
        yield item.id, item.title, item.sources, item.file, item.line


def quote_error(provision_id: str, source: Source, directory: Path, file: str, line: int) -> RammeaftaleError | None:
    """The error for a quote that is not in its cited lines, placed at the quote in the rule file."""
    problem = verify(source, directory)
    if problem is None:
        return None
    return RammeaftaleError("SRC001", f"{provision_id}: {problem}", message_en=f"{provision_id}: quote not found: {problem}",
                            file=source.file or file, line=source.line or line, column=source.column,
                            hint="citatet skal stå ordret (bortset fra mellemrum) i de citerede linjer",
                            hint_en="the quote must stand word for word (apart from spaces) in the cited lines")
