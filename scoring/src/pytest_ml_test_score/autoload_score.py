"""Target of the ``ml_test_score`` pytest11 entry point: it only pulls in the plugin module.

pytest registers an entry point's module under the entry point's name. Were that module the
plugin itself, ``-p pytest_ml_test_score.plugin`` (or ``pytest_plugins = [...]`` naming it) would
register the same module a second time under another name, which pytest refuses ("Plugin already
registered under a different name"). Through ``pytest_plugins`` the plugin is registered once, under
its module name, however it is requested; ``-p no:ml_test_score`` still switches it off.
"""

pytest_plugins = ["pytest_ml_test_score.plugin"]
