"""Every schema violation of a report file is one line naming the field, and writes are atomic.

The gate and the report CLI print these messages as they are, so a user who hand-edits or
truncates ``ml_test_score.json`` is told exactly which field is wrong and what was expected.
"""

from __future__ import annotations

import copy
import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from pytest_ml_test_score import reportfile
from pytest_ml_test_score.marks import RubricRef
from pytest_ml_test_score.outcomes import ItemTally
from pytest_ml_test_score.render import markdown, to_json
from pytest_ml_test_score.reportfile import (
    ReportError,
    load_report,
    validate_report,
    write_atomic,
    write_report,
)
from pytest_ml_test_score.score import build_report


def valid_report() -> dict:
    tallies = {RubricRef("data", 1): ItemTally(passed=1, tests=["t::a"])}
    return build_report(tallies, {}, True)


def with_change(path: tuple, value) -> dict:
    report = copy.deepcopy(valid_report())
    target = report
    for key in path[:-1]:
        target = target[key]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return report


DELETE = object()
ITEM = ("sections", "model", "items", "3")
WHERE = "sections.model.items.3"


@pytest.mark.parametrize(("path", "value", "message"), [
    (("score",), "7", 'score: expected a number, got "7"'),
    (("score",), True, "score: expected a number, got true"),
    (("max",), 10, "max: expected 7, got 10"),
    (("complete",), "yes", 'complete: expected true or false, got "yes"'),
    (("interpretation",), None, "interpretation: expected a string, got null"),
    (("sections",), [], "sections: expected an object, got []"),
    (("sections", "infra"), DELETE,
     "sections.infra: expected an object with a numeric score and items"),
    (("sections", "infra", "score"), "1",
     "sections.infra: expected an object with a numeric score and items"),
    (("sections", "infra", "items"), [],
     "sections.infra: expected an object with a numeric score and items"),
    (("sections", "data", "items", "7"), DELETE,
     "sections.data.items: expected the keys 1 to 7, got ['1', '2', '3', '4', '5', '6']"),
    ((*ITEM,), "x", f"{WHERE}: expected an object"),
    ((*ITEM, "title"), 3, f"{WHERE}.title: expected a string, got 3"),
    ((*ITEM, "status"), "great",
     f'{WHERE}.status: expected one of automated, manual, failed, skipped, missing, '
     f'got "great"'),
    ((*ITEM, "points"), 1.0, f"{WHERE}.points: expected the points of its status, got 1.0"),
    ((*ITEM, "points"), "0.0", f'{WHERE}.points: expected the points of its status, got "0.0"'),
    ((*ITEM, "passed"), -1, f"{WHERE}.passed: expected a count, got -1"),
    ((*ITEM, "failed"), False, f"{WHERE}.failed: expected a count, got false"),
    ((*ITEM, "skipped"), 1.0, f"{WHERE}.skipped: expected a count, got 1.0"),
    ((*ITEM, "tests"), "t::a", f'{WHERE}.tests: expected a list of test ids, got "t::a"'),
    ((*ITEM, "tests"), ["t::a", 3],
     f'{WHERE}.tests: expected a list of test ids, got ["t::a", 3]'),
])
def test_each_violation_names_the_field_and_what_was_expected(path, value, message):
    assert validate_report(valid_report()) is None
    assert validate_report(with_change(path, value)) == message


def test_a_bad_field_in_a_file_is_reported_with_the_file_name(tmp_path):
    path = tmp_path / "ml_test_score.json"
    path.write_text(json.dumps(with_change((*ITEM, "status"), "ok")), encoding="utf-8")
    with pytest.raises(ReportError) as caught:
        load_report(path)
    assert str(caught.value).startswith(f"{path}: {WHERE}.status: expected one of ")
    assert "\n" not in str(caught.value)


def test_a_report_with_non_ascii_text_reads_back_as_utf8(tmp_path):
    report = valid_report()
    report["interpretation"] = "Qualität – ready"
    path = tmp_path / "r.json"
    path.write_bytes(json.dumps(report, ensure_ascii=False).encode("utf-8"))
    assert load_report(path)["interpretation"] == "Qualität – ready"


def test_write_atomic_creates_missing_directories_and_a_shared_readable_file(tmp_path,
                                                                             monkeypatch):
    monkeypatch.setattr(reportfile, "_UMASK", 0o022)  # the usual umask, whatever this run's is
    target = tmp_path / "a" / "b" / "ml_test_score.md"
    write_atomic(target, "Qualität\n")
    assert target.read_bytes() == "Qualität\n".encode()
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert sorted(p.name for p in target.parent.iterdir()) == ["ml_test_score.md"]


def test_write_atomic_replaces_an_existing_file(tmp_path):
    target = tmp_path / "r.json"
    target.write_text("old and longer content\n", encoding="utf-8")
    write_atomic(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"


def test_the_temporary_file_is_a_hidden_sibling_of_the_target(tmp_path, monkeypatch):
    """A rename within one directory is atomic; a hidden .tmp name is never taken for a report."""
    seen: list[Path] = []
    real_replace = os.replace

    def spy(src, dst):
        seen.append(Path(src))
        assert Path(src).read_text(encoding="utf-8") == "{}\n"
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    target = tmp_path / "ml_test_score.json"
    write_atomic(target, "{}\n")
    [tmp] = seen
    assert tmp.parent == tmp_path
    assert tmp.name.startswith(".ml_test_score.json.") and tmp.name.endswith(".tmp")
    assert not tmp.exists()


def test_a_failed_write_leaves_neither_a_temp_file_nor_a_changed_target(tmp_path):
    target = tmp_path / "ml_test_score.json"
    target.write_text("previous\n", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(target, "half \ud800 written")
    assert target.read_text(encoding="utf-8") == "previous\n"
    assert [p.name for p in tmp_path.iterdir()] == ["ml_test_score.json"]


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600),
                                         (0o002, 0o664)])
def test_the_file_mode_follows_the_umask_like_open_does(tmp_path, umask, mode):
    """In a fresh process, as the umask is read once when the module is imported."""
    script = (f"import os; os.umask({umask:#o})\n"
              "from pathlib import Path\n"
              "from pytest_ml_test_score.reportfile import write_atomic\n"
              f"write_atomic(Path({str(tmp_path / 'r.json')!r}), '{{}}')\n"
              f"open({str(tmp_path / 'plain')!r}, 'w').close()\n")
    subprocess.run([sys.executable, "-c", script], check=True)
    assert stat.S_IMODE((tmp_path / "r.json").stat().st_mode) == mode
    assert stat.S_IMODE((tmp_path / "plain").stat().st_mode) == mode


@pytest.mark.parametrize("text, mask", [
    ("Name:\tpython\nUmask:\t0027\nState:\tR (running)\n", 0o027),
    ("Umask:\t0002\n", 0o002),
    ("Name:\tpython\nState:\tR (running)\n", None),  # a kernel older than 4.7
    ("Umask:\tnone\n", None),
])
def test_the_umask_is_parsed_from_the_process_status(text, mask):
    assert reportfile.parse_umask(text) == mask


def test_without_a_process_status_the_umask_is_set_and_restored(tmp_path):
    before = os.umask(0o027)
    try:
        assert reportfile.read_umask(tmp_path / "absent") == 0o027
        assert reportfile.read_umask(tmp_path) == 0o027  # a directory: unreadable too
        assert os.umask(0o027) == 0o027
    finally:
        os.umask(before)


def test_writing_never_changes_the_process_umask(tmp_path, monkeypatch):
    """Other threads create files meanwhile: the mask they see must stay the process's."""
    seen = []
    real_umask = os.umask
    monkeypatch.setattr(os, "umask", lambda mask: seen.append(mask) or real_umask(mask))
    writers = [threading.Thread(target=write_atomic, args=(tmp_path / f"{n}.json", "{}"))
               for n in range(4)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert seen == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{n}.json" for n in range(4)]


def test_a_valid_report_reads_back_unchanged(tmp_path):
    path = tmp_path / "r.json"
    data = valid_report()
    path.write_text(json.dumps(data), encoding="utf-8")
    assert load_report(path) == data


@pytest.mark.parametrize(("content", "message"), [
    (b"{", "invalid JSON at line 1 column 2: Expecting property name enclosed in double quotes"),
    (b"\xff", "not UTF-8 text"),
    (b"[]", "expected a JSON object, got list"),
    (b'{"schema": 2}', "schema: expected 1, got 2"),
])
def test_unusable_files_are_one_line_naming_the_file(tmp_path, content, message):
    path = tmp_path / "r.json"
    path.write_bytes(content)
    with pytest.raises(ReportError) as caught:
        load_report(path)
    assert str(caught.value) == f"{path}: {message}"


def test_a_missing_file_names_the_reason(tmp_path):
    with pytest.raises(ReportError) as caught:
        load_report(tmp_path / "absent.json")
    assert str(caught.value) == (f"{tmp_path / 'absent.json'}: cannot read: "
                                 "No such file or directory")


def test_a_report_is_written_as_its_json_and_markdown_pair(tmp_path):
    report = valid_report()
    paths = write_report(tmp_path / "out", report)
    assert paths == (tmp_path / "out" / "ml_test_score.json", tmp_path / "out" / "ml_test_score.md")
    assert paths[0].read_text(encoding="utf-8") == to_json(report)
    assert paths[1].read_text(encoding="utf-8") == markdown(report)
    assert load_report(paths[0]) == report
