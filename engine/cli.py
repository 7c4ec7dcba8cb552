"""The `rammeaftale` command: evaluate, check, periods, schema.

Exit codes: 0 all well, 1 findings or errors in the input, 2 wrong use of the command.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.tree import Tree

from ..dsl.errors import ErrorList, RammeaftaleError
from . import fmt
from .periods import compiled_periods, default_rules_dir, latest, load_all, select
from .sources import find_sources_dir, provision_list, quote_error, status_of
from .analysis import summary_lines
from .rulecache import cached_analysis


LABELS = {
    "da": {"condition": "Betingelser", "why_not": "Hvorfor ikke", "flags": "Flag", "sources": "Kilder", "inputs": "Værdier",
           "tried": "Prøvet før", "errors": "fejl", "ok": "Alle regelfiler er i orden", "periods": "perioder",
           "provisions": "bestemmelser", "inherited": "arvet og ikke verificeret, via", "quotes_ok": "citater kontrolleret mod kilderne", "no_sources": "kildeteksterne blev ikke fundet; citater er ikke kontrolleret",
           "not_evaluated": "ikke vurderet (betingelsen var allerede afgjort)"},
    "en": {"condition": "Conditions", "why_not": "Why not", "flags": "Flags", "sources": "Sources", "inputs": "Values",
           "tried": "Tried first", "errors": "errors", "ok": "All rule files are fine", "periods": "periods",
           "provisions": "provisions", "inherited": "inherited and unverified, via", "quotes_ok": "quotes checked against the sources", "no_sources": "the source texts were not found; quotes not checked",
           "not_evaluated": "not evaluated (the condition was already settled)"},
}


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="rammeaftale", description="Rammeaftaler som regler: forklarede afgørelser efter styringsaftalen.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def common(sub):
        sub.add_argument("--rules", type=Path, default=None, help="regelmappe (standard: ./rules hvis arbejdsmappen har en, ellers de medfølgende regler)")
        sub.add_argument("--lang", choices=["da", "en"], default="da")

    evaluate = commands.add_parser("evaluate", help="afgør og forklar for fakta i en eller flere filer")
    evaluate.add_argument("facts", nargs="+", help="faktafiler (YAML, JSON eller JSON Lines: .jsonl); '-' er standard input")
    evaluate.add_argument("--input", choices=["auto", "yaml", "json", "jsonl"], default="auto",
                          help="faktafilernes form (standard: efter endelsen; '-' genkendes på første linje)")
    evaluate.add_argument("--period", help="periode, fx 2018")
    evaluate.add_argument("--region", help="region, fx syddanmark")
    evaluate.add_argument("--date", help="dato (ÅÅÅÅ-MM-DD) der vælger periode og gældende parametre")
    evaluate.add_argument("--decision", action="append", help="kun denne afgørelse (kan gentages)")
    evaluate.add_argument("--reading", action="append", default=[], metavar="ID=VALG",
                          help="vælg en anden læsning af en tvetydig bestemmelse (kan gentages)")
    evaluate.add_argument("--format", choices=["text", "json", "jsonl"], default="text",
                          help="jsonl: én linje pr. emne, skrevet efterhånden (rammeaftale.result-stream/1)")
    common(evaluate)

    check = commands.add_parser("check", help="kontrollér alle regelfiler og citater")
    check.add_argument("--format", choices=["text", "json"], default="text")
    check.add_argument("--sources", help="mappe med kildeteksterne (standard: ../shared/seeds)")
    check.add_argument("--strict", action="store_true", help="fejl (kode 1) også ved advarsler fra analysen af afgørelserne")
    common(check)

    periods = commands.add_parser("periods", help="vis perioderne")
    periods.add_argument("--format", choices=["text", "json"], default="text")
    common(periods)

    schema = commands.add_parser("schema", help="skriv JSON Schema for regelfiler eller faktafiler")
    schema.add_argument("kind", choices=["rules", "facts"])
    schema.add_argument("--period")
    schema.add_argument("--region")
    common(schema)

    test = commands.add_parser("test", help="kør testtilfælde (fixtures/cases) og golden-øjebliksbilleder (fixtures/golden)")
    test.add_argument("paths", nargs="*", metavar="PATHS", help="tilfældefiler eller mapper (standard: fixtures/cases; så køres golden også)")
    test.add_argument("--golden", action="store_true", help="kør også golden-øjebliksbillederne når PATHS er angivet")
    test.add_argument("--update", action="store_true", help="skriv golden-øjebliksbillederne på ny og vis de ændringer der accepteres")
    test.add_argument("--coverage", action="store_true", help="vis hvilke regler, betingelser og tabelrækker tilfældene dækker")
    test.add_argument("--min", type=int, metavar="N", help="fejl hvis regeldækningen i en periode med tilfælde er under N %% (medfører --coverage)")
    test.add_argument("--fixtures", type=Path, default=None, help="fixtures-mappen (standard: fixtures i arbejdsmappen)")
    test.add_argument("--format", choices=["text", "json"], default="text")
    common(test)
    diff = commands.add_parser("diff", help="vis hvad periode B ændrer i forhold til A: bestemmelser, parametre, status og afgørelser")
    diff.add_argument("a", metavar="A", help="den tidligere periode, fx 2021-22")
    diff.add_argument("b", metavar="B", help="den nye periode, fx 2023-24")
    diff.add_argument("--region", help="region (standard: den eneste region der har begge perioder)")
    diff.add_argument("--fixtures", type=Path, default=None, help="mappe med faktafiler (standard: fixtures/<region>)")
    diff.add_argument("--format", choices=["text", "json", "md"], default="text")
    common(diff)
    new = commands.add_parser("new-period", help="begynd næste aftaleperiode: en mappe der bygger på en periode, og en tjekliste")
    new.add_argument("id", help="den nye periodes id, fx 2025-26")
    new.add_argument("--from", dest="from_period", required=True, help="perioden den bygger på, fx 2023-24")
    new.add_argument("--region", help="region, fx syddanmark")
    common(new)
    bench = commands.add_parser("bench", help="mål afgørelser pr. sekund: motoren, med forklaring, håndskrevet og andre regelmotorer")
    bench.add_argument("--n", type=int, default=20000, help="antal syntetiske tilbud (standard: 20000)")
    bench.add_argument("--seed", type=int, default=1, help="frø til de syntetiske tilbud (standard: 1)")
    bench.add_argument("--repeat", type=int, default=3, help="målinger pr. motor; den bedste tæller (standard: 3)")
    bench.add_argument("--format", choices=["text", "json"], default="text")
    common(bench)
    return parser


def _date(text: str | None) -> datetime.date | None:
    if text is None:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"ugyldig dato '{text}' (skriv ÅÅÅÅ-MM-DD)") from None


def _readings(pairs: list[str]) -> dict:
    readings = {}
    for pair in pairs:
        if "=" not in pair:
            raise UsageError(f"--reading skal være ID=VALG, fik '{pair}'")
        key, _, value = pair.partition("=")
        readings[key.strip()] = value.strip()
    return readings


def _dump(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


# -- evaluate -------------------------------------------------------------------------------------------
def cmd_evaluate(args, out: Console) -> int:
    from . import stream
    from .facts import check_readings
    root = args.rules or default_rules_dir()
    day = _date(args.date)
    sources = stream.open_sources(args.facts, args.input)   # '-' and JSON Lines are read as they are evaluated
    kinds = set().union(*(source.subject_types() for source in sources))
    # --period fixes the period; otherwise each record's date (or --date) picks the period that covers it
    compiled = select(root, args.period, args.region, day, kinds) if args.period or day else latest(root, args.region, kinds)
    period = compiled.period
    cli_readings = _readings(args.reading)
    check_readings(cli_readings, period, None, None)
    unknown = set(args.decision or []) - {name for subject in period.subjects.values() for name in subject.decisions}
    if unknown:
        raise UsageError(f"ukendt afgørelse: {', '.join(sorted(unknown))}")
    evaluator = stream.Evaluator(root, compiled, args.period, day, cli_readings, args.decision, args.lang)
    # a progress bar only on a real terminal, and not while JSON Lines are written to that terminal
    err = Console(stderr=True) if sys.stderr.isatty() and not (args.format == "jsonl" and sys.stdout.isatty()) else None
    if args.format == "jsonl":
        return stream.write_stream(evaluator, sources, out.file, err)
    subjects, problems = [], 0
    reader = stream.RecordReader(period)
    meter = stream.Meter(err, sources, args.lang)
    try:
        for source in sources:
            for record in source.records(reader):
                try:
                    subject, failed = evaluator.evaluate(record)
                except stream.NoDate as error:
                    raise UsageError(error.usage(args.lang)) from None
                problems += failed
                subjects.append(subject)
                meter.tick(len(subjects))
    finally:
        meter.close()
    if args.format == "json":
        document = {"format": "rammeaftale.result/1", "region": period.region, "period": period.id,
                    "rules_digest": period.digest, "subjects": [_plain_subject(subject) for subject in subjects]}
        out.file.write(_dump(document) + "\n")
    else:
        _print_subjects(out, subjects, period, args.lang)
    return 1 if problems else 0


def _plain_subject(subject: dict) -> dict:
    subject = {key: value for key, value in subject.items() if key != "name"}
    return fmt.plain(subject)


def _print_subjects(out: Console, subjects: list, period, lang: str):
    labels = LABELS[lang]
    rules_word = "regler" if lang == "da" else "rules"
    out.print(f"[bold]{escape(period.title[lang])}[/bold] ({period.region} {period.id}, {rules_word} {period.digest[:12]})")
    for subject in subjects:
        name = f" — {subject['name']}" if subject.get("name") else ""
        other = f" [{'periode' if lang == 'da' else 'period'} {subject['period']}, {subject['date'].isoformat()}]" \
            if subject["period"] != period.id else ""
        tree = Tree(f"[bold]{escape(subject['type'])} {escape(subject['id'])}{escape(name)}[/bold]{escape(other)}")
        for answer in subject["decisions"].values():
            branch = tree.add(escape(answer["explanation"]["summary"]))
            rule = answer["explanation"]["rule"]
            if rule:
                _add_condition(branch.add(labels["condition"]), rule["condition"], labels)
            if answer["explanation"].get("inputs"):
                inputs = branch.add(labels["inputs"])
                for item in answer["explanation"]["inputs"].values():
                    inputs.add(escape(f"{item['title']}: {item['shown']}"))
            if answer["why_not"]:
                why = branch.add(labels["why_not"])
                for entry in answer["why_not"]:
                    rule_id = f" ({entry['rule']})" if entry["rule"] else ""
                    why.add(escape(f"{entry['label']}{rule_id}: " + "; ".join(entry["reasons"])))
            if answer["flags"]:
                flags = branch.add(labels["flags"])
                for flag in answer["flags"]:
                    flags.add(f"[yellow]{escape(flag['code'])}[/yellow] {escape(flag['text'])}")
            if answer["sources"]:
                sources = branch.add(labels["sources"])
                for source in answer["sources"]:
                    sources.add(escape(f"{source['document']} L{source['lines'][0]}-{source['lines'][1]}: »{source['quote']}«"))
        out.print(tree)


def _add_condition(branch, item: dict, labels):
    if "children" in item:
        node = branch.add(f"{escape(item['op'])}: {'✓' if item['result'] else '✗'}")
        for child in item["children"]:
            _add_condition(node, child, labels)
        for text in item.get("not_evaluated", []):
            node.add(f"[dim]{escape(text)}: {labels['not_evaluated']}[/dim]")
    else:
        branch.add(escape(item["sentence"]))


# -- check ----------------------------------------------------------------------------------------------
def cmd_check(args, out: Console) -> int:
    root = args.rules or default_rules_dir()
    periods, errors = load_all(root)
    sources_dir = find_sources_dir(args.sources)
    listed = []
    for period in sorted(periods, key=lambda item: (item.region, item.valid_from)):
        provisions = []
        for provision in provision_list(period):
            checked = []
            for source in provision.sources:
                problem = quote_error(provision.id, source, sources_dir, provision.file, provision.line) if sources_dir else None
                if problem and not any(problem.message == known.message for known in errors):
                    errors.append(problem)   # an inherited quote is wrong once, not once per period that carries it
                checked.append({**source.as_json(), "verified": None if sources_dir is None else problem is None})
            entry = {"id": provision.id, "kind": provision.kind, "title": provision.title[args.lang], "status": provision.status,
                     "inherited_from": provision.inherited_from, "file": provision.file, "line": provision.line,
                     "sources": checked}
            if provision.values:
                entry["values"] = [{"from": value["from"], "status": status_of(value["inherited_from"]),
                                    "inherited_from": value["inherited_from"]} for value in provision.values]
            provisions.append(entry)
        inherited = sum(1 for item in provisions if item["status"] != "confirmed")
        listed.append({"region": period.region, "period": period.id, "valid_from": period.valid_from.isoformat(),
                       "valid_to": period.valid_to.isoformat(), "extends": period.extends, "rules_digest": period.digest,
                       "gap_before": None if period.gap_before is None else
                       {"from": period.gap_before["from"].isoformat(), "to": period.gap_before["to"].isoformat(),
                        "why": period.gap_before["why"][args.lang]},
                       "documents": [document["file"] for document in period.documents],
                       "counts": {"provisions": len(provisions), "confirmed": len(provisions) - inherited,
                                  "inherited_unverified": inherited},
                       "provisions": provisions})
    # gaps, overlaps, unreachable rules, unused names: reported, never an error unless --strict
    analysis = cached_analysis(periods, args.lang)   # the same rule files and code: the same findings
    warned = any(item["severity"] == "warning" for item in analysis)
    if args.format == "json":
        out.file.write(_dump({"format": "rammeaftale.check/1", "ok": not errors,
                              "errors": [error.as_json(args.lang) for error in errors],
                              "sources_dir": str(sources_dir) if sources_dir else None, "periods": listed,
                              "analysis": fmt.plain(analysis)}) + "\n")
    else:
        labels = LABELS[args.lang]
        for error in errors:
            out.print(f"[red]{escape(error.render(args.lang))}[/red]")
        for item in listed:
            counts = item["counts"]
            inherited = (f" ({counts['inherited_unverified']} {labels['inherited']} {item['extends']})"
                         if counts["inherited_unverified"] else "")
            out.print(f"{item['region']} {item['period']} ({item['valid_from']} – {item['valid_to']}): "
                      f"{counts['provisions']} {labels['provisions']}{inherited}")
        out.print(labels["quotes_ok"] if sources_dir else f"[yellow]{labels['no_sources']}[/yellow]")
        for line in summary_lines(analysis, args.lang):
            out.print(escape(line))
        out.print(f"[red]{len(errors)} {labels['errors']}[/red]" if errors else f"[green]{labels['ok']}[/green]")
    return 1 if errors or (args.strict and warned) else 0


def cmd_periods(args, out: Console) -> int:
    compiled = compiled_periods(args.rules or default_rules_dir())
    rows = [{"region": item.period.region, "period": item.period.id, "valid_from": item.period.valid_from.isoformat(),
             "valid_to": item.period.valid_to.isoformat(), "extends": item.period.extends, "title": item.period.title[args.lang],
             "subjects": sorted(item.period.subjects),
             "readings": {reading.id: {"title": reading.title[args.lang], "default": reading.default,
                                       "options": {key: text[args.lang] for key, text in reading.options.items()}}
                          for reading in sorted(item.period.readings.values(), key=lambda entry: entry.id)}}
            for item in sorted(compiled.values(), key=lambda entry: (entry.period.region, entry.period.valid_from))]
    if args.format == "json":
        out.file.write(_dump(rows) + "\n")
    else:
        for row in rows:
            out.print(f"[bold]{row['region']} {row['period']}[/bold]  {row['valid_from']} – {row['valid_to']}  {escape(row['title'])}")
            out.print("  " + ("emner" if args.lang == "da" else "subjects") + ": " + ", ".join(row["subjects"]))
            for reading_id, reading in row["readings"].items():
                others = [option for option in reading["options"] if option != reading["default"]]
                out.print(f"  --reading {reading_id}={'|'.join(others)}  ({escape(reading['title'])}; "
                          f"{'standard' if args.lang == 'da' else 'default'}: {reading['default']})")
    return 0


def cmd_schema(args, out: Console) -> int:
    from .facts import facts_schema
    from .schema import packaged_schema
    if args.kind == "rules":
        out.file.write(_dump(packaged_schema("rule-file.schema.json")) + "\n")
    else:
        if not args.period:
            raise UsageError("angiv --period" if args.lang == "da" else "give --period")
        compiled = select(args.rules or default_rules_dir(), args.period, args.region)
        out.file.write(_dump(facts_schema(compiled.period)) + "\n")
    return 0


def cmd_new_period(args, out: Console) -> int:
    root = args.rules
    if root is None:  # never write into the installed package: the checkout's rules/ folder, or say where
        if not Path("rules").is_dir():
            raise UsageError("angiv regelmappen med --rules (fx --rules rules)" if args.lang == "da"
                             else "give the rules folder with --rules (e.g. --rules rules)")
        root = Path("rules")
    from .scaffold import new_period
    folder, count = new_period(root, args.id, args.from_period, args.region)
    if args.lang == "da":
        out.print(f"Oprettet {folder}/period.yaml (bygger på {args.from_period}) og {folder}/CHECKLIST.md "
                  f"med {count} arvede bestemmelser at bekræfte.", soft_wrap=True)
        out.print(f"Næste skridt: rammeaftale check --rules {root}")
    else:
        out.print(f"Created {folder}/period.yaml (extends {args.from_period}) and {folder}/CHECKLIST.md "
                  f"with {count} inherited provisions to confirm.", soft_wrap=True)
        out.print(f"Next: rammeaftale check --rules {root}")
    return 0


def cmd_test(args, out: Console) -> int:
    from .cases import cmd_test as run   # each command imports what only it needs: `check` starts faster
    return run(args, out)


def cmd_diff(args, out: Console) -> int:
    from .diff import cmd_diff as run
    return run(args, out)


def cmd_bench(args, out: Console) -> int:
    from .bench import cmd_bench as run
    return run(args, out)


COMMANDS = {"new-period": cmd_new_period, "evaluate": cmd_evaluate, "check": cmd_check, "periods": cmd_periods, "schema": cmd_schema, "test": cmd_test, "diff": cmd_diff, "bench": cmd_bench}


def main(argv: list[str] | None = None) -> int:
    out = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    lang = "en" if argv and "--lang" in argv and argv[argv.index("--lang") + 1:][:1] == ["en"] else "da"
    args = None
    try:
        args = _parser().parse_args(argv)
        lang = getattr(args, "lang", lang)
        return COMMANDS[args.command](args, out)
    except UsageError as error:
        err.print(f"rammeaftale: {escape(str(error))}\n(se 'rammeaftale --help')" if lang == "da"
                  else f"rammeaftale: {escape(str(error))}\n(see 'rammeaftale --help')")
        return 2
    except RammeaftaleError as error:
        err.print(f"[red]{escape(error.render(lang))}[/red]")
        if getattr(args, "format", None) == "json":  # a program reading stdout gets the errors as JSON too
            errors = error.errors if isinstance(error, ErrorList) else [error]
            out.file.write(_dump({"format": "rammeaftale.error/1", "ok": False,
                                  "errors": [item.as_json(lang) for item in errors]}) + "\n")
        elif getattr(args, "format", None) == "jsonl":  # before the stream began: error lines, as inside it
            from . import stream
            out.file.write(stream.error_lines(error.errors if isinstance(error, ErrorList) else [error], lang))
        return 1
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a bug of ours: say so plainly, no traceback unless asked for
        if os.environ.get("RAMMEAFTALE_DEBUG"):
            raise
        err.print(f"[red]intern fejl i rammeaftale: {type(error).__name__}: {escape(str(error))}[/red]\n"
                  "(sæt RAMMEAFTALE_DEBUG=1 for detaljer, og meld fejlen)")
        return 1


if __name__ == "__main__":
    sys.exit(main())
