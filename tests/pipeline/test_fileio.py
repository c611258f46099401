"""Checksums and atomic writes shared by every stage.

DVC and the registry compare these checksums and JSON bytes across runs, so identical inputs must
give identical bytes, and an interrupted write must leave the previous file and no debris.
"""

from __future__ import annotations

import hashlib
import os
import stat

import pytest

from pipeline.fileio import (
    atomic_path,
    sha256_bytes,
    sha256_file,
    write_bytes_atomic,
    write_json_atomic,
)


def test_file_checksum_equals_the_checksum_of_its_bytes(tmp_path):
    data = bytes(range(256)) * 5000  # > 1 MiB, so the file is read in more than one chunk
    path = tmp_path / "model.joblib"
    path.write_bytes(data)
    assert sha256_file(path) == sha256_bytes(data) == hashlib.sha256(data).hexdigest()
    (tmp_path / "empty").write_bytes(b"")
    assert sha256_file(str(tmp_path / "empty")) == hashlib.sha256(b"").hexdigest()


def test_json_is_sorted_two_space_indented_utf8_with_a_final_newline(tmp_path):
    path = tmp_path / "metrics.json"
    write_json_atomic(path, {"zeta": 1, "alpha": {"b": [1, 2], "a": "Qualität"}})
    assert path.read_bytes() == (
        '{\n'
        '  "alpha": {\n'
        '    "a": "Qualität",\n'
        '    "b": [\n'
        '      1,\n'
        '      2\n'
        '    ]\n'
        '  },\n'
        '  "zeta": 1\n'
        '}\n').encode()


def test_json_bytes_do_not_depend_on_key_insertion_order(tmp_path):
    write_json_atomic(tmp_path / "a.json", {"x": 1, "y": 2})
    write_json_atomic(tmp_path / "b.json", {"y": 2, "x": 1})
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_writes_create_missing_directories_and_leave_only_the_target(tmp_path):
    target = tmp_path / "models" / "v1" / "model.bin"
    write_bytes_atomic(target, b"\x00weights")
    write_bytes_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in target.parent.iterdir()] == ["model.bin"]


def test_the_temporary_path_is_a_hidden_sibling_and_is_renamed_on_success(tmp_path):
    target = tmp_path / "features.npz"
    with atomic_path(target) as temporary:
        assert temporary.parent == tmp_path
        assert temporary.name.startswith(".features.npz.") and temporary.suffix == ".tmp"
        temporary.write_bytes(b"done")
        assert not target.exists()
    assert target.read_bytes() == b"done"
    assert not temporary.exists()


def test_a_failing_block_keeps_the_previous_file_and_removes_the_temporary(tmp_path):
    target = tmp_path / "metrics.json"
    target.write_bytes(b"previous")
    with pytest.raises(RuntimeError, match="stage crashed"):
        with atomic_path(target) as temporary:
            temporary.write_bytes(b"half")
            raise RuntimeError("stage crashed")
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["metrics.json"]


def test_a_block_that_writes_nothing_still_leaves_no_temporary(tmp_path):
    target = tmp_path / "out.bin"
    with pytest.raises(ValueError):
        with atomic_path(target) as temporary:
            temporary.unlink()
            raise ValueError("gave up")
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_has_the_mode_of_a_plain_write(tmp_path):
    """Packaged models and metrics are shared files: not owner-only like a bare mkstemp file."""
    old = os.umask(0o022)
    try:
        (tmp_path / "plain.json").write_text("{}\n", encoding="utf-8")
        write_json_atomic(tmp_path / "atomic.json", {})
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "atomic.json").stat().st_mode) == \
        stat.S_IMODE((tmp_path / "plain.json").stat().st_mode) == 0o644
