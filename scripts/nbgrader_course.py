"""The lessons as an nbgrader course: release them, autograde a class offline, write the grades.

Usage::

    python scripts/nbgrader_course.py assignments [--lessons lessons] [--course build/nbgrader]
    python scripts/nbgrader_course.py grade SUBMISSIONS [--course build/nbgrader] [--jobs N]

``assignments`` (``make assignments``) converts every ``lessons/*.ipynb`` (the single source)
into an nbgrader course in ``build/nbgrader``:

- ``source/<lesson>/<lesson>.ipynb``: each exercise's stub and ``solution`` cells become one
  *autograded answer* cell, the lesson's stub followed by the solution between
  ``### BEGIN SOLUTION`` and ``### END SOLUTION``; the release keeps the stub only (the course's
  ``ClearSolutions.code_stub`` is empty);
- each exercise's check cell becomes an *autograder test* cell worth 1 point (or the
  ``ganlab.points`` of its metadata). Its ``ganlab.exercises`` checks stay the assertions, but
  all of them go between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``: every check in
  the lessons shows its expected answer (a literal like ``check_choice(answer, "b", ...)``, or a
  call of the package function that computes it). What stays visible is a placeholder that only
  checks the answer's form (answered, a number, a function, one of the options). The hidden part
  first reloads ``ganlab.exercises`` (an answer that replaced a check gains nothing) and silences
  warnings (nbgrader scores a test cell that writes to stderr 0);
- every other cell, markdown or code, is read-only (an nbgrader *locked* cell);
- ``nbgrader_config.py``: cells may run 600 s (nbgrader's default of 30 s kills the training
  cells); deleted cells are put back at grading (``scripts/nbgrader_restore.py``).

Then ``nbgrader generate_assignment`` writes the release, ``release/<lesson>/<lesson>.ipynb``,
and the gradebook ``gradebook.db``.

``grade`` (``make grade SUBMISSIONS=DIR``) takes ``DIR/<student>/<lesson>/<lesson>.ipynb``
(nbgrader's submitted layout), copies it to ``build/nbgrader/submitted``, runs ``nbgrader
autograde`` and then ``nbgrader generate_feedback`` (HTML in ``feedback/``) for every student
and lesson, ``--jobs`` at a time (each its own process and kernel, sharing the SQLite
gradebook), with ``GANLAB_FAST=1`` unless the environment sets ``GANLAB_FAST``; then writes
``grades.csv`` (student, lesson, score, max_score). Logs go to ``logs/``. The exit status is 0
when every submission was graded, 1 when one failed, 2 for a wrong argument.
"""

from __future__ import annotations

import argparse
import ast
import copy
import csv
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from student_edition import ANSWERS_KEY, exercises  # noqa: E402

SCRIPTS = Path(__file__).resolve().parent
COURSE_ID = "ganlab"
TIMEOUT_S = 600  # per cell; the longest training cell takes about a minute at default size
POINTS_KEY = ("ganlab", "points")

CONFIG = '''\
"""nbgrader's configuration for the ganlab course (written by scripts/nbgrader_course.py)."""

import sys

sys.path.insert(0, {scripts!r})
from nbgrader.preprocessors import CheckCellMetadata, ClearOutput, DeduplicateIds
from nbgrader.preprocessors import OverwriteKernelspec
from nbgrader_restore import RestoreCells

c = get_config()  # noqa: F821
c.CourseDirectory.course_id = {course_id!r}
c.CourseDirectory.root = {root!r}
# The release keeps the lesson's own stub, which sits above ### BEGIN SOLUTION.
c.ClearSolutions.code_stub = {{"python": ""}}
# Training cells need far longer than nbgrader's 30 s.
c.Execute.timeout = {timeout}
# Deleted cells (teaching, answer or test) are put back before grading.
c.Autograde.sanitize_preprocessors = [
    ClearOutput,
    DeduplicateIds,
    OverwriteKernelspec,
    RestoreCells,
    CheckCellMetadata,
]
c.RestoreCells.add_missing_cells = True
c.RestoreCells.course_root = {root!r}
'''

HIDDEN_PREFIX = """\
### BEGIN HIDDEN TESTS
import importlib, warnings  # noqa: E401
import ganlab.exercises
exercises = importlib.reload(ganlab.exercises)  # the checks as shipped, whatever an answer did
warnings.simplefilter("ignore")  # nbgrader scores a test cell that writes to stderr 0
"""
HIDDEN_SUFFIX = "\npass\n### END HIDDEN TESTS"


class CourseError(ValueError):
    """A wrong argument; the message names it."""


def _meta(cell, key):
    outer, inner = key
    return cell.get("metadata", {}).get(outer, {}).get(inner)


def _nbgrader(cell, grade_id, *, solution=False, grade=False, locked=False, points=None):
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if grade:
        meta["points"] = points
    cell["metadata"]["nbgrader"] = meta


def checked_answers(source: str) -> list[tuple[str, str, ast.Call]]:
    """``(check function, answer expression, call)`` for each ``ganlab.exercises`` check call."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        f = node.func
        name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
        if name.startswith("check_"):
            found.append((name, ast.unparse(node.args[0]), node))
    return sorted(found, key=lambda t: (t[2].lineno, t[2].col_offset))


def placeholder(source: str, numpy: str = "np") -> str:
    """The visible part of a test cell: the form of each answer its checks read, not its value.

    ``numpy`` is the name the lesson imported NumPy as, or ``""`` when it did not.
    """
    asarray = f"{numpy}.asarray" if numpy else "__import__('numpy').asarray"
    lines = [
        "# The checks of this exercise are hidden: the grader runs them on your answer.",
        "# This cell only checks that the answer has the right form.",
    ]
    for kind, answer, call in checked_answers(source):
        if kind == "check_true":
            continue  # a condition computed from the answers; nothing to check before grading
        if not answer.isidentifier():
            continue
        lines.append(f'assert {answer} is not ..., "{answer}: replace ... with your answer"')
        if kind == "check_function":
            lines.append(f'assert callable({answer}), "{answer} must be a function"')
        elif kind == "check_value":
            lines.append(
                f"assert {asarray}({answer}).dtype.kind in 'iufc', "
                f'"{answer} must be a number or an array of numbers"'
            )
        elif kind == "check_choice":
            options = next((k.value for k in call.keywords if k.arg == "options"), None)
            try:
                allowed = ast.literal_eval(options) if options is not None else None
            except ValueError:
                allowed = None
            if isinstance(allowed, list | tuple):
                lines.append(
                    f"assert str({answer}).strip().lower() in {[str(o).lower() for o in allowed]!r}"
                    f', "{answer} must be one of {list(allowed)!r}"'
                )
    return "\n".join(lines)


def course_notebook(nb, lesson: str):
    """The nbgrader source version of one instructor's lesson (a new notebook)."""
    nb = copy.deepcopy(nb)
    exs = exercises(nb)
    role = {}  # cell index -> ("answer", exercise) / ("drop",) / ("test", exercise)
    for k, ex in enumerate(exs, start=1):
        if ex.stub is None or ex.check is None:
            raise CourseError(
                f"{lesson}: the exercise whose solution is cell {ex.solution} has no "
                f"{'stub' if ex.stub is None else 'check'} cell; it cannot be graded"
            )
        role[ex.stub] = ("answer", k, ex)
        role[ex.solution] = ("drop",)
        role[ex.check] = ("test", k, ex)
    first = nb.cells[min((ex.stub for ex in exs), default=0)] if exs else None
    numpy = ""  # the name NumPy has when the first exercise starts, if a teaching cell gave it one
    for cell in nb.cells:
        if cell is first:
            break
        if cell["cell_type"] == "code" and "import numpy as np" in cell.source.splitlines():
            numpy = "np"
    cells = []
    for i, cell in enumerate(nb.cells):
        r = role.get(i, ("teach",))
        cell.setdefault("metadata", {})
        outer = ANSWERS_KEY[0]
        if isinstance(cell["metadata"].get(outer), dict):  # right answers are solutions too
            cell["metadata"].pop(outer)
        if r[0] == "drop":
            continue
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
        cid = cell.get("id") or f"cell{i}"
        if r[0] == "teach":
            _nbgrader(cell, f"teach-{cid}", locked=True)
        elif r[0] == "answer":
            _, k, ex = r
            solution = nb.cells[ex.solution].source.rstrip("\n")
            stub = cell.source.rstrip("\n")
            cell.source = f"{stub}\n### BEGIN SOLUTION\n{solution}\n### END SOLUTION"
            _nbgrader(cell, f"exercise{k}-answer", solution=True)
        else:
            _, k, ex = r
            points = _meta(nb.cells[ex.check], POINTS_KEY) or 1
            check = cell.source.rstrip("\n")
            cell.source = f"{placeholder(check, numpy)}\n{HIDDEN_PREFIX}{check}{HIDDEN_SUFFIX}"
            _nbgrader(cell, f"exercise{k}-test", grade=True, locked=True, points=points)
        cells.append(cell)
    nb.cells = cells
    return nb


def _run(args, cwd, log, env=None):
    """Run an nbgrader command; its output goes to ``log``. Returns its exit status."""
    env = dict(os.environ if env is None else env)
    # nbgrader runs `alembic` (installed beside it) by name to check the gradebook's schema
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        cmd = [sys.executable, "-m", "nbgrader", *args]
        return subprocess.run(
            cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env
        ).returncode


def write_config(course: Path) -> None:
    root = str(course.resolve())
    text = CONFIG.format(scripts=str(SCRIPTS), course_id=COURSE_ID, root=root, timeout=TIMEOUT_S)
    (course / "nbgrader_config.py").write_text(text)


def assignments(lessons: Path, course: Path, log=print) -> list[str]:
    """Write the source and release of every lesson; return the assignment names."""
    if not lessons.is_dir():
        raise CourseError(f"--lessons {str(lessons)!r} is not a directory")
    paths = sorted(lessons.glob("*.ipynb"))
    if not paths:
        raise CourseError(f"--lessons {str(lessons)!r} contains no *.ipynb notebooks")
    course.mkdir(parents=True, exist_ok=True)
    write_config(course)
    names = []
    for path in paths:
        name = path.stem
        nb = course_notebook(nbformat.read(path, as_version=4), path.name)
        nbformat.validate(nb)
        target = course / "source" / name / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)
        logfile = course / "logs" / f"generate_assignment-{name}.log"
        if _run(["generate_assignment", name, "--force"], course, logfile) != 0:
            raise RuntimeError(f"nbgrader generate_assignment {name} failed: see {logfile}")
        tests = sum(c.metadata["nbgrader"]["grade"] for c in nb.cells)
        log(f"{name}: {tests} graded exercises -> {course / 'release' / name / path.name}")
        names.append(name)
    return names


def _submissions(submitted: Path, known: set[str]) -> list[tuple[str, str]]:
    if not submitted.is_dir():
        raise CourseError(f"SUBMISSIONS {str(submitted)!r} is not a directory")
    pairs = []
    for student in sorted(p for p in submitted.iterdir() if p.is_dir()):
        for lesson in sorted(p for p in student.iterdir() if p.is_dir()):
            if lesson.name not in known:
                print(f"warning: {lesson}: not a lesson of the course; skipped", file=sys.stderr)
                continue
            pairs.append((student.name, lesson.name))
    if not pairs:
        raise CourseError(
            f"SUBMISSIONS {str(submitted)!r} holds no <student>/<lesson>/ folders "
            f"(lessons: {', '.join(sorted(known))})"
        )
    return pairs


def write_grades_csv(course: Path) -> list[dict]:
    """``grades.csv``: one row per student and lesson in the gradebook."""
    from nbgrader.api import Gradebook

    bindir = str(Path(sys.executable).parent)  # nbgrader runs `alembic` by name
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([bindir, os.environ.get("PATH", "")])
    rows = []
    with Gradebook(f"sqlite:///{(course / 'gradebook.db').resolve()}", COURSE_ID) as gb:
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                rows.append(
                    {
                        "student": sub.student.id,
                        "lesson": assignment.name,
                        "score": f"{sub.score:g}",
                        "max_score": f"{sub.max_score:g}",
                    }
                )
    rows.sort(key=lambda r: (r["student"], r["lesson"]))
    with (course / "grades.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["student", "lesson", "score", "max_score"])
        writer.writeheader()
        writer.writerows(rows)
    return rows


def grade(submitted: Path, course: Path, jobs: int, log=print) -> int:
    """Autograde every submission, then write the feedback and grades.csv; 0 when all graded."""
    release = course / "release"
    if not (course / "gradebook.db").exists() or not release.is_dir():
        raise CourseError(f"--course {str(course)!r} has no release: run `make assignments` first")
    known = {p.name for p in release.iterdir() if p.is_dir()}
    pairs = _submissions(submitted, known)
    for student, lesson in pairs:
        dest = course / "submitted" / student / lesson
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(submitted / student / lesson, dest)
    env = dict(os.environ)
    env.setdefault("GANLAB_FAST", "1")
    env.setdefault("MPLBACKEND", "Agg")

    def autograde(pair):
        """Autograde one student's lesson, then write its feedback; (.., exit status, ..)."""
        student, lesson = pair
        logfile = course / "logs" / f"autograde-{student}-{lesson}.log"
        start = time.perf_counter()
        args = ["autograde", lesson, "--student", student, "--force"]
        rc = _run(args, course, logfile, env)
        if rc != 0 and "database is locked" in logfile.read_text(errors="replace"):
            rc = _run(args, course, logfile, env)  # another process held the gradebook
        if rc == 0:
            logfile = course / "logs" / f"generate_feedback-{student}-{lesson}.log"
            args = ["generate_feedback", lesson, "--student", student, "--force"]
            rc = _run(args, course, logfile, env)
        return student, lesson, rc, time.perf_counter() - start, logfile

    start = time.perf_counter()
    failed = []
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for student, lesson, rc, seconds, logfile in pool.map(autograde, pairs):
            status = "graded" if rc == 0 else f"FAILED (exit {rc}, see {logfile})"
            log(f"{student} / {lesson}: {status} in {seconds:.0f} s")
            if rc != 0:
                failed.append((student, lesson))
    seconds = time.perf_counter() - start
    log(f"graded {len(pairs)} submissions in {seconds:.0f} s, {jobs} at a time")
    rows = write_grades_csv(course)
    log(f"{len(rows)} rows -> {course / 'grades.csv'}; feedback in {course / 'feedback'}")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nbgrader_course.py", description=__doc__.split("\n")[0])
    parser.add_argument("--course", type=Path, default=Path("build/nbgrader"))
    sub = parser.add_subparsers(dest="command", required=True)
    a = sub.add_parser("assignments", help="write the nbgrader source and release of the lessons")
    a.add_argument("--lessons", type=Path, default=Path("lessons"))
    g = sub.add_parser("grade", help="autograde DIR/<student>/<lesson>/<lesson>.ipynb")
    g.add_argument("submissions", type=Path, metavar="SUBMISSIONS")
    g.add_argument(
        "--jobs",
        type=int,
        default=2 * (os.cpu_count() or 1),
        help="submissions graded at once (default: two per core, which keeps the cores busy)",
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "assignments":
            assignments(args.lessons, args.course)
            return 0
        if args.jobs < 1:
            raise CourseError(f"--jobs must be at least 1, got {args.jobs}")
        return grade(args.submissions, args.course, args.jobs)
    except CourseError as err:
        parser.error(str(err))  # exits with status 2
    return 2


if __name__ == "__main__":
    sys.exit(main())
