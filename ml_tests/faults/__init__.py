"""The faults of this pipeline, one module per rubric section, for `ml-test-score audit`.

Each module exposes `register(registry)`; a fault is a realistic defect of the data, features,
model, serving path or environment, switched on for one test run through a MonkeyPatch, and
it names the rubric items whose tests must turn red under it.
"""

from pytest_ml_test_score.faults import FaultRegistry

from ml_tests.faults import data, infra, model, monitoring

FAULTS = FaultRegistry()
for _section in (data, model, infra, monitoring):
    _section.register(FAULTS)
