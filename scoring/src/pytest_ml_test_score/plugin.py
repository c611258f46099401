"""pytest plugin ``ml_test_score``: scores the rubric from the tests that ran (thin hooks only).

Collection validates ``rubric`` marks; once every ``pytest_collection_modifyitems`` hook has run,
each test's items are read from its final marks and the ``ml_score_map`` patterns, and its
section markers are added before ``-m`` deselects (see ``selection``). Reports are folded per
test; the controller (serial run or xdist controller) turns the record into the schema-1 report.
Every test report carries its items in ``user_properties`` (JUnit XML shows them as properties);
under pytest-xdist the controller collects nothing, so the workers also send their collection
catalogue through ``config.workeroutput``.

Only stdlib and pytest are imported here: the plugin loads in every pytest run of the environment.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from pytest_ml_test_score import rootdir, selection
from pytest_ml_test_score.catalogue import MAX_SCORE, SECTION_TITLES, SECTIONS
from pytest_ml_test_score.manual import (
    DEFAULT_FILE,
    DEFAULT_MAX_AGE_DAYS,
    ManualEvidence,
    load_manual,
)
from pytest_ml_test_score.mapping import INI_NAME as MAP_INI
from pytest_ml_test_score.mapping import (
    MapError,
    MapUse,
    mapped_refs,
    parse_map,
    unmatched_patterns,
)
from pytest_ml_test_score.marks import MARK_NAME, RubricMarkError, RubricRef, refs_from_marks
from pytest_ml_test_score.outcomes import RunRecord, phase_outcome
from pytest_ml_test_score.render import terminal_lines, threshold_line
from pytest_ml_test_score.reportfile import JSON_NAME, MARKDOWN_NAME, write_report
from pytest_ml_test_score.runreport import assemble

SESSION_PLUGIN = "ml_test_score_session"
USER_PROPERTY = "ml_test_score_rubric"
WORKER_KEY = "ml_test_score"
_SECTION_MARKS = {section: getattr(pytest.mark, section) for section in SECTIONS}
_MARKERS = {
    MARK_NAME: f"{MARK_NAME}(section, item): the test implements item ITEM (1-7) of SECTION "
               f"({', '.join(SECTIONS)}) of the ML Test Score rubric",
    **{section: f"{section}: rubric section {title} (added by the ml_test_score plugin)"
       for section, title in SECTION_TITLES.items()},
}


def _threshold(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= MAX_SCORE:
        raise argparse.ArgumentTypeError(f"expected a score from 0 to {MAX_SCORE}, got {text!r}")
    return value


def pytest_addoption(parser: pytest.Parser) -> None:
    """Command-line and ini options of the plugin."""
    group = parser.getgroup("ml-test-score", "ML Test Score (Breck et al. 2017)")
    group.addoption("--ml-score-report", metavar="DIR", default=None,
                    help=f"write DIR/{JSON_NAME} and DIR/{MARKDOWN_NAME}")
    group.addoption("--ml-score-fail-under", metavar="N", type=_threshold, default=None,
                    help="fail the session when the final ML Test Score is below N (0-7)")
    parser.addini("ml_score_manual", default=DEFAULT_FILE,
                  help="TOML file of manually executed rubric items, relative to the rootdir")
    parser.addini("ml_score_manual_max_age_days", default=str(DEFAULT_MAX_AGE_DAYS),
                  help="manual evidence older than this many days earns no points")
    parser.addini(MAP_INI, type="linelist", default=[],
                  help="rubric items for tests by pattern, one 'GLOB = SECTION:ITEM ...' a line "
                       "(GLOB matches node ids or test names)")


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    """Stop a run that pytest re-rooted by taking ``--ml-score-report DIR`` for a test path."""
    if hasattr(early_config, "workerinput"):
        return  # xdist workers get the controller's rootdir
    tokens = rootdir.early_tokens(early_config.invocation_params.args)
    if not rootdir.spaced_values(tokens):
        return  # the common case: no value pytest could have taken for a path
    namespace = early_config.known_args_namespace
    message = rootdir.check(
        tokens,
        [str(arg) for arg in getattr(namespace, "file_or_dir", None) or ()],
        rootdir.pytest_setup(namespace, early_config.invocation_params.dir))
    if message:
        raise pytest.UsageError(message)


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers (works under --strict-markers without any ini) and the session."""
    known = {line.split(":")[0].split("(")[0].strip() for line in config.getini("markers")}
    for name, line in _MARKERS.items():
        if name not in known:
            config.addinivalue_line("markers", line)
    config.pluginmanager.register(ScoreSession(config), SESSION_PLUGIN)


class _MarkReader:
    """Each test's refs from its own and inherited marks, read in one pass over many tests.

    ``item.iter_markers`` walks the whole node chain for every test; here each parent's inherited
    marks are read once per pass (a module's hundreds of tests share them). A reader lives for
    one pass only, so it sees marks that earlier hooks added.
    """

    def __init__(self) -> None:
        self._inherited: dict[int, tuple[pytest.Collector, list[pytest.Mark]]] = {}

    def refs(self, item: pytest.Item) -> tuple[RubricRef, ...]:
        """The item's refs; ``RubricMarkError`` names the test and the valid values."""
        parent = item.parent
        if parent is None:
            return refs_from_marks(item.iter_markers(MARK_NAME), item.nodeid)
        entry = self._inherited.get(id(parent))
        if entry is None or entry[0] is not parent:
            entry = self._inherited[id(parent)] = (parent, list(parent.iter_markers(MARK_NAME)))
        own = [mark for mark in item.own_markers if mark.name == MARK_NAME]
        return refs_from_marks(own + entry[1], item.nodeid)


def _test_name(item: pytest.Item) -> str:
    """The test's name without parameters, which ``ml_score_map`` patterns also match."""
    return getattr(item, "originalname", None) or item.name.split("[")[0]


class ScoreSession:
    """Per-run state; one instance per ``Config`` (pytester runs nest configs in one process)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.is_worker = hasattr(config, "workerinput")
        self.record = RunRecord()
        self.collected: dict[str, tuple[RubricRef, ...]] = {}
        self.report: dict[str, Any] | None = None
        self.verdict: tuple[bool, str] | None = None  # --ml-score-fail-under: reached, line
        self.report_dir = config.getoption("ml_score_report")
        self.fail_under = config.getoption("ml_score_fail_under")
        if self.report_dir is not None and Path(self.report_dir).exists() \
                and not Path(self.report_dir).is_dir():
            raise pytest.UsageError(f"--ml-score-report {self.report_dir}: not a directory")
        try:
            self.max_age_days = int(config.getini("ml_score_manual_max_age_days"))
        except ValueError:
            raise pytest.UsageError(
                "ml_score_manual_max_age_days: expected a whole number of days, got "
                f"{config.getini('ml_score_manual_max_age_days')!r}") from None
        try:
            self.map = MapUse(parse_map(config.getini(MAP_INI)))
        except MapError as exc:
            raise pytest.UsageError(str(exc)) from None

    @pytest.hookimpl(wrapper=True)
    def pytest_make_collect_report(self):  # type: ignore[no-untyped-def]
        """Turn a malformed mark into a collection error of its module (works under xdist)."""
        report = yield
        errors = []
        reader = _MarkReader()
        for node in report.result if report.passed else ():
            if isinstance(node, pytest.Item):
                try:
                    reader.refs(node)
                except RubricMarkError as exc:
                    errors.append(str(exc))
        if errors:
            report.outcome, report.longrepr, report.result = "failed", "\n".join(errors), []
        return report

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]
                                      ) -> Generator[None, None, None]:
        """Read the items once every other hook has run, before ``-m`` deselects by section."""
        collected = list(items)
        held = selection.hold_back(config)
        try:
            yield
        finally:
            if held is not None:
                config.option.markexpr = held
        known = {id(item) for item in collected}
        collected += [item for item in items if id(item) not in known]
        self._catalogue(collected)
        if held is not None:
            selection.deselect(config, items, held)

    def _catalogue(self, items: list[pytest.Item]) -> None:
        """Each test's items from its final marks and the map; section markers and properties."""
        reader = _MarkReader()
        tags: dict[tuple[RubricRef, ...], tuple[list[pytest.MarkDecorator], list[tuple[str, str]]]]
        tags = {}  # thousands of tests share a few sets of refs
        for item in items:
            try:
                refs = reader.refs(item)
            except RubricMarkError as exc:  # a mark added after collection by another hook
                raise pytest.UsageError(str(exc)) from None
            if self.map.entries:
                refs = tuple(sorted(set(refs) | set(mapped_refs(self.map.entries, item.nodeid,
                                                                _test_name(item)))))
            if not refs:
                continue
            self.collected[item.nodeid] = refs
            if refs not in tags:
                tags[refs] = ([_SECTION_MARKS[section]
                               for section in sorted({ref.section for ref in refs})],
                              [(USER_PROPERTY, str(ref)) for ref in refs])
            section_marks, properties = tags[refs]
            for mark in section_marks:
                item.add_marker(mark)
            item.user_properties.extend(properties)
        if self.map.entries:
            self.map.local = unmatched_patterns(
                self.map.entries, ((item.nodeid, _test_name(item)) for item in items))

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Record the catalogue once deselection is over; workers ship it to the controller."""
        selected = {item.nodeid for item in session.items}
        for nodeid, refs in self.collected.items():
            self.record.add_collected(nodeid, refs, nodeid in selected)
        if self.is_worker:
            output = self.config.workeroutput  # type: ignore[attr-defined]
            output[WORKER_KEY] = {**self.record.to_message(), "unmatched": self.map.local or []}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Fold each phase report (on the xdist controller these arrive from the workers).

        Most reports are passing setups and teardowns, which say nothing: they return first.
        """
        outcome = phase_outcome(report.when, report.outcome)
        if outcome is None:
            return
        nodeid = report.nodeid
        if nodeid not in self.record.catalogue:
            # xdist controller (no collection of its own): the refs travel with the report
            refs = [RubricRef.parse(value) for key, value in report.user_properties
                    if key == USER_PROPERTY]
            if not refs:
                return
            self.record.add_collected(nodeid, refs, selected=True)
        self.record.add_outcome(nodeid, outcome)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any) -> None:
        """xdist controller: merge a worker's catalogue (it includes deselected tests)."""
        message = (getattr(node, "workeroutput", None) or {}).get(WORKER_KEY)
        if message:
            self.record.merge_message(message)
            self.map.workers.append(list(message.get("unmatched", [])))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtestloop(self, session: pytest.Session):  # type: ignore[no-untyped-def]
        """Score after the loop, where a failed threshold can still fail the session.

        A run stopped early (``-x``, ``--maxfail``, or the fault audit once it has seen enough)
        is scored too, on the tests that ran: its report is what the audit reads.
        """
        try:
            result = yield
        except (session.Interrupted, session.Failed):
            if not self.is_worker:
                self._finish(session)
            raise
        if not self.is_worker and not self.config.option.collectonly:
            self._finish(session)
        return result

    def _finish(self, session: pytest.Session) -> None:
        report = assemble(self.record, self._manual(), self.config.getini("ml_score_manual"),
                          self.map.unmatched())
        self.report = report
        if self.report_dir is not None:
            try:
                write_report(Path(self.report_dir), report)
            except OSError as exc:
                raise pytest.UsageError(
                    f"--ml-score-report {Path(self.report_dir)}: {exc}") from None
        if self.fail_under is not None:
            self.verdict = threshold_line(report["score"], self.fail_under)
            if not self.verdict[0]:
                session.testsfailed += 1

    def _manual(self) -> ManualEvidence:
        name = self.config.getini("ml_score_manual")
        path = self.config.rootpath / name
        return load_manual(path, self.max_age_days, dt.date.today(), label=name)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """The "ML Test Score" section: only for runs that collected rubric tests or asked."""
        report = self.report
        if report is None or not (self.record.catalogue or self.report_dir
                                  or self.fail_under is not None or self.map.entries):
            return
        terminalreporter.write_sep("=", "ML Test Score")
        for line in terminal_lines(report):
            terminalreporter.write_line(line)
        if self.verdict is not None:
            reached, line = self.verdict
            terminalreporter.write_line(line, green=reached, red=not reached, bold=not reached)
        if self.report_dir is not None:
            directory = Path(self.report_dir)
            terminalreporter.write_line(f"ML Test Score report written to {directory / JSON_NAME} "
                                        f"and {directory / MARKDOWN_NAME}")
