"""The command that shows a document outside the app: `$EDITOR` or `$PAGER`, at the cited line.

Editors and pagers that understand `+LINE` are given it; others just get the file.
"""

from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

_PLUS_LINE = frozenset(
    {
        "vi",
        "vim",
        "nvim",
        "nano",
        "emacs",
        "emacsclient",
        "micro",
        "kak",
        "mg",
        "ne",
        "joe",
        "jed",
        "hx",
        "helix",
        "more",
        "most",
    }
)


def viewer_command(
    path: Path, line: int = 1, env: Mapping[str, str] | None = None
) -> list[str] | None:
    """The argv opening `path` at `line`: $VISUAL, $EDITOR, $PAGER or less (None: none exists)."""
    env = os.environ if env is None else env
    for variable in ("VISUAL", "EDITOR", "PAGER"):
        value = env.get(variable, "").strip()
        if value:
            argv = shlex.split(value)
            break
    else:
        argv = ["less"]
    if not argv or shutil.which(argv[0], path=env.get("PATH")) is None:
        return None
    program = Path(argv[0]).name
    if program == "less":
        argv.append(f"+{line}g")  # less runs "Ng": go to line N
    elif program in _PLUS_LINE:
        argv.append(f"+{line}")
    return [*argv, str(path)]
