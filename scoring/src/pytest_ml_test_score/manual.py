"""Manual evidence: items executed by hand, worth half a point while the evidence is fresh.

The file (TOML, one table per item) looks like::

    [model.2]
    date = 2026-01-15                 # when the check was executed by hand
    summary = "A/B comparison of offline AUC and online CTR over two weeks"
    results = "docs/evidence/model-2.md"   # the documented results: a path or a URL

Anything expired or malformed is reported and earns nothing: stale paperwork must not look like
testing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_ml_test_score.catalogue import ITEM_NUMBERS, SECTIONS
from pytest_ml_test_score.marks import RubricRef

DEFAULT_FILE = "ml_test_score_manual.toml"
DEFAULT_MAX_AGE_DAYS = 180
FIELDS = ("date", "summary", "results")


@dataclass
class ManualEvidence:
    """Valid entries by item, and one line per entry (or file) that could not be used."""

    valid: dict[RubricRef, dict[str, str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


class _EntryError(ValueError):
    pass


def load_manual(path: Path, max_age_days: int, today: dt.date, label: str | None = None
                ) -> ManualEvidence:
    """Read the evidence file; a missing file simply means no manual evidence.

    ``label`` is how messages name the file (relative to the rootdir, for deterministic reports).
    """
    label = label or str(path)
    evidence = ManualEvidence()
    if not path.is_file():
        return evidence
    # pylint: disable-next=import-outside-toplevel  # only paid when a file exists
    from pytest_ml_test_score.tomlcompat import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        evidence.problems.append(f"{label}: not valid TOML: {exc}")
        return evidence
    for section, table in data.items():
        if section not in SECTIONS or not isinstance(table, dict):
            evidence.problems.append(
                f"{label}: [{section}]: expected a table named after a section "
                f"({', '.join(SECTIONS)}) holding tables named 1-7")
            continue
        for item, entry in table.items():
            where = f"{label}: [{section}.{item}]"
            if not item.isdigit() or int(item) not in ITEM_NUMBERS:
                evidence.problems.append(f"{where}: item must be 1-7")
                continue
            try:
                evidence.valid[RubricRef(section, int(item))] = _check_entry(
                    entry, path.parent, max_age_days, today)
            except _EntryError as exc:
                evidence.problems.append(f"{where}: {exc}")
    return evidence


def _check_entry(entry: Any, base: Path, max_age_days: int, today: dt.date) -> dict[str, str]:
    if not isinstance(entry, dict):
        raise _EntryError(f"expected a table with {', '.join(FIELDS)}")
    unknown = sorted(set(entry) - set(FIELDS))
    missing = [name for name in FIELDS if name not in entry]
    if unknown or missing:
        raise _EntryError(
            f"expected exactly the fields {', '.join(FIELDS)}"
            + (f"; missing {', '.join(missing)}" if missing else "")
            + (f"; unknown {', '.join(unknown)}" if unknown else ""))
    date = _as_date(entry["date"])
    for name in ("summary", "results"):
        if not isinstance(entry[name], str) or not entry[name].strip():
            raise _EntryError(f"{name} must be a non-empty string")
    results = entry["results"].strip()
    if "://" not in results and not (base / results).exists():
        raise _EntryError(f"results {results!r} does not exist (a path relative to the file, "
                          "or a URL)")
    age = (today - date).days
    if age < 0:
        raise _EntryError(f"date {date.isoformat()} is in the future")
    if age > max_age_days:
        raise _EntryError(f"expired: dated {date.isoformat()}, {age} days old, more than the "
                          f"maximum of {max_age_days} (ml_score_manual_max_age_days)")
    return {"date": date.isoformat(), "summary": entry["summary"].strip(), "results": results}


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise _EntryError(f"date must be a TOML date such as 2026-01-15, got {value!r}")
