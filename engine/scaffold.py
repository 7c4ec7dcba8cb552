"""`rammeaftale new-period`: start the next agreement period from the current one, without Python.

The new folder holds a period.yaml that extends the chosen period (so every provision is inherited and marked
inherited-unverified) and a CHECKLIST.md that lists each inherited provision with its source, to be confirmed
against the new agreement or overridden in a patch file. Nothing is copied, so no number is carried silently.
"""
from __future__ import annotations

import datetime
import json
import re
import shutil
from pathlib import Path

from ..dsl.errors import RammeaftaleError
from .atomic import write_atomic
from .periods import load_all
from .sources import provision_list

PERIOD_ID = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


def _validity(period_id: str) -> tuple[datetime.date, datetime.date]:
    """'2025-26' → 2025-01-01 – 2026-12-31; '2025' → the year."""
    match = PERIOD_ID.match(period_id)
    if not match:
        raise RammeaftaleError("NEW001", f"ugyldigt periode-id '{period_id}'", message_en=f"invalid period id '{period_id}'",
                               hint="skriv fx 2025-26 (to år) eller 2025 (ét år)",
                               hint_en="write e.g. 2025-26 (two years) or 2025 (one year)")
    first = int(match.group(1))
    last = first if match.group(2) is None else first // 100 * 100 + int(match.group(2))
    if last < first:
        raise RammeaftaleError("NEW001", f"periode-id'et '{period_id}' slutter før det begynder",
                               message_en=f"the period id '{period_id}' ends before it begins", hint="skriv fx 2025-26",
                               hint_en="write e.g. 2025-26")
    return datetime.date(first, 1, 1), datetime.date(last, 12, 31)


def write_atomically(path: Path, text: str) -> None:
    """Write through the one atomic-write helper: a reader never sees half a file."""
    write_atomic(path, text)


def _period_yaml(region: str, period_id: str, parent, valid_from, valid_to, previous_end) -> str:
    gap = ""
    if valid_from - previous_end > datetime.timedelta(days=1):
        gap_from, gap_to = previous_end + datetime.timedelta(days=1), valid_from - datetime.timedelta(days=1)
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
    da: {json.dumps("Rammeaftale " + span + " – " + parent.title['da'].split('–', 1)[-1].strip(), ensure_ascii=False)}
    en: {json.dumps("Framework agreement " + span + " – " + parent.title['en'].split('–', 1)[-1].strip(), ensure_ascii=False)}
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
        first = "; ".join(error.render("da").splitlines()[0] for error in errors[:3])
        raise RammeaftaleError("NEW002", f"regelmappen har {len(errors)} fejl; ret dem først: {first}",
                               message_en=f"the rules folder has {len(errors)} errors; fix them first: {first}",
                               hint="kør rammeaftale check --rules " + str(root),
                               hint_en="run rammeaftale check --rules " + str(root))
    by_key = {period.key: period for period in periods}
    if region is None:  # the one region that has a period with that id
        having = sorted(key[0] for key in by_key if key[1] == from_id) or sorted({key[0] for key in by_key})
        if not any(key[1] == from_id for key in by_key):
            listed = "; ".join(f"{name}: " + ", ".join(sorted(key[1] for key in by_key if key[0] == name)) for name in having)
            raise RammeaftaleError("NEW003", f"perioden '{from_id}' findes ikke", message_en=f"the period '{from_id}' does not exist",
                                   hint="perioder: " + listed, hint_en="periods: " + listed)
        if len(having) != 1:
            raise RammeaftaleError("CLI002", "vælg en region med --region", message_en="choose a region with --region",
                                   hint="regioner: " + ", ".join(having or sorted({key[0] for key in by_key})),
                                   hint_en="regions: " + ", ".join(having or sorted({key[0] for key in by_key})))
        region = having[0]
    parent = by_key.get((region, from_id))
    if parent is None:
        known = sorted(key[1] for key in by_key if key[0] == region)
        raise RammeaftaleError("NEW003", f"perioden '{from_id}' findes ikke for {region}", message_en=f"the period '{from_id}' does not exist for {region}",
                               hint="perioder: " + ", ".join(known), hint_en="periods: " + ", ".join(known))
    valid_from, valid_to = _validity(period_id)
    folder = root / region / period_id
    if folder.exists():
        raise RammeaftaleError("NEW005", f"mappen {folder} findes allerede", message_en=f"the folder {folder} already exists",
                               hint="vælg et andet periode-id, eller slet mappen", hint_en="choose another period id, or delete the folder")
    if valid_from <= parent.valid_to:
        raise RammeaftaleError("NEW004", f"{period_id} begynder {valid_from}, før {from_id} slutter ({parent.valid_to})",
                               message_en=f"{period_id} begins {valid_from}, before {from_id} ends ({parent.valid_to})",
                               hint="den nye periode skal komme efter den den bygger på",
                               hint_en="the new period must come after the one it builds on")
    region_periods = sorted((period for period in periods if period.region == region), key=lambda period: period.valid_from)
    overlapping = [period.id for period in region_periods if period.valid_from <= valid_to and period.valid_to >= valid_from]
    if overlapping:
        raise RammeaftaleError("NEW004", f"{period_id} overlapper perioden {overlapping[0]}",
                               message_en=f"{period_id} overlaps the period {overlapping[0]}",
                               hint="vælg et periode-id efter regionens sidste periode (rammeaftale periods)",
                               hint_en="choose a period id after the region's last period (rammeaftale periods)")
    last = region_periods[-1]
    if last.valid_from > valid_to:  # a period slipped in before a later one would break that one's gap_before
        raise RammeaftaleError("NEW004", f"{period_id} skal komme efter regionens sidste periode ({last.id})",
                               message_en=f"{period_id} must come after the region's last period ({last.id})",
                               hint=f"{last.id} gælder {last.valid_from} – {last.valid_to}",
                               hint_en=f"{last.id} is valid {last.valid_from} – {last.valid_to}")
    provisions = provision_list(parent)
    folder.mkdir(parents=True)
    try:
        # the stretch to declare runs from the region's last period, which need not be the one extended
        write_atomically(folder / "period.yaml", _period_yaml(region, period_id, parent, valid_from, valid_to, last.valid_to))
        write_atomically(folder / "CHECKLIST.md", _checklist(period_id, parent, provisions))
    except BaseException:   # no half-made period folder (it would block the next try with NEW005)
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder, len(provisions)
