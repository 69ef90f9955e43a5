"""`pumpcare batch --jobs N`: rows planned in several processes, and every byte, line and count as with one."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import pumpcare.files
from pumpcare.batch import workers_for
from pumpcare.cli import app

HEADER = "label,surgery_date,follow_up,refill_every,first_refill,overrides\n"
WIDE = {"COLUMNS": "200", "SOURCE_DATE_EPOCH": "1795000000"}
posix_only = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="sends SIGINT to a process group, and reads /proc"
)


def discharges(rows: int) -> str:
    """Many good rows, a row with a warning now and then, and bad rows among them."""
    lines = []
    for index in range(rows):
        day = 1 + index % 28
        if index % 17 == 5:
            lines.append(f"Bed {index},2026-02-30,,,,\n")  # not a real date
        elif index % 23 == 7:
            lines.append(f'Bed {index},"2026-12-01\n')  # a stray quote: the reader fails this line alone
        else:
            order = "no-lifting=10w..12w" if index % 3 == 0 else "no-driving=3w"
            lines.append(f"Bed {index},2026-12-{day:02d},2027-01-{day:02d},12w,2027-02-{day:02d},{order}\n")
    return HEADER + "".join(lines)


def run(runner: CliRunner, source: Path, out: Path, *extra: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["batch", str(source), "--out-dir", str(out), *extra], env=WIDE)
    return result.exit_code, result.stdout, result.stderr


def folder(out: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(out.iterdir()) if path.name != ".pumpcare-batch.lock"}


@pytest.mark.parametrize("kind", [[], ["--html"], ["--html", "--fhir", "--lang", "es"]])
def test_two_jobs_write_the_same_bytes_report_and_manifest_as_one(
    runner: CliRunner, tmp_path: Path, kind: list[str]
) -> None:
    source = tmp_path / "discharges.csv"
    source.write_text(discharges(90), encoding="utf-8")
    assert workers_for(2, 90, 2) == 2  # long enough that --jobs 2 starts two workers (where there are two cores)
    one = run(runner, source, tmp_path / "one", "--jobs", "1", *kind)
    two = run(runner, source, tmp_path / "two", "--jobs", "2", *kind)
    assert one[0] == two[0] == 1  # bad rows among them
    assert two[1].replace(str(tmp_path / "two"), "OUT") == one[1].replace(str(tmp_path / "one"), "OUT")
    # The report is the nurse's, in the batch's language, whichever process planned the rows.
    failed, warned = (
        ("Filas con errores", "Filas con avisos") if "es" in kind else ("Rows that failed", "Rows with warnings")
    )
    assert failed in one[1]
    assert warned in one[1]
    assert (one[2], two[2]) == ("", "")
    written, again = folder(tmp_path / "one"), folder(tmp_path / "two")
    assert len(written) > 150  # files of the good rows, and the manifest
    assert written == again
    if "es" in kind:  # the workers, started afresh, speak the language the batch was asked for
        sheets = [data for name, data in written.items() if name.endswith(".html")]
        assert all('lang="es"' in sheet.decode() and "Visita de control" in sheet.decode() for sheet in sheets)
        assert any(name.endswith(".fhir.json") for name in written)


@pytest.mark.parametrize("jobs", ["0", "-2"])
def test_no_processes_is_refused_in_one_sentence(runner: CliRunner, tmp_path: Path, jobs: str) -> None:
    source = tmp_path / "discharges.csv"
    source.write_text(discharges(2), encoding="utf-8")
    code, stdout, stderr = run(runner, source, tmp_path / "out", "--jobs", jobs)
    assert (code, stdout) == (1, "")
    assert stderr == (
        f"pumpcare: --jobs {jobs} is not a number of processes; give 1 or more, or leave it out to use every core\n"
    )
    assert not (tmp_path / "out").exists()


def test_a_batch_syncs_its_files_once_not_once_each(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"fsync": 0, "sync": 0}
    real_fsync = os.fsync

    def fsync(descriptor: int) -> None:
        calls["fsync"] += 1
        real_fsync(descriptor)

    def sync() -> None:
        calls["sync"] += 1

    monkeypatch.setattr(os, "fsync", fsync)
    if hasattr(os, "sync"):
        monkeypatch.setattr(os, "sync", sync)
    source = tmp_path / "discharges.csv"
    source.write_text(discharges(12), encoding="utf-8")
    code, stdout, _ = run(runner, source, tmp_path / "out", "--html")
    assert code == 1
    assert stdout.startswith(f"10 patients written to {tmp_path / 'out'}")
    if hasattr(os, "sync"):  # the manifest at the start and the end, the folder once; the 20 files with one sync
        assert calls == {"fsync": 3, "sync": 1}
    else:  # Windows: no sync of everything, so each file on its own, still only after all are written
        assert calls == {"fsync": 2 + 20, "sync": 0}
    assert not [path for path in (tmp_path / "out").iterdir() if path.name.endswith(".tmp")]


def test_ctrl_c_between_a_temporary_file_and_its_record_leaves_no_temporary_file(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = pumpcare.files.stage_in

    def interrupted_once_made(folder: Path, name: str, data: bytes) -> pumpcare.files.Staged:
        made = real(folder, name, data)
        if name == "0004-Bed-2.html":
            raise KeyboardInterrupt  # the file exists; the line that records it never ran
        return made

    monkeypatch.setattr(pumpcare.files, "stage_in", interrupted_once_made)
    source = tmp_path / "discharges.csv"
    source.write_text(discharges(5), encoding="utf-8")
    code, stdout, _ = run(runner, source, tmp_path / "out", "--html", "--jobs", "1")
    assert code in (1, 130)
    assert "written to" not in stdout
    names = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert [name for name in names if name.endswith(".tmp")] == []
    assert "0002-Bed-0.html" in names


@posix_only
def test_ctrl_c_stops_every_worker_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    source = tmp_path / "discharges.csv"
    source.write_text(discharges(3000), encoding="utf-8")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "pumpcare", "batch", str(source), "--out-dir", str(out), "--jobs", "2", "--html"]
    # Its own process group, as a terminal's Ctrl-C reaches the command and its workers alike.
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, env={**os.environ, **WIDE}
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.glob("*.html"))) < 40 and process.poll() is None:
        time.sleep(0.05)
    assert process.poll() is None, "the batch ended before it could be interrupted"
    os.killpg(process.pid, signal.SIGINT)
    try:
        stdout, stderr = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        raise
    assert process.returncode == 130  # as with one job: the command line's answer to Ctrl-C
    assert "Traceback" not in stderr.decode()  # not from the parent, nor from a worker
    assert b"written to" not in stdout  # no summary claims a finished batch
    names = [path.name for path in out.iterdir()]
    assert not [name for name in names if name.endswith(".tmp")]
    written = sorted(name for name in names if name.endswith(".html"))
    assert 40 <= len(written) < 2800
    # Every row kept has its pair, and the manifest lists exactly them and says the batch did not finish.
    assert sorted(name for name in names if name.endswith(".ics")) == [name[:-5] + ".ics" for name in written]
    manifest = json.loads((out / ".pumpcare-batch.json").read_text(encoding="utf-8"))
    assert manifest["complete"] is False
    assert sorted(manifest["files"]) == sorted(name for name in names if name.endswith((".ics", ".html")))
    # The workers went with it: nothing of the batch runs on in its process group (where /proc tells).
    deadline = time.monotonic() + 5
    while living(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert living(process.pid) == []


def living(group: int) -> list[str]:
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


def test_ctrl_c_in_the_last_renames_never_leaves_a_patient_old_and_new_files(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, out = tmp_path / "discharges.csv", tmp_path / "out"
    first = HEADER + "Bed 1,2026-12-01,,,,\nBed 2,2026-12-02,,,,\n"
    source.write_text(first, encoding="utf-8")
    assert run(runner, source, out, "--html", "--fhir", "--jobs", "1")[0] == 0
    before = folder(out)
    source.write_text(first.replace("2026-12-02", "2027-03-09"), encoding="utf-8")  # Bed 2's surgery moves
    real = Path.replace

    def interrupted(self: Path, target: str | os.PathLike[str]) -> Path:
        if Path(target).name == "0003-Bed-2.fhir.json":  # the row's calendar and sheet are already in place
            raise KeyboardInterrupt
        return real(self, target)

    monkeypatch.setattr(Path, "replace", interrupted)
    code, _, _ = run(runner, source, out, "--html", "--fhir", "--jobs", "1")
    monkeypatch.undo()
    assert code in (1, 130)
    after = folder(out)
    bed_2 = sorted(name for name in after if name.startswith("0003-"))
    assert bed_2 == []  # neither the new pair in part nor the old files beside it
    assert not any(name.endswith(".tmp") for name in after)
    assert after["0002-Bed-1.ics"] == before["0002-Bed-1.ics"]
    assert json.loads(after[".pumpcare-batch.json"])["complete"] is False


@posix_only
def test_ctrl_c_between_a_rows_renames_removes_its_link_and_never_the_file_it_points_to(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, out = tmp_path / "discharges.csv", tmp_path / "out"
    source.write_text(HEADER + "Bed 1,2026-12-01,,,,\n", encoding="utf-8")
    assert run(runner, source, out, "--html", "--jobs", "1")[0] == 0
    shared = tmp_path / "caregiver" / "calendar.ics"  # where a caregiver's calendar app reads it
    shared.parent.mkdir()
    (out / "0002-Bed-1.ics").replace(shared)
    (out / "0002-Bed-1.ics").symlink_to(shared)
    real = Path.replace

    def interrupted(self: Path, target: str | os.PathLike[str]) -> Path:
        if Path(target).name == "0002-Bed-1.html":  # the calendar is in place, through its link; the sheet is not
            raise KeyboardInterrupt
        return real(self, target)

    monkeypatch.setattr(Path, "replace", interrupted)
    code, _, _ = run(runner, source, out, "--html", "--jobs", "1")
    monkeypatch.undo()
    assert code in (1, 130)
    assert shared.is_file()  # outside the batch's folder: never removed
    assert b"BEGIN:VCALENDAR" in shared.read_bytes()
    assert not (out / "0002-Bed-1.ics").is_symlink()  # the row lost its files, the link with them
    assert not any(name.endswith(".tmp") for name in folder(out))
