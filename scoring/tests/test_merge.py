"""``ml-test-score merge``: shards of a run give the report of the whole run, byte for byte."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest

from pytest_ml_test_score import cli, merge
from pytest_ml_test_score.catalogue import SECTIONS
from pytest_ml_test_score.manual import ManualEvidence
from pytest_ml_test_score.marks import RubricRef
from pytest_ml_test_score.outcomes import RunRecord
from pytest_ml_test_score.render import to_json
from pytest_ml_test_score.runreport import assemble

DATA_1, MODEL_1 = RubricRef("data", 1), RubricRef("model", 1)


def _shard(tests: dict[str, tuple[list[RubricRef], bool, str | None]], **kwargs) -> dict:
    record = RunRecord()
    for nodeid, (refs, selected, outcome) in tests.items():
        record.add_collected(nodeid, refs, selected)
        if outcome:
            record.add_report(nodeid, "call", outcome)
    return assemble(record, kwargs.get("manual", ManualEvidence()), "manual.toml",
                    kwargs.get("unmatched"))


def test_a_failure_in_any_shard_wins_and_a_pass_beats_a_deselection():
    first = _shard({"t::a": ([DATA_1], True, "passed"), "t::b": ([MODEL_1], False, None),
                    "t::c": ([DATA_1, MODEL_1], True, "passed")})
    second = _shard({"t::a": ([DATA_1], False, None), "t::b": ([MODEL_1], True, "passed"),
                     "t::c": ([DATA_1, MODEL_1], True, "failed")})
    merged = merge.merge_reports([first, second])
    assert merged["run"]["tests"] == {
        "t::a": {"items": ["data:1"], "selected": True, "outcome": "passed"},
        "t::b": {"items": ["model:1"], "selected": True, "outcome": "passed"},
        "t::c": {"items": ["data:1", "model:1"], "selected": True, "outcome": "failed"},
    }
    assert merged["sections"]["data"]["items"]["1"]["status"] == "failed"
    assert merged["run"]["sections_selected"] == ["data", "model"]
    assert merged["complete"] is False


def test_complete_when_the_shards_together_selected_every_section():
    shards = [_shard({f"t::{section}": ([RubricRef(section, 1)], True, "passed")})
              for section in SECTIONS]
    assert [shard["complete"] for shard in shards] == [False] * 4
    merged = merge.merge_reports(shards)
    assert merged["complete"] is True and merged["score"] == 1.0


def test_merging_one_report_gives_it_back():
    report = _shard({"t::a": ([DATA_1], True, "passed")}, unmatched=["x*"])
    assert to_json(merge.merge_reports([report])) == to_json(report)


def test_manual_evidence_counts_when_every_shard_had_it_and_map_misses_are_common():
    entry = {"date": "2026-11-30", "summary": "by hand", "results": "r.md"}
    tests = {"t::a": ([DATA_1], True, "passed")}
    both = ManualEvidence(valid={MODEL_1: entry, RubricRef("infra", 1): entry},
                          problems=["p1"])
    one = ManualEvidence(valid={MODEL_1: entry}, problems=["p2"])
    merged = merge.merge_reports([_shard(tests, manual=both, unmatched=["a*", "b*"]),
                                  _shard(tests, manual=one, unmatched=["b*"])])
    assert merged["manual_evidence"]["valid"] == {"model:1": entry}
    assert merged["manual_evidence"]["problems"] == ["p1", "p2"]
    assert merged["sections"]["model"]["items"]["1"]["status"] == "manual"
    assert merged["map"] == {"unmatched": ["b*"]}


def _write(path: Path, report: dict) -> str:
    path.write_text(json.dumps(report), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(("change", "problem"), [
    (lambda r: r.update(schema=2), "schema: expected 1, got 2"),
    (lambda r: r["sections"]["data"]["items"]["3"].update(title="Something else."),
     "rubric catalogue differs: data:3 is 'Something else.', here \"No feature's cost is too "
     "much.\""),
    (lambda r: r.pop("run"), "no per-test outcomes (run.tests): written by a plugin older than "
                             "0.2; rerun the shard"),
    (lambda r: r["run"]["tests"]["t::a"].update(outcome="green"),
     "t::a: outcome 'green' is not one of passed, failed, skipped or null"),
    (lambda r: r["run"]["tests"]["t::a"].update(items=["data:9"]),
     "item 9 of section 'data' is not an integer 1-7"),
])
def test_reports_that_cannot_be_merged_are_refused_in_one_line(tmp_path, capsys, change,
                                                               problem):
    good = _shard({"t::a": ([DATA_1], True, "passed")})
    bad = copy.deepcopy(good)
    change(bad)
    paths = [_write(tmp_path / "good.json", good), _write(tmp_path / "bad.json", bad)]
    assert cli.main(["merge", *paths, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"ml-test-score merge: error: {tmp_path / 'bad.json'}: ")
    assert problem in err
    assert not (tmp_path / "out").exists()


SUITE = '''
import pytest

@pytest.mark.rubric("data", 1)
def test_schema(): pass

@pytest.mark.rubric("data", 2)
@pytest.mark.rubric("infra", 1)
def test_shared_by_two_sections(): pass

@pytest.mark.rubric("model", 1)
@pytest.mark.parametrize("x", [1, 2, 3])
def test_param_one_fails(x): assert x != 2

@pytest.mark.rubric("model", 2)
def test_skipped(): pytest.skip("later")

@pytest.mark.rubric("infra", 3)
@pytest.mark.xfail(reason="known")
def test_xfail(): assert 0

@pytest.mark.rubric("monitoring", 1)
def test_monitor(): pass

def test_plain(): pass

def test_mapped(): pass
'''


def test_four_section_shards_merged_are_byte_identical_to_the_whole_run(pytester):
    """A suite run once whole and once as -m data, -m model, -m infra, -m monitoring."""
    (pytester.path / "evidence.md").write_text("results")
    (pytester.path / "ml_test_score_manual.toml").write_text(
        f'[model.2]\ndate = {dt.date.today()}\nsummary = "by hand"\nresults = "evidence.md"\n'
        f'[monitoring.9]\ndate = {dt.date.today()}\nsummary = "bad"\nresults = "evidence.md"\n')
    pytester.makeini("[pytest]\nml_score_map =\n    test_mapped = monitoring:2\n"
                     "    nowhere/* = data:7\n")
    pytester.makepyfile(test_suite=SUITE)
    pytester.runpytest("-p", "no:cacheprovider", "--ml-score-report=whole")
    for section in SECTIONS:
        pytester.runpytest("-p", "no:cacheprovider", "-m", section,
                           f"--ml-score-report=shard-{section}")
    shards = [str(pytester.path / f"shard-{section}" / "ml_test_score.json")
              for section in SECTIONS]
    assert cli.main(["merge", *shards, "--out", str(pytester.path / "merged")]) == 0
    whole = (pytester.path / "whole" / "ml_test_score.json").read_bytes()
    assert (pytester.path / "merged" / "ml_test_score.json").read_bytes() == whole
    assert (pytester.path / "merged" / "ml_test_score.md").read_bytes() == (
        pytester.path / "whole" / "ml_test_score.md").read_bytes()
    report = json.loads(whole)
    assert report["complete"] is True and report["map"] == {"unmatched": ["nowhere/*"]}
    assert report["sections"]["model"]["items"]["2"]["status"] == "manual"
    assert [json.loads(Path(shard).read_text(encoding="utf-8"))["complete"]
            for shard in shards] == [False] * 4
