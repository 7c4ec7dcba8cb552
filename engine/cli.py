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

from ..dsl.errors import RammeaftaleError
from . import fmt
from .evaluate import evaluate_subject
from .explain import Explainer
from .facts import check_readings, facts_schema, load_facts, not_a_mapping
from .periods import compiled_periods, default_rules_dir, load_all, select
from .schema import packaged_schema
from .sources import find_sources_dir, provision_sources, quote_error
from .yamlsafe import load_file


LABELS = {
    "da": {"condition": "Betingelser", "why_not": "Hvorfor ikke", "flags": "Flag", "sources": "Kilder", "inputs": "Værdier",
           "tried": "Prøvet før", "errors": "fejl", "ok": "Alle regelfiler er i orden", "periods": "perioder",
           "provisions": "bestemmelser", "quotes_ok": "citater kontrolleret mod kilderne", "no_sources": "kildeteksterne blev ikke fundet; citater er ikke kontrolleret",
           "not_evaluated": "ikke vurderet (betingelsen var allerede afgjort)"},
    "en": {"condition": "Conditions", "why_not": "Why not", "flags": "Flags", "sources": "Sources", "inputs": "Values",
           "tried": "Tried first", "errors": "errors", "ok": "All rule files are fine", "periods": "periods",
           "provisions": "provisions", "quotes_ok": "quotes checked against the sources", "no_sources": "the source texts were not found; quotes not checked",
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
        sub.add_argument("--rules", type=Path, default=None, help="regelmappe (standard: de medfølgende regler)")
        sub.add_argument("--lang", choices=["da", "en"], default="da")

    evaluate = commands.add_parser("evaluate", help="afgør og forklar for fakta i en eller flere filer")
    evaluate.add_argument("facts", nargs="+", help="faktafiler (YAML eller JSON)")
    evaluate.add_argument("--period", help="periode, fx 2018")
    evaluate.add_argument("--region", help="region, fx syddanmark")
    evaluate.add_argument("--date", help="dato (ÅÅÅÅ-MM-DD) der vælger periode og gældende parametre")
    evaluate.add_argument("--decision", action="append", help="kun denne afgørelse (kan gentages)")
    evaluate.add_argument("--reading", action="append", default=[], metavar="ID=VALG",
                          help="vælg en anden læsning af en tvetydig bestemmelse (kan gentages)")
    evaluate.add_argument("--format", choices=["text", "json"], default="text")
    common(evaluate)

    check = commands.add_parser("check", help="kontrollér alle regelfiler og citater")
    check.add_argument("--format", choices=["text", "json"], default="text")
    check.add_argument("--sources", help="mappe med kildeteksterne (standard: ../shared/seeds)")
    common(check)

    periods = commands.add_parser("periods", help="vis perioderne")
    periods.add_argument("--format", choices=["text", "json"], default="text")
    common(periods)

    schema = commands.add_parser("schema", help="skriv JSON Schema for regelfiler eller faktafiler")
    schema.add_argument("kind", choices=["rules", "facts"])
    schema.add_argument("--period")
    schema.add_argument("--region")
    common(schema)
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


def _subject_types(paths: list[str]) -> set[str]:
    """The subject types the facts files name (their top-level lists), to find the region when none is given."""
    found = set()
    for path in paths:
        data, _ = load_file(path)
        if not isinstance(data, dict):
            raise not_a_mapping(path)
        found |= {key for key in data if key not in ("readings", "date")}
    return found


def _dump(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


# -- evaluate -------------------------------------------------------------------------------------------
def cmd_evaluate(args, out: Console) -> int:
    root = args.rules or default_rules_dir()
    day = _date(args.date)
    if not args.period and day is None:
        raise UsageError("angiv --period eller --date" if args.lang == "da" else "give --period or --date")
    compiled = select(root, args.period, args.region, day, _subject_types(args.facts))
    period = compiled.period
    cli_readings = _readings(args.reading)
    check_readings(cli_readings, period, None, None)
    unknown = set(args.decision or []) - {name for subject in period.subjects.values() for name in subject.decisions}
    if unknown:
        raise UsageError(f"ukendt afgørelse: {', '.join(sorted(unknown))}")
    subjects, problems = [], 0
    for path in args.facts:
        for record in load_facts(path, period):
            readings = {**compiled.default_readings(), **record.readings, **cli_readings}
            check_readings(record.readings, period, record.file, record.line)
            compiled_subject = compiled.subjects[record.type]
            only = set(args.decision) if args.decision else None
            results, env = evaluate_subject(compiled_subject, record.values, readings, record.date or day or period.valid_from, only)
            explainer = Explainer(compiled_subject, period, args.lang)
            decisions = {name: explainer.explain(result, env) for name, result in results.items()}
            problems += sum(1 for result in results.values() if result.error is not None)
            subjects.append({"type": record.type, "id": record.id, "name": record.values.get("navn"), "file": record.file,
                             "readings": readings, "decisions": decisions})
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
        tree = Tree(f"[bold]{escape(subject['type'])} {escape(subject['id'])}{escape(name)}[/bold]")
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
        for provision_id, title, sources, file, line in provision_sources(period):
            checked = []
            for source in sources:
                problem = quote_error(provision_id, source, sources_dir, file, line) if sources_dir else None
                if problem:
                    errors.append(problem)
                checked.append({**source.as_json(), "verified": None if sources_dir is None else problem is None})
            provisions.append({"id": provision_id, "title": title[args.lang], "status": "confirmed", "sources": checked})
        listed.append({"region": period.region, "period": period.id, "valid_from": period.valid_from.isoformat(),
                       "valid_to": period.valid_to.isoformat(), "extends": period.extends, "rules_digest": period.digest,
                       "provisions": provisions})
    if args.format == "json":
        out.file.write(_dump({"format": "rammeaftale.check/1", "ok": not errors,
                              "errors": [error.as_json(args.lang) for error in errors],
                              "sources_dir": str(sources_dir) if sources_dir else None, "periods": listed}) + "\n")
    else:
        labels = LABELS[args.lang]
        for error in errors:
            out.print(f"[red]{escape(error.render(args.lang))}[/red]")
        for item in listed:
            out.print(f"{item['region']} {item['period']} ({item['valid_from']} – {item['valid_to']}): "
                      f"{len(item['provisions'])} {labels['provisions']}")
        out.print(labels["quotes_ok"] if sources_dir else f"[yellow]{labels['no_sources']}[/yellow]")
        out.print(f"[red]{len(errors)} {labels['errors']}[/red]" if errors else f"[green]{labels['ok']}[/green]")
    return 1 if errors else 0


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
    if args.kind == "rules":
        out.file.write(_dump(packaged_schema("rule-file.schema.json")) + "\n")
    else:
        if not args.period:
            raise UsageError("angiv --period" if args.lang == "da" else "give --period")
        compiled = select(args.rules or default_rules_dir(), args.period, args.region)
        out.file.write(_dump(facts_schema(compiled.period)) + "\n")
    return 0


COMMANDS = {"evaluate": cmd_evaluate, "check": cmd_check, "periods": cmd_periods, "schema": cmd_schema}


def main(argv: list[str] | None = None) -> int:
    out = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    lang = "en" if argv and "--lang" in argv and argv[argv.index("--lang") + 1:][:1] == ["en"] else "da"
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
