"""Safe YAML loading that remembers where every value stood, rejects duplicate keys, and never makes floats.

Rule files and facts files are data: only PyYAML's SafeLoader constructors run. Numbers with a decimal
point become `Decimal`, dates stay text (the engine converts them where a date is declared), and each
mapping and list remembers the file position of its values so errors can name line and column.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from decimal import Decimal

import yaml

from ..dsl.errors import RammeaftaleError

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ALIASES = 100
MAX_EXPANDED_NODES = 1_000_000   # values a file may hold once its aliases are expanded


@dataclass(frozen=True)
class Position:
    line: int          # 1-based
    column: int        # 1-based
    index: int         # offset of the value's first character in the file text
    end_index: int
    style: str | None  # None (plain), '"', "'", '|', '>'


class PosDict(dict):
    """A mapping that knows the position of each key (`key_pos`) and value (`pos`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pos: dict = {}
        self.key_pos: dict = {}
        self.start: Position | None = None


class PosList(list):
    def __init__(self, *args):
        super().__init__(*args)
        self.pos: list = []
        self.start: Position | None = None


def _position(node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1, node.start_mark.index,
                    node.end_mark.index, getattr(node, "style", None))


class _Loader(yaml.SafeLoader):
    def __init__(self, stream, name):
        super().__init__(stream)
        self.name = name
        self.aliases_seen = 0

    def compose_node(self, parent, index):
        # count alias uses: a "billion laughs" file is refused instead of expanded
        if self.check_event(yaml.events.AliasEvent):
            self.aliases_seen += 1
            if self.aliases_seen > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise RammeaftaleError("YAML004", f"for mange YAML-aliaser (mere end {MAX_ALIASES})",
                                       message_en=f"too many YAML aliases (more than {MAX_ALIASES})", file=self.name,
                                       line=mark.line + 1, column=mark.column + 1,
                                       hint="skriv værdierne ud i stedet for at bruge &anker/*alias")
        return super().compose_node(parent, index)


def _construct_mapping(loader: _Loader, node):
    loader.flatten_mapping(node)
    result = PosDict()
    result.start = _position(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, Decimal, bool)) or isinstance(key, bool):
            key = str(key)
        if key in result:
            raise RammeaftaleError("YAML002", f"nøglen '{key}' står to gange", message_en=f"the key '{key}' appears twice",
                                   file=loader.name, line=key_node.start_mark.line + 1, column=key_node.start_mark.column + 1,
                                   hint=f"første gang i linje {result.key_pos[key].line}; slet eller omdøb den ene")
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_pos[key] = _position(key_node)
        result.pos[key] = _position(value_node)
    return result


def _construct_sequence(loader: _Loader, node):
    result = PosList(loader.construct_object(child, deep=True) for child in node.value)
    result.pos = [_position(child) for child in node.value]
    result.start = _position(node)
    return result


def _construct_float(loader, node):
    text = loader.construct_scalar(node).replace("_", "")
    try:
        return Decimal(text)
    except ArithmeticError:
        raise RammeaftaleError("YAML005", f"'{text}' er ikke et tal", message_en=f"'{text}' is not a number",
                               file=loader.name, line=node.start_mark.line + 1, column=node.start_mark.column + 1) from None


def _construct_text(loader, node):
    return loader.construct_scalar(node)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_text)


def _check_expanded_size(root, name: str) -> None:
    """Refuse a file whose aliases expand to more values than any real rule or facts file holds
    (a "billion laughs" file is small on disk and uses few aliases, but each alias repeats a whole subtree)."""
    sizes: dict[int, int] = {}

    def size(node) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        sizes[id(node)] = 1          # a recursive alias counts once instead of looping
        if isinstance(node, yaml.MappingNode):
            total = 1 + sum(size(key) + size(value) for key, value in node.value)
        elif isinstance(node, yaml.SequenceNode):
            total = 1 + sum(size(child) for child in node.value)
        else:
            total = 1
        sizes[id(node)] = total
        return total

    if size(root) > MAX_EXPANDED_NODES:
        raise RammeaftaleError("YAML004", f"filen fylder for meget når dens aliaser foldes ud (over {MAX_EXPANDED_NODES:,} værdier)".replace(",", "."),
                               message_en=f"the file is too large once its aliases are expanded (over {MAX_EXPANDED_NODES:,} values)",
                               file=name, line=root.start_mark.line + 1, column=root.start_mark.column + 1,
                               hint="skriv værdierne ud i stedet for at bruge &anker/*alias")


def load_text(text: str, name: str):
    if len(text.encode("utf-8", "replace")) > MAX_FILE_BYTES:
        raise RammeaftaleError("YAML006", f"filen er for stor (over {MAX_FILE_BYTES // (1024 * 1024)} MB)",
                               message_en=f"the file is too large (over {MAX_FILE_BYTES // (1024 * 1024)} MB)", file=name)
    loader = _Loader(text, name)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expanded_size(node, name)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or "ugyldig YAML"
        raise RammeaftaleError("YAML001", f"ugyldig YAML: {problem}", message_en=f"invalid YAML: {problem}", file=name,
                               line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None,
                               hint="tjek indrykning og kolon; tekst med ':' eller '#' skal stå i anførselstegn") from None
    except yaml.YAMLError as error:
        raise RammeaftaleError("YAML001", f"ugyldig YAML: {error}", message_en=f"invalid YAML: {error}", file=name) from None
    finally:
        loader.dispose()


def load_file(path: str | os.PathLike, display_name: str | None = None):
    """Load one YAML (or JSON) file. Returns (data, text)."""
    name = display_name or str(path)
    try:
        if os.path.getsize(path) > MAX_FILE_BYTES:
            raise RammeaftaleError("YAML006", f"filen er for stor (over {MAX_FILE_BYTES // (1024 * 1024)} MB)",
                                   message_en=f"the file is too large (over {MAX_FILE_BYTES // (1024 * 1024)} MB)", file=name)
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except UnicodeDecodeError:
        raise RammeaftaleError("YAML003", "filen er ikke UTF-8", message_en="the file is not UTF-8", file=name) from None
    except OSError as error:
        raise RammeaftaleError("IO001", f"kan ikke læse filen: {error.strerror}", message_en=f"cannot read the file: {error.strerror}",
                               file=name) from None
    return load_text(text, name), text


_NON_SPACE = re.compile(r"\S")


def _logical_characters(text: str, start: int, end: int, style: str | None):
    """Offsets of the non-blank characters of a scalar's value; an escape (\\" or '') counts as one."""
    index = start
    while index < min(end, len(text)):
        char = text[index]
        if char.isspace():
            index += 1
            continue
        yield index
        if style == '"' and char == "\\":
            index += {"x": 4, "u": 6, "U": 10}.get(text[index + 1:index + 2], 2)
        elif style == "'" and text.startswith("''", index):
            index += 2
        else:
            index += 1


def dsl_position(text: str, where: Position, expression: str, line: int, column: int) -> tuple[int, int]:
    """Map a 1-based (line, column) inside a DSL string to (line, column) in the YAML file.

    YAML may fold a plain scalar over several lines or wrap it in quotes or a block; matching the
    n-th non-blank character of the expression to the n-th one of the raw scalar works for all styles.
    """
    lines = expression.split("\n")
    offset = sum(len(part) + 1 for part in lines[:line - 1]) + column - 1
    wanted = len(_NON_SPACE.findall(expression[:offset]))
    start = where.index
    if where.style in ("|", ">"):
        start = text.index("\n", start) + 1           # skip the block header line
    elif where.style in ('"', "'"):
        start += 1                                     # skip the opening quote
    index = start
    for seen, index in enumerate(_logical_characters(text, start, max(where.end_index, start + 1), where.style)):
        if seen == wanted:
            break
    else:
        index = where.end_index
    file_line = text.count("\n", 0, index) + 1
    file_column = index - (text.rfind("\n", 0, index) + 1) + 1
    return file_line, file_column
