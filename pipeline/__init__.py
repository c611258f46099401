"""A thin DVC pipeline for restaurant-review sentiment: the system the ML Test Score harness scores.

Importing the package is cheap on purpose: stages import their heavy libraries when they run.
"""

__version__ = "0.1.0"
