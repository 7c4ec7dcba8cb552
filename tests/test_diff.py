"""`rammeaftale diff A B`: the rule diff, the decision diff over the fixtures, and the json/md/text outputs."""
from __future__ import annotations

import datetime
import json

import pytest

from conftest import REPO
from rammeaftale.engine import diff as diff_module
from rammeaftale.engine.cli import main
from rammeaftale.engine.diff import evaluation_days
from rammeaftale.engine.periods import compiled_periods, default_rules_dir
from rammeaftale.engine.sources import provision_list

FIXTURES = REPO / "fixtures" / "syddanmark"

# BEK nr. 1365 af 28/11/2023 against the 2018 Bilag 5 list, as written in rules/syddanmark/2023-24/tilbud.yaml
BEK_ADDED = ["BL § 43 stk. 3", "BL § 83", "BL § 84", "BL § 33", "BEK § 5 stk. 1 nr. 1"]
BEK_REMOVED = ["SEL § 32", "SEL § 36", "SEL § 66 stk. 1 nr. 1", "SEL § 66 stk. 1 nr. 2", "SEL § 66 stk. 1 nr. 5",
               "SEL § 66 stk. 1 nr. 6", "SEL § 66 stk. 1 nr. 7", "SEL § 5 stk. 2", "BEK § 10 nr. 1", "FSL § 20 stk. 3",
               "Lov nr. 632/2014 § 1", "LSV § 1 stk. 3"]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "intern fejl" not in err
    return code, out, err


def diff_json(capsys, a, b, *extra):
    code, out, err = run(capsys, "diff", a, b, "--format", "json", "--fixtures", str(FIXTURES), *(extra or ("--region", "syddanmark")))
    assert code == 0, err
    return json.loads(out)


@pytest.fixture(scope="module")
def periods():
    compiled = compiled_periods(default_rules_dir())
    return {key[1]: item for key, item in compiled.items() if key[0] == "syddanmark"}


def counts(period):
    provisions = provision_list(period)
    inherited = [item for item in provisions if item.status != "confirmed"]
    return len(provisions), len(inherited)


def test_2018_to_2021_22_statements_and_provenance(capsys, periods):
    document = diff_json(capsys, "2018", "2021-22")
    assert document["format"] == "rammeaftale.diff/1" and document["region"] == "syddanmark"
    assert document["a"]["period"] == "2018" and document["a"]["valid_to"] == "2018-12-31"
    assert document["a"]["rules_digest"] == periods["2018"].period.digest
    assert document["b"]["valid_from"] == "2021-01-01" and document["b"]["valid_to"] == "2022-12-31"
    assert document["b"]["gap_before"]["from"] == "2019-01-01" and document["b"]["gap_before"]["to"] == "2020-12-31"

    statements = {entry["topic"]: entry for entry in document["rules"]["statements"]}
    assert set(statements) == {"rammeaftale.gyldighed", "rammeaftale.dele", "rammeaftale.godkendelse",
                               "rammeaftale.temaer", "rammeaftale.bilag"}
    validity = statements["rammeaftale.gyldighed"]
    assert validity["change"] == "changed" and validity["text_changed"]
    assert "genforhandles årligt" in validity["a"]["text"] and "(to år)" in validity["b"]["text"]
    assert (validity["a"]["id"], validity["b"]["id"]) == ("syd2018.rammeaftale.gyldighed", "syd2122.rammeaftale.gyldighed")
    annexes = statements["rammeaftale.bilag"]["items"]
    assert (annexes["a"], annexes["b"]) == (19, 18)
    assert annexes["added"][0] == "1 Lovgrundlag" and "18 Tilsyn og fælles samråd for udviklingshæmmede lovovertrædere" in annexes["added"]
    assert "19 Notat om sociale tilbud, der har behov for særlig opmærksomhed" in annexes["removed"]
    assert "2 Tilbud der er omfattet af Styringsaftalen" in annexes["added"]     # renumbered from 2018's no. 5
    assert "5 Tilbud der er omfattet af Styringsaftalen" in annexes["removed"]
    assert [item["kind"] for item in document["rules"]["changed"]] == ["statement"] * 5

    # every 2018 provision but the five restated statements is now carried over unverified
    total, _ = counts(periods["2018"].period)
    provenance = document["rules"]["provenance"]
    assert len(provenance) == total - 5 >= 476
    assert {(item["a"], item["b"], item["b_inherited_from"]) for item in provenance} == {("confirmed", "inherited-unverified", "2018")}
    assert "syd2018.kategori.klynge" in {item["id"] for item in provenance}
    assert document["rules"]["counts"]["b"] == {"provisions": total, "confirmed": 5, "inherited_unverified": total - 5,
                                                "by_origin": {"2018": total - 5}}
    assert document["rules"]["added"] == [] and document["rules"]["removed"] == [] and document["rules"]["parameters"] == []

    # the same rules, so no fixture answer changes; nearly all now rest on inherited provisions
    decisions = document["decisions"]
    assert decisions["changed"] == []
    assert decisions["provenance_only"] == len(decisions["provenance_only_subjects"]) > 50
    assert decisions["unchanged"] + decisions["provenance_only"] == decisions["subjects"]
    assert {"file": f"{FIXTURES.as_posix()}/2018/tilbud.yaml", "type": "tilbud", "id": "palleshave"} in decisions["provenance_only_subjects"]


def test_2021_22_to_2023_24_bilag5_from_2024(capsys, periods):
    document = diff_json(capsys, "2021-22", "2023-24")
    rules = document["rules"]
    assert [entry["id"] for entry in rules["parameters"]] == ["syd2018.bilag5.tilbudstyper"]
    parameter = rules["parameters"][0]
    assert parameter["change"] == "changed" and [value["from"] for value in parameter["a"]] == ["2018-01-01"]
    assert [(value["from"], value["status"]) for value in parameter["b"]] == [("2018-01-01", "inherited-unverified"),
                                                                              ("2024-01-01", "confirmed")]
    [step] = parameter["steps"]
    assert step["from"] == "2024-01-01" and step["added"] == BEK_ADDED and step["removed"] == BEK_REMOVED
    assert step["new"][0] == "BL § 43 stk. 3" and len(step["old"]) == 22 and len(step["new"]) == 15
    assert step["sources"][0]["quote"] == "BEK nr. 1365 af 28/11/2023" and "barnets lov" in step["gap"]
    assert [(item["kind"], item["id"], list(item["fields"])) for item in rules["changed"] if item["kind"] == "parameter"] == \
        [("parameter", "syd2018.bilag5.tilbudstyper", ["values"])]
    # the statements 2023-24 does not restate are carried over from 2021-22, now unverified
    assert [(item["id"], item["a"], item["b"], item["b_inherited_from"]) for item in rules["provenance"]] == [
        ("rammeaftale.bilag", "confirmed", "inherited-unverified", "2021-22"),
        ("rammeaftale.dele", "confirmed", "inherited-unverified", "2021-22")]
    statements = {entry["topic"]: entry["change"] for entry in rules["statements"]}
    assert statements == {"rammeaftale.bilag": "unchanged", "rammeaftale.dele": "unchanged", "rammeaftale.godkendelse": "changed",
                          "rammeaftale.gyldighed": "changed", "rammeaftale.temaer": "changed"}
    assert document["b"]["gap_before"] is None

    changes = {(item["id"], item["decision"]): item for item in document["decisions"]["changed"]}
    old_basis = changes[("boernehjemmet_2023", "omfattet")]       # lovgrundlag SEL § 66 stk. 1 nr. 6, dated 2023-06-01
    assert old_basis["file"].endswith("2023-24/barnets_lov.yaml") and old_basis["date"] == "2024-01-01"
    assert (old_basis["old"]["period"], old_basis["old"]["date"], old_basis["old"]["value"], old_basis["old"]["rule"]) == \
        ("2023-24", "2023-06-01", "omfattet", "syd2018.omfattet.solgt")
    new = old_basis["new"]
    assert (new["period"], new["date"], new["value"], new["shown"], new["rule"]) == \
        ("2023-24", "2024-01-01", "ikke_omfattet", "ikke omfattet", "syd2018.omfattet.uden_for_bilag5")
    assert new["summary"].startswith("Omfattet af styringsaftalen: ikke omfattet — afgjort af regel syd2018.omfattet.uden_for_bilag5")
    assert {flag["code"] for flag in new["flags"]} == {"gap", "inherited"}
    assert any(entry["rule"] == "syd2018.omfattet.solgt" for entry in new["why_not"])
    assert {"document": "later-periods.md", "lines": [44, 44], "quote": "BEK nr. 1365 af 28/11/2023"} in new["sources"]
    assert new["condition"]["sentence"] == "lovgrundlaget er nævnt i bilag 5: nej ✓"
    barnets_lov = changes[("boernehjemmet_2024", "omfattet")]    # BL § 43 stk. 3: not in the 2018 list, in BEK 1365
    assert (barnets_lov["old"]["period"], barnets_lov["old"]["value"], barnets_lov["new"]["value"], barnets_lov["date"]) == \
        ("2021-22", "ikke_omfattet", "omfattet", "2024-01-01")
    assert len(document["decisions"]["changed"]) == 3 and document["decisions"]["skipped"] == []


def test_evaluation_days(periods):
    period = periods["2023-24"]
    assert evaluation_days(period, "tilbud", datetime.date(2023, 6, 1)) == [datetime.date(2023, 6, 1), datetime.date(2024, 1, 1)]
    assert evaluation_days(period, "tilbud", None) == [datetime.date(2023, 1, 1), datetime.date(2024, 1, 1)]
    assert evaluation_days(periods["2021-22"], "tilbud", datetime.date(2024, 3, 1)) == [datetime.date(2021, 1, 1)]


def test_markdown_changelog(capsys, periods):
    code, out, _ = run(capsys, "diff", "2021-22", "2023-24", "--format", "md", "--fixtures", str(FIXTURES), "--region", "syddanmark")
    assert code == 0
    assert out.startswith("# Hvad ændrer sig fra 2021–22 til 2023–24 – Syddanmark\n")
    for heading in ("## Aftalen selv", "## Tal og lister der ændrer sig", "## Afgørelser der ændrer sig",
                    "## Bestemmelser der føres videre uden kilde"):
        assert f"\n{heading}\n" in out
    assert ("- Fra 1. januar 2024 gælder listen efter »BEK nr. 1365 af 28/11/2023« (later-periods.md L44) for tilbudstyper i "
            "bilag 5 (`syd2018.bilag5.tilbudstyper`): tilføjet BL § 43 stk. 3, BL § 83, BL § 84, BL § 33, BEK § 5 stk. 1 nr. 1; "
            "fjernet SEL § 32, SEL § 36, SEL § 66 stk. 1 nr. 1,") in out
    assert ("- **tilbud boernehjemmet_2023** (Børnehjemmet (døgninstitution), 2023) — Omfattet af styringsaftalen: omfattet → "
            "ikke omfattet fra 1. januar 2024 (`syd2018.omfattet.solgt` → `syd2018.omfattet.uden_for_bilag5`).") in out
    assert "  - Nu (2023–24, 1. januar 2024): `syd2018.omfattet.uden_for_bilag5` (Tilbudstypen står ikke i bilag 5): " \
           "lovgrundlaget er nævnt i bilag 5: nej ✓" in out
    total, inherited = counts(periods["2023-24"].period)
    assert f"I 2023–24 er {inherited} af {total} bestemmelser arvet og ikke verificeret mod rammeaftale 2023–24" in out
    assert "**Styringsaftalens bilag** føres videre fra 2021–22 uden kilde for 2023–24" in out

    code, out, _ = run(capsys, "diff", "2018", "2021-22", "--format", "md", "--fixtures", str(FIXTURES), "--region", "syddanmark")
    assert "**Aftalens gyldighed** er ændret. Før: »Rammeaftalen udarbejdes hvert år, gælder for 2018 og genforhandles årligt.«" in out
    assert "Listen har nu 18 punkter (før 19): tilføjet »1 Lovgrundlag«" in out
    assert "Mellem perioderne dækker ingen periode 1. januar 2019 – 31. december 2020" in out
    assert "(se --format json)" not in out.split("## Aftalen selv")[1].split("##")[0]    # short lists in full
    total, _ = counts(periods["2018"].period)
    assert f"{total - 5} bestemmelser (" in out and "var bekræftet i 2018 og er i 2021–22 kun arvet og ikke verificeret, fx" in out


def test_markdown_english(capsys):
    code, out, _ = run(capsys, "diff", "2021-22", "2023-24", "--format", "md", "--lang", "en", "--fixtures", str(FIXTURES), "--region", "syddanmark")
    assert code == 0 and out.startswith("# What changes from 2021–22 to 2023–24 – Syddanmark\n")
    assert "- From 1 January 2024 the list under »BEK nr. 1365 af 28/11/2023«" in out
    assert "Covered by the steering agreement: covered → not covered from 1 January 2024" in out
    assert "## Provisions carried over without a source" in out


def test_text_output(capsys):
    code, out, _ = run(capsys, "diff", "2021-22", "2023-24", "--fixtures", str(FIXTURES), "--region", "syddanmark")
    assert code == 0
    assert "Hvad ændrer sig fra 2021–22 til 2023–24" in out and "**" not in out and "`" not in out
    assert "flag gap: Hul i kilden: syd2018.bilag5.tilbudstyper: Fra 1. januar 2024" in out
    assert "kilde later-periods.md L44-44: »BEK nr. 1365 af 28/11/2023«" in out


def test_deterministic(capsys):
    for fmt in ("json", "md", "text"):
        first = run(capsys, "diff", "2021-22", "2023-24", "--format", fmt, "--fixtures", str(FIXTURES), "--region", "syddanmark")[1]
        second = run(capsys, "diff", "2021-22", "2023-24", "--format", fmt, "--fixtures", str(FIXTURES), "--region", "syddanmark")[1]
        assert first == second and first


def test_default_fixtures_folder(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    code, out, _ = run(capsys, "diff", "2021-22", "2023-24", "--format", "json", "--region", "syddanmark")
    document = json.loads(out)
    assert code == 0 and document["decisions"]["fixtures"] == "fixtures/syddanmark"
    assert "fixtures/syddanmark/2023-24/barnets_lov.yaml" in {item["file"] for item in document["decisions"]["changed"]}
    # no fixture file from cases/ or golden/
    assert not any("/cases/" in item["file"] or "/golden/" in item["file"] for item in document["decisions"]["skipped"])


def test_unknown_period_and_region(capsys):
    code, _, err = run(capsys, "diff", "2018", "2099")
    assert code == 2 and "ingen region har både periode '2018' og '2099'" in err
    assert "syddanmark: 2018, 2021-22, 2023-24" in err
    code, _, err = run(capsys, "diff", "2018", "2099", "--region", "syddanmark")
    assert code == 2 and "ukendt periode '2099' for syddanmark" in err and "perioder: 2018, 2021-22, 2023-24" in err
    code, _, err = run(capsys, "diff", "2018", "2021-22", "--region", "sjaelland", "--lang", "en")
    assert code == 2 and "unknown region 'sjaelland'" in err and "nordjylland, syddanmark" in err


def test_same_period_is_a_usage_error(capsys):
    # before: `diff 2018 2018` ran silently and printed an empty diff
    code, out, err = run(capsys, "diff", "2018", "2018", "--region", "nordjylland")
    assert code == 2 and out == "" and "sammenlign to forskellige perioder" in err
    code, _, err = run(capsys, "diff", "2021-22", "2021-22", "--format", "json", "--lang", "en")
    assert code == 2 and "compare two different periods" in err


def test_other_region_without_changes(capsys):
    document = diff_json(capsys, "2021-22", "2023-24", "--region", "nordjylland")
    rules = document["rules"]
    assert all(rules[key] == [] for key in ("parameters", "readings"))
    assert "reversed" not in document


def test_skipped_and_missing_fixtures(capsys, tmp_path):
    (tmp_path / "2018").mkdir()
    (tmp_path / "2018" / "fremmed.yaml").write_text("boernehus_budget:\n  - id: x\n", encoding="utf-8")
    (tmp_path / "golden").mkdir()
    (tmp_path / "golden" / "ignored.yaml").write_text("not: facts\n", encoding="utf-8")
    code, out, err = run(capsys, "diff", "2018", "2021-22", "--format", "json", "--fixtures", str(tmp_path), "--region", "syddanmark")
    assert code == 0, err
    decisions = json.loads(out)["decisions"]
    assert decisions["files"] == 1 and decisions["subjects"] == 0
    assert [(item["file"].rsplit("/", 2)[-2:], item["period"]) for item in decisions["skipped"]] == \
        [(["2018", "fremmed.yaml"], "2018"), (["2018", "fremmed.yaml"], "2021-22")]
    assert "boernehus_budget" in decisions["skipped"][0]["reason"]
    code, _, err = run(capsys, "diff", "2018", "2021-22", "--fixtures", str(tmp_path / "nowhere"), "--region", "syddanmark")
    assert code == 1 and "findes ikke" in err and "--fixtures" in err


def test_without_region_every_region_with_both_periods_is_compared(capsys):
    code, out, _ = run(capsys, "diff", "2018", "2021-22", "--format", "json")
    document = json.loads(out)
    assert code == 0 and document["format"] == "rammeaftale.diff-set/1"
    assert [item["region"] for item in document["diffs"]] == ["nordjylland", "syddanmark"]
    code, out, _ = run(capsys, "diff", "2018", "2021-22", "--format", "md")
    assert "# Hvad ændrer sig fra 2018 til 2021–22 – Nordjylland\n" in out
    assert "# Hvad ændrer sig fra 2018 til 2021–22 – Syddanmark\n" in out


# -- review fixes ---------------------------------------------------------------------------------------------
def test_parameter_without_steps_is_not_listed_under_an_empty_heading(capsys, periods):
    """A parameter can differ (title, sources) while no value in force changes: then there is nothing to list."""
    document = diff_json(capsys, "2021-22", "2023-24")
    entry = document["rules"]["parameters"][0]
    document["rules"]["parameters"] = [{**entry, "steps": []}]
    out = diff_module.to_markdown(diff_module.changelog(document, "da"))
    section = out.split("## Tal og lister der ændrer sig\n", 1)[1].split("\n## ", 1)[0]
    assert section.strip() == "Ingen tal eller lister ændrer sig."
    # a parameter that is dropped is still listed (it has no steps either)
    document["rules"]["parameters"] = [{**entry, "change": "removed", "steps": [], "a": [{"shown": "x"}]}]
    out = diff_module.to_markdown(diff_module.changelog(document, "da"))
    assert "udgår (sidst x)" in out and "Ingen tal eller lister ændrer sig." not in out


def test_fixtures_cases_folder_is_not_read_as_facts(capsys):
    document = diff_json(capsys, "2018", "2021-22", "--fixtures", str(REPO / "fixtures" / "cases"), "--region", "syddanmark")
    decisions = document["decisions"]
    assert decisions["files"] == 0 and decisions["skipped"] == []
    code, out, _ = run(capsys, "diff", "2018", "2021-22", "--fixtures", str(REPO / "fixtures" / "cases"), "--region", "syddanmark")
    assert code == 0 and "Sprunget over" not in out and "ukendt felt 'cases'" not in out


def test_resolve_runs_once_and_build_takes_the_compiled_periods(capsys, monkeypatch, periods):
    calls = []
    real = diff_module.resolve

    def counting(*args, **kwargs):
        calls.append(args[1:])
        return real(*args, **kwargs)

    monkeypatch.setattr(diff_module, "resolve", counting)
    code, out, _ = run(capsys, "diff", "2018", "2021-22", "--format", "json", "--fixtures", str(FIXTURES))
    assert code == 0 and json.loads(out)["format"] == "rammeaftale.diff-set/1"
    assert calls == [("2018", "2021-22", None)]
    assert [region for region, _, _ in real(compiled_periods(default_rules_dir()), "2018", "2021-22", None)] == \
        ["nordjylland", "syddanmark"]
    document = diff_module.build(periods["2018"], periods["2021-22"], FIXTURES, "da")
    assert document["region"] == "syddanmark" and document["a"]["period"] == "2018" and document["b"]["period"] == "2021-22"


def test_no_unused_texts_or_parameters():
    import inspect
    for lang in ("da", "en"):
        assert "d_nothing" not in diff_module.TEXT[lang] and "and" not in diff_module.TEXT[lang]
    assert list(inspect.signature(diff_module._why).parameters) == ["side"]


def test_summary_singular_and_plural(capsys, tmp_path):
    (tmp_path / "2018").mkdir()
    (tmp_path / "2018" / "en.yaml").write_text(
        "tilbud:\n  - id: et\n    driftsherre: Odense\n    driftsform: kommunal\n    lovgrundlag: [\"SEL § 108\"]\n"
        "    pladser: 20\n    ydelser: [{navn: Bo, takst: 1500, enhed: døgn}]\n    koeb: []\n", encoding="utf-8")
    code, out, _ = run(capsys, "diff", "2018", "2021-22", "--format", "md", "--fixtures", str(tmp_path), "--region", "syddanmark")
    assert code == 0
    assert (f"1 emne i 1 faktafil under {tmp_path.as_posix()} er vurderet efter begge perioder: ingen afgørelser ændrer sig; "
            "0 emner er uændrede; 1 emne får samme svar, men grundlaget har skiftet status") in out
    code, out, _ = run(capsys, "diff", "2018", "2021-22", "--format", "md", "--lang", "en", "--fixtures", str(tmp_path),
                       "--region", "syddanmark")
    assert (f"1 subject in 1 facts file under {tmp_path.as_posix()} was evaluated under both periods: no decisions change; "
            "0 subjects are unchanged; 1 subject gets the same answer, but its basis changed status") in out
    assert diff_module._counted("{n} {n:afgørelser|afgørelse} for {m} {m:emner|emne}", n=1, m=3) == "1 afgørelse for 3 emner"
    # the plural where there are several (the README's example)
    code, out, _ = run(capsys, "diff", "2021-22", "2023-24", "--format", "md", "--fixtures", str(FIXTURES), "--region", "syddanmark")
    assert "afgørelser ændrer sig for 3 emner; 73 emner er uændrede;" in out


def test_b_before_a_is_said_to_run_backwards(capsys):
    code, out, err = run(capsys, "diff", "2023-24", "2018", "--format", "json", "--fixtures", str(FIXTURES), "--region", "syddanmark")
    assert code == 0 and json.loads(out)["reversed"] is True
    assert "Bemærk: 2018 ligger før 2023–24, så sammenligningen går baglæns i tiden" in err
    code, out, err = run(capsys, "diff", "2023-24", "2018", "--format", "md", "--lang", "en")
    assert code == 0 and err.count("runs backwards in time") == 1      # once, though two regions are compared
    code, out, err = run(capsys, "diff", "2018", "2023-24", "--format", "json", "--region", "syddanmark")
    assert code == 0 and "reversed" not in json.loads(out) and err == ""
