"""Reading, validating and atomically writing ``ml_test_score.json`` (schema 1).

Readers (the report CLI, the gate, the audit) get one-line errors naming the file and the field,
never a traceback; writers never leave a half-written report behind.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pytest_ml_test_score.catalogue import ITEM_NUMBERS, MAX_SCORE, POINTS, SECTIONS, STATUSES
from pytest_ml_test_score.render import markdown, to_json
from pytest_ml_test_score.score import SCHEMA_VERSION

JSON_NAME = "ml_test_score.json"
MARKDOWN_NAME = "ml_test_score.md"
_STATUS = Path("/proc/self/status")


class ReportError(ValueError):
    """A report file that cannot be used; the message is one line naming file and field."""


def load_report(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and validate a report file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ReportError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ReportError(f"{path}: not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReportError(f"{path}: invalid JSON at line {exc.lineno} column {exc.colno}: "
                          f"{exc.msg}") from None
    problem = validate_report(data)
    if problem:
        raise ReportError(f"{path}: {problem}")
    return data


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def validate_report(data: Any) -> str | None:
    """First schema violation as ``field: expected ..., got ...``; None when valid."""
    if not isinstance(data, dict):
        return f"expected a JSON object, got {type(data).__name__}"
    checks: list[tuple[str, bool, str]] = [
        ("schema", data.get("schema") == SCHEMA_VERSION, f"{SCHEMA_VERSION}"),
        ("score", _is_number(data.get("score")), "a number"),
        ("max", data.get("max") == MAX_SCORE, f"{MAX_SCORE}"),
        ("complete", isinstance(data.get("complete"), bool), "true or false"),
        ("interpretation", isinstance(data.get("interpretation"), str), "a string"),
        ("sections", isinstance(data.get("sections"), dict), "an object"),
    ]
    problem = _first_failure(data, checks)
    if problem:
        return problem
    for section in SECTIONS:
        problem = _check_section(f"sections.{section}", data["sections"].get(section))
        if problem:
            return problem
    return None


def _check_section(where: str, body: Any) -> str | None:
    if not isinstance(body, dict) or not _is_number(body.get("score")) \
            or not isinstance(body.get("items"), dict):
        return f"{where}: expected an object with a numeric score and items"
    if sorted(body["items"]) != sorted(str(n) for n in ITEM_NUMBERS):
        return f"{where}.items: expected the keys 1 to 7, got {sorted(body['items'])}"
    for number, item in body["items"].items():
        if not isinstance(item, dict):
            return f"{where}.items.{number}: expected an object"
        problem = _check_item(item)
        if problem:
            return f"{where}.items.{number}.{problem}"
    return None


def _check_item(item: Mapping[str, Any]) -> str | None:
    checks = [
        ("title", isinstance(item.get("title"), str), "a string"),
        ("status", item.get("status") in STATUSES, f"one of {', '.join(STATUSES)}"),
        ("points", _is_number(item.get("points"))
         and item.get("points") == POINTS.get(item.get("status")), "the points of its status"),
        *((name, isinstance(item.get(name), int) and not isinstance(item.get(name), bool)
           and item[name] >= 0, "a count") for name in ("passed", "failed", "skipped")),
        ("tests", isinstance(item.get("tests"), list)
         and all(isinstance(t, str) for t in item["tests"]), "a list of test ids"),
    ]
    return _first_failure(item, checks)


def _first_failure(data: Mapping[str, Any], checks: list[tuple[str, bool, str]]) -> str | None:
    for name, ok, expected in checks:
        if not ok:
            return f"{name}: expected {expected}, got {json.dumps(data.get(name))}"
    return None


def parse_umask(status: str) -> int | None:
    """The ``Umask:`` field of a ``/proc/<pid>/status`` text (Linux 4.7 and later), if any."""
    for line in status.splitlines():
        name, _, value = line.partition(":")
        if name == "Umask":
            try:
                return int(value.strip(), 8)
            except ValueError:
                return None
    return None


def read_umask(status: Path = _STATUS) -> int:
    """The process umask, read without changing it where the system allows.

    ``os.umask`` only reports the mask by setting a new one, and while it is set every other
    thread creates files with the wrong mode. So Linux's ``/proc/self/status`` is read; only
    where that is unavailable is the mask set and restored, once, when this module is imported.
    """
    try:
        mask = parse_umask(status.read_text(encoding="utf-8"))
    except OSError:
        mask = None
    if mask is None:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


_UMASK = read_umask()


def file_mode() -> int:
    """The mode ``open()`` would give a new file: 0o666 less the process umask."""
    return 0o666 & ~_UMASK


def write_atomic(path: Path, text: str) -> None:
    """Write through a temporary file in the same directory, then rename over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.chmod(tmp, file_mode())  # mkstemp creates 0600, a report is as shared as any file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_report(directory: Path, report: Mapping[str, Any]) -> tuple[Path, Path]:
    """DIRECTORY/ml_test_score.json and .md, the pair every writer of a report leaves behind."""
    paths = directory / JSON_NAME, directory / MARKDOWN_NAME
    write_atomic(paths[0], to_json(report))
    write_atomic(paths[1], markdown(report))
    return paths


def write_json(path: Path, document: Any) -> None:
    """A JSON document with sorted keys, written atomically: identical inputs, identical bytes."""
    write_atomic(path, json.dumps(document, indent=2, sort_keys=True) + "\n")
