"""JSON Lines in and out for `evaluate`: the stream format, stdin, bad lines, determinism, bounded memory, progress.

Run as a script it also writes synthetic tilbud and measures a streaming run (peak RSS, records/s) for the README:
    python tests/test_stream.py generate 1000000 /tmp/tilbud.jsonl
    python tests/test_stream.py measure /tmp/tilbud.jsonl
"""
from __future__ import annotations

import gc
import io
import json
import random
import sys
import tracemalloc
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console

from rammeaftale.engine import explain

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "fixtures" / "syddanmark" / "2018" / "tilbud.yaml"
KOMMUNER = ["Odense", "Svendborg", "Assens", "Nyborg", "Kerteminde", "Middelfart", "Nordfyn", "Faaborg-Midtfyn", "Vejle",
            "Kolding"]


def synthetic_tilbud(count: int, seed: int = 2018):
    """`count` tilbud as JSON Lines, spread over every kategori outcome and its boundaries (2000 kr., 4 kommuner,
    40 %), the gap, and with and without a vurdering."""
    rng = random.Random(seed)
    for index in range(count):
        driftsherre = rng.choice(KOMMUNER)
        pladser = rng.choice([10, 20, 25, 40])
        buyers = rng.sample([name for name in KOMMUNER if name != driftsherre], rng.choice([0, 1, 2, 3, 4, 5]))
        koeb = [{"kommune": name, "pladser": rng.choice([1, 2, 3, 5])} for name in buyers]
        if rng.random() < 0.3:
            koeb.append({"kommune": driftsherre, "pladser": rng.randint(1, 10)})
        ydelser = [{"navn": f"Ydelse {number}", "takst": rng.choice([1200, 1999, 2000, "2000.50", 2600]),
                    "enhed": rng.choice(["døgn", "dag"])} for number in range(rng.randint(1, 3))]
        record = {"type": "tilbud", "id": f"syn{index:07d}", "driftsherre": driftsherre,
                  "driftsform": rng.choice(["kommunal", "kommunal", "regional", "privat"]),
                  "lovgrundlag": rng.choice([["SEL § 108"], ["SEL § 107", "SEL § 85"], ["SEL § 85"]]),
                  "pladser": pladser, "ydelser": ydelser, "koeb": koeb}
        if rng.random() < 0.05:
            record["vurdering"] = {"kategori": "hoejt_specialiseret", "begrundelse": "Særlig målgruppe"}
        # amounts as JSON numbers; "2000.50" written as a decimal number, never via a float
        yield json.dumps(record, ensure_ascii=False).replace('"takst": "2000.50"', '"takst": 2000.50') + "\n"


# -- helpers ---------------------------------------------------------------------------------------------
def run(capsys, *argv, stdin: str | None = None, monkeypatch=None):
    from rammeaftale.engine.cli import main
    if stdin is not None:
        fake = io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8")), encoding="utf-8")
        monkeypatch.setattr(sys, "stdin", fake)
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "intern fejl" not in err
    return code, out, err


def fixture_lines() -> list[str]:
    """The fixture tilbud as JSON Lines, written from the YAML file's own records."""
    import yaml
    data = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    return [json.dumps({"type": "tilbud", **record}, ensure_ascii=False) + "\n" for record in data["tilbud"]]


def parse_stream(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def _streaming_parts(period="2018", decisions=("kategori",)):
    from rammeaftale.engine.periods import default_rules_dir, select
    from rammeaftale.engine.stream import Evaluator
    root = default_rules_dir()
    compiled = select(root, period, "syddanmark")
    return Evaluator(root, compiled, period, None, {}, list(decisions), "da")


class LazyLines(io.RawIOBase):
    """A binary stream that makes its lines only when read, and counts how many it has handed out."""

    def __init__(self, lines):
        self.lines = iter(lines)
        self.given = 0
        self.buffer = b""

    def readable(self):
        return True

    def readline(self, size=-1):
        if not self.buffer:
            line = next(self.lines, None)
            if line is None:
                return b""
            self.given += 1
            self.buffer = line.encode("utf-8")
        cut = len(self.buffer) if size is None or size < 0 else size
        part, self.buffer = self.buffer[:cut], self.buffer[cut:]
        return part


class CountingWriter:
    """Records, at each result line written, how many input lines had been handed out by then."""

    def __init__(self, source: LazyLines):
        self.source = source
        self.lag = []          # lines read minus results written, at each write
        self.results = 0
        self.size = 0

    def write(self, text: str):
        self.size += len(text)
        if text.startswith('{"type"') or text.startswith('{"error"'):
            self.results += 1
            self.lag.append(self.source.given - self.results)

    def flush(self):
        pass


# -- the stream ------------------------------------------------------------------------------------------
def test_jsonl_round_trip_gives_the_same_decisions_as_json(capsys, tmp_path):
    lines = tmp_path / "tilbud.jsonl"
    lines.write_text("".join(fixture_lines()), encoding="utf-8")
    code, out, err = run(capsys, "evaluate", str(lines), "--period", "2018", "--format", "jsonl")
    assert code == 0 and err == ""
    stream = parse_stream(out)
    header, subjects, summary = stream[0], stream[1:-1], stream[-1]
    code, out, _ = run(capsys, "evaluate", str(FIXTURE), "--period", "2018", "--format", "json")
    document = json.loads(out)
    assert header == {"format": "rammeaftale.result-stream/1", "region": "syddanmark", "period": "2018",
                      "rules_digest": document["rules_digest"], "lang": "da", "decisions": None}
    assert summary == {"summary": {"subjects": 16, "errors": 0, "decision_errors": 0}}
    assert [subject["id"] for subject in subjects] == [subject["id"] for subject in document["subjects"]]
    for line_number, (streamed, whole) in enumerate(zip(subjects, document["subjects"]), start=1):
        assert streamed["line"] == line_number and streamed["file"] == str(lines)
        assert {key: value for key, value in streamed.items() if key not in ("file", "line")} == \
            {key: value for key, value in whole.items() if key != "file"}
    palleshave = subjects[0]["decisions"]["kategori"]
    assert (palleshave["value"], palleshave["rule"]) == ("klyngetilbud", "syd2018.kategori.klynge")
    assert list(subjects[0]) == ["type", "id", "file", "line", "period", "date", "readings", "decisions"]


def test_yaml_facts_stream_out_and_jsonl_reads_into_json(capsys, tmp_path):
    code, out, _ = run(capsys, "evaluate", str(FIXTURE), "--period", "2018", "--format", "jsonl", "--decision", "kategori")
    stream = parse_stream(out)
    assert code == 0 and stream[0]["decisions"] == ["kategori"] and len(stream) == 18
    assert stream[1]["line"] == 11 and set(stream[1]["decisions"]) == {"kategori"}   # the record's line in the YAML file
    lines = tmp_path / "tilbud.ndjson"
    lines.write_text("".join(fixture_lines()), encoding="utf-8")
    code, out, _ = run(capsys, "evaluate", str(lines), "--period", "2018", "--format", "json", "--decision", "kategori")
    document = json.loads(out)
    assert code == 0 and document["format"] == "rammeaftale.result/1"
    assert [subject["decisions"]["kategori"]["value"] for subject in document["subjects"]] == \
        [subject["decisions"]["kategori"]["value"] for subject in stream[1:-1]]


def test_stdin_json_lines_and_stdin_yaml(capsys, monkeypatch):
    code, out, _ = run(capsys, "evaluate", "-", "--period", "2018", "--format", "jsonl", "--decision", "kategori",
                       stdin="\n".join(line.rstrip("\n") for line in fixture_lines()[:3]) + "\n", monkeypatch=monkeypatch)
    stream = parse_stream(out)
    assert code == 0
    assert [(item["id"], item["file"], item["line"], item["decisions"]["kategori"]["value"]) for item in stream[1:-1]] == [
        ("palleshave", "<stdin>", 1, "klyngetilbud"), ("toften", "<stdin>", 2, "klyngetilbud"),
        ("kernehuset_soebo_vesterparken", "<stdin>", 3, "klyngetilbud")]
    # a YAML facts document on stdin is recognised as one, and the text output is the file's
    code, out, _ = run(capsys, "evaluate", "-", "--period", "2018", "--decision", "kategori",
                       stdin=FIXTURE.read_text(encoding="utf-8"), monkeypatch=monkeypatch)
    code_file, out_file, _ = run(capsys, "evaluate", str(FIXTURE), "--period", "2018", "--decision", "kategori")
    assert code == code_file == 0 and out == out_file.replace(str(FIXTURE), "<stdin>")
    # --input jsonl says it outright (here: the first line has no type, so sniffing alone would read a document)
    code, out, _ = run(capsys, "evaluate", "-", "--input", "jsonl", "--period", "2018", "--format", "jsonl",
                       stdin='{"id": "x"}\n' + fixture_lines()[0], monkeypatch=monkeypatch)
    stream = parse_stream(out)
    assert code == 1 and stream[1]["error"]["code"] == "JSONL002" and stream[2]["id"] == "palleshave"


def test_bad_lines_give_error_lines_and_the_run_goes_on(capsys, tmp_path):
    good = fixture_lines()
    bad_field = json.loads(good[2])
    bad_field["pladser"] = "atten"
    text = "".join([good[0], '{"type": "tilbud", "id": "x",,}\n', "\n", json.dumps(bad_field, ensure_ascii=False) + "\n",
                    '{"type": "tilbd", "id": "y"}\n', "[1, 2]\n", '{"type": "tilbud", "id": "a", "id": "b"}\n',
                    "\xff\n", good[1]])
    path = tmp_path / "bad.jsonl"
    path.write_bytes(text.encode("utf-8").replace("\xff".encode("utf-8"), b"\xff"))
    code, out, err = run(capsys, "evaluate", str(path), "--period", "2018", "--format", "jsonl", "--decision", "kategori")
    assert code == 1 and err == ""
    stream = parse_stream(out)
    kinds = [("subject", item["id"], item["line"]) if "type" in item else ("error", item["error"]["code"], item["error"]["line"])
             for item in stream[1:-1]]
    assert kinds == [("subject", "palleshave", 1), ("error", "JSONL001", 2), ("error", "SCHEMA001", 4),
                     ("error", "JSONL003", 5), ("error", "JSONL002", 6), ("error", "JSONL006", 7), ("error", "JSONL005", 8),
                     ("subject", "toften", 9)]
    schema_error = stream[3]["error"]
    line_text = text.splitlines()[3]
    assert schema_error["file"] == str(path)
    assert schema_error["message"] == "tilbud 'kernehuset_soebo_vesterparken', felt 'pladser': forventede et helt tal, fik 'atten'"
    assert line_text[schema_error["column"] - 1:].startswith('"atten"')
    assert stream[2]["error"]["column"] == 30 and stream[4]["error"]["hint"] == "mente du 'tilbud'?"
    assert set(stream[2]["error"]) == {"code", "file", "line", "column", "message", "hint"}
    assert stream[-1] == {"summary": {"subjects": 2, "errors": 6, "decision_errors": 0}}
    # the same file with text output: every bad line reported, nothing evaluated, exit 1
    code, out, err = run(capsys, "evaluate", str(path), "--period", "2018", "--decision", "kategori", "--lang", "en")
    assert code == 1 and out == ""
    assert f"{path}:2:30: the line is not valid JSON" in err and f"{path}:5:2: unknown subject type 'tilbd'" in err


def test_a_line_too_long_is_skipped_in_its_place(capsys, tmp_path, monkeypatch):
    good = fixture_lines()
    long_line = '{"type": "tilbud", "id": "lang", "navn": "' + "x" * (1024 * 1024 + 10) + '"}\n'
    path = tmp_path / "long.jsonl"
    path.write_text(good[0] + long_line + good[1], encoding="utf-8")
    code, out, _ = run(capsys, "evaluate", str(path), "--period", "2018", "--format", "jsonl", "--decision", "kategori")
    stream = parse_stream(out)
    assert code == 1 and len(out) < 20_000   # the long line is not echoed anywhere
    assert [item.get("id") or item["error"]["code"] for item in stream[1:-1]] == ["palleshave", "JSONL004", "toften"]
    assert stream[2]["error"]["line"] == 2 and stream[3]["line"] == 3
    # the same on stdin, where the long line comes first, inside the lines looked at for the region
    code, out, _ = run(capsys, "evaluate", "-", "--input", "jsonl", "--format", "jsonl", "--period", "2018",
                       "--decision", "kategori", stdin=long_line + good[1], monkeypatch=monkeypatch)
    stream = parse_stream(out)
    assert code == 1 and [item.get("id") or item["error"]["code"] for item in stream[1:-1]] == ["JSONL004", "toften"]


def test_errors_before_the_stream_are_error_lines_and_undated_records_do_not_stop_it(capsys, tmp_path):
    code, out, _ = run(capsys, "evaluate", str(FIXTURE), "--period", "1999", "--format", "jsonl")
    assert code == 1 and parse_stream(out)[0]["error"]["code"] == "CLI003"
    path = tmp_path / "dated.jsonl"
    first, second = fixture_lines()[:2]
    path.write_text(first.replace('{"type": "tilbud",', '{"type": "tilbud", "date": "2024-03-01",') + second, encoding="utf-8")
    code, out, _ = run(capsys, "evaluate", str(path), "--format", "jsonl", "--decision", "kategori")
    stream = parse_stream(out)
    assert code == 1
    assert (stream[1]["period"], stream[1]["date"]) == ("2023-24", "2024-03-01")
    assert stream[2]["error"]["code"] == "CLI007" and stream[2]["error"]["line"] == 2
    # text output keeps calling an undated record wrong use of the command
    code, _, err = run(capsys, "evaluate", str(path), "--decision", "kategori")
    assert code == 2 and f"{path}:2: tilbud 'toften' har ingen dato" in err


def test_stream_output_is_deterministic(capsys, tmp_path):
    path = tmp_path / "syn.jsonl"
    path.write_text("".join(synthetic_tilbud(200, seed=7)), encoding="utf-8")
    outputs = [run(capsys, "evaluate", str(path), "--period", "2018", "--format", "jsonl")[1] for _ in range(2)]
    assert outputs[0] == outputs[1]
    stream = parse_stream(outputs[0])
    assert stream[-1] == {"summary": {"subjects": 200, "errors": 0, "decision_errors": 0}}
    values = {item["decisions"]["kategori"]["value"] for item in stream[1:-1]}
    assert values == {"hoejt_specialiseret", "klyngetilbud", "lokalt_tilbud"}   # the generator reaches every outcome


# -- the fast validity check ------------------------------------------------------------------------------
WRONG = [None, "tekst", 1, [], {}, True, Decimal("1.5")]


def _sample(schema: dict, rng: random.Random, bad: bool = False):
    """A value that fits `schema`, or with `bad` one that breaks it at this node only (wrong type, just outside a
    limit, one element too many, a missing or stray key), or may just pass."""
    kind = schema.get("type")
    if bad and rng.random() < 0.2:
        return rng.choice(WRONG)
    if kind == "object":
        properties = schema.get("properties", {})
        required = set(schema.get("required", ()))
        value = {name: _sample(sub, rng) for name, sub in properties.items() if name in required or rng.random() < 0.5}
        extra = schema.get("additionalProperties", True)
        if isinstance(extra, dict):
            value.update({f"r{index}": _sample(extra, rng) for index in range(rng.randint(0, 2))})
        if bad:
            if required and rng.random() < 0.5:
                value.pop(rng.choice(sorted(required)))
            else:
                value["ukendt"] = 1
        return value
    if kind == "array":
        item = schema.get("items", {})
        if bad:   # one element too many (copies of one fitting element, so the length alone decides)
            return [_sample(item, rng)] * (schema["maxItems"] + 1) if schema.get("maxItems", 99) <= 60 else rng.choice(WRONG)
        return [_sample(item, rng) for _ in range(rng.randint(0, 3))]
    if kind == "string":
        if "enum" in schema:
            return rng.choice(["andet", schema["enum"][0].upper(), 1]) if bad else rng.choice(schema["enum"])
        if schema.get("format") == "date":
            return rng.choice(["2018-02-30", "2018-6-1", "\uff12\uff10\uff11\uff18-01-01", "i går"]) if bad else \
                rng.choice(["2018-06-01", "2024-03-01"])
        if "pattern" in schema:
            return rng.choice(["fyrre", "40", "40 pct"]) if bad else rng.choice(["40 %", "37,5 %", "-2.5%", " 5 % "])
        return rng.choice(WRONG) if bad else rng.choice(["Odense", "SEL § 108", "", "ø"])
    if kind in ("number", "integer"):
        low, high = schema.get("minimum"), schema.get("maximum")
        if bad:
            options = [True, "5"] + ([Decimal("2.5")] if kind == "integer" else [])
            options += [low - 1, low - Decimal("0.5")] if low is not None else []
            options += [high + 1] if high is not None else []
            return rng.choice(options)
        options = [7, 12, 2000, Decimal("40.0"), 10 ** 30] + ([] if kind == "integer" else [Decimal("2000.50")])
        options = [option for option in options if (low is None or option >= low) and (high is None or option <= high)]
        return rng.choice(options + [value for value in (low, high) if value is not None])
    if kind == "boolean":
        return rng.choice([0, "ja"]) if bad else rng.choice([True, False])
    return None


def _mutated(record, schema: dict, rng: random.Random):
    """`record` with one node (picked at random, the record itself included) replaced by a bad sample."""
    nodes = [(None, None, schema)]

    def walk(value, node_schema):
        if isinstance(value, dict):
            for name, element in value.items():
                sub = node_schema.get("properties", {}).get(name)
                if sub is None and isinstance(node_schema.get("additionalProperties"), dict):
                    sub = node_schema["additionalProperties"]
                if sub is not None:
                    nodes.append((value, name, sub))
                    walk(element, sub)
        elif isinstance(value, list) and "items" in node_schema:
            for index, element in enumerate(value):
                nodes.append((value, index, node_schema["items"]))
                walk(element, node_schema["items"])

    record = json.loads(json.dumps(record, default=str), parse_float=Decimal)   # a deep copy, in the stream's types
    walk(record, schema)
    container, key, node_schema = rng.choice(nodes)
    if container is None:
        return _sample(schema, rng, bad=True)
    container[key] = _sample(node_schema, rng, bad=True)
    return record


def test_the_fast_check_answers_as_jsonschema_for_every_subject_type():
    import jsonschema
    from rammeaftale.engine.facts import facts_schema
    from rammeaftale.engine.periods import compiled_periods, default_rules_dir
    from rammeaftale.engine.schema import _Validator
    from rammeaftale.engine.stream import fast_check
    from rammeaftale.engine.yamlsafe import load_file
    rng = random.Random(5)
    fixtures = [load_file(path)[0] for path in sorted((REPO / "fixtures").glob("*/*/*.yaml"))]
    checked = invalid = 0
    for compiled in compiled_periods(default_rules_dir()).values():
        for kind, schema in facts_schema(compiled.period)["properties"].items():
            if "items" not in schema:
                continue
            fast = fast_check(schema["items"])
            assert fast is not None, kind    # every facts schema takes the fast path
            reference = _Validator(schema["items"], format_checker=jsonschema.FormatChecker(["date"])).is_valid
            records = [record for data in fixtures if isinstance(data, dict) for record in data.get(kind, [])]
            records += [_sample(schema["items"], rng) for _ in range(40)]
            records += [_mutated(rng.choice(records), schema["items"], rng) for _ in range(120)]
            for record in records:
                assert fast(record) == reference(record), (kind, record)
                checked += 1
                invalid += not reference(record)
    assert checked > 5000 and 0.2 * checked < invalid < 0.9 * checked   # both answers well represented


# -- bounded memory ----------------------------------------------------------------------------------------
def _stream_through(count: int, seed: int = 1):
    from rammeaftale.engine.stream import Source, write_stream
    evaluator = _streaming_parts()
    lazy = LazyLines(synthetic_tilbud(count, seed))
    source = Source("-", "jsonl", stdin=lazy)
    writer = CountingWriter(lazy)
    code = write_stream(evaluator, [source], writer)
    return code, lazy, writer


def test_each_result_is_written_before_the_next_record_is_read():
    code, lazy, writer = _stream_through(2000)
    assert code == 0 and lazy.given == 2000 and writer.results == 2000
    # when a result is written, at most its own line has been read: nothing is collected on either side
    assert max(writer.lag) == 0 and min(writer.lag) == 0


def test_peak_memory_does_not_grow_with_the_number_of_records(monkeypatch):
    # explain.py remembers sentences up to MEMO_LIMIT entries and then starts over: a bound, reached here in the
    # first 100 records, so what is measured is everything else
    from rammeaftale.engine.periods import default_rules_dir, select
    monkeypatch.setattr(explain, "MEMO_LIMIT", 100)
    for _ in range(3):     # compile caches, generated code and first-use allocations happen outside the measurement
        _stream_through(100)
    subject = select(default_rules_dir(), "2018", "syddanmark").subjects["tilbud"]
    peaks, kept = {}, {}
    for count in (200, 2000):
        gc.collect()
        tracemalloc.start()
        _stream_through(count, seed=count)
        peaks[count] = tracemalloc.get_traced_memory()[1]
        # what the run left behind, once the memo (bounded, and anywhere in its cycle of filling up and starting
        # over: test_explain_memo.py checks the bound) and the garbage that waits for the cycle collector are gone
        subject.forget_explanations()
        gc.collect()
        kept[count] = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
    # the peak holds garbage the cycle collector has not yet reached (json's encoders), so it moves with the
    # collector's timing (measured here 200-530 KB); the 2000 results themselves, each some KB of explanation,
    # would be megabytes; and nothing is kept per record
    assert peaks[2000] < 2 * 1024 * 1024, peaks
    assert kept[2000] < 1.5 * kept[200] + 16 * 1024, kept


# -- progress ----------------------------------------------------------------------------------------------
def test_no_progress_output_without_a_terminal(capsys, tmp_path):
    path = tmp_path / "syn.jsonl"
    path.write_text("".join(synthetic_tilbud(300)), encoding="utf-8")
    code, out, err = run(capsys, "evaluate", str(path), "--period", "2018", "--format", "jsonl", "--decision", "kategori")
    assert code == 0 and err == "" and len(out.splitlines()) == 302
    code, out, err = run(capsys, "evaluate", str(path), "--period", "2018", "--decision", "kategori")
    assert code == 0 and err == ""


def test_progress_renders_on_a_terminal_console(tmp_path):
    from rammeaftale.engine.stream import Meter, Source, write_stream
    path = tmp_path / "syn.jsonl"
    path.write_text("".join(synthetic_tilbud(300)), encoding="utf-8")
    terminal = io.StringIO()
    console = Console(file=terminal, force_terminal=True, width=120)
    out = io.StringIO()
    code = write_stream(_streaming_parts(), [Source(str(path), "auto")], out, console, delay=0)
    shown = terminal.getvalue()
    assert code == 0 and "evaluerer" in shown and "300 poster" in shown and "poster/s" in shown and "100%" in shown
    assert "evaluerer" not in out.getvalue() and len(out.getvalue().splitlines()) == 302
    # a console that is not a terminal gets nothing, even with no delay
    quiet = io.StringIO()
    meter = Meter(Console(file=quiet, force_terminal=False), [], "da", delay=0)
    for count in range(1, 200):
        meter.tick(count)
    meter.close()
    assert quiet.getvalue() == ""


# -- measuring (not a test) ---------------------------------------------------------------------------------
def _measure(path: str, period: str = "2018") -> None:
    """Peak RSS of a child `rammeaftale evaluate - ... --format jsonl > /dev/null`, and records/s."""
    import resource
    import subprocess
    import time
    with open(path, "rb") as handle:
        records = sum(1 for _ in handle)
    command = [sys.executable, "-c", "import sys; from rammeaftale.engine.cli import main; sys.exit(main(sys.argv[1:]))",
               "evaluate", "-", "--period", period, "--format", "jsonl", "--decision", "kategori"]
    started = time.perf_counter()
    with open(path, "rb") as stdin, open("/dev/null", "wb") as stdout:
        code = subprocess.run(command, stdin=stdin, stdout=stdout, check=False).returncode
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024   # KiB on Linux
    print(json.dumps({"records": records, "exit": code, "seconds": round(elapsed, 1), "records_per_second": round(records / elapsed),
                      "peak_rss_mb": round(peak, 1)}))


if __name__ == "__main__":
    if sys.argv[1:2] == ["generate"]:
        with open(sys.argv[3], "w", encoding="utf-8") as target:
            target.writelines(synthetic_tilbud(int(sys.argv[2])))
    elif sys.argv[1:2] == ["measure"]:
        _measure(sys.argv[2])
    else:
        sys.exit(__doc__)


# -- numbers on a line are held to the limits of facts files (YAML010) ---------------------------------------
@pytest.mark.parametrize("value, words", [
    ("10000000000000000", "for stort"),              # 17 digits before the point
    ("1" + "0" * 100_000, "for stort"),              # never handed to int()
    ("1.0e+100000", "for stort"),
    ("1.0000000000001", "for præcist"),              # 13 decimals
], ids=["17-digits", "10^100000", "exponent", "13-decimals"])
def test_number_limits_on_a_json_line(value, words):
    from rammeaftale.engine.stream import RecordReader
    reader = RecordReader(_streaming_parts().compiled.period)
    line = ('{"type": "tilbud", "id": "a", "driftsherre": "Odense", "driftsform": "kommunal", '
            f'"lovgrundlag": ["SEL § 108"], "pladser": {value}, "ydelser": [], "koeb": []}}')
    [error] = list(reader.parse_line(line.encode("utf-8"), 7, "x.jsonl"))
    assert (error.code, error.file, error.line, error.column) == ("YAML010", "x.jsonl", 7, line.index(value) + 1)
    assert words in error.message and "15 cifre" in error.hint
    assert "digits" in error.hint_for("en")


def test_the_largest_numbers_on_a_json_line_are_read_exactly():
    from rammeaftale.engine.stream import RecordReader
    reader = RecordReader(_streaming_parts().compiled.period)
    line = ('{"type": "tilbud", "id": "a", "driftsherre": "Odense", "driftsform": "kommunal", "lovgrundlag": '
            '["SEL § 108"], "pladser": 999999999999999, "ydelser": [{"navn": "x", "takst": 999999999999999.999999999999, '
            '"enhed": "døgn"}], "koeb": []}')
    [record] = list(reader.parse_line(line.encode("utf-8"), 1, "x.jsonl"))
    assert record.values["pladser"] == 999999999999999
    assert record.values["ydelser"][0]["takst"] == Decimal("999999999999999.999999999999")
