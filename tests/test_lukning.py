"""Syddanmark 2018, lukning and overtagelse (Bilag 9, 001 L3926-3991; Bilag 17, 001 L4733-4974).

Every table of Bilag 17 is reproduced to the unit (t.kr., although the tables say "Mio. kr."), and every 5 % boundary
is tested just below, at and just above.
"""
from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest
import yaml

from conftest import run

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "syddanmark" / "2018"


def fixture(name: str, record_id: str) -> dict:
    data = yaml.safe_load((FIXTURES / f"{name}.yaml").read_text(encoding="utf-8"))
    (subject, records), = data.items()
    record = next(item for item in records if item["id"] == record_id)
    record = {key: value for key, value in record.items() if key != "provenance"}
    return subject, record


def value(answer) -> D | str | list:
    item = answer["value"]
    if isinstance(item, list):
        return [D(element) for element in item]
    try:
        return D(item)
    except Exception:
        return item


def enhed(navn, budget, indtaegter, omkostninger, overfoersel):
    return {"navn": navn, "budget": budget, "indtaegter": indtaegter, "omkostninger": omkostninger, "overfoersel": overfoersel}


def flags(answer, code):
    return [flag["text"] for flag in answer["flags"] if flag["code"] == code]


def column(period, name: str, record_id: str, unit: str, field: str = "vis_enhed") -> dict:
    """Every decision for one record, with the table column of `unit` asked for (vis_enhed / vis_afdeling)."""
    subject, record = fixture(name, record_id)
    record[field] = unit
    return run(period, subject, record)


def inputs(answer, decision: str) -> dict:
    """The named calculation steps an answer shows, as Decimal where they are amounts."""
    shown = {}
    for key, item in answer[decision]["explanation"]["inputs"].items():
        try:
            shown[key] = D(item["value"])
        except Exception:
            shown[key] = item["value"]
    return shown


# == Kommunal lukning, Bilag 17 Eksempel 1 and 2 (001 L4742-4788) ==========================================
def test_kommunal_example_1_deficit_reproduces_the_table(syd2018):
    subject, record = fixture("lukning_kommunal", "bilag17_eks1")
    answer = run(syd2018, subject, record)
    assert answer["efterregulering_ved_lukning"]["value"] == "gaelder"
    assert value(answer["del_over_graensen"]) == D(500)
    assert value(answer["ekstraopkraevning"]) == D(125)          # "Ekstraopkrævning ifm lukning 125"
    assert value(answer["efterreguleres_aar2"]) == D(375)        # "Efterreguleres i taksterne år +2 ... 375"
    assert value(answer["viderefoeres_aar1"]) == D(4000)         # "Videreføres i driften år +1 ... 4.000"
    inputs = answer["del_over_graensen"]["explanation"]["inputs"]
    assert inputs["center_budget"]["value"] == "80000"
    assert inputs["center_aarsresultat"]["value"] == "2000"     # "Årsresultat ... 2.000"
    assert inputs["center_akkumuleret"]["value"] == "4500"      # "Akkumuleret resultat ... 4.500"
    assert D(inputs["center_pct"]["value"]) == D("0.05625")     # "5,6%"
    assert answer["del_over_graensen"]["rule"] == "syd2018.lukning.kommunal_over_5pct_budget"
    assert answer["ekstraopkraevning"]["rule"] == "syd2018.lukning.kommunal_ekstraopkraevning"


def test_kommunal_example_2_surplus_is_the_mirror(syd2018):
    subject, record = fixture("lukning_kommunal", "bilag17_eks2")
    answer = run(syd2018, subject, record)
    assert value(answer["del_over_graensen"]) == D(-500)
    assert value(answer["ekstraopkraevning"]) == D(-125)
    assert value(answer["efterreguleres_aar2"]) == D(-375)
    assert value(answer["viderefoeres_aar1"]) == D(-4000)
    inputs = answer["del_over_graensen"]["explanation"]["inputs"]
    assert inputs["center_akkumuleret"]["value"] == "-4500"
    assert inputs["center_aarsresultat"]["value"] == "-2000"


def test_kommunal_split_among_betalingskommuner_by_belaegningsdage(syd2018):
    subject, record = fixture("lukning_kommunal", "bilag17_eks1")
    answer = run(syd2018, subject, record)
    # 125 × 1460/2555 = 71,43; × 730/2555 = 35,71; × 365/2555 = 17,86 → 71, 36, 18 (sum 125)
    assert value(answer["fordeling"]) == [D(71), D(36), D(18)]
    assert answer["fordeling"]["rule"] == "syd2018.lukning.kommunal_fordeling"
    assert flags(answer["fordeling"], "interpretation")


def test_kommunal_split_residual_goes_to_most_belaegningsdage(syd2018):
    subject, record = fixture("lukning_kommunal", "bilag17_eks1")
    record["betalingskommuner"] = [{"kommune": "A", "belaegningsdage": 1}, {"kommune": "B", "belaegningsdage": 1},
                                   {"kommune": "C", "belaegningsdage": 2}]
    # 125/4 = 31,25 → 31, 31, 62,5 → 63; sum 125 (residual 0)
    assert value(run(syd2018, subject, record)["fordeling"]) == [D(31), D(31), D(63)]
    record["betalingskommuner"] = [{"kommune": "A", "belaegningsdage": 1}] * 3
    # 41,67 each → 42, 42, 42 = 126; the residual -1 goes to the first largest
    assert value(run(syd2018, subject, record)["fordeling"]) == [D(41), D(42), D(42)]


def test_kommunal_no_split_without_belaegningsdage(syd2018):
    subject, record = fixture("lukning_kommunal", "bilag17_eks1")
    record["betalingskommuner"] = []
    answer = run(syd2018, subject, record)
    assert answer["fordeling"]["rule"] is None
    assert value(answer["ekstraopkraevning"]) == D(125)


def _kommunal_with_enhed3_overfoersel(syd2018, overfoersel, readings=None):
    subject, record = fixture("lukning_kommunal", "bilag17_eks1")
    record["enheder"][2]["overfoersel"] = overfoersel
    return run(syd2018, subject, record, readings)


@pytest.mark.parametrize("overfoersel, akkumuleret, over, rule", [
    (1999, 3999, 0, "syd2018.lukning.kommunal_inden_for_5pct_budget"),    # just below 4.000 = 5 % of 80.000
    (2000, 4000, 0, "syd2018.lukning.kommunal_inden_for_5pct_budget"),    # at: inclusive, nothing above
    (2001, 4001, 1, "syd2018.lukning.kommunal_over_5pct_budget"),         # just above
])
def test_kommunal_5pct_boundary_deficit(syd2018, overfoersel, akkumuleret, over, rule):
    answer = _kommunal_with_enhed3_overfoersel(syd2018, overfoersel)
    assert answer["del_over_graensen"]["rule"] == rule
    assert answer["del_over_graensen"]["explanation"]["inputs"]["center_akkumuleret"]["value"] == str(akkumuleret)
    assert value(answer["del_over_graensen"]) == D(over)
    assert value(answer["ekstraopkraevning"]) == D(over) * D("0.25")
    assert value(answer["viderefoeres_aar1"]) == D(akkumuleret - over)


@pytest.mark.parametrize("overfoersel, over", [(-5999, 0), (-6000, 0), (-6001, -1)])
def test_kommunal_5pct_boundary_surplus(syd2018, overfoersel, over):
    # Enhed 3 with indtægter -38.000 + omkostninger 40.000 = +2.000; total årsresultat 2.000; overførsel 0 - 500 + x
    answer = _kommunal_with_enhed3_overfoersel(syd2018, overfoersel)
    akkumuleret = 2000 + 500 - 500 + overfoersel
    assert answer["del_over_graensen"]["explanation"]["inputs"]["center_akkumuleret"]["value"] == str(akkumuleret)
    assert value(answer["del_over_graensen"]) == D(over)
    assert value(answer["efterreguleres_aar2"]) == D(over) * D("0.75")


def test_kommunal_why_not_names_the_limit(syd2018):
    answer = _kommunal_with_enhed3_overfoersel(syd2018, 2500)
    why = " ".join(item["text"] if isinstance(item, dict) and "text" in item else str(item)
                   for item in answer["del_over_graensen"]["why_not"])
    assert "syd2018.lukning.kommunal_inden_for_5pct_budget" in why
    assert "højst 5 %" in why


def test_kommunal_reading_budget_flags_conflict_and_names_alternative(syd2018):
    subject, record = fixture("lukning_kommunal", "bilag17_eks1")
    answer = run(syd2018, subject, record)["del_over_graensen"]
    assert any("--reading lukning_grundlag=resultat" in text for text in flags(answer, "interpretation"))
    assert any("5 procent af centrets samlede over-/underskud" in text for text in flags(answer, "conflict"))


def test_kommunal_reading_resultat_uses_5pct_of_the_result(syd2018):
    subject, record = fixture("lukning_kommunal", "bilag17_eks1")
    answer = run(syd2018, subject, record, {"lukning_grundlag": "resultat"})
    # 5 % of 4.500 = 225 stays; 4.275 above; 25 % of it = 1.068,75
    assert answer["del_over_graensen"]["rule"] == "syd2018.lukning.kommunal_over_5pct_resultat"
    assert value(answer["del_over_graensen"]) == D(4275)
    assert value(answer["ekstraopkraevning"]) == D("1068.75")
    assert value(answer["efterreguleres_aar2"]) == D("3206.25")
    assert value(answer["viderefoeres_aar1"]) == D(225)
    surplus = run(syd2018, *fixture("lukning_kommunal", "bilag17_eks2"), {"lukning_grundlag": "resultat"})
    assert value(surplus["ekstraopkraevning"]) == D("-1068.75")


def test_kommunal_reading_resultat_zero_result(syd2018):
    subject, record = fixture("lukning_kommunal", "bilag17_eks1")
    record["enheder"] = [enhed("Enhed 1", 20000, -20000, 20000, 0), enhed("Enhed 2", 20000, -20000, 20000, 0)]
    answer = run(syd2018, subject, record, {"lukning_grundlag": "resultat"})
    # nothing lies "over 5 procent af centrets samlede over-/underskud" (001 L3949-3951) when it is 0: 0, no error
    assert answer["del_over_graensen"]["rule"] == "syd2018.lukning.kommunal_resultat_nul"
    assert value(answer["del_over_graensen"]) == D(0)
    for name in ("ekstraopkraevning", "efterreguleres_aar2", "viderefoeres_aar1"):
        assert value(answer[name]) == D(0)
        assert "error" not in [flag["code"] for flag in answer[name]["flags"]]
    default = run(syd2018, subject, record)
    assert value(default["del_over_graensen"]) == D(0)
    assert value(default["ekstraopkraevning"]) == D(0)


@pytest.mark.parametrize("change, rule", [
    ({"kategori": "lokalt_tilbud"}, "syd2018.lukning.kommunal_kun_klynge_hs"),
    ({"samlet_lukning": False}, "syd2018.lukning.kommunal_kun_samlet"),
    ({"eget_budget_og_takster": False}, "syd2018.lukning.kommunal_eget_budget"),
    ({"lukket_enhed": "Enhed 9"}, "syd2018.lukning.kommunal_enhed_ukendt"),
])
def test_kommunal_rule_does_not_apply(syd2018, change, rule):
    subject, record = fixture("lukning_kommunal", "bilag17_eks1")
    record.update(change)
    answer = run(syd2018, subject, record)
    assert (answer["efterregulering_ved_lukning"]["value"], answer["efterregulering_ved_lukning"]["rule"]) == ("gaelder_ikke", rule)
    assert answer["ekstraopkraevning"]["rule"] is None


def test_kommunal_unknown_enhed_is_a_gap(syd2018):
    subject, record = fixture("lukning_kommunal", "bilag17_eks1")
    record["lukket_enhed"] = "Enhed 9"
    answer = run(syd2018, subject, record)["efterregulering_ved_lukning"]
    assert any("forudsætter at det lukkede tilbud hører under centret" in text for text in flags(answer, "gap"))


def test_kommunal_units_label_conflict_is_flagged(syd2018):
    answer = run(syd2018, *fixture("lukning_kommunal", "bilag17_eks1"))["ekstraopkraevning"]
    assert any("Mio. kr." in text and "t.kr." in text for text in flags(answer, "conflict"))


def test_kommunal_closed_enhed_share_scales_the_charge(syd2018):
    subject, record = fixture("lukning_kommunal", "bilag17_eks1")
    record["lukket_enhed"] = "Enhed 3"                    # 40/80 = 50 % of the 500 above 5 %
    answer = run(syd2018, subject, record)
    assert value(answer["ekstraopkraevning"]) == D(250)
    assert value(answer["efterreguleres_aar2"]) == D(250)


def test_kommunal_english_explanation(syd2018):
    answer = run(syd2018, *fixture("lukning_kommunal", "bilag17_eks1"), lang="en")["ekstraopkraevning"]
    assert answer["explanation"]["summary"].startswith("Extra charge at closure: DKK 125")


# == Regional lukning of an afdeling, Bilag 17 a and b (001 L4801-4871) =====================================
def test_regional_example_a_whole_deficit_covered_by_the_enhed(syd2018):
    answer = run(syd2018, *fixture("lukning_regional", "bilag17_afdeling_a"))
    assert value(answer["daekkes_af_enheden"]) == D(4000)        # "Videreføres i driften år +1 4.000"
    assert value(answer["daekkes_af_andre"]) == D(0)             # "Dækkes af andre økonomiske enheder 0"
    assert value(answer["efterreguleres_aar2"]) == D(0)
    assert answer["daekkes_af_enheden"]["rule"] == "syd2018.lukning.regional_inden_for_5pct"
    inputs = answer["daekkes_af_enheden"]["explanation"]["inputs"]
    assert inputs["enhed_akkumuleret"]["value"] == "4000"       # "Akkumuleret resultat ... 4.000"
    assert D(inputs["enhed_pct"]["value"]) == D("0.05")          # "5,0%"
    assert inputs["enhed_aarsresultat"]["value"] == "2000"


def test_regional_example_b_500_covered_by_other_enheder(syd2018):
    answer = run(syd2018, *fixture("lukning_regional", "bilag17_afdeling_b"))
    assert value(answer["daekkes_af_enheden"]) == D(4000)        # "(4 mio kr.)"
    assert value(answer["daekkes_af_andre"]) == D(500)           # "(0,5 mio. kr.)", "Dækkes af andre ... 500"
    assert value(answer["fordeling_andre"]) == [D(300), D(200)]  # illustrative budgets 60.000 / 40.000
    assert answer["daekkes_af_andre"]["rule"] == "syd2018.lukning.regional_andre_over_5pct"
    assert D(answer["daekkes_af_enheden"]["explanation"]["inputs"]["enhed_pct"]["value"]) == D("0.05625")  # "5,6%"
    assert any("4 mio kr." in text for text in flags(answer["daekkes_af_enheden"], "conflict"))


@pytest.mark.parametrize("overfoersel, enheden, andre", [(2499, 3999, 0), (2500, 4000, 0), (2501, 4000, 1)])
def test_regional_5pct_boundary(syd2018, overfoersel, enheden, andre):
    subject, record = fixture("lukning_regional", "bilag17_afdeling_a")
    record["afdelinger"][2]["overfoersel"] = overfoersel
    answer = run(syd2018, subject, record)
    assert value(answer["daekkes_af_enheden"]) == D(enheden)
    assert value(answer["daekkes_af_andre"]) == D(andre)


def test_regional_surplus_mirror(syd2018):
    subject, record = fixture("lukning_regional", "bilag17_afdeling_b")
    record["afdelinger"] = [enhed("Afdeling 1", 20000, -20000, 20000, 0), enhed("Afdeling 2", 20000, -20000, 20000, 0),
                            enhed("Afdeling 3", 40000, -42000, 40000, -2500)]
    answer = run(syd2018, subject, record)                      # -4.500 = -5,6 %
    assert value(answer["daekkes_af_enheden"]) == D(-4000)
    assert value(answer["daekkes_af_andre"]) == D(-500)
    assert value(answer["fordeling_andre"]) == [D(-300), D(-200)]
    record["afdelinger"][2]["overfoersel"] = -2000               # -4.000 = -5,0 %: all internal
    answer = run(syd2018, subject, record)
    assert (value(answer["daekkes_af_enheden"]), value(answer["daekkes_af_andre"])) == (D(-4000), D(0))


def test_regional_not_for_lokalt_and_unknown_afdeling(syd2018):
    subject, record = fixture("lukning_regional", "bilag17_afdeling_b")
    answer = run(syd2018, subject, {**record, "kategori": "lokalt_tilbud"})
    assert answer["reglen_gaelder"]["rule"] == "syd2018.lukning.regional_kun_klynge_hs"
    assert answer["daekkes_af_andre"]["rule"] is None
    answer = run(syd2018, subject, {**record, "lukket_afdeling": "Afdeling 7"})
    assert answer["reglen_gaelder"]["value"] == "gaelder_ikke"
    assert flags(answer["reglen_gaelder"], "gap")


def test_regional_no_other_enheder_gives_no_split(syd2018):
    subject, record = fixture("lukning_regional", "bilag17_afdeling_b")
    answer = run(syd2018, subject, {**record, "andre_enheder": []})
    assert answer["fordeling_andre"]["rule"] is None
    assert value(answer["daekkes_af_andre"]) == D(500)


def test_regional_measured_on_the_whole_enhed_is_flagged(syd2018):
    answer = run(syd2018, *fixture("lukning_regional", "bilag17_afdeling_a"))["daekkes_af_enheden"]
    texts = " ".join(flags(answer, "interpretation"))
    assert "hele den økonomiske enheds akkumulerede resultat" in texts


# == Lukning of økonomisk enhed D, model a (001 L4874-4916) ================================================
def test_enhed_d_reproduces_the_table(syd2018):
    answer = run(syd2018, *fixture("lukning_oekonomisk_enhed", "bilag17_enhed_d"))
    assert answer["model"]["value"] == "model_a"
    assert value(answer["daekkes_af_andre_i_alt"]) == D(5000)
    assert value(answer["daekkes_af_andre"]) == [D(1481), D(1852), D(1667)]
    assert value(answer["efterreguleres_aar2"]) == D(0)
    assert value(answer["viderefoeres_aar1"]) == D(3000)
    assert answer["efterreguleres_aar2"]["rule"] == "syd2018.lukning.enhed_fodnote_ikke_udloest"
    inputs = answer["efterreguleres_aar2"]["explanation"]["inputs"]
    assert inputs["antal_over_5pct_efter_fordeling"]["value"] == "0"
    assert inputs["lukket_akkumuleret"]["value"] == "5000"       # "Akkumuleret resultat ... 5.000"
    assert inputs["oevrige_budget"]["value"] == "270000"
    # per-enhed videreføres år +1 (981, -2.148, 4.167, 0), read from the engine one enhed at a time
    carried = [value(column(syd2018, "lukning_oekonomisk_enhed", "bilag17_enhed_d", name)["raekke_viderefoeres_aar1"])
               for name in ("Økonomisk Enhed A", "Økonomisk Enhed B", "Økonomisk Enhed C", "Økonomisk Enhed D")]
    assert carried == [D(981), D(-2148), D(4167), D(0)]
    assert sum(carried) == value(answer["viderefoeres_aar1"])


def test_enhed_footnote_triggers_above_5pct_after_allocation(syd2018):
    subject, record = fixture("lukning_oekonomisk_enhed", "bilag17_enhed_d")
    # C after allocation: 2.500 + 1.666,67 = 4.166,67 = 4,63 % of 90.000. Raise C's overførsel so it passes 4.500.
    record["enheder"][2]["overfoersel"] = 334                   # 4.500,67 → 0,67 above 5 %
    answer = run(syd2018, subject, record)
    assert answer["efterreguleres_aar2"]["rule"] == "syd2018.lukning.enhed_fodnote_over_5pct"
    assert answer["efterreguleres_aar2"]["explanation"]["inputs"]["antal_over_5pct_efter_fordeling"]["value"] == "1"
    assert value(answer["efterreguleres_aar2"]) == D(1)          # 0,67 rounded half up
    assert value(answer["viderefoeres_aar1"]) == D(3333)         # 3.334 - 1


@pytest.mark.parametrize("overfoersel, triggered", [(333, False), (D("333.34"), True)])
def test_enhed_footnote_boundary(syd2018, overfoersel, triggered):
    subject, record = fixture("lukning_oekonomisk_enhed", "bilag17_enhed_d")
    # C: 2.500 + x + 5.000 × 90/270 vs 4.500; at x = 333,33.. exactly 5 %
    record["enheder"][2]["overfoersel"] = float(overfoersel) if isinstance(overfoersel, D) else overfoersel
    answer = run(syd2018, subject, record)
    assert (answer["efterreguleres_aar2"]["rule"] == "syd2018.lukning.enhed_fodnote_over_5pct") is triggered


def test_enhed_footnote_exactly_at_5pct_is_not_triggered(syd2018):
    subject, record = fixture("lukning_oekonomisk_enhed", "bilag17_enhed_d")
    # budgets 90/90/90 + D: share 1/3 each; C's result 2.500 + 2.000 = 4.500 = exactly 5 % of 90.000
    record["enheder"] = [enhed("A", 90000, -90000, 90000, 0), enhed("B", 90000, -90000, 90000, 0),
                         enhed("C", 90000, -90000, 90000, 2500), enhed("Økonomisk Enhed D", 60000, -50000, 54000, 2000)]
    answer = run(syd2018, subject, record)
    assert value(answer["daekkes_af_andre"]) == [D(2000), D(2000), D(2000)]
    assert answer["efterreguleres_aar2"]["rule"] == "syd2018.lukning.enhed_fodnote_ikke_udloest"
    record["enheder"][2]["overfoersel"] = 2501
    answer = run(syd2018, subject, record)
    assert value(answer["efterreguleres_aar2"]) == D(1)


def test_enhed_surplus_mirror_and_footnote(syd2018):
    subject, record = fixture("lukning_oekonomisk_enhed", "bilag17_enhed_d")
    record["enheder"] = [enhed("A", 90000, -90000, 90000, 0), enhed("B", 90000, -90000, 90000, 0),
                         enhed("C", 90000, -90000, 90000, -3000), enhed("Økonomisk Enhed D", 60000, -60000, 54000, 0)]
    answer = run(syd2018, subject, record)                      # D: -6.000; each gets -2.000; C: -5.000 < -4.500
    assert value(answer["daekkes_af_andre"]) == [D(-2000), D(-2000), D(-2000)]
    assert value(answer["efterreguleres_aar2"]) == D(-500)
    assert value(answer["viderefoeres_aar1"]) == D(-8500)


def test_enhed_kkr_model_and_unknown(syd2018):
    subject, record = fixture("lukning_oekonomisk_enhed", "bilag17_enhed_d")
    answer = run(syd2018, subject, {**record, "kkr_anbefalet_model": True})
    assert (answer["model"]["value"], answer["model"]["rule"]) == ("kkr_model", "syd2018.lukning.enhed_kkr_model")
    assert answer["daekkes_af_andre"]["rule"] is None
    answer = run(syd2018, subject, {**record, "lukket_enhed": "Enhed Z"})
    assert answer["model"]["value"] == "ikke_anvendelig"
    assert flags(answer["model"], "gap")
    answer = run(syd2018, subject, {**record, "kkr_anbefalet_model": False})
    assert answer["model"]["value"] == "model_a"


def test_enhed_whole_result_interpretation_flagged(syd2018):
    answer = run(syd2018, *fixture("lukning_oekonomisk_enhed", "bilag17_enhed_d"))["daekkes_af_andre_i_alt"]
    assert any("Hele den lukkede enheds akkumulerede resultat (5.000 = 8,3 %)" in text for text in flags(answer, "interpretation"))


# == Overtagelse of Enhed 1 (001 L4918-4974) ================================================================
def test_overtagelse_example_1_deficit(syd2018):
    answer = run(syd2018, *fixture("lukning_overtagelse", "bilag17_overtagelse_eks1"))
    assert value(answer["foelger_med"]) == D(1125)               # "Ekstraopkrævning ifm overtagelse 1.125"
    assert value(answer["viderefoeres_aar1"]) == D(3375)         # "Videreføres i driften år +1 ... 3.375"
    assert value(answer["efterreguleres_aar2"]) == D(0)
    inputs = answer["foelger_med"]["explanation"]["inputs"]
    assert D(inputs["overtaget_andel"]["value"]) == D("0.25")
    assert answer["foelger_med"]["rule"] == "syd2018.lukning.overtagelse_andel"


def test_overtagelse_example_2_surplus(syd2018):
    answer = run(syd2018, *fixture("lukning_overtagelse", "bilag17_overtagelse_eks2"))
    assert value(answer["foelger_med"]) == D(-1125)
    assert value(answer["viderefoeres_aar1"]) == D(-3375)
    assert value(answer["efterreguleres_aar2"]) == D(0)


def test_overtagelse_remainder_not_efterreguleret_is_a_conflict(syd2018):
    answer = run(syd2018, *fixture("lukning_overtagelse", "bilag17_overtagelse_eks1"))["efterreguleres_aar2"]
    texts = " ".join(flags(answer, "conflict"))
    assert "3.375" in texts and "60.000" in texts


def test_overtagelse_takes_share_of_total_not_own_result_nor_excess(syd2018):
    # a result below 5 % still follows the tilbud: Enhed 3 overførsel 0 → total 2.000 (2,5 %); 25 % = 500
    subject, record = fixture("lukning_overtagelse", "bilag17_overtagelse_eks1")
    record["enheder"][2]["overfoersel"] = 0
    answer = run(syd2018, subject, record)
    assert value(answer["foelger_med"]) == D(500)
    assert value(answer["viderefoeres_aar1"]) == D(1500)


def test_overtagelse_unknown_tilbud(syd2018):
    subject, record = fixture("lukning_overtagelse", "bilag17_overtagelse_eks1")
    answer = run(syd2018, subject, {**record, "overtaget_enhed": "Enhed 9"})
    assert answer["foelger_med"]["rule"] == "syd2018.lukning.overtagelse_ukendt"
    assert value(answer["foelger_med"]) == D(0)
    assert flags(answer["foelger_med"], "gap")
    assert answer["viderefoeres_aar1"]["rule"] is None


# == Bilag 9 general duties and explanation content ========================================================
def test_udbyderens_pligter_kommunal_and_regional(syd2018):
    answer = run(syd2018, *fixture("lukning_kommunal", "bilag17_eks1"))["udbyderens_pligter"]
    assert answer["rule"] == "syd2018.lukning.kommunal_rettidig_omhu"
    assert "tidligst muligt" in answer["value"] and "umiddelbart efter årets regnskabsafslutning" in answer["value"]
    assert any("hurtigst muligt" in text for text in flags(answer, "gap"))
    regional = run(syd2018, *fixture("lukning_regional", "bilag17_afdeling_a"))["udbyderens_pligter"]
    assert regional["rule"] == "syd2018.lukning.regional_rettidig_omhu"
    assert "hensatte overskud" in regional["value"]
    lokal = run(syd2018, "lukning_kommunal", {**fixture("lukning_kommunal", "bilag17_eks1")[1], "kategori": "lokalt_tilbud"})
    assert lokal["udbyderens_pligter"]["rule"] is None


def test_split_explanations_name_the_receivers_in_order(syd2018):
    kommunal = run(syd2018, *fixture("lukning_kommunal", "bilag17_eks1"))["fordeling"]
    assert kommunal["explanation"]["inputs"]["betalingskommuner_navne"]["shown"] == "Odense, Svendborg, Nyborg"
    enhed_d = run(syd2018, *fixture("lukning_oekonomisk_enhed", "bilag17_enhed_d"))["daekkes_af_andre"]
    assert enhed_d["explanation"]["inputs"]["oevrige_navne"]["value"] == ["Økonomisk Enhed A", "Økonomisk Enhed B", "Økonomisk Enhed C"]
    assert enhed_d["explanation"]["inputs"]["fordelingsandel"]["shown"] == "1,85 %"
    regional = run(syd2018, *fixture("lukning_regional", "bilag17_afdeling_b"))["fordeling_andre"]
    assert regional["explanation"]["inputs"]["andre_enheder_navne"]["shown"] == "Center Nord, Center Syd"


def test_enhed_zero_result_gives_nothing_to_split(syd2018):
    subject, record = fixture("lukning_oekonomisk_enhed", "bilag17_enhed_d")
    record["enheder"][3] = enhed("Økonomisk Enhed D", 60000, -60000, 60000, 0)
    answer = run(syd2018, subject, record)
    assert value(answer["daekkes_af_andre_i_alt"]) == D(0)
    assert answer["daekkes_af_andre"]["rule"] is None
    assert value(answer["efterreguleres_aar2"]) == D(0)
    assert value(answer["viderefoeres_aar1"]) == D(-2000)       # -500 - 4.000 + 2.500


@pytest.mark.parametrize("months, amount, rule", [
    (0, 0, "syd2018.lukning.kommunal_forrentning_afskrivning"),
    (6, 600, "syd2018.lukning.kommunal_forrentning_afskrivning"),
    (11, 1100, "syd2018.lukning.kommunal_forrentning_afskrivning"),
    (12, 1200, "syd2018.lukning.kommunal_forrentning_afskrivning"),
    (13, 1200, "syd2018.lukning.kommunal_forrentning_ugyldige_maaneder"),
])
def test_forrentning_afskrivning_pro_rata_months(syd2018, months, amount, rule):
    subject, record = fixture("lukning_kommunal", "bilag17_eks1")
    answer = run(syd2018, subject, {**record, "aarlig_forrentning_afskrivning": 1200, "driftsmaaneder_sidste_aar": months})
    item = answer["forrentning_afskrivning_indregnes"]
    assert (value(item), item["rule"]) == (D(amount), rule)
    if months > 12:
        assert flags(item, "gap")


def test_forrentning_afskrivning_unrounded_and_optional(syd2018):
    subject, record = fixture("lukning_kommunal", "bilag17_eks1")
    answer = run(syd2018, subject, {**record, "aarlig_forrentning_afskrivning": 1000, "driftsmaaneder_sidste_aar": 5})
    assert value(answer["forrentning_afskrivning_indregnes"]) * 3 == D(1250)   # 416,666...
    assert run(syd2018, subject, record)["forrentning_afskrivning_indregnes"]["rule"] is None


# == Every cell of the six Bilag 17 tables (t.kr.), read from the engine ===================================
# Columns per enhed come from the decisions raekke_* with vis_enhed / vis_afdeling naming the enhed (the rule
# language cannot map a list item by item, so one column is computed per evaluation); the column "I alt" from
# pct_af_budget_i_alt and the totals' own decisions. Row order as in the source:
# budget, indtægter, omkostninger, årsresultat, overførsel, akkumuleret, % af budget (fraction, half up to 0,1 %).
ROWS = ("budget", "indtaegter", "omkostninger", "aarsresultat", "overfoersel", "akkumuleret")

KOMMUNAL = {  # 001 L4746-4764 (Eksempel 1) and L4770-4788 (Eksempel 2)
    "bilag17_eks1": {
        # enhed: (budget, indtægter, omkostninger, årsresultat, overførsel, akkumuleret, %, videreføres, efterreguleres, ekstraopkrævning)
        "Enhed 1": (20000, -20000, 20500, 500, 500, 1000, "0.050", 0, 0, 125),
        "Enhed 2": (20000, -20500, 20000, -500, -500, -1000, "-0.050", 0, 0, 0),
        "Enhed 3": (40000, -38000, 40000, 2000, 2500, 4500, "0.113", 0, 0, 0),
        "I alt": (80000, -78500, 80500, 2000, 2500, 4500, "0.056", 4000, 375, 125),
    },
    "bilag17_eks2": {
        "Enhed 1": (20000, -20000, 20500, 500, 500, 1000, "0.050", 0, 0, -125),
        "Enhed 2": (20000, -20500, 20000, -500, -500, -1000, "-0.050", 0, 0, 0),
        "Enhed 3": (40000, -42000, 40000, -2000, -2500, -4500, "-0.113", 0, 0, 0),
        "I alt": (80000, -82500, 80500, -2000, -2500, -4500, "-0.056", -4000, -375, -125),
    },
}

OVERTAGELSE = {  # 001 L4930-4948 (Eksempel 1) and L4956-4974 (Eksempel 2); last three: videreføres, efterreguleres, ekstraopkrævning
    "bilag17_overtagelse_eks1": {
        "Enhed 1": (20000, -20000, 20500, 500, 500, 1000, "0.050", 0, 0, 1125),
        "Enhed 2": (20000, -20500, 20000, -500, -500, -1000, "-0.050", 0, 0, 0),
        "Enhed 3": (40000, -38000, 40000, 2000, 2500, 4500, "0.113", 0, 0, 0),
        "I alt": (80000, -78500, 80500, 2000, 2500, 4500, "0.056", 3375, 0, 1125),
    },
    "bilag17_overtagelse_eks2": {
        "Enhed 1": (20000, -20000, 20500, 500, 500, 1000, "0.050", 0, 0, -1125),
        "Enhed 2": (20000, -20500, 20000, -500, -500, -1000, "-0.050", 0, 0, 0),
        "Enhed 3": (40000, -42000, 40000, -2000, -2500, -4500, "-0.113", 0, 0, 0),
        "I alt": (80000, -82500, 80500, -2000, -2500, -4500, "-0.056", -3375, 0, -1125),
    },
}

REGIONAL = {  # 001 L4812-4835 (a) and L4848-4871 (b); I alt also: videreføres, efterreguleres, ekstraopkrævning, dækkes af andre
    "bilag17_afdeling_a": {
        "Afdeling 1": (20000, -20000, 20500, 500, 0, 500, "0.025"),
        "Afdeling 2": (20000, -20500, 20000, -500, -500, -1000, "-0.050"),
        "Afdeling 3": (40000, -38000, 40000, 2000, 2500, 4500, "0.113"),
        "I alt": (80000, -78500, 80500, 2000, 2000, 4000, "0.050", 4000, 0, 0, 0),
    },
    "bilag17_afdeling_b": {
        "Afdeling 1": (20000, -20000, 20500, 500, 0, 500, "0.025"),
        "Afdeling 2": (20000, -20500, 20000, -500, -500, -1000, "-0.050"),
        "Afdeling 3": (40000, -38000, 40000, 2000, 3000, 5000, "0.125"),
        "I alt": (80000, -78500, 80500, 2000, 2500, 4500, "0.056", 4000, 0, 0, 500),
    },
}

ENHED_D = {  # 001 L4889-4913; last three: dækkes af andre (None = blank), efterreguleres år +2, samlet videreføres år +1
    "Økonomisk Enhed A": (80000, -83000, 81000, -2000, 1500, -500, "-0.006", 1481, 0, 981),
    "Økonomisk Enhed B": (100000, -102000, 98000, -4000, 0, -4000, "-0.040", 1852, 0, -2148),
    "Økonomisk Enhed C": (90000, -88000, 90500, 2500, 0, 2500, "0.028", 1667, 0, 4167),
    "Økonomisk Enhed D": (60000, -50000, 54000, 4000, 1000, 5000, "0.083", None, 0, 0),
    "I alt": (330000, -323000, 323500, 500, 2500, 3000, "0.009", 5000, 0, 3000),
}


def _assert_column(answer, prefix, cells, unit_name=None):
    decision = "raekke_pct_af_budget" if prefix == "raekke" else "pct_af_budget_i_alt"
    steps = inputs(answer, decision)
    assert tuple(steps[f"{prefix}_{row}"] for row in ROWS) == tuple(D(cell) for cell in cells[:6])
    assert D(answer[decision]["value"]) == D(cells[6])
    if unit_name is not None:
        assert steps["raekke_navn"] == unit_name


@pytest.mark.parametrize("record_id, unit", [(record, unit) for record, table in KOMMUNAL.items() for unit in table if unit != "I alt"])
def test_kommunal_every_enhed_column(syd2018, record_id, unit):
    cells = KOMMUNAL[record_id][unit]
    answer = column(syd2018, "lukning_kommunal", record_id, unit)
    _assert_column(answer, "raekke", cells, unit)
    assert [value(answer[name]) for name in ("raekke_viderefoeres_aar1", "raekke_efterreguleres_aar2", "raekke_ekstraopkraevning")] \
        == [D(cell) for cell in cells[7:]]


@pytest.mark.parametrize("record_id", KOMMUNAL)
def test_kommunal_column_i_alt(syd2018, record_id):
    cells = KOMMUNAL[record_id]["I alt"]
    answer = run(syd2018, *fixture("lukning_kommunal", record_id))
    _assert_column(answer, "center", cells)
    assert [value(answer[name]) for name in ("viderefoeres_aar1", "efterreguleres_aar2", "ekstraopkraevning")] == [D(cell) for cell in cells[7:]]
    # the row sums of the table: each "I alt" is the sum of the enheder's cells, and the charge falls on the closed enhed
    units = [cells for unit, cells in KOMMUNAL[record_id].items() if unit != "I alt"]
    assert [sum(D(row[index]) for row in units) for index in range(6)] == [D(cell) for cell in cells[:6]]
    assert sum(D(row[9]) for row in units) == D(cells[9])
    # the explanation names the closed enhed's column by default
    assert inputs(answer, "raekke_pct_af_budget")["raekke_navn"] == "Enhed 1"


def test_kommunal_enhed_3_is_11_3_pct_rounded_half_up(syd2018):
    answer = column(syd2018, "lukning_kommunal", "bilag17_eks1", "Enhed 3")["raekke_pct_af_budget"]
    assert D(answer["value"]) == D("0.113")                      # 4.500 / 40.000 = 11,25 % → 11,3 % (half even: 11,2 %)
    assert answer["explanation"]["summary"].startswith("Enhedens akkumulerede resultat i % af budget (én kolonne i tabellen): 11,3 %")
    assert any("11,25 % → 11,3 %" in text for text in flags(answer, "interpretation"))


def test_kommunal_unknown_vis_enhed_is_not_applicable(syd2018):
    answer = column(syd2018, "lukning_kommunal", "bilag17_eks1", "Enhed 9")
    assert answer["raekke_pct_af_budget"]["value"] is None and answer["raekke_pct_af_budget"]["rule"] is None
    assert answer["raekke_ekstraopkraevning"]["value"] is None
    assert value(answer["ekstraopkraevning"]) == D(125)          # the closure itself is unaffected


@pytest.mark.parametrize("record_id, unit", [(record, unit) for record, table in OVERTAGELSE.items() for unit in table if unit != "I alt"])
def test_overtagelse_every_enhed_column(syd2018, record_id, unit):
    cells = OVERTAGELSE[record_id][unit]
    answer = column(syd2018, "lukning_overtagelse", record_id, unit)
    _assert_column(answer, "raekke", cells, unit)
    assert [value(answer[name]) for name in ("raekke_viderefoeres_aar1", "raekke_efterreguleres_aar2", "raekke_ekstraopkraevning")] \
        == [D(cell) for cell in cells[7:]]


@pytest.mark.parametrize("record_id", OVERTAGELSE)
def test_overtagelse_column_i_alt(syd2018, record_id):
    cells = OVERTAGELSE[record_id]["I alt"]
    answer = run(syd2018, *fixture("lukning_overtagelse", record_id))
    _assert_column(answer, "samlet", cells)
    assert [value(answer[name]) for name in ("viderefoeres_aar1", "efterreguleres_aar2", "foelger_med")] == [D(cell) for cell in cells[7:]]
    units = [cells for unit, cells in OVERTAGELSE[record_id].items() if unit != "I alt"]
    assert [sum(D(row[index]) for row in units) for index in range(6)] == [D(cell) for cell in cells[:6]]


@pytest.mark.parametrize("record_id, unit", [(record, unit) for record, table in REGIONAL.items() for unit in table if unit != "I alt"])
def test_regional_every_afdeling_column(syd2018, record_id, unit):
    answer = column(syd2018, "lukning_regional", record_id, unit, field="vis_afdeling")
    _assert_column(answer, "raekke", REGIONAL[record_id][unit], unit)


@pytest.mark.parametrize("record_id", REGIONAL)
def test_regional_column_i_alt(syd2018, record_id):
    cells = REGIONAL[record_id]["I alt"]
    answer = run(syd2018, *fixture("lukning_regional", record_id))
    _assert_column(answer, "enhed", cells)
    # Videreføres år +1, Efterreguleres år +2, Ekstraopkrævning, Dækkes af andre: the regional rule settles nothing in
    # the takster and charges nothing, for any afdeling ("0 0 0 0"); the part above 5 % is covered by other enheder.
    assert [value(answer[name]) for name in ("daekkes_af_enheden", "efterreguleres_aar2", "ekstraopkraevning", "daekkes_af_andre")] \
        == [D(cell) for cell in cells[7:]]
    assert answer["ekstraopkraevning"]["rule"] == "syd2018.lukning.regional_ingen_ekstraopkraevning"
    units = [cells for unit, cells in REGIONAL[record_id].items() if unit != "I alt"]
    assert [sum(D(row[index]) for row in units) for index in range(6)] == [D(cell) for cell in cells[:6]]
    assert inputs(answer, "raekke_pct_af_budget")["raekke_navn"] == "Afdeling 3"


@pytest.mark.parametrize("unit", [unit for unit in ENHED_D if unit != "I alt"])
def test_enhed_d_every_enhed_column(syd2018, unit):
    cells = ENHED_D[unit]
    answer = column(syd2018, "lukning_oekonomisk_enhed", "bilag17_enhed_d", unit)
    _assert_column(answer, "raekke", cells, unit)
    daekkes = answer["raekke_daekkes_af_andre"]
    assert (value(daekkes) if daekkes["value"] is not None else None) == (D(cells[7]) if cells[7] is not None else None)
    assert value(answer["raekke_efterreguleres_aar2"]) == D(cells[8])
    assert value(answer["raekke_viderefoeres_aar1"]) == D(cells[9])


def test_enhed_d_column_i_alt(syd2018):
    cells = ENHED_D["I alt"]
    answer = run(syd2018, *fixture("lukning_oekonomisk_enhed", "bilag17_enhed_d"))
    _assert_column(answer, "samlet", cells)
    assert [value(answer[name]) for name in ("daekkes_af_andre_i_alt", "efterreguleres_aar2", "viderefoeres_aar1")] == [D(cell) for cell in cells[7:]]
    units = [cells for unit, cells in ENHED_D.items() if unit != "I alt"]
    assert [sum(D(row[index]) for row in units) for index in range(6)] == [D(cell) for cell in cells[:6]]
    assert sum(D(row[7]) for row in units if row[7] is not None) == D(cells[7])
    assert sum(D(row[9]) for row in units) == D(cells[9])
    # the per-enhed shares agree with the split list
    assert value(answer["daekkes_af_andre"]) == [D(row[7]) for row in units if row[7] is not None]
    # the default column is the closed enhed D: 5.000 = 8,3 % of 60.000
    assert D(answer["raekke_pct_af_budget"]["value"]) == D("0.083")
    assert answer["raekke_daekkes_af_andre"]["value"] is None


def test_enhed_c_is_4_63_pct_after_the_split(syd2018):
    answer = column(syd2018, "lukning_oekonomisk_enhed", "bilag17_enhed_d", "Økonomisk Enhed C")
    after = answer["raekke_pct_efter_fordeling"]
    # (2.500 + 5.000 × 90.000 / 270.000) / 90.000 = 4.166,67 / 90.000 = 4,63 % - below 5 %, so the footnote is not triggered
    assert D(after["value"]).quantize(D("0.0001")) == D("0.0463")
    assert after["explanation"]["summary"].startswith("Enhedens akkumulerede resultat i % af budget efter fordelingen: 4,63 %")
    assert inputs(answer, "raekke_pct_efter_fordeling")["raekke_andel_uafrundet"].quantize(D("0.01")) == D("1666.67")
    assert answer["raekke_efterreguleres_aar2"]["rule"] == "syd2018.lukning.enhed_enhed_fodnote_inden_for"
    assert D(column(syd2018, "lukning_oekonomisk_enhed", "bilag17_enhed_d", "Økonomisk Enhed A")["raekke_pct_efter_fordeling"]["value"]) \
        .quantize(D("0.0001")) == D("0.0123")                    # (-500 + 1.481,48) / 80.000


def test_enhed_footnote_per_enhed_matches_the_total(syd2018):
    subject, record = fixture("lukning_oekonomisk_enhed", "bilag17_enhed_d")
    record["enheder"][2]["overfoersel"] = 334                   # C: 2.834 + 1.666,67 = 4.500,67 → 0,67 above 5 %
    per_unit = {}
    for unit in ("Økonomisk Enhed A", "Økonomisk Enhed B", "Økonomisk Enhed C", "Økonomisk Enhed D"):
        answer = run(syd2018, subject, {**record, "vis_enhed": unit})
        per_unit[unit] = (value(answer["raekke_efterreguleres_aar2"]), value(answer["raekke_viderefoeres_aar1"]))
    assert per_unit["Økonomisk Enhed C"] == (D(1), D(4500))      # 2.834 + 1.667 - 1
    assert sum(item[0] for item in per_unit.values()) == value(answer["efterreguleres_aar2"]) == D(1)
    assert sum(item[1] for item in per_unit.values()) == value(answer["viderefoeres_aar1"]) == D(3333)
    surplus = run(syd2018, subject, {**record, "vis_enhed": "Økonomisk Enhed C",
                                    "enheder": [enhed("A", 90000, -90000, 90000, 0), enhed("B", 90000, -90000, 90000, 0),
                                                enhed("C", 90000, -90000, 90000, -3000), enhed("Økonomisk Enhed D", 60000, -60000, 54000, 0)]})
    assert surplus["raekke_efterreguleres_aar2"]["value"] is None   # vis_enhed "Økonomisk Enhed C" is not among A, B, C, D here
    surplus = run(syd2018, subject, {**record, "vis_enhed": "C",
                                    "enheder": [enhed("A", 90000, -90000, 90000, 0), enhed("B", 90000, -90000, 90000, 0),
                                                enhed("C", 90000, -90000, 90000, -3000), enhed("Økonomisk Enhed D", 60000, -60000, 54000, 0)]})
    assert (value(surplus["raekke_efterreguleres_aar2"]), value(surplus["raekke_viderefoeres_aar1"])) == (D(-500), D(-4500))
    assert surplus["raekke_efterreguleres_aar2"]["rule"] == "syd2018.lukning.enhed_enhed_fodnote_under"
