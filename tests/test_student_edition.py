"""The student edition (scripts/student_edition.py, `make student`): solutions removed, outputs
cleared, everything else unchanged; and, executed, it still runs and every check rejects its
stub.

The execution test's rules, for the student edition of each lesson run top to bottom in a fresh
kernel that carries on after errors (as a learner who runs every cell below an unsolved
exercise):

(a) every cell before the first exercise check runs without error;
(b) every check cell that followed a removed solution fails with the AssertionError of a
    ``ganlab.exercises`` check (raised inside ganlab/exercises.py, message ``✗ <name>: ...``)
    saying the exercise is *unanswered* ("not answered yet" for a ``...`` stub, "not
    implemented yet" for a ``raise NotImplementedError`` stub). Anything else is a lesson
    defect: a NameError means the stub does not define a name the check uses; a passing check
    means the stub already holds the answer; another message means the check rejects the stub
    for the wrong reason, and the learner would read "wrong" where "not answered" is meant;
(c) no other cell errors, anywhere. No cell is excused for "depending on a rejected answer":
    a lesson that needs a learner's answer after the exercise must carry on with the package's
    version (as lesson 4 does after exercise 1), or the learner cannot finish the lesson
    without solving it. The static twin of this rule (no later cell reads a name that only a
    solution defines) is checked without a kernel, in
    ``test_lesson_exercises_are_laid_out_for_the_student_edition``;
(d) every exercise's right answers pass its check and its wrong answers fail it. Each check cell
    lists them in its metadata, ``"ganlab": {"answers": {"accept": [CODE, ...], "reject":
    [CODE, ...]}}`` (at least one right answer, typed to the precision the lesson prints, and
    two plausible wrong ones; ``test_every_exercise_lists_right_and_wrong_answers`` checks
    that they are there). In the same execution, right after the check has rejected the stub,
    each CODE runs followed by a copy of the check cell: after an accept CODE the check must
    pass; after a reject CODE it must fail with a ganlab.exercises check's AssertionError that
    calls the answer wrong (not "not answered yet": a wrong answer is not a stub, and a bare
    ``assert`` in the check cell is not the check). A CODE that itself raises is reported. The
    kernel's namespace is saved before the answers and restored before each one and after the
    last, so each answer starts from the stub's state and the cells below see exactly what
    they would without the answers: rules (a)-(c) judge the same execution as before.

The executed tests are marked ``slow`` but are not deselected by default: `pytest tests` (and CI)
runs them; `-m "not slow"` leaves them out for a quick run. Each lesson's student edition is
executed once, whole: with exercises in the middle of a lesson (lesson 4), stopping at the last
check would save only the closing cells, and every cell after an exercise is what rule (c) is
about.
"""

import copy
import importlib.util
import json
import re
import sys
import time
from datetime import datetime
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "lessons").glob("*.ipynb"))
CELL_TIMEOUT = 600  # seconds, per cell


def _load_script():
    spec = importlib.util.spec_from_file_location(
        "student_edition", ROOT / "scripts" / "student_edition.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


se = _load_script()


# --- synthetic notebooks ------------------------------------------------------------------------


def solution(source):
    return new_code_cell(source, metadata={"tags": ["solution"]})


def executed(source, count, text="out\n"):
    cell = new_code_cell(source, execution_count=count)
    cell.outputs = [new_output("stream", name="stdout", text=text)]
    return cell


def lesson_like():
    """A small lesson: setup, an exercise (stub, solution, markdown, check), then more cells."""
    nb = new_notebook(
        cells=[
            new_markdown_cell("# A lesson", metadata={"tags": ["intro"]}),
            executed("import numpy as np\nfrom ganlab import exercises", 1),
            new_markdown_cell("### Exercise 1"),
            new_code_cell("answer = ...  # a number", metadata={"tags": ["answer"]}),
            solution("helper = 2\nanswer = helper / 4"),
            new_markdown_cell("Now check:"),
            executed("exercises.check_value(answer, 0.5, name='half')", 3, "✓ half: correct\n"),
            new_raw_cell("raw text, kept as it is"),
            executed("print(np.pi)", 4),
        ],
        metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
            "custom": {"course": "ganlab"},
        },
    )
    nb.cells[-1].metadata["scrolled"] = True
    nb.cells[6].metadata.update(tags=["check"], ganlab={"answers": ANSWERS})
    return nb


ANSWERS = {"accept": ["answer = 0.500"], "reject": ["answer = -0.5", "answer = 2"]}


def without_answers(cell):
    """``cell`` as the student edition keeps it: without its ``ganlab.answers`` metadata."""
    meta = copy.deepcopy(dict(cell.get("metadata", {})))
    if isinstance(meta.get("ganlab"), dict):
        meta["ganlab"].pop("answers", None)
        if not meta["ganlab"]:
            del meta["ganlab"]
    return {**cell, "metadata": meta}


def write_lessons(directory, **notebooks):
    directory.mkdir(parents=True, exist_ok=True)
    for name, nb in notebooks.items():
        nbformat.write(nb, directory / f"{name}.ipynb")
    return directory


# --- the transformation -------------------------------------------------------------------------


def test_student_notebook_removes_solutions_and_clears_outputs():
    nb = lesson_like()
    before = nbformat.writes(nb)
    student = se.student_notebook(nb)
    assert nbformat.writes(nb) == before, "the instructor's notebook was modified"
    kept = [c for c in nb.cells if "solution" not in c.metadata.get("tags", [])]
    assert [c.id for c in student.cells] == [c.id for c in kept]
    assert not any("solution" in c.metadata.get("tags", []) for c in student.cells)
    assert "helper" not in nbformat.writes(student)
    assert "answer = 0.500" not in nbformat.writes(student), "a right answer is left in"
    assert student.cells[5].metadata == {"tags": ["check"]}  # the answers go, the tag stays
    for mine, theirs in zip(student.cells, kept, strict=True):
        if mine.cell_type == "code":
            assert mine.outputs == [] and mine.execution_count is None
            theirs = {**theirs, "outputs": [], "execution_count": None}
        assert mine == without_answers(theirs), "a cell other than a solution changed"
    assert student.metadata == nb.metadata
    assert (student.nbformat, student.nbformat_minor) == (nb.nbformat, nb.nbformat_minor)


def test_a_notebook_without_solutions_only_loses_its_outputs():
    nb = new_notebook(cells=[new_markdown_cell("# Exercises"), executed("x = 1", 1)])
    student = se.student_notebook(nb)
    assert len(student.cells) == 2
    assert student.cells[0] == nb.cells[0]
    assert student.cells[1].outputs == [] and student.cells[1].source == "x = 1"
    assert se.warnings_for(nb, "nb") == []


def test_only_the_answers_leave_a_cells_ganlab_metadata():
    cells = [
        new_code_cell("x = 1", metadata={"ganlab": {"answers": ANSWERS, "note": "kept"}}),
        new_markdown_cell("text", metadata={"ganlab": {"answers": ANSWERS}}),
        new_code_cell("y = 2", metadata={"ganlab": "not a dict, left alone"}),
    ]
    student = se.student_notebook(new_notebook(cells=cells))
    assert [c.metadata for c in student.cells] == [
        {"ganlab": {"note": "kept"}},
        {},
        {"ganlab": "not a dict, left alone"},
    ]
    assert cells[0].metadata["ganlab"]["answers"] == ANSWERS  # the source is not modified


def test_write_student_edition_writes_every_notebook_in_order(tmp_path):
    src = write_lessons(tmp_path / "lessons", b_second=lesson_like(), a_first=lesson_like())
    (src / "notes.md").write_text("not a notebook")
    originals = {p.name: p.read_bytes() for p in src.iterdir()}
    lines = []
    written = se.write_student_edition(src, tmp_path / "build" / "student", log=lines.append)
    out = tmp_path / "build" / "student"
    assert written == [out / "a_first.ipynb", out / "b_second.ipynb"]
    assert sorted(p.name for p in out.iterdir()) == ["a_first.ipynb", "b_second.ipynb"]
    assert lines == [
        f"a_first.ipynb: 8 cells kept, 1 solution removed -> {out / 'a_first.ipynb'}",
        f"b_second.ipynb: 8 cells kept, 1 solution removed -> {out / 'b_second.ipynb'}",
    ]
    assert {p.name: p.read_bytes() for p in src.iterdir()} == originals, "SRC_DIR changed"
    for path in written:
        source = nbformat.read(src / path.name, as_version=nbformat.NO_CONVERT)
        expected = nbformat.writes(se.student_notebook(source)) + "\n"
        assert path.read_text(encoding="utf-8") == expected  # nbformat's layout, byte for byte


def test_the_written_edition_differs_from_the_source_only_by_removed_lines(tmp_path):
    """Same JSON layout as the lessons: a diff shows the solution cells removed, nothing else."""
    nb = lesson_like()
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    src = write_lessons(tmp_path / "src", lesson=nb)
    [path] = se.write_student_edition(src, tmp_path / "out", log=lambda _: None)
    source_lines = (src / "lesson.ipynb").read_text().splitlines()
    student_lines = path.read_text().splitlines()
    it = iter(source_lines)
    assert all(line in it for line in student_lines), "a line was added or reordered"
    assert len(source_lines) > len(student_lines)


def test_an_older_nbformat_stays_as_it_was(tmp_path):
    """A 4.4 notebook (cells without ids) is neither upgraded nor given ids."""
    nb = lesson_like()
    nb.nbformat_minor = 4
    for cell in nb.cells:
        del cell["id"]
    src = tmp_path / "src"
    src.mkdir()
    (src / "old.ipynb").write_text(json.dumps(nb, indent=1) + "\n")
    [path] = se.write_student_edition(src, tmp_path / "out", log=lambda _: None)
    written = json.loads(path.read_text())
    assert (written["nbformat"], written["nbformat_minor"]) == (4, 4)
    assert len(written["cells"]) == 8 and not any("id" in c for c in written["cells"])


def test_write_student_edition_replaces_its_previous_output(tmp_path):
    src = write_lessons(tmp_path / "src", lesson=lesson_like())
    out = tmp_path / "out"
    se.write_student_edition(src, out, log=lambda _: None)
    (out / "lesson.ipynb").write_text("stale")
    se.write_student_edition(src, out, log=lambda _: None)
    assert len(nbformat.read(out / "lesson.ipynb", as_version=4).cells) == 8


@pytest.mark.parametrize("spelling", ["same", "dot", "symlink"])
def test_refuses_to_overwrite_the_instructors_lessons(tmp_path, spelling):
    src = write_lessons(tmp_path / "lessons", lesson=lesson_like())
    before = (src / "lesson.ipynb").read_bytes()
    out = {"same": src, "dot": src / ".", "symlink": tmp_path / "link"}[spelling]
    if spelling == "symlink":
        out.symlink_to(src)
    with pytest.raises(ValueError, match="OUT_DIR .* is SRC_DIR"):
        se.write_student_edition(src, out, log=lambda _: None)
    assert (src / "lesson.ipynb").read_bytes() == before


def test_refuses_to_write_through_a_link_to_a_lesson(tmp_path):
    src = write_lessons(tmp_path / "lessons", lesson=lesson_like())
    before = (src / "lesson.ipynb").read_bytes()
    out = tmp_path / "out"
    out.mkdir()
    (out / "lesson.ipynb").symlink_to(src / "lesson.ipynb")
    with pytest.raises(ValueError, match="OUT_DIR .*link"):
        se.write_student_edition(src, out, log=lambda _: None)
    assert (src / "lesson.ipynb").read_bytes() == before


@pytest.mark.parametrize(
    "case, argument, words",
    [
        ("missing", "SRC_DIR", "does not exist"),
        ("file", "SRC_DIR", "is not a directory"),
        ("empty", "SRC_DIR", "contains no *.ipynb notebooks"),
        ("out_is_a_file", "OUT_DIR", "is not a directory"),
    ],
)
def test_errors_name_the_argument(tmp_path, case, argument, words):
    src, out = tmp_path / "src", tmp_path / "out"
    if case == "file":
        src.write_text("")
    elif case == "empty":
        src.mkdir()
        (src / "notes.md").write_text("")
    elif case == "out_is_a_file":
        write_lessons(src, lesson=lesson_like())
        out.write_text("")
    with pytest.raises(se.StudentEditionError) as err:
        se.write_student_edition(src, out, log=lambda _: None)
    assert str(err.value).startswith(argument) and words in str(err.value)
    assert isinstance(err.value, ValueError)


def test_command_line(tmp_path, capsys):
    src = write_lessons(tmp_path / "lessons", lesson=lesson_like())
    assert se.main([str(src), str(tmp_path / "out")]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("lesson.ipynb: 8 cells kept, 1 solution removed")
    assert captured.err == ""
    for argv, argument in [([str(src), str(src)], "OUT_DIR"), (["nowhere", "out"], "SRC_DIR")]:
        with pytest.raises(SystemExit) as exit_:
            se.main(argv)
        assert exit_.value.code == 2
        assert f"error: {argument}" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        se.main([str(src)])
    assert exit_.value.code == 2
    assert "required: OUT_DIR" in capsys.readouterr().err


# --- exercise layout and the warnings -----------------------------------------------------------


@pytest.mark.parametrize(
    "source, is_check",
    [
        ("exercises.check_value(a, 1, name='x')", True),
        ("from ganlab import exercises\nganlab.exercises.check_true (ok, name='x')", True),
        ("truth = 3\ncheck_choice(a, 'b', name='x', options=['a', 'b'])", True),
        ("recheck_value(a)", False),
        ("mine.check_value(a)", False),
        ("# no check here", False),
    ],
)
def test_is_check(source, is_check):
    assert se.is_check(new_code_cell(source)) is is_check
    assert se.is_check(new_markdown_cell(source)) is False


def test_exercises_finds_stub_solution_and_check():
    nb = lesson_like()
    assert se.exercises(nb) == [se.Exercise(solution=4, stub=3, check=6)]
    assert se.warnings_for(nb, "nb") == []


def test_warns_about_a_solution_without_a_stub_or_a_check(tmp_path):
    nb = lesson_like()
    nb.cells[3] = new_markdown_cell("(the stub went missing)")
    nb.cells[6] = new_code_cell("print(answer)")  # no check
    warnings = se.warnings_for(nb, "lesson.ipynb")
    assert len(warnings) == 3
    assert warnings[0].startswith("lesson.ipynb cell 4 (solution)") and "no cell" in warnings[0]
    assert "calls no ganlab.exercises check" in warnings[1]
    assert warnings[2].startswith("lesson.ipynb cell 6 reads answer")  # no stub defines it now
    lines = []
    src = write_lessons(tmp_path / "src", lesson=nb)
    se.write_student_edition(src, tmp_path / "out", log=lambda _: None, warn=lines.append)
    assert lines == warnings  # warned, and the edition is still written
    assert (tmp_path / "out" / "lesson.ipynb").exists()


def test_lost_names_are_the_solution_only_names_later_cells_read():
    nb = lesson_like()
    nb.cells.append(new_code_cell("print(helper)"))  # 9: reads the solution's helper
    nb.cells.append(new_code_cell("helper = 3\nprint(helper)"))  # 10: rebinds it first
    nb.cells.append(new_code_cell("print(helper)"))  # 11: reads the rebound one
    assert se.lost_names(nb) == {9: {"helper"}}
    [warning] = se.warnings_for(nb, "nb")
    assert warning.startswith("nb cell 9 reads helper")


@pytest.mark.parametrize(
    "later, lost",
    [
        ("def f(helper):\n    return helper", set()),  # a parameter, not the global
        ("[helper for helper in range(3)]", set()),  # a comprehension's own variable
        ("def f():\n    return helper", {"helper"}),  # a global read inside a function
        ("print(answer)", set()),  # the stub defines answer too
        ("this is not python", set()),
        ("%matplotlib inline\nif True:\n    !ls\nprint(helper)", {"helper"}),  # magics: `pass`
    ],
)
def test_lost_names_respect_scopes(later, lost):
    nb = lesson_like()
    nb.cells.append(new_code_cell(later))
    assert se.lost_names(nb) == ({9: lost} if lost else {})


# --- the real lessons, without a kernel ---------------------------------------------------------


def _tags(cell):
    return cell.get("metadata", {}).get("tags", [])


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_lesson_exercises_are_laid_out_for_the_student_edition(lesson):
    """Stub, then solution, then (after markdown, maybe) a check: the student edition needs it."""
    nb = nbformat.read(lesson, as_version=nbformat.NO_CONVERT)
    cells = nb.cells
    found = se.exercises(nb)
    assert len(found) >= 3, f"{lesson.name}: {len(found)} solution cells; a lesson has >= 3"
    for ex in found:
        where = f"{lesson.name} cell {ex.solution} (solution)"
        assert cells[ex.solution].cell_type == "code", where
        assert ex.stub == ex.solution - 1, f"{where}: the cell before it is not a stub cell"
        stub = cells[ex.stub].source
        assert "..." in stub or "NotImplementedError" in stub, (
            f"{where}: the stub (cell {ex.stub}) leaves nothing for the learner to write "
            f"(no `...`, no `raise NotImplementedError`):\n{stub}"
        )
        assert ex.check is not None, f"{where}: the next code cell calls no exercises.check_"
        between = cells[ex.solution + 1 : ex.check]
        assert all(c.cell_type == "markdown" for c in between), where
        assert "exercises.check_" in cells[ex.check].source, where
    assert se.warnings_for(nb, lesson.name) == []  # includes: no later cell reads a lost name
    student = se.student_notebook(nb)
    kept = [c for c in cells if "solution" not in _tags(c)]
    assert len(student.cells) == len(kept) == len(cells) - len(found)
    for mine, theirs in zip(student.cells, kept, strict=True):
        if theirs.cell_type == "code":
            theirs = {**theirs, "outputs": [], "execution_count": None}
        assert mine == without_answers(theirs)
    assert not any(answers_of(c) for c in student.cells), "right answers left in the edition"


# --- exercise answers: the metadata, without a kernel ---------------------------------------------
#
# Every exercise's check cell carries right and wrong answers in its metadata:
#     "ganlab": {"answers": {"accept": [CODE, ...], "reject": [CODE, ...]}}
# Each CODE is Python run in the student edition's kernel just before a copy of the check cell
# (see "the real lessons, executed" below): after an accept CODE the check must pass, after a
# reject CODE it must fail. At least one right answer (typed to the precision the lesson
# prints) and two plausible wrong ones per exercise.

ANSWER_KINDS = {"accept": 1, "reject": 2}  # kind -> the fewest answers an exercise gives


def answers_of(cell) -> dict | None:
    """The ``ganlab.answers`` metadata of a check cell, or None when it has none."""
    ganlab = cell.get("metadata", {}).get("ganlab")
    return ganlab.get("answers") if isinstance(ganlab, dict) else None


def answer_metadata_problems(nb) -> list[str]:
    """What is missing or malformed in the answers of each exercise's check cell, one line each.

    Exercise check cells are found as the student edition finds them (:func:`se.exercises`: the
    first code cell after a ``solution`` cell, when it calls a ``ganlab.exercises`` check). A
    CODE must be a non-empty string that compiles (IPython magics read as ``pass``); the same
    CODE may not be listed twice, nor as both right and wrong.
    """
    problems = []
    for ex in se.exercises(nb):
        if ex.check is None:  # the layout test reports it
            continue
        where = f"check cell {ex.check} (after solution cell {ex.solution})"
        answers = answers_of(nb.cells[ex.check])
        if answers is None:
            problems.append(f'{where}: no "ganlab": {{"answers": ...}} metadata')
            continue
        if not isinstance(answers, dict):
            problems.append(f"{where}: answers must be a dict, got {type(answers).__name__}")
            continue
        unknown = sorted(set(answers) - set(ANSWER_KINDS))
        if unknown:
            problems.append(f"{where}: unknown answer kinds {unknown} (use accept, reject)")
        seen = {}
        for kind, least in ANSWER_KINDS.items():
            codes = answers.get(kind, [])
            if not isinstance(codes, list):
                problems.append(f"{where}: {kind} must be a list of code strings")
                continue
            if len(codes) < least:
                problems.append(
                    f"{where}: {len(codes)} {kind} answer{'s' * (len(codes) != 1)}; "
                    f"at least {least} needed"
                )
            for k, code in enumerate(codes, 1):
                label = f"{where}: {kind} answer {k}"
                if not isinstance(code, str) or not code.strip():
                    problems.append(f"{label} is not a non-empty string: {code!r}")
                    continue
                try:
                    compile(se._MAGIC_LINE.sub(r"\1pass", code), "<answer>", "exec")
                except SyntaxError as err:
                    problems.append(f"{label} is not valid Python ({err.msg}):\n{code}")
                if code.strip() in seen:
                    problems.append(f"{label} repeats {seen[code.strip()]}:\n{code}")
                else:
                    seen[code.strip()] = f"{kind} answer {k}"
    return problems


def test_answer_metadata_problems_finds_each_kind_of_gap():
    def with_answers(answers):
        nb = lesson_like()
        nb.cells[6].metadata["ganlab"] = {"answers": answers}
        if answers is None:
            del nb.cells[6].metadata["ganlab"]
        return answer_metadata_problems(nb)

    good = ANSWERS
    assert with_answers(good) == []
    assert with_answers({**good, "accept": ["%time answer = 0.5"]}) == []  # a magic is fine
    cases = [
        (None, 'no "ganlab": {"answers": ...} metadata'),
        ({"reject": good["reject"]}, "0 accept answers; at least 1 needed"),
        ({**good, "reject": ["answer = 2"]}, "1 reject answer; at least 2 needed"),
        ({**good, "reject": "answer = 2"}, "reject must be a list"),
        ({**good, "reject": ["answer = 2", "  "]}, "reject answer 2 is not a non-empty string"),
        ({**good, "reject": ["answer = 2", 3]}, "reject answer 2 is not a non-empty string"),
        ({**good, "reject": ["answer = 2", "answer = "]}, "reject answer 2 is not valid Python"),
        ({**good, "reject": ["answer = 2", "answer = 0.500"]}, "reject answer 2 repeats accept"),
        ({**good, "rejects": ["x = 1"]}, "unknown answer kinds ['rejects']"),
        (["answer = 0.5"], "answers must be a dict"),
    ]
    for answers, words in cases:
        problems = with_answers(answers)
        assert len(problems) == 1 and problems[0].startswith(
            "check cell 6 (after solution cell 4): "
        ), problems
        assert words in problems[0], (words, problems)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_every_exercise_lists_right_and_wrong_answers(lesson):
    """Each check cell: >= 1 right answer and >= 2 plausible wrong ones, for the executed test."""
    nb = nbformat.read(lesson, as_version=nbformat.NO_CONVERT)
    assert se.exercises(nb), f"{lesson.name}: no exercises"
    problems = answer_metadata_problems(nb)
    assert not problems, f"{lesson.name}:\n" + "\n".join(problems)


# --- the real lessons, executed -----------------------------------------------------------------

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_UNANSWERED = ("not answered yet", "not implemented yet")


def _error(cell):
    return next((o for o in cell.get("outputs", []) if o.output_type == "error"), None)


def _last_frame(error) -> str:
    """The last frame header of an IPython traceback (``File ...:N, in f(...)`` or ``Cell In``)."""
    text = _ANSI.sub("", "\n".join(error.get("traceback", [])))
    frames = re.findall(r"^(?:File .*|Cell In\[\d+\].*)$", text, flags=re.MULTILINE)
    return frames[-1] if frames else ""


def _describe(i, cell, error) -> str:
    head = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
    return f"cell {i} ({head[:70]!r}) raised {error.ename}: {error.evalue[:300]}"


def _check_fails(error) -> str | None:
    """None when ``error`` is the AssertionError of a ganlab.exercises check, else what it is."""
    if error is None:
        return "ran without error"
    if error.ename != "AssertionError":
        return f"{error.ename} instead of a check's AssertionError: {error.evalue[:300]}"
    frame = _last_frame(error)
    if not re.search(r"ganlab[/\\]exercises\.py", frame) or not error.evalue.startswith("✗ "):
        return f"an AssertionError not raised by a ganlab.exercises check (raised at {frame!r})"
    return None


def _unanswered(error) -> bool:
    return any(w in error.evalue for w in _UNANSWERED)


def _check_rejects_stub(error) -> str | None:
    """None when ``error`` is a ganlab.exercises check rejecting an unanswered stub."""
    if error is not None and error.ename == "NameError":
        return (
            f"NameError: {error.evalue}: the stub does not define a name the check uses "
            f"(lesson defect: define it in the stub)"
        )
    problem = _check_fails(error)
    if problem == "ran without error":
        return f"{problem}: the check accepted the stub (does the stub hold the answer?)"
    if problem is None and not _unanswered(error):
        return f"the check rejected the stub, but not as unanswered: {error.evalue[:300]}"
    return problem


# The answers of each exercise (its check cell's metadata) are tried in the same execution, right
# after the check has rejected the stub. The kernel's namespace is saved there and restored
# before each answer and after the last, so each answer starts from the state a learner's own
# answer would, no answer leaks into the next, and the cells below run exactly as they would
# without the answers (rules (a)-(c) are unaffected). The restore is shallow: an answer must not
# mutate the lesson's objects in place (they are answers: they bind names).
_SAVED = "__ganlab_answers_namespace"
_SAVE = f"{_SAVED} = dict(globals())"
_RESTORE = (  # a lambda: after globals().clear() a top-level statement could not read the copy
    f"(lambda saved: (globals().clear(), globals().update(saved), "
    f"globals().__setitem__({_SAVED!r}, saved)))(globals()[{_SAVED!r}])"
)
_RESTORE_LAST = f"{_RESTORE}\ndel {_SAVED}"


def _answer_problem(kind, code_error, check_error) -> str | None:
    """Why one answer misbehaved (its CODE's error, then its check's), or None."""
    if code_error is not None:
        return f"the answer's code itself raised {code_error.ename}: {code_error.evalue[:300]}"
    if kind == "accept":
        if check_error is None:
            return None
        return f"the check rejected it: {check_error.ename}: {check_error.evalue[:300]}"
    problem = _check_fails(check_error)
    if problem == "ran without error":
        return "the check accepted it"
    if problem is None and _unanswered(check_error):
        return f"the check read it as unanswered, not wrong: {check_error.evalue[:200]}"
    return problem


def _seconds(cell) -> float:
    """How long an executed cell ran (nbclient's timestamps), 0 when it has none."""
    t = cell.get("metadata", {}).get("execution", {})
    try:
        start = datetime.fromisoformat(t["iopub.execute_input"])
        return (datetime.fromisoformat(t["shell.execute_reply"]) - start).total_seconds()
    except (KeyError, TypeError, ValueError):
        return 0.0


def _indent(code: str) -> str:
    return "\n".join("    | " + line for line in code.splitlines())


def student_edition_problems(nb, cwd) -> list[str]:
    """Execute the student edition of instructor's notebook ``nb``; what breaks the rules.

    Rules (a)-(c) (see the module's docstring), and, at each check cell whose metadata lists
    answers: every ``accept`` CODE, run just before a copy of the check cell, lets it pass;
    every ``reject`` CODE makes it fail with a ganlab.exercises check's AssertionError for a
    wrong answer (not "not answered yet": a wrong answer, not a stub). A CODE that raises is
    reported too.

    A fresh kernel runs every cell in ``cwd``, carrying on after errors (allow_errors), with
    GANLAB_FAST=1 and MPLBACKEND=Agg (the caller sets them: the kernel inherits the
    environment). Returns one line per problem (an answer's with its code), empty when the
    edition behaves.
    """
    from nbclient import NotebookClient

    kept = [i for i, c in enumerate(nb.cells) if "solution" not in _tags(c)]
    index = {orig: new for new, orig in enumerate(kept)}  # instructor's index -> student's
    checks = {index[ex.check]: ex for ex in se.exercises(nb) if ex.check is not None}
    if not checks:
        return ["no exercise checks"]
    student = se.student_notebook(nb)
    # The notebook executed: the student edition with, after each check cell that lists
    # answers, a save, then for each answer a restore, its CODE and a copy of the check, then a
    # last restore. roles[j] says what executed cell j is.
    run, roles = copy.deepcopy(student), []
    run.cells = []
    for i, cell in enumerate(student.cells):
        run.cells.append(cell)
        roles.append(("cell", i))
        answers = answers_of(nb.cells[checks[i].check]) if i in checks else None  # not in `cell`
        if not isinstance(answers, dict):
            continue
        tried = [
            (kind, k, code)
            for kind in ("reject", "accept")  # a leak from a wrong answer would show
            for k, code in enumerate(answers.get(kind) or [], 1)
            if isinstance(code, str) and code.strip()
        ]
        run.cells.append(new_code_cell(_SAVE))
        roles.append(("machinery", i))
        for kind, k, code in tried:
            run.cells.append(new_code_cell(_RESTORE))
            roles.append(("machinery", i))
            run.cells.append(new_code_cell(code))
            roles.append(("code", i, kind, k, code))
            run.cells.append(new_code_cell(cell.source))
            roles.append(("check", i, kind, k, code))
        run.cells.append(new_code_cell(_RESTORE_LAST))
        roles.append(("machinery", i))
    NotebookClient(
        run,
        timeout=CELL_TIMEOUT,
        allow_errors=True,  # carry on after a rejected stub, as a learner running every cell
        resources={"metadata": {"path": str(cwd)}},
    ).execute()
    added = [c for c, role in zip(run.cells, roles, strict=True) if role[0] != "cell"]
    print(
        f"{sum(role[0] == 'check' for role in roles)} answers tried, in "
        f"{sum(_seconds(c) for c in added):.0f} s of {sum(_seconds(c) for c in run.cells):.0f} s"
    )
    first_check = min(checks)
    problems = []
    for j, (cell, role) in enumerate(zip(run.cells, roles, strict=True)):
        i = role[1]
        ex = checks.get(i)
        where = (
            f"check cell {i} (instructor's cell {ex.check}, after solution cell {ex.solution})"
            if ex
            else ""
        )
        error = _error(cell)
        if role[0] == "cell" and cell.cell_type == "code":
            if ex:  # rule (b)
                problem = _check_rejects_stub(error)
                if problem:
                    problems.append(f"{where}: {problem}")
            elif error is not None:  # rules (a) and (c)
                rule = "before the first exercise check" if i < first_check else "not a check"
                problems.append(f"{_describe(i, cell, error)} [{rule}]")
        elif role[0] == "machinery" and error is not None:
            problems.append(f"{where}: the test's namespace save/restore raised {error.ename}")
        elif role[0] == "check":
            _, _, kind, k, code = role
            problem = _answer_problem(kind, _error(run.cells[j - 1]), error)
            if problem:
                problems.append(f"{where}: {kind} answer {k}: {problem}\n{_indent(code)}")
    return problems


@pytest.fixture
def lesson_env(monkeypatch):
    monkeypatch.setenv("GANLAB_FAST", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")


@pytest.mark.slow
@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_student_edition_runs_to_each_exercise_and_rejects_each_stub(lesson, lesson_env):
    """Rules (a)-(d), in one execution of the lesson's student edition."""
    nb = nbformat.read(lesson, as_version=4)
    start = time.perf_counter()
    problems = student_edition_problems(nb, lesson.parent)  # the lesson's directory, as nbval
    print(f"{lesson.name}: student edition executed in {time.perf_counter() - start:.0f} s")
    assert not problems, f"{lesson.name}, student edition:\n" + "\n".join(problems)


@pytest.mark.slow
def test_the_execution_rules_catch_each_kind_of_lesson_defect(tmp_path, lesson_env):
    """The rules above, on a small notebook with one exercise of each kind, executed."""
    cells = [new_code_cell("import math\nfrom ganlab import exercises")]

    def exercise(stub, check):
        cells.extend([new_code_cell(stub), solution("pass"), new_code_cell(check)])

    check = "exercises.check_value({}, 0.5, name='half')"
    # Two good exercises: rejected as "not answered yet" and as "not implemented yet".
    exercise("a = ...", check.format("a"))
    exercise(
        "def f(x):\n    raise NotImplementedError",
        "exercises.check_function(f, math.sqrt, [(4.0,)], name='root')",
    )
    # Five defects: the stub holds the answer; the stub does not define what the check reads;
    # a bare assert in the check cell, not a check; the check rejects the stub as wrong, not
    # as unanswered; the check cell fails before its check.
    exercise("b = 0.5", check.format("b"))
    exercise("c = ...", check.format("c_misspelt"))
    exercise("d = ...", "assert d is not ..., 'answer first'\n" + check.format("d"))
    exercise("e = None", check.format("e"))
    exercise("g = ...", "1 / 0\n" + check.format("g"))
    # And a cell that needs a rejected answer, and one that fails before the first check.
    cells.append(new_code_cell("print(a + 1)"))
    cells.insert(1, new_code_cell("raise RuntimeError('setup broke')"))
    problems = student_edition_problems(new_notebook(cells=cells), tmp_path)
    expected = [
        "cell 1 (\"raise RuntimeError('setup broke')\") raised RuntimeError: setup broke "
        "[before the first exercise check]",
        "check cell 7 (instructor's cell 10, after solution cell 9): ran without error",
        "check cell 9 (instructor's cell 13, after solution cell 12): NameError",
        "check cell 11 (instructor's cell 16, after solution cell 15): an AssertionError not "
        "raised by a ganlab.exercises check",
        "check cell 13 (instructor's cell 19, after solution cell 18): the check rejected the "
        "stub, but not as unanswered: ✗ half: the answer is None",
        "check cell 15 (instructor's cell 22, after solution cell 21): ZeroDivisionError",
        "cell 16 ('print(a + 1)') raised TypeError",
    ]
    assert len(problems) == len(expected), "\n".join(problems)
    for got, want in zip(problems, expected, strict=True):
        assert got.startswith(want), (got, want)


@pytest.mark.slow
def test_the_answers_test_catches_each_kind_of_bad_answer_or_check(tmp_path, lesson_env):
    """Right answers a check rejects and wrong ones it accepts are reported, with their code.

    And the answers leave no trace: each starts from the stub's state (an answer that rebinds a
    lesson variable does not reach the next one), and the cells below the exercise see the
    stub's state, not an answer's, so rule (c) still catches a cell that reads the answer.
    """
    cells = [new_code_cell("import math\nfrom ganlab import exercises\nscale = 1.0")]

    def exercise(stub, check, accept, reject):
        answers = {"answers": {"accept": accept, "reject": reject}}
        cells.extend([new_code_cell(stub), solution("pass")])
        cells.append(new_code_cell(check, metadata={"ganlab": answers}))

    # A good exercise. Its first wrong answer rebinds `scale`, which the check reads: if that
    # leaked into the right answers (tried after the wrong ones), 1.386 would be rejected.
    exercise(
        "a = ...",
        "exercises.check_value(a, 2 * math.log(2) * scale, name='two logs')",
        accept=["a = 1.386", "a = 1.39\n"],
        reject=["scale = 2.0\na = 1.386", "a = -1.386", "a = 0.693"],
    )
    # A function exercise whose answers find: a right answer rejected (1 % off), a wrong one
    # accepted (the check's cases never reach a negative x), a stub listed as a wrong answer,
    # and two answers whose code is broken.
    exercise(
        "def f(x):\n    raise NotImplementedError",
        "exercises.check_function(f, math.sqrt, [(4.0,), (2.0,)], name='root')",
        accept=["def f(x):\n    return x**0.5", "def f(x):\n    return 1.01 * math.sqrt(x)"],
        reject=[
            "def f(x):\n    return x / 2",
            "def f(x):\n    return abs(x) ** 0.5",
            "def f(x):\n    raise NotImplementedError",
            "def f(x) return x",
            "f = g_undefined",
        ],
    )
    # A check cell whose own bare assert, not the check, rejects a wrong answer.
    exercise(
        "b = ...",
        "assert b != 0, 'zero'\nexercises.check_value(b, 0.5, name='half')",
        accept=["b = 0.500"],
        reject=["b = 0", "b = 0.25"],
    )
    cells.append(new_code_cell("assert scale == 1.0, 'an answer leaked into the lesson'"))
    cells.append(new_code_cell("print(a + 1)"))  # reads the unanswered stub: rule (c)
    problems = student_edition_problems(new_notebook(cells=cells), tmp_path)
    root = "check cell 4 (instructor's cell 6, after solution cell 5): "
    expected = [
        root + "reject answer 2: the check accepted it\n    | def f(x):\n    |     return abs(x)",
        root + "reject answer 3: the check read it as unanswered, not wrong: ✗ root: not impl",
        root + "reject answer 4: the answer's code itself raised SyntaxError",
        root + "reject answer 5: the answer's code itself raised NameError",
        root + "accept answer 2: the check rejected it: AssertionError: ✗ root: on case 1 of 2",
        "check cell 6 (instructor's cell 9, after solution cell 8): reject answer 1: an "
        "AssertionError not raised by a ganlab.exercises check",
        "cell 8 ('print(a + 1)') raised TypeError",
    ]
    assert len(problems) == len(expected), "\n".join(problems)
    for got, want in zip(problems, expected, strict=True):
        assert got.startswith(want), (got, want)
