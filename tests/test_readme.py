"""The README's two set-up commands are the ones CI runs."""
from conftest import REPO


def test_ci_runs_the_readme_test_command():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install '.[test]' && python -m pytest -q" in readme
    assert "python3 -m pip install --quiet '.[test]'" in ci and "python3 -m pytest -q" in ci
    assert "pip install . && rammeaftale evaluate fixtures/syddanmark/2018/tilbud.yaml --period 2018" in readme
