"""The library versions a model was computed with: recorded at packaging, compared by Monitor 1."""

from __future__ import annotations

# The installed distributions whose versions can change what the model computes; recorded at
# packaging so that monitoring can tell when serving runs on a different stack.
RECORDED_DISTRIBUTIONS = ("scikit-learn", "numpy", "scipy", "skops", "nltk", "joblib", "pandas")


def installed_versions(names: tuple[str, ...] = RECORDED_DISTRIBUTIONS) -> dict[str, str | None]:
    """Versions of the given distributions in the running environment (None when absent)."""
    from importlib import metadata  # pylint: disable=import-outside-toplevel

    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions
