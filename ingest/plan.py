"""Which folders and files one ingest syncs: each path once, nested folders with their parent.

`veille ingest C C` syncs C once; `veille ingest A A/sub` syncs A (which holds A/sub); a bare
`veille ingest --rebuild` syncs every folder the store holds, and says which no longer exist.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import VeilleError
from assistant.types import SkippedFile
from ingest.files import PathError, check_path

if TYPE_CHECKING:
    from assistant.store import DocumentRecord

Plan = list[tuple[Path, list[Path] | None]]
"""(root, explicit files or None for "walk the whole folder"), in the order given."""


class IngestError(VeilleError):
    """The run cannot start (missing folder, refusing to empty the store); nothing was changed."""


def stored_roots(documents: dict[str, DocumentRecord], skipped: list[SkippedFile]) -> Plan:
    """The folders a store holds, for a rebuild given no path; missing ones are reported."""
    roots = sorted({r.root for r in documents.values() if r.root})
    if not roots:
        msg = "the store holds no folder to rebuild; give the folders: veille ingest --rebuild PATH"
        raise IngestError(msg)
    present = []
    for root in roots:
        if Path(root).is_dir():
            present.append(Path(root))
        else:
            n = sum(1 for r in documents.values() if r.root == root)
            skipped.append(
                SkippedFile(root, f"folder no longer exists: its {n} documents were removed")
            )
    return plan_paths(present)


def plan_paths(paths: list[Path]) -> Plan:
    """(root, explicit files or None for "walk the folder") for each path, each synced once.

    Raises:
        IngestError: A path does not exist, is a symlink loop or is not valid UTF-8.
    """
    folders: list[Path] = []
    files: list[Path] = []
    for path in paths:
        try:
            root, given = check_path(path)
        except PathError as exc:
            raise IngestError(exc.message, exc.hint) from None
        group, resolved = (folders, root) if given is None else (files, given[0])
        if resolved not in group:
            group.append(resolved)
    # A folder inside another given folder is synced with it (nested roots).
    folders = [f for f in folders if not any(f != g and f.is_relative_to(g) for g in folders)]
    plan: Plan = [(f, None) for f in folders]
    by_parent: dict[Path, list[Path]] = {}
    for file in files:
        if not any(file.is_relative_to(g) for g in folders):
            by_parent.setdefault(file.parent, []).append(file)
    plan.extend(by_parent.items())
    return plan


def under(doc_id: str, folder: Path) -> bool:
    """Whether a document (its id is its absolute path) lies in `folder`."""
    return Path(doc_id).is_relative_to(folder)
