"""`rammeaftale diff A B`: what a new agreement period changes, before it is signed.

Two parts. The rule diff compares the provisions of period A and period B of one region: added, removed and
changed provisions (their content: conditions, outcomes, table cells, sources, notes, titles; for parameters the
values in force in each period; for statements their text and items), parameters old → new by date, provenance
(confirmed in one, inherited-unverified in the other), readings and the validity of both periods. The decision diff
evaluates every facts file under the fixtures folder under A and under B and reports every subject decision whose
value or deciding rule changes, with both explanations.

Output: text (for the terminal), json (`rammeaftale.diff/1`, deterministic, every item) and md (a changelog for
caseworkers; long lists summarised by counts with a few examples).
"""
from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from ..dsl.errors import ErrorList, RammeaftaleError
from . import fmt
from .compile import CompiledPeriod
from .evaluate import evaluate_subject
from .explain import Explainer
from .fixtures import FactsFiles, evaluation_days, facts_files
from .model import Period
from .periods import compiled_periods, default_rules_dir
from .sources import provision_list, status_of

FORMAT = "rammeaftale.diff/1"
KINDS = ["statement", "reading", "subject", "fact", "parameter", "derived", "decision", "rule", "override"]
EXAMPLES = 5                              # md/text: how many examples a long list shows
ITEMS_SHOWN = 30                          # md/text: list items (annexes, lovgrundlag) shown before "and N more"


# -- choosing the periods ---------------------------------------------------------------------------------
def resolve(compiled: dict, a_id: str, b_id: str, region: str | None) -> list[tuple[str, CompiledPeriod, CompiledPeriod]]:
    """[(region, A, B)]: for --region that region; without it every region that has both ids (or the only region
    there is, which then names the period it lacks)."""
    by_region: dict[str, dict[str, CompiledPeriod]] = {}
    for (name, period_id), item in compiled.items():
        by_region.setdefault(name, {})[period_id] = item
    regions = sorted(by_region)

    def ids(name):
        return ", ".join(item.period.id for item in sorted(by_region[name].values(), key=lambda entry: entry.period.valid_from))

    if region is not None:
        if region not in by_region:
            raise RammeaftaleError("CLI002", f"ukendt region '{region}'", message_en=f"unknown region '{region}'",
                                   hint="regioner: " + ", ".join(regions), hint_en="regions: " + ", ".join(regions))
        chosen = [region]
    else:
        chosen = [name for name in regions if a_id in by_region[name] and b_id in by_region[name]]
        if not chosen and len(regions) == 1:
            chosen = regions                      # the one region: the check below names the period it lacks
        elif not chosen:
            raise RammeaftaleError("CLI003", f"ingen region har både periode '{a_id}' og '{b_id}'",
                                   message_en=f"no region has both period '{a_id}' and '{b_id}'",
                                   hint="; ".join(f"{name}: {ids(name)}" for name in regions),
                                   hint_en="; ".join(f"{name}: {ids(name)}" for name in regions))
    for name in chosen:
        for period_id in (a_id, b_id):
            if period_id not in by_region[name]:
                raise RammeaftaleError("CLI003", f"ukendt periode '{period_id}' for {name}",
                                       message_en=f"unknown period '{period_id}' for {name}", hint="perioder: " + ids(name),
                                       hint_en="periods: " + ids(name))
    return [(name, by_region[name][a_id], by_region[name][b_id]) for name in chosen]


# -- the rule diff ----------------------------------------------------------------------------------------
def _sources(sources) -> list[dict]:
    return [source.as_json() for source in sources]


def _interpretation(item) -> dict | None:
    if item is None:
        return None
    return {"chosen": item.chosen, "alternative": item.alternative, "why": item.why, "reading": item.reading}


def in_force(parameter, period: Period) -> list[dict]:
    """The parameter's dated values in force at some day of the period: [{from, value, sources, gap, inherited_from}]."""
    return [{"from": start.isoformat(), "value": fmt.plain(value),
             "sources": _sources(parameter.value_sources.get(start, parameter.sources)),
             "gap": parameter.value_gaps.get(start), "inherited_from": parameter.inherited_from.get(start)}
            for start, value in parameter.in_force(period.valid_from, period.valid_to)]


def inventory(period: Period) -> dict[tuple[str, str], dict]:
    """Everything in a period whose change matters, keyed (kind, id); statements by their topic (the id without the
    period prefix), so syd2018.rammeaftale.bilag and syd2122.rammeaftale.bilag are the same provision."""
    items: dict[tuple[str, str], dict] = {}

    def add(kind, key, title, content, subject=None, inherited_from=None, extra=None):
        items[(kind, key)] = {"kind": kind, "id": key, "subject": subject, "title": title, "content": fmt.plain(content),
                              "inherited_from": inherited_from, **(extra or {})}

    for statement in period.statements:
        add("statement", statement.topic, statement.title,
            {"title": statement.title, "text": statement.text, "items": statement.items, "sources": _sources(statement.sources)},
            inherited_from=statement.inherited_from, extra={"statement_id": statement.id})
    for reading in period.readings.values():
        add("reading", reading.id, reading.title,
            {"title": reading.title, "default": reading.default, "options": reading.options, "sources": _sources(reading.sources)},
            inherited_from=reading.inherited_from)
    for subject in period.subjects.values():
        add("subject", subject.name, subject.title, {"title": subject.title})
        for name, fact in subject.facts.items():
            add("fact", f"{subject.name}.{name}", fact.title, {"spec": dict(fact.spec)}, subject.name)
        for name, parameter in subject.parameters.items():
            values = in_force(parameter, period)
            origin = next((value["inherited_from"] for value in values if value["inherited_from"]), None)
            add("parameter", parameter.id or f"{subject.name}.{name}", parameter.title,
                {"title": parameter.title, "type": str(parameter.type), "sources": _sources(parameter.sources),
                 "values": [{key: value[key] for key in ("from", "value", "sources", "gap")} for value in values]},
                subject.name, origin, {"name": name, "values": values, "parameter": parameter})
        for name, derived in subject.derived.items():
            add("derived", derived.id or f"{subject.name}.{name}", derived.title,
                {"title": derived.title, "type": str(derived.type), "expr": derived.expr.text, "phrase": derived.phrase,
                 "sources": _sources(derived.sources), "interpretation": _interpretation(derived.interpretation)},
                subject.name, derived.inherited_from)
        for name, decision in subject.decisions.items():
            add("decision", f"{subject.name}.{name}", decision.title,
                {"title": decision.title, "values": decision.values, "type": str(decision.type) if decision.type else None,
                 "not_applicable": decision.not_applicable,
                 "table_inputs": [item.text for item in decision.table_inputs] if decision.table_inputs else None,
                 "rule_order": [rule.id for rule in decision.rules]}, subject.name)
            for rule in decision.rules:
                add("rule", rule.id, rule.title,
                    {"decision": name, "title": rule.title, "when": rule.when.text, "then": rule.then,
                     "then_expr": rule.then_expr.text if rule.then_expr else None,
                     "under_reading": list(rule.under_reading) if rule.under_reading else None, "table_row": rule.table_row,
                     "sources": _sources(rule.sources), "interpretation": _interpretation(rule.interpretation),
                     "gap": rule.gap, "conflict": rule.conflict},
                    subject.name, rule.inherited_from)
            override = decision.override
            if override:
                add("override", f"{subject.name}.{name}.vurdering", decision.title,
                    {"when": override.when.text, "value": override.value.text, "reason": override.reason.text,
                     "by": override.by.text if override.by else None, "sources": _sources(override.sources)},
                    subject.name, override.inherited_from)
    return items


def _changed_fields(kind: str, a: dict, b: dict) -> dict:
    fields = {}
    for key in sorted(set(a) | set(b)):
        old, new = a.get(key), b.get(key)
        if kind == "decision" and key == "rule_order":
            common = set(old or []) & set(new or [])   # added and removed rules are reported as such
            old, new = [item for item in old or [] if item in common], [item for item in new or [] if item in common]
        if old != new:
            fields[key] = {"a": old, "b": new}
    return fields


def _sort_key(entry: dict):
    return KINDS.index(entry["kind"]), entry["id"]


def _list_change(old, new) -> dict:
    return {"added": [item for item in new if item not in old], "removed": [item for item in old if item not in new]}


def _parameter_entry(change: str, a: dict | None, b: dict | None, period_b: Period, lang: str) -> dict:
    """A parameter old → new: for each value in force in B that differs from the one before it (A's last value in
    force, then B's earlier values), the day it takes effect and (for lists) the items added and removed."""
    item = b or a
    a_values, b_values = (a or {}).get("values", []), (b or {}).get("values", [])

    def shown_on(owner, start):   # the value as people read it ("2.000 kr.", "40 %"), by the parameter's type
        parameter = owner["parameter"]
        return fmt.value(parameter.value_on(datetime.date.fromisoformat(start)), parameter.type, lang)

    previous = a_values[-1]["value"] if a_values else None
    previous_shown = shown_on(a, a_values[-1]["from"]) if a_values else None
    steps = []
    for value in b_values:
        if value["value"] != previous:
            start = max(value["from"], period_b.valid_from.isoformat())
            step = {"from": start, "old": previous, "new": value["value"], "old_shown": previous_shown,
                    "new_shown": shown_on(b, value["from"]), "status": status_of(value["inherited_from"]),
                    "sources": value["sources"], "gap": value["gap"][lang] if value["gap"] else None}
            if isinstance(previous, list) and isinstance(value["value"], list):
                step.update(_list_change(previous, value["value"]))
            steps.append(step)
        previous, previous_shown = value["value"], shown_on(b, value["from"])

    def listed(owner):
        return [{"from": value["from"], "value": value["value"], "shown": shown_on(owner, value["from"]),
                 "status": status_of(value["inherited_from"]), "inherited_from": value["inherited_from"]}
                for value in owner["values"]]

    return {"id": item["id"], "subject": item["subject"], "name": item["name"], "title": item["title"][lang],
            "change": change, "a": listed(a) if a else None, "b": listed(b) if b else None, "steps": steps}


def _statement_entry(topic: str, a: dict | None, b: dict | None, lang: str) -> dict:
    item = b or a
    change = "added" if a is None else "removed" if b is None else "changed" if a["content"] != b["content"] else "unchanged"

    def side(entry):
        if entry is None:
            return None
        return {"id": entry["statement_id"], "text": entry["content"]["text"][lang], "items": entry["content"]["items"],
                "status": status_of(entry["inherited_from"]), "inherited_from": entry["inherited_from"]}

    entry = {"topic": topic, "title": item["title"][lang], "change": change, "a": side(a), "b": side(b)}
    if a and b:
        entry["text_changed"] = a["content"]["text"] != b["content"]["text"]
        old, new = a["content"]["items"], b["content"]["items"]
        if old != new:
            entry["items"] = {"a": len(old), "b": len(new), **_list_change(old, new)}
    return entry


def _reading_entry(change: str, a: dict | None, b: dict | None, lang: str) -> dict:
    item = b or a
    entry = {"id": item["id"], "title": item["title"][lang], "change": change,
             "a": {"default": a["content"]["default"], "options": sorted(a["content"]["options"])} if a else None,
             "b": {"default": b["content"]["default"], "options": sorted(b["content"]["options"])} if b else None}
    if a and b:
        entry["default_changed"] = a["content"]["default"] != b["content"]["default"]
        entry["options"] = _list_change(sorted(a["content"]["options"]), sorted(b["content"]["options"]))
    return entry


def _provisions(period: Period) -> dict[tuple[str, str], object]:
    """provision_list keyed like the inventory (statements by topic, readings without their 'reading.' prefix)."""
    found = {}
    for provision in provision_list(period):
        key = provision.id
        if provision.kind == "statement":
            key = key.split(".", 1)[1]
        elif provision.kind == "reading":
            key = key[len("reading."):]
        found[(provision.kind, key)] = provision
    return found


def _counts(provisions: dict) -> dict:
    origins: dict[str, int] = {}
    for provision in provisions.values():
        if provision.inherited_from:
            origins[provision.inherited_from] = origins.get(provision.inherited_from, 0) + 1
    inherited = sum(origins.values())
    return {"provisions": len(provisions), "confirmed": len(provisions) - inherited, "inherited_unverified": inherited,
            "by_origin": dict(sorted(origins.items()))}


def rule_diff(a: Period, b: Period, lang: str) -> dict:
    old, new = inventory(a), inventory(b)
    added, removed, changed, parameters, statements, readings = [], [], [], [], [], []

    def brief(item):
        return {"kind": item["kind"], "id": item["id"], "subject": item["subject"],
                "title": item["title"][lang] if item["title"] else None, "status": status_of(item["inherited_from"]),
                "content": item["content"]}

    for key in sorted(set(old) | set(new), key=lambda item: (KINDS.index(item[0]), item[1])):
        kind, ident = key
        before, after = old.get(key), new.get(key)
        if kind == "statement":
            statements.append(_statement_entry(ident, before, after, lang))
        if before is None:
            added.append(brief(after))
            change = "added"
        elif after is None:
            removed.append(brief(before))
            change = "removed"
        else:
            fields = _changed_fields(kind, before["content"], after["content"])
            if not fields:
                continue
            changed.append({"kind": kind, "id": ident, "subject": after["subject"],
                            "title": after["title"][lang] if after["title"] else None, "fields": fields})
            change = "changed"
        if kind == "parameter":
            parameters.append(_parameter_entry(change, before, after, b, lang))
        elif kind == "reading":
            readings.append(_reading_entry(change, before, after, lang))
    provisions_a, provisions_b = _provisions(a), _provisions(b)
    provenance = []
    for key in sorted(set(provisions_a) & set(provisions_b), key=lambda item: (KINDS.index(item[0]), item[1])):
        one, two = provisions_a[key], provisions_b[key]
        if one.status != two.status:
            provenance.append({"kind": key[0], "id": key[1], "title": two.title[lang], "a": one.status, "b": two.status,
                               "a_inherited_from": one.inherited_from, "b_inherited_from": two.inherited_from})
    return {"added": added, "removed": removed, "changed": changed, "parameters": parameters, "provenance": provenance,
            "statements": statements, "readings": readings,
            "counts": {"a": _counts(provisions_a), "b": _counts(provisions_b)}}


# -- the decision diff ------------------------------------------------------------------------------------
class _Evaluator:
    """Evaluates records under one period, with one explainer per subject type and day."""

    def __init__(self, compiled: CompiledPeriod, lang: str):
        self.compiled = compiled
        self.lang = lang
        self.explainers: dict = {}

    def explainer(self, subject: str, day: datetime.date) -> Explainer:
        key = (subject, day)
        if key not in self.explainers:
            self.explainers[key] = Explainer(self.compiled.subjects[subject], self.compiled.period, self.lang, day=day)
        return self.explainers[key]

    def run(self, record) -> list[tuple[datetime.date, dict, dict]]:
        subject = self.compiled.subjects[record.type]
        readings = {**self.compiled.default_readings(), **record.readings}
        return [(day, *evaluate_subject(subject, record.values, readings, day))
                for day in evaluation_days(self.compiled, record.type, record.date)]

    def side(self, record, day, results, env, name) -> dict | None:
        result = results.get(name)
        if result is None:
            return None
        explainer = self.explainer(record.type, day)
        answer = explainer.explain(result, env)
        explanation = answer["explanation"]
        rule = explanation["rule"]
        return fmt.plain({"period": self.compiled.period.id, "date": day, "value": answer["value"],
                          "shown": explainer.value_label(name, result.value), "rule": answer["rule"],
                          "rule_title": rule["title"] if rule else None, "summary": explanation["summary"],
                          "condition": rule["condition"] if rule else None, "inputs": explanation["inputs"],
                          "flags": answer["flags"], "why_not": answer["why_not"], "sources": answer["sources"]})


def _answer_key(result) -> tuple:
    if result is None:
        return ("-",)
    return json.dumps(fmt.plain(result.value), sort_keys=True, ensure_ascii=False), result.rule.rule.id if result.rule else None


def _unverified(evaluator: _Evaluator, record, day, result) -> bool:
    if result is None:
        return False
    return any(flag["code"] == "inherited" for flag in evaluator.explainer(record.type, day).flags(result))


def decision_diff(a: CompiledPeriod, b: CompiledPeriod, directory: Path | None, shown_dir: str, lang: str,
                  within: Path | None = None) -> dict:
    """`within`: the fixtures folder `directory` lies in (no cases/ or golden/ folder from there down is read)."""
    old, new = _Evaluator(a, lang), _Evaluator(b, lang)
    changed, skipped, provenance_only, unchanged, subjects = [], [], [], 0, 0
    files = facts_files(directory, within) if directory is not None else []
    loaded = FactsFiles()                 # each file's YAML is read once and parsed under A and under B
    for path in files:
        shown = (Path(shown_dir) / path.relative_to(directory)).as_posix()
        parsed = []
        for compiled in (a, b):
            try:
                parsed.append(loaded.records(path, shown, compiled.period))
            except RammeaftaleError as error:
                reasons = error.errors if isinstance(error, ErrorList) else [error]
                skipped.append({"file": shown, "period": compiled.period.id,
                                "reason": "; ".join(reason.render(lang) for reason in reasons[:3])
                                          + (f" (+{len(reasons) - 3})" if len(reasons) > 3 else "")})
        if len(parsed) < 2:
            continue
        for record_a, record_b in zip(*parsed):
            subjects += 1
            runs_a, runs_b = old.run(record_a), new.run(record_b)
            day_a, results_a, env_a = runs_a[-1]     # the answer as A ends: what B's answers are compared with
            names = list(b.subjects[record_b.type].subject.decisions)
            names += [name for name in a.subjects[record_a.type].subject.decisions if name not in names]
            record_changes, provenance = [], False
            for name in names:
                previous = (old, record_a, day_a, results_a, env_a)
                for day_b, results_b, env_b in runs_b:
                    before, after = previous[3].get(name), results_b.get(name)
                    if _answer_key(before) != _answer_key(after):
                        decision = (b.subjects[record_b.type].subject.decisions.get(name)
                                    or a.subjects[record_a.type].subject.decisions[name])
                        record_changes.append({
                            "file": shown, "type": record_b.type, "id": record_b.id, "name": record_b.values.get("navn"),
                            "decision": name, "decision_title": decision.title[lang], "date": day_b.isoformat(),
                            "old": previous[0].side(previous[1], previous[2], previous[3], previous[4], name),
                            "new": new.side(record_b, day_b, results_b, env_b, name)})
                    if _unverified(old, record_a, day_a, results_a.get(name)) != _unverified(new, record_b, day_b, after):
                        provenance = True
                    previous = (new, record_b, day_b, results_b, env_b)
            if record_changes:
                changed.extend(record_changes)
            elif provenance:
                provenance_only.append({"file": shown, "type": record_b.type, "id": record_b.id})
            else:
                unchanged += 1
    changed.sort(key=lambda item: (item["file"], item["type"], item["id"], item["decision"], item["date"]))
    return {"fixtures": shown_dir if directory is not None else None, "files": len(files), "subjects": subjects,
            "changed": changed, "unchanged": unchanged, "provenance_only": len(provenance_only),
            "provenance_only_subjects": sorted(provenance_only, key=lambda item: (item["file"], item["type"], item["id"])),
            "skipped": sorted(skipped, key=lambda item: (item["file"], item["period"]))}


# -- the whole diff ---------------------------------------------------------------------------------------
def _period_block(period: Period, lang: str) -> dict:
    gap = period.gap_before
    return {"period": period.id, "title": period.title[lang], "valid_from": period.valid_from.isoformat(),
            "valid_to": period.valid_to.isoformat(), "extends": period.extends, "rules_digest": period.digest,
            "gap_before": None if gap is None else {"from": gap["from"].isoformat(), "to": gap["to"].isoformat(),
                                                    "why": gap["why"][lang]}}


def build(a: CompiledPeriod, b: CompiledPeriod, fixtures: Path | None, lang: str) -> dict:
    """The diff of period A against period B of one region (as `resolve` gives them)."""
    region, within = a.period.region, fixtures
    if fixtures is None:
        directory, shown_dir = Path("fixtures") / region, f"fixtures/{region}"
        if not directory.is_dir():
            directory = None
    else:
        if not fixtures.is_dir():
            raise RammeaftaleError("IO003", f"fixtures-mappen '{fixtures}' findes ikke",
                                   message_en=f"the fixtures folder '{fixtures}' does not exist",
                                   hint="angiv en mappe med faktafiler, fx --fixtures fixtures/" + region,
                                   hint_en="give a folder of facts files, e.g. --fixtures fixtures/" + region)
        # `--fixtures fixtures` (the root) means its region folder; `--fixtures fixtures/syddanmark` that folder
        directory = fixtures / region if (fixtures / region).is_dir() else fixtures
        shown_dir = directory.as_posix()
    document = {"format": FORMAT, "region": region, "a": _period_block(a.period, lang), "b": _period_block(b.period, lang)}
    if b.period.valid_from < a.period.valid_from:
        document["reversed"] = True       # B lies before A: the comparison runs backwards in time
    document.update({"rules": rule_diff(a.period, b.period, lang),
                     "decisions": decision_diff(a, b, directory, shown_dir, lang, within)})
    return document


# -- md and text --------------------------------------------------------------------------------------------
TEXT = {
    "da": {
        "heading": "Hvad ændrer sig fra {a} til {b} – {region}",
        "periods": "{region}: {a_title} gælder {a_from} – {a_to}; {b_title} gælder {b_from} – {b_to}.",
        "gap": "Mellem perioderne dækker ingen periode {from_} – {to}: {why}",
        "digest": "Regler: {a} {da}, {b} {db}.",
        "agreement": "Aftalen selv", "no_agreement": "Aftalens egne bestemmelser er uændrede.",
        "st_changed": "**{title}** er ændret. Før: »{old}« Nu: »{new}«",
        "st_items_only": "**{title}**: listen er ændret.",
        "st_items": "Listen har nu {b} punkter (før {a}): tilføjet {added}; fjernet {removed}.",
        "st_carried": "**{title}** føres videre fra {origin} uden kilde for {b}: »{text}«",
        "st_added": "Ny: **{title}**: »{text}«", "st_removed": "Udgår: **{title}** (før: »{text}«).",
        "parameters": "Tal og lister der ændrer sig", "no_parameters": "Ingen tal eller lister ændrer sig.",
        "p_list": "Fra {day} gælder listen efter {source} for {title} (`{id}`): tilføjet {added}; fjernet {removed}.",
        "p_list_plain": "Fra {day} gælder en ny liste for {title} (`{id}`): tilføjet {added}; fjernet {removed}.",
        "p_value": "Fra {day} er {title} {new} (før {old}) (`{id}`).",
        "p_added": "Ny parameter {title} (`{id}`): {new} fra {day}.",
        "p_removed": "{title} (`{id}`) udgår (sidst {old}).",
        "p_gap": "Uafklaret: {gap}", "p_unverified": "Værdien er arvet og ikke verificeret for {b}.",
        "rules": "Regler", "no_rules": "Ingen regler er tilføjet, fjernet eller ændret.",
        "r_summary": "{added} nye, {removed} fjernede og {changed} ændrede bestemmelser.",
        "r_added": "Ny: `{id}` ({title})", "r_removed": "Fjernet: `{id}` ({title})",
        "r_changed": "Ændret: `{id}` ({title}): {fields}",
        "more": "og {n} flere (se --format json)",
        "readings": "Læsninger", "no_readings": "Ingen læsninger er tilføjet, fjernet eller har fået ny standard.",
        "rd_added": "Ny læsning `{id}` ({title}), standard {default}.", "rd_removed": "Læsningen `{id}` ({title}) udgår.",
        "rd_default": "Læsningen `{id}` ({title}) har ny standard: {old} → {new}.",
        "rd_changed": "Læsningen `{id}` ({title}) er ændret: {fields}",
        "decisions": "Afgørelser der ændrer sig",
        # {n:flertal|ental}: the plural, or the singular when the count n is 1
        "d_summary": "{subjects} {subjects:emner|emne} i {files} {files:faktafiler|faktafil} under {fixtures} er vurderet efter "
                     "begge perioder: {changes_text}; {unchanged} {unchanged:emner er uændrede|emne er uændret}; {provenance} "
                     "{provenance:emner får|emne får} samme svar, men grundlaget har skiftet status (bekræftet ↔ arvet og ikke "
                     "verificeret).",
        "d_changes": "{changes} {changes:afgørelser ændrer|afgørelse ændrer} sig for {changed} {changed:emner|emne}",
        "d_no_changes": "ingen afgørelser ændrer sig",
        "d_none": "Ingen faktafiler (ingen mappe {fixtures}); brug --fixtures.",
        "d_change": "**{type} {id}**{name} — {decision}: {old} → {new} {when} (`{old_rule}` → `{new_rule}`).",
        "d_from": "fra {day}", "d_because_old": "Før ({period}): {why}", "d_because_new": "Nu ({period}): {why}",
        "d_why_not": "Hvorfor ikke længere »{value}«: {reasons}", "d_flags": "Flag: {flags}",
        "d_no_rule": "ingen regel",
        "flag": "flag", "why_not": "hvorfor ikke", "source": "kilde",
        "d_skipped": "Sprunget over: {file} under {period}: {reason}",
        "provenance": "Bestemmelser der føres videre uden kilde",
        "pv_count": "I {period} er {inherited} af {total} bestemmelser arvet og ikke verificeret mod {label} ({origins}).",
        "pv_none": "I {period} er alle {total} bestemmelser bekræftet af periodens egne kilder.",
        "pv_origin": "{n} fra {origin}",
        "pv_down": "{n} bestemmelser ({kinds}) var bekræftet i {a} og er i {b} kun arvet og ikke verificeret, fx {examples}.",
        "pv_up": "{n} bestemmelser ({kinds}) var kun arvet i {a} og er bekræftet i {b}, fx {examples}.",
        "kinds": {"statement": "om aftalen", "reading": "læsninger", "parameter": "parametre", "derived": "afledte fakta",
                  "rule": "regler", "override": "vurderinger"},
        "fields": {"title": "titel", "when": "betingelse", "then": "udfald", "then_expr": "udregning", "sources": "kilder",
                   "interpretation": "fortolkning", "gap": "hul", "conflict": "uenighed", "under_reading": "læsning",
                   "table_row": "tabelrække", "decision": "afgørelse", "expr": "udtryk", "phrase": "formulering",
                   "type": "type", "values": "værdier", "rule_order": "reglernes rækkefølge", "default": "standard",
                   "options": "valg", "text": "tekst", "items": "punkter", "spec": "felt", "value": "værdi",
                   "reason": "begrundelse", "by": "af", "not_applicable": "ikke relevant", "table_inputs": "tabellens input"},
        "none": "intet",
        "reversed": "Bemærk: {b} ligger før {a}, så sammenligningen går baglæns i tiden (fra {a} tilbage til {b}).",
        "same": "sammenlign to forskellige perioder (A og B er begge {a})",
    },
    "en": {
        "heading": "What changes from {a} to {b} – {region}",
        "periods": "{region}: {a_title} applies {a_from} – {a_to}; {b_title} applies {b_from} – {b_to}.",
        "gap": "Between the periods no period covers {from_} – {to}: {why}",
        "digest": "Rules: {a} {da}, {b} {db}.",
        "agreement": "The agreement itself", "no_agreement": "The agreement's own provisions are unchanged.",
        "st_changed": "**{title}** has changed. Before: »{old}« Now: »{new}«",
        "st_items_only": "**{title}**: the list has changed.",
        "st_items": "The list now has {b} items (before {a}): added {added}; removed {removed}.",
        "st_carried": "**{title}** is carried over from {origin} without a source for {b}: »{text}«",
        "st_added": "New: **{title}**: »{text}«", "st_removed": "Dropped: **{title}** (before: »{text}«).",
        "parameters": "Numbers and lists that change", "no_parameters": "No numbers or lists change.",
        "p_list": "From {day} the list under {source} applies for {title} (`{id}`): added {added}; removed {removed}.",
        "p_list_plain": "From {day} a new list applies for {title} (`{id}`): added {added}; removed {removed}.",
        "p_value": "From {day} {title} is {new} (before {old}) (`{id}`).",
        "p_added": "New parameter {title} (`{id}`): {new} from {day}.",
        "p_removed": "{title} (`{id}`) is dropped (last {old}).",
        "p_gap": "Open: {gap}", "p_unverified": "The value is inherited and not verified for {b}.",
        "rules": "Rules", "no_rules": "No rules are added, removed or changed.",
        "r_summary": "{added} new, {removed} removed and {changed} changed provisions.",
        "r_added": "New: `{id}` ({title})", "r_removed": "Removed: `{id}` ({title})",
        "r_changed": "Changed: `{id}` ({title}): {fields}",
        "more": "and {n} more (see --format json)",
        "readings": "Readings", "no_readings": "No readings are added, removed or have a new default.",
        "rd_added": "New reading `{id}` ({title}), default {default}.", "rd_removed": "The reading `{id}` ({title}) is dropped.",
        "rd_default": "The reading `{id}` ({title}) has a new default: {old} → {new}.",
        "rd_changed": "The reading `{id}` ({title}) has changed: {fields}",
        "decisions": "Decisions that change",
        "d_summary": "{subjects} {subjects:subjects|subject} in {files} {files:facts files|facts file} under {fixtures} "
                     "{subjects:were|was} evaluated under both periods: {changes_text}; {unchanged} {unchanged:subjects are|subject is} "
                     "unchanged; {provenance} {provenance:subjects get|subject gets} the same answer, but {provenance:their|its} "
                     "basis changed status (confirmed ↔ inherited and unverified).",
        "d_changes": "{changes} {changes:decisions change|decision changes} for {changed} {changed:subjects|subject}",
        "d_no_changes": "no decisions change",
        "d_none": "No facts files (no folder {fixtures}); use --fixtures.",
        "d_change": "**{type} {id}**{name} — {decision}: {old} → {new} {when} (`{old_rule}` → `{new_rule}`).",
        "d_from": "from {day}", "d_because_old": "Before ({period}): {why}", "d_because_new": "Now ({period}): {why}",
        "d_why_not": "Why no longer »{value}«: {reasons}", "d_flags": "Flags: {flags}",
        "d_no_rule": "no rule",
        "flag": "flag", "why_not": "why not", "source": "source",
        "d_skipped": "Skipped: {file} under {period}: {reason}",
        "provenance": "Provisions carried over without a source",
        "pv_count": "In {period}, {inherited} of {total} provisions are inherited and not verified against {label} ({origins}).",
        "pv_none": "In {period}, all {total} provisions are confirmed by the period's own sources.",
        "pv_origin": "{n} from {origin}",
        "pv_down": "{n} provisions ({kinds}) were confirmed in {a} and are only inherited and unverified in {b}, e.g. {examples}.",
        "pv_up": "{n} provisions ({kinds}) were only inherited in {a} and are confirmed in {b}, e.g. {examples}.",
        "kinds": {"statement": "about the agreement", "reading": "readings", "parameter": "parameters",
                  "derived": "derived facts", "rule": "rules", "override": "assessments"},
        "fields": {"title": "title", "when": "condition", "then": "outcome", "then_expr": "calculation", "sources": "sources",
                   "interpretation": "interpretation", "gap": "gap", "conflict": "conflict", "under_reading": "reading",
                   "table_row": "table row", "decision": "decision", "expr": "expression", "phrase": "phrase",
                   "type": "type", "values": "values", "rule_order": "order of the rules", "default": "default",
                   "options": "options", "text": "text", "items": "items", "spec": "field", "value": "value",
                   "reason": "reason", "by": "by", "not_applicable": "not applicable", "table_inputs": "table inputs"},
        "none": "nothing",
        "reversed": "Note: {b} lies before {a}, so the comparison runs backwards in time (from {a} back to {b}).",
        "same": "compare two different periods (A and B are both {a})",
    },
}


def _label(period_id: str) -> str:
    return period_id.replace("-", "–")


def _day(text: str, lang: str) -> str:
    return fmt.value(datetime.date.fromisoformat(text), None, lang)


_COUNTED = re.compile(r"\{(\w+):([^{}|]*)\|([^{}]*)\}")


def _counted(template: str, **values) -> str:
    """template.format(**values), where "{n:flertal|ental}" gives the plural, or the singular when n is 1."""
    return _COUNTED.sub(lambda match: match.group(3) if values[match.group(1)] == 1 else match.group(2), template).format(**values)


def _few(items: list[str], lang: str, limit: int = EXAMPLES) -> str:
    """'a, b, c og 4 flere (se --format json)' — the first few of a long list."""
    if not items:
        return TEXT[lang]["none"]
    shown = ", ".join(items[:limit])
    return shown + (f" {TEXT[lang]['more'].format(n=len(items) - limit)}" if len(items) > limit else "")


def _leaves(condition: dict | None) -> list[str]:
    """The sentences of a deciding condition: under og/eller the parts that held (they decided it); under ikke/hvis
    every part."""
    if condition is None:
        return []
    if "children" not in condition:
        return [condition["sentence"]]
    children = condition["children"]
    if condition.get("op") in ("og", "and", "eller", "or"):
        children = [child for child in children if child.get("result")] or children
    return [leaf for child in children for leaf in _leaves(child)]


def _why(side: dict | None) -> str:
    if side is None:
        return "–"
    if side["rule"] is None:
        return side["summary"]
    leaves = [leaf for leaf in _leaves(side["condition"]) if leaf and leaf != "-"]
    return f"`{side['rule']}` ({side['rule_title']}): " + ("; ".join(leaves) if leaves else side["summary"])


def changelog(document: dict, lang: str, detail: bool = False) -> list[tuple[str, str]]:
    """The diff as (kind, text) lines: h1, h2, p, li, li2. `detail` adds flags, why-not and sources of each changed
    decision (for the terminal)."""
    words = TEXT[lang]
    a, b, rules, decisions = document["a"], document["b"], document["rules"], document["decisions"]
    la, lb = _label(a["period"]), _label(b["period"])
    lines = [("h1", words["heading"].format(a=la, b=lb, region=document["region"].capitalize()))]
    lines.append(("p", words["periods"].format(region=document["region"].capitalize(), a_title=a["title"],
                                               a_from=_day(a["valid_from"], lang), a_to=_day(a["valid_to"], lang),
                                               b_title=b["title"], b_from=_day(b["valid_from"], lang),
                                               b_to=_day(b["valid_to"], lang))))
    if b["gap_before"]:
        gap = b["gap_before"]
        lines.append(("p", words["gap"].format(from_=_day(gap["from"], lang), to=_day(gap["to"], lang), why=gap["why"])))
    lines.append(("p", words["digest"].format(a=la, da=a["rules_digest"][:12], b=lb, db=b["rules_digest"][:12])))

    # the agreement's statements
    lines.append(("h2", words["agreement"]))
    told = False
    for entry in rules["statements"]:
        change = entry["change"]
        if change == "changed":
            told = True
            if entry["text_changed"]:
                lines.append(("li", words["st_changed"].format(title=entry["title"], old=entry["a"]["text"], new=entry["b"]["text"])))
            else:
                lines.append(("li", words["st_items_only"].format(title=entry["title"])))
            if "items" in entry:
                items = entry["items"]
                lines.append(("li2", words["st_items"].format(
                    a=items["a"], b=items["b"], added=_few([f"»{item}«" for item in items["added"]], lang, ITEMS_SHOWN),
                    removed=_few([f"»{item}«" for item in items["removed"]], lang, ITEMS_SHOWN))))
        elif change == "added":
            told = True
            lines.append(("li", words["st_added"].format(title=entry["title"], text=entry["b"]["text"])))
        elif change == "removed":
            told = True
            lines.append(("li", words["st_removed"].format(title=entry["title"], text=entry["a"]["text"])))
        elif entry["b"]["status"] != "confirmed" and entry["a"]["status"] == "confirmed":
            told = True
            lines.append(("li", words["st_carried"].format(title=entry["title"], origin=_label(entry["b"]["inherited_from"]),
                                                           b=lb, text=entry["b"]["text"])))
    if not told:
        lines.append(("p", words["no_agreement"]))

    # parameters old → new
    lines.append(("h2", words["parameters"]))
    # a parameter can differ (its title, its sources) while no value in force changes: no step, nothing to list here
    parameters = [entry for entry in rules["parameters"] if entry["change"] == "removed" or entry["steps"]]
    if not parameters:
        lines.append(("p", words["no_parameters"]))
    for entry in parameters:
        title, ident = entry["title"], entry["id"]
        if entry["change"] == "removed":
            lines.append(("li", words["p_removed"].format(title=title, id=ident, old=entry["a"][-1]["shown"])))
            continue
        for step in entry["steps"]:
            day = _day(step["from"], lang)
            if entry["change"] == "added" and step["old"] is None:
                text = words["p_added"].format(title=title, id=ident, new=step["new_shown"], day=day)
            elif "added" in step:
                first = step["sources"][0] if step["sources"] else None
                added = _few(step["added"], lang, ITEMS_SHOWN)
                removed = _few(step["removed"], lang, ITEMS_SHOWN)
                if first and len(first["quote"]) <= 60:
                    source = f"»{first['quote']}« ({first['document']} L{first['lines'][0]})"
                    text = words["p_list"].format(day=day, source=source, title=title, id=ident, added=added, removed=removed)
                else:
                    text = words["p_list_plain"].format(day=day, title=title, id=ident, added=added, removed=removed)
            else:
                text = words["p_value"].format(day=day, title=title, new=step["new_shown"], old=step["old_shown"], id=ident)
            lines.append(("li", text))
            if step["gap"]:
                lines.append(("li2", words["p_gap"].format(gap=step["gap"])))
            if step["status"] != "confirmed":
                lines.append(("li2", words["p_unverified"].format(b=lb)))

    # rules, derived facts, decisions, overrides, facts (statements, parameters and readings have their sections)
    own = ("statement", "parameter", "reading")
    added = [item for item in rules["added"] if item["kind"] not in own]
    removed = [item for item in rules["removed"] if item["kind"] not in own]
    changed = [item for item in rules["changed"] if item["kind"] not in own]
    lines.append(("h2", words["rules"]))
    if not (added or removed or changed):
        lines.append(("p", words["no_rules"]))
    else:
        lines.append(("p", words["r_summary"].format(added=len(added), removed=len(removed), changed=len(changed))))
        for key, items in (("r_added", added), ("r_removed", removed), ("r_changed", changed)):
            for item in items[:EXAMPLES]:
                fields = ", ".join(words["fields"].get(name, name) for name in item.get("fields", {}))
                lines.append(("li", words[key].format(id=item["id"], title=item["title"] or item["id"], fields=fields)))
            if len(items) > EXAMPLES:
                lines.append(("li", words["more"].format(n=len(items) - EXAMPLES)))

    # readings
    lines.append(("h2", words["readings"]))
    if not rules["readings"]:
        lines.append(("p", words["no_readings"]))
    for entry in rules["readings"]:
        if entry["change"] == "added":
            text = words["rd_added"].format(id=entry["id"], title=entry["title"], default=entry["b"]["default"])
        elif entry["change"] == "removed":
            text = words["rd_removed"].format(id=entry["id"], title=entry["title"])
        elif entry["default_changed"]:
            text = words["rd_default"].format(id=entry["id"], title=entry["title"], old=entry["a"]["default"],
                                              new=entry["b"]["default"])
        else:
            fields = next(item["fields"] for item in rules["changed"] if item["kind"] == "reading" and item["id"] == entry["id"])
            text = words["rd_changed"].format(id=entry["id"], title=entry["title"],
                                              fields=", ".join(words["fields"].get(name, name) for name in fields))
        lines.append(("li", text))

    # decisions of the fixture subjects
    lines.append(("h2", words["decisions"]))
    if decisions["fixtures"] is None:
        lines.append(("p", words["d_none"].format(fixtures=f"fixtures/{document['region']}")))
    else:
        changed_subjects = {(item["file"], item["type"], item["id"]) for item in decisions["changed"]}
        changes = len(decisions["changed"])
        changes_text = (_counted(words["d_changes"], changes=changes, changed=len(changed_subjects)) if changes
                        else words["d_no_changes"])
        lines.append(("p", _counted(words["d_summary"], subjects=decisions["subjects"], files=decisions["files"],
                                    fixtures=decisions["fixtures"], changes_text=changes_text,
                                    unchanged=decisions["unchanged"], provenance=decisions["provenance_only"])))
    for item in decisions["changed"]:
        old, new = item["old"], item["new"]
        name = f" ({item['name']})" if item["name"] else ""
        when = words["d_from"].format(day=_day(item["date"], lang))
        lines.append(("li", words["d_change"].format(
            type=item["type"], id=item["id"], name=name, decision=item["decision_title"],
            old=old["shown"] if old else "–", new=new["shown"] if new else "–", when=when,
            old_rule=(old or {}).get("rule") or words["d_no_rule"], new_rule=(new or {}).get("rule") or words["d_no_rule"])))
        for key, side, label in (("d_because_old", old, la), ("d_because_new", new, lb)):
            when = f"{_label(side['period'])}, {_day(side['date'], lang)}" if side else label
            lines.append(("li2", words[key].format(period=when, why=_why(side))))
        if new and old:
            # why the new answer is not the old one: the old deciding rule's failed conditions, when it still exists
            reasons = [entry for entry in new["why_not"] if entry["value"] == old["value"]]
            reasons.sort(key=lambda entry: entry["rule"] != old["rule"])
            if reasons and reasons[0]["reasons"]:
                lines.append(("li2", words["d_why_not"].format(value=old["shown"], reasons="; ".join(reasons[0]["reasons"]))))
        if detail:   # the terminal: both explanations in full
            for side in (old, new):
                if side is None:
                    continue
                lines.append(("li2", f"{_label(side['period'])}, {_day(side['date'], lang)}: {side['summary']}"))
                for flag in side["flags"]:
                    lines.append(("li3", f"{words['flag']} {flag['code']}: {flag['text']}"))
                for entry in side["why_not"]:
                    rule = f" ({entry['rule']})" if entry["rule"] else ""
                    lines.append(("li3", f"{words['why_not']} »{entry['label']}«{rule}: " + "; ".join(entry["reasons"])))
                for source in side["sources"]:
                    lines.append(("li3", f"{words['source']} {source['document']} L{source['lines'][0]}-{source['lines'][1]}: "
                                         f"»{source['quote']}«"))
        else:
            codes = sorted({flag["code"] for side in (old, new) if side for flag in side["flags"]})
            if codes:
                lines.append(("li2", words["d_flags"].format(flags=", ".join(codes))))
    for item in decisions["skipped"]:
        lines.append(("li", words["d_skipped"].format(file=item["file"], period=_label(item["period"]),
                                                      reason=item["reason"].replace("\n", " "))))

    # provenance
    lines.append(("h2", words["provenance"]))
    for block, counts in ((a, rules["counts"]["a"]), (b, rules["counts"]["b"])):
        label = _label(block["period"])
        if counts["inherited_unverified"]:
            origins = ", ".join(words["pv_origin"].format(n=n, origin=_label(origin)) for origin, n in counts["by_origin"].items())
            period_word = ("rammeaftale " if lang == "da" else "framework agreement ") + label
            lines.append(("li", words["pv_count"].format(period=label, inherited=counts["inherited_unverified"],
                                                         total=counts["provisions"], label=period_word, origins=origins)))
        else:
            lines.append(("li", words["pv_none"].format(period=label, total=counts["provisions"])))
    for key, items in (("pv_down", [item for item in rules["provenance"] if item["b"] != "confirmed"]),
                       ("pv_up", [item for item in rules["provenance"] if item["b"] == "confirmed"])):
        if items:
            kinds = {}
            for item in items:
                kinds.setdefault(item["kind"], []).append(item["id"])
            breakdown = ", ".join(f"{len(ids)} {words['kinds'][kind]}" for kind, ids in kinds.items())
            examples = [f"`{ids[0]}`" for ids in kinds.values()][:EXAMPLES]   # one of each kind
            lines.append(("li", words[key].format(n=len(items), kinds=breakdown, a=la, b=lb, examples=", ".join(examples))))
    return lines


def to_markdown(lines: list[tuple[str, str]]) -> str:
    """Headings and paragraphs stand alone (a blank line between blocks); list items follow each other."""
    out, previous = [], None
    for kind, text in lines:
        in_list = kind.startswith("li")
        if previous is not None and not (in_list and previous.startswith("li")):
            out.append("")
        out.append({"h1": "# ", "h2": "## ", "p": "", "li": "- ", "li2": "  - ", "li3": "    - "}[kind] + text)
        previous = kind
    return "\n".join(out) + "\n"


_BOLD = re.compile(r"\*\*(.+?)\*\*")


def print_text(out: Console, lines: list[tuple[str, str]]) -> None:
    for kind, text in lines:
        text = _BOLD.sub(r"[bold]\1[/bold]", escape(text)).replace("`", "")
        if kind == "h1":
            out.print(f"[bold underline]{text}[/bold underline]")
        elif kind == "h2":
            out.print(f"\n[bold]{text}[/bold]")
        elif kind == "p":
            out.print(text)
        elif kind == "li":
            out.print(f"  • {text}")
        elif kind == "li2":
            out.print(f"      – {text}")
        else:
            out.print(f"          [dim]·[/dim] {text}")


def cmd_diff(args, out: Console) -> int:
    """The `diff` command. Exit 0 (differences are not errors), 1 bad rules or fixtures folder, 2 the same period
    twice, an unknown period or region (printed with the periods or regions there are). Without --region, every
    region that has both periods is compared, one after the other (JSON: a `rammeaftale.diff-set/1` holding one
    diff per region). B before A is compared as asked, with a note on stderr (JSON: "reversed": true)."""
    if args.a == args.b:
        from .cli import UsageError
        raise UsageError(TEXT[args.lang]["same"].format(a=args.a))
    root = args.rules or default_rules_dir()
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        pairs = resolve(compiled_periods(root), args.a, args.b, args.region)
    except RammeaftaleError as error:
        if isinstance(error, ErrorList) or error.code not in ("CLI002", "CLI003"):
            raise
        err.print(f"[red]{escape(error.render(args.lang))}[/red]")
        return 2
    several = len(pairs) > 1
    documents = [build(a, b, args.fixtures, args.lang) for _, a, b in pairs]
    notes = []
    for document in documents:
        if document.get("reversed"):
            note = TEXT[args.lang]["reversed"].format(a=_label(document["a"]["period"]), b=_label(document["b"]["period"]))
            if note not in notes:
                notes.append(note)
    for note in notes:
        err.print(f"[yellow]{escape(note)}[/yellow]")
    if args.format == "json":
        document = {"format": "rammeaftale.diff-set/1", "diffs": documents} if several else documents[0]
        out.file.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    elif args.format == "md":
        out.file.write("\n".join(to_markdown(changelog(document, args.lang)) for document in documents))
    else:
        for document in documents:
            print_text(out, changelog(document, args.lang, detail=True))
    return 0
