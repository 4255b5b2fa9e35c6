"""Write the student edition of the lessons: the worked solutions removed, the outputs cleared.

Usage::

    python scripts/student_edition.py SRC_DIR OUT_DIR      # `make student`: lessons build/student

For every ``*.ipynb`` in SRC_DIR (sorted), OUT_DIR gets a notebook of the same name with

- every cell tagged ``solution`` removed (the exercise's stub cell, just above it, stays: it is
  where the learner writes the answer, and the check below it rejects the stub as unanswered);
- every code cell's outputs and execution count cleared;
- every cell's list of right and wrong answers (metadata ``ganlab.answers``, which the tests run
  against each exercise's check) removed: its right answers are solutions too;
- everything else (the other cells, their ids and metadata, the notebook's metadata, its
  nbformat version) as it was. Notebooks are read and written with nbformat, whose output is
  the same JSON layout the lessons are committed in, so a diff against the source shows only
  the removed cells.

One line per notebook says how many cells were kept and how many solutions were removed.
Warnings (on stderr, the edition is still written) point at exercises whose layout breaks the
course's convention: stub cell, ``solution`` cell, then a cell calling a ``ganlab.exercises``
check. The exit status is 0 on success and 2 when an argument is wrong.

Importable: :func:`student_notebook` transforms one notebook, :func:`write_student_edition`
writes a directory, :func:`exercises` and :func:`lost_names` describe a notebook's exercises.
"""

from __future__ import annotations

import argparse
import copy
import re
import symtable
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

SOLUTION_TAG = "solution"
ANSWERS_KEY = ("ganlab", "answers")  # a check cell's metadata: right and wrong answers

# A call of a ganlab.exercises check: `exercises.check_value(`, `ganlab.exercises.check_true(`,
# or a bare `check_choice(` after `from ganlab.exercises import check_choice`.
_CHECK_CALL = re.compile(r"(?:\bexercises\.|(?<![\w.]))check_\w+\s*\(")

_MAGIC_LINE = re.compile(r"^([ \t]*)[%!].*$", flags=re.MULTILINE)


class StudentEditionError(ValueError):
    """A wrong argument; the message names it (SRC_DIR or OUT_DIR)."""


def is_solution(cell) -> bool:
    """Whether ``cell`` is a worked solution (its metadata tags include ``solution``)."""
    return SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def is_check(cell) -> bool:
    """Whether ``cell`` is a code cell that calls a ``ganlab.exercises`` check."""
    return cell.get("cell_type") == "code" and bool(_CHECK_CALL.search(_source(cell)))


def _source(cell) -> str:
    src = cell.get("source", "")
    return src if isinstance(src, str) else "".join(src)


@dataclass(frozen=True)
class Exercise:
    """Cell indices (in the instructor's notebook) of one exercise's parts.

    ``stub``: the code cell just before the solution, or ``None`` when the cell before it is
    not a code cell. ``check``: the first code cell after the solution that is not itself a
    solution, when it calls a ``ganlab.exercises`` check; ``None`` otherwise (markdown between
    the solution and the check is allowed).
    """

    solution: int
    stub: int | None
    check: int | None


def exercises(nb) -> list[Exercise]:
    """The exercises of an instructor's notebook, one per ``solution`` cell, in order."""
    cells = nb["cells"]
    found = []
    for i, cell in enumerate(cells):
        if not is_solution(cell):
            continue
        before = cells[i - 1] if i > 0 else None
        stub = i - 1 if before is not None and before["cell_type"] == "code" else None
        if stub is not None and is_solution(before):
            stub = None  # two solution cells in a row: the second has no stub of its own
        after = next(
            (
                j
                for j in range(i + 1, len(cells))
                if cells[j]["cell_type"] == "code" and not is_solution(cells[j])
            ),
            None,
        )
        check = after if after is not None and is_check(cells[after]) else None
        found.append(Exercise(solution=i, stub=stub, check=check))
    return found


def _bound_and_read(src: str) -> tuple[set[str], set[str]]:
    """The names a cell binds at top level, and those it reads that earlier cells must bind.

    Scope-aware (``symtable``): names local to a function, class or comprehension do not
    count. A name the cell both binds and reads at top level counts as bound only (the usual
    case, ``x = ...`` then ``f(x)``). IPython magics and shell lines (``%...``, ``!...``) are
    read as ``pass``; a cell that is still not valid Python binds and reads nothing.
    """
    src = _MAGIC_LINE.sub(r"\1pass", src)
    try:
        table = symtable.symtable(src, "<cell>", "exec")
    except SyntaxError:
        return set(), set()
    bound, read = set(), set()
    for sym in table.get_symbols():
        if sym.is_assigned() or sym.is_imported():
            bound.add(sym.get_name())
        elif sym.is_referenced():
            read.add(sym.get_name())
    pending = list(table.get_children())
    while pending:  # globals read inside functions, lambdas and comprehensions
        child = pending.pop()
        pending.extend(child.get_children())
        for sym in child.get_symbols():
            if sym.is_global() and sym.is_referenced() and not sym.is_declared_global():
                read.add(sym.get_name())
    return bound, read - bound


def lost_names(nb) -> dict[int, set[str]]:
    """Names later cells read that, in the student edition, would be missing or different.

    A solution cell may bind names its stub does not (helpers, intermediate results, or a
    lesson variable it reuses). Removing the solution removes those bindings; a later
    non-solution cell that reads one before any other cell rebinds it would then fail with a
    NameError or silently see a different value. Returns ``{cell index: names}`` over the
    instructor's notebook; empty when the student edition loses nothing.
    """
    cells = nb["cells"]
    lost: dict[int, set[str]] = {}
    for ex in exercises(nb):
        extra, _ = _bound_and_read(_source(cells[ex.solution]))
        if ex.stub is not None:
            extra -= _bound_and_read(_source(cells[ex.stub]))[0]
        for j in range(ex.solution + 1, len(cells)):
            if not extra:
                break
            cell = cells[j]
            if cell["cell_type"] != "code" or is_solution(cell):
                continue
            bound, read = _bound_and_read(_source(cell))
            if extra & read:
                lost.setdefault(j, set()).update(extra & read)
            extra -= bound
    return lost


def student_notebook(nb):
    """The student edition of one notebook (a new object; ``nb`` is not modified).

    Cells tagged ``solution`` are dropped; code cells lose their outputs and execution counts;
    cells lose their metadata's ``ganlab.answers`` (and ``ganlab`` itself when nothing else is
    left in it); every other cell, and the notebook's metadata and nbformat version, are kept
    as they are.
    """
    out = copy.deepcopy(nb)
    out["cells"] = [cell for cell in out["cells"] if not is_solution(cell)]
    outer, inner = ANSWERS_KEY
    for cell in out["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        meta = cell.get("metadata", {})
        if isinstance(meta.get(outer), dict) and inner in meta[outer]:
            del meta[outer][inner]
            if not meta[outer]:
                del meta[outer]
    return out


def warnings_for(nb, name: str) -> list[str]:
    """What is suspicious about a notebook's exercises, one line per problem (may be empty)."""
    cells = nb["cells"]
    found = []
    for ex in exercises(nb):
        where = f"{name} cell {ex.solution} (solution)"
        if ex.stub is None:
            found.append(
                f"{where}: the cell before it is not a code cell, so the student edition has "
                f"no cell for the learner's answer"
            )
        if ex.check is None:
            found.append(
                f"{where}: the next code cell calls no ganlab.exercises check, so the student "
                f"edition has no check for this exercise"
            )
        if cells[ex.solution]["cell_type"] != "code":
            found.append(f"{where}: a {cells[ex.solution]['cell_type']} cell tagged solution")
    for j, names in sorted(lost_names(nb).items()):
        found.append(
            f"{name} cell {j} reads {', '.join(sorted(names))}, which only a removed solution "
            f"defines (or redefines): it will fail or change in the student edition"
        )
    return found


def _check_dirs(src: Path, out: Path) -> list[Path]:
    """The notebooks of ``src``, after checking both directories; raises StudentEditionError."""
    if not src.exists():
        raise StudentEditionError(f"SRC_DIR {str(src)!r} does not exist")
    if not src.is_dir():
        raise StudentEditionError(f"SRC_DIR {str(src)!r} is not a directory")
    notebooks = sorted(p for p in src.glob("*.ipynb") if p.is_file())
    if not notebooks:
        raise StudentEditionError(f"SRC_DIR {str(src)!r} contains no *.ipynb notebooks")
    if out.exists() and not out.is_dir():
        raise StudentEditionError(f"OUT_DIR {str(out)!r} exists and is not a directory")
    if out.resolve() == src.resolve():
        raise StudentEditionError(
            f"OUT_DIR {str(out)!r} is SRC_DIR: refusing to overwrite the instructor's "
            f"notebooks with the student edition; choose another OUT_DIR"
        )
    for path in notebooks:  # a link in OUT_DIR to a lesson would be written through
        if (out / path.name).resolve() == path.resolve():
            raise StudentEditionError(
                f"OUT_DIR {str(out)!r}: {path.name} there is a link to SRC_DIR's {path.name}; "
                f"refusing to overwrite the instructor's notebook"
            )
    return notebooks


def write_student_edition(src: str | Path, out: str | Path, *, log=None, warn=None) -> list[Path]:
    """Write the student edition of every notebook in ``src`` to ``out``; return the paths.

    ``out`` is created if needed; notebooks already there with the same names are replaced,
    others are left alone. ``log`` and ``warn`` (default: print to stdout and stderr) receive
    the per-notebook summary lines and the warnings of :func:`warnings_for`.

    Raises:
      StudentEditionError (a ValueError): ``src`` is missing, not a directory or holds no
        notebooks; ``out`` is ``src`` or a file. The message names the argument.
    """
    log = log or print
    warn = warn or (lambda line: print(f"warning: {line}", file=sys.stderr))
    src, out = Path(src), Path(out)
    notebooks = _check_dirs(src, out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in notebooks:
        nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
        for line in warnings_for(nb, path.name):
            warn(line)
        student = student_notebook(nb)
        nbformat.validate(student)
        target = out / path.name
        nbformat.write(student, target)
        written.append(target)
        removed = len(nb["cells"]) - len(student["cells"])
        log(
            f"{path.name}: {len(student['cells'])} cells kept, "
            f"{removed} solution{'' if removed == 1 else 's'} removed -> {target}"
        )
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="student_edition.py",
        description="Write the student edition of the lessons: solution cells removed, "
        "outputs cleared, everything else unchanged.",
    )
    parser.add_argument("src", metavar="SRC_DIR", help="the instructor's lessons (e.g. lessons)")
    parser.add_argument("out", metavar="OUT_DIR", help="where to write (e.g. build/student)")
    args = parser.parse_args(argv)
    try:
        write_student_edition(args.src, args.out)
    except StudentEditionError as err:
        parser.error(str(err))  # exits with status 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
