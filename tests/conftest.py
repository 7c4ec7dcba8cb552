"""Shared helpers: the shipped rules compiled once, and a way to evaluate one tilbud record."""
from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import yaml

from rammeaftale.engine.evaluate import evaluate_subject
from rammeaftale.engine.explain import Explainer
from rammeaftale.engine.facts import load_facts_text
from rammeaftale.engine.periods import default_rules_dir, select

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def syd2018():
    return select(default_rules_dir(), "2018", "syddanmark")


def tilbud(**fields) -> dict:
    """A kommunal Bilag 5 tilbud with 20 places; override any field."""
    record = {"id": "t", "driftsherre": "Odense", "driftsform": "kommunal", "lovgrundlag": ["SEL § 108"], "pladser": 20,
              "ydelser": [{"navn": "Botilbud", "takst": 1500, "enhed": "døgn"}], "koeb": []}
    record.update(fields)
    return record


def buyers(*counts, prefix="K") -> list:
    """koeb entries for distinct kommuner, with the given places each."""
    return [{"kommune": f"{prefix}{index}", "pladser": count} for index, count in enumerate(counts)]


def run(period, subject: str, record: dict, readings: dict | None = None, lang: str = "da") -> dict:
    """Evaluate one record of `subject` through the facts parser (the real contract) and explain every decision."""
    text = yaml.safe_dump({subject: [record]}, allow_unicode=True)
    facts = load_facts_text(text, "test.yaml", period.period)[0]
    chosen = {**period.default_readings(), **(readings or {})}
    compiled = period.subjects[subject]
    results, env = evaluate_subject(compiled, facts.values, chosen, datetime.date(2018, 6, 1))
    explainer = Explainer(compiled, period.period, lang)
    return {name: explainer.explain(result, env) for name, result in results.items()}


def decide(period, record: dict, readings: dict | None = None, lang: str = "da") -> dict:
    return run(period, "tilbud", record, readings, lang)
