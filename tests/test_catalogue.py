"""The error catalogue (engine/catalogue.py) lists exactly the codes the package uses, each with its meaning in
Danish and English and a hint, and the README's "Errors" section is the catalogue's table."""
from __future__ import annotations

import re
from pathlib import Path

from conftest import REPO

import rammeaftale.dsl
import rammeaftale.engine
from rammeaftale.engine import catalogue
from rammeaftale.engine.catalogue import CATALOGUE, ENTRIES

CODE = re.compile(r"""["']([A-Z]{2,6}\d{3})["']""")


def used_codes() -> dict[str, list[str]]:
    """Every code literal in the installed package's sources (catalogue.py aside): code -> where."""
    found: dict[str, list[str]] = {}
    for package in (rammeaftale.dsl, rammeaftale.engine):
        for path in sorted(Path(package.__file__).parent.rglob("*.py")):
            if path.name == "catalogue.py":
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                for code in CODE.findall(line):
                    found.setdefault(code, []).append(f"{path.parent.name}/{path.name}:{number}")
    return found


def test_every_code_in_the_sources_is_in_the_catalogue():
    used = used_codes()
    missing = {code: where for code, where in used.items() if code not in CATALOGUE}
    assert missing == {}, "add these codes to engine/catalogue.py (meaning da/en and a hint), then the README table"


def test_every_code_in_the_catalogue_is_used():
    unused = sorted(set(CATALOGUE) - set(used_codes()))
    assert unused == [], "these codes are no longer raised anywhere: remove them from engine/catalogue.py"


def test_entries_are_complete_and_unique():
    assert len(ENTRIES) == len(CATALOGUE) > 100
    for entry in ENTRIES:
        assert re.fullmatch(r"[A-Z]{2,6}\d{3}", entry.code)
        assert entry.kind in ("error", "evaluation", "warning")
        assert all(text.strip() for text in (entry.da, entry.en, entry.hint, entry.hint_en)), entry
        assert entry.da != entry.en or entry.code.startswith("ANA"), entry     # really two languages
    assert {entry.code[:3] for entry in ENTRIES if entry.kind == "evaluation"} == {"EVA"}
    assert {entry.code[:3] for entry in ENTRIES if entry.kind == "warning"} == {"ANA"}


def test_the_readme_errors_section_is_the_catalogue():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "## Errors" in readme
    start, end = readme.index(catalogue.BEGIN), readme.index(catalogue.END) + len(catalogue.END)
    assert readme[start:end] == catalogue.readme_section(), \
        "regenerate the table: python -m rammeaftale.engine.catalogue, and paste it between the markers"
    table = readme[start:end]
    assert all(f"| `{code}` |" in table for code in CATALOGUE)


def test_the_codes_the_fuzzer_meets_are_catalogued():
    # a spot check of codes raised at run time, from the places the fuzzer hits most
    from rammeaftale.dsl.errors import RammeaftaleError
    from rammeaftale.dsl.parser import parse
    from rammeaftale.engine.yamlsafe import load_text
    raised = set()
    for text in ["", "(", "a b", "2018-13-45", "'a' og", "1" * 5000, "x" + ".a" * 300, "1000000000000000000"]:
        try:
            parse(text)
        except RammeaftaleError as error:
            raised.add(error.code)
    for text in ["a: [", "a: 1\na: 2", "a: .inf", "a: !!python/name:os.system", "a: \x00", "a: 1" + "0" * 20, "a: " + "[" * 60]:
        try:
            load_text(text, "x.yaml")
        except RammeaftaleError as error:
            raised.add(error.code)
    assert raised <= set(CATALOGUE)
    assert {"DSL001", "DSL003", "DSL004", "DSL006", "DSL007", "DSL008", "DSL010", "YAML001", "YAML002", "YAML005",
            "YAML007", "YAML008", "YAML009", "YAML010"} <= raised
