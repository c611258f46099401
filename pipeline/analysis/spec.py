"""The model spec (params.yaml) as a reviewed, versioned artifact.

A model is only as reviewable as the spec it was trained from: the spec must be under version
control (so every change goes through review, see .github/CODEOWNERS), and the packaged model
must record the very spec it was built from, so a model trained from an unreviewed or edited
spec is caught by comparing the two.
"""

from __future__ import annotations

import fnmatch
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.errors import PipelineError

MISSING = "<absent>"


def _differences(recorded: Any, submitted: Any, path: str) -> list[str]:
    if isinstance(recorded, dict) and isinstance(submitted, dict):
        found: list[str] = []
        for key in sorted(set(recorded) | set(submitted), key=str):
            where = f"{path}.{key}" if path else str(key)
            found += _differences(recorded.get(key, MISSING), submitted.get(key, MISSING), where)
        return found
    # bool is an int in Python: `True == 1` must still count as a changed spec.
    if recorded == submitted and type(recorded) is type(submitted):
        return []
    return [f"{path or '<root>'}: recorded {recorded!r}, submitted {submitted!r}"]


def spec_differences(metadata: dict[str, Any], params: dict[str, Any]) -> list[str]:
    """Every dotted key where the model's recorded spec differs from the submitted params.yaml.

    Empty when the packaged model was trained from exactly this spec.
    """
    if "params" not in metadata:
        return ["params: the model metadata records no spec"]
    return _differences(metadata["params"], params, "")


def untracked_files(root: str | Path, paths: Sequence[str]) -> list[str]:
    """The paths git does not track in the repository at `root` (uncommitted edits are fine).

    A spec that is not tracked has never been submitted for review.
    """
    untracked = []
    for path in paths:
        try:
            result = subprocess.run(
                ["git", "ls-files", "--error-unmatch", "--", path], cwd=root,
                capture_output=True, text=True, check=False)
        except FileNotFoundError:
            raise PipelineError("git: not installed; cannot check that the spec is "
                                "version-controlled") from None
        if result.returncode != 0:
            untracked.append(path)
    return untracked


def codeowners_rules(text: str) -> list[tuple[str, list[str]]]:
    """(pattern, owners) per line of a CODEOWNERS file, in file order; comments skipped."""
    rules = []
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split()
        if fields:
            rules.append((fields[0], fields[1:]))
    return rules


def _matches(pattern: str, path: str) -> bool:
    """gitignore-style matching as GitHub applies it to CODEOWNERS (the common subset)."""
    anchored = pattern.startswith("/") or "/" in pattern.rstrip("/")
    pattern = pattern.lstrip("/")
    if pattern.endswith("/"):
        pattern += "**"
    candidates = [path] if anchored else [path, *[path.split("/", i)[-1]
                                                  for i in range(1, path.count("/") + 1)]]
    for candidate in candidates:
        if fnmatch.fnmatchcase(candidate, pattern) or fnmatch.fnmatchcase(candidate,
                                                                          pattern + "/**"):
            return True
        if pattern.endswith("/**") and candidate.startswith(pattern[:-2]):
            return True
    return False


def owners_of(path: str, rules: Sequence[tuple[str, list[str]]]) -> list[str]:
    """The owners GitHub would request a review from for `path`: the last matching rule wins."""
    owners: list[str] = []
    for pattern, rule_owners in rules:
        if _matches(pattern, path):
            owners = list(rule_owners)
    return owners
