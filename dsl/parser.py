"""Parse DSL text into a `Node` tree (step 1 of parse → check → compile → evaluate → explain)."""
from __future__ import annotations

import datetime
import re
from decimal import Decimal
from functools import lru_cache
from importlib import resources

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from .ast import Node
from .errors import RammeaftaleError

MAX_EXPRESSION_LENGTH = 4000
MAX_NESTING_DEPTH = 40

# Canonical unit of each unit word: money, percent, or a duration.
UNITS = {
    "kr": "kr", "kr.": "kr",
    "%": "pct", "pct": "pct", "pct.": "pct", "procent": "pct", "percent": "pct",
    "måned": "months", "måneder": "months", "month": "months", "months": "months",
    "dag": "days", "dage": "days", "day": "days", "days": "days",
    "år": "years", "year": "years", "years": "years",
}
OPERATORS = {"==": "=", "≥": ">=", "≤": "<=", "≠": "!="}
KEYWORDS = [("og", "and"), ("eller", "or"), ("ikke", "not"), ("i", "in"), ("hvis", "if"), ("så", "then"),
            ("ellers", "else"), ("sand", "true"), ("falsk", "false")]
RESERVED = {word for pair in KEYWORDS for word in pair}
ENGLISH_ONLY = {english for _, english in KEYWORDS}
DANISH_ONLY = {danish for danish, _ in KEYWORDS}
MAX_OPERATORS = 200  # a chain of operators nests the tree as deep as brackets do
MAX_TREE_DEPTH = 220  # any other chain (x.a.a.a..., hvis ... ellers hvis ...): checked on the parse tree itself
MAX_INTEGER_DIGITS = 15   # digits before the decimal point of a number (in expressions and in YAML files)
MAX_DECIMAL_PLACES = 12   # digits after it; 15 + 12 digits fit Decimal's 28-digit precision exactly


def number_problem(value: Decimal) -> str | None:
    """'large' or 'decimals' when a number is beyond MAX_INTEGER_DIGITS / MAX_DECIMAL_PLACES, else None."""
    if not value.is_finite() or (value and value.adjusted() >= MAX_INTEGER_DIGITS):
        return "large"
    _, digits, exponent = value.as_tuple()
    while exponent < 0 and digits and digits[-1] == 0:   # 2000.10 has two decimals, 1.500000 has one
        digits, exponent = digits[:-1], exponent + 1
    return "decimals" if -exponent > MAX_DECIMAL_PLACES else None


def _number_limit(token: Token, value: Decimal) -> Decimal:
    problem = number_problem(value)
    if problem is not None:
        shown = str(token) if len(str(token)) <= 30 else str(token)[:27] + "..."
        da, en = ((f"for stort (højst {MAX_INTEGER_DIGITS} cifre før kommaet)",
                   f"too large (at most {MAX_INTEGER_DIGITS} digits before the decimal point)") if problem == "large" else
                  (f"for præcist (højst {MAX_DECIMAL_PLACES} decimaler)", f"too precise (at most {MAX_DECIMAL_PLACES} decimal places)"))
        raise RammeaftaleError("DSL010", f"tallet '{shown}' er {da}", message_en=f"the number '{shown}' is {en}",
                               line=token.line, column=token.column,
                               hint="skriv store beløb som en parameter eller et faktum, ikke som et tal i udtrykket",
                               hint_en="write large amounts as a parameter or a fact, not as a number in the expression")
    return value

# Friendly names for what the parser expected, in Danish and English.
EXPECTED_WORDS = {
    "NUMBER": ("et tal", "a number"), "NAME": ("et navn", "a name"), "STRING": ("en tekst i anførselstegn", "a quoted text"),
    "DATE": ("en dato (ÅÅÅÅ-MM-DD)", "a date (YYYY-MM-DD)"), "RPAR": ("')'", "')'"), "LPAR": ("'('", "'('"),
    "RSQB": ("']'", "']'"), "COMP_OP": ("en sammenligning (>=, <, = ...)", "a comparison (>=, <, = ...)"),
    "_AND": ("'og'", "'and'"), "_OR": ("'eller'", "'or'"), "_THEN": ("'så'", "'then'"), "_ELSE": ("'ellers'", "'else'"),
    "COMMA": ("','", "','"), "COLON": ("':'", "':'"), "$END": ("udtrykkets slutning", "the end of the expression"),
}


def _not_reserved(token: Token) -> Token:
    # the contextual lexer lets a keyword through as a name where no keyword fits ("a og og b")
    if str(token) in RESERVED:
        raise RammeaftaleError("DSL009", f"'{token}' er et reserveret ord og kan ikke stå her",
                               message_en=f"'{token}' is a reserved word and cannot stand here",
                               line=token.line, column=token.column, hint="står et nøgleord to gange?",
                               hint_en="is a keyword written twice?")
    return token


@lru_cache(maxsize=1)
def _lark() -> Lark:
    grammar = resources.files(__package__).joinpath("grammar.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=False, start=["start", "cell"],
                lexer_callbacks={"NAME": _not_reserved})


class _ToNodes(Transformer):
    """Turns lark's parse tree into `Node`s, keeping positions."""

    def __init__(self, text: str):
        super().__init__()
        self._lines = text.split("\n")

    def _node(self, kind, meta, children=(), value=None):
        node = Node(kind, list(children), value, getattr(meta, "line", 1), getattr(meta, "column", 1),
                    getattr(meta, "end_column", 1))
        if getattr(meta, "empty", True) is False and meta.line == meta.end_line:
            node.text = self._lines[meta.line - 1][meta.column - 1:meta.end_column - 1]
        elif getattr(meta, "empty", True) is False:
            first = self._lines[meta.line - 1][meta.column - 1:]
            middle = self._lines[meta.line:meta.end_line - 1]
            last = self._lines[meta.end_line - 1][:meta.end_column - 1]
            node.text = " ".join(part.strip() for part in [first, *middle, last])
        return node

    @staticmethod
    def _token_node(kind, token: Token, value):
        return Node(kind, [], value, token.line, token.column, token.end_column, text=str(token))

    @v_args(meta=True)
    def number(self, meta, items):
        return self._node("number", meta, value=_number_limit(items[0], Decimal(str(items[0]))))

    @v_args(meta=True)
    def quantity(self, meta, items):
        amount, unit = _number_limit(items[0], Decimal(str(items[0]))), UNITS[str(items[1])]
        if unit == "pct":
            amount = amount / 100
        return self._node("quantity", meta, value=(amount, unit))

    @v_args(meta=True)
    def date(self, meta, items):
        text = str(items[0])
        try:
            value = datetime.date.fromisoformat(text)
        except ValueError:
            raise RammeaftaleError("DSL006", f"ugyldig dato '{text}'", message_en=f"invalid date '{text}'",
                                   line=items[0].line, column=items[0].column, hint="skriv datoer som ÅÅÅÅ-MM-DD, fx 2018-01-01",
                                   hint_en="write dates as YYYY-MM-DD, e.g. 2018-01-01")
        return self._node("date", meta, value=value)

    @v_args(meta=True)
    def string(self, meta, items):
        return self._node("string", meta, value=str(items[0])[1:-1])

    @v_args(meta=True)
    def true(self, meta, items):
        return self._node("bool", meta, value=True)

    @v_args(meta=True)
    def false(self, meta, items):
        return self._node("bool", meta, value=False)

    @v_args(meta=True)
    def name(self, meta, items):
        return self._node("name", meta, value=str(items[0]))

    @v_args(meta=True)
    def field(self, meta, items):
        return self._node("field", meta, [items[0]], value=str(items[1]))

    @v_args(meta=True)
    def call(self, meta, items):
        return self._node("call", meta, [item for item in items[1:] if item is not None], value=str(items[0]))

    @v_args(meta=True)
    def arg(self, meta, items):
        return items[0]

    @v_args(meta=True)
    def lambda_(self, meta, items):
        return self._node("lambda", meta, [items[1]], value=str(items[0]))

    @v_args(meta=True)
    def list(self, meta, items):
        return self._node("list", meta, [item for item in items if item is not None])

    @v_args(meta=True)
    def neg(self, meta, items):
        return self._node("neg", meta, [items[1]])

    @v_args(meta=True)
    def binop(self, meta, items):
        return self._node("binop", meta, [items[0], items[2]], value=str(items[1]))

    @v_args(meta=True)
    def compare(self, meta, items):
        op = OPERATORS.get(str(items[1]), str(items[1]))
        return self._node("compare", meta, [items[0], items[2]], value=op)

    @v_args(meta=True)
    def member(self, meta, items):
        return self._node("member", meta, items)

    @v_args(meta=True)
    def not_member(self, meta, items):
        return self._node("not_member", meta, items)

    @v_args(meta=True)
    def and_(self, meta, items):
        return self._flatten("and", meta, items)

    @v_args(meta=True)
    def or_(self, meta, items):
        return self._flatten("or", meta, items)

    def _flatten(self, kind, meta, items):
        # a og b og c becomes one node with three children: explanations list them side by side
        children = []
        for item in items:
            children.extend(item.children if item.kind == kind and not item.value else [item])
        return self._node(kind, meta, children)

    @v_args(meta=True)
    def not_(self, meta, items):
        return self._node("not", meta, items)

    @v_args(meta=True)
    def if_expr(self, meta, items):
        return self._node("if", meta, items)

    # decision-table cells: the input expression is filled in by the caller
    @v_args(meta=True)
    def cell_any(self, meta, items):
        return self._node("cell_any", meta)

    @v_args(meta=True)
    def cell_compare(self, meta, items):
        return self._node("cell_compare", meta, [items[1]], value=OPERATORS.get(str(items[0]), str(items[0])))

    @v_args(meta=True)
    def cell_member(self, meta, items):
        return self._node("cell_member", meta, [items[0]])

    @v_args(meta=True)
    def cell_not_member(self, meta, items):
        return self._node("cell_not_member", meta, [items[0]])

    @v_args(meta=True)
    def cell_equal(self, meta, items):
        return self._node("cell_equal", meta, [items[0]])


def _describe_expected(expected: set[str]) -> tuple[str, str]:
    """Expected terminals in words: named ones from EXPECTED_WORDS, keywords and signs as written."""
    da, en = set(), set()
    for name in expected:
        if name in EXPECTED_WORDS:
            da.add(EXPECTED_WORDS[name][0])
            en.add(EXPECTED_WORDS[name][1])
            continue
        try:
            pattern = _lark().get_terminal(name).pattern
        except KeyError:
            continue
        if pattern.type == "str":  # keywords in the message's own language only
            if pattern.value not in ENGLISH_ONLY:
                da.add(f"'{pattern.value}'")
            if pattern.value not in DANISH_ONLY:
                en.add(f"'{pattern.value}'")
    def order(word):  # keywords first, then kinds of value, then signs
        return (0 if word[1:-1].isalpha() else 1 if not word.startswith("'") else 2, word)
    return ", ".join(sorted(da, key=order)[:12]), ", ".join(sorted(en, key=order)[:12])


_STRING = re.compile(r'"[^"\n]*"|\'[^\'\n]*\'')


def _check_limits(text: str) -> None:
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise RammeaftaleError("DSL007", f"udtrykket er for langt ({len(text)} tegn; højst {MAX_EXPRESSION_LENGTH})",
                               message_en=f"expression too long ({len(text)} characters; at most {MAX_EXPRESSION_LENGTH})",
                               line=1, column=1, hint="del udtrykket op i afledte fakta (derived)",
                               hint_en="split the expression into derived facts (derived)")
    # what stands inside a text literal does not nest: blank it out (same length, so positions hold)
    code = _STRING.sub(lambda match: " " * len(match.group()), text)
    operators = len(re.findall(r"[-+*/]|[<>=!≥≤≠]+|\b(?:og|and|eller|or|ikke|not)\b", code))
    if operators > MAX_OPERATORS:
        raise RammeaftaleError("DSL008", f"for mange operatorer i ét udtryk ({operators}; højst {MAX_OPERATORS})",
                               message_en=f"too many operators in one expression ({operators}; at most {MAX_OPERATORS})",
                               line=1, column=1, hint="del udtrykket op i afledte fakta (derived)",
                               hint_en="split the expression into derived facts (derived)")
    depth = 0
    for index, char in enumerate(code):
        depth += char in "(["
        depth -= char in ")]"
        if depth > MAX_NESTING_DEPTH:
            line = text.count("\n", 0, index) + 1
            column = index - (text.rfind("\n", 0, index) + 1) + 1
            raise RammeaftaleError("DSL008", f"for dybt indlejret udtryk (mere end {MAX_NESTING_DEPTH} parenteser)",
                                   message_en=f"expression nested too deeply (more than {MAX_NESTING_DEPTH} brackets)",
                                   line=line, column=column, hint="del udtrykket op i afledte fakta (derived)",
                                   hint_en="split the expression into derived facts (derived)")


def _check_tree_depth(tree: Tree) -> None:
    """Refuse a parse tree deeper than MAX_TREE_DEPTH before the (recursive) transformer, checker and
    compiler walk it; found without recursion, so a chain of 2000 fields is an error, not a RecursionError."""
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_TREE_DEPTH:
            meta = node.meta if isinstance(node, Tree) else node
            raise RammeaftaleError("DSL008", f"for dybt indlejret udtryk (mere end {MAX_TREE_DEPTH} niveauer)",
                                   message_en=f"expression nested too deeply (more than {MAX_TREE_DEPTH} levels)",
                                   line=getattr(meta, "line", 1), column=getattr(meta, "column", 1),
                                   hint="del udtrykket op i afledte fakta (derived)",
                                   hint_en="split the expression into derived facts (derived)")
        if isinstance(node, Tree):
            stack.extend((child, depth + 1) for child in node.children)


def _ends_early(text: str, error) -> RammeaftaleError:
    da, en = _describe_expected(set(error.expected))
    lines = text.split("\n")
    return RammeaftaleError("DSL003", f"udtrykket slutter for tidligt; forventede {da}",
                            message_en=f"expression ends too early; expected {en}",
                            line=len(lines), column=len(lines[-1]) + 1,
                            hint="mangler der en parentes eller en værdi til sidst?",
                            hint_en="is a bracket or a value missing at the end?")


def parse(text: str, start: str = "start") -> Node:
    """Parse an expression (or, with start='cell', a decision-table cell). Raises RammeaftaleError."""
    if not isinstance(text, str) or not text.strip():
        raise RammeaftaleError("DSL001", "tomt udtryk", message_en="empty expression", line=1, column=1,
                               hint="skriv en betingelse, fx: hoejeste_takst >= 2000 kr",
                               hint_en="write a condition, e.g.: hoejeste_takst >= 2000 kr")
    _check_limits(text)
    try:
        tree = _lark().parse(text, start=start)
        _check_tree_depth(tree)
        return _ToNodes(text).transform(tree)
    except VisitError as error:  # an error raised inside the transformer, e.g. a bad date
        if isinstance(error.orig_exc, RammeaftaleError):
            raise error.orig_exc from None
        raise
    except UnexpectedCharacters as error:
        char = text[error.pos_in_stream] if error.pos_in_stream < len(text) else ""
        raise RammeaftaleError("DSL002", f"uventet tegn '{char}'", message_en=f"unexpected character '{char}'",
                               line=error.line, column=error.column,
                               hint="tekst skal stå i anførselstegn, fx driftsform = \"regional\"",
                               hint_en="text must stand in quotes, e.g. driftsform = \"regional\"") from None
    except UnexpectedEOF as error:
        raise _ends_early(text, error) from None
    except UnexpectedToken as error:
        if error.token.type == "$END":
            raise _ends_early(text, error) from None
        da, en = _describe_expected(set(error.expected))
        raise RammeaftaleError("DSL004", f"uventet '{error.token}'; forventede {da}",
                               message_en=f"unexpected '{error.token}'; expected {en}",
                               line=error.line, column=error.column,
                               hint="tjek operatorer og parenteser; nøgleord: og/and, eller/or, ikke/not, i/in",
                               hint_en="check operators and brackets; keywords: og/and, eller/or, ikke/not, i/in") from None
    except UnexpectedInput as error:  # pragma: no cover - other lark input errors
        raise RammeaftaleError("DSL005", "kan ikke læse udtrykket", message_en="cannot parse the expression",
                               line=getattr(error, "line", 1), column=getattr(error, "column", 1),
                               hint="tjek operatorer og parenteser", hint_en="check operators and brackets") from None
