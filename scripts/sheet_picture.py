"""Regenerate docs/sheet.png, the README's picture of the discharge sheet, from the PDF pumpcare writes.

Needs poppler's pdftoppm (Debian: `apt-get install poppler-utils`); a development tool, not part of pumpcare.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROFILE = """\
clinic: Riverside Pain Clinic
phones:
  - label: Pump clinic
    number: 555-0100
  - label: After hours
    number: 555-0199
"""


def main() -> int:
    if shutil.which("pdftoppm") is None:
        print("sheet_picture: needs pdftoppm (apt-get install poppler-utils)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "clinic.yaml").write_text(PROFILE, encoding="utf-8")
        sheet = work / "sheet.pdf"
        args = [
            "handout", "--surgery-date", "2026-12-01", "--follow-up", "2027-01-05", "--refill-every", "12w",
            "--first-refill", "2027-01-26", "--patient-label", "Bed 4", "--date", "2026-12-03",
            "--clinic", str(work / "clinic.yaml"), "--out", str(sheet),
        ]  # fmt: skip
        subprocess.run([sys.executable, "-m", "pumpcare", *args], check=True, cwd=work)
        subprocess.run(["pdftoppm", "-r", "72", "-png", "-singlefile", str(sheet), str(work / "sheet")], check=True)
        (ROOT / "docs").mkdir(exist_ok=True)
        shutil.copyfile(work / "sheet.png", ROOT / "docs" / "sheet.png")
    print(f"wrote {ROOT / 'docs' / 'sheet.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
