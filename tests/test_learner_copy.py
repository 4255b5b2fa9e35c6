"""`make lab`'s working copy (scripts/learner_copy.py): made once from the student edition,
never overwritten, so a learner's answers survive the next `make lab`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from learner_copy import learner_copy  # noqa: E402


def test_the_copy_is_made_once_and_a_learners_work_is_kept(tmp_path):
    student, work = tmp_path / "student", tmp_path / "my-lessons"
    student.mkdir()
    (student / "01_a.ipynb").write_text("edition 1")
    assert learner_copy(student, work, log=lambda line: None) == [work / "01_a.ipynb"]
    (work / "01_a.ipynb").write_text("my answers")
    (student / "01_a.ipynb").write_text("edition 2")  # `make student` ran again
    (student / "02_b.ipynb").write_text("a new lesson")
    assert learner_copy(student, work, log=lambda line: None) == [work / "02_b.ipynb"]
    assert (work / "01_a.ipynb").read_text() == "my answers"
    assert (work / "02_b.ipynb").read_text() == "a new lesson"


def test_a_missing_student_edition_is_an_error_naming_it(tmp_path):
    with pytest.raises(ValueError, match="STUDENT_DIR .* holds no \\*.ipynb notebooks"):
        learner_copy(tmp_path / "nowhere", tmp_path / "work")
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "learner_copy.py"), str(tmp_path), "w"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "run `make student`" in result.stderr


def test_make_lab_opens_the_learners_copy_and_lab_instructor_the_lessons():
    dry = subprocess.run(
        ["make", "-n", "lab", "lab-instructor"], cwd=ROOT, capture_output=True, text=True
    )
    lines = dry.stdout.splitlines()
    assert any("learner_copy.py build/student my-lessons" in line for line in lines), lines
    labs = [line.split()[-1] for line in lines if "jupyter lab" in line]
    assert labs == ["my-lessons/", "lessons/"], lines
