"""Fuzz target: random and mutated DSL expressions, rule files and facts files through the real entry points.

    python fuzz/fuzz_rules.py --iterations 500 [--seed 1] [--seconds 120] [--target all|dsl|rules|facts|cases]

Inputs: expressions generated from the grammar (dsl/grammar.lark) and typed against a real subject, the real
expressions of rules/ mutated, and copies of the shipped rule, facts and case files mutated as text (lines
deleted, duplicated, swapped; values swapped or replaced by huge numbers, unicode, control characters, tags,
deep nesting, alias bombs). The property: the library raises nothing but RammeaftaleError, with a code from
the error catalogue, and the CLI (`engine.cli.main`) exits 0, 1 or 2 with no traceback and no "intern fejl".
A finding is printed with the seed that reproduces it (`--seed S --iterations 1`), and the exit code is 1.
tests/test_properties.py runs the same mutations under hypothesis, bounded, inside pytest.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime
import io
import json
import os
import random
import re
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

import yaml

from rammeaftale.dsl.checker import Checker
from rammeaftale.dsl.compiler import compile_expression
from rammeaftale.dsl.errors import RammeaftaleError
from rammeaftale.dsl.parser import parse
from rammeaftale.dsl.tracer import trace
from rammeaftale.engine.catalogue import CATALOGUE
from rammeaftale.engine.check import scope_of
from rammeaftale.engine.cli import main
from rammeaftale.engine.evaluate import evaluate_subject
from rammeaftale.engine.facts import load_facts
from rammeaftale.engine.periods import default_rules_dir, select

REPO = Path(__file__).resolve().parent.parent
RULES = REPO / "rules"
FIXTURES = REPO / "fixtures"


class Finding(AssertionError):
    """The property failed: something other than RammeaftaleError escaped, or the CLI showed a crash."""


# -- corpus ------------------------------------------------------------------------------------------------
def _collect(node, found: list, key=None):
    if isinstance(node, dict):
        for name, value in node.items():
            if name in ("when", "expr", "then", "value", "reason") and isinstance(value, str):
                found.append((value, "start"))
            elif name == "when" and isinstance(value, list):       # a table row: cells
                found.extend((str(cell), "cell") for cell in value)
            elif name == "inputs" and isinstance(value, list):
                found.extend((str(item), "start") for item in value)
            else:
                _collect(value, found, name)
    elif isinstance(node, list):
        for item in node:
            _collect(item, found, key)


def real_expressions() -> list[tuple[str, str]]:
    """Every expression and table cell in the shipped rules, as (text, start rule)."""
    found: list = []
    for path in sorted(RULES.glob("*/*/*.yaml")):
        _collect(yaml.safe_load(path.read_text(encoding="utf-8")), found)
    return sorted(set(found))


def rule_files(own_only: bool = False) -> list[Path]:
    """The shipped rule files; `own_only`: only those of periods that extend none (quicker to check alone)."""
    files = sorted(RULES.glob("*/*/*.yaml"))
    if own_only:
        files = [path for path in files
                 if yaml.safe_load((path.parent / "period.yaml").read_text(encoding="utf-8"))["period"].get("extends") is None]
    return files


def facts_files() -> list[Path]:
    return sorted(path for path in FIXTURES.glob("*/*/*.yaml") if path.parts[-3] not in ("cases", "golden"))


def case_files() -> list[Path]:
    return sorted((FIXTURES / "cases").glob("*/*/*.yaml"))


# -- generating and mutating text ---------------------------------------------------------------------------
NASTY = ["", "~", "null", "[]", "{}", "-1", "0", "-0.0", "1e999", "1.0e+999999", "1.0e-999999", "9" * 40, "9" * 5000,
         "999999999999999", "0.000000000001", ".inf", "-.inf", ".nan", "0x1F", "0o17", "1:30", "1_000.5", "2018-02-30",
         "9999-12-31", "0001-01-01", "2018-01-01T10:00:00", "'", '"', "&a x", "*a", "*nope", "<<: {}",
         "!!python/object/apply:os.system ['true']", "!!python/name:os.system", "!!binary aGk=", "!!set {a}",
         "!custom x", "!!str 5", "!!int x", "!!float x", "!!bool x", "!!map x", "!!seq x", "!!null [1]", "!!str [a]",
         "&r [*r]", "{<<: 5}", "{<<: [*nope]}", "yes", "no", "on", "ÆØÅ æøå", "\u202e\u200b\u00ad", "\x00",
         "\x07", "\x1b[31m", "\ud7ff", "🙂", "é" * 300, '"\\x00"', '"\\uFFFE"', "[" * 60 + "]" * 60, "{a: " * 60 + "1" + "}" * 60,
         "- a", "? a", "|", ">", "%YAML 1.1", "---", "...", "#", "hvis a så b ellers c", "antal(x, k => k.y)",
         "(" * 50, "x" * 5000, "kr", "40 %", "-40 %", "1e999 %", "2 måneder", "99999999999999 måneder", "-1 dag"]


def mutate_text(rng: random.Random, text: str) -> str:
    """One character-level change: delete, duplicate, insert a token or nasty text, swap two pieces."""
    if not text:
        return rng.choice(NASTY)
    choice = rng.randrange(7)
    a = rng.randrange(len(text) + 1)
    b = min(len(text), a + rng.randrange(1, 12))
    if choice == 0:
        return text[:a] + text[b:]
    if choice == 1:
        return text[:b] + text[a:b] * rng.randrange(1, 40) + text[b:]
    if choice == 2:
        return text[:a] + rng.choice(TOKENS) + text[a:]
    if choice == 3:
        return text[:a] + rng.choice(NASTY) + text[a:]
    if choice == 4:
        return text[:a] + chr(rng.choice([rng.randrange(0, 0x20), rng.randrange(0x80, 0x800), rng.randrange(0x800, 0xD7FF),
                                          rng.randrange(0xE000, 0x10FFFF)])) + text[a:]
    if choice == 5:
        c = rng.randrange(len(text) + 1)
        first, second = sorted((a, c))
        return text[:first] + text[second:] + text[first:second]
    return text[:a] + rng.choice(["(", "[", "-", "ikke ", "x."]) * rng.randrange(1, 300) + text[a:]


TOKENS = ["og", "eller", "ikke", "i", "in", "hvis", "så", "ellers", "if", "then", "else", "(", ")", "[", "]", ",", "=>",
          "k", "x", ".", "1", "0", "2.5", "kr", "kr.", "%", "måneder", "dage", "år", "2018-01-01", "2018-13-45", '"a"',
          "'b'", ">=", "<=", "=", "==", "!=", "≥", "≠", "<", ">", "-", "+", "*", "/", "\n", "sand", "falsk", "true",
          "antal", "summer", "max", "min", "afrund", "fordel", "nr", "findes", "månedsslut", "k.pladser", "koeb",
          "pladser", "takstgraense", "hoejeste_takst", "999999999999999", "0.000000000001"]


def random_tokens(rng: random.Random) -> str:
    return " ".join(rng.choice(TOKENS) for _ in range(rng.randrange(0, 30)))


class TypedGenerator:
    """Well-typed random expressions over a real subject's names: they pass the checker, so evaluation runs."""

    def __init__(self, scope: dict, rng: random.Random):
        self.rng = rng
        self.names: dict[str, list[str]] = {}
        self.records: list[tuple[str, list[tuple[str, str]]]] = []   # list-of-record names and their fields
        for name, symbol in scope.items():
            kind = symbol.type
            if kind.name == "list" and kind.item is not None and kind.item.name == "record":
                self.records.append((name, [(field, item.name) for field, item in kind.item.fields]))
            elif kind.name in ("number", "kr", "pct", "date", "duration", "bool"):
                self.names.setdefault(kind.name, []).append(name)

    def literal(self, kind: str) -> str:
        rng = self.rng
        if kind == "number":
            return rng.choice(["0", "1", "3", "2.5", "999999999999999", "0.000000000001", "100"])
        if kind == "kr":
            return rng.choice(["0 kr", "2000 kr", "0.5 kr", "999999999999999 kr", "1 kr."])
        if kind == "pct":
            return rng.choice(["0 %", "40 %", "100 %", "0.000000000001 %", "5 pct"])
        if kind == "date":
            return rng.choice(["2018-01-01", "0001-01-01", "9999-12-31", "2020-02-29"])
        if kind == "duration":
            return rng.choice(["1 måned", "2 måneder", "30 dage", "1 år", "999999999999999 måneder", "0 dage"])
        return rng.choice(["sand", "falsk"])

    def expr(self, kind: str, depth: int = 0, local: tuple[str, list] | None = None) -> str:
        rng = self.rng
        if depth > 4 or rng.random() < 0.25:
            if local and rng.random() < 0.5:
                fields = [field for field, field_kind in local[1] if field_kind == kind]
                if fields:
                    return f"{local[0]}.{rng.choice(fields)}"
            names = self.names.get(kind)
            return rng.choice(names) if names and rng.random() < 0.7 else self.literal(kind)
        deeper = depth + 1
        if kind == "bool":
            choice = rng.randrange(6)
            if choice == 0:
                other = rng.choice(["number", "kr", "pct", "date"])
                return f"{self.expr(other, deeper, local)} {rng.choice(['<', '<=', '>', '>=', '=', '!='])} {self.expr(other, deeper, local)}"
            if choice == 1:
                return f"({self.expr('bool', deeper, local)} {rng.choice(['og', 'eller'])} {self.expr('bool', deeper, local)})"
            if choice == 2:
                return f"ikke {self.expr('bool', deeper, local)}"
            if choice == 3 and self.records:
                name, fields = rng.choice(self.records)
                return f"{rng.choice(['nogen', 'alle'])}({name}, e => {self.expr('bool', deeper, ('e', fields))})"
            if choice == 4:
                return f"findes({rng.choice(sum(self.names.values(), []) or ['x'])})"
            return f"(hvis {self.expr('bool', deeper, local)} så {self.expr('bool', deeper, local)} ellers {self.expr('bool', deeper, local)})"
        if kind == "date":
            choice = rng.randrange(3)
            if choice == 0:
                return f"({self.expr('date', deeper, local)} {rng.choice(['+', '-'])} {self.expr('duration', deeper, local)})"
            if choice == 1:
                return f"{rng.choice(['månedsslut', 'månedsstart'])}({self.expr('date', deeper, local)})"
            return f"max({self.expr('date', deeper, local)}, {self.expr('date', deeper, local)})"
        if kind == "duration":
            return f"({self.expr('duration', deeper, local)} * {self.expr('number', deeper, local)})"
        choice = rng.randrange(7)                        # number, kr, pct
        if choice == 0:
            return f"({self.expr(kind, deeper, local)} {rng.choice(['+', '-'])} {self.expr(kind, deeper, local)})"
        if choice == 1:
            factor = "number"
            return f"({self.expr(kind, deeper, local)} {rng.choice(['*', '/'])} {self.expr(factor, deeper, local)})"
        if choice == 2:
            return f"{rng.choice(['afrund', 'afrund_ned'])}({self.expr(kind, deeper, local)}, {rng.choice(['0', '2', '30', '-3', '99999'])})"
        if choice == 3 and self.records:
            name, fields = rng.choice(self.records)
            numeric = [field for field, field_kind in fields if field_kind == kind]
            if numeric:
                return f"{rng.choice(['summer', 'max', 'min'])}({name}.{rng.choice(numeric)})"
            if kind == "number":
                return f"antal({name}, e => {self.expr('bool', deeper, ('e', fields))})"
        if choice == 4:
            return f"-{self.expr(kind, deeper, local)}"
        if choice == 5:
            return f"abs({self.expr(kind, deeper, local)})"
        return f"(hvis {self.expr('bool', deeper, local)} så {self.expr(kind, deeper, local)} ellers {self.expr(kind, deeper, local)})"


def mutate_yaml(rng: random.Random, text: str) -> str:
    """One line-level change of a YAML file, or a character-level one."""
    lines = text.split("\n")
    choice = rng.randrange(13)
    index = rng.randrange(len(lines))
    if choice == 0 and len(lines) > 1:
        del lines[index]
    elif choice == 1:
        lines.insert(index, lines[index])
    elif choice == 2:
        other = rng.randrange(len(lines))
        lines[index], lines[other] = lines[other], lines[index]
    elif choice in (3, 4):
        valued = [number for number, line in enumerate(lines) if re.match(r"^\s*-?\s*[\w.]+:\s+\S", line)]
        if valued:
            target = rng.choice(valued)
            key, _, _ = lines[target].partition(": ")
            if choice == 3:
                source = rng.choice(valued)
                lines[target] = key + ": " + lines[source].partition(": ")[2]
            else:
                lines[target] = key + ": " + rng.choice(NASTY)
    elif choice == 5:
        lines[index] = mutate_text(rng, lines[index])
    elif choice == 6:
        lines[index] = rng.choice(["  ", "\t", "", "    "]) + lines[index]
    elif choice == 7:
        return text[:rng.randrange(len(text) + 1)]
    elif choice == 8:
        depth = rng.choice([10, 49, 60, 500, 3000])
        lines.insert(index, rng.choice(["x: " + "[" * depth + "]" * depth, "x: " + "{a: " * depth + "1" + "}" * depth]))
    elif choice == 9:
        levels = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        levels += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, rng.choice([3, 8, 10]))]
        lines += levels
    elif choice == 10:
        chars = list(text)
        for _ in range(rng.randrange(1, 20)):
            chars.insert(rng.randrange(len(chars) + 1), chr(rng.randrange(0, 0x3000)))
        return "".join(chars)
    elif choice == 11:
        keyed = [number for number, line in enumerate(lines) if re.match(r"^\s*[\w.]+:", line)]
        if keyed:
            target = rng.choice(keyed)
            lines.insert(target + 1, lines[target])       # the same key twice in one mapping (if the indentation allows)
    else:
        lines[index] = re.sub(r"\d+(\.\d+)?", lambda _: rng.choice(["9" * 30, "0", "-1", "1e999", "0.1e-30", "2000.10"]),
                              lines[index])
    return "\n".join(lines)


def mutations(rng: random.Random, text: str, count: int) -> str:
    for _ in range(count):
        text = mutate_yaml(rng, text)
    return text


# -- the properties ------------------------------------------------------------------------------------------
def _assert_ours(error: RammeaftaleError) -> None:
    errors = getattr(error, "errors", [error])
    for item in errors:
        if item.code not in CATALOGUE:
            raise Finding(f"error code {item.code} is not in the catalogue: {item.render()}")
        if item.line is not None and (item.line < 1 or (item.column is not None and item.column < 1)):
            raise Finding(f"bad position {item.line}:{item.column}: {item.render()}")


@contextlib.contextmanager
def _only_ours(what: str):
    try:
        yield
    except RammeaftaleError as error:
        _assert_ours(error)
    except Exception as error:   # the property: nothing else escapes
        raise Finding(f"{type(error).__name__} from {what}: {error}\n{traceback.format_exc()}") from error


_SUBJECT = None


def _subject():
    """tilbud in Syddanmark 2018 with the environment of a real record (Palleshave)."""
    global _SUBJECT
    if _SUBJECT is None:
        compiled = select(default_rules_dir(), "2018", "syddanmark")
        subject = compiled.subjects["tilbud"]
        record = load_facts(str(FIXTURES / "syddanmark" / "2018" / "tilbud.yaml"), compiled.period)[0]
        _, env = evaluate_subject(subject, record.values, compiled.default_readings(), datetime.date(2018, 6, 1))
        _SUBJECT = (scope_of(subject.subject), env)
    return _SUBJECT


def check_expression(text: str, start: str = "start") -> str:
    """Parse, type-check, compile, evaluate (fast and traced) one expression against a real record.
    Returns how far it got; raises Finding if anything but RammeaftaleError escapes, or the two runs disagree."""
    scope, env = _subject()
    stage = "parse"
    with _only_ours(f"{stage} of {text!r}"):
        node = parse(text, start=start)
        if start != "start":
            return "parsed"
        stage = "check"
        checker = Checker(scope)
        checker.check(node)
        if checker.errors:
            for error in checker.errors:
                _assert_ours(error)
            return "checked"
        stage = "compile"
        run = compile_expression(node)
        stage = "evaluate"
        fast = run(dict(env))
        traced = trace(node, dict(env)).value
        if fast != traced:
            raise Finding(f"the fast and the traced run disagree on {text!r}: {fast!r} != {traced!r}")
        return "evaluated"
    return stage


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(arg) for arg in argv])
        except SystemExit as exit_:   # argparse never exits on its own here; if it does, that is a finding
            raise Finding(f"SystemExit({exit_.code}) from {argv}") from None
    return code, out.getvalue(), err.getvalue()


# codes about a folder, a whole file or the calendar of periods: no line to point at
ABOUT_A_WHOLE_FILE = {"IO001", "IO002", "IO003", "YAML006", "RULE002", "RULE005", "RULE030", "RULE031", "RULE032",
                      "CAL001", "CAL002", "CAL003", "CAL004"}


def assert_clean(argv, code: int, out: str, err: str) -> None:
    """No traceback, no internal error, an exit code of 0/1/2, and JSON errors with catalogue codes."""
    shown = f"rammeaftale {' '.join(map(str, argv))}"
    if code not in (0, 1, 2):
        raise Finding(f"exit code {code} from {shown}\n{err[-2000:]}")
    for stream in (out, err):
        if "Traceback" in stream or "intern fejl" in stream or "internal error" in stream:
            raise Finding(f"crash from {shown}\n{stream[-3000:]}")
    if "--format" in argv and "json" in argv and code in (0, 1) and out.strip():
        try:
            document = json.loads(out)
        except ValueError as error:
            raise Finding(f"stdout of {shown} is not JSON: {error}\n{out[:500]}") from None
        for item in document.get("errors", []) if isinstance(document, dict) else []:
            if item.get("code") not in CATALOGUE:
                raise Finding(f"error code {item.get('code')} is not in the catalogue ({shown})")
            if item.get("file") and item.get("line") is None and item["code"] not in ABOUT_A_WHOLE_FILE:
                raise Finding(f"{item['code']} about {item['file']} without a line ({shown}): {item.get('message')}")
    if code != 0 and not (out.strip() or err.strip()):
        raise Finding(f"exit code {code} and not a word said, from {shown}")


def mini_rules(folder: Path, rule_file: Path) -> Path:
    """A copy of one period folder holding only period.yaml and `rule_file` (fast to check)."""
    target = folder / "rules" / rule_file.parts[-3] / rule_file.parts[-2]
    target.mkdir(parents=True)
    shutil.copy(rule_file.parent / "period.yaml", target / "period.yaml")
    if rule_file.name != "period.yaml":
        shutil.copy(rule_file, target / rule_file.name)
    parent = yaml.safe_load((rule_file.parent / "period.yaml").read_text(encoding="utf-8"))["period"].get("extends")
    while parent is not None:     # a later period needs the one it extends (and that one's parent)
        source = rule_file.parents[1] / str(parent)
        shutil.copytree(source, folder / "rules" / rule_file.parts[-3] / str(parent), dirs_exist_ok=True)
        parent = yaml.safe_load((source / "period.yaml").read_text(encoding="utf-8"))["period"].get("extends")
    return folder / "rules"


def check_rule_file(folder: Path, rule_file: Path, text: str, formats=("json", "text")) -> tuple[int, dict | None]:
    """`check` on a rules folder where `rule_file` holds `text`: (exit code, the JSON document when asked for)."""
    root = mini_rules(folder, rule_file)
    (root / rule_file.parts[-3] / rule_file.parts[-2] / rule_file.name).write_text(text, encoding="utf-8", errors="surrogatepass")
    codes, document = set(), None
    for shape in formats:
        argv = ["check", "--rules", root, "--format", "json"] if shape == "json" else ["check", "--rules", root, "--lang", "en"]
        code, out, err = run_cli(argv)
        assert_clean(argv, code, out, err)
        codes.add(code)
        document = json.loads(out) if shape == "json" else document
    if len(codes) > 1:
        raise Finding(f"check gives different exit codes as JSON and as text: {codes}")
    return codes.pop(), document


def evaluate_facts_file(folder: Path, facts_file: Path, text: str, extra: list[str] | None = None) -> int:
    path = folder / facts_file.name
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    period = facts_file.parent.name
    codes = []
    for argv in (["evaluate", path, "--period", period, "--region", facts_file.parts[-3], "--format", "json", *(extra or [])],
                 ["evaluate", path, "--lang", "en", *(extra or [])]):
        code, out, err = run_cli(argv)
        assert_clean(argv, code, out, err)
        codes.append(code)
    return codes[0]


def run_case_file(folder: Path, case_file: Path, text: str) -> int:
    target = folder / "cases" / case_file.parts[-3] / case_file.parts[-2]
    target.mkdir(parents=True, exist_ok=True)
    path = target / case_file.name
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    argv = ["test", path, "--format", "json"]
    code, out, err = run_cli(argv)
    assert_clean(argv, code, out, err)
    return code


# -- one iteration per target --------------------------------------------------------------------------------
def one_dsl(rng: random.Random, corpus) -> str:
    choice = rng.randrange(4)
    if choice == 0:
        text, start = rng.choice(corpus)
        for _ in range(rng.randrange(1, 4)):
            text = mutate_text(rng, text)
    elif choice == 1:
        text, start = random_tokens(rng), rng.choice(["start", "cell"])
    else:
        generator = TypedGenerator(_subject()[0], rng)
        text, start = generator.expr(rng.choice(["bool", "number", "kr", "pct", "date"])), "start"
        if choice == 3:
            text = mutate_text(rng, text)
    return check_expression(text, start)


def one_file(rng: random.Random, target: str) -> str:
    with tempfile.TemporaryDirectory(prefix="rammeaftale-fuzz-") as folder:
        folder = Path(folder)
        if target == "rules":
            path = rng.choice(rule_files())
            code, _ = check_rule_file(folder, path, mutations(rng, path.read_text(encoding="utf-8"), rng.randrange(1, 4)))
        elif target == "facts":
            path = rng.choice(facts_files())
            code = evaluate_facts_file(folder, path, mutations(rng, path.read_text(encoding="utf-8"), rng.randrange(1, 4)))
        else:
            path = rng.choice(case_files())
            code = run_case_file(folder, path, mutations(rng, path.read_text(encoding="utf-8"), rng.randrange(1, 4)))
    return f"exit {code}"


def fuzz(iterations: int, seed: int, seconds: float, targets: list[str], outcomes: Counter | None = None) -> list[tuple[int, str, str]]:
    corpus = real_expressions()
    findings = []
    outcomes = Counter() if outcomes is None else outcomes
    deadline = time.monotonic() + seconds
    for number in range(iterations):
        if time.monotonic() > deadline:
            print(f"stopped after {number} iterations: --seconds {seconds:g} reached")
            break
        case_seed = seed + number
        rng = random.Random(case_seed)
        target = targets[number % len(targets)]
        try:
            outcomes[target, one_dsl(rng, corpus) if target == "dsl" else one_file(rng, target)] += 1
        except Finding as finding:
            findings.append((case_seed, target, str(finding)))
            print(f"FINDING seed={case_seed} target={target}: {str(finding)[:3000]}", flush=True)
    return findings


def main_(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=300, help="stop after this long, whatever --iterations says")
    parser.add_argument("--target", choices=["all", "dsl", "rules", "facts", "cases"], default="all")
    args = parser.parse_args(argv)
    targets = ["dsl", "rules", "dsl", "facts", "dsl", "cases"] if args.target == "all" else [args.target]
    started = time.monotonic()
    outcomes: Counter = Counter()
    with tempfile.TemporaryDirectory(prefix="rammeaftale-fuzz-cache-") as cache:
        os.environ.setdefault("RAMMEAFTALE_CACHE_DIR", cache)     # mutated rule folders stay out of the user's cache
        findings = fuzz(args.iterations, args.seed, args.seconds, targets, outcomes)
    for (target, outcome), count in sorted(outcomes.items()):
        print(f"  {target:6} {outcome:10} {count}")
    print(f"{args.iterations} iterations (seed {args.seed}, targets {args.target}) in {time.monotonic() - started:.1f} s: "
          f"{len(findings)} finding(s)")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main_())
