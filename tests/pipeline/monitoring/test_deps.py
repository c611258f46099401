"""Monitor 1's comparison of recorded and running versions."""

from __future__ import annotations

from pipeline.monitoring import deps

METADATA = {"version": "v1", "environment": {"numpy": "2.0.0", "skops": "0.10", "nltk": None},
            "versions": {"python": "3.12.1", "scikit-learn": "1.5.0"}}
SAME = {"numpy": "2.0.0", "skops": "0.10", "nltk": None, "python": "3.12.1",
        "scikit-learn": "1.5.0"}


def test_every_kind_of_change_is_named():
    """Red when: a version change, a package gone or one newly present goes unreported."""
    running = {**SAME, "numpy": "2.1.0", "skops": None, "nltk": "3.9"}
    result = deps.check_dependencies(METADATA, running)
    changes = {change["package"]: change["change"] for change in result["changes"]}
    assert result["alert"] and changes == {"numpy": "version", "skops": "missing",
                                           "nltk": "added"}


def test_served_versions_are_each_compared():
    """Red when: only the first version of a log is checked, or a clean one alerts."""
    other = {**METADATA, "version": "v2",
             "versions": {**METADATA["versions"], "scikit-learn": "1.4.0"}}
    running = deps.running_environment(sorted(deps.recorded_environment(METADATA)))
    clean = {**METADATA, "environment": {k: running[k] for k in METADATA["environment"]},
             "versions": {k: running[k] for k in METADATA["versions"]}}
    result = deps.check_served_versions({"v1": clean, "v2": other})
    assert result["alert"] and not result["versions"]["v1"]["alert"]
    assert {change["version"] for change in result["changes"]} == {"v2"}
    assert result["message"].startswith("version v2:")
