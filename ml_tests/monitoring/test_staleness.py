"""Monitor 4: models are not too stale.

The served model's age (metadata `created_at`) is checked against
`monitoring.max_model_age_days`, the age the model suite found quality to tolerate.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipeline import artifact
from pipeline.config import Config
from pipeline.errors import PipelineError
from pipeline.monitoring import model_age


def _limit(config: Config) -> float:
    return float(config.monitoring.max_model_age_days)


@pytest.mark.rubric("monitoring", 4)
def test_freshly_packaged_model_is_not_stale(packaged_model: Path, config, record) -> None:
    """The package built in this run is minutes old: no alert.

    Red when created_at is not recorded at packaging time (e.g. a constant or a copied old
    date) or the check measures age wrongly (seconds read as days).
    """
    result = model_age.check_model_age(artifact.read_metadata(packaged_model), config.monitoring)
    record("staleness", result)
    assert not result["alert"], result["message"]
    assert 0 <= result["age_days"] < 1


@pytest.mark.rubric("monitoring", 4)
def test_model_older_than_the_limit_raises_the_alert(packaged_model: Path, config) -> None:
    """Just under the limit: no alert; just over it: alert, with the age reported.

    Red when the limit is not read from params.yaml (a hard-coded or missing bound), or the
    comparison is reversed.
    """
    metadata = artifact.read_metadata(packaged_model)
    built = model_age.created_at(metadata)
    limit = timedelta(days=_limit(config))
    young = model_age.check_model_age(metadata, config.monitoring,
                                      now=built + limit - timedelta(hours=1))
    old = model_age.check_model_age(metadata, config.monitoring,
                                    now=built + limit + timedelta(hours=1))
    assert (young["alert"], old["alert"]) == (False, True)
    assert old["age_days"] == pytest.approx(_limit(config) + 1 / 24, abs=1e-3)


@pytest.mark.rubric("monitoring", 4)
def test_monitor_staleness_command_alerts_on_an_old_package(package_copy, config,
                                                            run_monitor) -> None:
    """`monitor staleness` exits 0 for the fresh package and 1 for one packaged long ago.

    Red when the command reads the age from somewhere else than the served package's metadata.
    """
    code, report = run_monitor("staleness", "--model-dir", package_copy("fresh"))
    assert (code, report["alert"]) == (0, False), report.get("message")
    then = datetime.now(UTC) - timedelta(days=2 * _limit(config))
    old = package_copy("old", created_at=then.isoformat(timespec="seconds"))
    code, report = run_monitor("staleness", "--model-dir", old)
    assert code == 1 and report["alert"]
    assert report["reviews_since_training"] > 0


def test_unreadable_created_at_is_a_user_error(packaged_model: Path, config) -> None:
    """A package without a usable created_at is an error to fix, not a silently fresh model."""
    metadata = {**artifact.read_metadata(packaged_model), "created_at": "last spring"}
    with pytest.raises(PipelineError, match="created_at"):
        model_age.check_model_age(metadata, config.monitoring)
