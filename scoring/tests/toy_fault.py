"""A one-function project and its one registered fault, shared by the fault plugin's tests and
the child-process tests (not a test module)."""

TOY = "def double(x):\n    return 2 * x\n"
TOY_FAULTS = (
    "from pytest_ml_test_score.faults import FaultRegistry\n"
    "FAULTS = FaultRegistry()\n"
    "@FAULTS.fault('identity', 'double returns its input', [('data', 1)], kind='code')\n"
    "def _identity(monkeypatch):\n"
    "    import toy\n"
    "    monkeypatch.setattr(toy, 'double', lambda x: x)\n"
)
