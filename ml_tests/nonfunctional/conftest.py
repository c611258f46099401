"""Fixtures of the non-functional suite: the course baseline as the reference, and the report.

The reference is fitted on the same training split in the same session, so every cost the suite
judges is a ratio against something this machine measured a moment ago.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline import artifact
from pipeline.config import Config, NonfunctionalConfig
from pipeline.fileio import write_json_atomic
from pipeline.perf import measurement


@pytest.fixture(scope="session")
def nf_settings(config: Config) -> NonfunctionalConfig:
    """params.yaml `nonfunctional`: repetitions and the ratio limits."""
    return config.nonfunctional


@pytest.fixture(scope="session")
def reference_model(train_split, nf_settings):
    """The course baseline fitted on the pipeline's training split."""
    model = measurement.build_reference_model(nf_settings.baseline_max_features)
    return model.fit(train_split.texts, train_split.labels)


@pytest.fixture(scope="session")
def reference_artifact(tmp_path_factory, reference_model) -> Path:
    """The baseline saved in the project's canonical skops format, outside the repository."""
    path = tmp_path_factory.mktemp("reference") / "reference.skops"
    path.write_bytes(artifact.dumps_model(reference_model))
    return path


@pytest.fixture(scope="session")
def nonfunctional_report(reports_dir: Path):
    """Collects every comparison; written to reports/nonfunctional.json at the end."""
    figures: dict[str, Any] = {"reference": measurement.REFERENCE_NAME, "comparisons": {}}
    yield figures
    write_json_atomic(reports_dir / "nonfunctional.json", figures)
