"""Hostile files and machines: YAML that explodes, special files, links, full disks, closed pipes, interruptions.

Each corpus file in tests/hostile/yaml has its expected outcome below; a file without one fails the suite.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pumpcare.cli import app

CORPUS = Path(__file__).parent / "hostile" / "yaml"
YAML_OUTCOMES = {
    "alias-bomb.yaml": "its aliases expand it to more than 100,000 values; write it out plainly; "
    "a rule file is a plain list of rules",
    "deep-nesting.yaml": "it nests lists or mappings more than 50 deep; a rule file is a plain list of rules",
    "self-reference.yaml": "an alias in it refers to itself; a rule file is a plain list of rules",
    "duplicate-key.yaml": "not valid YAML at line 2, column 1: "
    "the key 'schema' is given twice in one mapping; keep one",
    "huge-scalar.yaml": "a value is not a real date or a number Python can read; quote it",
    "binary-junk.yaml": "it is not UTF-8 text; save it as UTF-8",
    "bom-and-tabs.yaml": "not valid YAML at line 2, column 1: found a tab character that violates indentation "
    "(while scanning a plain scalar started at line 1, column 9)",
    "unknown-key-flood.yaml": None,  # 2,004 problems: the first 50 are listed, then a count of the rest
}


def test_every_corpus_file_has_an_outcome() -> None:
    assert sorted(path.name for path in CORPUS.iterdir()) == sorted(YAML_OUTCOMES)


@pytest.mark.parametrize("name", sorted(YAML_OUTCOMES))
def test_a_hostile_rule_file_gets_sentences_not_a_traceback(runner: CliRunner, name: str) -> None:
    path = CORPUS / name
    result = runner.invoke(app, ["plan", "--surgery-date", "2026-12-01", "--rules", str(path)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    expected = YAML_OUTCOMES[name]
    if expected is not None:
        assert result.stderr == f"pumpcare: rule file {path} has 1 problem; fix it and try again:\n  - {expected}\n"
        check = runner.invoke(app, ["rules", "check", str(path)])
        assert check.stdout == f"{path}: {expected}\n{path}: 1 problem; fix it and check again.\n"
    else:
        lines = result.stderr.splitlines()
        assert lines[0].endswith("has 2004 problems; fix them and try again:")
        assert len(lines) == 1 + 50 + 1
        assert lines[-1] == "  - ... and 1,954 more like these"


# ── Special files: read only regular ones, never hang ───────────────────────────────────────────────────────

posix_only = pytest.mark.skipif(os.name == "nt", reason="POSIX special files")


@posix_only
@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: os.mkfifo(p), "it cannot be read (it is a FIFO, not a regular file); check the path"),
        (lambda p: p.symlink_to("/dev/zero"), "it cannot be read (it is a device, not a regular file); check the path"),
        (lambda p: p.mkdir(), "is a folder; give the path of a .yaml rule file"),
        (lambda p: (p.with_name("loop-b").symlink_to(p), p.symlink_to(p.with_name("loop-b"))),
         "it is a symbolic link loop; check the path"),
    ],
    ids=["fifo", "dev-zero", "folder", "symlink-loop"],
)  # fmt: skip
def test_a_rule_file_that_is_no_regular_file_is_refused_at_once(
    runner: CliRunner, tmp_path: Path, make: object, reason: str
) -> None:
    path = tmp_path / "rules.yaml"
    make(path)  # type: ignore[operator]
    for command in (["rules", "check", str(path)], ["plan", "--surgery-date", "2026-12-01", "--rules", str(path)]):
        result = runner.invoke(app, command)
        assert result.exit_code == 1, command
        assert reason in result.stdout + result.stderr


# ── Writing: only regular files are replaced; a link's target is ────────────────────────────────────────────


@posix_only
def test_a_device_or_dev_stdout_is_never_replaced() -> None:
    for target in ("/dev/null", "/dev/stdout"):
        # A real process with a pipe for stdout, as when a nurse pipes the output on; as root, too.
        result = subprocess.run(
            [sys.executable, "-m", "pumpcare", "plan", "--surgery-date", "2026-12-01", "--ics", target],
            capture_output=True,
            text=True,
            check=False,
        )
        assert (result.returncode, result.stderr) == (
            1,
            f"pumpcare: cannot write {target}: it is not a regular file (a device, a pipe or a terminal); "
            "give the path of a file, or '-' where an option takes it for the screen\n",
        )
    assert Path("/dev/null").is_char_device()


@posix_only
def test_a_symlinked_calendar_keeps_its_link_and_its_target_is_replaced(runner: CliRunner, tmp_path: Path) -> None:
    synced = tmp_path / "synced"
    synced.mkdir()
    target = synced / "recovery.ics"
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "recovery.ics"
    link.symlink_to(target)
    result = runner.invoke(app, ["plan", "--surgery-date", "2026-12-01", "--ics", str(link)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert target.read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert sorted(p.name for p in synced.iterdir()) == ["recovery.ics"]


@posix_only
def test_a_calendar_inside_a_folder_link_loop_names_the_loop(runner: CliRunner, tmp_path: Path) -> None:
    loop = tmp_path / "loop-a"
    (tmp_path / "loop-b").symlink_to(loop)
    loop.symlink_to(tmp_path / "loop-b")
    out = loop / "recovery.ics"
    result = runner.invoke(app, ["plan", "--surgery-date", "2026-12-01", "--ics", str(out)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"pumpcare: cannot write {out}: {loop} is a broken symbolic link or a link loop; check the path\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loop-a", "loop-b"]


def test_an_interrupted_write_leaves_the_old_file_and_no_temp_file(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calendar = tmp_path / "recovery.ics"
    calendar.write_text("old", encoding="utf-8")

    def interrupted(descriptor: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    result = runner.invoke(app, ["plan", "--surgery-date", "2026-12-01", "--ics", str(calendar)])
    assert result.exit_code != 0
    assert calendar.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["recovery.ics"]


@posix_only
def test_sigterm_during_a_write_leaves_no_temp_file(tmp_path: Path) -> None:
    script = (
        "import os, signal, sys\n"
        "def fsync(fd): os.kill(os.getpid(), signal.SIGTERM)\n"
        "os.fsync = fsync\n"
        f"sys.argv = ['pumpcare', 'plan', '--surgery-date', '2026-12-01', '--ics', {str(tmp_path / 'c.ics')!r}]\n"
        "from pumpcare.__main__ import main\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert result.returncode == 143
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


# ── Output that cannot be written, dates at the ends of the calendar ───────────────────────────────────────


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("extra", [[], ["--json"], ["--ics", "-"]])
def test_a_full_disk_on_stdout_is_one_line(extra: list[str]) -> None:
    with open("/dev/full", "w", encoding="utf-8") as full:  # noqa: PTH123
        result = subprocess.run(
            [sys.executable, "-m", "pumpcare", "plan", "--surgery-date", "2026-12-01", *extra],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    assert (result.returncode, result.stderr) == (
        1,
        "pumpcare: cannot write the output: no space left on device; check the disk or the pipe\n",
    )


def test_a_closed_pipe_is_quiet() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "pumpcare", "next", "--surgery-date", "2026-12-01", "--days", "3660", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.read(10)
    process.stdout.close()
    err = process.stderr.read()
    process.stderr.close()
    process.wait(timeout=60)
    assert process.returncode in (0, 1)
    assert b"Traceback" not in err
    assert b"Exception ignored" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["today", "--date", "9999-01-01"], "--date 9999-01-01 is out of range; give a date between 1900 and 2199"),
        (["today", "--date", "0001-01-01"], "--date 0001-01-01 is out of range; give a date between 1900 and 2199"),
        (["next", "--date", "9990-01-01", "--days", "3660"],
         "--date 9990-01-01 is out of range; give a date between 1900 and 2199"),
        (["plan", "--today", "9999-12-31"], "--today 9999-12-31 is out of range; give a date between 1900 and 2199"),
    ],
)  # fmt: skip
def test_days_at_the_ends_of_the_calendar_are_refused(runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(app, [*args, "--surgery-date", "2026-12-01"])
    assert (result.exit_code, result.stderr) == (1, f"pumpcare: {message}\n")


def test_long_durations_follow_the_documented_century(runner: CliRunner) -> None:
    ok = runner.invoke(app, ["plan", "--surgery-date", "2026-12-01", "--set", "no-driving=10000d", "--json"])
    assert ok.exit_code == 0, ok.output
    for value in ("36601d", "99999y", "9" * 5000 + "d"):
        refused = runner.invoke(app, ["plan", "--surgery-date", "2026-12-01", "--set", f"no-driving={value}"])
        assert refused.exit_code == 1
        assert refused.stderr.endswith("is longer than 100 years; check the number\n")
        assert len(refused.stderr) < 200  # the value is quoted as a short excerpt, never whole


# ── Locks that are no lock files, languages that are paths, catalogs that are gone, Ctrl-C and SIGTERM ─────

LOCK_SHAPES = {
    "folder": (lambda p: p.mkdir(), "is a folder, not a lock file"),
    "link": (lambda p: p.symlink_to(p.parent / "victim"), "is a symbolic link, not a lock file"),
    "dangling-link": (lambda p: p.symlink_to(p.parent / "nowhere"), "is a symbolic link, not a lock file"),
    "fifo": (lambda p: os.mkfifo(p), "is not a regular file (a device, a pipe or a socket), not a lock file"),
}


@posix_only
@pytest.mark.parametrize("shape", sorted(LOCK_SHAPES))
def test_a_record_lock_that_is_no_file_is_one_sentence(
    runner: CliRunner, config_dir: Path, tmp_path: Path, shape: str
) -> None:
    victim = config_dir / "victim"
    victim.write_text("precious", encoding="utf-8")
    lock = config_dir / ".plan.yaml.lock"
    make, reason = LOCK_SHAPES[shape]
    make(lock)
    result = runner.invoke(app, ["plan", "--surgery-date", "2026-12-01", "--save"])
    assert not (config_dir / "plan.yaml").exists()
    (config_dir / "plan.yaml").write_text("a record", encoding="utf-8")  # forget refuses before it reads one
    for command in (["plan", "--surgery-date", "2026-12-01", "--save"], ["forget", "--yes"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 1, command
        assert result.stderr == f"pumpcare: cannot lock the saved plan: {lock} {reason}; remove it and try again\n"
    assert victim.read_text(encoding="utf-8") == "precious"


@posix_only
@pytest.mark.parametrize("shape", sorted(LOCK_SHAPES))
def test_a_batch_lock_that_is_no_file_is_one_sentence(runner: CliRunner, tmp_path: Path, shape: str) -> None:
    source = tmp_path / "in.csv"
    source.write_text("label,surgery_date\nBed 1,2026-12-01\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "victim").write_text("precious", encoding="utf-8")
    (out / ".pumpcare-batch.json").write_text('{"complete": false, "files": []}', encoding="utf-8")
    lock = out / ".pumpcare-batch.lock"
    make, reason = LOCK_SHAPES[shape]
    make(lock)
    result = runner.invoke(app, ["batch", str(source), "--out-dir", str(out)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    # The victim makes the folder a stranger's, refused first; without it, the lock's own sentence.
    (out / "victim").unlink()
    result = runner.invoke(app, ["batch", str(source), "--out-dir", str(out)])
    assert (result.exit_code, result.stderr) == (
        1,
        f"pumpcare: cannot lock {out}: {lock} {reason}; remove it and try again\n",
    )


@pytest.mark.parametrize(
    ("where", "value"),
    [("--lang", "../fr"), ("--lang", "../../es"), ("--lang", "es/../es"), ("--lang", "/etc/passwd"),
     ("--lang", "es;rm"), ("--lang", "é"), ("--lang", "x" * 5000),
     ("PUMPCARE_LANG", "../../etc"), ("PUMPCARE_LANG", "./es"), ("PUMPCARE_LANG", "..")],
)  # fmt: skip
def test_a_language_that_is_a_path_is_refused_like_any_unknown_one(runner: CliRunner, where: str, value: str) -> None:
    args, env = (["--lang", value], {}) if where == "--lang" else ([], {"PUMPCARE_LANG": value})
    result = runner.invoke(app, ["plan", "--surgery-date", "2026-12-01", *args], env=env)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"pumpcare: {where} ")
    assert result.stderr.endswith(" is not a language pumpcare speaks; use en (English) and es (Spanish)\n")
    assert len(result.stderr) < 200


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        ("LC_MESSAGES/pumpcare.mo", lambda p: p.unlink()),
        ("LC_MESSAGES/pumpcare.mo", lambda p: (p.unlink(), p.mkdir())),
        ("LC_MESSAGES/pumpcare.mo", lambda p: p.write_bytes(b"not a catalog")),
        ("LC_MESSAGES/pumpcare.mo", lambda p: p.write_bytes(p.read_bytes()[:100])),
        ("cldr.json", lambda p: p.unlink()),
        ("cldr.json", lambda p: p.write_text("{", encoding="utf-8")),
        ("cldr.json", lambda p: p.write_text('{"months_wide": []}', encoding="utf-8")),
        (
            "cldr.json",
            lambda p: p.write_text(p.read_text(encoding="utf-8").replace('",', '", 7,', 1), encoding="utf-8"),
        ),
    ],
    ids=["mo-missing", "mo-folder", "mo-junk", "mo-cut", "cldr-missing", "cldr-junk", "cldr-empty", "cldr-short"],
)
def test_a_broken_spanish_catalog_falls_back_to_english_with_one_warning(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, damage: object
) -> None:
    import shutil

    import pumpcare.i18n as i18n

    locale = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, locale)
    damage(locale / "es" / name)  # type: ignore[operator]
    monkeypatch.setattr(i18n, "LOCALE_DIR", locale)
    monkeypatch.setattr(i18n, "_loaded", {"en": i18n._ENGLISH})
    english = runner.invoke(app, ["plan", "--surgery-date", "2026-12-01"], env={"COLUMNS": "100"})
    result = runner.invoke(app, ["plan", "--surgery-date", "2026-12-01", "--lang", "es"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    warning = result.stderr.splitlines()
    assert len(warning) == 1
    assert warning[0].startswith("pumpcare: warning: the Spanish translation cannot be read (")
    assert warning[0].endswith("); pumpcare speaks English instead; reinstall pumpcare to bring it back")
    assert result.stdout == english.stdout


@posix_only
@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
@pytest.mark.parametrize("moment", ["os.fsync", "os.replace"])
def test_ctrl_c_and_sigterm_end_in_pumpcares_own_sentence(tmp_path: Path, signum: int, code: int, moment: str) -> None:
    script = (
        "import os, signal, sys\n"
        f"real = {moment}\n"
        f"def stop(*args): os.kill(os.getpid(), {int(signum)}); return real(*args)\n"
        f"{moment} = stop\n"
        f"sys.argv = ['pumpcare', 'plan', '--surgery-date', '2026-12-01', '--ics', {str(tmp_path / 'c.ics')!r}]\n"
        "from pumpcare.__main__ import main\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert (result.returncode, result.stderr) == (code, "pumpcare: interrupted; nothing was half-written\n")
    assert list(tmp_path.iterdir()) in ([], [tmp_path / "c.ics"])


def test_forget_without_a_terminal_says_how_to_confirm(runner: CliRunner, config_dir: Path) -> None:
    runner.invoke(app, ["plan", "--surgery-date", "2026-12-01", "--save"])
    path = config_dir / "plan.yaml"
    for stdin in ("", "y\n"):
        result = runner.invoke(app, ["forget"], input=stdin)
        assert (result.exit_code, result.stderr) == (
            1,
            f"pumpcare: forget deletes the saved plan at {path} and there is no terminal to ask on; add --yes\n",
        )
    assert path.exists()
    assert runner.invoke(app, ["forget", "--yes"]).exit_code == 0
    assert not path.exists()


HUGE = "2026-" + "1" * 900_000  # a 900 KB date string, and as much for every other value below


@pytest.mark.parametrize(
    "args",
    [
        ["plan", "--surgery-date", HUGE],
        ["plan", "--surgery-date", "2026-12-01", "--follow-up", HUGE],
        ["plan", "--surgery-date", "2026-12-01", "--refill-every", "12w", "--first-refill", HUGE],
        ["today", "--surgery-date", "2026-12-01", "--date", HUGE],
        ["next", "--surgery-date", "2026-12-01", "--date", "x" * 900_000],
        ["plan", "--surgery-date", "2026-12-01", "--set", HUGE],
        ["plan", "--surgery-date", "2026-12-01", "--set", "no-driving=" + "9" * 900_000 + "d"],
        ["plan", "--surgery-date", "2026-12-01", "--drug", HUGE],
        ["plan", "--surgery-date", "2026-12-01", "--fill-volume", HUGE, "--concentration", "1 mg/mL",
         "--daily-dose", "1 mg/day", "--refill-every", "12w", "--first-refill", "2027-01-26"],
        ["plan", "--surgery-date", "2026-12-01", "--fill-volume", "9" * 900_000 + " mL", "--concentration",
         "1 mg/mL", "--daily-dose", "1 mg/day", "--refill-every", "12w", "--first-refill", "2027-01-26"],
        ["plan", "--surgery-date", "2026-12-01", "--patient-label", HUGE],
        ["plan", "--surgery-date", "2026-12-01", "--lang", HUGE],
        ["log", "refill", "--date", HUGE],
    ],
    ids=["surgery", "follow-up", "first-refill", "today", "next", "set", "set-number", "drug", "fill", "fill-number",
         "label", "lang", "log"],
)  # fmt: skip
def test_an_error_quotes_an_excerpt_of_a_huge_value_never_all_of_it(runner: CliRunner, args: list[str]) -> None:
    started = time.monotonic()
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert result.stderr.startswith("pumpcare: ")
    assert len(result.stderr) < 400, result.stderr[:400]
    assert time.monotonic() - started < 10
