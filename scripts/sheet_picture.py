"""Regenerate docs/sheet.png, the README's picture of the discharge sheet, from the PDF pumpcare writes.

The sheet is made by the command the README prints under the picture, run in a folder holding the clinic's
profile the README shows (PROFILE, as clinic.yaml): what a reader runs is what made the picture.

Needs poppler's pdftoppm (Debian: `apt-get install poppler-utils`); a development tool, not part of pumpcare.
"""

from __future__ import annotations

import shlex
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


def readme_command() -> str:
    """The command in the first fenced block after the README's picture of the sheet."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    after = text[text.index("](docs/sheet.png)") :]
    return after.split("```")[1].strip()


def main() -> int:
    if shutil.which("pdftoppm") is None:
        print("sheet_picture: needs pdftoppm (apt-get install poppler-utils)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "clinic.yaml").write_text(PROFILE, encoding="utf-8")
        words = shlex.split(readme_command())
        if words[:2] != ["pumpcare", "handout"] or "--out" not in words:
            print("sheet_picture: the README's command under the picture is not `pumpcare handout ... --out FILE`")
            return 2
        sheet = work / words[words.index("--out") + 1]
        subprocess.run([sys.executable, "-m", "pumpcare", *words[1:]], check=True, cwd=work)
        subprocess.run(["pdftoppm", "-r", "72", "-png", "-singlefile", str(sheet), str(work / "sheet")], check=True)
        (ROOT / "docs").mkdir(exist_ok=True)
        shutil.copyfile(work / "sheet.png", ROOT / "docs" / "sheet.png")
    print(f"wrote {ROOT / 'docs' / 'sheet.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
