"""Bad rule files and bad facts files: every error names the file, the line and the column, and the
command line never shows a Python traceback.

Each rule-file test copies the shipped rules, breaks one thing, and runs `rammeaftale check` in-process.
Expected positions are found by searching the modified text, never hard-coded.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rammeaftale.engine.cli import main

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO.parent / "shared" / "seeds"
SOURCES = ["--sources", str(SEEDS)] if SEEDS.is_dir() else []
TILBUD = Path("syddanmark") / "2018" / "tilbud.yaml"
TILBUD_NAME = "rules/syddanmark/2018/tilbud.yaml"       # how errors name the file (relative to the rules folder's parent)
KLYNGE_WHEN = "when: antal_koeberkommuner >= 1 og hoejeste_takst < takstgraense"
HS_WHEN = "when: hoejeste_takst >= takstgraense og ("


# -- helpers --------------------------------------------------------------------------------------------
@pytest.fixture
def rules(tmp_path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(REPO / "rules", target, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    return target


def edit(rules: Path, old: str, new: str, file: Path = TILBUD) -> str:
    """Replace the first `old` by `new` in a copied rule file; returns the new text."""
    path = rules / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is no longer in {file}; update the test"
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text


def position(text: str, needle: str, offset: int = 0, after: str | None = None) -> tuple[int, int]:
    """1-based (line, column) of `needle` (plus `offset` characters) in text, searching after `after` if given."""
    start = text.index(after) if after else 0
    index = text.index(needle, start) + offset
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out
    assert "intern fejl" not in err, err
    return code, out, err


def check(capsys, rules: Path) -> tuple[int, dict]:
    code, out, _ = cli(capsys, "check", "--rules", rules, "--format", "json", *SOURCES)
    document = json.loads(out)
    assert document["format"] == "rammeaftale.check/1"
    assert document["ok"] is (code == 0)
    return code, document


def the_error(document: dict, code: str) -> dict:
    found = [error for error in document["errors"] if error["code"] == code]
    assert len(found) == 1, document["errors"]
    return found[0]


# -- rule files -----------------------------------------------------------------------------------------
def test_untouched_copy_is_fine(capsys, rules):
    code, document = check(capsys, rules)
    assert code == 0
    assert document["ok"] is True and document["errors"] == []
    [period] = [item for item in document["periods"] if (item["region"], item["period"]) == ("syddanmark", "2018")]
    assert (period["valid_from"], period["valid_to"], period["extends"]) == ("2018-01-01", "2018-12-31", None)
    assert re.fullmatch(r"[0-9a-f]{64}", period["rules_digest"])
    assert "syd2018.kategori.klynge" in {provision["id"] for provision in period["provisions"]}


def test_broken_expression_in_when(capsys, rules):
    text = edit(rules, "hoejeste_takst >= takstgraense og (", "hoejeste_takst >= takstgraense og og (")
    code, document = check(capsys, rules)
    assert code == 1
    [error] = document["errors"]
    assert error["code"] == "DSL009"          # 'og' is a reserved word, not a name
    assert error["file"] == TILBUD_NAME
    when_line, value_column = position(text, "hoejeste_takst >= takstgraense og og (")
    line_text = text.split("\n")[when_line - 1]
    assert error["line"] == when_line
    assert value_column <= error["column"] <= len(line_text)
    # it points at the doubled 'og'
    assert error["column"] == position(text, "og og (", 3)[1]


def test_syntax_error_in_when(capsys, rules):
    text = edit(rules, KLYNGE_WHEN, KLYNGE_WHEN + ")")
    code, document = check(capsys, rules)
    assert code == 1
    error = the_error(document, "DSL004")
    assert error["file"] == TILBUD_NAME
    assert (error["line"], error["column"]) == position(text, "takstgraense)", len("takstgraense"))
    assert error["message"] == "uventet ')'; forventede udtrykkets slutning"


def test_syntax_error_in_a_block_scalar_points_into_the_right_line(capsys, rules):
    text = edit(rules, HS_WHEN, "when: |\n          hoejeste_takst >= takstgraense\n          og (antal_koeberkommuner >= ) eller (")
    code, document = check(capsys, rules)
    assert code == 1
    error = the_error(document, "DSL004")
    assert (error["file"], error["line"], error["column"]) == (TILBUD_NAME, *position(text, ">= ) eller (", 3))


def test_syntax_error_in_a_folded_plain_scalar(capsys, rules):
    text = edit(rules, HS_WHEN, "when: hoejeste_takst >= takstgraense\n          og (antal_koeberkommuner >= ) eller (")
    code, document = check(capsys, rules)
    error = the_error(document, "DSL004")
    assert (code, error["line"], error["column"]) == (1, *position(text, ">= ) eller (", 3))


def test_unknown_name_with_did_you_mean(capsys, rules):
    text = edit(rules, HS_WHEN, "when: hoejeste_taskt >= takstgraense og (")
    code, document = check(capsys, rules)
    assert code == 1
    [error] = document["errors"]
    assert error["code"] == "DSL101"
    assert (error["file"], error["line"], error["column"]) == (TILBUD_NAME, *position(text, "hoejeste_taskt"))
    assert error["message"] == "ukendt navn 'hoejeste_taskt'"
    assert error["hint"] == "mente du 'hoejeste_takst'?"


def test_unknown_name_in_english(capsys, rules):
    edit(rules, HS_WHEN, "when: hoejeste_taskt >= takstgraense og (")
    code, out, _ = cli(capsys, "check", "--rules", rules, "--format", "json", "--lang", "en", *SOURCES)
    [error] = json.loads(out)["errors"]
    assert code == 1 and error["message"] == "unknown name 'hoejeste_taskt'"


def test_duplicate_yaml_key(capsys, rules):
    anchor = KLYNGE_WHEN + "\n        then: klyngetilbud\n"
    text = edit(rules, anchor, anchor + "        then: lokalt_tilbud\n")
    code, document = check(capsys, rules)
    assert code == 1
    error = the_error(document, "YAML002")
    assert error["file"] == TILBUD_NAME
    assert (error["line"], error["column"]) == position(text, "then: lokalt_tilbud", after=KLYNGE_WHEN)
    first_line = position(text, "then: klyngetilbud", after=KLYNGE_WHEN)[0]
    assert error["message"] == "nøglen 'then' står to gange"
    assert error["hint"].startswith(f"første gang i linje {first_line};")


def test_invalid_indentation(capsys, rules):
    text = edit(rules, "  driftsherre:\n    type: text\n", "  driftsherre:\n    type: text\n      title: x\n")
    code, document = check(capsys, rules)
    assert code == 1
    error = the_error(document, "YAML001")
    assert error["file"] == TILBUD_NAME
    assert (error["line"], error["column"]) == position(text, "title: x", len("title"))
    assert error["message"].startswith("ugyldig YAML: ")


def test_unknown_field_in_a_rule(capsys, rules):
    text = edit(rules, KLYNGE_WHEN + "\n", KLYNGE_WHEN + "\n        priority: 3\n")
    code, document = check(capsys, rules)
    assert code == 1
    error = the_error(document, "SCHEMA001")
    assert error["file"] == TILBUD_NAME
    assert (error["line"], error["column"]) == position(text, "priority: 3")
    assert error["message"] == "decisions.kategori.rules.2: ukendt felt 'priority'"
    assert "when" in error["hint"] and "then" in error["hint"]


def test_misspelt_field_gets_a_did_you_mean(capsys, rules):
    text = edit(rules, KLYNGE_WHEN + "\n        then:", KLYNGE_WHEN + "\n        thn:")
    code, document = check(capsys, rules)
    assert code == 1
    errors = [error for error in document["errors"] if error["code"] == "SCHEMA001"]
    unknown = [error for error in errors if "ukendt felt 'thn'" in error["message"]]
    assert unknown and unknown[0]["hint"] == "mente du 'then'?"
    assert (unknown[0]["line"], unknown[0]["column"]) == position(text, "thn:")


def test_outcome_not_among_the_decision_values(capsys, rules):
    text = edit(rules, KLYNGE_WHEN + "\n        then: klyngetilbud", KLYNGE_WHEN + "\n        then: klyngetilbd")
    code, document = check(capsys, rules)
    assert code == 1
    error = the_error(document, "RULE022")
    assert error["file"] == TILBUD_NAME
    rule_line = position(text, "- id: syd2018.kategori.klynge")[0]
    then_line = position(text, "then: klyngetilbd")[0]
    assert error["line"] in (rule_line, then_line)
    assert error["message"] == "regel 'syd2018.kategori.klynge': udfaldet 'klyngetilbd' er ikke en af afgørelsens værdier"
    assert error["hint"] == "mente du 'klyngetilbud'?"


def test_outcome_error_points_at_the_then_value(capsys, rules):
    text = edit(rules, KLYNGE_WHEN + "\n        then: klyngetilbud", KLYNGE_WHEN + "\n        then: klyngetilbd")
    _, document = check(capsys, rules)
    error = the_error(document, "RULE022")
    assert (error["line"], error["column"]) == position(text, "klyngetilbd")


def test_quote_not_in_the_cited_lines(capsys, rules):
    if not SEEDS.is_dir():
        pytest.skip("the source documents are not available")
    text = edit(rules, "quote: Tilbud med en takst på 2000 kr. eller derover\n",
                "quote: Tilbud med en takst på 3000 kr. eller derover\n")
    code, document = check(capsys, rules)
    assert code == 1
    error = the_error(document, "SRC001")
    assert error["file"] == TILBUD_NAME
    assert (error["line"], error["column"]) == position(text, "Tilbud med en takst på 3000 kr.")   # at the quote itself
    assert error["message"].startswith("syd2018.kategori.takstgraense: citatet står ikke i 000_c8f43d8e9a5c082f.txt linje 351-351")
    [period] = [item for item in document["periods"] if item["region"] == "syddanmark" and item["period"] == "2018"]
    [provision] = [item for item in period["provisions"] if item["id"] == "syd2018.kategori.takstgraense"]
    assert [source["verified"] for source in provision["sources"]] == [False]


def test_quote_error_in_a_long_source_list_points_at_that_quote(capsys, rules):
    if not SEEDS.is_dir():
        pytest.skip("the source documents are not available")
    text = edit(rules, "quote: jf. folkeskolelovens § 20, stk. 3.", "quote: jf. folkeskolelovens § 21, stk. 3.")
    code, document = check(capsys, rules)
    error = the_error(document, "SRC001")
    assert code == 1 and error["message"].startswith("syd2018.bilag5.tilbudstyper: citatet står ikke i 001_c7b3169ddc9536ee.txt")
    assert (error["line"], error["column"]) == position(text, "jf. folkeskolelovens § 21")


def test_kr_compared_with_percent_in_a_rule(capsys, rules):
    text = edit(rules, KLYNGE_WHEN, "when: antal_koeberkommuner >= 1 og hoejeste_takst < 40 %")
    code, document = check(capsys, rules)
    assert code == 1
    [error] = document["errors"]
    assert error["code"] == "DSL108"
    assert (error["file"], error["line"], error["column"]) == (TILBUD_NAME, *position(text, "hoejeste_takst < 40 %"))
    assert error["message"] == "kan ikke sammenligne kr. med procent"


def test_type_error_in_a_double_quoted_when(capsys, rules):
    text = edit(rules, KLYNGE_WHEN, 'when: "antal_koeberkommuner >= 1 og hoejeste_takst < 40 %"')
    code, document = check(capsys, rules)
    error = the_error(document, "DSL108")
    assert (code, error["line"], error["column"]) == (1, *position(text, "hoejeste_takst < 40 %"))


@pytest.mark.parametrize("when", ["when: 'driftsform = ''regional'' og hoejeste_takst < 40 %'",
                                  'when: "driftsform = \\"regional\\" og hoejeste_takst < 40 %"',
                                  'when: "driftsform = \\u0022regional\\u0022 og hoejeste_takst < 40 %"'],
                         ids=["single", "double", "unicode"])
def test_type_error_after_an_escaped_quote(capsys, rules, when):
    text = edit(rules, KLYNGE_WHEN, when)
    _, document = check(capsys, rules)
    error = the_error(document, "DSL108")
    assert (error["line"], error["column"]) == position(text, "hoejeste_takst < 40 %")


def test_type_error_in_a_table_cell(capsys, rules):
    text = edit(rules, '">= 1"', '">= 1 kr"')
    code, document = check(capsys, rules)
    assert code == 1
    error = the_error(document, "DSL108")
    assert (error["file"], error["line"], error["column"]) == (TILBUD_NAME, *position(text, '">= 1 kr"', 1))
    assert error["message"] == "kan ikke sammenligne tal med kr."


def test_enum_typo_in_a_table_cell(capsys, rules):
    text = edit(rules, "'\"privat\"'", "'\"privt\"'")
    code, document = check(capsys, rules)
    assert code == 1
    error = the_error(document, "DSL110")
    assert (error["line"], error["column"]) == position(text, '"privt"')
    assert "'privat'" in error["hint"]


def test_unknown_field_in_a_derived_expression(capsys, rules):
    text = edit(rules, "expr: max(ydelser.takst)", "expr: max(ydelser.taks)")
    code, document = check(capsys, rules)
    error = the_error(document, "DSL104")
    assert (code, error["line"], error["column"], error["hint"]) == (1, *position(text, "ydelser.taks)"), "mente du 'takst'?")


def test_percent_parameter_without_percent_sign(capsys, rules):
    text = edit(rules, 'values: {2018-01-01: "40 %"}', "values: {2018-01-01: 40}")
    code, document = check(capsys, rules)
    error = the_error(document, "RULE010")
    assert (code, error["line"], error["column"]) == (1, *position(text, "40}"))
    assert error["hint"] == "skriv procent med %-tegn"


def test_unknown_reading_option(capsys, rules):
    text = edit(rules, "under_reading: {kategori_hul: klyngetilbud}", "under_reading: {kategori_hul: klynge}")
    code, document = check(capsys, rules)
    error = the_error(document, "RULE025")
    assert code == 1 and (error["line"], error["column"]) == position(text, "{kategori_hul: klynge}")
    assert error["hint"] == "valg: klyngetilbud, lokalt_tilbud"


def test_check_text_output_shows_position_and_code(capsys, rules):
    text = edit(rules, HS_WHEN, "when: hoejeste_taskt >= takstgraense og (")
    code, out, _ = cli(capsys, "check", "--rules", rules, *SOURCES)
    line, column = position(text, "hoejeste_taskt")
    assert code == 1
    assert f"{TILBUD_NAME}:{line}:{column}: ukendt navn 'hoejeste_taskt' [DSL101]" in out
    assert "tip: mente du 'hoejeste_takst'?" in out


# -- facts files ----------------------------------------------------------------------------------------
FACTS = """\
tilbud:
  - id: x
    navn: Testhuset
    driftsherre: Odense
    driftsform: kommunal
    lovgrundlag: [SEL § 108]
    pladser: 40
    ydelser:
      - {navn: Botilbud, takst: 1727.50, enhed: døgn}
    koeb:
      - {kommune: Vejle, pladser: 2}
"""


def facts(tmp_path, text: str) -> Path:
    path = tmp_path / "facts.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def evaluate(capsys, path: Path, *extra) -> tuple[int, str, str]:
    return cli(capsys, "evaluate", path, "--period", "2018", *extra)


def test_good_facts_file(capsys, tmp_path):
    code, out, err = evaluate(capsys, facts(tmp_path, FACTS), "--format", "json")
    assert (code, err) == (0, "")
    [subject] = json.loads(out)["subjects"]
    assert subject["id"] == "x" and subject["decisions"]["kategori"]["value"] == "klyngetilbud"


def test_field_of_the_wrong_type(capsys, tmp_path):
    text = FACTS.replace("pladser: 40", "pladser: fyrre")
    path = facts(tmp_path, text)
    code, out, err = evaluate(capsys, path)
    assert code == 1 and out == ""
    line, column = position(text, "fyrre")
    assert f"{path}:{line}:{column}: tilbud 'x', felt 'pladser': forventede et helt tal, fik 'fyrre' [SCHEMA001]" in err


def test_unknown_enum_value_lists_the_allowed_values(capsys, tmp_path):
    text = FACTS.replace("driftsform: kommunal", "driftsform: kommunall")
    path = facts(tmp_path, text)
    code, _, err = evaluate(capsys, path)
    line, column = position(text, "kommunall")
    assert code == 1
    assert f"{path}:{line}:{column}: tilbud 'x', felt 'driftsform': 'kommunall' er ikke tilladt" in err
    assert "mulige værdier: kommunal, regional, driftsoverenskomst, privat" in err
    assert "mente du 'kommunal'?" in err


def test_missing_required_field(capsys, tmp_path):
    text = FACTS.replace("    driftsherre: Odense\n", "")
    path = facts(tmp_path, text)
    code, _, err = evaluate(capsys, path)
    line, column = position(text, "id: x")
    assert code == 1
    assert f"{path}:{line}:{column}: tilbud 'x': mangler 'driftsherre' [SCHEMA001]" in err


def test_unknown_key_in_a_record(capsys, tmp_path):
    text = FACTS.replace("    pladser: 40\n", "    pladser: 40\n    pladsr: 3\n")
    path = facts(tmp_path, text)
    code, _, err = evaluate(capsys, path)
    line, column = position(text, "pladsr")
    assert code == 1
    assert f"{path}:{line}:{column}: tilbud 'x': ukendt felt 'pladsr' [SCHEMA001]" in err
    assert "mente du 'pladser'?" in err


def test_wrong_type_inside_a_nested_record(capsys, tmp_path):
    text = FACTS.replace("takst: 1727.50", "takst: mange")
    path = facts(tmp_path, text)
    code, _, err = evaluate(capsys, path)
    line, column = position(text, "mange")
    assert code == 1
    assert f"{path}:{line}:{column}: tilbud 'x', felt 'ydelser.0.takst': forventede et tal, fik 'mange' [SCHEMA001]" in err


def test_a_wrong_number_is_shown_as_written(capsys, tmp_path):
    text = FACTS.replace("pladser: 40", "pladser: 40.5")
    path = facts(tmp_path, text)
    code, _, err = evaluate(capsys, path)
    line, column = position(text, "40.5")
    assert code == 1 and f"{path}:{line}:{column}: tilbud 'x', felt 'pladser': forventede et helt tal" in err
    assert "Decimal(" not in err and "40.5" in err


def test_record_without_id_is_named_by_number(capsys, tmp_path):
    text = FACTS.replace("  - id: x\n    navn", "  - navn")
    code, _, err = evaluate(capsys, facts(tmp_path, text))
    assert code == 1 and "tilbud nr. 1: mangler 'id'" in err


def test_impossible_date(capsys, tmp_path):
    text = FACTS + "    date: 2018-02-30\n"
    path = facts(tmp_path, text)
    code, _, err = evaluate(capsys, path)
    line, column = position(text, "2018-02-30")
    assert code == 1
    [message] = [row for row in err.splitlines() if row.startswith(f"{path}:{line}:{column}: ")]
    assert "'2018-02-30' er ikke en gyldig dato" in message


def test_not_a_number_literal(capsys, tmp_path):
    text = FACTS.replace("1727.50", ".nan")
    path = facts(tmp_path, text)
    code, _, err = evaluate(capsys, path)
    line, column = position(text, ".nan")
    assert code == 1 and f"{path}:{line}:{column}: '.nan' er ikke et tal [YAML005]" in err


def test_facts_file_that_is_not_a_mapping(capsys, tmp_path):
    path = facts(tmp_path, "- tilbud\n")
    code, _, err = evaluate(capsys, path)
    assert code == 1 and f"{path}:1:1: en faktafil skal være en samling felter" in err and "[FACTS001]" in err


def test_amounts_stay_exact_decimals(capsys, tmp_path):
    text = FACTS.replace("      - {kommune: Vejle, pladser: 2}\n",
                         "      - {kommune: Vejle, pladser: 0.1}\n      - {kommune: Kolding, pladser: 0.2}\n")
    code, out, err = evaluate(capsys, facts(tmp_path, text), "--format", "json")
    assert (code, err) == (0, "")
    inputs = json.loads(out)["subjects"][0]["decisions"]["kategori"]["explanation"]["inputs"]
    assert inputs["hoejeste_takst"]["value"] in ("1727.50", "1727.5")
    assert inputs["solgte_pladser"]["value"] == "0.3"                # 0.1 + 0.2, not 0.30000000000000004
    assert inputs["andel_solgt"]["value"] == "0.0075"
    assert not re.search(r"1727\.(49|50*[1-9])", out)
    assert not re.search(r"\d\.\d*(0000|9999)\d", out)          # no float representation anywhere


def _alias_bomb(levels: int, width: int) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]")
    lines.append(f"tilbud: *a{levels - 1}")
    return "\n".join(lines) + "\n"


def test_yaml_alias_bomb_is_refused(capsys, tmp_path):
    text = _alias_bomb(12, 10)            # 10**11 values once expanded
    path = facts(tmp_path, text)
    started = time.monotonic()
    code, _, err = evaluate(capsys, path)
    assert time.monotonic() - started < 10
    aliases = [match.start() for match in re.finditer(r"\*a", text)]
    index = aliases[100]                  # the 101st alias is one too many
    line, column = text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1
    assert code == 1
    assert f"{path}:{line}:{column}: for mange YAML-aliaser (mere end 100) [YAML004]" in err


def test_yaml_alias_bomb_in_a_rule_file(capsys, rules):
    path = rules / TILBUD
    path.write_text(path.read_text(encoding="utf-8") + "\n" + _alias_bomb(12, 10).replace("tilbud:", "x_bomb:"), encoding="utf-8")
    code, document = check(capsys, rules)
    error = the_error(document, "YAML004")
    assert code == 1 and error["file"] == TILBUD_NAME and error["line"] is not None and error["column"] is not None


@pytest.mark.skipif(sys.platform != "linux", reason="needs resource limits to run safely")
def test_compact_alias_bomb_is_refused(tmp_path):
    import resource

    # 9 levels of 9 aliases: only 82 alias uses, under MAX_ALIASES, but 9**9 * 9 values once expanded.
    # Run in a child process with a memory cap, so a regression fails this test instead of exhausting the machine.
    path = facts(tmp_path, _alias_bomb(10, 9))

    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (512 * 2**20, 512 * 2**20))

    script = "import sys; from rammeaftale.engine.cli import main; sys.exit(main(sys.argv[1:]))"
    try:
        result = subprocess.run([sys.executable, "-c", script, "evaluate", str(path), "--period", "2018"], cwd=REPO,
                                capture_output=True, text=True, timeout=60, preexec_fn=limit_memory)
    except subprocess.TimeoutExpired:
        pytest.fail("the alias bomb made the command hang")
    assert "Traceback" not in result.stderr and "intern fejl" not in result.stderr
    assert result.returncode == 1
    assert result.stderr.startswith(f"{path}:1:1: ") and "[YAML004]" in result.stderr


# -- usage errors ---------------------------------------------------------------------------------------
def test_unknown_subcommand(capsys):
    code, _, err = cli(capsys, "frobnicate")
    assert code == 2 and "invalid choice: 'frobnicate'" in err and "rammeaftale --help" in err


def test_bad_reading_syntax(capsys, tmp_path):
    code, _, err = evaluate(capsys, facts(tmp_path, FACTS), "--reading", "hs_praecedens")
    assert code == 2 and "--reading skal være ID=VALG, fik 'hs_praecedens'" in err


def test_bad_date_option(capsys, tmp_path):
    code, _, err = cli(capsys, "evaluate", facts(tmp_path, FACTS), "--date", "2018-13-01")
    assert code == 2 and "ugyldig dato '2018-13-01'" in err


def test_unknown_decision_option(capsys, tmp_path):
    code, _, err = evaluate(capsys, facts(tmp_path, FACTS), "--decision", "kategorie")
    assert code == 2 and "ukendt afgørelse: kategorie" in err


def test_missing_period_and_date_is_a_usage_error(capsys, tmp_path):
    code, _, err = cli(capsys, "evaluate", facts(tmp_path, FACTS))
    assert code == 2 and "--period" in err and "--date" in err and "rammeaftale --help" in err
