"""The headless core never imports a UI: proven in a fresh interpreter per module."""

import pkgutil
import subprocess
import sys

import pytest

import assistant
import ingest

CORE = sorted(
    f"{pkg.__name__}.{m.name}"
    for pkg in (assistant, ingest)
    for m in pkgutil.iter_modules(pkg.__path__)
)


@pytest.mark.parametrize("module", CORE)
def test_core_module_does_not_import_textual(module: str):
    code = (
        f"import sys, importlib; importlib.import_module({module!r}); "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'tui', 'evals')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_core_list_is_not_empty():
    assert "assistant.answer" in CORE
    assert "ingest.sync" in CORE
