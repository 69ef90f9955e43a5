"""The saved plan is the patient's record: concurrent saves lose nothing; a file it cannot trust is never replaced."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pumpcare.cli import app
from pumpcare.saved import parse_saved

RULES = [
    "no-bending", "no-twisting", "no-stretching", "no-lifting", "no-arms-overhead", "no-stomach-sleeping",
    "few-stairs", "no-long-sitting", "no-driving", "no-housework", "no-yard-work", "no-sex", "walk-short",
    "walk-further", "return-gradually",
]  # fmt: skip


def test_fifteen_saves_at_once_keep_all_fifteen_orders(runner: CliRunner, config_dir: Path) -> None:
    assert runner.invoke(app, ["plan", "--surgery-date", "2026-12-01", "--save"]).exit_code == 0
    env = {**os.environ, "PUMPCARE_CONFIG_DIR": str(config_dir)}
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "pumpcare", "plan", "--set", f"{rule}=9w", "--save", "--json"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for rule in RULES
    ]
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()
        assert b"Plan saved to" in err
    saved = parse_saved((config_dir / "plan.yaml").read_text(encoding="utf-8"), config_dir / "plan.yaml")
    assert sorted(saved.inputs.orders) == sorted(f"{rule}=9w" for rule in RULES)
    assert sorted(p.name for p in config_dir.iterdir()) == [".plan.yaml.lock", "plan.yaml"]


def test_a_record_held_by_another_pumpcare_is_waited_for_then_refused(
    runner: CliRunner, config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from filelock import FileLock

    from pumpcare import store

    runner.invoke(app, ["plan", "--surgery-date", "2026-12-01", "--save"])
    before = (config_dir / "plan.yaml").read_bytes()
    monkeypatch.setattr(store, "LOCK_SECONDS", 0.2)
    with FileLock(str(config_dir / ".plan.yaml.lock")):
        # Held here, so the pumpcare started below must wait for it, and give up after LOCK_SECONDS.
        result = subprocess.run(
            [sys.executable, "-c", _HOLDING_SAVE],
            env={**os.environ, "PUMPCARE_CONFIG_DIR": str(config_dir)},
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
    assert result.returncode == 1
    assert result.stderr == (
        f"pumpcare: another pumpcare has been changing the saved plan at {config_dir / 'plan.yaml'} for 0.2 "
        "seconds; try again when it has finished\n"
    )
    assert (config_dir / "plan.yaml").read_bytes() == before


_HOLDING_SAVE = """
import sys
from pumpcare import store
store.LOCK_SECONDS = 0.2
from pumpcare.__main__ import main
sys.argv = ["pumpcare", "log", "refill", "--date", "2026-01-02"]
main()
"""


@pytest.mark.skipif(os.name == "nt", reason="POSIX special files")
@pytest.mark.parametrize("kind", ["fifo", "device", "folder", "too-large"])
def test_a_saved_plan_that_is_no_regular_file_is_refused_without_hanging(
    runner: CliRunner, config_dir: Path, kind: str
) -> None:
    path = config_dir / "plan.yaml"
    if kind == "fifo":
        os.mkfifo(path)
        reason = "it is a FIFO, not a regular file"
    elif kind == "device":
        path.symlink_to("/dev/zero")
        reason = "it is a device, not a regular file"
    elif kind == "folder":
        path.mkdir()
        reason = "it is a folder"
    else:
        path.write_bytes(b"# " + b"x" * 1_000_000)
        reason = "it is larger than 1,000,000 bytes"
    fix = f"fix it, or delete it with `pumpcare forget` (the file: {path})"
    for command in (["today"], ["plan", "--set", "no-driving=3w", "--save"], ["log", "undo"]):
        result = runner.invoke(app, command)
        assert (result.exit_code, result.stderr) == (
            1,
            f"pumpcare: the saved plan cannot be read ({reason}); {fix}\n",
        ), command
    assert path.is_fifo() if kind == "fifo" else True
    assert path.is_symlink() if kind == "device" else True


@pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")
def test_the_record_is_private_and_a_mode_000_record_is_not_left_unreadable(
    runner: CliRunner, config_dir: Path
) -> None:
    runner.invoke(app, ["plan", "--surgery-date", "2026-12-01", "--save"])
    path = config_dir / "plan.yaml"
    assert path.stat().st_mode & 0o777 == 0o600
    path.chmod(0o000)
    result = runner.invoke(app, ["plan", "--set", "no-driving=3w", "--save"])
    if os.geteuid() != 0:
        # Another user cannot read it: refused, and left as it is.
        assert result.exit_code == 1
        assert "the saved plan cannot be read (permission denied)" in result.stderr
        assert path.stat().st_mode & 0o777 == 0
    else:
        # Root reads it anyway; what it writes back is readable by its owner again.
        assert result.exit_code == 0, result.output
        assert path.stat().st_mode & 0o777 == 0o600
        assert runner.invoke(app, ["today", "--date", "2026-12-20"]).exit_code == 0


def test_a_broken_record_is_kept_even_with_a_new_surgery_date_and_yes(runner: CliRunner, config_dir: Path) -> None:
    path = config_dir / "plan.yaml"
    path.write_text("format: 2\nsurgery_date: '2026-12-01'\n", encoding="utf-8")
    result = runner.invoke(app, ["plan", "--surgery-date", "2027-01-10", "--save", "--yes"])
    assert result.exit_code == 1
    assert result.stderr.startswith("pumpcare: the saved plan is missing follow_up")
    assert path.read_text(encoding="utf-8") == "format: 2\nsurgery_date: '2026-12-01'\n"


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b]\n"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (BOMB, "the saved plan uses a YAML alias (*name), which pumpcare never writes"),
        ("[" * 990 + "]" * 990, "the saved plan nests lists or mappings more than 50 deep"),
        ("[" * 52 + "]" * 52, "the saved plan nests lists or mappings more than 50 deep"),
        # Too large in values, not in depth: the message names the real limit.
        (
            "history:\n" + "- [1, 2, 3, 4, 5, 6, 7, 8, 9]\n" * 10_100,
            "the saved plan holds more than 100,000 values; a plan keeps at most 2,000 logged events",
        ),
        (
            "[" + "1," * 100_001 + "1]",
            "the saved plan holds more than 100,000 values; a plan keeps at most 2,000 logged events",
        ),
        (b"\xff\xfe\x00".decode("latin-1"), "the saved plan is not valid YAML"),
    ],
    ids=["alias-bomb", "deep", "52-deep", "many-entries", "many-values", "junk"],
)
def test_a_hostile_record_is_refused_in_one_sentence(
    runner: CliRunner, config_dir: Path, text: str, problem: str
) -> None:
    path = config_dir / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["today"])
    fix = f"fix it in a text editor, or delete it with `pumpcare forget` (the file: {path})"
    assert (result.exit_code, result.stderr) == (1, f"pumpcare: {problem}; {fix}\n")
    assert path.read_text(encoding="utf-8") == text


def test_a_broken_record_does_not_stop_a_plan_given_in_full(runner: CliRunner, config_dir: Path) -> None:
    path = config_dir / "plan.yaml"
    path.write_text("surgery_date: [", encoding="utf-8")
    result = runner.invoke(app, ["plan", "--surgery-date", "2026-12-01", "--json"])
    assert result.exit_code == 0
    assert result.stderr == (
        "pumpcare: warning: the saved plan is not valid YAML; fix it in a text editor, or delete it with "
        f"`pumpcare forget` (the file: {path}). This plan is made from the options alone\n"
    )
    # Saving over it is still refused: the record is never replaced while it cannot be read.
    refused = runner.invoke(app, ["plan", "--surgery-date", "2026-12-01", "--save"])
    assert refused.exit_code == 1
    assert path.read_text(encoding="utf-8") == "surgery_date: ["
