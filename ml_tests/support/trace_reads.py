"""Run one pipeline command and record every project file it opens for reading.

    python ml_tests/support/trace_reads.py OUT.json STAGE [ARGS...]   (from the project root)

The list comes from the interpreter's own `open` audit events (builtins.open, os.open and the
import system's io.open_code), so it names what the code really reads, imports included, not
what anyone believes it reads. Compiled modules are reported as their source file.
"""

from __future__ import annotations

import atexit
import json
import os
import runpy
import sys
from pathlib import Path

WRITING_FLAGS = os.O_WRONLY | os.O_RDWR


def _source_of(path: Path) -> Path:
    """`pkg/__pycache__/mod.cpython-311.pyc` -> `pkg/mod.py`."""
    if path.suffix == ".pyc" and path.parent.name == "__pycache__":
        return path.parent.parent / f"{path.name.split('.', 1)[0]}.py"
    return path


def main(out: str, argv: list[str]) -> None:
    """Trace `python -m pipeline ARGV` in this process; write the sorted reads to `out`."""
    root = Path.cwd().resolve()
    sys.path.insert(0, str(root))  # the project in the working directory, not an installed copy
    seen: set[Path] = set()

    def hook(event: str, args: tuple) -> None:
        if event != "open" or isinstance(args[0], int):
            return
        _, mode, flags = args
        if isinstance(mode, str) and any(c in mode for c in "wax+"):
            return
        if mode is None and flags and flags & WRITING_FLAGS:
            return
        seen.add(Path(os.path.abspath(os.fsdecode(args[0]))))

    def report() -> None:
        files = sorted({str(_source_of(p).relative_to(root)) for p in seen
                        if p.is_relative_to(root) and _source_of(p).is_file()})
        Path(out).write_text(json.dumps(files), encoding="utf-8")

    atexit.register(report)
    sys.addaudithook(hook)
    sys.argv = ["pipeline", *argv]
    runpy.run_module("pipeline", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
