"""The folder walk: what it lists, what it skips and why, and what it could not read."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest

from ingest import files
from ingest.files import PathError, check_path, walk
from ingest.loaders import SkipFileError, load_file


def _reasons(root: Path, *, follow_links: bool = False) -> dict[str, str]:
    return {s.path: s.reason for s in walk(root, follow_links=follow_links).skipped}


def _names(root: Path, *, follow_links: bool = False) -> list[str]:
    return [p.relative_to(root).as_posix() for p in walk(root, follow_links=follow_links).files]


def test_files_are_listed_sorted_and_hidden_names_left_out(tmp_path: Path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.txt").write_text("z.")
    (tmp_path / "a.txt").write_text("a.")
    (tmp_path / ".hidden.txt").write_text("h.")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text("x.")
    result = walk(tmp_path)
    assert _names(tmp_path) == ["a.txt", "b/z.txt"]
    assert (result.skipped, result.unreadable) == ([], [])


def test_a_file_name_that_is_not_utf8_is_skipped_with_a_reason_and_the_walk_goes_on(
    tmp_path: Path,
):
    with open(os.fsencode(tmp_path) + b"/bad\xffbyte.txt", "w") as f:  # noqa: PTH123
        f.write("x.")
    (tmp_path / "good.txt").write_text("Bon.")
    result = walk(tmp_path)
    assert _names(tmp_path) == ["good.txt"]
    [skipped] = result.skipped
    assert skipped.reason == "file name is not valid UTF-8"
    # The reported name is printable and storable: the bad byte is shown escaped.
    assert skipped.path == "bad\\xffbyte.txt"
    skipped.path.encode("utf-8")


def test_a_folder_name_that_is_not_utf8_is_skipped_with_a_reason(tmp_path: Path):
    bad = os.fsencode(tmp_path) + b"/caf\xe9"
    os.mkdir(bad)  # noqa: PTH102
    with open(bad + b"/a.txt", "w") as f:  # noqa: PTH123
        f.write("x.")
    result = walk(tmp_path)
    assert result.files == []
    assert [s.path for s in result.skipped] == ["caf\\xe9"]
    assert "not valid UTF-8" in result.skipped[0].reason


def test_an_unlistable_subfolder_is_reported_unreadable_not_silently_absent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    (tmp_path / "ok.txt").write_text("ok.")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "secret.txt").write_text("s.")
    real_scandir = os.scandir

    # chmod 000 does not stop root, so the refusal is simulated where the walk lists folders.
    def scandir(path: object) -> object:
        if Path(str(path)) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(files.os, "scandir", scandir)
    result = walk(tmp_path)
    assert _names(tmp_path) == ["ok.txt"]
    assert result.unreadable == [locked]
    [skipped] = result.skipped
    assert skipped.path == "locked/"
    assert "cannot list" in skipped.reason
    assert "Permission denied" in skipped.reason


def test_an_unlistable_root_is_reported_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    def scandir(path: object) -> object:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(files.os, "scandir", scandir)
    result = walk(tmp_path)
    assert (result.files, result.unreadable) == ([], [tmp_path])


def test_a_file_that_cannot_be_examined_is_reported_unreadable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    (tmp_path / "ok.txt").write_text("ok.")
    blocked = tmp_path / "blocked.txt"
    blocked.write_text("b.")
    real_stat = os.stat

    def fake_stat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        if Path(str(path)) == blocked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_stat(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(files.os, "stat", fake_stat)
    result = walk(tmp_path)
    assert _names(tmp_path) == ["ok.txt"]
    assert result.unreadable == [blocked]
    assert _reasons(tmp_path) == {"blocked.txt": "cannot read (Permission denied)"}


def _outside(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "root"
    root.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "os-release.txt").write_text("SECRET=1.")
    (outside / "keys").mkdir()
    (outside / "keys" / "id.txt").write_text("PRIVATE KEY.")
    (root / "note.txt").write_text("Une note.")
    return root, outside


def test_a_symlink_to_a_file_outside_the_folder_is_not_followed(tmp_path: Path):
    root, outside = _outside(tmp_path)
    (root / "innocent.txt").symlink_to(outside / "os-release.txt")
    assert _names(root) == ["note.txt"]
    assert _reasons(root)["innocent.txt"].startswith("symlink to outside the folder")


def test_a_linked_folder_outside_the_folder_is_not_followed(tmp_path: Path):
    root, outside = _outside(tmp_path)
    (root / "ssh").symlink_to(outside / "keys", target_is_directory=True)
    assert _names(root) == ["note.txt"]
    assert _reasons(root)["ssh"].startswith("symlink to outside the folder")


def test_follow_links_includes_links_outside_the_folder(tmp_path: Path):
    root, outside = _outside(tmp_path)
    (root / "innocent.txt").symlink_to(outside / "os-release.txt")
    (root / "ssh").symlink_to(outside / "keys", target_is_directory=True)
    assert _names(root, follow_links=True) == ["innocent.txt", "note.txt", "ssh/id.txt"]
    assert _reasons(root, follow_links=True) == {}


def test_links_inside_the_folder_are_fine(tmp_path: Path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("A.")
    (tmp_path / "alias.txt").symlink_to(tmp_path / "sub" / "a.txt")
    (tmp_path / "same").symlink_to(tmp_path / "sub", target_is_directory=True)
    # The file link is a document of its own; the folder link is not walked twice.
    assert _names(tmp_path) == ["alias.txt", "sub/a.txt"]
    assert "inside the folder" in _reasons(tmp_path)["same"]


def test_a_symlink_loop_in_the_walk_is_skipped_with_a_one_line_reason(tmp_path: Path):
    (tmp_path / "a.txt").symlink_to(tmp_path / "b.txt")
    (tmp_path / "b.txt").symlink_to(tmp_path / "a.txt")
    (tmp_path / "ok.txt").write_text("ok.")
    reasons = _reasons(tmp_path)
    assert _names(tmp_path) == ["ok.txt"]
    assert reasons == {"a.txt": "symlink loop", "b.txt": "symlink loop"}


def test_a_broken_symlink_is_skipped_with_a_reason(tmp_path: Path):
    (tmp_path / "gone.txt").symlink_to(tmp_path / "missing.txt")
    assert _reasons(tmp_path) == {"gone.txt": files.BROKEN_LINK}


def test_following_a_link_to_an_ancestor_ends(tmp_path: Path):
    root = tmp_path / "root"
    root.mkdir()
    (root / "a.txt").write_text("A.")
    (root / "up").symlink_to(tmp_path, target_is_directory=True)
    names = _names(root, follow_links=True)
    # The ancestor is walked once and the root is not entered again through it.
    assert names == ["a.txt"]
    assert "symlink loop" in _reasons(root, follow_links=True)["up/root"]


def test_a_fifo_or_socket_in_the_folder_is_skipped_as_not_a_regular_file(tmp_path: Path):
    os.mkfifo(tmp_path / "fifo.txt")
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(tmp_path / "sock.txt"))
        reasons = _reasons(tmp_path)
    finally:
        sock.close()
    assert walk(tmp_path).files == []
    assert reasons["fifo.txt"] == "not a regular file (a fifo)"
    assert reasons["sock.txt"] == "not a regular file (a socket)"


def _without_blocking(fn: object) -> object:
    """Call fn in a thread and fail (instead of hanging) if it does not return in 5 s."""
    out: list[object] = []

    def run() -> None:
        try:
            out.append(fn())  # type: ignore[operator]
        except Exception as exc:  # noqa: BLE001
            out.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(5)
    assert out, "blocked on a fifo"
    return out[0]


def test_a_fifo_given_by_name_is_skipped_with_a_reason_without_blocking(tmp_path: Path):
    fifo = tmp_path / "fifo.txt"
    os.mkfifo(fifo)
    root, given = check_path(fifo)
    assert (root, given) == (tmp_path.resolve(), [fifo.resolve()])
    error = _without_blocking(lambda: load_file(fifo, max_bytes=10**6))
    assert isinstance(error, SkipFileError)
    assert str(error).startswith("not a regular file")


def test_a_symlink_loop_given_by_name_is_a_one_line_error(tmp_path: Path):
    (tmp_path / "a.txt").symlink_to(tmp_path / "b.txt")
    (tmp_path / "b.txt").symlink_to(tmp_path / "a.txt")
    with pytest.raises(PathError) as info:
        check_path(tmp_path / "a.txt")
    assert str(info.value) == f"{tmp_path / 'a.txt'}: symlink loop"


def test_a_missing_path_given_by_name_is_an_error(tmp_path: Path):
    with pytest.raises(PathError, match="no such file or folder"):
        check_path(tmp_path / "nope")


def test_a_path_given_by_name_that_is_not_utf8_is_a_printable_error(tmp_path: Path):
    bad = Path(os.fsdecode(os.fsencode(tmp_path) + b"/bad\xff.txt"))
    bad.write_text("x.")
    with pytest.raises(PathError) as info:
        check_path(bad)
    assert "bad\\xff.txt" in str(info.value)
    str(info.value).encode("utf-8")


def test_folders_and_files_given_by_name(tmp_path: Path):
    (tmp_path / "a.txt").write_text("A.")
    assert check_path(tmp_path) == (tmp_path.resolve(), None)
    assert check_path(tmp_path / "a.txt") == (tmp_path.resolve(), [tmp_path.resolve() / "a.txt"])
