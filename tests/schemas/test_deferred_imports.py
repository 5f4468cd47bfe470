"""Modules great-expectations imports and we never use are imported only when used."""

import os
import subprocess
import sys
import textwrap

import pytest

from schemas.deferred_imports import DeferredModule, defer


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """A package `toy_deferred` with a module `heavy` that counts its imports in `sys`."""
    package = tmp_path / "toy_deferred"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "heavy.py").write_text("import sys\nsys.toy_imports = getattr(sys, 'toy_imports', 0) + 1\nVALUE = 42\n"
                                      "def double(x):\n    return 2 * x\n")  # fmt: skip
    (package / "broken.py").write_text("raise RuntimeError('cannot import')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "toy_imports", 0, raising=False)
    yield "toy_deferred"
    for name in [n for n in sys.modules if n.startswith("toy_deferred")]:
        del sys.modules[name]


def test_a_deferred_module_is_imported_at_its_first_attribute_use_once(toy):
    assert defer([f"{toy}.heavy"]) == [f"{toy}.heavy"]
    from toy_deferred import heavy  # noqa: I001 - what great-expectations does

    import toy_deferred.heavy as again

    assert isinstance(heavy, DeferredModule) and again is heavy and sys.toy_imports == 0
    assert heavy.__spec__.name == f"{toy}.heavy" and heavy.__file__.endswith("heavy.py")  # no import for these
    assert sys.toy_imports == 0
    assert heavy.double(heavy.VALUE) == 84 and sys.toy_imports == 1
    assert heavy.VALUE == 42 and sys.toy_imports == 1  # the stand-in holds the real names now
    assert type(sys.modules[f"{toy}.heavy"]) is not DeferredModule  # the real module, for later imports


def test_a_module_that_fails_to_import_fails_when_used_and_stays_deferred(toy):
    assert defer([f"{toy}.broken"]) == [f"{toy}.broken"]
    from toy_deferred import broken

    with pytest.raises(RuntimeError, match="cannot import"):
        broken.anything  # noqa: B018
    assert sys.modules[f"{toy}.broken"] is broken


def test_only_modules_not_imported_yet_and_found_are_deferred(toy):
    import toy_deferred.heavy as imported

    assert defer([f"{toy}.heavy", f"{toy}.missing", "no_such_package.sub"]) == []
    assert sys.modules[f"{toy}.heavy"] is imported and f"{toy}.missing" not in sys.modules


def test_validation_never_imports_scipy_stats_or_altair_and_they_still_work_when_used():
    code = textwrap.dedent("""
        import sys
        import pandas as pd
        from schemas.expectations import DateWindow, PROFILES
        from transforms.validate import build_frame, runtime
        from tests.pipelines.output_fixture import demo_transactions
        import great_expectations
        txs = [t for t in demo_transactions() if t.source_type == "bank"]
        frame = build_frame(txs, [None] * len(txs), "bank", txs[0].business_date)
        result = runtime().validate(frame, PROFILES["bank"], DateWindow())
        assert result["results"], result
        print(type(sys.modules["scipy.stats"]).__name__, type(sys.modules["altair"]).__name__)
        from scipy import stats
        print(round(stats.entropy([0.5, 0.5], [0.9, 0.1]), 4), type(sys.modules["scipy.stats"]).__name__)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "GX_ANALYTICS_ENABLED": "false"}).stdout.split()  # fmt: skip
    assert out == ["DeferredModule", "DeferredModule", "0.5108", "module"]
