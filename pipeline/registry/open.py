"""Choosing a backend from a URI, and loading a model through the registry's checks.

The one place that knows every backend, so that the backends themselves need not know each
other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.config import load_config
from pipeline.errors import PipelineError
from pipeline.registry.base import Registry
from pipeline.registry.hub import HubRegistry
from pipeline.registry.local import LocalRegistry

HUB_SCHEME = "hf://"


def open_registry(uri: str | None = None, params_path: str | Path = "params.yaml") -> Registry:
    """`hf://owner/name` selects the Hub; anything else is a local directory. Without a URI the
    one in params.yaml (`registry.uri`) is used; the Hub endpoint and token come from the
    environment (HF_ENDPOINT, HF_TOKEN) only."""
    if uri is None:
        uri = load_config(params_path).registry.uri
    if uri.startswith(HUB_SCHEME):
        return HubRegistry.from_environment(uri[len(HUB_SCHEME):])
    return LocalRegistry(uri)


def load_model(version: str | None = None,
               registry: str | None = None) -> tuple[Any, dict[str, Any]]:
    """Fetch a version (default: the served one) and load it, sha256-verified, with its metadata."""
    store = open_registry(registry)
    version = version or store.served()
    if version is None:
        raise PipelineError(f"{store.uri}: no version is served; promote one first")
    return store.load(version)
