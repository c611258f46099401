"""Pylint rules for smells that make ML code irreproducible or leaky.

Generic linters cannot see these: a model that changes on every run because a seed was left
out, a path that only exists on one laptop, a scaler that saw the test rows before the split.
Load with ``load-plugins = ["pytest_ml_test_score.lint_rules"]`` in the project's pylint
configuration.

scikit-learn objects are recognised by inference, not by name: whatever resolves to a class or
function defined under ``sklearn`` and declaring a ``random_state`` parameter is checked, so new
estimators need no list update.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from astroid import nodes
from astroid.exceptions import AttributeInferenceError, NoDefault
from pylint.checkers import BaseChecker
from pylint.checkers.utils import safe_infer
from pylint.lint import PyLinter

_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
_HOME = re.compile(r"^~[\w.-]*[\\/]")
# Characters that make a string a pattern or a template rather than a literal path.
_PATTERN_CHARS = re.compile(r"[*?\[\]()|^${}]|%[-\d.]*[sdifr]")
_REGEX_FUNCTIONS = frozenset(
    {"compile", "match", "fullmatch", "search", "sub", "subn", "split", "findall", "finditer"}
)
_PREDICTOR_MIXINS = frozenset(
    {
        "sklearn.base.ClassifierMixin",
        "sklearn.base.RegressorMixin",
        "sklearn.base.ClusterMixin",
        "sklearn.base.OutlierMixin",
    }
)
_FIT_METHODS = frozenset({"fit", "fit_transform"})
# Parameter values that leave random_state unused: KFold without shuffling, a DummyClassifier
# whose strategy involves no drawing.
_RANDOMNESS_OFF: dict[str, tuple[object, ...]] = {
    "shuffle": (False,),
    "strategy": ("most_frequent", "prior", "constant"),
}


def _sklearn_callee(call: nodes.Call) -> nodes.ClassDef | nodes.FunctionDef | None:
    """The scikit-learn class or function a call resolves to, if any."""
    target = safe_infer(call.func)
    if isinstance(target, (nodes.ClassDef, nodes.FunctionDef)) and target.root().name.startswith(
        "sklearn."
    ):
        return target
    return None


def _signature(target: nodes.ClassDef | nodes.FunctionDef) -> nodes.Arguments | None:
    """The arguments node of a function, or of a class's ``__init__``."""
    if isinstance(target, nodes.FunctionDef):
        return target.args
    try:
        init = target.local_attr("__init__")[0]
    except AttributeInferenceError:
        return None
    return init.args if isinstance(init, nodes.FunctionDef) else None


def _takes(args: nodes.Arguments, name: str) -> bool:
    """Whether the signature has a parameter NAME (positional or keyword-only)."""
    params = (args.posonlyargs or []) + (args.args or []) + (args.kwonlyargs or [])
    return any(arg.name == name for arg in params)


def _keyword(call: nodes.Call, name: str) -> nodes.NodeNG | None:
    return next((kw.value for kw in call.keywords or () if kw.arg == name), None)


def _passes_kwargs(call: nodes.Call) -> bool:
    """Whether ``**mapping`` hides which keywords the call really passes."""
    return any(kw.arg is None for kw in call.keywords or ())


def _positional_index(args: nodes.Arguments, name: str) -> int | None:
    """Position of NAME among the positional parameters, ``self`` not counted."""
    names = [arg.name for arg in (args.posonlyargs or []) + (args.args or [])]
    if names and names[0] == "self":
        names = names[1:]
    return names.index(name) if name in names else None


def _is_none(node: nodes.NodeNG | None) -> bool:
    return isinstance(node, nodes.Const) and node.value is None


def _default(args: nodes.Arguments, name: str) -> nodes.NodeNG | None:
    try:
        return args.default_value(name)
    except NoDefault:
        return None


def _randomness_off(call: nodes.Call, args: nodes.Arguments) -> bool:
    """Whether a switch given (or defaulted) in the call leaves ``random_state`` unused."""
    for name, values in _RANDOMNESS_OFF.items():
        if not _takes(args, name):
            continue
        given = _keyword(call, name)
        value = given if given is not None else _default(args, name)
        if isinstance(value, nodes.Const) and value.value in values:
            return True
    return False


def _inherits(cls: nodes.ClassDef, qnames: frozenset[str]) -> bool:
    return any(base.qname() in qnames for base in cls.ancestors())


def _has_transform(cls: nodes.ClassDef) -> bool:
    """Transformers are recognised by duck typing: vectorisers lack ``TransformerMixin``."""
    try:
        cls.getattr("transform")
    except AttributeInferenceError:
        return False
    return True


def _calls_in_scope(scope: nodes.NodeNG) -> Iterator[nodes.Call]:
    """Calls that run in SCOPE itself, not in functions or classes defined inside it."""
    for child in scope.get_children():
        if isinstance(child, (nodes.FunctionDef, nodes.ClassDef, nodes.Lambda)):
            continue
        if isinstance(child, nodes.Call):
            yield child
        yield from _calls_in_scope(child)


def _is_regex_argument(node: nodes.Const) -> bool:
    """Whether NODE is passed straight to a ``re`` function (``re.compile("/home/x")``)."""
    call = node.parent
    if not isinstance(call, nodes.Call) or not isinstance(call.func, nodes.Attribute):
        return False
    func = call.func
    return (
        func.attrname in _REGEX_FUNCTIONS
        and isinstance(func.expr, nodes.Name)
        and func.expr.name == "re"
    )


def looks_like_hardcoded_path(text: str, roots: tuple[str, ...]) -> bool:
    """Whether TEXT is, as a whole, a path that only exists on one machine.

    Templates and patterns (``{}``, ``%s``, regex metacharacters) and URLs are not paths.
    """
    if "://" in text or "\n" in text or _PATTERN_CHARS.search(text):
        return False
    if _DRIVE.match(text) or _HOME.match(text):
        return True
    return any(text == f"/{root}" or text.startswith(f"/{root}/") for root in roots)


class MLSmellChecker(BaseChecker):
    """Reproducibility and leakage smells in scikit-learn code."""

    name = "ml-smells"
    msgs = {
        "W9501": (
            "Hard-coded machine-specific path %r",
            "hardcoded-path",
            "Absolute or user-specific paths only exist on one machine; read locations from "
            "configuration (params.yaml) or derive them from the project root.",
        ),
        "W9502": (
            "%s called without a fixed random_state",
            "missing-random-state",
            "scikit-learn randomness left unseeded (or seeded with None) makes training and "
            "splits differ from run to run; pass a seed read from configuration.",
        ),
        "W9503": (
            "%s constructed with no hyperparameters at all",
            "implicit-hyperparameters",
            "Library defaults change between releases and are invisible in review; state the "
            "hyperparameters, ideally from configuration.",
        ),
        "W9504": (
            "%s.%s() before train_test_split leaks test data into the fitted transform",
            "fit-before-split",
            "Fitting a scaler or vectoriser on all rows before splitting lets statistics of "
            "the held-out rows leak into training; split first, then fit on the training part.",
        ),
    }
    options = (
        (
            "hardcoded-path-roots",
            {
                "default": ("home", "Users", "root", "mnt", "media", "Volumes", "opt", "srv",
                            "tmp", "var", "data", "work"),
                "type": "csv",
                "metavar": "<dirs>",
                "help": "Top-level directories whose absolute paths count as machine-specific.",
            },
        ),
    )

    def visit_const(self, node: nodes.Const) -> None:
        """Flag string literals that are a machine-specific path as a whole."""
        if not isinstance(node.value, str):
            return
        parent = node.parent
        if isinstance(parent, (nodes.JoinedStr, nodes.Expr)) or _is_regex_argument(node):
            return  # an f-string fragment, a docstring, or a pattern handed to ``re``
        if looks_like_hardcoded_path(node.value, tuple(self.linter.config.hardcoded_path_roots)):
            self.add_message("hardcoded-path", node=node, args=(node.value,))

    def visit_call(self, node: nodes.Call) -> None:
        """Check scikit-learn calls for an unseeded random_state and implicit defaults."""
        target = _sklearn_callee(node)
        if target is None:
            return
        args = _signature(target)
        if args is None:
            return
        self._check_random_state(node, target, args)
        if (
            isinstance(target, nodes.ClassDef)
            and not node.args
            and not node.keywords
            and _inherits(target, _PREDICTOR_MIXINS)
        ):
            self.add_message("implicit-hyperparameters", node=node, args=(target.name,))

    def _check_random_state(
        self, node: nodes.Call, target: nodes.NodeNG, args: nodes.Arguments
    ) -> None:
        if not _takes(args, "random_state"):
            return
        if _passes_kwargs(node) or _randomness_off(node, args):
            return
        given = _keyword(node, "random_state")
        index = _positional_index(args, "random_state")
        if given is None and index is not None and len(node.args) > index:
            given = node.args[index]
        if given is None or _is_none(given):
            self.add_message("missing-random-state", node=node, args=(target.name,))

    def visit_module(self, node: nodes.Module) -> None:
        """Module-level scripts can leak just like functions."""
        self._check_fit_before_split(node)

    def visit_functiondef(self, node: nodes.FunctionDef) -> None:
        """Look for a transform fitted before the split in this function."""
        self._check_fit_before_split(node)

    visit_asyncfunctiondef = visit_functiondef

    def _check_fit_before_split(self, scope: nodes.NodeNG) -> None:
        calls = list(_calls_in_scope(scope))
        split_lines = [
            call.lineno
            for call in calls
            if (target := _sklearn_callee(call)) is not None and target.name == "train_test_split"
        ]
        if not split_lines:
            return
        first_split = min(split_lines)
        for call in calls:
            if call.lineno >= first_split:
                continue
            func = call.func
            if not isinstance(func, nodes.Attribute) or func.attrname not in _FIT_METHODS:
                continue
            owner = safe_infer(func.expr)
            cls = getattr(owner, "_proxied", None)
            if (
                isinstance(cls, nodes.ClassDef)
                and cls.root().name.startswith("sklearn.")
                and _has_transform(cls)
            ):
                self.add_message("fit-before-split", node=call, args=(cls.name, func.attrname))


def register(linter: PyLinter) -> None:
    """Entry point pylint calls for ``load-plugins``."""
    linter.register_checker(MLSmellChecker(linter))
