"""Every hostile input of the corpus ends within 10 s and 150 MiB, in a process of its own, measured by the OS."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

HOSTILE = Path(__file__).resolve().parent / "hostile"
MAX_SECONDS = 10
MAX_MIB = 150
# The yaml files go in as a rule file, a clinic profile and a saved record; the rule contents as a rule file
# (and a plan from it); the CSV files as a batch.
CASES = [
    *((f"rules:{p.name}", ["rules", "check", str(p)]) for p in sorted((HOSTILE / "yaml").iterdir())),
    *((f"clinic:{p.name}", ["clinic", "check", str(p)]) for p in sorted((HOSTILE / "yaml").iterdir())),
    *((f"record:{p.name}", ["today"], p) for p in sorted((HOSTILE / "yaml").iterdir())),
    *(
        (f"plan:{p.name}", ["plan", "--surgery-date", "2026-12-01", "--rules", str(p), "--ics", "-"])
        for p in sorted((HOSTILE / "rules-content").iterdir())
    ),
    *(
        (f"batch:{p.name}", ["batch", str(p), "--out-dir", "{out}", "--html"])
        for p in sorted((HOSTILE / "csv").iterdir())
    ),
]


@pytest.mark.skipif(not hasattr(os, "wait4"), reason="the OS does not report a child's peak memory (os.wait4)")
@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_a_hostile_input_ends_within_the_bounds(case: tuple[object, ...], tmp_path: Path) -> None:
    args = [str(arg).replace("{out}", str(tmp_path / "out")) for arg in case[1]]  # type: ignore[attr-defined]
    config = tmp_path / "config"
    config.mkdir()
    if len(case) == 3:  # the file stands in for the patient's saved record
        (config / "plan.yaml").write_bytes(Path(str(case[2])).read_bytes())
    env = {**os.environ, "PUMPCARE_CONFIG_DIR": str(config), "COLUMNS": "80"}
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "pumpcare", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
    )
    assert process.stderr is not None
    stderr = process.stderr.read()
    process.stderr.close()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, for its peak memory: tell Popen so
    seconds = time.monotonic() - started
    peak_mib = usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / 2**20
    assert process.returncode in (0, 1), stderr
    assert b"Traceback" not in stderr
    assert seconds < MAX_SECONDS, seconds
    assert peak_mib < MAX_MIB, peak_mib
