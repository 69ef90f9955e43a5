"""`pumpcare batch` on hostile CSV files (tests/hostile/csv/): a row's failure or one sentence, never a traceback."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pumpcare.cli import app

CORPUS = Path(__file__).resolve().parent / "hostile" / "csv"
WIDE = {"COLUMNS": "250"}
HEADER_ROW = "label,surgery_date,follow_up,refill_every,first_refill,overrides\n"
EXPECTED = (
    "the first row must name the columns label and surgery_date, and may name follow_up, refill_every, "
    "first_refill, next_refill, drug, fill_volume, concentration, daily_dose, alarm_volume, overrides and "
    "patient_ref"
)
RUNAWAY = (
    'a quote (") on line 4 opens a cell that {where}; remove the stray quote or close it '
    "(the batch went on from line 5)"
)


def table(stdout: str) -> list[str]:
    """The summary's lines with the table's borders and padding taken out."""
    return [" ".join(line.strip("│ ").split()) for line in stdout.splitlines()]


def written(out: Path) -> list[str]:
    return sorted(path.name for path in out.iterdir() if not path.name.startswith(".")) if out.exists() else []


def pair(row: int, label: str) -> list[str]:
    return [f"{row:04d}-{label}.ics", f"{row:04d}-{label}.pdf"]


def beds(*rows: int) -> list[str]:
    """The files of rows 'Bed n' on line n + 1."""
    return sorted(name for row in rows for name in pair(row + 1, f"Bed-{row}"))


# File, then for a refused file its one sentence ({path} is the file as given); for a file that runs, the
# summary's first line ({out} is the folder), the failed rows as the table shows them, and the files written.
REFUSED = [
    ("duplicate-column.csv", f"the CSV header has the column label more than once; {EXPECTED}"),
    ("semicolon.csv", "the file uses ';' between columns; save it as comma-separated CSV"),
    ("tab.csv", "the file uses tabs between columns; save it as comma-separated CSV"),
    (
        "latin-1.csv",
        "{path} line 3 is not UTF-8 text (perhaps Latin-1 or Windows-1252); save the file as CSV UTF-8 and try again",
    ),
    ("utf-16.csv", "{path} is saved as UTF-16 text; save it as CSV UTF-8 (comma-separated) and try again"),
    ("utf-16-no-bom.csv", "{path} looks like UTF-16 text; save it as CSV UTF-8 (comma-separated) and try again"),
    ("empty.csv", f"the CSV header has missing columns label, surgery_date; {EXPECTED}"),
]
RUNS = [
    (
        "stray-quote.csv",
        "9 patients written to {out}; 1 row failed.",
        [f"4 │ - │ {RUNAWAY.format(where='is never closed')}"],
        beds(1, 2, 4, 5, 6, 7, 8, 9, 10),
    ),
    (
        "stray-quote-closed-later.csv",
        "9 patients written to {out}; 1 row failed.",
        [f"4 │ - │ {RUNAWAY.format(where='is not closed until line 8')}"],
        sorted(beds(1, 2, 4, 5, 6, 8, 9, 10) + pair(8, "Bed-7--window")),
    ),
    (
        "quote-at-end.csv",
        "2 patients written to {out}; 1 row failed.",
        [f"4 │ - │ {RUNAWAY.format(where='is never closed')}"],
        beds(1, 2),
    ),
    (
        "nul-byte.csv",
        "3 patients written to {out}; 1 row failed.",
        ["3 │ - │ line 3 holds a NUL character; delete it, or save the file again as CSV UTF-8"],
        beds(1, 3, 4),
    ),
    ("two-columns.csv", "2 patients written to {out}; 0 rows failed.", [], beds(1, 2)),
    (
        "utf-8-bom-crlf.csv",
        "2 patients written to {out}; 0 rows failed.",
        [],
        sorted(beds(1) + pair(3, "Bed-2--window")),
    ),
    ("header-only.csv", "0 patients written to {out}; 0 rows failed.", [], []),
]


@pytest.mark.parametrize(("name", "message"), REFUSED)
def test_a_file_that_cannot_be_read_is_refused_before_anything_is_written(
    runner: CliRunner, tmp_path: Path, name: str, message: str
) -> None:
    path, out = CORPUS / name, tmp_path / "out"
    result = runner.invoke(app, ["batch", str(path), "--out-dir", str(out)], env=WIDE)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"pumpcare: {message.format(path=path)}\n"
    assert not out.exists()


@pytest.mark.parametrize(("name", "first", "failures", "files"), RUNS)
def test_a_bad_line_fails_its_row_and_the_batch_goes_on(
    runner: CliRunner, tmp_path: Path, name: str, first: str, failures: list[str], files: list[str]
) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["batch", str(CORPUS / name), "--out-dir", str(out)], env=WIDE)
    assert (result.exit_code, result.stderr) == (1 if failures else 0, "")
    lines = table(result.stdout)
    assert lines[0] == first.format(out=out)
    assert [line for line in lines if re.match(r"[0-9]+ │ ", line)] == failures
    assert written(out) == files


def test_every_corpus_file_has_an_expected_outcome() -> None:
    named = {name for name, *_ in REFUSED} | {name for name, *_ in RUNS}
    assert named == {path.name for path in CORPUS.glob("*.csv")}


def test_an_overlong_line_fails_its_row_without_being_held(runner: CliRunner, tmp_path: Path) -> None:
    # RowRendered here rather than kept in the corpus: 200,000 characters, past csv's 131,072-character field limit.
    source = tmp_path / "long.csv"
    source.write_text(f"label,surgery_date\nBed 1,2026-12-01\nBed 2,{'x' * 200_000}\nBed 3,2026-12-01\n", "utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["batch", str(source), "--out-dir", str(out)], env=WIDE)
    assert result.exit_code == 1
    lines = table(result.stdout)
    assert lines[0] == f"2 patients written to {out}; 1 row failed."
    assert (
        "3 │ - │ line 3 is longer than 65,536 characters; check it for a stray quote or a missing line break" in lines
    )
    assert written(out) == beds(1) + pair(4, "Bed-3")


def test_a_quote_left_open_to_the_end_of_a_long_file_costs_one_row(runner: CliRunner, tmp_path: Path) -> None:
    # The report that started this: a stray quote at row 99 of 5,000 stopped the batch with csv's field limit.
    rows = [f"Bed {n},2026-12-01,,,," for n in range(1, 151)]
    rows[98] = 'Bed 99,"2026-12-01,,,,'
    source = tmp_path / "day.csv"
    source.write_text(
        "label,surgery_date,follow_up,refill_every,first_refill,overrides\n" + "\n".join(rows) + "\n", "utf-8"
    )
    out = tmp_path / "out"
    result = runner.invoke(app, ["batch", str(source), "--out-dir", str(out), "--html"], env=WIDE)
    lines = table(result.stdout)
    assert result.exit_code == 1
    assert lines[0] == f"149 patients written to {out}; 1 row failed."
    assert (
        '100 │ - │ a quote (") on line 100 opens a cell that is never closed; remove the stray quote or close it '
        "(the batch went on from line 101)"
    ) in lines


# ── SIGTERM to a batch's process group: it ends at once, every time, leaving only whole files ───────────────

posix_group = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="sends SIGTERM to a process group, and reads /proc"
)
# A hang was seen in 1 trial of 30: enough trials that one would show, within a bound on the test's time.
# PUMPCARE_SIGTERM_TRIALS=300 runs a longer hunt by hand.
SIGTERM_TRIALS = int(os.environ.get("PUMPCARE_SIGTERM_TRIALS", "30"))
SIGTERM_BUDGET = 30 + 1.5 * SIGTERM_TRIALS  # seconds for all trials together
EXIT_WITHIN = 5.0  # seconds from SIGTERM to the batch's end: "a few"


def group_alive(group: int) -> list[str]:
    """The processes of a process group still running (not exited and waiting to be reaped), from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()  # after "pid (name) ": state, ppid, pgrp, ...
        if int(fields[2]) == group and fields[0] not in ("Z", "X"):
            found.append(text[: text.rindex(")") + 1])
    return found


def group_gone(group: int) -> bool:
    """Whether every process of the group has ended within a few seconds (the workers, the resource tracker)."""
    deadline = time.monotonic() + EXIT_WITHIN
    while group_alive(group) and time.monotonic() < deadline:
        time.sleep(0.02)
    return group_alive(group) == []


def good_rows(count: int) -> str:
    """A CSV file of `count` patients that all plan, with a refill schedule and an order each."""
    return HEADER_ROW + "".join(
        f"Bed {n},2026-12-{1 + n % 28:02d},2027-01-{1 + n % 28:02d},12w,2027-02-{1 + n % 28:02d},no-driving=3w\n"
        for n in range(count)
    )


def whole(path: Path) -> bool:
    """Whether a batch file is complete: a calendar, a sheet or a CarePlan as it ends when fully written."""
    data = path.read_bytes()
    if path.name.endswith(".ics"):
        return data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    if path.name.endswith(".html"):
        return data.startswith(b"<!DOCTYPE html>") and data.rstrip().endswith(b"</html>")
    if path.name.endswith(".pdf"):
        return data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    json.loads(data)
    return True


def left_whole(out: Path) -> None:
    """What a stopped batch leaves: its lock free, no temporary file, whole files, and a manifest of just them."""
    if not out.exists():
        return  # stopped before its first rows came back: the folder is made with them
    from filelock import FileLock

    with FileLock(str(out / ".pumpcare-batch.lock"), timeout=0):
        names = sorted(path.name for path in out.iterdir())
    assert not [name for name in names if name.endswith(".tmp")]
    kept = [out / name for name in names if not name.startswith(".")]
    assert [path.name for path in kept if not whole(path)] == []
    if ".pumpcare-batch.json" not in names:  # stopped between making the folder and its manifest
        assert kept == []
        return
    manifest = json.loads((out / ".pumpcare-batch.json").read_text(encoding="utf-8"))
    assert manifest["complete"] is False
    assert sorted(manifest["files"]) == [path.name for path in kept]


@posix_group
def test_sigterm_to_the_process_group_ends_a_batch_within_seconds_every_time(tmp_path: Path) -> None:
    source = tmp_path / "discharges.csv"
    source.write_text(good_rows(3000), encoding="utf-8")
    started = time.monotonic()
    exits: list[float] = []
    for trial in range(SIGTERM_TRIALS):
        if time.monotonic() - started > SIGTERM_BUDGET:
            break
        out = tmp_path / f"out-{trial}"
        # Moments spread from the workers' start to the middle of the batch: while they spawn, while they send
        # their first answers, and while rows stream.
        delay = 0.3 + (trial * 0.173) % 1.5
        process = subprocess.Popen(
            [sys.executable, "-m", "pumpcare", "batch", str(source), "--out-dir", str(out), "--jobs", "2", "--html"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            env={**os.environ, **WIDE},
        )
        time.sleep(delay)
        assert process.poll() is None, f"trial {trial}: the batch ended before it could be stopped"
        os.killpg(process.pid, signal.SIGTERM)
        sent = time.monotonic()
        try:
            _, stderr = process.communicate(timeout=EXIT_WITHIN * 2)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            pytest.fail(f"trial {trial} (SIGTERM {delay:.2f} s after the start) hung")
        exits.append(time.monotonic() - sent)
        assert exits[-1] < EXIT_WITHIN, f"trial {trial}: {exits[-1]:.1f} s to stop"
        assert process.returncode == 128 + signal.SIGTERM, (trial, delay, stderr.decode())
        assert stderr.decode() == "pumpcare: interrupted; nothing was half-written\n", (trial, delay)
        assert group_gone(process.pid), f"trial {trial}: workers outlived the batch"
        left_whole(out)
        shutil.rmtree(out, ignore_errors=True)
    assert len(exits) >= min(SIGTERM_TRIALS, 20), f"only {len(exits)} trials ran in {SIGTERM_BUDGET:.0f} s"
    print(f"{len(exits)} SIGTERM trials; slowest exit {max(exits):.2f} s, mean {sum(exits) / len(exits):.2f} s")


def workers_of(parent: int) -> set[int]:
    """The worker processes a batch has running now: its children that run multiprocessing's spawn."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text(encoding="utf-8", errors="replace")
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        if int(fields[1]) == parent and b"spawn_main" in command:
            found.add(int(stat.parent.name))
    return found


@posix_group
@pytest.mark.parametrize("jobs", ["10000", str(10**30)])
def test_jobs_is_capped_at_the_cores_and_at_what_the_rows_need(tmp_path: Path, jobs: str) -> None:
    from pumpcare.batch import MIN_ROWS_PER_WORKER, usable_cores, workers_for

    cores = usable_cores()
    assert workers_for(10_000, 1600, 2) == 2
    assert workers_for(10_000, 40, 64) == 1  # a short file: one process
    assert workers_for(10_000, 5 * MIN_ROWS_PER_WORKER, 64) == 5
    rows = HEADER_ROW + "".join(f"Bed {n},2026-12-{1 + n % 28:02d},,,,\n" for n in range(1200))
    source = tmp_path / "discharges.csv"
    source.write_text(rows, encoding="utf-8")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "pumpcare", "batch", str(source), "--out-dir", str(out), "--jobs", jobs]
    process = subprocess.Popen([*command, "--html"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    started: set[int] = set()
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        started |= workers_of(process.pid)
        time.sleep(0.01)
    stdout, stderr = process.communicate(timeout=60)
    assert (process.returncode, stderr) == (0, b"")
    assert stdout.decode().startswith("1200 patients written to")
    assert 1 <= len(started) <= cores, started
    print(f"--jobs {jobs[:8]}: {len(started)} workers started on {cores} cores")


@posix_group
def test_sigterm_while_a_worker_is_halfway_through_sending_its_rows_ends_the_batch(tmp_path: Path) -> None:
    """The hang, made certain: the batch is stopped (SIGSTOP) until a worker is blocked halfway through writing
    its answer (a chunk of sheets, more than a pipe holds); then the group gets SIGTERM, so that worker dies
    with half an answer sent, and the batch goes on (SIGCONT) to its own SIGTERM."""
    source = tmp_path / "discharges.csv"
    source.write_text(good_rows(800), encoding="utf-8")
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "pumpcare", "batch", str(source), "--out-dir", str(out), "--jobs", "2", "--html"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, **WIDE},
    )
    try:
        deadline = time.monotonic() + 30
        while len(workers_of(process.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        workers = workers_of(process.pid)
        assert len(workers) == 2
        # The workers start with their first chunks already in the pipe; the batch, stopped, reads no answer.
        time.sleep(0.3)
        process.send_signal(signal.SIGSTOP)
        writing: set[int] = set()
        while not writing and time.monotonic() < deadline:
            time.sleep(0.05)
            writing = {pid for pid in workers if Path(f"/proc/{pid}/wchan").read_text().endswith("pipe_write")}
        assert writing, "no worker blocked sending its rows"
        os.killpg(process.pid, signal.SIGTERM)
        process.send_signal(signal.SIGCONT)
        sent = time.monotonic()
        try:
            _, stderr = process.communicate(timeout=EXIT_WITHIN * 2)
        except subprocess.TimeoutExpired:
            pytest.fail("the batch hung in its shutdown, waiting for the rest of a dead worker's answer")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    assert time.monotonic() - sent < EXIT_WITHIN
    assert (process.returncode, stderr.decode()) == (143, "pumpcare: interrupted; nothing was half-written\n")
    assert group_gone(process.pid)
    left_whole(out)
