"""Session fixtures of the rubric suites: the data, the split and the model, each built once.

Everything comes from the real pipeline functions with the project's params.yaml, so a suite
tests what `dvc repro` builds. The model is trained in-process (well under a second) rather
than read from `models/`, so the suites never depend on a stale local package.

pytest loads this file in xdist's controller too, which runs no test: what needs scikit-learn
is imported in the fixtures that use it, since importing it there (2.5 s before the workers
start) delayed every run by as much.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pytest_ml_test_score.faults import FAULT_ENV

from pipeline import artifact
from pipeline.config import Config, FileSpec, load_config
from pipeline.data import reviews, sources
from pipeline.data.split import split_reviews
from pipeline.errors import PipelineError
from pipeline.fileio import sha256_file


def _verified(directory: Path, spec: FileSpec) -> Path:
    path = directory / spec.name
    if not path.is_file():
        raise pytest.UsageError(f"{path}: not found")
    if sha256_file(path) != spec.sha256:
        raise pytest.UsageError(f"{path}: sha256 differs from params.yaml; a corrupt copy?")
    return path


@pytest.fixture(scope="session")
def reports_dir(project_root: Path, tmp_path_factory) -> Path:
    """`reports/`, where suites write the figures a reviewer reads (JSON, via write_json_atomic).

    A run with an injected fault (the fault audit) writes into a temporary directory instead:
    its figures describe a deliberately broken pipeline and must not replace the real ones.
    """
    if os.environ.get(FAULT_ENV):
        return tmp_path_factory.mktemp("fault-reports")
    directory = project_root / "reports"
    directory.mkdir(exist_ok=True)
    return directory


@pytest.fixture(scope="session")
def config(project_root: Path) -> Config:
    """The project's params.yaml, validated (frozen; tests that change it use `with_overrides`)."""
    return load_config(project_root / "params.yaml")


@pytest.fixture(scope="session")
def historic_path(data_dir: Path, config: Config) -> Path:
    """The verified labelled historic dump."""
    return _verified(data_dir, sources.file_spec(config.data, "training"))


@pytest.fixture(scope="session")
def historic(historic_path: Path) -> reviews.Reviews:
    """The labelled historic dump the model is trained on."""
    return reviews.read_reviews(historic_path)


@pytest.fixture(scope="session")
def fresh(data_dir: Path, config: Config) -> reviews.Reviews:
    """The unlabelled fresh batch that serving sees."""
    spec = sources.file_spec(config.data, "serving")
    return reviews.read_reviews(_verified(data_dir, spec), labelled=False)


@pytest.fixture(scope="session")
def labelled_fresh(data_dir: Path, config: Config) -> reviews.Reviews:
    """The serving batch with its delayed labels: the `evaluation` file from its `first_row` on."""
    spec = sources.file_spec(config.data, "evaluation")
    full = reviews.read_reviews(_verified(data_dir, spec))
    first = int(spec.first_row)
    return reviews.Reviews(full.texts[first:], full.labels[first:])


@pytest.fixture(scope="session")
def split(historic: reviews.Reviews,
          config: Config) -> tuple[reviews.Reviews, reviews.Reviews]:
    """The pipeline's own train/test split."""
    return split_reviews(historic, config.split, config.seed)


@pytest.fixture(scope="session")
def train_split(split) -> reviews.Reviews:
    """Training part of the split."""
    return split[0]


@pytest.fixture(scope="session")
def test_split(split) -> reviews.Reviews:
    """Held-out part of the split."""
    return split[1]


@pytest.fixture(scope="session")
def trained_model(train_split: reviews.Reviews, config: Config):
    """The model exactly as the train stage builds it, fitted on the training split."""
    from pipeline.model import train_model  # pylint: disable=import-outside-toplevel

    return train_model(train_split, config.model_spec)


@pytest.fixture(scope="session")
def packaged_model(tmp_path_factory, trained_model, train_split, test_split, config,
                   historic_path) -> Path:
    """A package directory (artifact + metadata.json) of the trained model, as the stage writes it.

    Built in a temporary directory with the pipeline's own functions; `models/` is never touched.
    """
    # pylint: disable=import-outside-toplevel
    from pipeline.metrics import evaluate_model
    from pipeline.serving.packaging import TrainingData, package_model

    work = tmp_path_factory.mktemp("package")
    model_path = work / "model.skops"
    artifact.save_model(trained_model, model_path)
    metrics = evaluate_model(trained_model, test_split.texts, test_split.labels)
    try:
        package_model(model_path, metrics, config, work / "models",
                      TrainingData.fitted_on(historic_path, train_split))
    except PipelineError as error:
        pytest.fail(f"the trained model could not be packaged: {error}")
    return work / "models"
