"""Every provision's quote stands verbatim (whitespace aside) in the lines it cites."""
from __future__ import annotations

import pytest

from conftest import SEEDS
from rammeaftale.engine.model import Source
from rammeaftale.engine.periods import default_rules_dir, load_all
from rammeaftale.engine.sources import provision_sources, verify

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"the source texts are not at {SEEDS} (../shared/seeds)")


def all_sources():
    periods, errors = load_all(default_rules_dir())
    assert not errors
    for period in periods:
        for provision_id, _title, sources, _file, _line in provision_sources(period):
            for source in sources:
                yield pytest.param(source, id=f"{provision_id}:{source.document}:{source.lines[0]}")


@pytest.mark.parametrize("source", list(all_sources()))
def test_quote_is_in_cited_lines(source):
    assert verify(source, SEEDS) is None


def test_a_wrong_line_range_is_caught():
    right = Source("000_c8f43d8e9a5c082f.txt", (351, 353), "Tilbud med en takst på 2000 kr. eller derover")
    assert verify(right, SEEDS) is None
    assert "står ikke i" in verify(Source(right.document, (355, 357), right.quote), SEEDS)
    assert "står ikke i" in verify(Source(right.document, (351, 353), "Tilbud med en takst på 3000 kr."), SEEDS)
    assert "har kun 534 linjer" in verify(Source(right.document, (600, 601), right.quote), SEEDS)


def test_quotes_spanning_lines_match_across_line_breaks():
    # the footnote is broken over 000 L351-352 in the PDF text
    source = Source("000_c8f43d8e9a5c082f.txt", (351, 352), "der sælger pladser til minimum 4 kommuner")
    assert verify(source, SEEDS) is None
