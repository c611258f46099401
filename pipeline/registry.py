"""Model registry: immutable published versions, a served pointer, and a history to roll back on.

Two backends share one API and one set of rules (`Registry`): a local directory (the default,
`registry.uri` in params.yaml) and a Hugging Face Hub repository (`hf://owner/name`, in
`pipeline.hub`). The rules live here once; a backend only stores files and swaps the index.

- `publish(dir)` stores a package (artifact, metadata.json, a generated model card README.md)
  under its version. Publishing the same version again is idempotent: the content is the same by
  construction (the version is a prefix of the artifact's sha256), so it returns the version and
  changes nothing; a different artifact claiming an existing version is refused.
- `promote(v)` makes `v` the served version and pushes it on the served stack; `rollback()` pops
  the stack, so the previously served version is served again. Every change is logged in
  `events` with a UTC timestamp.
- `fetch(v, dest)` writes a package directory that has been verified: the artifact's sha256
  matches metadata.json, which matches the sha256 the index recorded at publish time. So a file
  swapped in the store (or in transit) is refused before anyone deserialises it.
"""

from __future__ import annotations

import argparse
import fcntl
import importlib
import json
import re
import shutil
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from pipeline.serving.artifact import METADATA_NAME, load_package, read_metadata
from pipeline.cli import CommandParser
from pipeline.errors import PipelineError
from pipeline.fileio import sha256_file, write_json_atomic

INDEX_NAME = "registry.json"
CARD_NAME = "README.md"
HUB_SCHEME = "hf://"
DEFAULT_URI = "registry"
_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")

T = TypeVar("T")
Index = dict[str, Any]


# -- packages ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Package:
    """A verified package directory: what publish uploads and fetch hands back."""

    directory: Path
    metadata: dict[str, Any]

    @property
    def version(self) -> str:
        """The name the package is published under."""
        return self.metadata["version"]

    @property
    def sha256(self) -> str:
        """The artifact's sha256 as the metadata states it (verified on construction)."""
        return self.metadata["sha256"]

    @property
    def artifact(self) -> Path:
        """The artifact file; its name comes from the metadata, never a path."""
        return self.directory / self.metadata["artifact"]


def verify_package(directory: str | Path, expected_sha256: str | None = None) -> Package:
    """Check a package's artifact against its metadata (and the index) without deserialising it."""
    directory = Path(directory)
    metadata = read_metadata(directory)
    where = directory / METADATA_NAME
    if not _VERSION.fullmatch(metadata["version"]):
        raise PipelineError(f"{where}: version {metadata['version']!r} is not a plain name"
                            " (letters, digits, '.', '_', '-')")
    if Path(metadata["artifact"]).name != metadata["artifact"] or metadata["artifact"] in {
            METADATA_NAME, CARD_NAME}:
        raise PipelineError(f"{where}: artifact {metadata['artifact']!r} must be a plain file name")
    package = Package(directory, metadata)
    if expected_sha256 is not None and package.sha256 != expected_sha256:
        raise PipelineError(f"{where}: sha256 {package.sha256[:12]}... differs from the registry's"
                            f" record ({expected_sha256[:12]}...); refusing the package")
    if not package.artifact.is_file():
        raise PipelineError(f"{package.artifact}: model artifact not found")
    actual = sha256_file(package.artifact)
    if actual != package.sha256:
        raise PipelineError(f"{package.artifact}: sha256 {actual[:12]}... does not match the"
                            f" metadata ({package.sha256[:12]}...); the artifact was modified,"
                            " refusing it")
    return package


def model_card(metadata: dict[str, Any]) -> str:
    """A README.md that lets someone judge the model without loading it (Hub model card format)."""
    metrics = _scalars(metadata.get("metrics") or {})
    scores = sorted(name for name, value in metrics.items() if isinstance(value, float))
    versions = metadata.get("versions") or {}
    metric_rows = "\n".join(f"| {name} | {_fmt(value)} |"
                            for name, value in sorted(metrics.items()))
    param_rows = "\n".join(f"| `{key}` | `{value}` |"
                           for key, value in _flatten(metadata.get("params") or {}))
    return f"""---
library_name: sklearn
license: mit
tags:
- text-classification
- sentiment-analysis
- skops
metrics: [{", ".join(scores)}]
---

# Restaurant-review sentiment classifier, version `{metadata['version']}`

A scikit-learn text classifier that labels a short English restaurant review as liked (1) or
not liked (0). The artifact `{metadata['artifact']}` is a skops file: loading it runs no code, and
it is loaded only after its sha256 matches the one below.

## Model details

| field | value |
|---|---|
| version | `{metadata['version']}` |
| artifact | `{metadata['artifact']}` |
| artifact sha256 | `{metadata['sha256']}` |
| created (UTC) | {metadata.get('created_at', 'unknown')} |
| python | {versions.get('python', 'unknown')} |
| scikit-learn | {versions.get('scikit-learn', 'unknown')} |
| project | {versions.get('project', 'unknown')} |

## Evaluation

Measured on the held-out test split of the labelled reviews (never seen in training).

| metric | value |
|---|---|
{metric_rows or "| (none recorded) | |"}

## Training data

Restaurant reviews with binary labels; sha256 of the training file:
`{metadata.get('data_sha256', 'unknown')}`.

## Parameters

| parameter | value |
|---|---|
{param_rows or "| (none recorded) | |"}

## Intended use

Ranking or triaging restaurant reviews by sentiment, with a person reviewing decisions that
matter. The label comes with a probability; treat values near 0.5 as uncertain.

## Limitations

- Trained on about a thousand short English restaurant reviews: other domains, languages,
  long texts, sarcasm and mixed opinions are out of scope and will be labelled unreliably.
- A bag-of-words model: it sees words and short phrases, not meaning; negation is handled only
  within a phrase.
- Reviews are not a representative sample of customers; errors may differ between groups of
  writers. Monitor live accuracy and input drift before relying on it.

## How to load

```python
from pipeline.registry import load_model

model, metadata = load_model("{metadata['version']}")  # verifies the sha256 before loading
```
"""


def _scalars(metrics: dict[str, Any]) -> dict[str, int | float]:
    """Numbers only: a confusion matrix belongs in the reports, not in a one-line summary."""
    return {name: value for name, value in metrics.items()
            if isinstance(value, int | float) and not isinstance(value, bool)}


def _fmt(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def _flatten(params: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key in sorted(params):
        value = params[key]
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


# -- the index: pure state transitions ------------------------------------------------------------
def empty_index() -> Index:
    """The state of a registry nothing was published to."""
    return {"format": 1, "versions": [], "served": [], "events": []}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def with_version(index: Index, package: Package) -> Index:
    """Record a published version (once; publish order is the list order)."""
    if any(entry["version"] == package.version for entry in index["versions"]):
        return index
    entry = {"version": package.version, "sha256": package.sha256, "published_at": _now(),
             "metrics": package.metadata.get("metrics") or {}}
    return {**index, "versions": [*index["versions"], entry],
            "events": [*index["events"], {"action": "publish", "version": package.version,
                                          "at": entry["published_at"]}]}


def promoted(index: Index, version: str, where: str) -> Index:
    """Serve `version`; promoting the version already served changes nothing."""
    known = [entry["version"] for entry in index["versions"]]
    if version not in known:
        raise PipelineError(f"{where}: unknown version {version!r};"
                            f" published: {', '.join(known) or 'none'}")
    if index["served"][-1:] == [version]:
        return index
    return {**index, "served": [*index["served"], version],
            "events": [*index["events"], {"action": "promote", "version": version, "at": _now()}]}


def rolled_back(index: Index, where: str) -> tuple[Index, str]:
    """Serve the previously served version again."""
    served = index["served"]
    if len(served) < 2:
        current = served[-1] if served else "nothing"
        raise PipelineError(f"{where}: cannot roll back: {current} is served and no earlier"
                            " version was served before it")
    previous = served[-2]
    return {**index, "served": served[:-1],
            "events": [*index["events"], {"action": "rollback", "version": previous,
                                          "from": served[-1], "at": _now()}]}, previous


def check_index(index: Any, where: str) -> Index:
    """A malformed index is a user-visible error naming it, not a KeyError later."""
    if not (isinstance(index, dict) and isinstance(index.get("versions"), list)
            and isinstance(index.get("served"), list) and isinstance(index.get("events"), list)):
        raise PipelineError(f"{where}: not a registry index (expected versions, served, events)")
    return index


# -- the shared API ------------------------------------------------------------------------------
class Registry(ABC):
    """Publish, list, fetch, promote and roll back; backends provide storage and index swaps."""

    uri: str

    # storage primitives a backend implements
    @abstractmethod
    def _read_index(self) -> Index:
        """The current index (an empty one if the registry does not exist yet)."""

    @abstractmethod
    def _update_index(self, change: Callable[[Index], tuple[Index, T]], message: str) -> T:
        """Apply `change` to the current index and store the result without losing a concurrent
        update (a lock, or a compare-and-swap on the parent commit)."""

    @abstractmethod
    def _store(self, package: Package, card: str) -> None:
        """Store the package files under its version, all or nothing; idempotent."""

    @abstractmethod
    def _retrieve(self, version: str, dest: Path) -> None:
        """Write the stored files of `version` into the empty directory `dest`."""

    # the API
    def publish(self, package_dir: str | Path) -> str:
        """Store a verified package under its version; returns the version."""
        package = verify_package(package_dir)
        self._store(package, model_card(package.metadata))
        return self._update_index(lambda index: (with_version(index, package), package.version),
                                  f"Publish model {package.version}")

    def index(self) -> Index:
        """The whole state: `versions` (version, sha256, published_at, metrics), the `served`
        stack (last is served) and `events` (every publish, promote and rollback, oldest first)."""
        return self._read_index()

    def versions(self) -> list[str]:
        """Published versions, oldest first."""
        return [entry["version"] for entry in self._read_index()["versions"]]

    def served(self) -> str | None:
        """The version `load_model()` loads by default; None until something is promoted."""
        served = self._read_index()["served"]
        return served[-1] if served else None

    def promote(self, version: str) -> None:
        """Serve a published version; the one served before stays on the stack for rollback."""
        self._update_index(lambda index: (promoted(index, version, self.uri), None),
                           f"Serve model {version}")

    def rollback(self) -> str:
        """Serve the previously served version again; returns it."""
        return self._update_index(lambda index: rolled_back(index, self.uri),
                                  "Roll back served model")

    def fetch(self, version: str, dest: str | Path) -> Path:
        """Download `version` into `dest` (absent or empty) and verify it before returning."""
        dest = Path(dest)
        if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
            raise PipelineError(f"{dest}: destination exists and is not an empty directory")
        entry = next((e for e in self._read_index()["versions"] if e["version"] == version), None)
        if entry is None:
            raise PipelineError(f"{self.uri}: unknown version {version!r}; published:"
                                f" {', '.join(self.versions()) or 'none'}")
        dest.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
        try:
            self._retrieve(version, staging)
            package = verify_package(staging, expected_sha256=entry["sha256"])
            if package.version != version:
                raise PipelineError(f"{staging / METADATA_NAME}: version {package.version!r}"
                                    f" but {version!r} was requested")
            if dest.exists():
                dest.rmdir()
            staging.rename(dest)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return dest


# -- local-directory backend ---------------------------------------------------------------------
class LocalRegistry(Registry):
    """A directory: `versions/<version>/` (written to a temp dir, then renamed) and `registry.json`
    (replaced atomically under an exclusive lock)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.uri = str(self.root)

    def _read_index(self) -> Index:
        path = self.root / INDEX_NAME
        try:
            return check_index(json.loads(path.read_text(encoding="utf-8")), str(path))
        except FileNotFoundError:
            return empty_index()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise PipelineError(f"{path}: not valid JSON") from None

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _update_index(self, change: Callable[[Index], tuple[Index, T]], message: str) -> T:
        with self._locked():
            index = self._read_index()
            new, result = change(index)
            if new is not index:
                write_json_atomic(self.root / INDEX_NAME, new)
            return result

    def _store(self, package: Package, card: str) -> None:
        target = self.root / "versions" / package.version
        if target.exists():
            verify_package(target, expected_sha256=package.sha256)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{package.version}.", dir=target.parent))
        try:
            shutil.copyfile(package.artifact, staging / package.artifact.name)
            shutil.copyfile(package.directory / METADATA_NAME, staging / METADATA_NAME)
            (staging / CARD_NAME).write_text(card, encoding="utf-8")
            try:
                staging.rename(target)
            except OSError:
                if not target.exists():  # anything but "a concurrent publish got there first"
                    raise
                verify_package(target, expected_sha256=package.sha256)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _retrieve(self, version: str, dest: Path) -> None:
        source = self.root / "versions" / version
        if not source.is_dir():
            raise PipelineError(f"{source}: version {version!r} is in the index but its files"
                                " are missing")
        for path in source.iterdir():
            shutil.copyfile(path, dest / path.name)


# -- choosing a backend, loading a model -----------------------------------------------------------
def open_registry(uri: str | None = None, params_path: str | Path = "params.yaml") -> Registry:
    """`hf://owner/name` selects the Hub; anything else is a local directory. Without a URI the
    one in params.yaml (`registry.uri`) is used; the Hub endpoint and token come from the
    environment (HF_ENDPOINT, HF_TOKEN) only."""
    if uri is None:
        from pipeline.params import load_params  # pylint: disable=import-outside-toplevel

        uri = str((load_params(params_path).get("registry") or {}).get("uri") or DEFAULT_URI)
    if uri.startswith(HUB_SCHEME):
        # Imported by name: the Hub backend builds on this module and loads its client lazily.
        hub = importlib.import_module("pipeline.hub")
        return hub.HubRegistry.from_environment(uri[len(HUB_SCHEME):])
    return LocalRegistry(uri)


def load_model(version: str | None = None,
               registry: str | None = None) -> tuple[Any, dict[str, Any]]:
    """Fetch a version (default: the served one) and load it, sha256-verified, with its metadata."""
    store = open_registry(registry)
    version = version or store.served()
    if version is None:
        raise PipelineError(f"{store.uri}: no version is served; promote one first")
    with tempfile.TemporaryDirectory(prefix="model-") as scratch:
        return load_package(store.fetch(version, Path(scratch) / "package"))


# -- command line --------------------------------------------------------------------------------

def _parser() -> argparse.ArgumentParser:
    parser = CommandParser(prog="python -m pipeline registry", description=__doc__.splitlines()[0])
    parser.add_argument("--registry", metavar="URI",
                        help="directory or hf://owner/name (default: registry.uri in params.yaml)")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=CommandParser)
    publish = commands.add_parser("publish", help="store a package directory as a version")
    publish.add_argument("package_dir")
    commands.add_parser("list", help="published versions, oldest first; * marks the served one")
    commands.add_parser("promote", help="serve a version").add_argument("version")
    commands.add_parser("rollback", help="serve the previously served version again")
    commands.add_parser("served", help="print the served version")
    fetch = commands.add_parser("fetch", help="download a verified package directory")
    fetch.add_argument("version")
    fetch.add_argument("dest")
    for sub in commands.choices.values():  # accept --registry after the subcommand too
        sub.add_argument("--registry", metavar="URI", default=argparse.SUPPRESS)
    return parser


def main(argv: list[str]) -> int:
    """`python -m pipeline registry ...`; user errors raise PipelineError (one line, exit 2)."""
    args = _parser().parse_args(argv)
    store = open_registry(args.registry)
    if args.command == "publish":
        print(store.publish(args.package_dir))
    elif args.command == "list":
        index = store.index()
        served = index["served"][-1] if index["served"] else None
        for entry in index["versions"]:
            metrics = " ".join(f"{k}={_fmt(v)}" for k, v in sorted(entry["metrics"].items())
                               if k in ("accuracy", "f1"))
            print(f"{'*' if entry['version'] == served else ' '} {entry['version']}  "
                  f"{entry['published_at']}  {metrics}".rstrip())
    elif args.command == "promote":
        store.promote(args.version)
        print(args.version)
    elif args.command == "rollback":
        print(store.rollback())
    elif args.command == "served":
        version = store.served()
        if version is None:
            raise PipelineError(f"{store.uri}: no version is served; promote one first")
        print(version)
    else:
        print(store.fetch(args.version, args.dest))
    return 0
