"""Each ML lint rule fires on the smell and stays quiet on the idiomatic fix."""

# The snippets below are deliberately smelly code; their literals are data, not paths we use.
# pylint: disable=hardcoded-path

import subprocess
import sys
import textwrap
from pathlib import Path

import astroid
import pytest
from pylint.testutils import CheckerTestCase

from pytest_ml_test_score.lint_rules import MLSmellChecker, looks_like_hardcoded_path

ROOTS = ("home", "Users", "root", "tmp")


def _message_ids(case: CheckerTestCase, source: str) -> list[str]:
    module = astroid.parse(textwrap.dedent(source), module_name="snippet")
    case.walk(module)
    return [message.msg_id for message in case.linter.release_messages()]


class TestMLSmellChecker(CheckerTestCase):
    """Positive and negative snippets per rule, walked by the checker in isolation."""

    CHECKER_CLASS = MLSmellChecker

    @pytest.mark.parametrize(
        "literal",
        ['"/home/alice/data.tsv"', '"/Users/bob/x.csv"', r'"C:\\data\\set.csv"', '"~/models"',
         '"~alice/models"', '"D:/x"'],
    )
    def test_hardcoded_path_flagged(self, literal: str) -> None:
        assert _message_ids(self, f"path = {literal}\n") == ["hardcoded-path"]

    @pytest.mark.parametrize(
        "source",
        [
            'url = "https://example.org/home/alice/data.tsv"\n',
            'user = "alice"\npath = f"/home/{user}/data.tsv"\n',
            'template = "/home/{}/data.tsv"\n',
            'template = "/home/%s/data.tsv"\n',
            'import re\npattern = re.compile("/home/alice/data")\n',
            'pattern = r"^/home/(\\w+)/"\n',
            'route = "/api/repos/create"\n',
            'relative = "data/raw/reviews.tsv"\n',
            'def f():\n    """Reads /home/alice/data.tsv in the docs only."""\n',
        ],
    )
    def test_hardcoded_path_quiet(self, source: str) -> None:
        assert not _message_ids(self, source)

    @pytest.mark.parametrize(
        "call",
        [
            "train_test_split([1, 2], [0, 1], test_size=0.5)",
            "train_test_split([1, 2], [0, 1], random_state=None)",
            "KFold(n_splits=3, shuffle=True)",
            "StratifiedKFold(5, shuffle=True)",
            "RepeatedStratifiedKFold(n_splits=3)",
            "SGDClassifier(alpha=0.1)",
            "RandomForestClassifier(n_estimators=10)",
            'DummyClassifier(strategy="stratified")',
        ],
    )
    def test_missing_random_state_flagged(self, call: str) -> None:
        source = f"""
        from sklearn.model_selection import (
            KFold, RepeatedStratifiedKFold, StratifiedKFold, train_test_split)
        from sklearn.linear_model import SGDClassifier
        from sklearn.ensemble import RandomForestClassifier
        from sklearn.dummy import DummyClassifier
        {call}
        """
        assert "missing-random-state" in _message_ids(self, source)

    @pytest.mark.parametrize(
        "call",
        [
            "train_test_split([1, 2], [0, 1], random_state=SEED)",
            "KFold(n_splits=3)",
            "KFold(n_splits=3, shuffle=False)",
            "ms.StratifiedKFold(5, shuffle=True, random_state=SEED)",
            "LogisticRegression(C=1.0, random_state=SEED)",
            "LogisticRegression(**params)",
            "TfidfVectorizer(min_df=2)",
            'DummyClassifier(strategy="most_frequent")',
            "DummyClassifier()",
        ],
    )
    def test_missing_random_state_quiet(self, call: str) -> None:
        source = f"""
        from sklearn import model_selection as ms
        from sklearn.model_selection import KFold, train_test_split
        from sklearn.linear_model import LogisticRegression
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.dummy import DummyClassifier
        SEED = 7
        params = {{"C": 1.0, "random_state": SEED}}
        {call}
        """
        assert "missing-random-state" not in _message_ids(self, source)

    def test_implicit_hyperparameters(self) -> None:
        source = """
        import sklearn.linear_model as lm
        from sklearn.preprocessing import StandardScaler
        lm.LogisticRegression()
        lm.LogisticRegression(C=1.0, random_state=0)
        StandardScaler()
        """
        ids = _message_ids(self, source)
        assert ids.count("implicit-hyperparameters") == 1
        assert ids.count("missing-random-state") == 1

    def test_fit_before_split_flagged(self) -> None:
        source = """
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler
        def prepare(x, y):
            scaled = StandardScaler().fit_transform(x)
            return train_test_split(scaled, y, random_state=0)
        """
        assert _message_ids(self, source) == ["fit-before-split"]

    def test_fit_before_split_at_module_level(self) -> None:
        source = """
        from sklearn.model_selection import train_test_split
        from sklearn.feature_extraction.text import TfidfVectorizer
        vectoriser = TfidfVectorizer(min_df=1)
        vectoriser.fit(["a b", "b c"])
        parts = train_test_split(["a b", "b c"], random_state=0)
        """
        assert _message_ids(self, source) == ["fit-before-split"]

    def test_fit_after_split_quiet(self) -> None:
        source = """
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler
        from sklearn.linear_model import LogisticRegression
        def prepare(x, y):
            x_train, x_test, y_train, _ = train_test_split(x, y, random_state=0)
            scaler = StandardScaler().fit(x_train)
            LogisticRegression(C=1.0, random_state=0).fit(scaler.transform(x_train), y_train)
            return scaler.transform(x_test)
        def elsewhere(x):
            return StandardScaler().fit_transform(x)
        """
        assert not _message_ids(self, source)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("/home/a/b", True), ("/home", True), ("/homework/a", False), ("/api/x", False),
     ("~/x", True), ("C:\\x", True), ("/home/a\n/home/b", False), ("file:///home/a", False)],
)
def test_looks_like_hardcoded_path(text: str, expected: bool) -> None:
    assert looks_like_hardcoded_path(text, ROOTS) is expected


def test_pylint_loads_the_rules_by_module_name(tmp_path: Path) -> None:
    """An installed distribution is all a project needs: `load-plugins` names the module."""
    snippet = tmp_path / "smelly.py"
    snippet.write_text(
        'from sklearn.model_selection import train_test_split\n'
        'DATA = "/home/alice/reviews.tsv"\n'
        'PARTS = train_test_split([1, 2, 3, 4])\n',
        encoding="utf-8",
    )
    rcfile = tmp_path / "pyproject.toml"
    rcfile.write_text('[tool.pylint.main]\nload-plugins = ["pytest_ml_test_score.lint_rules"]\n',
                      encoding="utf-8")
    result = subprocess.run(  # nosec B603
        [sys.executable, "-m", "pylint", f"--rcfile={rcfile}",
         "--disable=all", "--enable=hardcoded-path,missing-random-state",
         "--output-format=parseable", str(snippet)],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )
    assert "[W9501(hardcoded-path)" in result.stdout, result.stdout + result.stderr
    assert "[W9502(missing-random-state)" in result.stdout, result.stdout + result.stderr
