"""What a fault patched: a recording MonkeyPatch, and whether a target lies in test code.

The fault plugin hands each injector a `RecordingPatch`. Besides doing what `pytest.MonkeyPatch`
does, it records every target: ``setattr`` and ``delattr`` as the dotted name of the patched
attribute (``module.attr`` or ``module.Class.attr``) with the module that holds it, ``setitem``
and ``delitem`` as ``module.mapping[key]`` (the mapping found by identity among the loaded
modules' globals), ``setenv``/``delenv`` by variable name, ``chdir`` and ``syspath_prepend`` by
path, and whatever a helper notes itself (``patch.note("params", "monitoring.max_latency_ratio")``
for a params key an override helper replaces, ``patch.note("file", path)`` for a file it writes).

The audit refuses a fault whose targets all lie in test code or test support: the files under
the configured test paths (the suites, conftest files, stand-in servers) and the configured test
modules (a library that only tests use, such as an in-process fake of a cloud service).
"""

from __future__ import annotations

import fnmatch
import importlib
import json
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from types import ModuleType
from typing import Any

import pytest

# How a target was changed; "params" and "file" come from `RecordingPatch.note`.
PATH_KINDS = frozenset({"chdir", "syspath_prepend", "file"})
NOT_CODE = frozenset({"setenv", "delenv", "params"})


@dataclass(frozen=True, order=True)
class Target:
    """One thing a fault changed: how, its name, and the module and file that hold it."""

    how: str
    name: str
    module: str | None = None
    file: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The record a process writes for the audit."""
        return {key: value for key, value in asdict(self).items() if value is not None}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Target:
        """The inverse of `to_json`."""
        return cls(str(data["how"]), str(data["name"]), data.get("module"), data.get("file"))


def _module_file(module_name: str | None) -> str | None:
    module = sys.modules.get(module_name or "")
    file = getattr(module, "__file__", None)
    return str(file) if file else None


def _binding(obj: object) -> tuple[str, str] | None:
    """(module name, global name) of a loaded module's global that IS `obj`, if any."""
    for module_name, module in list(sys.modules.items()):
        if not isinstance(module, ModuleType):
            continue
        for name, value in list(vars(module).items()):
            if value is obj and not name.startswith("__"):
                return module_name, name
    return None


def attribute_target(how: str, owner: object, attribute: str) -> Target:
    """The target of ``setattr(owner, attribute, ...)`` or ``delattr``."""
    if isinstance(owner, ModuleType):
        return Target(how, f"{owner.__name__}.{attribute}", owner.__name__,
                      getattr(owner, "__file__", None))
    if isinstance(owner, type):
        module = owner.__module__
        return Target(how, f"{module}.{owner.__qualname__}.{attribute}", module,
                      _module_file(module))
    bound = _binding(owner)
    if bound is not None:
        return Target(how, f"{bound[0]}.{bound[1]}.{attribute}", bound[0],
                      _module_file(bound[0]))
    kind = type(owner)
    return Target(how, f"<{kind.__module__}.{kind.__qualname__} object>.{attribute}",
                  kind.__module__, _module_file(kind.__module__))


def item_target(how: str, mapping: object, key: object) -> Target:
    """The target of ``setitem(mapping, key, ...)`` or ``delitem``."""
    if mapping is os.environ:
        return Target(how, f"os.environ[{key!r}]", "os", _module_file("os"))
    bound = _binding(mapping)
    if bound is not None:
        return Target(how, f"{bound[0]}.{bound[1]}[{key!r}]", bound[0], _module_file(bound[0]))
    return Target(how, f"<{type(mapping).__qualname__}>[{key!r}]")


def _resolve_owner(dotted: str) -> object:
    """The object holding the last attribute of ``package.module.Class.attr``."""
    parts = dotted.split(".")[:-1]
    for split in range(len(parts), 0, -1):
        try:
            owner: object = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for part in parts[split:]:
            owner = getattr(owner, part)
        return owner
    raise ValueError(f"cannot resolve {dotted!r}")


# pytest marks MonkeyPatch final for type checkers; a subclass that only adds recording keeps
# every behaviour, and an injector written for a plain MonkeyPatch runs unchanged.
# pylint: disable-next=subclassed-final-class
class RecordingPatch(pytest.MonkeyPatch):  # type: ignore[misc]
    """A MonkeyPatch that also records what it patched (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self.targets: list[Target] = []
        self._depth = 0  # MonkeyPatch.setenv goes through setitem: record the outer call only

    def _record(self, target: Target) -> None:
        if self._depth == 0:
            self.targets.append(target)

    def note(self, how: str, name: str) -> None:
        """Record a target the patch methods do not see; a "file" is recorded by its path."""
        if how == "file":
            self.targets.append(Target(how, name, file=os.path.abspath(name)))
        else:
            self.targets.append(Target(how, name))

    # The signatures follow pytest.MonkeyPatch's (overloads and all); only recording is added.
    def setattr(self, target: Any, name: Any = pytest.MonkeyPatch, value: Any = pytest.MonkeyPatch,
                raising: bool = True) -> None:  # type: ignore[override]
        if value is pytest.MonkeyPatch:  # `setattr("pkg.mod.attr", value)`
            value = name
            super().setattr(target, value, raising=raising)
            self._record(attribute_target("setattr", _resolve_owner(target),
                                          target.rsplit(".", 1)[1]))
            return
        super().setattr(target, name, value, raising=raising)
        self._record(attribute_target("setattr", target, name))

    def delattr(self, target: Any, name: Any = pytest.MonkeyPatch,
                raising: bool = True) -> None:  # type: ignore[override]
        if name is pytest.MonkeyPatch:
            owner, attribute = _resolve_owner(target), target.rsplit(".", 1)[1]
            super().delattr(target, raising=raising)
        else:
            owner, attribute = target, name
            super().delattr(target, name, raising=raising)
        self._record(attribute_target("delattr", owner, attribute))

    def setitem(self, dic: Any, name: Any, value: Any) -> None:
        super().setitem(dic, name, value)
        self._record(item_target("setitem", dic, name))

    def delitem(self, dic: Any, name: Any, raising: bool = True) -> None:
        super().delitem(dic, name, raising=raising)
        self._record(item_target("delitem", dic, name))

    def setenv(self, name: str, value: str, prepend: str | None = None) -> None:
        self._depth += 1
        try:
            super().setenv(name, value, prepend)
        finally:
            self._depth -= 1
        self._record(Target("setenv", name))

    def delenv(self, name: str, raising: bool = True) -> None:
        self._depth += 1
        try:
            super().delenv(name, raising=raising)
        finally:
            self._depth -= 1
        self._record(Target("delenv", name))

    def syspath_prepend(self, path: Any) -> None:
        super().syspath_prepend(path)
        self._record(Target("syspath_prepend", str(path), file=os.path.abspath(path)))

    def chdir(self, path: Any) -> None:
        super().chdir(path)
        self._record(Target("chdir", str(path), file=os.path.abspath(path)))


def _matches(relative: PurePosixPath, entry: str) -> bool:
    """ENTRY with a slash is anchored at the root (the path or anything under it); without one
    it is a glob matched against every component, so `conftest.py` or `tests` match anywhere."""
    if "/" in entry.strip("/"):
        anchored = PurePosixPath(entry.strip("/"))
        return relative == anchored or anchored in relative.parents
    return any(fnmatch.fnmatchcase(part, entry.strip("/")) for part in relative.parts)


def in_test_paths(file: str | os.PathLike[str], root: Path, test_paths: Iterable[str]) -> bool:
    """Whether FILE lies under ROOT in one of TEST_PATHS (see `_matches`)."""
    try:
        relative = Path(os.path.abspath(file)).relative_to(Path(os.path.abspath(root)))
    except ValueError:
        return False
    posix = PurePosixPath(relative.as_posix())
    return any(_matches(posix, entry) for entry in test_paths)


def in_test_modules(module: str | None, test_modules: Iterable[str]) -> bool:
    """Whether MODULE is one of TEST_MODULES or inside one of them (``moto`` -> ``moto.s3``)."""
    return bool(module) and any(module == name or module.startswith(f"{name}.")
                                for name in test_modules)


def is_test_code(target: Target, root: Path, test_paths: Iterable[str],
                 test_modules: Iterable[str] = ()) -> bool:
    """Whether TARGET lies in test code or test support.

    An attribute or a mapping counts by the module that holds it (its file, or the module name
    for the configured test modules); a path by where it points; an environment variable or a
    params key is the system's configuration, never test code.
    """
    if target.how in NOT_CODE:
        return False
    if in_test_modules(target.module, test_modules):
        return True
    return target.file is not None and in_test_paths(target.file, root, test_paths)


def refusal(targets: Iterable[Target], root: Path, test_paths: Iterable[str],
            test_modules: Iterable[str] = ()) -> str | None:
    """Why the audit refuses a fault with these targets, or None when it does not."""
    targets = sorted(set(targets))
    if not targets:
        return "it patched nothing"
    if all(is_test_code(target, root, test_paths, test_modules) for target in targets):
        return "it patches only test code or test support: " + ", ".join(
            target.name for target in targets)
    return None


def write_targets(path: str | os.PathLike[str], fault: str, targets: Iterable[Target]) -> None:
    """Append one JSON line (this process's targets) to PATH, in one write."""
    line = json.dumps({"fault": fault, "pid": os.getpid(),
                       "targets": [target.to_json() for target in targets]}) + "\n"
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(descriptor, line.encode("utf-8"))
    finally:
        os.close(descriptor)


def read_targets(path: str | os.PathLike[str]) -> list[Target] | None:
    """Every process's targets from PATH, deduplicated; None when no process wrote any."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    found: set[Target] = set()
    for line in lines:
        try:
            found.update(Target.from_json(entry) for entry in json.loads(line)["targets"])
        except (ValueError, KeyError, TypeError):
            continue  # a line cut short by a killed process
    return sorted(found)
