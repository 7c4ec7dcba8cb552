"""Where each value of a loaded file stands: the containers yamlsafe builds, kept apart from YAML itself so that
what only reads them (the rule cache) needs no YAML parser."""
from __future__ import annotations

from dataclasses import dataclass


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
