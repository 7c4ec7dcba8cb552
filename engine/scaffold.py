"""`rammeaftale new-period`: start the next agreement period from the current one, without Python.

The new folder holds a period.yaml that extends the chosen period (so every provision is inherited and marked
inherited-unverified) and a CHECKLIST.md that lists each inherited provision with its source, to be confirmed
against the new agreement or overridden in a patch file. Nothing is copied, so no number is carried silently.
"""
from __future__ import annotations

import datetime
import os
import re
import tempfile
from pathlib import Path

from ..dsl.errors import RammeaftaleError
from .periods import load_all
from .sources import provision_list

PERIOD_ID = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


def _validity(period_id: str) -> tuple[datetime.date, datetime.date]:
    """'2025-26' → 2025-01-01 – 2026-12-31; '2025' → the year."""
    match = PERIOD_ID.match(period_id)
    if not match:
        raise RammeaftaleError("NEW001", f"ugyldigt periode-id '{period_id}'", message_en=f"invalid period id '{period_id}'",
                               hint="skriv fx 2025-26 (to år) eller 2025 (ét år)")
    first = int(match.group(1))
    last = first if match.group(2) is None else first // 100 * 100 + int(match.group(2))
    if last < first:
        raise RammeaftaleError("NEW001", f"periode-id'et '{period_id}' slutter før det begynder",
                               message_en=f"the period id '{period_id}' ends before it begins", hint="skriv fx 2025-26")
    return datetime.date(first, 1, 1), datetime.date(last, 12, 31)


def write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, then rename: a reader never sees half a file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _period_yaml(region: str, period_id: str, parent, valid_from, valid_to) -> str:
    gap = ""
    if valid_from - parent.valid_to > datetime.timedelta(days=1):
        gap_from, gap_to = parent.valid_to + datetime.timedelta(days=1), valid_from - datetime.timedelta(days=1)
        gap = (f"  gap_before:\n    from: {gap_from}\n    to: {gap_to}\n    why:\n"
               f"      da: \"Ingen periode i reglerne dækker {gap_from} – {gap_to} (skriv hvorfor).\"\n"
               f"      en: \"No period in the rules covers {gap_from} – {gap_to} (say why).\"\n")
    span = period_id.replace("-", "–")
    return f"""# Rammeaftale {span} for {region}, started with `rammeaftale new-period {period_id} --from {parent.id}`.
# It extends {parent.id}: every provision there holds here too, marked inherited-unverified, until a source for
# {span} confirms or changes it. Work through CHECKLIST.md beside this file.
#
# To change something, add a file here for the subject (e.g. tilbud.yaml) that patches the inherited one:
#   subject: tilbud
#   parameters:
#     takstgraense:                      # a new dated value; the inherited one holds until then
#       values:
#         {valid_from}:
#           value: 2000
#           sources: [{{document: <file>, lines: [<from>, <to>], quote: <the agreement's own words>}}]
#   decisions:                           # a decision given here replaces the inherited one as a whole
# and list the new agreement's documents under `documents` (shared/seeds file names).
period:
  region: {region}
  id: "{period_id}"
  title:
    da: Rammeaftale {span} – {parent.title['da'].split('–', 1)[-1].strip()}
    en: Framework agreement {span} – {parent.title['en'].split('–', 1)[-1].strip()}
  valid_from: {valid_from}
  valid_to: {valid_to}
  extends: "{parent.id}"
{gap}  documents: []
  # What the agreement says about itself; each replaces the inherited statement on the same topic:
  statements: []
"""


def _checklist(period_id: str, parent, provisions) -> str:
    span = period_id.replace("-", "–")
    lines = [f"# Tjekliste: rammeaftale {span}", "",
             f"Perioden bygger på {parent.id}. Hver bestemmelse nedenfor er arvet og markeret *arvet, ikke verificeret*, "
             f"indtil den er holdt op mod rammeaftale {span}. Bekræft den (med kilde i en rettelsesfil) eller ret den.", "",
             f"{len(provisions)} bestemmelser.", ""]
    by_file: dict[str, list] = {}
    for item in provisions:
        by_file.setdefault(item.file, []).append(item)
    for file in sorted(by_file):
        lines += [f"## {file}", ""]
        for item in by_file[file]:
            cites = "; ".join(f"{source.document} L{source.lines[0]}-{source.lines[1]}" for source in item.sources)
            origin = item.inherited_from or parent.id
            lines.append(f"- [ ] `{item.id}` — {item.title['da']} (linje {item.line}; fra {origin}; {cites})")
        lines.append("")
    return "\n".join(lines)


def new_period(root: Path, period_id: str, from_id: str, region: str | None) -> tuple[Path, int]:
    """Write rules/<region>/<period_id>/ (period.yaml and CHECKLIST.md). Returns the folder and the count of
    provisions to confirm."""
    periods, errors = load_all(root)
    if errors:
        raise RammeaftaleError("NEW002", "regelmappen har fejl; ret dem først", message_en="the rules folder has errors; fix them first",
                               hint="kør rammeaftale check --rules " + str(root))
    by_key = {period.key: period for period in periods}
    if region is None:  # the one region that has a period with that id
        having = sorted(key[0] for key in by_key if key[1] == from_id) or sorted({key[0] for key in by_key})
        if len(having) != 1:
            raise RammeaftaleError("CLI002", "vælg en region med --region", message_en="choose a region with --region",
                                   hint="regioner: " + ", ".join(having or sorted({key[0] for key in by_key})))
        region = having[0]
    parent = by_key.get((region, from_id))
    if parent is None:
        known = sorted(key[1] for key in by_key if key[0] == region)
        raise RammeaftaleError("NEW003", f"perioden '{from_id}' findes ikke for {region}", message_en=f"the period '{from_id}' does not exist for {region}",
                               hint="perioder: " + ", ".join(known))
    valid_from, valid_to = _validity(period_id)
    folder = root / region / period_id
    if folder.exists():
        raise RammeaftaleError("NEW005", f"mappen {folder} findes allerede", message_en=f"the folder {folder} already exists",
                               hint="vælg et andet periode-id, eller slet mappen")
    if valid_from <= parent.valid_to:
        raise RammeaftaleError("NEW004", f"{period_id} begynder {valid_from}, før {from_id} slutter ({parent.valid_to})",
                               message_en=f"{period_id} begins {valid_from}, before {from_id} ends ({parent.valid_to})",
                               hint="den nye periode skal komme efter den den bygger på")
    later = [period.id for period in periods if period.region == region
             and period.valid_from <= valid_to and period.valid_to >= valid_from]
    if later:
        raise RammeaftaleError("NEW004", f"{period_id} overlapper perioden {later[0]}", message_en=f"{period_id} overlaps the period {later[0]}")
    provisions = provision_list(parent)
    folder.mkdir(parents=True)
    write_atomically(folder / "period.yaml", _period_yaml(region, period_id, parent, valid_from, valid_to))
    write_atomically(folder / "CHECKLIST.md", _checklist(period_id, parent, provisions))
    return folder, len(provisions)
