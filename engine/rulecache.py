"""An on-disk cache of loaded rules, so `check` and `evaluate` need not parse YAML, validate and parse the DSL
again while no rule file has changed.

Safety: an entry is keyed by the sha256 of every rule file under the rules folder (path and bytes), the folder,
and the sha256 of this package's own code (so any change to a parser, checker or schema misses); it holds plain
JSON of our own data classes (no pickle, no code: on reading, only the classes listed in `_CLASSES` are built);
it is written atomically (a temporary file, then a rename); and an entry that cannot be read, or does not
decode, is ignored: the rules are loaded from the files as if there were no cache. Only a load without errors
is stored, so every error message comes from the real load.

Location: $RAMMEAFTALE_CACHE_DIR, else $XDG_CACHE_HOME/rammeaftale, else ~/.cache/rammeaftale.
RAMMEAFTALE_CACHE=0 turns it off.
"""
from __future__ import annotations

import datetime
import gc
import hashlib
import json
import os
import tempfile
import zlib
from dataclasses import is_dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from ..dsl import ast as _ast
from ..dsl import functions as _functions
from ..dsl import types as _types
from . import model as _model
from .positions import PosDict, PosList, Position

FORMAT = "rammeaftale.rulecache/1"
MAX_ENTRIES = 24          # newest kept; a rules folder and a few test copies fit


class Uncacheable(Exception):
    """The value holds something the cache does not store (a closure, a float, an unknown class)."""


def _allowed_classes() -> dict[str, type]:
    classes = {"Position": Position, "Node": _ast.Node, "Type": _types.Type, "Duration": _functions.Duration}
    for name in dir(_model):
        item = getattr(_model, name)
        if isinstance(item, type) and is_dataclass(item) and item.__module__ == _model.__name__:
            classes[name] = item
    return classes


_CLASSES = _allowed_classes()
_FROZEN = (Position, _types.Type, _model.Source)   # frozen, all fields plain: equal ones may be one object
_NAMES = {cls: name for name, cls in _CLASSES.items()}


def cache_dir() -> Path | None:
    if os.environ.get("RAMMEAFTALE_CACHE", "1").strip().lower() in ("0", "off", "no", "false"):
        return None
    explicit = os.environ.get("RAMMEAFTALE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "rammeaftale"


@lru_cache(maxsize=1)
def code_identity() -> str:
    """sha256 of this package's code and data files: a changed parser, checker, schema or model misses the cache."""
    digest = hashlib.sha256(FORMAT.encode())
    package = Path(__file__).resolve().parent.parent
    for folder in ("dsl", "engine"):
        for path in sorted((package / folder).rglob("*")):
            if path.suffix in (".py", ".lark", ".json") and path.is_file():
                digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def rules_key(root: Path) -> str | None:
    """The key of everything load_all reads under `root`; None if a file cannot be read (then no cache)."""
    try:
        digest = hashlib.sha256(code_identity().encode())
        digest.update(str(root.resolve()).encode() + b"\0" + root.name.encode() + b"\0")
        for path in sorted(root.glob("*/*/*.yaml")):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
        return digest.hexdigest()
    except OSError:
        return None


# -- encoding: our data classes, PosDict/PosList, containers, Decimal, date; shared objects stay shared --------
def _encode(value, memo: dict, busy: set, shapes: dict):
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is Decimal:
        return ["d", str(value)]
    if kind is datetime.date:
        return ["D", value.isoformat()]
    seen = memo.get(id(value))
    if seen is not None:
        return ["r", seen[0]]
    if kind is tuple or kind is frozenset:   # immutable: written by value each time (who shares it cannot matter)
        if id(value) in busy:
            raise Uncacheable("a tuple that contains itself")
        busy.add(id(value))
        items = [_encode(item, memo, busy, shapes) for item in value]
        busy.discard(id(value))
        return ["t" if kind is tuple else "f", items]
    if kind in _FROZEN:
        return _encode_frozen(value, memo, busy, shapes)
    memo[id(value)] = (len(memo), value)   # registered before its contents: the decoder does the same
    if kind is list:
        return ["l", [_encode(item, memo, busy, shapes) for item in value]]
    if kind is dict:
        return ["m", [_encode(part, memo, busy, shapes) for pair in value.items() for part in pair]]
    if kind is PosDict:
        return ["pm", [_encode(part, memo, busy, shapes) for pair in value.items() for part in pair],
                _encode(value.pos, memo, busy, shapes), _encode(value.key_pos, memo, busy, shapes), _encode(value.start, memo, busy, shapes)]
    if kind is PosList:
        return ["pl", [_encode(item, memo, busy, shapes) for item in value], _encode(value.pos, memo, busy, shapes),
                _encode(value.start, memo, busy, shapes)]
    if kind is set:
        return ["s", [_encode(item, memo, busy, shapes) for item in value]]
    name = _NAMES.get(kind)
    if name is None or not hasattr(value, "__dict__"):
        raise Uncacheable(f"{kind.__module__}.{kind.__name__}")
    attributes = vars(value)
    shape = (name, tuple(attributes))
    number = shapes.get(shape)
    if number is None:
        number = shapes[shape] = len(shapes) - (None in shapes)
    return ["o", number, [_encode(item, memo, busy, shapes) for item in attributes.values()]]


def _encode_frozen(value, memo: dict, busy: set, shapes: dict):
    """An immutable value (Position, Type, Source): built from its contents, so registered after them; one met
    again with the same contents (a later period's copy) becomes a reference to the first."""
    twins = shapes.setdefault(None, {})
    known = twins.get(("id", id(value)))
    if known is not None:
        return ["r", known]
    attributes = vars(value)
    shape = (_NAMES[type(value)], tuple(attributes))
    number = shapes.get(shape)
    if number is None:
        number = shapes[shape] = len(shapes) - (None in shapes)
    items = [_encode(item, memo, busy, shapes) for item in attributes.values()]
    key = json.dumps([number, items])
    index = twins.get(key)
    if index is None:
        index = twins[key] = len(memo)
        memo[id(value)] = (index, value)
        twins[("id", id(value))] = index
        return ["fo", number, items]
    twins[("id", id(value))] = index
    return ["r", index]


def _decoder(shapes: list):
    objects: list = []
    register = objects.append
    shapes = [(_CLASSES[name], tuple(names)) for name, names in shapes]   # KeyError: not one of our classes
    new = object.__new__

    def decode(value):
        if type(value) is not list:
            return value
        tag = value[0]
        if tag == "o":
            cls, names = shapes[value[1]]
            obj = new(cls)
            register(obj)
            items = value[2]
            obj.__dict__.update(zip(names, [decode(item) if type(item) is list else item for item in items]
                                    if list in map(type, items) else items))
            return obj
        if tag == "r":
            return objects[value[1]]
        if tag == "fo":   # immutable: its contents first, then the object
            cls, names = shapes[value[1]]
            obj = new(cls)
            obj.__dict__.update(zip(names, [decode(item) if type(item) is list else item for item in value[2]]))
            register(obj)
            return obj
        if tag == "l":
            items = []
            register(items)
            items.extend([decode(item) if type(item) is list else item for item in value[1]])
            return items
        if tag == "m" or tag == "pm":
            mapping = {} if tag == "m" else dict.__new__(PosDict)
            register(mapping)
            parts = [decode(item) if type(item) is list else item for item in value[1]]
            mapping.update(zip(parts[::2], parts[1::2]))
            if tag == "pm":
                mapping.pos, mapping.key_pos, mapping.start = decode(value[2]), decode(value[3]), decode(value[4])
            return mapping
        if tag == "d":
            return Decimal(value[1])
        if tag == "D":
            return datetime.date.fromisoformat(value[1])
        if tag == "t":
            return tuple([decode(item) if type(item) is list else item for item in value[1]])
        if tag == "pl":
            items = list.__new__(PosList)
            register(items)
            items.extend([decode(item) if type(item) is list else item for item in value[1]])
            items.pos, items.start = decode(value[2]), decode(value[3])
            return items
        if tag == "s":
            items = set()
            register(items)
            items.update([decode(item) if type(item) is list else item for item in value[1]])
            return items
        if tag == "f":
            return frozenset([decode(item) if type(item) is list else item for item in value[1]])
        raise ValueError(f"unknown tag {tag!r}")
    return decode


def encode(value) -> bytes:
    shapes: dict = {}
    data = _encode(value, {}, set(), shapes)
    document = {"format": FORMAT, "shapes": [[name, list(names)] for name, names in
                                             sorted((key for key in shapes if key is not None), key=shapes.get)],
                "data": data}
    return zlib.compress(json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 1)


def decode(blob: bytes):
    # tens of thousands of new objects and no garbage: the cyclic collector would only walk them again and again
    collecting = gc.isenabled()
    gc.disable()
    try:
        document = json.loads(zlib.decompress(blob))
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise ValueError("not a rule cache entry")
        return _decoder(document["shapes"])(document["data"])
    finally:
        if collecting:
            gc.enable()


# -- files -----------------------------------------------------------------------------------------------------
def _path(key: str, kind: str) -> Path | None:
    folder = cache_dir()
    return None if folder is None else folder / f"{kind}-{key}.json.z"


def load(key: str | None, kind: str):
    """The stored value, or None when there is none or it cannot be read (never an error)."""
    path = _path(key, kind) if key else None
    if path is None:
        return None
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    try:
        value = decode(blob)
    except Exception:   # a damaged or foreign file: ignored, and replaced on the next store
        return None
    try:
        os.utime(path)   # newest use first when pruning
    except OSError:
        pass
    return value


def store(key: str | None, kind: str, value) -> bool:
    """Write atomically; any failure (unwritable folder, a value the cache does not hold) only skips the cache."""
    path = _path(key, kind) if key else None
    if path is None:
        return False
    try:
        blob = encode(value)
    except (Uncacheable, RecursionError, TypeError, ValueError):
        return False
    return _write(path, blob)


def _write(path: Path, blob: bytes) -> bool:
    """A temporary file in the same folder, then a rename: a reader sees the old entry or the whole new one."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(blob)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
        _prune(path.parent)
    except OSError:
        return False
    return True


def _prune(folder: Path) -> None:
    entries = []
    for entry in os.scandir(folder):
        if entry.name.endswith(".json.z"):
            try:
                entries.append((entry.stat().st_mtime, entry.path))
            except OSError:
                pass
    for _, stale in sorted(entries, reverse=True)[MAX_ENTRIES:]:
        try:
            os.unlink(stale)
        except OSError:
            pass


def analysis_key(periods, lang: str) -> str:
    """The static analysis is a function of the periods' files (their digests and places) and of our code."""
    digest = hashlib.sha256(code_identity().encode() + b"\0analysis\0" + lang.encode())
    for period in sorted(periods, key=lambda item: (item.region, item.id)):
        digest.update("\0".join([period.region, period.id, period.file, period.digest]).encode() + b"\0")
    return digest.hexdigest()


def cached_analysis(periods, lang: str = "da") -> list[dict]:
    """analyse_periods(periods, lang), read from the cache when the same periods were analysed before."""
    from .analysis import analyse_periods
    key = analysis_key(periods, lang)
    path = _path(key, "analysis")
    if path is not None:
        try:
            document = json.loads(zlib.decompress(path.read_bytes()))
            if isinstance(document, dict) and document.get("format") == FORMAT and isinstance(document.get("plain"), list):
                return document["plain"]
        except Exception:   # absent, damaged or foreign: analyse again
            pass
    findings = analyse_periods(periods, lang)
    # findings are plain JSON data (text, numbers, lists); stored as such when they come back exactly the same
    blob = json.dumps({"format": FORMAT, "plain": findings}, ensure_ascii=False, separators=(",", ":"), default=_refuse)
    if path is not None and _plain_equal(json.loads(blob)["plain"], findings):
        _write(path, zlib.compress(blob.encode("utf-8"), 1))
    return findings


def _refuse(value):
    raise TypeError(f"not plain JSON: {type(value).__name__}")


def _plain_equal(a, b) -> bool:
    """Equal and of the same JSON types all the way down (a tuple would come back a list)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_plain_equal(a[key], b[key]) for key in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_plain_equal(x, y) for x, y in zip(a, b))
    return a == b
