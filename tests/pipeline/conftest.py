"""A tiny model, trained on handwritten reviews, and packages of it, for the unit tests.

The packaged models are the project's own pipeline fitted on the eight handwritten reviews, with
different C so that each has its own bytes and so its own version.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.artifact import ARTIFACT_NAME, METADATA_NAME, save_model
from pipeline.config import Config, load_config
from pipeline.data.reviews import Reviews
from pipeline.fileio import write_json_atomic
from pipeline.model import train_model
from pipeline.serving.packaging import build_metadata

# Handwritten for these tests (not from the dumps): enough words for a vocabulary.
TINY_REVIEWS = Reviews(
    texts=["Great food and friendly staff!", "Loved the pasta, will come back.",
           "Delicious soup and a warm welcome.", "The service was excellent.",
           "Cold fries and rude waiter.", "Not good, the steak was dry.",
           "Terrible service, never again.", "The soup was bland and cold."],
    labels=[1, 1, 1, 1, 0, 0, 0, 0],
)


@pytest.fixture(scope="session")
def project_config(project_root: Path) -> Config:
    """The project's params.yaml, validated."""
    return load_config(project_root / "params.yaml")


@pytest.fixture(scope="session")
def tiny_reviews() -> Reviews:
    """Eight handwritten, labelled reviews."""
    return TINY_REVIEWS


@pytest.fixture(scope="session")
def tiny_model(project_config):
    """The project's model pipeline fitted on the handwritten reviews."""
    return train_model(TINY_REVIEWS, project_config.model_spec)


C_VALUES = (1.0, 2.0, 4.0)


def package_model(model, directory: Path, config: Config) -> Path:
    """Write `model` as a package directory (artifact + metadata) and return it."""
    directory.mkdir(parents=True, exist_ok=True)
    sha = save_model(model, directory / ARTIFACT_NAME)
    write_json_atomic(directory / METADATA_NAME,
                      build_metadata(sha, "d" * 64, {"accuracy": 0.9, "f1": 0.9},
                                     config.as_mapping()))
    return directory


@pytest.fixture(scope="session")
def packages(tmp_path_factory: pytest.TempPathFactory, project_config, tiny_reviews) -> list[Path]:
    """Three packages of differently regularised tiny models (three versions)."""
    root = tmp_path_factory.mktemp("serving-packages")
    made = []
    for c in C_VALUES:
        config = project_config.with_overrides({"model.logistic_regression.C": c})
        made.append(package_model(train_model(tiny_reviews, config.model_spec),
                                  root / f"c{c:g}", config))
    return made


@pytest.fixture(scope="session")
def make_package():
    """`make_package(model, directory, config)`: write a package directory, return it."""
    return package_model


@pytest.fixture
def plugin_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Path]:
    """A feature plugin in a module of its own under tmp_path (so a test may edit its source):
    its `features.plugins` name and its file."""
    module = f"unit_plugin_{tmp_path.name}"
    path = tmp_path / "plugins" / f"{module}.py"
    path.parent.mkdir()
    path.write_text("def words(text):\n    return float(len(text.split()))\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(path.parent))
    return f"{module}:words", path
