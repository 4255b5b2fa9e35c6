"""An nbgrader preprocessor that puts back every cell a student deleted, in its place.

nbgrader's own ``OverwriteCells.add_missing_cells`` restores deleted *grade* cells only, and
fails (``KeyError``) when the cell above the deleted one is a read-only cell. In the course's
assignments every cell carries an nbgrader id (teaching cells are read-only, answer cells and
test cells are graded), so the whole notebook can be put back: a deleted teaching cell, test
cell or answer cell returns at its place in the source notebook, the answer cell as the release
stub (the gradebook keeps answer cells with their solutions cleared). Code cells get a comment
saying the grader restored them.

Used by the nbgrader_config.py that ``scripts/nbgrader_course.py`` writes, as the autograder's
``OverwriteCells`` step.
"""

from __future__ import annotations

import json
from pathlib import Path

from nbformat import NotebookNode
from nbgrader.nbgraderformat import MetadataValidator
from nbgrader.preprocessors import OverwriteCells
from traitlets import Unicode

NOTE = "# The grader restored this cell: it was missing from the submission."


class RestoreCells(OverwriteCells):
    """``OverwriteCells``, then every source cell missing from the submission put back."""

    course_root = Unicode("", help="The nbgrader course directory (its source/ folder)").tag(
        config=True
    )

    def add_missing_grade_cells(self, nb, resources):
        # The source notebook gives the order; the gradebook gives each cell's stored version.
        path = Path(self.course_root) / "source" / self.assignment_id / f"{self.notebook_id}.ipynb"
        order = [
            c["metadata"]["nbgrader"]["grade_id"]
            for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
            if "grade_id" in c.get("metadata", {}).get("nbgrader", {})
        ]
        source_nb = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
        stored = {c.name: c for c in source_nb.source_cells}
        points = {c.name: c.max_score for c in source_nb.grade_cells}
        answers = {c.name for c in source_nb.solution_cells}

        def ids():
            return [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]

        present = set(ids())
        for k, grade_id in enumerate(order):
            if grade_id in present or grade_id not in stored:
                continue
            self.log.warning("Cell %s was missing from the submission: restored", grade_id)
            # after the nearest earlier source cell that the submission has (or at the top)
            where, now = 0, ids()
            for earlier in reversed(order[:k]):
                if earlier in now:
                    where = now.index(earlier) + 1
                    break
            nb.cells.insert(
                where, self._restored(stored[grade_id], points.get(grade_id), grade_id in answers)
            )
            present.add(grade_id)
        return nb, resources

    def add_missing_task_cells(self, nb, resources):
        return nb, resources  # no task cells in the course; the above restored everything

    @staticmethod
    def _restored(source_cell, points, is_answer) -> NotebookNode:
        meta = {
            "grade": points is not None,
            "grade_id": source_cell.name,
            "locked": source_cell.locked,
            "solution": is_answer,
            "checksum": source_cell.checksum,
            "schema_version": 3,
        }
        if points is not None:
            meta["points"] = points
        cell = {
            "cell_type": source_cell.cell_type,
            "metadata": {"nbgrader": meta},
            "source": source_cell.source,
        }
        if source_cell.locked:
            cell["metadata"].update(deletable=False, editable=False)
        if source_cell.cell_type == "code":
            cell.update(execution_count=None, outputs=[], source=f"{NOTE}\n{source_cell.source}")
        return MetadataValidator().upgrade_cell_metadata(NotebookNode(cell))
