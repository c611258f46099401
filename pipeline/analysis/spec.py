"""The model spec (params.yaml) as a reviewed, versioned artifact, enforced at release and serving.

A model is only as reviewable as the spec it was trained from: the spec must be under version
control (so every change goes through review, see .github/CODEOWNERS), and the packaged model
must record the very spec it was built from (metadata.json "params").

What "reviewed" means:

- At release (`python -m pipeline canary`), the reviewed spec is params.yaml as committed at git
  HEAD of the checkout it is read from: a commit on the reviewed branch went through the owners'
  review. Uncommitted edits are not reviewed, so a model trained from them is refused, in one
  line naming every differing key (`spec_differences`). A deployed copy without git names the
  reviewed file explicitly (`--reviewed-spec FILE`, e.g. the params.yaml of the reviewed tag);
  without either, the release refuses rather than guess.
- The recorded spec must also be what the artifact holds: the release rebuilds the estimator
  from the recorded params (`build_model`) and refuses a candidate whose loaded model has other
  constructor parameters (`estimator_differences`), so metadata cannot claim a reviewed spec for
  a model built from another one.
- The release records the reviewed spec's sha256 (`spec_sha256`) with the version in the
  registry. The server, whenever it loads a registry version (at start-up or on a reload),
  refuses one whose packaged spec does not hash to what its release recorded: a version
  published without going through release has no record, and a tampered metadata.json no longer
  matches it. At start-up that is one line and exit code 2; on a reload the previous version
  keeps serving and the refusal is logged in one line.
- `--model-dir` serves a package directory that never went through a release (development); it
  has no release record to check, so production serves from the registry.
"""

from __future__ import annotations

import fnmatch
import json
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.config import Config, parse_mapping, read_mapping
from pipeline.errors import PipelineError
from pipeline.fileio import sha256_bytes
from pipeline.model import build_model

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


def differing_keys(metadata: dict[str, Any], params: dict[str, Any]) -> list[str]:
    """The dotted keys of `spec_differences`, without the values: what a one-line refusal names."""
    return [line.split(":", 1)[0] for line in spec_differences(metadata, params)]


def spec_sha256(params: dict[str, Any]) -> str:
    """The sha256 of a spec as canonical JSON: equal for equal specs, whatever the key order."""
    text = json.dumps(params, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return sha256_bytes(text.encode("utf-8"))


class SpecNotReviewed(PipelineError):
    """A package whose recorded spec is not the reviewed one (or not what its release recorded)."""


def _plain(value: Any) -> bool:
    """A constructor value compared as such: nested estimators (and step lists holding them) are
    compared through their own dotted keys, which `get_params(deep=True)` lists too."""
    if hasattr(value, "get_params"):
        return False
    return all(_plain(item) for item in value) if isinstance(value, (list, tuple)) else True


def estimator_differences(model: Any, params: dict[str, Any]) -> list[str]:
    """The constructor parameters (dotted, as `get_params(deep=True)` names them) where `model`
    differs from the estimator `build_model` makes of the spec `params`; empty when the model
    was built from exactly that spec. Only keys `build_model` produces are compared."""
    expected = build_model(Config.parse(params).model_spec).get_params(deep=True)
    actual = model.get_params(deep=True)
    return [key for key, value in expected.items() if _plain(value)
            and (key not in actual or actual[key] != value
                 or type(actual[key]) is not type(value))]


def require_built_from_recorded_spec(model: Any, metadata: dict[str, Any]) -> None:
    """Refuse a package whose artifact was not built from the spec its metadata records."""
    keys = estimator_differences(model, metadata.get("params") or {})
    if keys:
        raise SpecNotReviewed(f"{metadata.get('version', 'the candidate')}: its model was not"
                              " built from the spec its metadata records (estimator parameters"
                              f" {', '.join(keys)} differ); refused, nothing was published")


@dataclass(frozen=True)
class ReviewedSpec:
    """The spec a release holds a candidate to, and where it was read (for the refusal)."""

    params: dict[str, Any]
    source: str

    @property
    def sha256(self) -> str:
        """What the release records with the version in the registry."""
        return spec_sha256(self.params)

    def require(self, metadata: dict[str, Any]) -> None:
        """Refuse a package whose recorded spec differs from this one, naming the keys."""
        keys = differing_keys(metadata, self.params)
        if keys:
            raise SpecNotReviewed(f"{metadata.get('version', 'the candidate')}: its recorded"
                                  f" spec differs from the reviewed one ({self.source}) at"
                                  f" {', '.join(keys)}; refused, nothing was published")


def reviewed_spec(params_path: str | Path = "params.yaml",
                  reviewed_file: str | Path | None = None) -> ReviewedSpec:
    """`reviewed_file` if given (a deployed copy without git), else `params_path` as committed at
    git HEAD of the repository it lies in; uncommitted edits are not part of it."""
    if reviewed_file is not None:
        return ReviewedSpec(read_mapping(reviewed_file), str(reviewed_file))
    path = Path(params_path)
    source = f"{path} at git HEAD"
    try:
        result = subprocess.run(["git", "show", f"HEAD:./{path.name}"], cwd=path.parent,
                                capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise PipelineError("git: not installed, so the reviewed spec is unknown; pass"
                            " --reviewed-spec FILE") from None
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["git show failed"])[-1]
        raise PipelineError(f"{source}: cannot read the reviewed spec ({reason}); commit it, or"
                            " pass --reviewed-spec FILE outside a git checkout")
    return ReviewedSpec(parse_mapping(result.stdout, source), source)


def require_released(metadata: dict[str, Any], recorded_sha256: str | None) -> None:
    """Refuse to serve a registry version whose spec is not the one its release recorded."""
    version = metadata.get("version")
    if recorded_sha256 is None:
        raise SpecNotReviewed(f"version {version}: no release recorded a reviewed spec for it"
                              " (published without the release check?); refusing to serve it")
    actual = spec_sha256(metadata.get("params") or {})
    if actual != recorded_sha256:
        raise SpecNotReviewed(f"version {version}: its packaged spec (sha256 {actual[:12]}...)"
                              f" is not the reviewed spec its release recorded"
                              f" ({recorded_sha256[:12]}...); refusing to serve it")


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
