"""The model artifact: saved with skops (no code runs on load), checked by sha256 before loading.

skops archives embed the time of writing and the memory addresses of the saved objects;
`dumps_model` rewrites them canonically so that the same model gives the same bytes, and so the
same sha256 and version, on every run.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

from pipeline.config import reviewed_plugins
from pipeline.errors import PipelineError
from pipeline.fileio import require_sha256, sha256_bytes, sha256_file, write_bytes_atomic

ARTIFACT_NAME = "model.skops"
METADATA_NAME = "metadata.json"
# The metadata field that maps each feature plugin to the sha256 of its module's source file.
PLUGIN_SOURCES = "plugins"
# Our own transformers are the only non-library types a model may contain; anything else in an
# artifact is refused rather than trusted.
TRUSTED_TYPES = ("pipeline.features.ReviewPreprocessor", "pipeline.features.TextStats")
_EPOCH = (1980, 1, 1, 0, 0, 0)
SCHEMA_ENTRY = "schema.json"
# Fitted attributes that hold a memory address of the writing process: scikit-learn's vectorisers
# cache id(stop_words) to skip a re-check. Dropped on save; sklearn treats it as optional.
PROCESS_SPECIFIC_STATE = frozenset({"_stop_words_id"})


def _renumber(node: Any, ids: dict[int, int], files: dict[str, str]) -> Any:
    """Replace skops's memory addresses (object ids, array file names) by first-seen order."""
    if isinstance(node, list):
        return [_renumber(item, ids, files) for item in node]
    if not isinstance(node, dict):
        return node
    result = {}
    for key, value in node.items():
        if key in PROCESS_SPECIFIC_STATE:
            continue
        if key == "__id__" and isinstance(value, int):
            value = ids.setdefault(value, len(ids))
        elif key == "file" and isinstance(value, str):
            value = files.setdefault(value, f"{len(files):06d}{Path(value).suffix}")
        else:
            value = _renumber(value, ids, files)
        result[key] = value
    return result


def _canonical_zip(data: bytes) -> bytes:
    """The same archive with stable entry names, ids and timestamps, so equal models hash equal."""
    files: dict[str, str] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        schema = _renumber(json.loads(source.read(SCHEMA_ENTRY)), {}, files)
        entries = {new: source.read(old) for old, new in files.items()}
    entries[SCHEMA_ENTRY] = json.dumps(schema, indent=2, sort_keys=True).encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for name in sorted(entries):
            entry = zipfile.ZipInfo(name, date_time=_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, entries[name])
    return out.getvalue()


def dumps_model(model: Any) -> bytes:
    """Serialise a fitted model to canonical, compressed skops bytes."""
    import skops.io as sio  # pylint: disable=import-outside-toplevel

    return _canonical_zip(sio.dumps(model, compression=zipfile.ZIP_DEFLATED))


def save_model(model: Any, path: str | Path) -> str:
    """Write the artifact atomically; returns its sha256."""
    write_bytes_atomic(path, dumps_model(model))
    return sha256_file(path)


def loads_model(data: bytes, source: str) -> Any:
    """Deserialise skops bytes, refusing any type outside the libraries and TRUSTED_TYPES, and
    any feature plugin outside the reviewed ones."""
    import skops.io as sio  # pylint: disable=import-outside-toplevel

    try:
        untrusted = set(sio.get_untrusted_types(data=data))
    except (zipfile.BadZipFile, KeyError, ValueError, json.JSONDecodeError):
        raise PipelineError(f"{source}: not a skops model artifact") from None
    unexpected = sorted(untrusted - set(TRUSTED_TYPES))
    if unexpected:
        raise PipelineError(f"{source}: artifact contains untrusted types {unexpected}; refused")
    model = sio.loads(data, trusted=sorted(untrusted))
    unreviewed = sorted(model_plugins(model) - reviewed_plugins())
    if unreviewed:
        raise PipelineError(f"{source}: artifact calls feature plugins {unreviewed} that "
                            "params.yaml does not list in features.plugins; refused")
    return model


def model_plugins(model: Any) -> set[str]:
    """The feature plugins a loaded model names (its `plugins` parameters, at any depth).

    Loading imports none of them: skops builds only trusted types, and a plugin is imported when
    the model first scores, which `loads_model` lets happen only for reviewed names.
    """
    get_params = getattr(model, "get_params", None)
    params = get_params(deep=True) if callable(get_params) else {}
    return {str(name) for key, value in params.items() if key.rpartition("__")[2] == "plugins"
            for name in value}


def load_model_file(path: str | Path, expected_sha256: str) -> Any:
    """Load an artifact only if its bytes have the expected sha256.

    The hash is taken over the very bytes that are parsed, so a swap between check and load
    cannot slip through.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise PipelineError(f"{path}: model artifact not found") from None
    require_sha256(sha256_bytes(data), expected_sha256, path, "the metadata",
                   "the artifact was modified or replaced, refusing to load")
    return loads_model(data, str(path))


def read_metadata(directory: str | Path) -> dict[str, Any]:
    """The package's metadata.json, checked for the fields loading relies on."""
    path = Path(directory) / METADATA_NAME
    try:
        metadata = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PipelineError(
            f"{path}: metadata not found; run `dvc repro` to package a model") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise PipelineError(f"{path}: not valid JSON") from None
    for key in ("artifact", "sha256", "version"):
        if not isinstance(metadata, dict) or not isinstance(metadata.get(key), str):
            raise PipelineError(f"{path}: field {key!r} missing or not a string")
    return metadata


def load_package(directory: str | Path) -> tuple[Any, dict[str, Any]]:
    """Load a packaged model and its metadata, verifying the artifact's sha256 first and its
    feature plugins' source after (`check_plugin_sources`)."""
    directory = Path(directory)
    metadata = read_metadata(directory)
    artifact = directory / Path(metadata["artifact"]).name
    model = load_model_file(artifact, metadata["sha256"])
    check_plugin_sources(model, metadata, directory / METADATA_NAME)
    return model, metadata


def check_plugin_sources(model: Any, metadata: dict[str, Any], source: str | Path) -> None:
    """Refuse a model whose feature plugins' source differs from what its package recorded.

    The model stores a plugin's name, not its code: a plugin edited after training would make
    the served model compute other features than the trained one (training/serving skew), so
    each one's module must still hash as `metadata[PLUGIN_SOURCES]` says. Checked before any
    plugin runs: hashing finds the module without importing it.
    """
    from pipeline.features import plugin_source_sha256  # pylint: disable=import-outside-toplevel

    recorded = metadata.get(PLUGIN_SOURCES)
    recorded = recorded if isinstance(recorded, dict) else {}
    for name in sorted(model_plugins(model)):
        current, then = plugin_source_sha256(name), recorded.get(name) or "none"
        if then != current:
            raise PipelineError(
                f"{source}: feature plugin {name!r} source sha256 is now {current}, the package "
                f"recorded {then}; the plugin changed since training, refused")
