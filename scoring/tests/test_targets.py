"""What a fault patched (the recording MonkeyPatch) and the test-code decision, as plain calls."""

from __future__ import annotations

import json
import os
import sys
import types

import pytest

from pytest_ml_test_score import targets
from pytest_ml_test_score.targets import RecordingPatch, Target


class Holder:
    """A class whose attribute a fault replaces."""

    value = 1


MAPPING = {"a": 1}


def _names(patch: RecordingPatch) -> list[tuple[str, str]]:
    return [(target.how, target.name) for target in patch.targets]


def test_every_patch_method_records_its_target(tmp_path):
    here = sys.modules[__name__]
    patch = RecordingPatch()
    try:
        patch.setattr(here, "MAPPING", {"b": 2})
        patch.setattr(f"{__name__}.Holder.value", 2)
        patch.setattr(Holder, "value", 3)
        patch.delattr(Holder, "value")
        patch.setitem(here.MAPPING, "c", 3)
        patch.delitem(here.MAPPING, "b")
        patch.setenv("ML_TEST_SCORE_EXAMPLE", "1")
        patch.delenv("ML_TEST_SCORE_EXAMPLE")
        patch.chdir(tmp_path)
        patch.syspath_prepend(str(tmp_path))
        patch.note("params", "model.C")
        patch.note("file", "out.json")
        assert Holder.__dict__.get("value") is None and MAPPING == {"c": 3}
    finally:
        patch.undo()
    assert Holder.value == 1 and MAPPING == {"a": 1}
    assert _names(patch) == [
        ("setattr", f"{__name__}.MAPPING"),
        ("setattr", f"{__name__}.Holder.value"),
        ("setattr", f"{__name__}.Holder.value"),
        ("delattr", f"{__name__}.Holder.value"),
        ("setitem", f"{__name__}.MAPPING['c']"),
        ("delitem", f"{__name__}.MAPPING['b']"),
        ("setenv", "ML_TEST_SCORE_EXAMPLE"),
        ("delenv", "ML_TEST_SCORE_EXAMPLE"),
        ("chdir", str(tmp_path)),
        ("syspath_prepend", str(tmp_path)),
        ("params", "model.C"),
        ("file", "out.json"),
    ]
    modules = {target.module for target in patch.targets[:6]}
    assert modules == {__name__} and patch.targets[0].file == __file__
    assert patch.targets[-1].file == os.path.join(str(tmp_path), "out.json")


def test_environ_items_and_anonymous_objects_are_named_as_well_as_they_can_be():
    assert targets.item_target("setitem", os.environ, "HOME").name == "os.environ['HOME']"
    assert targets.item_target("setitem", {}, "k") == Target("setitem", "<dict>['k']")
    module = types.ModuleType("made_up")
    assert targets.attribute_target("setattr", module, "x") == Target("setattr", "made_up.x",
                                                                      "made_up")
    anonymous = targets.attribute_target("setattr", Holder(), "value")
    assert anonymous.name == f"<{__name__}.Holder object>.value" and anonymous.module == __name__


@pytest.mark.parametrize(("relative", "expected"), [
    ("ml_tests/support/s3.py", True),       # a directory entry: anything under it
    ("ml_tests/conftest.py", True),
    ("pipeline/conftest.py", True),          # a name entry matches anywhere
    ("pipeline/tests/test_x.py", True),
    ("pipeline/features.py", False),
    ("pipeline/ml_tests_helper.py", False),  # names match whole components only
    ("scoring/src/pkg/test_helpers.py", True),  # a glob entry
    ("docs/support/s3.py", False),           # an anchored entry only from the root
])
def test_test_paths_match_directories_names_and_globs(tmp_path, relative, expected):
    paths = ["ml_tests", "tests", "conftest.py", "test_*.py", "docs/ml_tests/support"]
    assert targets.in_test_paths(tmp_path / relative, tmp_path, paths) is expected


def test_anchored_entries_and_files_outside_the_root(tmp_path):
    assert targets.in_test_paths(tmp_path / "a/b/c.py", tmp_path, ["a/b"])
    assert not targets.in_test_paths(tmp_path / "x/a/b/c.py", tmp_path, ["a/b"])
    assert not targets.in_test_paths("/elsewhere/tests/x.py", tmp_path, ["tests"])


def test_test_code_is_decided_by_the_module_file_or_the_test_modules(tmp_path):
    paths, modules = ["ml_tests"], ["moto"]
    stand_in = Target("setattr", "moto.s3.models.S3Backend.put_object", "moto.s3.models",
                      "/venv/site-packages/moto/s3/models.py")
    suite = Target("setattr", "ml_tests.conftest.train", "ml_tests.conftest",
                   str(tmp_path / "ml_tests/conftest.py"))
    system = Target("setattr", "pipeline.features.TOKEN", "pipeline.features",
                    str(tmp_path / "pipeline/features.py"))
    assert targets.is_test_code(stand_in, tmp_path, paths, modules)
    assert not targets.is_test_code(stand_in, tmp_path, paths)  # moto not configured
    assert targets.is_test_code(suite, tmp_path, paths, modules)
    assert not targets.is_test_code(system, tmp_path, paths, modules)
    assert not targets.in_test_modules("motor.x", modules)  # a prefix is a whole module name
    for how in ("setenv", "params"):  # configuration of the system, wherever it is read
        assert not targets.is_test_code(Target(how, "X"), tmp_path, paths, modules)
    assert targets.is_test_code(Target("chdir", "t", file=str(tmp_path / "ml_tests/x")),
                                tmp_path, paths)


def test_a_fault_is_refused_only_when_every_target_is_test_code(tmp_path):
    paths = ["ml_tests"]
    suite = Target("setattr", "ml_tests.helpers.f", "ml_tests.helpers",
                   str(tmp_path / "ml_tests/helpers.py"))
    system = Target("setattr", "pipeline.model.train", "pipeline.model",
                    str(tmp_path / "pipeline/model.py"))
    assert targets.refusal([system, suite], tmp_path, paths) is None  # rebinding copies is fine
    assert targets.refusal([suite, suite], tmp_path, paths) == (
        "it patches only test code or test support: ml_tests.helpers.f")
    assert targets.refusal([], tmp_path, paths) == "it patched nothing"
    assert targets.refusal([Target("params", "monitoring.max_latency_ratio")], tmp_path,
                           paths) is None


def test_targets_files_collect_every_process_and_survive_a_torn_line(tmp_path):
    path = tmp_path / "targets.jsonl"
    assert targets.read_targets(path) is None
    first = Target("setattr", "a.b", "a", "/a.py")
    targets.write_targets(path, "f", [first, Target("params", "x.y")])
    targets.write_targets(path, "f", [first])
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"fault": "f", "targets": [{"how"')
    assert targets.read_targets(path) == [Target("params", "x.y"), first]
    assert json.loads(path.read_text().splitlines()[0])["pid"] == os.getpid()
    assert Target.from_json(first.to_json()) == first
    assert Target("params", "x").to_json() == {"how": "params", "name": "x"}
