"""pytest-ml-test-score: the ML Test Score rubric (Breck et al. 2017) scored from tests that ran.

Kept empty on purpose: the pytest plugin is loaded in every pytest run of the environment, so
importing the package must cost nothing beyond the modules a caller asks for.
"""
