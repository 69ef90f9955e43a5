"""The HTML sheet is the one for screen readers: axe-core finds nothing to fix in it, in a real browser engine.

axe-core (Deque's accessibility engine, the one browsers' developer tools use) runs inside headless Chromium on a
copy of the sheet, with WCAG 2.0 and 2.1 levels A and AA and axe's best practices (landmarks, heading order).
Skipped, with the reason, where Chromium or axe-core is not installed (`apt-get install chromium`,
`npm install -g axe-core`): pumpcare does not depend on either.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pumpcare.cli import app

BROWSER = next(
    (shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome") if shutil.which(name)), None
)
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
STANDARD = [
    "--surgery-date", "2026-12-01", "--follow-up", "2027-01-05",
    "--refill-every", "12w", "--first-refill", "2027-01-26",
]  # fmt: skip
# Run in the page once axe is loaded; the results go into the page, base64 so no markup can garble them, and the
# browser's --dump-dom hands them back. An error inside axe comes back as the error's text.
RUN = """
axe.run(document, {runOnly: {type: "tag", values: %s}, resultTypes: ["violations"]})
  .then(function (results) {
    return {violations: results.violations.map(function (rule) {
      return {id: rule.id, help: rule.help, nodes: rule.nodes.map(function (node) {
        return {target: node.target, html: node.html, summary: node.failureSummary};
      })};
    })};
  }, function (error) { return {error: String(error)}; })
  .then(function (found) {
    var out = document.createElement("pre");
    out.id = "axe-results";
    out.textContent = btoa(unescape(encodeURIComponent(JSON.stringify(found))));
    document.body.appendChild(out);
  });
"""


def find_axe() -> Path | None:
    """axe.min.js where Debian's npm installs global packages, or wherever `npm root -g` says they are."""
    roots = [Path("/usr/lib/node_modules"), Path("/usr/local/lib/node_modules")]
    npm = shutil.which("npm")
    if npm is not None:
        try:
            done = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, timeout=30, check=False)
        except (OSError, subprocess.TimeoutExpired):
            done = None
        if done is not None and done.returncode == 0 and done.stdout.strip():
            roots.append(Path(done.stdout.strip()))
    return next(
        (root / "axe-core" / "axe.min.js" for root in roots if (root / "axe-core" / "axe.min.js").is_file()), None
    )


AXE = find_axe()
pytestmark = [
    pytest.mark.skipif(BROWSER is None, reason="no Chromium on this machine (apt-get install chromium)"),
    pytest.mark.skipif(AXE is None, reason="no axe-core on this machine (npm install -g axe-core)"),
]


def axe_violations(html: Path, tmp_path: Path) -> list[dict[str, Any]]:
    """What axe-core finds in the page, run in headless Chromium on a copy beside axe's script."""
    assert BROWSER is not None
    assert AXE is not None
    folder = tmp_path / "axe"
    folder.mkdir()
    shutil.copyfile(AXE, folder / "axe.min.js")
    (folder / "run.js").write_text(RUN % json.dumps(TAGS), encoding="utf-8")
    page = html.read_text(encoding="utf-8")
    assert page.count("</body>") == 1
    scripts = '<script src="axe.min.js"></script><script src="run.js"></script>'
    (folder / "sheet.html").write_text(page.replace("</body>", scripts + "</body>"), encoding="utf-8")
    command = [
        BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
        "--allow-file-access-from-files", "--virtual-time-budget=30000", "--dump-dom", (folder / "sheet.html").as_uri(),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True, encoding="utf-8")
    found = re.search(r'<pre id="axe-results">([A-Za-z0-9+/=]*)</pre>', done.stdout)
    assert found is not None, f"axe wrote no results; the browser said: {done.stderr[-2000:]}"
    results: dict[str, Any] = json.loads(base64.b64decode(found.group(1)))
    assert "error" not in results, results
    violations: list[dict[str, Any]] = results["violations"]
    return violations


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("size", ["normal", "large"])
@pytest.mark.parametrize("day", ["2026-11-25", "2026-12-03"], ids=["before-surgery", "at-discharge"])
def test_axe_finds_no_violation_in_the_html_sheet(tmp_path: Path, lang: str, size: str, day: str) -> None:
    html = tmp_path / "sheet.html"
    extra = ["--large-print"] if size == "large" else []
    args = ["handout", *STANDARD, "--date", day, "--lang", lang, "--patient-label", "Bed 4", *extra]
    result = CliRunner().invoke(app, [*args, "--out", str(html)])
    assert result.exit_code == 0, result.output
    assert axe_violations(html, tmp_path) == []


def test_axe_finds_what_is_wrong_in_a_broken_copy(tmp_path: Path) -> None:
    # The check can fail: a sheet without its language and with a heading level skipped is caught.
    html = tmp_path / "sheet.html"
    result = CliRunner().invoke(app, ["handout", *STANDARD, "--date", "2026-12-03", "--out", str(html)])
    assert result.exit_code == 0, result.output
    page = html.read_text(encoding="utf-8")
    broken = re.sub(r'<html lang="[^"]*">', "<html>", page).replace("<h2>", "<h4>").replace("</h2>", "</h4>")
    html.write_text(broken, encoding="utf-8")
    assert {rule["id"] for rule in axe_violations(html, tmp_path)} >= {"html-has-lang", "heading-order"}
