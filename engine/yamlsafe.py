"""Safe YAML loading that remembers where every value stood, rejects duplicate keys, and never makes floats.

Rule files and facts files are data: only PyYAML's SafeLoader constructors run, and only for plain YAML
(mappings, lists, text, numbers, true/false, null, dates); any other tag (`!!python/...`, `!!binary`, `!!set`,
a local `!tag`) is refused. Numbers with a decimal point become `Decimal` straight from their text (never via
a binary float), dates stay text (the engine converts them where a date is declared), and each mapping and
list remembers the file position of its values so errors can name line and column.

Limits (each a RammeaftaleError with file, line and column): file size, alias uses, values once aliases are
expanded, nesting depth, and the size of a number.
"""
from __future__ import annotations

import os
import re
from decimal import Decimal

import yaml

from ..dsl.errors import RammeaftaleError
from .positions import PosDict, PosList, Position   # noqa: F401 (re-exported: where YAML values stand)
from ..dsl.parser import MAX_DECIMAL_PLACES, MAX_INTEGER_DIGITS, number_problem   # one number limit for YAML and DSL

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ALIASES = 100
MAX_EXPANDED_NODES = 1_000_000   # values a file may hold once its aliases are expanded
MAX_NESTING = 50                 # levels of mappings and lists (the shipped files use at most 10)
_MAX_NUMBER_TEXT = 64            # longer number text is refused before Python turns it into a number


def _position(node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1, node.start_mark.index,
                    node.end_mark.index, getattr(node, "style", None))


class _Loader(yaml.SafeLoader):
    def __init__(self, stream, name):
        super().__init__(stream)
        self.name = name
        self.aliases_seen = 0
        self.depth = 0

    def compose_node(self, parent, index):
        # count alias uses: a "billion laughs" file is refused instead of expanded
        if self.check_event(yaml.events.AliasEvent):
            self.aliases_seen += 1
            if self.aliases_seen > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise RammeaftaleError("YAML004", f"for mange YAML-aliaser (mere end {MAX_ALIASES})",
                                       message_en=f"too many YAML aliases (more than {MAX_ALIASES})", file=self.name,
                                       line=mark.line + 1, column=mark.column + 1,
                                       hint="skriv værdierne ud i stedet for at bruge &anker/*alias",
                                       hint_en="write the values out instead of using &anchor/*alias")
        elif self.check_event(yaml.events.MappingStartEvent, yaml.events.SequenceStartEvent):
            # composing recurses once per level: refuse deep nesting before Python's recursion limit does
            self.depth += 1
            try:
                if self.depth > MAX_NESTING:
                    raise _too_deep(self.name, self.peek_event().start_mark)
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1
        return super().compose_node(parent, index)


def _too_deep(name: str, mark) -> RammeaftaleError:
    return RammeaftaleError("YAML009", f"for dybt indlejret (mere end {MAX_NESTING} niveauer af lister og samlinger)",
                            message_en=f"nested too deeply (more than {MAX_NESTING} levels of lists and mappings)",
                            file=name, line=mark.line + 1, column=mark.column + 1,
                            hint="en regel- eller faktafil har sjældent mere end 10 niveauer; tjek indrykning og parenteser",
                            hint_en="a rule or facts file rarely has more than 10 levels; check indentation and brackets")


def number_error(text: str, problem: str, file: str | None, line: int | None, column: int | None) -> RammeaftaleError:
    """YAML010 for a number beyond the limits (`problem`: number_problem's "large" or "decimals", or "long" for a
    text too long to read as a number), in a YAML file or on a JSON Lines line."""
    shown = text if len(text) <= 30 else text[:27] + "..."
    why_da, why_en = {"large": (f"for stort (højst {MAX_INTEGER_DIGITS} cifre før kommaet)",
                                f"too large (at most {MAX_INTEGER_DIGITS} digits before the decimal point)"),
                      "decimals": (f"for præcist (højst {MAX_DECIMAL_PLACES} decimaler)",
                                   f"too precise (at most {MAX_DECIMAL_PLACES} decimal places)"),
                      "long": ("for langt", "too long")}[problem]
    return RammeaftaleError("YAML010", f"tallet '{shown}' er {why_da}", message_en=f"the number '{shown}' is {why_en}",
                            file=file, line=line, column=column,
                            hint=f"tal har højst {MAX_INTEGER_DIGITS} cifre før kommaet og {MAX_DECIMAL_PLACES} efter; "
                                 "skriv det i anførselstegn hvis det er en tekst",
                            hint_en=f"numbers have at most {MAX_INTEGER_DIGITS} digits before the decimal point and "
                                    f"{MAX_DECIMAL_PLACES} after; put it in quotes if it is a text")


def _checked(loader, node, text: str, value: Decimal):
    problem = number_problem(value)
    if problem is not None:
        raise number_error(text, problem, loader.name, node.start_mark.line + 1, node.start_mark.column + 1)


def _wrong_shape(loader, node, tag: str) -> RammeaftaleError:
    return RammeaftaleError("YAML008", f"YAML-mærket '{tag}' passer ikke til værdien", message_en=f"the YAML tag '{tag}' does not fit the value",
                            file=loader.name, line=node.start_mark.line + 1, column=node.start_mark.column + 1,
                            hint="fjern mærket (det der begynder med !)", hint_en="remove the tag (what begins with !)")


def _construct_mapping(loader: _Loader, node):
    if not isinstance(node, yaml.MappingNode):    # `!!map x`
        raise _wrong_shape(loader, node, "!!map")
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
                                   hint=f"første gang i linje {result.key_pos[key].line}; slet eller omdøb den ene",
                                   hint_en=f"first on line {result.key_pos[key].line}; delete or rename one of them")
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_pos[key] = _position(key_node)
        result.pos[key] = _position(value_node)
    return result


def _construct_sequence(loader: _Loader, node):
    if not isinstance(node, yaml.SequenceNode):   # `!!seq x`
        raise _wrong_shape(loader, node, "!!seq")
    result = PosList(loader.construct_object(child, deep=True) for child in node.value)
    result.pos = [_position(child) for child in node.value]
    result.start = _position(node)
    return result


def _construct_float(loader, node):
    # the text itself becomes the Decimal: 1727.5 is Decimal('1727.5'), 2000.10 keeps its two places
    text = loader.construct_scalar(node).replace("_", "")
    if len(text) > _MAX_NUMBER_TEXT:
        raise number_error(text, "long", loader.name, node.start_mark.line + 1, node.start_mark.column + 1)
    try:
        value = Decimal(text)
    except ArithmeticError:
        value = None
    if value is None or not value.is_finite():    # .inf, .nan, 1:30.5 (YAML 1.1 sexagesimal)
        raise RammeaftaleError("YAML005", f"'{text}' er ikke et tal", message_en=f"'{text}' is not a number",
                               file=loader.name, line=node.start_mark.line + 1, column=node.start_mark.column + 1,
                               hint="skriv et almindeligt tal, fx 1727.5, eller sæt teksten i anførselstegn",
                               hint_en="write a plain number, e.g. 1727.5, or put the text in quotes")
    _checked(loader, node, text, value)
    return value


def _construct_int(loader, node):
    text = loader.construct_scalar(node)
    if len(text) > _MAX_NUMBER_TEXT:    # int() of a 5000-digit text would fail (or take long) inside Python
        raise number_error(text, "long", loader.name, node.start_mark.line + 1, node.start_mark.column + 1)
    try:
        value = yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)
    except ValueError:                  # `!!int x`: the tag promises a number the text does not hold
        raise _not_a(loader, node, text, "et tal", "a number") from None
    _checked(loader, node, text, Decimal(value))
    return value


def _construct_bool(loader, node):
    text = loader.construct_scalar(node)
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_bool(loader, node)
    except KeyError:                    # `!!bool x`
        raise _not_a(loader, node, text, "sand/falsk (true/false)", "true/false") from None


def _not_a(loader, node, text: str, what_da: str, what_en: str) -> RammeaftaleError:
    shown = text if len(text) <= 30 else text[:27] + "..."
    return RammeaftaleError("YAML005", f"'{shown}' er ikke {what_da}", message_en=f"'{shown}' is not {what_en}",
                            file=loader.name, line=node.start_mark.line + 1, column=node.start_mark.column + 1,
                            hint="fjern mærket (!!int, !!bool ...) eller ret værdien",
                            hint_en="remove the tag (!!int, !!bool ...) or correct the value")


def _construct_refused(loader, node):
    """Any tag beyond plain data: never construct it (no Python objects, no bytes, no sets)."""
    tag = node.tag
    shown = "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag
    raise RammeaftaleError("YAML008", f"YAML-mærket '{shown}' er ikke tilladt; filen må kun indeholde data",
                           message_en=f"the YAML tag '{shown}' is not allowed; the file may hold data only",
                           file=loader.name, line=node.start_mark.line + 1, column=node.start_mark.column + 1,
                           hint="fjern mærket (det der begynder med !) og skriv værdien som tekst, tal, liste eller samling",
                           hint_en="remove the tag (what begins with !) and write the value as text, number, list or mapping")


def _construct_text(loader, node):
    return loader.construct_scalar(node)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_text)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)
for _tag in ("binary", "set", "omap", "pairs"):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _construct_refused)
_Loader.add_constructor(None, _construct_refused)                 # !!python/..., !custom and every other tag
_Loader.yaml_multi_constructors = {}    # a library that registers !!python/... on SafeLoader later cannot reach us


def _children(node) -> list:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_expanded_size(root, name: str) -> None:
    """Refuse a file whose aliases expand to more values than any real rule or facts file holds
    (a "billion laughs" file is small on disk and uses few aliases, but each alias repeats a whole subtree),
    or nest deeper than MAX_NESTING once expanded (a chain of aliases, each inside the next)."""
    sizes: dict[int, tuple[int, int]] = {}      # id(node) -> (values, depth) once expanded
    stack = [(root, False)]
    while stack:                                 # post-order without recursion: the graph may be deep
        node, children_done = stack.pop()
        if children_done:
            parts = [sizes[id(child)] for child in _children(node)]
            size = (1 + sum(part[0] for part in parts), 1 + max((part[1] for part in parts), default=0))
            sizes[id(node)] = size
            if size[1] > MAX_NESTING:
                raise _too_deep(name, node.start_mark)
            continue
        if id(node) in sizes:
            continue
        sizes[id(node)] = (1, 1)                 # a recursive alias counts once instead of looping
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
    if sizes[id(root)][0] > MAX_EXPANDED_NODES:
        raise RammeaftaleError("YAML004", f"filen fylder for meget når dens aliaser foldes ud (over {MAX_EXPANDED_NODES:,} værdier)".replace(",", "."),
                               message_en=f"the file is too large once its aliases are expanded (over {MAX_EXPANDED_NODES:,} values)",
                               file=name, line=root.start_mark.line + 1, column=root.start_mark.column + 1,
                               hint="skriv værdierne ud i stedet for at bruge &anker/*alias",
                               hint_en="write the values out instead of using &anchor/*alias")


def load_text(text: str, name: str):
    if len(text.encode("utf-8", "replace")) > MAX_FILE_BYTES:
        raise RammeaftaleError("YAML006", f"filen er for stor (over {MAX_FILE_BYTES // (1024 * 1024)} MB)",
                               message_en=f"the file is too large (over {MAX_FILE_BYTES // (1024 * 1024)} MB)", file=name,
                               hint="del filen op i flere filer; en regel- eller faktafil er normalt under 1 MB",
                               hint_en="split the file into several files; a rule or facts file is normally under 1 MB")
    try:
        loader = _Loader(text, name)     # the reader refuses control characters here, before any parsing
    except yaml.reader.ReaderError as error:
        raise _bad_character(text, name, error) from None
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
                               hint="tjek indrykning og kolon; tekst med ':' eller '#' skal stå i anførselstegn",
                               hint_en="check indentation and colons; text with ':' or '#' must stand in quotes") from None
    except yaml.YAMLError as error:
        raise RammeaftaleError("YAML001", f"ugyldig YAML: {error}", message_en=f"invalid YAML: {error}", file=name,
                               hint="tjek indrykning og kolon; tekst med ':' eller '#' skal stå i anførselstegn",
                               hint_en="check indentation and colons; text with ':' or '#' must stand in quotes") from None
    finally:
        loader.dispose()


def load_file(path: str | os.PathLike, display_name: str | None = None):
    """Load one YAML (or JSON) file. Returns (data, text)."""
    name = display_name or str(path)
    try:
        if os.path.getsize(path) > MAX_FILE_BYTES:
            raise RammeaftaleError("YAML006", f"filen er for stor (over {MAX_FILE_BYTES // (1024 * 1024)} MB)",
                                   message_en=f"the file is too large (over {MAX_FILE_BYTES // (1024 * 1024)} MB)", file=name,
                                   hint="del filen op i flere filer; en regel- eller faktafil er normalt under 1 MB",
                                   hint_en="split the file into several files; a rule or facts file is normally under 1 MB")
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except UnicodeDecodeError:
        line, column = _undecodable_at(path)
        raise RammeaftaleError("YAML003", "filen er ikke UTF-8", message_en="the file is not UTF-8", file=name,
                               line=line, column=column,
                               hint="gem filen som UTF-8 (i de fleste editorer: Gem som ... > Kodning: UTF-8)",
                               hint_en="save the file as UTF-8 (in most editors: Save as ... > Encoding: UTF-8)") from None
    except OSError as error:
        raise RammeaftaleError("IO001", f"kan ikke læse filen: {error.strerror}", message_en=f"cannot read the file: {error.strerror}",
                               file=name, hint="tjek stien og at filen findes og kan læses",
                               hint_en="check the path, and that the file exists and can be read") from None
    return load_text(text, name), text


def _bad_character(text: str, name: str, error) -> RammeaftaleError:
    position = min(error.position, len(text))
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    code = f"#x{error.character:04x}" if isinstance(error.character, int) else repr(error.character)
    return RammeaftaleError("YAML007", f"tegnet {code} er ikke tilladt i en YAML-fil",
                            message_en=f"the character {code} is not allowed in a YAML file", file=name,
                            line=line, column=column,
                            hint="fjern styretegnet (fx NUL eller et sidetegn); det kommer ofte med når tekst kopieres fra en PDF",
                            hint_en="remove the control character (e.g. NUL or a form feed); it often comes along when text "
                                    "is copied from a PDF")


def _undecodable_at(path) -> tuple[int | None, int | None]:
    """Line and column of the first byte that is not UTF-8."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        start = data.rfind(b"\n", 0, error.start) + 1
        return data.count(b"\n", 0, error.start) + 1, len(data[start:error.start].decode("utf-8", "replace")) + 1
    except OSError:
        pass
    return None, None


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
