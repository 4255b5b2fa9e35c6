"""nbgrader grading of a synthesised class (scripts/nbgrader_course.py, `make grade`).

One module, one gradebook: every lesson is released with `assignments` (and its release is
checked for leaked solutions and answers), then one lesson (lesson 2, the fastest) is graded:
a class of six students is made from its source and release, `grade` autogrades them four at a
time, and every student's score in grades.csv must be exactly what their
notebook earns. The answers are the lesson's own (each check cell's ``ganlab.answers``: the
first right and the first wrong answer), so the test follows the lesson when it changes.

About 2 minutes on 2 cores (six executions of lesson 2 with GANLAB_FAST=1, four at a time).
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from student_edition import ANSWERS_KEY, _bound_and_read, exercises  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.grading]

LESSONS = sorted((ROOT / "lessons").glob("*.ipynb"))
LESSON = ROOT / "lessons" / "02_minimax_theory.ipynb"
NAME = LESSON.stem
SCRIPT = ROOT / "scripts" / "nbgrader_course.py"
CHEAT = "exercises.check_value = exercises.check_function = lambda *args, **kwargs: True"


def _answers(nb):
    """Per exercise (in order): its first right answer, its first wrong answer, its points."""
    out = []
    for ex in exercises(nb):
        meta = nb.cells[ex.check].metadata
        answers = meta[ANSWERS_KEY[0]][ANSWERS_KEY[1]]
        points = meta.get("ganlab", {}).get("points", 1)
        out.append((answers["accept"][0], answers["reject"][0], points))
    return out


def _cell(nb, grade_id):
    (cell,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    return cell


def _answered(release, answers, right, *, override=None):
    """The release with exercise k answered right when k is in ``right``, else wrongly."""
    nb = nbformat.from_dict(release)
    for k, (good, bad, _) in enumerate(answers, start=1):
        _cell(nb, f"exercise{k}-answer").source = good if k in right else bad
    for k, source in (override or {}).items():
        _cell(nb, f"exercise{k}-answer").source = source
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Release lesson 2, grade the class; returns (grades by student, course, expected)."""
    tmp = tmp_path_factory.mktemp("grading")
    lessons, course, submitted = tmp / "lessons", tmp / "course", tmp / "submitted"
    lessons.mkdir()
    for path in LESSONS:  # every lesson is released; lesson 2 is graded
        shutil.copy(path, lessons / path.name)
    run = [sys.executable, str(SCRIPT), "--course", str(course)]
    subprocess.run([*run, "assignments", "--lessons", str(lessons)], check=True, cwd=ROOT)

    lesson = nbformat.read(LESSON, as_version=4)
    answers = _answers(lesson)
    n = len(answers)
    assert n >= 3, "the test needs at least three exercises in lesson 2"
    points = [p for _, _, p in answers]
    total = sum(points)
    source = nbformat.read(course / "source" / NAME / LESSON.name, as_version=4)
    release = nbformat.read(course / "release" / NAME / LESSON.name, as_version=4)
    everyone = set(range(1, n + 1))
    odd = set(range(1, n + 1, 2))

    # The deleted cells: exercise 2's test, and the teaching cell that binds a name a later
    # test reads (so that, were it not restored, more than one exercise would fail).
    tests_read = set()
    for k in range(3, n + 1):
        tests_read |= _bound_and_read(lesson.cells[exercises(lesson)[k - 1].check].source)[1]
    teach = next(
        c
        for c in release.cells
        if c.metadata["nbgrader"]["grade_id"].startswith("teach-")
        and c.cell_type == "code"
        and _bound_and_read(c.source)[0] & tests_read
        and not _bound_and_read(c.source)[0] & {"exercises", "np", "theory", "math"}
    )
    deleted = _answered(release, answers, everyone - {2})
    gone = {"exercise2-test", teach.metadata["nbgrader"]["grade_id"]}
    deleted.cells = [c for c in deleted.cells if c.metadata["nbgrader"]["grade_id"] not in gone]
    cheat = _answered(release, answers, {1}, override={1: answers[0][0] + "\n" + CHEAT})
    for c in cheat.cells:
        if c.metadata["nbgrader"]["grade_id"].endswith("-test"):
            c.source = 'print("✓ correct")'

    def score(right):
        return sum(points[k - 1] for k in right)

    students = {
        "instructor": (source, total),  # the source, solutions and hidden tests included
        "untouched": (release, 0),
        "partial": (_answered(release, answers, odd), score(odd)),
        "raises": (
            _answered(release, answers, everyone, override={2: "raise RuntimeError('lost it')"}),
            score(everyone - {2}),
        ),
        "cheater": (cheat, score({1})),  # tests edited to pass, the checks replaced
        "deleted": (deleted, score(everyone - {2})),  # two cells deleted, exercise 2 wrong
    }
    for student, (nb, _) in students.items():
        path = submitted / student / NAME / LESSON.name
        path.parent.mkdir(parents=True)
        nbformat.write(nb, path)
    start = time.perf_counter()
    result = subprocess.run(
        [*run, "grade", str(submitted), "--jobs", "4"], cwd=ROOT, capture_output=True, text=True
    )
    print(result.stdout, result.stderr)
    print(f"graded {len(students)} students in {time.perf_counter() - start:.0f} s")
    assert result.returncode == 0, result.stdout + result.stderr
    with (course / "grades.csv").open() as f:
        rows = list(csv.DictReader(f))
    expected = {s: e for s, (_, e) in students.items()}
    return rows, course, expected, total


def test_grades_csv_has_each_students_exact_score(graded):
    rows, _, expected, total = graded
    got = {r["student"]: (r["lesson"], float(r["score"]), float(r["max_score"])) for r in rows}
    want = {s: (NAME, float(e), float(total)) for s, e in expected.items()}
    assert got == want
    assert len(rows) == len(expected)


def test_feedback_and_gradebook_are_written_per_student(graded):
    _, course, expected, total = graded
    assert (course / "gradebook.db").stat().st_size > 0
    for student, score in expected.items():
        html = (course / "feedback" / student / NAME / f"{NAME}.html").read_text(encoding="utf-8")
        assert f"Score: {score:.1f} / {total:.1f}" in html, student  # nbgrader's header
    # and a wrong answer's feedback carries its check's message
    html = (course / "feedback" / "partial" / NAME / f"{NAME}.html").read_text(encoding="utf-8")
    assert "✗ " in html


def test_edited_and_deleted_cells_are_restored_before_grading(graded):
    _, course, _, _ = graded
    source = nbformat.read(course / "source" / NAME / LESSON.name, as_version=4)
    ids = [c.metadata["nbgrader"]["grade_id"] for c in source.cells]
    tests = {i: c.source for i, c in zip(ids, source.cells, strict=True) if i.endswith("-test")}
    for student in ("cheater", "deleted"):
        nb = nbformat.read(course / "autograded" / student / NAME / LESSON.name, as_version=4)
        got = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells]
        assert got == ids, student  # every cell there, in the source's order
        for c in nb.cells:
            grade_id = c.metadata["nbgrader"]["grade_id"]
            if grade_id in tests:  # the hidden tests are back, and they ran
                assert c.source.endswith(tests[grade_id]), (student, grade_id)
                assert "BEGIN HIDDEN TESTS" in c.source


def test_the_release_shows_no_solution_and_no_expected_answer(graded):
    """Each lesson's release: the lesson's stubs, no solution, no check, the other cells locked."""
    _, course, _, _ = graded
    for path in LESSONS:
        lesson = nbformat.read(path, as_version=4)
        release = nbformat.read(course / "release" / path.stem / path.name, as_version=4)
        exs = exercises(lesson)
        solutions = {ex.solution for ex in exs}
        taught = "\n".join(c.source for i, c in enumerate(lesson.cells) if i not in solutions)
        text = "\n".join(c.source for c in release.cells)
        for k, ex in enumerate(exs, start=1):
            answer = _cell(release, f"exercise{k}-answer")
            assert answer.source.rstrip() == lesson.cells[ex.stub].source.rstrip(), (path, k)
            test = _cell(release, f"exercise{k}-test").source
            assert "check_" not in test and "HIDDEN" not in test, (path, k, test)
            leaked = [
                line
                for line in lesson.cells[ex.solution].source.splitlines()
                if len(line.strip()) > 20 and line not in taught and line in text
            ]
            assert not leaked, (path, k, leaked)
        for c in release.cells:
            assert "answers" not in c.metadata.get("ganlab", {}), path
            if not c.metadata["nbgrader"]["grade_id"].endswith("-answer"):
                assert c.metadata["editable"] is False and c.metadata["deletable"] is False


def _script(*args, cwd=ROOT):
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], cwd=cwd, capture_output=True, text=True
    )


def test_wrong_arguments_are_refused_with_what_to_do(tmp_path):
    result = _script("--course", str(tmp_path / "course"), "grade", str(tmp_path))
    assert (
        result.returncode == 2 and "has no release: run `make assignments` first" in result.stderr
    )
    result = _script(
        "--course", str(tmp_path / "course"), "assignments", "--lessons", str(tmp_path)
    )
    assert result.returncode == 2 and "contains no *.ipynb notebooks" in result.stderr


def test_an_exercise_without_a_check_cannot_be_graded():
    from nbformat.v4 import new_code_cell, new_notebook
    from nbgrader_course import CourseError, course_notebook

    solution = new_code_cell("a = 1", metadata={"tags": ["solution"]})
    nb = new_notebook(cells=[new_code_cell("a = ..."), solution, new_code_cell("print(a)")])
    with pytest.raises(CourseError, match="cell 1 has no check cell; it cannot be graded"):
        course_notebook(nb, "x.ipynb")
