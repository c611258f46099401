"""``-m data`` and marks that other hooks add after collection.

pytest deselects by ``-m`` in the ``pytest_collection_modifyitems`` hook of its ``mark`` plugin,
a plain hook of the first plugin registered, so it runs after the plain hooks of every conftest
and plugin except a few, and before every ``trylast`` hook. A rubric mark added by one of those
would earn its test no section marker in time, and ``-m data`` would drop the test. So when the
``-m`` expression names a section, the plugin holds pytest's mark deselection back (the mark
plugin sees an empty expression) until every ``pytest_collection_modifyitems`` hook has run,
adds the section markers from the final marks, and then lets pytest deselect by the expression.
Expressions that name no section are left entirely to pytest.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from pytest_ml_test_score.catalogue import SECTIONS

# The identifiers of pytest's -m grammar (marker names, with keyword-argument matching).
_IDENT = re.compile(r"[\w.:+\-\[\]\\/]+")


def names_a_section(expression: str | None) -> bool:
    """Whether a ``-m`` expression refers to a section marker."""
    return bool(expression) and any(word in SECTIONS
                                    for word in _IDENT.findall(expression or ""))


def hold_back(config: pytest.Config) -> str | None:
    """Empty ``-m`` for pytest's own pass when it names a section; the expression to apply later."""
    expression = getattr(config.option, "markexpr", "")
    if not names_a_section(expression):
        return None
    config.option.markexpr = ""
    return str(expression)


def deselect(config: pytest.Config, items: list[pytest.Item], expression: str) -> None:
    """Restore the expression and let pytest's mark plugin deselect by it now."""
    config.option.markexpr = expression
    mark_plugin: Any = config.pluginmanager.get_plugin("mark")
    deselect_by_mark = getattr(mark_plugin, "deselect_by_mark", None)
    if deselect_by_mark is not None:
        deselect_by_mark(items, config)
    else:  # pragma: no cover - a pytest that renamed the helper: run its whole hook again
        mark_plugin.pytest_collection_modifyitems(items=items, config=config)
