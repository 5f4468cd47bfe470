"""examples/analyst.ipynb runs top to bottom in a real Jupyter kernel against a small run output."""

import os

import nbformat
from nbclient import NotebookClient

from tests.conftest import make_list
from tests.pipelines.output_fixture import demo_entries, demo_transactions, write_day

NOTEBOOK = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "analyst.ipynb")


def test_notebook_executes_and_shows_the_country(tmp_path, monkeypatch):
    write_day(str(tmp_path / "out"), "2026-11-27", demo_transactions(), [make_list(demo_entries())])
    monkeypatch.setenv("FIU_OUTPUT_ROOT", str(tmp_path / "out"))
    monkeypatch.setenv("FIU_COUNTRY", "NL")
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the inline backend: plots become outputs
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")  # stored without outputs
    NotebookClient(nb, timeout=180, kernel_name="python3",
                   resources={"metadata": {"path": os.path.dirname(NOTEBOOK)}}).execute()  # fmt: skip
    text = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "2 alerts for NL, 2026-11-27..2026-11-27" in text
    assert any("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert not any(o.get("output_type") == "error" for c in nb.cells if c.cell_type == "code" for o in c.outputs)
