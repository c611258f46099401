"""Monitoring checks (ML Test Score, Monitor 1-7): plain functions that return a result dict.

Each module is one check; every check returns a JSON-ready dict with `alert: bool`, a one-line
`message` and the figures it measured, so the same functions serve the rubric suite and the
`python -m pipeline monitor <check>` command (`cli`) that CI or a scheduler runs.
"""
