"""Small file primitives every stage shares: checksums and writes that never leave half a file."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pipeline.errors import PipelineError


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of bytes already in memory."""
    return hashlib.sha256(data).hexdigest()


def require_sha256(actual: str, expected: str, source: str | Path, recorded_in: str,
                   consequence: str) -> None:
    """Refuse bytes whose sha256 is not the one recorded for them.

    Every integrity check (raw data against params.yaml, an artifact against its metadata, a
    package against the registry index) says the same three things: what was read, where the
    expected hash was recorded, and what happens now.
    """
    if actual != expected:
        raise PipelineError(f"{source}: sha256 {actual[:12]}... does not match {recorded_in} "
                            f"({expected[:12]}...); {consequence}")


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file, read in chunks so large artifacts do not sit in memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; rename it over `target` only if the block succeeds.

    A crash or an exception leaves the previous file untouched and no partial file behind.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        # mkstemp makes the file owner-only; give it the mode a plain open() would have.
        os.chmod(temporary, 0o666 & ~_UMASK)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _read_umask() -> int:
    """The process umask, read once at import.

    Linux reports it in /proc/self/status; elsewhere it is read by setting and restoring it,
    which is safe here because no other thread exists yet while this module is imported (a flip
    on every write would race with threads creating files in between).
    """
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    current = os.umask(0o022)
    os.umask(current)
    return current


_UMASK = _read_umask()


def write_bytes_atomic(target: str | Path, data: bytes) -> None:
    """Replace `target` with `data` in one step."""
    with atomic_path(target) as temporary:
        temporary.write_bytes(data)


def write_json_atomic(target: str | Path, payload: Any) -> None:
    """Write stable, human-readable JSON (sorted keys) so identical inputs give identical bytes."""
    text = json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    write_bytes_atomic(target, text.encode("utf-8"))
