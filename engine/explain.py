"""Turn traced decisions into explanations (step 5): which rule decided, each condition with the values
it saw, the sources with their quotes, flags, and why-not for every other outcome — in Danish or English.

The sentences are generated from the rule files themselves: titles and phrases of facts, the
operators of the conditions, and the values the evaluation saw.
"""
from __future__ import annotations

import datetime
import re
from decimal import Decimal

from ..dsl.ast import Node
from ..dsl.functions import is_exists
from ..dsl.tracer import Trace, first_failure
from . import fmt
from .compile import CompiledSubject
from .evaluate import DecisionResult, RuleTrace
from .model import Period

# every flag an explanation can carry (the README's "JSON of evaluate" says what each means)
FLAG_CODES = ("interpretation", "gap", "conflict", "override", "not_applicable", "missing_input", "error", "inherited")

JUNCTION_WORDS = {"and": "og", "or": "eller", "not": "ikke", "if": "hvis"}
_PLURAL = re.compile(r"\{([^{}|]+)\|([^{}|]+)\}")
OPERATOR_WORDS = {
    "da": {">=": "mindst", ">": "over", "<=": "højst", "<": "under", "=": "", "!=": "ikke"},
    "en": {">=": "at least", ">": "more than", "<=": "at most", "<": "less than", "=": "", "!=": "not"},
}
WORDS = {
    "da": {"is": "er", "requires": "kræver", "one_of": "en af", "none_of": "ingen af", "short": "mangler {d}",
           "over": "{d} for meget", "points": "procentpoint", "true": "opfyldt", "false": "ikke opfyldt",
           "rule": "regel", "decided_by": "afgjort af", "no_rule": "ingen regel dækker dette tilfælde",
           "later": "betingelsen er også opfyldt, men regel {first} kommer først",
           "only_under": "gives kun under læsningen {reading} = {option} (valgt: {chosen})",
           "no_rules": "ingen regel giver denne værdi", "overridden": "kriterierne giver denne værdi, men vurderingen tilsidesætter den",
           "override": "Fastsat ved vurdering{by}: {reason}. Kriterierne alene giver {criteria} (regel {rule}).",
           "by": " af {by}", "error": "kunne ikke afgøres: {message}", "reading": "læsning",
           "chosen": "Valgt læsning", "alternative": "Alternativ", "why": "Begrundelse", "selectable": "kan vælges med --reading {reading}={option}",
           "gap": "Hul i kilden", "conflict": "Kilderne er uenige", "not_evaluated": "ikke vurderet",
           "not_applicable": "ikke relevant",
           "missing": "kan ikke afgøres, fordi oplysningen mangler: {names}",
           "given": "er angivet", "not_given": "er ikke angivet",
           "inherited": "Arvet fra {origin}; ikke verificeret mod {period}: {items}."},
    "en": {"is": "is", "requires": "requires", "one_of": "one of", "none_of": "none of", "short": "{d} short",
           "over": "{d} too much", "points": "percentage points", "true": "met", "false": "not met",
           "rule": "rule", "decided_by": "decided by", "no_rule": "no rule covers this case",
           "later": "the condition is met too, but rule {first} comes first",
           "only_under": "given only under the reading {reading} = {option} (chosen: {chosen})",
           "no_rules": "no rule gives this value", "overridden": "the criteria give this value, but the assessment overrides it",
           "override": "Set by assessment{by}: {reason}. The criteria alone give {criteria} (rule {rule}).",
           "by": " by {by}", "error": "could not be decided: {message}", "reading": "reading",
           "chosen": "Chosen reading", "alternative": "Alternative", "why": "Why", "selectable": "selectable with --reading {reading}={option}",
           "gap": "Gap in the source", "conflict": "The sources disagree", "not_evaluated": "not evaluated",
           "not_applicable": "not applicable",
           "missing": "cannot be decided, because this information is missing: {names}",
           "given": "is given", "not_given": "is not given",
           "inherited": "Inherited from {origin}; not verified against {period}: {items}."},
}


MEMO_LIMIT = 50_000    # entries per memo before it starts over: some 15 MB at most, on a stream of a million tilbud too
HUNDREDTH = Decimal("0.01")


def _no_distance(left, right):
    return None


def memo_key(owner, values) -> tuple | None:
    """A key for text written from these values: equal values read the same (2000 and 2000.00 kr. are both
    "2.000 kr."), so the key holds each value with its class; None for -0, which reads "-0", not "0"."""
    key = (owner,)
    for value in values:
        if value.__class__ is Decimal and not value and value.is_signed():
            return None
        key += (value.__class__, value)
    return key


def remembered(cache: dict, key, write):
    """cache[key], written by write() the first time; a key of None or one that holds a list is not kept."""
    if key is None:
        return write()
    try:
        text = cache.get(key, _UNSEEN)
    except TypeError:   # a list among the values: not hashable
        return write()
    if text is _UNSEEN:
        text = kept(cache, key, write())
    return text


def kept(cache: dict, key, text: str) -> str:
    """text, stored under key (the cache starts over at MEMO_LIMIT entries; a key that holds a list is not kept)."""
    if len(cache) >= MEMO_LIMIT:
        cache.clear()
    try:
        cache[key] = text
    except TypeError:
        pass
    return text


_UNSEEN = object()


class Explainer:
    """Explanations for one compiled subject, in one language, with the parameter values of one day.

    What depends only on the rule files is worked out once and remembered: which derived facts and parameters a
    rule reads, its sources and flags, and each sentence for the values it was written with (a sentence depends
    only on its node and the values the trace saw). The text is the same as if it were written anew each time."""

    def __init__(self, compiled: CompiledSubject, period: Period, lang: str = "da", day: datetime.date | None = None):
        self.compiled = compiled
        self.subject = compiled.subject
        self.period = period
        self.lang = lang
        self.words = WORDS[lang]
        self.day = day or period.valid_from   # the day whose parameter values (and their sources) were used
        # kept on the compiled subject, so the explainers of other days share them: independent of the day
        memo = compiled.explain_memo.setdefault(lang, {"sentences": {}, "shown": {}, "wanted": {}, "used": {}, "inputs": {}})
        self._sentences, self._shown, self._used, self._wanted = memo["sentences"], memo["shown"], memo["used"], memo["wanted"]
        self._inputs_for = memo["inputs"]
        self._per_rule: dict = {}   # day-dependent: sources and flags per rule
        self._items: dict = {}      # name -> the derived fact, parameter, decision or fact it names
        self._phrases: dict = {}    # name -> its phrase, plural and singular
        self._shares_shown: dict = {}   # name node -> whether it is shown as its fact's input is
        self._distances: dict = {}      # comparison node -> its distance writer (see _distance_writer)
        self._by_decision = {item.decision.name: item for item in compiled.decisions}

    # -- labels and sentences ----------------------------------------------------------------------
    def _named(self, name: str):
        try:
            return self._items[name]
        except KeyError:
            subject = self.subject
            item = self._items[name] = (subject.derived.get(name) or subject.parameters.get(name)
                                        or subject.decisions.get(name) or subject.facts.get(name))
            return item

    def label(self, node: Node) -> str:
        if node.kind == "name":
            item = self._named(node.value)
            title = getattr(item, "title", None)
            return title[self.lang] if title else node.value
        return node.text

    def _phrase(self, name: str, value) -> str | None:
        """The fact's phrase with its {plural|singular} choices made for this value ("{value}" still to fill)."""
        forms = self._phrases.get(name)
        if forms is None:
            phrase = getattr(self._named(name), "phrase", None)
            # "{andre kommuner|anden kommune}": plural first, singular when the value is 1
            forms = self._phrases[name] = (None, None) if not phrase else tuple(
                _PLURAL.sub(lambda match, pick=pick: match.group(pick), phrase[self.lang]) for pick in (1, 2))
        return forms[1] if value == 1 else forms[0]

    def show(self, value, node: Node) -> str:
        if node.kind == "name":
            if node.value in self.subject.decisions and isinstance(value, str):
                return self.value_label(node.value, value)
            if self.shares_shown(node):
                return self._show_input(node.value, value, node.type)
        return fmt.value(value, node.type, self.lang)

    def shares_shown(self, node: Node) -> bool:
        """Whether a name reads as its fact's own type: then it is shown as its input is, and remembered with it."""
        shares = self._shares_shown.get(node)
        if shares is None:
            shares = self._shares_shown[node] = getattr(self._named(node.value), "type", None) == node.type
        return shares

    def value_label(self, decision: str, value) -> str:
        item = self.subject.decisions[decision]
        if item.type is not None:
            return fmt.value(value, item.type, self.lang)
        labels = item.values.get(value) if value is not None else None
        return labels[self.lang] if labels else fmt.value(value, None, self.lang)

    def _describe(self, node: Node, value) -> str:
        """'sælger til 3 andre kommuner' when the fact has a phrase, else 'højeste takst er 1.727 kr.'."""
        if node.kind == "name":
            text = self._phrase(node.value, value)
            if text:
                return text.replace("{value}", self.show(value, node))
        if node.kind in ("string", "number", "quantity", "date", "bool"):
            return self.show(value, node)
        return f"{self.label(node)} {self.words['is']} {self.show(value, node)}"

    def sentence(self, result: Trace) -> str:
        """The sentence for one traced condition, remembered by its node and the values the trace saw."""
        node = result.node
        if node.kind == "not":
            return self._write_sentence(result)
        return remembered(self._sentences, memo_key(node, (result.value, *result.operands)),
                          lambda: self._write_sentence(result))

    def _write_sentence(self, result: Trace) -> str:
        node = result.node
        words = self.words
        if node.kind == "compare":
            left, right = node.children
            left_value, right_value = result.operands
            if right.kind == "bool" and node.value == "=":
                # "lovgrundlaget er nævnt i bilag 5: nej; kræver ja" reads better than comparing with a truth value
                shown = f"{self.label(left)}: {self.show(left_value, left)}"
                return f"{shown} ✓" if result.value else f"{shown}; {words['requires']} {self.show(right_value, right)}"
            wanted = remembered(self._wanted, memo_key(node, (right_value,)), lambda: self._wanted_text(node, right_value))
            if left.kind == "name" and left.value in self.subject.decisions:
                # another decision's answer: "Kategori: klyngetilbud" rather than "Kategori er klyngetilbud"
                text = f"{self.label(left)}: {self.value_label(left.value, left_value)}"
            else:
                text = self._describe(left, left_value)
            if result.value:
                # an equality that holds says nothing more than the value itself
                return f"{text} ✓" if node.value == "=" else f"{text} ({wanted}) ✓"
            distance = self._distance(node, left_value, right_value)
            return f"{text}; {words['requires']} {wanted}" + (f" ({distance})" if distance else "")
        if node.kind in ("member", "not_member"):
            element, collection = node.children
            left_value, right_value = result.operands
            which = words["one_of"] if node.kind == "member" else words["none_of"]
            shown = self.show(right_value, collection) if collection.kind != "name" else self.label(collection)
            text = self._describe(element, left_value)
            if element.kind == "name" and element.value in self.subject.decisions and isinstance(right_value, list):
                text = f"{self.label(element)}: {self.value_label(element.value, left_value)}"
                shown = ", ".join(self.value_label(element.value, item) for item in right_value)
            return f"{text} ({which}: {shown}) ✓" if result.value else f"{text}; {words['requires']} {which}: {shown}"
        if node.kind == "not":
            inner = result.children[0]
            return f"{'ikke' if self.lang == 'da' else 'not'}: {self.sentence(inner)}"
        mark = "✓" if result.value else "✗"
        if is_exists(node) and node.children[0].kind == "name":
            given = words["given"] if result.value else words["not_given"]
            return f"{self.label(node.children[0])} {given} {mark}"
        if node.kind == "name":
            return f"{self.label(node)}: {self.show(result.value, node)} {mark}"
        return f"{node.text}: {words['true'] if result.value else words['false']} {mark}"

    def _wanted_text(self, node: Node, right_value) -> str:
        """'mindst 2.000 kr.': what a comparison asks for."""
        left, right = node.children
        op_word = OPERATOR_WORDS[self.lang][node.value]
        if left.kind == "name" and left.value in self.subject.decisions and isinstance(right_value, str):
            return f"{op_word} {self.value_label(left.value, right_value)}".strip()
        return f"{op_word} {self.show(right_value, right)}".strip()

    def _distance(self, node: Node, left, right) -> str | None:
        return self._distance_writer(node)(left, right)

    def _distance_writer(self, node: Node):
        """(left, right) -> 'mangler 2' / '1.518 kr. for meget' for this comparison (None where it says no distance),
        with what depends only on the node worked out once."""
        writer = self._distances.get(node)
        if writer is None:
            if node.value in ("=", "!="):
                writer = _no_distance
            else:
                kind = node.children[0].type if node.children[0].type and node.children[0].type.name != "any" else node.children[1].type
                points = kind is not None and kind.name == "pct" or (node.children[1].type and node.children[1].type.name == "pct")
                text = self.words["short" if node.value in (">=", ">") else "over"]
                lang, points_word = self.lang, self.words["points"]

                def writer(left, right):
                    if not isinstance(left, Decimal) or not isinstance(right, Decimal):
                        return None
                    gap = abs(right - left)
                    if points:
                        return text.format(d=f"{fmt.number((gap * 100).quantize(HUNDREDTH), lang)} {points_word}")
                    return text.format(d=fmt.value(gap, kind, lang))
            self._distances[node] = writer
        return writer

    def condition(self, result: Trace) -> dict:
        node = result.node
        item = {"text": node.text, "result": bool(result.value), "line": node.line, "column": node.column}
        if node.kind in ("and", "or", "not", "if"):
            item["op"] = JUNCTION_WORDS[node.kind] if self.lang == "da" else node.kind
            item["children"] = [self.condition(child) for child in result.children]
            if result.skipped:
                item["not_evaluated"] = [child.text for child in node.children[-result.skipped:]]
        else:
            item["sentence"] = self.sentence(result)
            if result.operands:
                item["values"] = [fmt.plain(value) for value in result.operands]
        return item

    # -- flags ---------------------------------------------------------------------------------------
    def _interpretation_flag(self, owner_id: str, interpretation, readings: dict) -> dict:
        words = self.words
        text = (f"{owner_id}: {words['chosen']}: {interpretation.chosen[self.lang]} "
                f"{words['alternative']}: {interpretation.alternative[self.lang]} {words['why']}: {interpretation.why[self.lang]}")
        reading_id = interpretation.reading
        if reading_id and reading_id in self.period.readings:
            reading = self.period.readings[reading_id]
            chosen = readings.get(reading_id, reading.default)
            others = [option for option in reading.options if option != chosen]
            text += f" ({words['reading']} {reading_id} = {chosen}; " + \
                    "; ".join(words["selectable"].format(reading=reading_id, option=option) for option in others) + ")"
        return {"code": "interpretation", "text": text}

    def _used_derived(self, rule) -> list[str]:
        """Derived facts a rule reads in its condition or its computed outcome, directly or through other derived
        facts (in a stable order): the calculation steps behind its answer."""
        return self._uses(rule)[0]

    def _used_parameters(self, rule) -> list[str]:
        """Parameters a rule reads, directly or through the derived facts it uses (in a stable order)."""
        return self._uses(rule)[1]

    def _uses(self, rule) -> tuple[list[str], list[str]]:
        found = self._used.get(id(rule))
        if found is None or found[0] is not rule:   # by identity: a rule object lives as long as its subject
            derived = self._find_used_derived(rule)
            found = self._used[id(rule)] = (rule, derived, self._find_used_parameters(rule, derived))
        return found[1], found[2]

    def _find_used_derived(self, rule) -> list[str]:
        nodes = [rule.when.node] + ([rule.then_expr.node] if rule.then_expr is not None else [])
        found, stack = [], [n.value for node in nodes for n in node.walk() if n.kind == "name"]
        while stack:
            name = stack.pop(0)
            if name in self.subject.derived and name not in found:
                found.append(name)
                stack.extend(sorted(self.compiled.uses.get(name, ())))
        return found

    def _find_used_parameters(self, rule, derived: list[str]) -> list[str]:
        nodes = [rule.when.node] + ([rule.then_expr.node] if rule.then_expr is not None else [])
        nodes += [self.subject.derived[name].expr.node for name in derived]
        found = []
        for node in nodes:
            for part in node.walk():
                if part.kind == "name" and part.value in self.subject.parameters and part.value not in found:
                    found.append(part.value)
        return found

    def _inherited_flag(self, result: DecisionResult) -> dict | None:
        """One flag naming every provision behind the answer that this period carries over without a source."""
        by_origin: dict[str, list[str]] = {}
        rule = result.rule.rule if result.rule else None
        if rule is not None:
            if rule.inherited_from:
                by_origin.setdefault(rule.inherited_from, []).append(rule.id)
            for name in self._used_derived(rule):
                derived = self.subject.derived[name]
                if derived.inherited_from and derived.id:
                    by_origin.setdefault(derived.inherited_from, []).append(derived.id)
            for name in self._used_parameters(rule):
                parameter = self.subject.parameters[name]
                origin = parameter.inherited_on(self.day)
                if origin:
                    by_origin.setdefault(origin, []).append(parameter.id or name)
        override = self.subject.decisions[result.name].override
        if result.override and override.inherited_from:
            by_origin.setdefault(override.inherited_from, []).append(f"{self.subject.name}.{result.name}.vurdering")
        if not by_origin:
            return None
        text = " ".join(self.words["inherited"].format(origin=origin, period=self.period.label(self.lang), items=", ".join(items))
                        for origin, items in sorted(by_origin.items()))
        return {"code": "inherited", "text": text}

    def flags(self, result: DecisionResult) -> list[dict]:
        if result.error is not None:
            return [{"code": "error", "text": self.words["error"].format(message=result.error.render(self.lang))}]
        if result.rule is None:
            before, inherited = self._flags_without_rule(result), self._inherited_flag(result)
        else:   # all but the override's text follow from the rule, the readings its flags name, and the day
            memo = self._rule_memo(result.rule.rule)
            key = (tuple(map(result.readings.get, memo["readings"])), result.override is not None)
            known = memo["flags"].get(key)
            if known is None:
                known = memo["flags"][key] = (self._rule_flags(result), self._inherited_flag(result))
            before, inherited = known
        flags = list(before)
        if result.override:
            flags.append({"code": "override", "text": self._override_text(result)})
        if inherited:
            flags.append(inherited)
        return flags

    def _rule_memo(self, rule) -> dict:
        """What explanations remember of one rule for this day: the readings its flags name, its flags by those
        readings' choices, and its sources."""
        entry = self._per_rule.get(id(rule))
        if entry is None or entry["rule"] is not rule:
            owners = [self.subject.derived[name].interpretation for name in self._used_derived(rule)] + [rule.interpretation]
            entry = self._per_rule[id(rule)] = {
                "rule": rule, "flags": {}, "sources": {},
                "readings": tuple(sorted({owner.reading for owner in owners if owner and owner.reading}))}
        return entry

    def _flags_without_rule(self, result: DecisionResult) -> list[dict]:
        not_applicable = self.subject.decisions[result.name].not_applicable
        if result.override is not None:
            return []  # the assessment decided where no rule did; its flag follows
        if not_applicable:   # the rule file says what no rule means here
            return [{"code": "not_applicable", "text": not_applicable[self.lang]}]
        missing = self.missing_inputs(result)
        if missing:   # not a hole in the source: the facts leave out what a rule needs
            return [{"code": "missing_input", "text": self.words["missing"].format(names=", ".join(missing))}]
        return [{"code": "gap", "text": self.words["no_rule"]}]

    def _rule_flags(self, result: DecisionResult) -> list[dict]:
        flags = []
        rule = result.rule.rule
        for name in self._used_derived(rule):
            derived = self.subject.derived[name]
            if derived.interpretation:
                flags.append(self._interpretation_flag(derived.id or name, derived.interpretation, result.readings))
        if rule.interpretation:
            flags.append(self._interpretation_flag(rule.id, rule.interpretation, result.readings))
        if rule.gap:
            flags.append({"code": "gap", "text": f"{self.words['gap']}: {rule.gap[self.lang]}"})
        for name in self._used_parameters(rule):
            parameter = self.subject.parameters[name]
            gap = parameter.gap_on(self.day)
            if gap:
                flags.append({"code": "gap", "text": f"{self.words['gap']}: {parameter.id or name}: {gap[self.lang]}"})
        if rule.conflict:
            flags.append({"code": "conflict", "text": f"{self.words['conflict']}: {rule.conflict[self.lang]}"})
        return flags

    def _override_text(self, result: DecisionResult) -> str:
        override = result.override
        by = self.words["by"].format(by=override["by"]) if override.get("by") else ""
        return self.words["override"].format(by=by, reason=str(override["reason"]).rstrip(". "),
                                             criteria=self.value_label(result.name, result.criteria_value),
                                             rule=result.rule.rule.id if result.rule else "-")

    # -- why not ------------------------------------------------------------------------------------
    def why_not(self, result: DecisionResult, decision) -> list[dict]:
        entries = []
        by_value = {}
        for rule_trace in result.others:
            by_value.setdefault(rule_trace.rule.rule.then, []).append(rule_trace)
        first_rule = result.rule.rule.id if result.rule else None
        all_rules = decision.decision.rules
        if decision.decision.type is not None:  # a computed decision: why each other rule did not give the value
            return [{"value": None, "label": item.rule.rule.title[self.lang], "rule": item.rule.rule.id,
                     "reasons": self._reasons(item, first_rule, result)} for item in result.others]
        for value in decision.decision.values:
            if value == result.value:
                continue
            label = self.value_label(result.name, value)
            traces = by_value.get(value, [])
            if not traces:
                entries.append({"value": value, "label": label, "rule": None, "reasons": [self._no_active_rule(value, all_rules, result)]})
                continue
            for rule_trace in traces:
                entries.append({"value": value, "label": label, "rule": rule_trace.rule.rule.id,
                                "reasons": self._reasons(rule_trace, first_rule, result)})
        return entries

    def _reasons(self, rule_trace: RuleTrace, first_rule: str | None, result: DecisionResult) -> list[str]:
        if rule_trace.trace.value:
            if result.override and rule_trace.rule.rule.then == result.criteria_value:
                return [self.words["overridden"]]
            return [self.words["later"].format(first=first_rule)]
        return self.failed(rule_trace)

    def failed(self, rule_trace: RuleTrace) -> list[str]:
        """The sentences for what made a rule's condition false (written once per trace: tried_before and why-not
        both show them)."""
        written = rule_trace.failed.get(self.lang)
        if written is None:
            written = rule_trace.failed[self.lang] = [self.sentence(failure) for failure in first_failure(rule_trace.trace)]
        return list(written)

    def _no_active_rule(self, value, all_rules, result: DecisionResult) -> str:
        for rule in all_rules:
            if rule.then == value and rule.under_reading:
                reading_id, option = rule.under_reading
                chosen = result.readings.get(reading_id)
                return self.words["only_under"].format(reading=reading_id, option=option, chosen=chosen)
        return self.words["no_rules"]

    # -- the whole decision -------------------------------------------------------------------------
    def decision(self, result: DecisionResult) -> dict:
        compiled_decision = self._by_decision[result.name]
        decision = compiled_decision.decision
        rule = result.rule.rule if result.rule else None
        explanation = {
            "summary": self._summary(result, decision),
            "rule": None if rule is None else {"id": rule.id, "title": rule.title[self.lang], "file": rule.file, "line": rule.line,
                                               "table_row": rule.table_row,
                                               "condition": self.condition(next(t.trace for t in result.tried if t.rule.rule is rule))},
            "tried_before": [{"id": item.rule.rule.id, "title": item.rule.rule.title[self.lang], "then": item.rule.rule.then,
                              "failed": self.failed(item)}
                             for item in result.tried if item.rule.rule is not rule],
            "inputs": {},
        }
        if result.override:
            explanation["criteria"] = {"value": result.criteria_value, "rule": rule.id if rule else None}
            explanation["override"] = {"value": result.override["value"], "reason": result.override["reason"],
                                       "by": result.override["by"]}
        if result.error is not None:
            explanation["error"] = result.error.as_json(self.lang)
        return {"value": result.value, "rule": rule.id if rule else None, "flags": self.flags(result),
                "explanation": explanation,
                "why_not": [] if result.error is not None else self.why_not(result, compiled_decision),
                "sources": self.sources(result, decision)}

    def sources(self, result: DecisionResult, decision) -> list[dict]:
        """The deciding rule's sources, then those of the derived facts it reads and of the parameter values in
        force on the day, then the assessment's when it overrides: each once. Remembered per deciding rule."""
        overridden = result.override is not None
        rule = result.rule.rule if result.rule else None
        memo = self._rule_memo(rule)["sources"] if rule else {}
        known = memo.get(overridden)
        if known is None:
            sources = []
            if rule:
                sources.extend(rule.sources)
                for name in self._used_derived(rule):
                    sources.extend(self.subject.derived[name].sources)
                for name in self._used_parameters(rule):   # the sources of the values in force on the day
                    sources.extend(self.subject.parameters[name].sources_on(self.day))
            if overridden:
                sources.extend(decision.override.sources)
            unique = []
            for source in sources:
                if source not in unique:
                    unique.append(source)
            known = memo[overridden] = [source.as_json() for source in unique]
        return list(known)

    def missing_inputs(self, result: DecisionResult) -> list[str]:
        """What a rule needed but the facts left out: the optional facts whose `findes(x)` made a rule fail, for
        every rule that got that far (their titles, in rule order)."""
        found = []
        for rule_trace in result.tried:
            for failure in first_failure(rule_trace.trace):
                node = failure.node
                if is_exists(node) and node.children[0].kind == "name" \
                        and node.children[0].value in self.subject.facts:   # an input, not a step that gave no value
                    title = self.label(node.children[0])
                    if title not in found:
                        found.append(title)
        return found

    def _summary(self, result: DecisionResult, decision) -> str:
        title = decision.title[self.lang]
        if result.error is not None:
            return f"{title}: {self.words['error'].format(message=result.error.message if self.lang == 'da' else result.error.message_en)}"
        value = self.value_label(result.name, result.value)
        if result.rule is None and not result.override:
            if decision.not_applicable:
                return f"{title}: {self.words['not_applicable']} — {decision.not_applicable[self.lang]}"
            missing = self.missing_inputs(result)
            if missing:
                return f"{title}: {self.words['missing'].format(names=', '.join(missing))}"
            return f"{title}: {self.words['no_rule']}"
        if result.override:
            return f"{title}: {value}. {self._override_text(result)}"
        rule = result.rule.rule
        return f"{title}: {value} — {self.words['decided_by']} {self.words['rule']} {rule.id} ({rule.title[self.lang]})"

    def inputs(self, env: dict, names) -> dict:
        shown = {}
        for name in names:
            item = self._named(name)
            kind = getattr(item, "type", None)
            title = getattr(item, "title", None)
            value = env.get(name)
            shown[name] = {"title": title[self.lang] if title else name, "value": fmt.plain(value),
                           "shown": self._show_input(name, value, kind)}
        return shown

    def _show_input(self, name: str, value, kind) -> str:
        # keyed by the value's class and plain text, which tells apart what reads differently (-0 from 0) and
        # hashes faster than a long Decimal
        return remembered(self._shown, (name, value.__class__, fmt.plain(value)), lambda: fmt.value(value, kind, self.lang))

    def explain(self, result: DecisionResult, env: dict) -> dict:
        answer = self.decision(result)
        answer["explanation"]["inputs"] = self.inputs(env, self._input_names(result.tried + result.others))
        return answer

    def _input_names(self, rule_traces: list[RuleTrace]) -> list[str]:
        """The derived facts behind these rules, as calculation steps: each after the steps it uses."""
        key = tuple(id(rule_trace.rule) for rule_trace in rule_traces)   # compiled rules live as long as the subject
        names = self._inputs_for.get(key)
        if names is None:
            used = []
            for rule_trace in rule_traces:
                for name in self._used_derived(rule_trace.rule.rule):
                    if name not in used:
                        used.append(name)
            order = {name: index for index, (name, _) in enumerate(self.compiled.derived)}
            names = self._inputs_for[key] = sorted(used, key=order.__getitem__)
        return names
