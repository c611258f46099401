"""Unit tests of `ml-test-score mutation`: parsing mutmut's listing, scoring, rendering.

mutmut itself is replaced by a small script that answers `run` and `results` the way mutmut does,
so that `main` is exercised through a real subprocess without a minutes-long mutation run.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from pytest_ml_test_score import mutation
from pytest_ml_test_score.config import load
from pytest_ml_test_score.mutation import (
    MutationError,
    build_report,
    column,
    is_excluded,
    parse_results,
    render,
    run_command,
    score,
    split_name,
    tally,
)
from pytest_ml_test_score.tomlcompat import tomllib

# What `mutmut results --all true` prints (progress lines and warnings interleave in practice).
LISTING = """\
⠋ Generating mutants
    pipeline.reviews.x_parse_reviews__mutmut_1: killed
    pipeline.reviews.x_parse_reviews__mutmut_2: survived
    pipeline.reviews.x_format_reviews__mutmut_1: timeout
    pipeline.features.xǁTextStatsǁtransform__mutmut_3: no tests
    pipeline.features.xǁTextStatsǁtransform__mutmut_4: caught by type check
    scoring.score.x_final_score__mutmut_1: suspicious
    scoring.score.x_final_score__mutmut_2: not checked
    scoring.score.x_item_status__mutmut_7: killed
"""


def counts(killed=0, survived=0, timeout=0, no_tests=0, other=0):
    return {"killed": killed, "survived": survived, "timeout": timeout, "no_tests": no_tests,
            "other": other}


def test_listing_lines_become_name_and_status():
    results = parse_results(LISTING)
    assert len(results) == 8
    assert results["pipeline.reviews.x_parse_reviews__mutmut_2"] == "survived"
    assert results["pipeline.features.xǁTextStatsǁtransform__mutmut_3"] == "no tests"
    assert results["scoring.score.x_final_score__mutmut_2"] == "not checked"
    assert "Generating" not in " ".join(results)


def test_lines_that_are_not_mutants_are_ignored():
    assert parse_results("    warning: something: odd\nDone\n") == {}


@pytest.mark.parametrize("name, expected", [
    ("pipeline.reviews.x_parse_reviews__mutmut_3", ("pipeline.reviews", "parse_reviews")),
    ("pipeline.features.xǁTextStatsǁtransform__mutmut_12",
     ("pipeline.features", "TextStats.transform")),
    ("scoring.x__change__mutmut_1", ("scoring", "_change")),
])
def test_mutant_names_split_into_module_and_function(name, expected):
    assert split_name(name) == expected


@pytest.mark.parametrize("name", ["x_orphan__mutmut_1", "pipeline.reviews.parse__mutmut_1"])
def test_unrecognised_mutant_names_are_an_error(name):
    with pytest.raises(MutationError, match="cannot tell the module"):
        split_name(name)


@pytest.mark.parametrize("status, expected", [
    ("killed", "killed"), ("caught by type check", "killed"), ("survived", "survived"),
    ("timeout", "timeout"), ("no tests", "no_tests"), ("suspicious", "other"),
    ("segfault", "other"), ("not checked", None), ("skipped", None),
])
def test_statuses_map_to_columns(status, expected):
    assert column(status) == expected


def test_score_counts_timeouts_as_caught_and_untested_mutants_as_not():
    assert score(counts(killed=6, timeout=2, survived=1, no_tests=1)) == 80.0
    assert score(counts(killed=1, survived=2)) == 33.3
    assert score(counts()) is None


def test_tally_per_module_leaves_unchecked_out_of_the_score():
    modules = tally(parse_results(LISTING))
    assert list(modules) == ["pipeline.features", "pipeline.reviews", "scoring.score"]
    assert modules["pipeline.reviews"] == {**counts(killed=1, survived=1, timeout=1),
                                           "unchecked": 0, "score": 66.7}
    assert modules["pipeline.features"]["killed"] == 1
    assert modules["pipeline.features"]["no_tests"] == 1
    assert modules["scoring.score"] == {**counts(killed=1, other=1), "unchecked": 1,
                                        "score": 50.0}


def test_report_totals_survivors_and_verdict():
    report = build_report(parse_results(LISTING), min_score=60, seconds=12.34)
    assert report["totals"] == {**counts(killed=3, survived=1, timeout=1, no_tests=1, other=1),
                                "unchecked": 1, "score": 57.1}
    assert report["passed"] is False
    assert report["complete"] is False
    assert report["seconds"] == 12.3
    assert report["survivors"] == [{"name": "pipeline.reviews.x_parse_reviews__mutmut_2",
                                    "module": "pipeline.reviews", "function": "parse_reviews"}]
    assert [m["function"] for m in report["no_tests"]] == ["TextStats.transform"]
    assert [m["name"] for m in report["other"]] == ["scoring.score.x_final_score__mutmut_1"]


def test_excluded_functions_leave_the_score_and_are_counted():
    results = parse_results(LISTING)
    report = build_report(results, min_score=60, exclude=["pipeline.reviews.parse_*",
                                                          "scoring.score.final_score"])
    assert report["excluded"] == {"patterns": ["pipeline.reviews.parse_*",
                                               "scoring.score.final_score"], "mutants": 4}
    assert report["totals"] == {**counts(killed=2, timeout=1, no_tests=1), "unchecked": 0,
                                "score": 75.0}
    assert report["survivors"] == []
    assert "4 mutant(s) of excluded functions left out: pipeline.reviews.parse_*, " \
        "scoring.score.final_score" in render(report)
    assert is_excluded("pipeline.features.xǁTextStatsǁfit__mutmut_1", ["*.TextStats.*"])
    assert not is_excluded("pipeline.features.x_stem__mutmut_1", ["*.TextStats.*"])


def test_a_score_equal_to_the_minimum_passes():
    results = {f"m.x_f__mutmut_{n}": "killed" for n in range(4)}
    results["m.x_f__mutmut_9"] = "survived"
    assert build_report(results, min_score=80)["passed"] is True
    assert build_report(results, min_score=80.1)["passed"] is False


def test_nothing_judged_never_passes():
    assert build_report({"m.x_f__mutmut_1": "not checked"}, min_score=0)["passed"] is False


def test_render_has_a_row_per_module_the_total_and_the_verdict():
    lines = render(build_report(parse_results(LISTING), min_score=80))
    assert lines[0].split() == ["module", "killed", "survived", "timeout", "no", "tests",
                                "other", "score"]
    rows = {line.split()[0]: line.split()[1:] for line in lines if line.startswith(("p", "s", "t"))}
    assert rows["pipeline.reviews"] == ["1", "1", "1", "0", "0", "66.7%"]
    assert rows["total"] == ["3", "1", "1", "1", "1", "57.1%"]
    assert "1 mutant(s) not checked yet" in "\n".join(lines)
    assert lines[-1] == "mutation score 57.1% (minimum 80%): BELOW THE MINIMUM"


def test_render_of_a_passing_complete_run():
    lines = render(build_report({"m.x_f__mutmut_1": "killed"}, min_score=80))
    assert lines[-1] == "mutation score 100.0% (minimum 80%): OK"
    assert not any("not checked" in line for line in lines)


def test_run_command_passes_options_through():
    assert run_command(None, []) == ["run"]
    assert run_command(3, ["pipeline.reviews.*"]) == ["run", "--max-children", "3",
                                                      "pipeline.reviews.*"]


def test_the_distribution_configuration_keeps_the_slow_tests_out():
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    with pyproject.open("rb") as stream:
        tool = tomllib.load(stream)["tool"]
    assert load(pyproject).mutation.min_score == 80.0
    selection = tool["mutmut"]["pytest_add_cli_args_test_selection"]
    assert selection and all(path.startswith("tests") for path in selection)
    args = tool["mutmut"]["pytest_add_cli_args"]
    assert args[args.index("-m") + 1] == "not slow"


FAKE_MUTMUT = """\
import os, sys
with open(os.environ["FAKE_MUTMUT_LOG"], "a", encoding="utf-8") as log:
    log.write(" ".join(sys.argv[1:]) + "\\n")
if sys.argv[1] == "run":
    print("Running mutation testing")
    sys.exit(int(os.environ.get("FAKE_MUTMUT_RUN_EXIT", "0")))
print(open(os.environ["FAKE_MUTMUT_LISTING"], encoding="utf-8").read())
"""


@pytest.fixture
def fake_project(tmp_path, monkeypatch):
    """A project root with a pyproject.toml and a stand-in for mutmut's console script."""
    (tmp_path / "pyproject.toml").write_text(
        "[tool.ml_test_score.mutation]\nmin_score = 75\nreports = 'out'\n", encoding="utf-8")
    script = tmp_path / "fake_mutmut.py"
    script.write_text(FAKE_MUTMUT, encoding="utf-8")
    listing = tmp_path / "listing.txt"
    listing.write_text("\n".join(f"    pkg.mod.x_f__mutmut_{n}: killed" for n in range(3))
                       + "\n    pkg.mod.x_g__mutmut_1: survived\n", encoding="utf-8")
    monkeypatch.setattr(mutation, "mutmut_command", lambda: [sys.executable, str(script)])
    monkeypatch.setenv("FAKE_MUTMUT_LOG", str(tmp_path / "calls.log"))
    monkeypatch.setenv("FAKE_MUTMUT_LISTING", str(listing))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def calls(root: Path) -> list[str]:
    return (root / "calls.log").read_text(encoding="utf-8").splitlines()


def test_main_runs_mutmut_reports_and_passes_at_the_minimum(fake_project, capsys):
    assert mutation.main(["--max-children", "1"]) == 0
    assert calls(fake_project) == ["run --max-children 1", "results --all true"]
    report = json.loads((fake_project / "out" / "mutation.json").read_text(encoding="utf-8"))
    assert report["totals"]["score"] == 75.0
    assert report["passed"] is True
    assert report["seconds"] is not None
    assert [s["name"] for s in report["survivors"]] == ["pkg.mod.x_g__mutmut_1"]
    out = capsys.readouterr().out
    assert "mutation score 75.0% (minimum 75%): OK" in out
    assert "mutation: wrote out/mutation.json" in out


def test_main_below_the_minimum_exits_1(fake_project):
    (fake_project / "pyproject.toml").write_text(
        "[tool.ml_test_score.mutation]\nmin_score = 90\n", encoding="utf-8")
    assert mutation.main(["--no-run"]) == 1
    assert calls(fake_project) == ["results --all true"]
    report = json.loads((fake_project / "reports" / "mutation.json").read_text(encoding="utf-8"))
    assert report["passed"] is False
    assert report["seconds"] is None


def test_main_failed_run_is_one_line_and_exit_2(fake_project, monkeypatch, capsys):
    monkeypatch.setenv("FAKE_MUTMUT_RUN_EXIT", "1")
    assert mutation.main(["pkg.mod.x_g__mutmut_1"]) == 2
    assert calls(fake_project) == ["run pkg.mod.x_g__mutmut_1"]
    assert capsys.readouterr().err.strip() == (
        "ml-test-score mutation: error: mutmut run failed (exit 1); see its output above")
    assert not (fake_project / "out" / "mutation.json").exists()


def test_main_without_results_is_exit_2(fake_project, capsys):
    (fake_project / "listing.txt").write_text("", encoding="utf-8")
    assert mutation.main(["--no-run"]) == 2
    assert "recorded no mutants" in capsys.readouterr().err
