"""Switches a registered fault on in this Python process (pytest-ml-test-score's fault audit).

The fault plugin puts this directory first on PYTHONPATH of the child processes of a faulted
test run, so that `python -m <system> ...` and the stages a pipeline tool starts run with the
same fault as the tests. Without ML_TEST_SCORE_FAULT it does nothing but chain to the
``sitecustomize`` it shadows; see ``pytest_ml_test_score.fault_process``.
"""

import os
import sys


def _fault_process():
    """The fault_process module of the distribution this file ships in."""
    here = os.path.dirname(os.path.abspath(__file__))
    source = os.path.dirname(os.path.dirname(here))  # .../site-packages or .../src
    sys.path.insert(0, source)
    try:
        from pytest_ml_test_score import fault_process  # pylint: disable=import-outside-toplevel
    finally:
        sys.path.remove(source)
    return fault_process


def _chain():
    """Run the sitecustomize this one shadows, if there is one further down sys.path."""
    import importlib.machinery  # pylint: disable=import-outside-toplevel
    import importlib.util  # pylint: disable=import-outside-toplevel

    here = os.path.dirname(os.path.abspath(__file__))
    rest = [entry for entry in sys.path if os.path.abspath(entry or ".") != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)


def _main():
    if os.environ.get("ML_TEST_SCORE_FAULT"):
        try:
            _fault_process().start_in_child()
        except Exception as error:  # pylint: disable=broad-exception-caught
            sys.stderr.write(f"ml-test-score: fault {os.environ['ML_TEST_SCORE_FAULT']} not "
                             f"injected in this process: {error}\n")
    _chain()


_main()
