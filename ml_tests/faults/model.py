"""Faults that the Model suite must catch (filled in with the suite's tests)."""

from scoring.faults import FaultRegistry


def register(registry: FaultRegistry) -> None:
    """Add this section's faults to the registry."""
    del registry
