"""Find the documents under a folder: which files to load, and which to skip and why.

`walk(root)` lists the candidate files under one ingested root (hidden names skipped), and says
what it could not look at: a subfolder it cannot read is reported as unreadable, never as
emptied, so the sync keeps what was indexed from it. Anything that is not a plain file or
folder is skipped with a one-line reason before any code opens it: a name that is not valid
UTF-8 (it could not be stored or printed), a fifo or device (opening it would block), a
symlink that leads out of the root (unless `follow_links`), a symlink loop.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import VeilleError
from assistant.types import SkippedFile

BAD_NAME = "file name is not valid UTF-8"
CANNOT_READ = "cannot read"
NOT_REGULAR = "not a regular file"
OUTSIDE_LINK = "symlink to outside the folder (pass --follow-links to include it)"
LINK_LOOP = "symlink loop"
BROKEN_LINK = "broken symlink (its target does not exist)"
INSIDE_FOLDER_LINK = "symlink to a folder inside the folder (its files are indexed there)"


class PathError(VeilleError):
    """A path given on the command line cannot be ingested; nothing was changed."""


@dataclass(frozen=True, slots=True)
class WalkResult:
    """What `walk` found under one root.

    Attributes:
        files: Regular files to consider, sorted, as paths under the root.
        skipped: Entries not considered, with a one-line reason each (shown to the user).
        unreadable: Folders under the root that could not be listed, and entries that could
            not be examined: documents indexed from them (the path itself, or under it) must
            be kept, not treated as deleted.
    """

    files: list[Path] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    unreadable: list[Path] = field(default_factory=list)


def display_path(path: Path | str) -> str:
    """`path` as printable text: bytes that are not UTF-8 shown as `\\xff` escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def is_valid_utf8(path: Path | str) -> bool:
    """Whether the name came from valid UTF-8 bytes (else it holds lone surrogates)."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "a fifo"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ):
        if test(mode):
            return name
    return "a special file"


def check_path(path: Path) -> tuple[Path, list[Path] | None]:
    """The root to sync for a path given by the user, and its files (None: walk the folder).

    A file is synced alone under its folder; a fifo or device given by name is returned as a
    file too, so that the loader skips it with its reason (its size is 0, so nothing reads it).
    Links in a path given explicitly are followed: the user named it.

    Raises:
        PathError: The path does not exist, is a symlink loop, or is not valid UTF-8.
    """
    shown = display_path(path)
    if not is_valid_utf8(path):
        msg = f"{shown}: the path is not valid UTF-8; rename it to ingest it"
        raise PathError(msg)
    expanded = path.expanduser()
    try:
        mode = expanded.stat().st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            msg = f"{shown}: {LINK_LOOP}"
        elif exc.errno in (errno.ENOENT, errno.ENOTDIR):
            msg = f"{shown}: no such file or folder"
        else:
            msg = f"{shown}: cannot read ({exc.strerror})"
        raise PathError(msg) from None
    resolved = Path(os.path.realpath(expanded))
    if not is_valid_utf8(resolved):
        msg = f"{display_path(resolved)}: the path is not valid UTF-8; rename it to ingest it"
        raise PathError(msg)
    if stat.S_ISDIR(mode):
        return resolved, None
    return resolved.parent, [resolved]


def walk(root: Path, *, follow_links: bool = False) -> WalkResult:
    """The candidate files under `root`, sorted, and what was skipped or unreadable, and why.

    Hidden files and folders (names starting with a dot) are left out silently. A symlink is
    followed when its target is inside `root`; one leading outside is skipped unless
    `follow_links`. A folder reached twice (through links) is walked once.

    Args:
        root: The folder to walk (as resolved by `check_path`).
        follow_links: Also follow symlinks whose target lies outside `root`.
    """
    result = WalkResult()
    real_root = os.path.realpath(root)
    try:
        root_stat = Path(real_root).stat()
    except OSError as exc:
        _unreadable(root, root, exc, result)
        return result
    visited = {(root_stat.st_dev, root_stat.st_ino)}
    stack = [root]
    while stack:
        folder = stack.pop()
        for entry in _list(root, folder, result):
            path = folder / entry.name
            rel = path.relative_to(root)
            if not is_valid_utf8(entry.name):
                result.skipped.append(SkippedFile(display_path(rel), _bad_name_reason(entry)))
                continue
            sub = _classify(path, entry, real_root, follow_links=follow_links)
            if isinstance(sub, str):
                result.skipped.append(SkippedFile(rel.as_posix(), sub))
                if sub.startswith(CANNOT_READ):
                    result.unreadable.append(path)
            elif sub is None:
                result.files.append(path)
            else:
                key = (sub.st_dev, sub.st_ino)
                if key in visited:
                    result.skipped.append(
                        SkippedFile(rel.as_posix(), f"{LINK_LOOP} (folder already walked)")
                    )
                else:
                    visited.add(key)
                    stack.append(path)
    result.files.sort()
    result.skipped.sort(key=lambda s: s.path)
    result.unreadable.sort()
    return result


def _list(root: Path, folder: Path, result: WalkResult) -> list[os.DirEntry[str]]:
    """The visible entries of `folder`; none (and the folder marked unreadable) on error."""
    try:
        with os.scandir(folder) as entries:
            visible = [e for e in entries if not e.name.startswith(".")]
    except OSError as exc:
        _unreadable(root, folder, exc, result)
        return []
    # Sorted, so that which of two links to one folder is walked does not depend on the disk.
    return sorted(visible, key=lambda e: e.name)


def _bad_name_reason(entry: os.DirEntry[str]) -> str:
    try:
        is_folder = entry.is_dir(follow_symlinks=False)
    except OSError:
        is_folder = False
    return "folder name is not valid UTF-8 (its files are skipped)" if is_folder else BAD_NAME


def _unreadable(root: Path, folder: Path, exc: OSError, result: WalkResult) -> None:
    result.unreadable.append(folder)
    rel = folder.relative_to(root).as_posix()
    reason = f"cannot list this folder ({exc.strerror or type(exc).__name__})"
    result.skipped.append(SkippedFile(rel if rel == "." else f"{rel}/", reason))


def _classify(
    path: Path, entry: os.DirEntry[str], real_root: str, *, follow_links: bool
) -> str | os.stat_result | None:
    """None for a file to load, a stat result for a folder to enter, or why it is skipped."""
    is_link = False
    try:
        is_link = entry.is_symlink()
        info = os.stat(path)  # noqa: PTH116 - one call the tests can make fail
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return LINK_LOOP
        if is_link and exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return BROKEN_LINK
        return f"{CANNOT_READ} ({exc.strerror or type(exc).__name__})"
    if is_link:
        target = os.path.realpath(path)
        inside = target == real_root or target.startswith(real_root.rstrip(os.sep) + os.sep)
        if not inside and not follow_links:
            return OUTSIDE_LINK
        if inside and stat.S_ISDIR(info.st_mode):
            # The folder is walked under its own name; following the link too would index
            # every file twice (or loop, for a link to an ancestor).
            return INSIDE_FOLDER_LINK
    if stat.S_ISDIR(info.st_mode):
        return info
    if stat.S_ISREG(info.st_mode):
        return None
    return f"{NOT_REGULAR} ({_kind(info.st_mode)})"
