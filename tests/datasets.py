"""Where the shared datasets are, for the tests that read them (Wikinews), and samples of them.

A checkout at /work/main has them beside it (../shared); a clean clone elsewhere on the same
machine, as CI makes, finds them at $VEILLE_SHARED or the workspace's /work/shared. Tests that
need them skip only when none of these holds them.
"""

from __future__ import annotations

import os
import random
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _shared_datasets() -> Path:
    candidates = [ROOT.parent / "shared", Path(os.environ.get("VEILLE_SHARED", "/work/shared"))]
    for base in candidates:
        if (base / "datasets" / "wikinews-fr").is_dir():
            return base / "datasets"
    return candidates[0] / "datasets"


SHARED_DATASETS = _shared_datasets()
WIKINEWS = SHARED_DATASETS / "wikinews-fr"


def sample_wikinews(corpus: Path, count: int, *, seed: int) -> Path:
    """Copy `count` dated Wikinews articles, chosen at random with `seed`, into `corpus`.

    Only the articles (file names like 2017_11_22-001.txt, whose date they carry) are drawn,
    always the same ones for one seed; their folders under the corpus are kept. The calling
    test is skipped when the shared corpus is not on this machine.

    Returns:
        `corpus`, ready to ingest.
    """
    if not WIKINEWS.is_dir():
        pytest.skip("the shared Wikinews corpus is not here")
    files = sorted(
        p for p in WIKINEWS.rglob("*.txt") if re.fullmatch(r"\d{4}_\d\d_\d\d-\d+\.txt", p.name)
    )
    for path in random.Random(seed).sample(files, count):
        target = corpus / path.relative_to(WIKINEWS)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return corpus
