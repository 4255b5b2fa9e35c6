"""A learner's working copy of the student edition: made once, never overwritten.

Usage::

    python scripts/learner_copy.py STUDENT_DIR WORK_DIR    # `make lab`: build/student my-lessons

Copies every ``*.ipynb`` of STUDENT_DIR (the student edition, ``make student``) into WORK_DIR
*unless WORK_DIR already has a notebook of that name*: a learner's notebook, with their answers,
is never replaced. A lesson added to the course later is copied on the next run. To start a
lesson afresh, delete (or rename) its notebook in WORK_DIR and run again. Exit status 0, or 2
when an argument is wrong.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path


def learner_copy(src: Path, work: Path, log=print) -> list[Path]:
    """Copy the notebooks of ``src`` missing from ``work``; return the ones copied."""
    notebooks = sorted(src.glob("*.ipynb")) if src.is_dir() else []
    if not notebooks:
        raise ValueError(f"STUDENT_DIR {str(src)!r} holds no *.ipynb notebooks: run `make student`")
    if work.exists() and not work.is_dir():
        raise ValueError(f"WORK_DIR {str(work)!r} exists and is not a directory")
    work.mkdir(parents=True, exist_ok=True)
    copied = []
    for path in notebooks:
        target = work / path.name
        if target.exists() or target.is_symlink():
            log(f"{target}: kept (your copy)")
            continue
        shutil.copyfile(path, target)
        copied.append(target)
        log(f"{target}: new, from {path}")
    return copied


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="learner_copy.py", description=__doc__.split("\n")[0])
    parser.add_argument("src", type=Path, metavar="STUDENT_DIR")
    parser.add_argument("work", type=Path, metavar="WORK_DIR")
    args = parser.parse_args(argv)
    try:
        learner_copy(args.src, args.work)
    except ValueError as err:
        parser.error(str(err))
    return 0


if __name__ == "__main__":
    sys.exit(main())
