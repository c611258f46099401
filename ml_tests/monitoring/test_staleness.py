"""Monitor 4: models are not too stale.

`monitor staleness --registry URI` follows the registry's served pointer to the version being
served, reads that version's metadata (fetched and sha256-verified as a server fetches it) and
checks its `created_at` against `monitoring.max_model_age_days`, the age the model suite found
quality to tolerate; the report adds when the version was published and promoted.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ml_tests.support.traffic import publish_and_promote
from pipeline import artifact
from pipeline.monitoring import model_age
from pipeline.registry import LocalRegistry
from pipeline.serving.logreader import read_log


@pytest.mark.rubric("monitoring", 4)
def test_served_version_is_as_old_as_its_build(served_traffic, served_package: Path,
                                               run_monitor, record) -> None:
    """The version that answered the traffic is the one checked, its age counts from the
    created_at `dvc repro` recorded, and it is within the limit.

    Red when the registry serves or reports another version than the one promoted, when the
    published metadata carries another created_at than the build's (a copied, stale or missing
    one), or when the served model is older than monitoring.max_model_age_days.
    """
    code, report = run_monitor("staleness", "--registry", served_traffic.registry)
    record("staleness", report)
    logged = {entry["version"] for entry in read_log(str(served_traffic.log_dir)).records}
    assert logged == {report.get("model_version")} == {served_traffic.version}
    built = artifact.read_metadata(served_package)["created_at"]
    assert report["created_at"] == model_age.created_at({"created_at": built}).isoformat(
        timespec="seconds")
    assert (code, report["alert"]) == (0, False), report["message"]
    assert report["promoted_at"] is not None and report["published_at"] is not None


@pytest.mark.rubric("monitoring", 4)
def test_served_version_past_the_limit_raises_the_alert(served_traffic, config) -> None:
    """The served version checked an hour before and an hour after its limit: no alert, then
    an alert with the age reported.

    Red when the limit is not read from params.yaml (a hard-coded or missing bound), the
    comparison is reversed, or age is measured in the wrong unit.
    """
    store = LocalRegistry(served_traffic.registry)
    built = datetime.fromisoformat(
        model_age.check_served_age(store, config.monitoring)["created_at"])
    limit = timedelta(days=config.monitoring.max_model_age_days)
    young = model_age.check_served_age(store, config.monitoring,
                                       now=built + limit - timedelta(hours=1))
    old = model_age.check_served_age(store, config.monitoring,
                                     now=built + limit + timedelta(hours=1))
    assert (young["alert"], old["alert"]) == (False, True)
    assert old["age_days"] == pytest.approx(config.monitoring.max_model_age_days + 1 / 24,
                                            abs=1e-3)


@pytest.mark.rubric("monitoring", 4)
def test_command_reads_the_age_of_the_registrys_served_version(served_package_copy, config,
                                                               tmp_path: Path,
                                                               run_monitor) -> None:
    """A registry serving a copy of the package whose metadata says it was built twice the
    limit ago: `monitor staleness --registry` exits 1, while models/ itself is fresh.

    Red when the command reads the age from somewhere else than the served version's metadata
    (the local models/ directory, the time of publication or promotion).
    """
    then = datetime.now(UTC) - timedelta(days=2 * config.monitoring.max_model_age_days)
    old = served_package_copy("old", created_at=then.isoformat(timespec="seconds"))
    registry = tmp_path / "registry"
    version = publish_and_promote(old, registry)
    code, report = run_monitor("staleness", "--registry", registry)
    assert code == 1 and report["alert"], report.get("message")
    assert report["model_version"] == version
    assert report["reviews_since_training"] > 0
