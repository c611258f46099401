"""``python -m pytest_ml_test_score``: the same commands as the ``ml-test-score`` script."""

from pytest_ml_test_score.cli import main

raise SystemExit(main())
