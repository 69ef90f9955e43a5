"""`pumpcare batch` owns its --out-dir: one run at a time, a re-run replaces the last run's files as a whole."""

from __future__ import annotations

import itertools
import json
import os
import stat
from pathlib import Path

import pytest
from filelock import FileLock
from typer.testing import CliRunner

import pumpcare.files
import pumpcare.render_pdf
from pumpcare.cli import app
from pumpcare.errors import OutputError, PumpcareError
from pumpcare.render_pdf import RenderedPdf

HEADER = "label,surgery_date\n"
WIDE = {"COLUMNS": "250"}


def batch(runner: CliRunner, tmp_path: Path, body: str) -> tuple[int, list[str], str, Path]:
    source = tmp_path / "discharges.csv"
    source.write_text(body, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["batch", str(source), "--out-dir", str(out)], env=WIDE)
    lines = [" ".join(line.strip("│ ").split()) for line in result.stdout.splitlines()]
    return result.exit_code, lines, result.stderr, out


def files(out: Path) -> list[str]:
    # Not the lock file: filelock removes it on release on Windows and keeps it elsewhere.
    return sorted(path.name for path in out.iterdir() if path.name != ".pumpcare-batch.lock")


def manifest(out: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((out / ".pumpcare-batch.json").read_text(encoding="utf-8"))
    return data


OWN = [".pumpcare-batch.json"]


def test_a_rerun_removes_the_files_of_a_row_that_now_fails(runner: CliRunner, tmp_path: Path) -> None:
    batch(runner, tmp_path, HEADER + "Bed 1,2026-12-01\nBed 2,2026-12-01\n")
    code, lines, _, out = batch(runner, tmp_path, HEADER + "Bed 1,2026-12-01\nBed 2,2026-02-30\n")
    assert code == 1
    assert lines[0] == f"1 patient written to {out}; 1 row failed."
    assert files(out) == [*OWN, "0002-Bed-1.ics", "0002-Bed-1.pdf"]
    assert manifest(out) == {"pumpcare_batch": 1, "complete": True, "files": ["0002-Bed-1.ics", "0002-Bed-1.pdf"]}


def test_a_row_that_moved_leaves_one_pair(runner: CliRunner, tmp_path: Path) -> None:
    batch(runner, tmp_path, HEADER + "Bed 1,2026-12-01\nBed 2,2026-12-01\n")
    code, _, _, out = batch(runner, tmp_path, HEADER + "Bed 2,2026-12-01\n")
    assert code == 0
    assert files(out) == [*OWN, "0002-Bed-2.ics", "0002-Bed-2.pdf"]


def test_a_folder_with_foreign_files_is_refused_and_left_untouched(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("ward round", encoding="utf-8")
    (out / "0002-Bed-1.pdf").write_bytes(b"someone else's")
    code, lines, stderr, _ = batch(runner, tmp_path, HEADER + "Bed 1,2026-12-01\n")
    assert (code, lines) == (1, [])
    assert stderr == (
        f"pumpcare: cannot write into {out}: it holds 0002-Bed-1.pdf and 1 other, which no pumpcare batch wrote "
        "there; give an empty folder, or the folder of an earlier batch, with --out-dir\n"
    )
    assert sorted(path.name for path in out.iterdir()) == ["0002-Bed-1.pdf", "notes.txt"]  # not even a lock file
    assert (out / "0002-Bed-1.pdf").read_bytes() == b"someone else's"


def test_a_file_added_to_a_batch_folder_makes_it_foreign(runner: CliRunner, tmp_path: Path) -> None:
    batch(runner, tmp_path, HEADER + "Bed 1,2026-12-01\n")
    out = tmp_path / "out"
    (out / "report.docx").write_bytes(b"x")
    before = {name: (out / name).read_bytes() for name in files(out)}
    code, _, stderr, _ = batch(runner, tmp_path, HEADER + "Bed 2,2026-12-01\n")
    assert code == 1
    assert stderr.startswith(f"pumpcare: cannot write into {out}: it holds report.docx, which no pumpcare batch")
    assert {name: (out / name).read_bytes() for name in files(out)} == before


def test_a_second_run_at_the_same_time_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    batch(runner, tmp_path, HEADER + "Bed 1,2026-12-01\n")
    out = tmp_path / "out"
    before = {name: (out / name).read_bytes() for name in files(out)}
    with FileLock(str(out / ".pumpcare-batch.lock")):
        code, lines, stderr, _ = batch(runner, tmp_path, HEADER + "Bed 2,2026-12-01\n")
    assert (code, lines) == (1, [])
    assert stderr == (
        f"pumpcare: another pumpcare batch is writing into {out}; wait for it to finish, or give another --out-dir\n"
    )
    assert {name: (out / name).read_bytes() for name in files(out)} == before


def test_a_damaged_manifest_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / ".pumpcare-batch.json").write_text('{"files": ["../../etc/passwd"', encoding="utf-8")
    code, _, stderr, _ = batch(runner, tmp_path, HEADER + "Bed 1,2026-12-01\n")
    assert code == 1
    assert stderr == (
        f"pumpcare: cannot write into {out}: its .pumpcare-batch.json is damaged; give an empty folder with --out-dir\n"
    )


def test_a_manifest_names_only_batch_files(runner: CliRunner, tmp_path: Path) -> None:
    # A hand-edited manifest must not make a batch delete a file it never wrote.
    out = tmp_path / "out"
    out.mkdir()
    keep = tmp_path / "keep.txt"
    keep.write_text("mine", encoding="utf-8")
    (out / ".pumpcare-batch.json").write_text(json.dumps({"files": [str(keep), "../keep.txt"]}), encoding="utf-8")
    code, _, _, _ = batch(runner, tmp_path, HEADER + "Bed 1,2026-12-01\n")
    assert code == 0
    assert keep.read_text(encoding="utf-8") == "mine"


def test_a_run_that_died_is_cleaned_up_by_the_next(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / ".pumpcare-batch.json").write_text('{"complete": false, "files": []}', encoding="utf-8")
    (out / "0007-Bed-9.ics").write_bytes(b"half a run")
    (out / ".0007-Bed-9.pdf.abc123.tmp").write_bytes(b"half a file")
    code, _, _, _ = batch(runner, tmp_path, HEADER + "Bed 1,2026-12-01\n")
    assert code == 0
    assert files(out) == [*OWN, "0002-Bed-1.ics", "0002-Bed-1.pdf"]


def test_a_sheet_that_cannot_be_written_takes_its_calendar_with_it(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = pumpcare.files.stage_in

    def full_disk_for_bed_2_sheet(folder: Path, name: str, data: bytes) -> pumpcare.files.Staged:
        if name == "0003-Bed-2.pdf":
            raise OutputError(f"cannot write {folder / name}: no space left on device; choose another path")
        return real(folder, name, data)

    batch(runner, tmp_path, HEADER + "Bed 1,2026-12-01\nBed 2,2026-12-01\n")
    monkeypatch.setattr(pumpcare.files, "stage_in", full_disk_for_bed_2_sheet)
    code, lines, _, out = batch(runner, tmp_path, HEADER + "Bed 1,2026-12-01\nBed 2,2026-12-02\n")
    assert code == 1
    assert f"3 │ - │ cannot write {out / '0003-Bed-2.pdf'}: no space left on device; choose another path" in lines
    # Neither this run's calendar nor the last run's sheet: a patient never gets half of one and half of another.
    assert files(out) == [*OWN, "0002-Bed-1.ics", "0002-Bed-1.pdf"]


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (
            PumpcareError("the sheet cannot be laid out: a line is too long for the page; shorten the label"),
            "the sheet cannot be laid out: a line is too long for the page; shorten the label",
        ),
        (
            ValueError("Flowable too large"),
            "pumpcare could not make this row's calendar or sheet (ValueError); check the row, and report it to "
            "pumpcare's maintainers if it looks right",
        ),
    ],
)
def test_a_sheet_that_cannot_be_made_fails_its_row_only(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: Exception, reason: str
) -> None:
    real = pumpcare.render_pdf.render_pdf

    def fails_for_bed_2(
        sheet: object, *, paper: str = "letter", body_size: int = 12, one_page: bool = False
    ) -> RenderedPdf:
        if "Bed 2" in repr(sheet):
            raise error
        return real(sheet, paper=paper, body_size=body_size)  # type: ignore[arg-type]

    monkeypatch.setattr(pumpcare.render_pdf, "render_pdf", fails_for_bed_2)
    code, lines, stderr, out = batch(
        runner, tmp_path, HEADER + "Bed 1,2026-12-01\nBed 2,2026-12-01\nBed 3,2026-12-01\n"
    )
    assert (code, stderr) == (1, "")
    assert lines[0] == f"2 patients written to {out}; 1 row failed."
    assert f"3 │ - │ {reason}" in lines
    assert files(out) == [*OWN, "0002-Bed-1.ics", "0002-Bed-1.pdf", "0004-Bed-3.ics", "0004-Bed-3.pdf"]


def test_ctrl_c_stops_the_batch_and_leaves_no_temporary_file(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = pumpcare.render_pdf.render_pdf

    def interrupted_at_bed_2(
        sheet: object, *, paper: str = "letter", body_size: int = 12, one_page: bool = False
    ) -> RenderedPdf:
        if "Bed 2" in repr(sheet):
            raise KeyboardInterrupt
        return real(sheet, paper=paper, body_size=body_size)  # type: ignore[arg-type]

    batch(runner, tmp_path, HEADER + "Bed 5,2026-12-01\nBed 6,2026-12-01\nBed 7,2026-12-01\n")
    monkeypatch.setattr(pumpcare.render_pdf, "render_pdf", interrupted_at_bed_2)
    code, lines, _, out = batch(runner, tmp_path, HEADER + "Bed 1,2026-12-01\nBed 2,2026-12-01\nBed 3,2026-12-01\n")
    assert code in (1, 130)  # click's answer to Ctrl-C: "Aborted!", and 1 or (from click 8.2) 130
    assert lines == []  # no summary claims a finished batch
    # The last run's files are gone with it; what this one wrote is listed, so the next run can replace it.
    assert files(out) == [*OWN, "0002-Bed-1.ics", "0002-Bed-1.pdf"]
    assert manifest(out) == {"pumpcare_batch": 1, "complete": False, "files": ["0002-Bed-1.ics", "0002-Bed-1.pdf"]}
    monkeypatch.setattr(pumpcare.render_pdf, "render_pdf", real)
    code, _, _, _ = batch(runner, tmp_path, HEADER + "Bed 4,2026-12-01\n")
    assert code == 0  # the lock went with the interrupted run
    assert files(out) == [*OWN, "0002-Bed-4.ics", "0002-Bed-4.pdf"]


def test_a_sheet_over_one_page_is_a_warning_and_still_written(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = pumpcare.render_pdf.render_pdf

    def two_pages(sheet: object, *, paper: str = "letter", body_size: int = 12, one_page: bool = False) -> RenderedPdf:
        return real(sheet, paper=paper, body_size=body_size)._replace(pages=2)  # type: ignore[arg-type]

    monkeypatch.setattr(pumpcare.render_pdf, "render_pdf", two_pages)
    code, lines, _, out = batch(runner, tmp_path, "label,surgery_date,overrides\nBed 1,2026-12-01,no-driving=1w\n")
    assert code == 0
    assert lines[0] == f"1 patient written to {out} (1 with warnings); 0 rows failed."
    assert lines[1] == "Rows with warnings (written; check them)"
    assert [line for line in lines if line.startswith("2 │")] == [
        "2 │ Bed 1 │ no-driving=1w is outside the rule file's 2–4 weeks for 'no-driving'; the plan uses it as set",
        "2 │ Bed 1 │ the sheet runs to 2 pages; fewer orders split from their group, or --paper a4, may bring it back "
        "to one",
    ]
    assert files(out) == [*OWN, "0002-Bed-1.ics", "0002-Bed-1.pdf"]


@pytest.mark.parametrize("width", [30, 60, 80, 100, 200])
def test_the_summary_table_draws_as_rich_draws_a_table(width: int) -> None:
    """The batch's tables are laid out by hand for speed, and must read exactly as rich's Table did."""
    import io

    from rich.console import Console
    from rich.table import Table

    from pumpcare.layout import BoxTable

    rows = [
        ("2", "Bed 1", "no-driving=1w is outside the rule file's 2–4 weeks for 'no-driving'; the plan uses it as set"),
        ("13", "Señora Núñez", "the sheet runs to 2 pages; fewer orders split from their group, or --paper a4, may"),
        ("104", "X", "short"),
    ]
    table = Table(title="Rows with warnings", title_justify="left")
    table.add_column("Row", justify="right", no_wrap=True)
    table.add_column("Label", no_wrap=True)
    table.add_column("Warning")
    for row in rows:
        table.add_row(*row)
    drawn = []
    for renderable in (table, BoxTable("Rows with warnings", ("Row", "Label", "Warning"), rows, right=frozenset({0}))):
        console = Console(file=io.StringIO(), width=width, color_system=None)
        console.print(renderable)
        drawn.append([line.rstrip() for line in console.file.getvalue().splitlines()])  # type: ignore[attr-defined]
    assert drawn[0] == drawn[1]


@pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")
def test_new_files_get_a_plain_files_mode_and_a_replaced_file_keeps_its_own(runner: CliRunner, tmp_path: Path) -> None:
    umask = os.umask(0o027)
    try:
        _, _, _, out = batch(runner, tmp_path, HEADER + "Bed 1,2026-12-01\n")
        assert {stat.S_IMODE((out / name).stat().st_mode) for name in ("0002-Bed-1.ics", "0002-Bed-1.pdf")} == {0o640}
        (out / "0002-Bed-1.ics").chmod(0o600)  # a nurse kept the calendar private
        batch(runner, tmp_path, HEADER + "Bed 1,2026-12-02\n")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((out / "0002-Bed-1.ics").stat().st_mode) == 0o600
    assert stat.S_IMODE((out / "0002-Bed-1.pdf").stat().st_mode) == 0o640
    assert b"DTSTART;VALUE=DATE:20261202" in (out / "0002-Bed-1.ics").read_bytes()
    assert not [path for path in out.iterdir() if path.name.endswith(".tmp")]


@pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")
def test_a_batch_file_made_a_link_keeps_its_link_and_its_target_is_replaced(runner: CliRunner, tmp_path: Path) -> None:
    _, _, _, out = batch(runner, tmp_path, HEADER + "Bed 1,2026-12-01\n")
    shared = tmp_path / "shared-calendar.ics"
    (out / "0002-Bed-1.ics").replace(shared)
    (out / "0002-Bed-1.ics").symlink_to(shared)  # the calendar a caregiver's app subscribes to, kept elsewhere
    code, _, _, _ = batch(runner, tmp_path, HEADER + "Bed 1,2026-12-02\n")
    assert code == 0
    assert (out / "0002-Bed-1.ics").is_symlink()
    assert b"DTSTART;VALUE=DATE:20261202" in shared.read_bytes()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_batch_file_replaced_by_a_pipe_fails_its_row_in_one_sentence(runner: CliRunner, tmp_path: Path) -> None:
    _, _, _, out = batch(runner, tmp_path, HEADER + "Bed 1,2026-12-01\nBed 2,2026-12-01\n")
    (out / "0003-Bed-2.ics").unlink()
    os.mkfifo(out / "0003-Bed-2.ics")  # a reader waiting on it would hang a batch that wrote into it
    code, lines, _, _ = batch(runner, tmp_path, HEADER + "Bed 1,2026-12-01\nBed 2,2026-12-01\n")
    assert code == 1
    assert any("it is not a regular file (a device, a pipe or a terminal)" in line for line in lines)
    assert files(out) == [*OWN, "0002-Bed-1.ics", "0002-Bed-1.pdf"]


def test_a_temporary_name_a_crashed_run_left_is_stepped_around(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    # The name this process would give its first temporary file, left half-written by a run that had its id.
    monkeypatch.setattr(pumpcare.files, "_COUNTER", itertools.count())
    (out / f".0002-Bed-1.ics.{os.getpid()}-0.tmp").write_bytes(b"BEGIN:VCAL")
    code, _, _, _ = batch(runner, tmp_path, HEADER + "Bed 1,2026-12-01\n")
    assert code == 0
    assert (out / "0002-Bed-1.ics").read_bytes().endswith(b"END:VCALENDAR\r\n")
    assert files(out) == [*OWN, "0002-Bed-1.ics", "0002-Bed-1.pdf"]
