"""The Python API: the README's example runs and prints what the README says; every name is documented."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from pathlib import Path

import pumpcare

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## Python API", 1)[1].split("\n## ", 1)[0]


def test_the_readme_example_runs_and_prints_what_it_says() -> None:
    code = re.search(r"```python\n(.*?)```", SECTION, re.DOTALL)
    printed = re.search(r"```text\n(.*?)```", SECTION, re.DOTALL)
    assert code is not None
    assert printed is not None
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code.group(1), "README.md", "exec"), {})
    assert out.getvalue() == printed.group(1)


def test_every_public_name_is_documented_and_importable() -> None:
    assert sorted(pumpcare.__all__) == sorted(["__version__", *pumpcare._API])
    for name in pumpcare.__all__:
        assert getattr(pumpcare, name) is not None
        if name != "__version__":
            assert f"`{name}" in SECTION, name


def test_a_submodule_import_does_not_shadow_an_api_name() -> None:
    import pumpcare.render_ics

    assert callable(pumpcare.calendar_ics)
    assert pumpcare.render_ics.render_ics is pumpcare.calendar_ics


def test_import_pumpcare_loads_none_of_the_heavy_libraries() -> None:
    code = "import sys, pumpcare; print(sorted(m for m in ('yaml', 'ics', 'reportlab', 'rich') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout == "[]\n"


def test_the_readme_example_passes_mypy_strict(tmp_path: Path) -> None:
    from mypy import api

    code = re.search(r"```python\n(.*?)```", SECTION, re.DOTALL)
    assert code is not None
    example = tmp_path / "example.py"
    example.write_text(code.group(1), encoding="utf-8")
    report, errors, status = api.run(["--strict", "--no-incremental", "--python-version", "3.10", str(example)])
    assert status == 0, report + errors


def test_the_type_checkers_view_of_the_api_is_the_api() -> None:
    """The names `if TYPE_CHECKING:` imports in __init__ are exactly the lazily loaded ones."""
    source = (Path(pumpcare.__file__).parent / "__init__.py").read_text(encoding="utf-8")
    block = source.split("if TYPE_CHECKING:", 1)[1].split("\n\n", 1)[0]
    imported = set(re.findall(r"import (?:\w+ as )?(\w+)", block)) | set(re.findall(r", (\w+)", block))
    assert imported == set(pumpcare._API)
