"""Every hostile input of the corpus ends within 10 s and 150 MiB, in a process of its own, measured by the OS.

The peak is the process's own high-water mark (VmHWM): getrusage's maxrss would also count the test runner's
memory that the child had for a moment between fork and exec.
"""

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
    *((f"rules:{p.name}", ["rules", "check", str(p)]) for p in sorted((HOSTILE / "yaml").glob("*.yaml"))),
    *((f"clinic:{p.name}", ["clinic", "check", str(p)]) for p in sorted((HOSTILE / "yaml").glob("*.yaml"))),
    *((f"record:{p.name}", ["today"], p) for p in sorted((HOSTILE / "yaml").glob("*.yaml"))),
    *(
        (f"plan:{p.name}", ["plan", "--surgery-date", "2026-12-01", "--rules", str(p), "--ics", "-"])
        for p in sorted((HOSTILE / "rules-content").glob("*.yaml"))
    ),
    *(
        (f"batch:{p.name}", ["batch", str(p), "--out-dir", "{out}", "--html"])
        for p in sorted((HOSTILE / "csv").glob("*.csv"))
    ),
]


# The child writes its own /proc/self/status on its way out; pumpcare's main ends in sys.exit, so atexit runs.
CHILD = (
    "import atexit, runpy, sys; out = sys.argv[1]; "
    "atexit.register(lambda: open(out, 'w').write(open('/proc/self/status').read())); "
    "sys.argv = ['pumpcare', *sys.argv[2:]]; runpy.run_module('pumpcare', run_name='__main__', alter_sys=True)"
)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="no /proc/self/status to read a peak from")
@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_a_hostile_input_ends_within_the_bounds(case: tuple[object, ...], tmp_path: Path) -> None:
    args = [str(arg).replace("{out}", str(tmp_path / "out")) for arg in case[1]]  # type: ignore[attr-defined]
    config = tmp_path / "config"
    config.mkdir()
    if len(case) == 3:  # the file stands in for the patient's saved record
        (config / "plan.yaml").write_bytes(Path(str(case[2])).read_bytes())
    env = {**os.environ, "PUMPCARE_CONFIG_DIR": str(config), "COLUMNS": "80"}
    started = time.monotonic()
    peak_file = tmp_path / "status"
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(peak_file), *args], capture_output=True, env=env, timeout=60, check=False
    )
    seconds = time.monotonic() - started
    stderr = done.stderr
    peak_kib = next(line for line in peak_file.read_text().splitlines() if line.startswith("VmHWM:")).split()[1]
    peak_mib = int(peak_kib) / 1024
    assert done.returncode in (0, 1), stderr
    assert b"Traceback" not in stderr
    assert seconds < MAX_SECONDS, seconds
    assert peak_mib < MAX_MIB, peak_mib
