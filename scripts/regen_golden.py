"""Regenerate the golden files in tests/golden from the current code; then read `git diff tests/golden`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    env = {**os.environ, "PUMPCARE_REGEN_GOLDEN": "1"}
    command = [sys.executable, "-m", "pytest", "-q", str(ROOT / "tests" / "test_golden.py")]
    sys.exit(subprocess.run(command, env=env, check=False).returncode)
