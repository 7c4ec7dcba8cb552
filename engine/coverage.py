"""Rule coverage of the test cases: which rules decided, which conditions were seen both true and false,
which decision-table rows matched — per period.

Only the decisions a case asserts on count (a rule that merely ran, with nobody checking its answer, is not
tested). Conditions are the atoms (comparisons, membership, boolean facts) and every og/eller node of each
rule's `when`, read from the traces evaluate_subject records for the deciding rule, the rules tried before
it and the rules traced for why-not.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from ..dsl.ast import Node
from ..dsl.tracer import Trace
from . import fmt
from .periods import compiled_periods

TEXT = {
    "da": {"title": "Dækning {key} ({n} tilfælde)", "none": "Dækning {key}: ingen tilfælde", "rules": "regler der afgjorde",
           "conditions": "betingelser set både sand og falsk", "table_rows": "tabelrækker der ramte",
           "missed": "regler der aldrig afgjorde", "inherited": "arvet fra {period}",
           "own_rules": "periodens egne regler der afgjorde (det --min måler)",
           "no_own_rules": "ingen egne regler (alle er arvet)"},
    "en": {"title": "Coverage {key} ({n} cases)", "none": "Coverage {key}: no cases", "rules": "rules that decided",
           "conditions": "conditions seen both true and false", "table_rows": "table rows that matched",
           "missed": "rules that never decided", "inherited": "inherited from {period}",
           "own_rules": "the period's own rules that decided (what --min measures)",
           "no_own_rules": "no rules of its own (all inherited)"},
}


def condition_nodes(node: Node):
    """The nodes of a `when` that coverage counts, in the order the tracer walks them."""
    kind = node.kind
    if kind in ("and", "or"):
        yield node
        for child in node.children:
            yield from condition_nodes(child)
    elif kind == "not":
        yield from condition_nodes(node.children[0])
    elif kind == "if":
        for child in node.children:
            yield from condition_nodes(child)
    elif kind != "bool":                  # a constant (`sand`, a table row of only '-') can never go both ways
        yield node


def _seen(result: Trace, seen: dict) -> None:
    kind = result.node.kind
    if kind in ("and", "or"):
        seen.setdefault(id(result.node), set()).add(bool(result.value))
        for child in result.children:
            _seen(child, seen)
    elif kind in ("not", "if"):
        for child in result.children:
            _seen(child, seen)
    elif kind != "bool":
        seen.setdefault(id(result.node), set()).add(bool(result.value))


def _percent(covered: int, total: int) -> str | None:
    if not total:
        return None
    return str((Decimal(covered * 100) / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _rule_entry(rule, subject: str, decision: str) -> dict:
    entry = {"id": rule.id, "subject": subject, "decision": decision, "file": rule.file, "line": rule.line}
    if rule.table_row is not None:
        entry["table_row"] = rule.table_row
    inherited = getattr(rule, "inherited_from", None)
    if inherited:
        entry["inherited_from"] = inherited
    return entry


def report(results, rules_root: Path, lang: str = "da") -> dict:
    """{"<region>/<period>": {"cases", "rules", "conditions", "table_rows"}} for every period of the rules."""
    decided: dict[str, set[int]] = {}
    seen: dict[str, dict] = {}
    cases: dict[str, int] = {}
    for result in results:
        key = result.case.period_key
        cases[key] = cases.get(key, 0) + 1
        period_seen = seen.setdefault(key, {})
        for decision in result.results.values():
            if decision.rule is not None:
                decided.setdefault(key, set()).add(id(decision.rule.rule))
            traced = {id(item.rule): item for item in decision.tried + decision.others}
            for item in traced.values():
                _seen(item.trace, period_seen)
    document = {}
    for (region, period_id), compiled in sorted(compiled_periods(rules_root).items()):
        key = f"{region}/{period_id}"
        rules, rows, conditions = [], [], []
        for subject_name, subject in sorted(compiled.period.subjects.items()):
            for decision_name, decision in subject.decisions.items():
                for rule in decision.rules:
                    hit = id(rule) in decided.get(key, ())
                    rules.append((rule, subject_name, decision_name, hit))
                    if rule.table_row is not None:
                        rows.append((rule, subject_name, decision_name, hit))
                    for node in condition_nodes(rule.when.node):
                        conditions.append((rule, node, seen.get(key, {}).get(id(node), set())))
        covered_conditions = sum(1 for _, _, values in conditions if values == {True, False})
        document[key] = {
            "cases": cases.get(key, 0),
            "rules": _section(rules),
            # an inherited rule is the rule of the period that wrote it: --min holds a period to its own rules
            "own_rules": _section([item for item in rules if not getattr(item[0], "inherited_from", None)]),
            "table_rows": _section(rows),
            "conditions": {"covered": covered_conditions, "total": len(conditions), "percent": _percent(covered_conditions, len(conditions)),
                           "missed": [{"rule": rule.id, "text": node.text, "file": rule.when.file, "line": rule.when.line,
                                       "seen": sorted(values)} for rule, node, values in conditions if values != {True, False}]},
        }
    return document


def _section(items) -> dict:
    covered = sum(1 for *_, hit in items if hit)
    missed = sorted((_rule_entry(rule, subject, decision) for rule, subject, decision, hit in items if not hit),
                    key=lambda entry: (entry["file"], entry["line"], entry["id"]))
    return {"covered": covered, "total": len(items), "percent": _percent(covered, len(items)), "missed": missed}


def below_minimum(document: dict, minimum, lang: str = "da") -> list[tuple[str, str]]:
    """Periods with at least one case whose coverage of their own rules (not inherited ones, which are covered in
    the period that wrote them) is under `minimum` percent: (key, shown percent)."""
    found = []
    for key, item in document.items():
        rules = item["own_rules"]
        if item["cases"] and rules["total"] and rules["covered"] * 100 < Decimal(minimum) * rules["total"]:
            found.append((key, fmt.number(Decimal(rules["percent"]), lang)))
    return found


def _ratio(section: dict, lang: str) -> str:
    if section["percent"] is None:
        return f"{section['covered']}/{section['total']}"
    shown = fmt.number(Decimal(section["percent"]), lang)
    return f"{section['covered']}/{section['total']} ({shown} %)" if lang == "da" else f"{section['covered']}/{section['total']} ({shown}%)"


def text_lines(document: dict, lang: str = "da") -> list[str]:
    words = TEXT[lang]
    lines = []
    for key, item in document.items():
        if not item["cases"]:
            lines.append(words["none"].format(key=key))
            continue
        lines.append(words["title"].format(key=key, n=item["cases"]))
        for section in ("rules", "own_rules", "conditions", "table_rows"):
            if section == "own_rules" and not item["own_rules"]["total"] and item["rules"]["total"]:
                lines.append(f"  {words['no_own_rules']}")      # not "0/0": --min has nothing to measure here
            elif section != "own_rules" or item["own_rules"]["total"] != item["rules"]["total"]:
                lines.append(f"  {words[section]}: {_ratio(item[section], lang)}")
        # a later period lists only its own rules: an inherited one is listed where it was written
        missed = item["own_rules"]["missed"] if item["own_rules"]["total"] != item["rules"]["total"] else item["rules"]["missed"]
        if missed:
            lines.append(f"  {words['missed']}:")
            for entry in missed:
                inherited = f" ({words['inherited'].format(period=entry['inherited_from'])})" if entry.get("inherited_from") else ""
                lines.append(f"    {entry['id']}  {entry['file']}:{entry['line']}{inherited}")
    return lines
