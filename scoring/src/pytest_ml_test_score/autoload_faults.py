"""Target of the ``ml_test_score_faults`` pytest11 entry point (see ``autoload_score``)."""

pytest_plugins = ["pytest_ml_test_score.fault_plugin"]
