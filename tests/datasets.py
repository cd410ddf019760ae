"""Where the shared datasets are, for the tests that read them (Wikinews).

A checkout at /work/main has them beside it (../shared); a clean clone elsewhere on the same
machine, as CI makes, finds them at $VEILLE_SHARED or the workspace's /work/shared. Tests that
need them skip only when none of these holds them.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _shared_datasets() -> Path:
    candidates = [ROOT.parent / "shared", Path(os.environ.get("VEILLE_SHARED", "/work/shared"))]
    for base in candidates:
        if (base / "datasets" / "wikinews-fr").is_dir():
            return base / "datasets"
    return candidates[0] / "datasets"


SHARED_DATASETS = _shared_datasets()
WIKINEWS = SHARED_DATASETS / "wikinews-fr"
