"""Start-up benchmark for the pumpcare command line: times whole processes, as a user waits for them.

Run it from any directory, with the Python whose environment you want to measure:

    python scripts/bench.py                 # 15 timed runs of every case
    python scripts/bench.py --runs 30       # more runs, steadier numbers
    python scripts/bench.py --check         # also fail (exit 1) on a regression; see below
    python scripts/bench.py --importtime    # also list the modules each case imports above its floor

It is not a test: it only reads the clock. It uses the interpreter it runs under (sys.executable) and
calls pumpcare through the console script next to it when there is one (run as `sys.executable SCRIPT`,
which is what the installed `pumpcare` command does), else through `python -m pumpcare`; the first
lines of the output say which. Every process runs in an empty temporary directory with stdin from
/dev/null and stdout discarded (not a terminal, so rich prints plain text).

What the numbers mean, per case, all in milliseconds of wall-clock time for one whole process:

- case: the pumpcare command line, from fork to exit.
- floor: `python -c "import ..."` importing only the third-party modules pumpcare's code imports
  for that command (listed under the table): the interpreter plus our libraries, the part no change
  inside pumpcare's own modules can remove.
- overhead: median(case) - median(floor): everything else, i.e. pumpcare's own modules and work,
  plus what the libraries do at run time beyond being imported (typer building the command and
  parsing options, rich measuring text, ics serializing). Above the limit (--limit, 20 ms by
  default) the row is flagged SLOW.
- med and min: median and fastest of the timed runs. The median is the figure to compare; min
  shows the best the machine can do.

Each case and its floor are run once to warm the file cache (and checked to succeed), then timed
--runs times, case and floor alternating (and swapping which goes first every round), so that drift
in the machine's speed hits both alike.

--check also runs every case (all of them, whatever --case says) and its floor once under
`python -X importtime`, and fails when a case imports a module it must not (above all:
`pumpcare --help` must not import `ics`) or when a floor no longer matches the code: it imports
a module the case does not, or the case imports a third-party package the floor lacks. It fails
as well when any overhead is above the limit. Exit codes: 0 fine, 1 a check failed, 2 the
benchmark itself could not run.

Note: with PYTHONDONTWRITEBYTECODE set and no cached bytecode for pumpcare (an editable install),
every run compiles pumpcare's sources again, a cost users of an installed wheel do not pay. The
header says so when it happens; --bytecode-cache gives every process a private bytecode cache
(PYTHONPYCACHEPREFIX) filled during the warm-up, so both case and floor run from cached bytecode.

After the start-up table comes the batch section (issue 12; `--batch ROWS`, 0 skips it), measured side by side
in the same run on generated rows: a yaml2ics process per calendar (each with the events of a pumpcare plan;
yaml2ics needs ics 0.8, so install it in a venv of its own and give --yaml2ics PATH, or it is skipped), the
atomic-write floor (the same files' bytes written with write_atomically alone, an fsync each), HTML and PDF
batches with --jobs 1 and with every core, and the PDF batch on 5 x ROWS. Time is wall-clock for the whole
`pumpcare batch` process; peak memory is that of its largest process (ru_maxrss) and, where /proc exists,
of all its processes at once (sampled every 20 ms). Each target is printed with its ratio and "met" or
"NOT MET"; --check fails on a target not met. The load average before the section is printed too: the
figures are only as steady as the machine.

To add a command, add a Case to CASES: its arguments, the third-party modules it really imports
(check with --importtime or `python -X importtime`), and the modules it must never import.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

TMP = "{tmp}"  # replaced in a case's arguments by the temporary directory the processes run in


@dataclass(frozen=True)
class Case:
    """One pumpcare command line to time, and what it may and may not import."""

    name: str
    args: tuple[str, ...]
    floor: tuple[str, ...]  # third-party modules this command needs: the `python -c "import ..."` floor
    must_not_import: tuple[str, ...] = ()  # top-level modules; checked by --check
    writes: str | None = None  # a file the command must create, relative to the temporary directory
    prepare: tuple[str, ...] = ()  # pumpcare arguments run once before the warm-up, such as saving a plan


TYPER = ("typer",)
RULES = ("yaml", "dateutil.relativedelta")  # reading the rule file, and date arithmetic
TERMINAL = ("rich.console", "rich.text")  # the timeline (laid out by hand: no rich.table since 33bf59c)
CALENDAR = ("ics",)  # `import ics` brings ics.utils and ics.grammar.parse that render_ics uses
# Finding the saved plan in the user's config folder: every plan looks, since a record for the same surgery
# date fills in what the options leave out (its history, its refills).
CONFIG = ("platformdirs",)
# Another language: its catalog (stdlib gettext) and its CLDR names (json); English reads neither, and no
# language imports Babel, which only made those files.
SPANISH = ("gettext", "json")
SAVE = ("plan", "--surgery-date", "2026-12-01", "--follow-up", "2027-01-05", "--save", "--json")

CASES: tuple[Case, ...] = (
    Case("help", ("--help",), TYPER, must_not_import=("ics", "rich", "yaml", "babel")),
    # The everyday command: the saved plan (in XDG_CONFIG_HOME, set to the temporary directory) read back.
    Case(
        "today",
        ("today", "--date", "2026-12-20"),
        TYPER + TERMINAL + RULES + CONFIG,
        must_not_import=("ics", "babel"),
        prepare=SAVE,
    ),
    Case(
        "plan",
        ("plan", "--surgery-date", "2026-12-01", "--today", "2026-11-24"),
        TYPER + TERMINAL + RULES + CONFIG,
        must_not_import=("ics", "babel"),
    ),
    Case(
        "today --lang es",
        ("today", "--date", "2026-12-20", "--lang", "es"),
        TYPER + TERMINAL + RULES + CONFIG + SPANISH,
        must_not_import=("ics", "babel"),
        prepare=SAVE,
    ),
    Case(
        "plan --lang es",
        ("plan", "--surgery-date", "2026-12-01", "--today", "2026-11-24", "--lang", "es"),
        TYPER + TERMINAL + RULES + CONFIG + SPANISH,
        must_not_import=("ics", "babel"),
    ),
    Case(
        "plan --json",
        ("plan", "--surgery-date", "2026-12-01", "--json"),
        TYPER + RULES + CONFIG,
        must_not_import=("ics", "rich"),
    ),
    Case(
        "plan --ics -",
        ("plan", "--surgery-date", "2026-12-01", "--ics", "-"),
        TYPER + RULES + CALENDAR + CONFIG,
        must_not_import=("rich",),
    ),
    Case(
        "plan --ics FILE",
        ("plan", "--surgery-date", "2026-12-01", "--ics", f"{TMP}/plan.ics"),
        TYPER + RULES + CALENDAR + CONFIG,
        writes="plan.ics",
    ),
    # The CarePlan is plain json: no calendar, PDF or terminal library, and no FHIR library either.
    Case(
        "plan --fhir FILE",
        ("plan", "--surgery-date", "2026-12-01", "--fhir", f"{TMP}/plan.fhir.json"),
        TYPER + RULES + CONFIG,
        must_not_import=("ics", "rich", "reportlab", "pydantic", "fhir"),
        writes="plan.fhir.json",
    ),
)

_IMPORTTIME_LINE = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|( *)(\S+)\s*$")


class BenchError(Exception):
    """A process the benchmark runs failed; the benchmark cannot go on."""


@dataclass(frozen=True)
class Setup:
    """How processes are started: the pumpcare prefix, its description, the environment and folder."""

    pumpcare: tuple[str, ...]
    how: str
    env: dict[str, str]
    workdir: Path
    floor_gc: bool = False

    def case_command(self, case: Case, *python_options: str) -> list[str]:
        args = [arg.replace(TMP, str(self.workdir)) for arg in case.args]
        return [self.pumpcare[0], *python_options, *self.pumpcare[1:], *args]

    def floor_command(self, case: Case, *python_options: str) -> list[str]:
        # pumpcare's entry point turns the garbage collector off before importing anything and freezes what it
        # made before exiting; by default the floor does the same, so the overhead compares like with like
        # (--floor-gc on for a plain import).
        code = "import " + ", ".join(case.floor)
        if not self.floor_gc:
            code = f"import gc; gc.disable(); {code}; gc.freeze()"
        return [sys.executable, *python_options, "-c", code]


@dataclass(frozen=True)
class Result:
    """Timed runs of one case and its floor, in milliseconds."""

    case: Case
    case_ms: list[float]
    floor_ms: list[float]

    @property
    def overhead(self) -> float:
        return statistics.median(self.case_ms) - statistics.median(self.floor_ms)


def find_pumpcare(via: str) -> tuple[tuple[str, ...], str]:
    """The command prefix that starts pumpcare, and a sentence saying what it is."""
    module = (sys.executable, "-m", "pumpcare")
    if via == "module":
        return module, f"python -m pumpcare ({sys.executable} -m pumpcare), as asked by --via module"
    folder = Path(sys.executable).parent
    for script in (folder / "pumpcare", folder / "pumpcare-script.py"):
        if script.is_file():
            return (sys.executable, str(script)), f"the console script {script}, run as `{sys.executable} {script}`"
    exe = folder / "pumpcare.exe"
    if exe.is_file():  # Windows: a launcher, not a Python file; it starts the interpreter it was built for.
        return (str(exe),), f"the console script launcher {exe}, run directly"
    if via == "script":
        raise BenchError(f"--via script: no pumpcare console script next to {sys.executable}")
    return module, f"python -m pumpcare ({sys.executable} -m pumpcare): no console script next to the interpreter"


def bytecode_note(env: dict[str, str]) -> str | None:
    """A warning when pumpcare processes will compile some of pumpcare's sources again on every run."""
    if not env.get("PYTHONDONTWRITEBYTECODE") or env.get("PYTHONPYCACHEPREFIX"):
        return None
    spec = importlib.util.find_spec("pumpcare")  # finds the package without running it
    if spec is None or spec.origin is None:
        return None
    sources = sorted(Path(spec.origin).parent.glob("*.py"))
    stale = []
    for source in sources:
        cached = Path(importlib.util.cache_from_source(str(source)))
        if not cached.is_file() or cached.stat().st_mtime < source.stat().st_mtime:
            stale.append(source.stem)
    if not stale:
        return None
    return (
        f"PYTHONDONTWRITEBYTECODE is set and {len(stale)} of pumpcare's {len(sources)} modules have no up-to-date\n"
        f"         cached bytecode ({', '.join(stale)}), so every run compiles them again (an installed\n"
        "         wheel does not); --bytecode-cache measures with cached bytecode."
    )


def run(command: Sequence[str], setup: Setup, *, keep_stdout: bool = False) -> tuple[float, str, str]:
    """Run one process to its end: milliseconds taken, stdout (when kept) and stderr; BenchError if it fails."""
    start = time.perf_counter()
    done = subprocess.run(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE if keep_stdout else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=setup.env,
        cwd=setup.workdir,
        check=False,
    )
    elapsed = (time.perf_counter() - start) * 1000
    stdout = done.stdout.decode(errors="replace") if keep_stdout else ""
    stderr = done.stderr.decode(errors="replace")
    if done.returncode != 0:
        shown = " ".join(command)
        raise BenchError(f"exit code {done.returncode} from: {shown}\n{stderr.rstrip()}")
    return elapsed, stdout, stderr


def warm_up(case: Case, setup: Setup) -> None:
    """Run a case and its floor once, untimed, and check the case did its job."""
    target = setup.workdir / case.writes if case.writes else None
    if target is not None:
        target.unlink(missing_ok=True)
    if case.prepare:
        run([*setup.pumpcare, *case.prepare], setup)
    _, stdout, _ = run(setup.case_command(case), setup, keep_stdout=True)
    if target is None and not stdout.strip():
        raise BenchError(f"case {case.name!r} printed nothing: {' '.join(setup.case_command(case))}")
    if target is not None and not (target.is_file() and target.stat().st_size > 0):
        raise BenchError(f"case {case.name!r} did not write {target}")
    try:
        run(setup.floor_command(case), setup)
    except BenchError as err:
        raise BenchError(f"the floor of case {case.name!r} does not import; fix CASES in {__file__}\n{err}") from None


def measure(cases: Sequence[Case], setup: Setup, runs: int) -> list[Result]:
    """Warm up, then time every case and its floor `runs` times, interleaved."""
    for case in cases:
        warm_up(case, setup)
    timings: dict[str, tuple[list[float], list[float]]] = {case.name: ([], []) for case in cases}
    for round_ in range(runs):
        for case in cases:
            case_ms, floor_ms = timings[case.name]
            pair = [(setup.case_command(case), case_ms), (setup.floor_command(case), floor_ms)]
            if round_ % 2:
                pair.reverse()
            for command, into in pair:
                into.append(run(command, setup)[0])
    return [Result(case, *timings[case.name]) for case in cases]


def table(results: Sequence[Result], limit: float) -> str:
    """The plain-text results table, with each case's command and floor below it."""
    header = ("case", "case med", "case min", "floor med", "floor min", "overhead", "")
    rows = [header]
    for result in results:
        flag = f"SLOW (> {limit:g} ms)" if result.overhead > limit else "ok"
        rows.append(
            (
                result.case.name,
                f"{statistics.median(result.case_ms):.1f}",
                f"{min(result.case_ms):.1f}",
                f"{statistics.median(result.floor_ms):.1f}",
                f"{min(result.floor_ms):.1f}",
                f"{result.overhead:+.1f}",
                flag,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        numbers = [cell.rjust(width) for cell, width in zip(row[1:-1], widths[1:-1], strict=True)]
        cells = [row[0].ljust(widths[0]), *numbers]
        return "  ".join([*cells, row[-1]]).rstrip()

    out = [line(rows[0]), "  ".join("-" * width for width in widths[:-1]) + "  " + "-" * len("flag")]
    out.extend(line(row) for row in rows[1:])
    out.append("")
    out.append("all times in ms, one whole process each; overhead = case med - floor med")
    out.append("")
    name_width = max(len(result.case.name) for result in results)
    for result in results:
        args = " ".join(result.case.args).replace(TMP, "$TMP")
        out.append(f"{result.case.name.ljust(name_width)}  command: pumpcare {args}")
        out.append(f"{''.ljust(name_width)}  floor:   import {', '.join(result.case.floor)}")
    return "\n".join(out)


@dataclass
class Imported:
    """One line of `python -X importtime`: a module, its own import time and the chain that imported it."""

    name: str
    self_us: int
    depth: int
    parent: Imported | None = None

    def chain(self) -> str:
        names = []
        node: Imported | None = self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return " > ".join(reversed(names))


def import_tree(stderr: str) -> dict[str, Imported]:
    """Parse `-X importtime` output (children are printed before their parent, indented one step more)."""
    modules: dict[str, Imported] = {}
    pending: dict[int, list[Imported]] = {}
    for text in stderr.splitlines():
        match = _IMPORTTIME_LINE.match(text)
        if match is None:
            continue
        own, _, indent, name = match.groups()
        item = Imported(name, int(own), len(indent) // 2)
        for child in pending.pop(item.depth + 1, []):
            child.parent = item
        pending.setdefault(item.depth, []).append(item)
        modules[name] = item
    return modules


def imports_of(command: Sequence[str], setup: Setup) -> dict[str, Imported]:
    return import_tree(run(command, setup)[2])


def _third_party(name: str) -> str | None:
    """The top-level package of a module that is neither the standard library's nor pumpcare's."""
    top = name.split(".")[0]
    standard = top in sys.stdlib_module_names or top.startswith("_sysconfigdata")  # the latter: per platform
    return None if standard or top == "pumpcare" else top


def import_problems(cases: Sequence[Case], setup: Setup) -> list[str]:
    """Modules a case imports although it must not, and floors that no longer match what a case imports."""
    problems = []
    for case in cases:
        shown = f"'pumpcare {' '.join(case.args)}'"
        modules = imports_of(setup.case_command(case, "-X", "importtime"), setup)
        for banned in case.must_not_import:
            hits = [item for name, item in modules.items() if name == banned or name.startswith(banned + ".")]
            if hits:
                first = min(hits, key=lambda item: len(item.chain()))
                problems.append(f"{shown} imports {banned}: {first.chain()}")
        floor = imports_of(setup.floor_command(case, "-X", "importtime"), setup)
        unused = [name for name in case.floor if name not in modules]
        if unused:
            problems.append(f"{shown} no longer imports {', '.join(unused)}: take it out of its floor in CASES")
        floor_packages = {_third_party(name) for name in floor}
        missing: dict[str, Imported] = {}
        for name, item in modules.items():
            package = _third_party(name)
            if package is None or package in floor_packages:
                continue
            if package not in missing or item.depth < missing[package].depth:
                missing[package] = item
        for package, item in missing.items():
            problems.append(f"{shown} imports {package}, missing from its floor in CASES: {item.chain()}")
    return problems


def _own(item: Imported) -> bool:
    return item.name == "pumpcare" or item.name.startswith("pumpcare.")


def _contributors(modules: dict[str, Imported], floor: set[str]) -> dict[str, float]:
    """Import time above the floor, in ms, by contributor: each pumpcare module on its own (its own
    time), and each other module that pumpcare code or the run itself imported together with all it
    pulled in that the floor lacks (its subtree)."""
    children: dict[str, list[Imported]] = {}
    for item in modules.values():
        if item.parent is not None:
            children.setdefault(item.parent.name, []).append(item)

    def subtree(item: Imported) -> int:
        below = (child for child in children.get(item.name, []) if child.name not in floor and not _own(child))
        return item.self_us + sum(subtree(child) for child in below)

    found = {}
    for item in modules.values():
        if item.name in floor:
            continue
        parent = item.parent
        if _own(item):
            found[item.name] = item.self_us / 1000
        elif parent is None or parent.name in floor or _own(parent):
            found[item.name] = subtree(item) / 1000
    return found


def above_floor(case: Case, setup: Setup, top: int, samples: int = 5) -> str:
    """What a case imports that its floor does not: the biggest contributors, medians of a few runs."""
    floor = set(imports_of(setup.floor_command(case, "-X", "importtime"), setup))
    runs = [imports_of(setup.case_command(case, "-X", "importtime"), setup) for _ in range(samples)]
    found = [_contributors(modules, floor) for modules in runs]
    names = set().union(*found)
    ms = {name: statistics.median(each.get(name, 0.0) for each in found) for name in names}
    extra = {name for name in runs[0] if name not in floor}
    by_package: dict[str, float] = {}
    for name in extra:
        package = name.split(".")[0]
        own = statistics.median(r[name].self_us if name in r else 0 for r in runs) / 1000
        by_package[package] = by_package.get(package, 0.0) + own
    total = sum(by_package.values())
    lines = [f"{case.name}: {len(extra)} modules above the floor, {total:.1f} ms of import time"]
    packages = sorted(by_package.items(), key=lambda kv: -kv[1])
    lines.append("  by top-level package: " + ", ".join(f"{name} {ms:.1f}" for name, ms in packages[:8]))
    for name in sorted(ms, key=lambda n: -ms[n])[:top]:
        item = next(r[name] for r in runs if name in r)
        what = "own time" if _own(item) else "with what it imports"
        lines.append(f"  {ms[name]:6.1f} ms  {item.chain()}  ({what})")
    return "\n".join(lines)


# Runs one command and prints the peak memory (KiB on Linux) of its largest process: RUSAGE_CHILDREN of a parent
# that had no other children (ru_maxrss is the largest one process reached, the batch's or one worker's).
_PEAK = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)
# The targets (issue 12): against a yaml2ics process per calendar, the atomic-write floor, and scaling.
HTML_VS_YAML2ICS, HTML_VS_FLOOR, PDF_VS_YAML2ICS = 50.0, 3.0, 18.0
SCALE_ROWS, SCALE_TIME, SCALE_MEMORY = 5, 5.5, 1.2


@dataclass(frozen=True)
class BatchRun:
    """One `pumpcare batch` process: rows, seconds, and peak memory in MiB (largest process, whole tree)."""

    rows: int
    seconds: float
    largest_mib: float
    tree_mib: float | None  # every process of the batch at once, sampled from /proc; None where there is none

    @property
    def per_second(self) -> float:
        return self.rows / self.seconds


def _discharges(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as stream:
        stream.write("label,surgery_date,follow_up,refill_every,first_refill,overrides\n")
        for index in range(count):
            day = 1 + index % 28
            stream.write(f"P{index},2026-12-{day:02d},2027-01-{day:02d},12w,2027-02-{day:02d},no-lifting=10w..12w\n")


def _tree_rss_kib(root: int) -> int | None:
    """The resident memory of a process and all its descendants, from /proc (Linux); None elsewhere."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    parents: dict[int, int] = {}
    for stat in proc.glob("[0-9]*/stat"):
        try:
            text = stat.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        parents[int(stat.parent.name)] = int(fields[1])
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        grew = bool(more)
        tree |= more
    total = 0
    for pid in tree:
        try:
            status = (proc / str(pid) / "status").read_text(encoding="utf-8")
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def _settle() -> None:
    """Let the disk finish what earlier runs left it to write (deleted folders included) before timing.

    Without it the floor swung between 0.27 and 0.56 ms a patient: a run right after another timed its fsyncs
    behind the last run's write-back, and the batch behind its 5,000-row folder being deleted.
    """
    if hasattr(os, "sync"):
        os.sync()
    time.sleep(1.0)


def run_batch(setup: Setup, source: Path, rows: int, *extra: str) -> BatchRun:
    """Time one batch into a new folder, sampling the memory of all its processes every 20 ms."""
    import shutil

    out = setup.workdir / "batch-out"
    shutil.rmtree(out, ignore_errors=True)
    _settle()
    command = [sys.executable, "-c", _PEAK, *setup.pumpcare, "batch", str(source), "--out-dir", str(out), *extra]
    start = time.perf_counter()
    process = subprocess.Popen(command, env=setup.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    tree: int | None = 0
    while process.poll() is None:
        sampled = _tree_rss_kib(process.pid)
        tree = None if sampled is None or tree is None else max(tree, sampled)
        time.sleep(0.02)
    seconds = time.perf_counter() - start
    stdout, stderr = process.communicate()
    if process.returncode != 0:
        raise BenchError(f"batch of {rows} rows failed: {stderr.strip()}")
    # The sampled tree includes the small python -c parent that waits for the batch: take it off.
    waiter = 10_000 if tree is not None else 0
    return BatchRun(rows, seconds, int(stdout.split()[-1]) / 1024, (tree - waiter) / 1024 if tree else None)


def yaml2ics_loop(setup: Setup, program: str | None, count: int) -> float | None:
    """Calendars a second from one yaml2ics process per calendar, each with the events of a pumpcare plan."""
    import shutil

    found = program or shutil.which("yaml2ics") or str(Path(sys.executable).with_name("yaml2ics"))
    if not Path(found).is_file():
        print("yaml2ics:  not found (pip install yaml2ics in its own venv: it needs ics 0.8; give --yaml2ics PATH)")
        return None
    from datetime import date, timedelta

    import pumpcare

    rules = pumpcare.load_rules()
    files = []
    for index in range(count):
        day = date(2026, 12, 1 + index % 28)
        plan = pumpcare.make_plan(rules, day, follow_up=day + timedelta(days=35))
        lines = [f"name: Pump recovery plan P{index}", "events:"]
        for milestone in plan.milestones:
            text = " ".join(f"{rule.title}: {rule.text}" for rule in milestone.rules).replace('"', "'")
            lines += [
                f'  - summary: "{milestone.title}"',
                f"    begin: {milestone.when.earliest.isoformat()}",
                f"    end: {(milestone.when.latest + timedelta(days=1)).isoformat()}",
                f'    description: "{text}"',
            ]
        path = setup.workdir / f"yaml2ics-{index}.yaml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        files.append(path)
    run([found, str(files[0])], setup)  # warm the file cache, and check it works
    start = time.perf_counter()
    for path in files:
        run([found, str(path)], setup)
    return count / (time.perf_counter() - start)


def write_floor(setup: Setup, rows: int) -> tuple[float, float]:
    """Seconds per patient to write an HTML batch's files with write_atomically alone (an fsync per file), and
    with the batch's own staged writes (one sync per group): the same bytes, no plan, no layout."""
    from pumpcare.files import commit, stage_in, write_atomically

    source = setup.workdir / f"floor-{rows}.csv"
    _discharges(source, rows)
    run_batch(setup, source, rows, "--html")
    made = {path.name: path.read_bytes() for path in (setup.workdir / "batch-out").iterdir() if path.suffix != ".json"}
    target = setup.workdir / "floor"
    target.mkdir(exist_ok=True)
    _settle()
    start = time.perf_counter()
    for name, data in made.items():
        write_atomically(target / name, data)
    atomic = (time.perf_counter() - start) / rows
    _settle()
    start = time.perf_counter()
    staged = [stage_in(target, name, data) for name, data in made.items()]
    commit(staged)
    grouped = (time.perf_counter() - start) / rows
    return atomic, grouped


def batch_bench(setup: Setup, rows: int, program: str | None, samples: int) -> list[str]:
    """Issue 12's targets, measured side by side in one run: each figure is the median of `samples` runs."""
    problems: list[str] = []
    small, large = setup.workdir / f"batch-{rows}.csv", setup.workdir / f"batch-{SCALE_ROWS * rows}.csv"
    _discharges(small, rows)
    _discharges(large, SCALE_ROWS * rows)

    def median_run(source: Path, count: int, *extra: str) -> BatchRun:
        runs = sorted((run_batch(setup, source, count, *extra) for _ in range(samples)), key=lambda r: r.seconds)
        return runs[len(runs) // 2]

    load = Path("/proc/loadavg").read_text(encoding="ascii").strip() if Path("/proc/loadavg").exists() else "unknown"
    print(f"batch:     {os.cpu_count()} cores; load average before: {load}")
    yaml2ics = yaml2ics_loop(setup, program, 24)
    atomic, grouped = write_floor(setup, rows)
    html_one = median_run(small, rows, "--html", "--jobs", "1")
    html = median_run(small, rows, "--html")
    pdf_one = median_run(small, rows, "--jobs", "1")
    pdf = median_run(small, rows)
    pdf_large = median_run(large, SCALE_ROWS * rows)

    def line(name: str, result: BatchRun) -> str:
        tree = f", all processes {result.tree_mib:.0f} MiB" if result.tree_mib is not None else ""
        return (
            f"  {name:<28} {result.seconds:6.2f} s  {result.per_second:7.1f} patients/s  "
            f"peak: largest process {result.largest_mib:.0f} MiB{tree}"
        )

    print(f"batch of {rows:,} rows (median of {samples}):")
    if yaml2ics is not None:
        print(f"  {'yaml2ics, a process each':<28} {'':8}  {yaml2ics:7.1f} calendars/s")
    print(
        f"  {'atomic writes alone':<28} {atomic * 1000:6.2f} ms a patient ({1 / atomic:,.0f} patients/s; "
        f"staged with one sync: {grouped * 1000:.2f} ms)"
    )
    for name, result in (
        ("HTML, --jobs 1", html_one),
        ("HTML, every core", html),
        ("PDF, --jobs 1", pdf_one),
        ("PDF, every core", pdf),
        (f"PDF, every core, {SCALE_ROWS * rows:,} rows", pdf_large),
    ):
        print(line(name, result))

    checks = []
    if yaml2ics is not None:
        checks.append(("HTML batch vs yaml2ics loop", html.per_second / yaml2ics, HTML_VS_YAML2ICS, ">="))
        checks.append(("PDF batch vs yaml2ics loop", pdf.per_second / yaml2ics, PDF_VS_YAML2ICS, ">="))
    checks.append(("HTML batch vs atomic-write floor", (html.seconds / rows) / atomic, HTML_VS_FLOOR, "<="))
    checks.append((f"time, {SCALE_ROWS}x the rows", pdf_large.seconds / pdf.seconds, SCALE_TIME, "<="))
    if pdf_large.tree_mib and pdf.tree_mib:
        memory = pdf_large.tree_mib / pdf.tree_mib
    else:
        memory = pdf_large.largest_mib / pdf.largest_mib
    checks.append((f"peak memory, {SCALE_ROWS}x the rows", memory, SCALE_MEMORY, "<="))
    print("targets (issue 12):")
    for name, value, limit, how in checks:
        met = value >= limit if how == ">=" else value <= limit
        print(f"  {name:<36} x{value:6.2f}  (target {how} {limit:g})  {'met' if met else 'NOT MET'}")
        if not met:
            problems.append(f"batch: {name} is x{value:.2f}, target {how} {limit:g}")
    return problems


# Runs one command, whatever its exit code, and prints the child's peak memory (KiB on Linux) and exit code.
_PEAK_ANY = (
    "import resource, subprocess, sys; "
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)"
)
LIMIT_MIB, LIMIT_SECONDS = 150, 10.0


def limits(setup: Setup) -> list[str]:
    """Every command on inputs at the size limits: peak memory and time of each, against 150 MiB and 10 s."""
    work = setup.workdir
    rules = work / "rules-at-limits.yaml"
    rules.write_text(_rules_at_limits(), encoding="utf-8")
    bomb = work / "aliases-at-limit.yaml"
    bomb.write_text(_aliases(rows=9, depth=5), encoding="utf-8")
    config = work / "limits-config"
    config.mkdir()
    (config / "plan.yaml").write_text(_record_at_limit(), encoding="utf-8")
    env = {**setup.env, "PUMPCARE_CONFIG_DIR": str(config)}
    plan = ["plan", "--surgery-date", "2026-12-01", "--rules", str(rules)]
    cases = [
        ("rules check, 200 rules at every text limit", ["rules", "check", str(rules)]),
        ("rules check, aliases near the bound", ["rules", "check", str(bomb)]),
        ("plan, 200 rules", plan),
        ("plan --json, 200 rules", [*plan, "--json"]),
        ("plan --ics, 200 rules", [*plan, "--ics", str(work / "limits.ics")]),
        ("handout --html, 200 rules", [*plan[1:], "--out", str(work / "limits.html")]),
        ("handout PDF, 200 rules", [*plan[1:], "--out", str(work / "limits.pdf")]),
        ("today, the longest record (2,000 events)", ["today", "--date", "2030-01-01"]),
        ("plan --ics -, the longest record", ["plan", "--ics", "-"]),
    ]
    problems = []
    print(f"{'inputs at the size limits':<44} {'time':>7} {'peak':>8}  exit")
    for name, args in cases:
        if args[0] == "--surgery-date":
            args = ["handout", *args]
        command = [*setup.pumpcare, *args]
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", _PEAK_ANY, *command], env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        peak_kib, code = (int(part) for part in done.stdout.split()[-2:])
        peak = peak_kib / 1024
        print(f"{name:<44} {seconds:6.2f}s {peak:6.0f} MiB  {code}")
        if seconds > LIMIT_SECONDS or peak > LIMIT_MIB:
            problems.append(f"limits: {name} took {seconds:.1f} s and {peak:.0f} MiB (limits 10 s, 150 MiB)")
        if code not in (0, 1):
            problems.append(f"limits: {name} exited {code}")
    return problems


def _rules_at_limits() -> str:
    """200 rules, each at the text limits, with mixed-unit windows (the costly comparison)."""
    rules = []
    for index in range(200):
        rules.append(
            f"  - id: rule-{index}\n"
            f"    title: {('Limit ' + str(index) + ' ' + 'x' * 80)[:80]}\n"
            f"    category: restriction\n"
            f"    text: {'word ' * 119}end\n"
            f"    source: {'said ' * 199}end\n"
            f"    until: {{earliest: {index % 20 + 1}w, latest: {index % 5 + 6}mo}}\n"
        )
    head = "schema: 1\nname: Limits\nversion: '1'\nsource: A leaflet at the limits\nrules:\n"
    return head + "".join(rules)


def _aliases(rows: int, depth: int) -> str:
    """A document whose aliases expand to rows**depth values: just under the loader's bound at 9**5."""
    lines = ["a0: &a0 [" + ", ".join(["x"] * rows) + "]"]
    for level in range(1, depth):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * rows) + "]")
    return "\n".join(lines) + "\n"


def _record_at_limit() -> str:
    """A saved plan just under 1 MB: decades of refills, each with the programmer's numbers."""
    head = (
        "format: 2\nsurgery_date: '2026-12-01'\nfollow_up: null\nrefill_every: 1w\nfirst_refill: '2026-12-08'\n"
        "next_refill: null\ndrug: null\nfill_volume: null\nconcentration: null\ndaily_dose: null\n"
        "alarm_volume: 2mL\nset: []\nrules_file: null\nrules_name: x\nrules_version: x\npatient_label: null\n"
        "history:\n"
    )
    entries = []
    size, day = len(head), 0
    from datetime import date, timedelta

    while size < 990_000 and len(entries) < 2_000:  # the record's own limit on logged events
        day += 1
        when = (date(2026, 12, 2) + timedelta(days=day)).isoformat()
        entry = (
            f"- {{event: refill, date: '{when}', fill_volume: 20mL, concentration: 2mg/mL, daily_dose: 0.5mg/day}}\n"
        )
        entries.append(entry)
        size += len(entry)
    return head + "".join(entries)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time whole pumpcare processes against an import floor of the libraries each command needs.",
    )
    parser.add_argument("--runs", type=int, default=15, help="timed runs of each case and floor (default 15)")
    parser.add_argument("--check", action="store_true", help="exit 1 on a forbidden import or an overhead over --limit")
    parser.add_argument("--limit", type=float, default=20.0, help="largest acceptable overhead in ms (default 20)")
    parser.add_argument(
        "--via",
        choices=("auto", "script", "module"),
        default="auto",
        help="console script next to the interpreter (auto: when there is one) or python -m pumpcare",
    )
    parser.add_argument("--case", action="append", metavar="NAME", help="only cases whose name contains NAME")
    parser.add_argument("--bytecode-cache", action="store_true", help="give the processes a private bytecode cache")
    parser.add_argument("--importtime", action="store_true", help="list what each case imports above its floor")
    parser.add_argument(
        "--floor-gc",
        choices=("off", "on"),
        default="off",
        help="garbage collector in floor processes: off, as pumpcare's entry point runs (default), or on",
    )
    parser.add_argument(
        "--batch",
        type=int,
        default=1000,
        metavar="ROWS",
        help=f"issue 12's batch targets on ROWS and {SCALE_ROWS} x ROWS generated rows (default 1000; 0 skips it)",
    )
    parser.add_argument(
        "--batch-runs", type=int, default=1, metavar="N", help="runs of each batch; the median is shown (default 1)"
    )
    parser.add_argument(
        "--yaml2ics", metavar="PATH", help="the yaml2ics program to compare with (default: on PATH or beside python)"
    )
    parser.add_argument("--top", type=int, default=5, help="modules listed per case by --importtime (default 5)")
    parser.add_argument(
        "--limits", action="store_true", help="run every command on inputs at the size limits: time and peak memory"
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    cases = [case for case in CASES if not args.case or any(part in case.name for part in args.case)]
    if not cases:
        print(f"no case matches {args.case}; cases: {', '.join(case.name for case in CASES)}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="pumpcare-bench-") as folder:
        workdir = Path(folder)
        env = dict(os.environ)
        # The saved plan of the `today` case goes here, never into the real home directory.
        env["XDG_CONFIG_HOME"] = str(workdir / "config")
        env.pop("PUMPCARE_CONFIG_DIR", None)
        if args.bytecode_cache:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
        try:
            pumpcare, how = find_pumpcare(args.via)
            setup = Setup(pumpcare, how, env, workdir, floor_gc=args.floor_gc == "on")
            print(f"python:   {sys.executable} ({sys.version.split()[0]})")
            print(f"pumpcare: {setup.how}")
            bytecode = "private cache (--bytecode-cache)" if args.bytecode_cache else "as the environment has it"
            print(f"runs:     1 warm-up + {args.runs} timed per case and floor, interleaved; bytecode {bytecode}")
            note = bytecode_note(env)
            if note:
                print(f"note:    {note}")
            print()
            results = measure(cases, setup, args.runs)
            print(table(results, args.limit))
            if args.importtime:
                print()
                print("import time above the floor (python -X importtime, median of 5 runs, in ms):")
                for case in cases:
                    print(above_floor(case, setup, args.top))
            print()
            batch_problems = batch_bench(setup, args.batch, args.yaml2ics, args.batch_runs) if args.batch else []
            if args.limits:
                print()
                batch_problems += limits(setup)
            if not args.check:
                return 0
            problems = import_problems(CASES, setup) + batch_problems
        except BenchError as err:
            print(f"bench: {err}", file=sys.stderr)
            return 2
    problems += [
        f"{result.case.name}: overhead {result.overhead:.1f} ms is over the {args.limit:g} ms limit"
        for result in results
        if result.overhead > args.limit
    ]
    print()
    if problems:
        print("check FAILED:")
        print("\n".join(f"  - {problem}" for problem in problems))
        return 1
    print(f"check passed: no forbidden imports, floors match the code, every overhead within {args.limit:g} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
