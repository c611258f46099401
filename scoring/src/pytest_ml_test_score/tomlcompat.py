"""TOML reading on every supported Python (manual evidence, ``[tool.ml_test_score.*]`` tables).

``tomllib`` is standard from Python 3.11; on 3.10 its source, ``tomli``, is there anyway: pytest
requires it on that version to read ``pyproject.toml``. So pytest stays the only dependency.
"""

from __future__ import annotations

import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised by the Python 3.10 sessions of the compatibility matrix
    import tomli as tomllib

__all__ = ["tomllib"]
