"""Reading `params.yaml`: the single place that holds seeds, splits, hyperparameters and sources."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import PipelineError

DEFAULT_PARAMS = Path("params.yaml")


def load_params(path: str | Path = DEFAULT_PARAMS) -> dict[str, Any]:
    """Load the parameters; a missing or malformed file is a user error naming the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PipelineError(
            f"{path}: parameters file not found (run from the project root)") from None
    try:
        params = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise PipelineError(f"{path}:{where} is not valid YAML") from None
    if not isinstance(params, dict):
        raise PipelineError(f"{path}: expected a mapping of parameters at the top level")
    return params


def get(params: dict[str, Any], dotted: str) -> Any:
    """Look up `a.b.c`; a missing key is a user error naming it, not a KeyError deep in a stage."""
    node: Any = params
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            raise PipelineError(f"params.yaml: missing key {dotted!r}")
        node = node[part]
    return node
