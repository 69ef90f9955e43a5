"""The sheet's content and its time line's geometry, through their module API: what both writers draw."""

from __future__ import annotations

from datetime import date

from pumpcare.planning import make_plan
from pumpcare.rules import RuleSet
from pumpcare.schedule import Duration, Override, RefillSchedule
from pumpcare.sheet import make_sheet
from pumpcare.sheet_chart import chart, fit_label, label_step

D = date


def full_plan(shipped: RuleSet) -> object:
    return make_plan(
        shipped,
        D(2026, 12, 1),
        follow_up=D(2027, 1, 5),
        refills=RefillSchedule(D(2027, 1, 26), Duration(12, "weeks")),
        overrides=[Override("no-lifting", Duration(10, "weeks"), Duration(12, "weeks"))],
    )


def test_make_sheet_says_what_the_page_says(shipped: RuleSet) -> None:
    sheet = make_sheet(full_plan(shipped), "Bed 4")  # type: ignore[arg-type]
    assert sheet.title == "Your recovery plan: pump surgery on Tue 1 Dec 2026"
    assert sheet.patient_label == "Bed 4"
    assert [section.title for section in sheet.sections] == [
        "Before surgery", "Avoid", "Step by step", "Every day", "Visits and the device",
    ]  # fmt: skip
    avoid = {line.what: line.when for line in sheet.sections[1].lines}
    # The order (10-12 weeks) is outside the leaflet's 6-8 weeks: the title says whose it is, and the leaflet's.
    lifting = "No lifting over 5 pounds (your care team's order; the leaflet says 6–8 weeks)"
    assert avoid[lifting] == "Until 9–23 Feb 2027"
    assert avoid["No housework, yard work or sex"] == (
        "Until you have had your follow-up visit (Tue 5 Jan 2027); ask at the visit"
    )
    visits = sheet.sections[-1].lines
    assert visits[1].when == "26 Jan, 20 Apr, 13 Jul, 5 Oct 2027"
    assert visits[1].what == "Pump refill visit, then every 12 weeks"
    assert visits[2].what == "Pump battery replacement (book it by 1 Jun 2033)"
    assert [bar.label for bar in sheet.bars][:2] == [
        "Movement limits, except no lifting over 5 pounds",
        "No lifting over 5 pounds",
    ]
    assert sheet.refills == (D(2027, 1, 26), D(2027, 4, 20), D(2027, 7, 13), D(2027, 10, 5))
    assert [line.when for line in sheet.call_when] == [
        "Watch for side effects",
        "Know your pump's alarm sounds",  # when_to_call: a device rule that says when to call
        "Know the signs of withdrawal",
        "Follow your care team",
    ]
    assert sheet.drug_warning is None  # no --drug
    assert sheet.footer.startswith("From the leaflet Intrathecal Pain Pump Insertion, FoundHealth")


def test_the_time_line_is_laid_out_once_for_both_writers(shipped: RuleSet) -> None:
    sheet = make_sheet(full_plan(shipped), None)  # type: ignore[arg-type]
    laid_out = chart(sheet)
    span = (sheet.last - sheet.first).days
    first = laid_out.rows[0]
    assert first.solid[0] == 0.0  # the surgery is the left edge of the bar area
    assert first.window is not None
    assert first.window[0] == first.solid[1]  # the grey window starts where the solid bar ends
    assert first.solid[1] == (D(2027, 1, 12) - sheet.first).days / span
    assert [tick.text for tick in laid_out.ticks[:5]] == ["surgery", None, "2 wk", None, "4 wk"]
    assert laid_out.follow_up == (D(2027, 1, 5) - sheet.first).days / span
    assert all(0.0 <= at <= 1.0 for at in laid_out.refills)
    assert laid_out.visits == "Visits"


def test_labels_are_cut_with_an_ellipsis_and_ticks_thin_out_on_long_spans() -> None:
    assert fit_label("No housework, yard work or sex") == "No housework, yard work or…"
    assert fit_label("No driving") == "No driving"
    assert len(fit_label("x" * 100)) == 27

    class Long:
        first, last = D(2026, 1, 1), D(2026, 1, 1) + (D(2027, 1, 1) - D(2026, 1, 1))

    assert label_step(Long) == 6  # type: ignore[arg-type]  # 52 weeks: a label every 6 weeks, 8 of them
