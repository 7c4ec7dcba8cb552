"""Static analysis of the decisions (`rammeaftale check`): gaps, regions only gap rules cover, overlaps, unreachable
rules and unused names, on the shipped rules and on a small rules folder written here."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from rammeaftale.engine.analysis import analysis_findings
from rammeaftale.engine.cli import main
from rammeaftale.engine.periods import default_rules_dir, load_all

PERIOD = """\
period:
  region: testland
  id: "2018"
  title: {da: Testperiode, en: Test period}
  valid_from: 2018-01-01
  valid_to: 2018-12-31
  extends: null
  documents:
    - {file: 000_0000000000000000.txt, title: Kilde}
readings: {}
"""

# The pattern of rules/syddanmark/2018/oevrige_udgiftsloft.yaml, cut down: a gap (a low amount of type b or c),
# a rule the one before it always beats (>= 2000 kr after >= 1000 kr), an unused fact and an unused parameter.
SUBJECT = """\
subject: sag
title: {da: Sag, en: Case}

facts:
  id: {type: text, title: {da: id, en: id}}
  beloeb: {type: kr, minimum: 0, title: {da: beløb, en: amount}}
  sagstype: {type: text, values: [a, b, c], title: {da: sagstype, en: case type}}
  ubrugt_faktum: {type: number, title: {da: ubrugt, en: unused}}

parameters:
  graense:
    id: test.graense
    type: kr
    title: {da: grænse, en: limit}
    values: {2018-01-01: 1000}
    sources:
      - {document: 000_0000000000000000.txt, lines: [1, 1], quote: grænsen er 1000 kr.}
  ubrugt_parameter:
    id: test.ubrugt
    type: number
    title: {da: ubrugt parameter, en: unused parameter}
    values: {2018-01-01: 7}
    sources:
      - {document: 000_0000000000000000.txt, lines: [2, 2], quote: syv}

decisions:
  udfald:
    title: {da: Udfald, en: Outcome}
    values:
      lav: {da: lav, en: low}
      hoej: {da: høj, en: high}
    rules:
      - id: test.lav
        title: {da: Lavt beløb af type a, en: Low amount of type a}
        when: beloeb < graense og sagstype = "a"
        then: lav
        sources:
          - {document: 000_0000000000000000.txt, lines: [1, 1], quote: grænsen er 1000 kr.}
      - id: test.hoej
        title: {da: Højt beløb, en: High amount}
        when: beloeb >= graense
        then: hoej
        sources:
          - {document: 000_0000000000000000.txt, lines: [1, 1], quote: grænsen er 1000 kr.}
      - id: test.aldrig
        title: {da: Meget højt beløb, en: Very high amount}
        when: beloeb >= 2000 kr
        then: lav
        sources:
          - {document: 000_0000000000000000.txt, lines: [1, 1], quote: grænsen er 1000 kr.}
"""
SUBJECT_FILE = "rules/testland/2018/sag.yaml"


def line_of(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


@pytest.fixture(scope="module")
def shipped():
    periods, errors = load_all(default_rules_dir())
    assert not errors
    return {(period.region, period.id): period for period in periods}


@pytest.fixture
def tiny(tmp_path) -> Path:
    folder = tmp_path / "rules" / "testland" / "2018"
    folder.mkdir(parents=True)
    (folder / "period.yaml").write_text(PERIOD, encoding="utf-8")
    (folder / "sag.yaml").write_text(SUBJECT, encoding="utf-8")
    seeds = tmp_path / "seeds"   # the quotes stand in their own source, so check verifies them
    seeds.mkdir()
    (seeds / "000_0000000000000000.txt").write_text("grænsen er 1000 kr.\nsyv\n", encoding="utf-8")
    return tmp_path / "rules"


def tiny_findings(root: Path, lang: str = "da") -> list[dict]:
    periods, errors = load_all(root)
    assert not errors and len(periods) == 1
    return analysis_findings(periods[0], lang)


# -- the shipped rules ------------------------------------------------------------------------------------------
def test_the_2018_category_gap_is_derived_from_the_conditions(shipped):
    findings = [item for item in analysis_findings(shipped["syddanmark", "2018"])
                if item["decision"] == "kategori" and item["code"] == "ANA002"]
    assert len(findings) == 1
    gap = findings[0]
    assert gap["severity"] == "info" and gap["subject"] == "tilbud" and gap["file"] == "rules/syddanmark/2018/tilbud.yaml"
    assert gap["rules"] == ["syd2018.kategori.hul_klynge", "syd2018.kategori.hul_lokal"]
    assert len(gap["regions"]) == 1            # one region, under every combination of the readings
    bounds = {part["variable"]: part for part in gap["regions"][0]}
    assert set(bounds) == {"hoejeste_takst", "antal_koeberkommuner", "andel_solgt"}
    assert (bounds["hoejeste_takst"]["min"], bounds["hoejeste_takst"]["min_inclusive"], bounds["hoejeste_takst"]["max"]) == ("2000", True, None)
    assert (bounds["antal_koeberkommuner"]["min"], bounds["antal_koeberkommuner"]["min_inclusive"]) == ("1", True)
    assert (bounds["antal_koeberkommuner"]["max"], bounds["antal_koeberkommuner"]["max_inclusive"]) == ("4", False)
    assert (bounds["andel_solgt"]["min"], bounds["andel_solgt"]["max"], bounds["andel_solgt"]["max_inclusive"]) == (None, "0.4", False)
    assert gap["where"] == ("højeste takst ≥ 2.000 kr., 1 ≤ antal købende kommuner ud over driftsherren < 4, "
                            "andel af pladserne solgt til andre kommuner < 40 %")
    assert "ingen kildebaseret regel afgør; kun syd2018.kategori.hul_klynge / syd2018.kategori.hul_lokal" in gap["message"]
    # the rule it points at is the first gap rule
    text = (default_rules_dir() / "syddanmark" / "2018" / "tilbud.yaml").read_text(encoding="utf-8")
    assert gap["line"] == line_of(text, "- id: syd2018.kategori.hul_klynge")


def test_the_category_gap_in_english(shipped):
    gap = next(item for item in analysis_findings(shipped["syddanmark", "2018"], "en")
               if item["decision"] == "kategori" and item["code"] == "ANA002")
    assert gap["where"] == ("highest takst ≥ DKK 2,000, 1 ≤ number of buying kommuner besides the operator < 4, "
                            "share of places sold to other kommuner < 40%")
    assert "no source-based rule decides" in gap["message"]


def test_an_overlap_names_the_rule_that_wins_and_the_reading(shipped):
    overlaps = [item for item in analysis_findings(shipped["syddanmark", "2018"])
                if item["code"] == "ANA003" and item["rules"] == ["syd2018.kategori.hoejt_specialiseret_alternativ", "syd2018.kategori.klynge"]]
    assert len(overlaps) == 1
    assert overlaps[0]["where"] == ("læsning hs_praecedens = takst_kun_kommuner, højeste takst < 2.000 kr., antal købende "
                                    "kommuner ud over driftsherren ≥ 1, andel af pladserne solgt til andre kommuner ≥ 40 %")
    assert "syd2018.kategori.hoejt_specialiseret_alternativ afgør" in overlaps[0]["message"]


def test_the_shipped_rules_have_no_unreachable_rule(shipped):
    for period in shipped.values():
        unreachable = [item["message"] for item in analysis_findings(period) if item["code"] == "ANA004"]
        assert unreachable == [], (period.key, unreachable)


def test_every_shipped_decision_is_analysed(shipped):
    for period in shipped.values():
        assert [item for item in analysis_findings(period) if item["code"] == "ANA008"] == []


def test_a_decision_read_through_its_rules_keeps_gaps_consistent(shipped):
    # `omfattet` reads `kategori` (an override, readings, thresholds): every tilbud gets an answer
    findings = analysis_findings(shipped["syddanmark", "2018"])
    assert [item for item in findings if item["decision"] == "omfattet" and item["code"] in ("ANA001", "ANA004")] == []


def test_findings_are_sorted_and_stable(shipped):
    period = shipped["syddanmark", "2018"]
    first, second = analysis_findings(period), analysis_findings(period)
    assert first == second
    keys = [(item["subject"], item["decision"] or "", item["code"]) for item in first]
    assert keys == sorted(keys)


# -- a small rules folder ---------------------------------------------------------------------------------------
def test_an_uncovered_region_with_file_and_line(tiny):
    gaps = [item for item in tiny_findings(tiny) if item["code"] == "ANA001"]
    assert len(gaps) == 1
    gap = gaps[0]
    assert gap["severity"] == "warning" and gap["decision"] == "udfald" and gap["rules"] == []
    assert gap["where"] == "beløb < 1.000 kr., sagstype ≠ a"
    assert gap["regions"][0][1]["values"] == ["b", "c"]
    assert gap["file"] == SUBJECT_FILE and gap["line"] == line_of(SUBJECT, "  udfald:") + 1


def test_an_unreachable_rule_with_file_and_line(tiny):
    unreachable = [item for item in tiny_findings(tiny) if item["code"] == "ANA004"]
    assert len(unreachable) == 1
    item = unreachable[0]
    assert item["severity"] == "warning" and item["rules"] == ["test.aldrig", "test.hoej"]
    assert item["message"] == "regel test.aldrig kan aldrig afgøre: hvor den gælder, afgør test.hoej altid først"
    assert item["file"] == SUBJECT_FILE and item["line"] == line_of(SUBJECT, "- id: test.aldrig")
    overlap = next(finding for finding in tiny_findings(tiny, "en") if finding["code"] == "ANA003")
    assert overlap["where"] == "amount ≥ DKK 2,000" and overlap["rules"] == ["test.hoej", "test.aldrig"]


def test_a_condition_that_cannot_hold_is_unreachable(tiny):
    path = tiny / "testland" / "2018" / "sag.yaml"
    path.write_text(SUBJECT.replace("when: beloeb >= 2000 kr", 'when: beloeb < 500 kr og beloeb > 600 kr'), encoding="utf-8")
    item = next(finding for finding in tiny_findings(tiny) if finding["code"] == "ANA004")
    assert item["message"] == "regel test.aldrig kan aldrig afgøre: betingelsen kan ikke være opfyldt"


def test_unused_fact_and_parameter_with_file_and_line(tiny):
    findings = {item["code"]: item for item in tiny_findings(tiny) if item["code"] in ("ANA005", "ANA006")}
    fact, parameter = findings["ANA005"], findings["ANA006"]
    assert fact["name"] == "ubrugt_faktum" and fact["severity"] == "warning"
    assert fact["file"] == SUBJECT_FILE and fact["line"] == line_of(SUBJECT, "ubrugt_faktum:")
    assert parameter["name"] == "ubrugt_parameter"
    # a block mapping's position is its first line, as check reports parameters
    assert parameter["file"] == SUBJECT_FILE and parameter["line"] == line_of(SUBJECT, "ubrugt_parameter:") + 1
    # id is never reported, and used names are not
    assert {item.get("name") for item in tiny_findings(tiny)} - {None} == {"ubrugt_faktum", "ubrugt_parameter"}


def test_readings_are_dimensions_of_the_grid(tiny):
    path = tiny / "testland" / "2018"
    (path / "period.yaml").write_text(PERIOD.replace("readings: {}", """\
readings:
  lav_graense:
    title: {da: Hvad lav betyder, en: What low means}
    default: kun_a
    options: {kun_a: {da: kun type a, en: type a only}, alle: {da: alle typer, en: every type}}
    sources:
      - {document: 000_0000000000000000.txt, lines: [1, 1], quote: grænsen er 1000 kr.}
"""), encoding="utf-8")
    (path / "sag.yaml").write_text(SUBJECT.replace("""        then: lav
        sources:
          - {document: 000_0000000000000000.txt, lines: [1, 1], quote: grænsen er 1000 kr.}
      - id: test.hoej""", """        then: lav
        sources:
          - {document: 000_0000000000000000.txt, lines: [1, 1], quote: grænsen er 1000 kr.}
      - id: test.lav_alle
        title: {da: Lavt beløb, en: Low amount}
        when: beloeb < graense
        then: lav
        under_reading: {lav_graense: alle}
        sources:
          - {document: 000_0000000000000000.txt, lines: [1, 1], quote: grænsen er 1000 kr.}
      - id: test.hoej"""), encoding="utf-8")
    gap = next(item for item in tiny_findings(tiny) if item["code"] == "ANA001")
    assert gap["where"] == "læsning lav_graense = kun_a, beløb < 1.000 kr., sagstype ≠ a"


# -- the command line -------------------------------------------------------------------------------------------
def test_check_reports_the_analysis_and_strict_fails_on_warnings(tiny, capsys):
    sources = ["--sources", str(tiny.parent / "seeds")]
    code = main(["check", "--rules", str(tiny), "--format", "json", *sources])
    document = json.loads(capsys.readouterr().out)
    assert code == 0 and document["ok"] is True
    assert sorted(item["code"] for item in document["analysis"]) == ["ANA001", "ANA003", "ANA004", "ANA005", "ANA006"]
    assert main(["check", "--rules", str(tiny), "--strict", *sources]) == 1
    out = capsys.readouterr().out
    assert "ANA004 uopnåelige regler: 1 (advarsler: 1)" in out
    assert f"{SUBJECT_FILE}:{line_of(SUBJECT, '- id: test.aldrig')}: regel test.aldrig kan aldrig afgøre" in out


def test_check_of_the_shipped_rules_still_passes(capsys):
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "Analyse af afgørelserne:" in out and "ANA002 kun dækket af hul-regler" in out
