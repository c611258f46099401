"""Fixtures for the tests of the scoring plugin.

``pytest_plugins`` is refused in a conftest below the rootdir, so the ``pytester`` plugin is loaded
here when pytest reaches this directory (its fixtures are global once registered).
"""

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Load pytester unless the root conftest or ``-p pytester`` already did."""
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")
