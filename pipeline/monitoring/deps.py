"""Monitor 1: the serving environment differs from the one the model was trained and packaged in.

A model is a function of its code and of the library versions that computed it (a new
scikit-learn can change a tokenizer or a solver's output). `package` records those versions in
the metadata; this check compares them with the running environment and names every change.
"""

from __future__ import annotations

import platform
from typing import Any

import pipeline
from pipeline.errors import PipelineError
from pipeline.serving.environment import installed_versions

# Entries of metadata["versions"] that are not distributions: how to read them now.
_RUNTIME = {"python": platform.python_version, "project": lambda: pipeline.__version__}


def recorded_environment(metadata: dict[str, Any]) -> dict[str, set[str | None]]:
    """Every version the metadata recorded per name, from `environment` and `versions`.

    A name can appear in both (scikit-learn does); both records are kept, so a change noted in
    either one is compared rather than one silently masking the other.
    """
    environment = metadata.get("environment")
    versions = metadata.get("versions")
    if not isinstance(environment, dict) and not isinstance(versions, dict):
        raise PipelineError("metadata.json: no 'environment' or 'versions' recorded; "
                            "repackage the model with `python -m pipeline package`")
    recorded: dict[str, set[str | None]] = {}
    for source in (environment or {}, versions or {}):
        for name, version in source.items():
            recorded.setdefault(name, set()).add(version)
    return recorded


def running_environment(names: list[str]) -> dict[str, str | None]:
    """The same names as installed now (None when a distribution is missing)."""
    distributions = tuple(name for name in names if name not in _RUNTIME)
    running = dict(installed_versions(distributions))
    running.update({name: read() for name, read in _RUNTIME.items() if name in names})
    return running


def check_dependencies(metadata: dict[str, Any],
                       running: dict[str, str | None] | None = None) -> dict[str, Any]:
    """Alert on any recorded package that is now missing, added or at another version."""
    recorded = recorded_environment(metadata)
    running = running_environment(sorted(recorded)) if running is None else running
    changes = []
    for name in sorted(recorded):
        now = running.get(name)
        for before in sorted(recorded[name] - {now}, key=str):
            kind = "missing" if now is None else "added" if before is None else "version"
            changes.append({"package": name, "change": kind, "recorded": before, "running": now})
    described = ", ".join(f"{c['package']} {c['recorded']} -> {c['running']}" for c in changes)
    return {
        "alert": bool(changes),
        "message": (f"{len(changes)} dependency change(s) since packaging: {described}"
                    if changes else f"all {len(recorded)} recorded versions match"),
        "model_version": metadata.get("version"),
        "checked": len(recorded),
        "changes": changes,
    }


def check_served_versions(metadata: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """`check_dependencies` for every version serving answered with (by version): an alert
    when any of them was packaged under another environment than the one running now."""
    results = {version: check_dependencies(meta) for version, meta in sorted(metadata.items())}
    alerted = [version for version, result in results.items() if result["alert"]]
    return {
        "alert": bool(alerted),
        "message": ("; ".join(f"version {v}: {results[v]['message']}" for v in alerted)
                    if alerted else f"{', '.join(results)}: "
                    + "; ".join(result["message"] for result in results.values())),
        "versions": results,
        "changes": [dict(change, version=version) for version, result in results.items()
                    for change in result["changes"]],
    }
