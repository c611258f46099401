"""Review text preprocessing: the feature code that training and serving share.

Every step is a plain function (tested one by one) and `ReviewPreprocessor` chains them inside
the saved scikit-learn Pipeline, so serving cannot drift from training. Sentiment hinges on
negation, so the stop-word list keeps "not", "no", "never" and their kin, contractions are
expanded before tokenising ("wasn't" -> "was not"), and words in a negation's scope are marked.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from pipeline.data.reviews import TEXT
from pipeline.errors import PipelineError
from pipeline.fileio import sha256_file

NEGATIONS = frozenset(
    {"not", "no", "nor", "never", "none", "nothing", "nobody", "neither", "nowhere", "cannot",
     "without"}
)
# Function words only: unlike sklearn's ENGLISH_STOP_WORDS, this keeps negations and the
# intensifiers that carry sentiment ("too", "very", "more", "less", "enough", "again").
STOP_WORDS = frozenset(
    """a an the and or but if then so than that this these those there here of to in on at by
    for with from into onto about as i me my mine we us our ours you your yours he him his she
    her hers it its they them their theirs what which who whom whose when where why how is are
    was were be been being am do does did doing have has had having will would shall should can
    could may might must also just s t d ll m re ve y o all any both each other some such own
    same only one""".split()
)
PII_PATTERNS = (
    # Not inside a word: "www." within an e-mail's local part ("joewww.smith@...") starts no URL,
    # else the URL rule takes the address's tail and leaves its first piece as a term.
    ("urladdress", re.compile(r"(?<![\w.+-])(?:https?://|www\.)\S+")),
    # The look-behind anchors the match at the start of the address: without it the search
    # retries from every character of a long word, quadratic in its length.
    ("emailaddress", re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("phonenumber", re.compile(r"(?<!\w)\+?\d[\d\s().-]{6,}\d(?!\w)")),
    # Order, table or card numbers (5+ digits) and hex ids identify people, not sentiment.
    ("idnumber", re.compile(
        r"(?<!\w)(?:\d{5,}|(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,})(?!\w)", re.IGNORECASE)),
)
# Every PII pattern needs one of these; reviews without any skip the patterns entirely.
_MAYBE_PII = re.compile(r"[\d@]|www\.|://")
# Common first names (pipeline/data/bundled/README.md says where the list comes from and what it
# misses). A name the list lacks, a surname or a nickname is NOT masked; names that are also
# everyday words ("Rose", "Frank", "Will") are left out on purpose, so they are not masked either.
FIRST_NAMES_FILE = Path(__file__).parent / "data" / "bundled" / "first_names.txt"
PERSON_NAMES = frozenset(FIRST_NAMES_FILE.read_text(encoding="utf-8").split())
NAME_PLACEHOLDER = "personname"
_WORD = re.compile(r"[^\W_]+")
CONTRACTIONS = (
    (re.compile(r"\bwon't\b"), "will not"),
    (re.compile(r"\bcan't\b"), "can not"),
    (re.compile(r"\bain't\b"), "is not"),
    (re.compile(r"\bshan't\b"), "shall not"),
    (re.compile(r"n't\b"), " not"),
    (re.compile(r"'(re|ve|ll|m|d|s)\b"), r" \1"),
)
# Gendered words for people map to one neutral word, so that a review's label cannot depend on
# whether the staff or the company were men or women (Model 7). Pronouns are stop words already.
GENDER_NEUTRAL = {
    **dict.fromkeys(("waiter", "waitress"), "server"),
    **dict.fromkeys(("waiters", "waitresses"), "servers"),
    **dict.fromkeys(("host", "hostess"), "host"),
    **dict.fromkeys(("man", "woman", "guy", "gal", "lady", "gentleman"), "person"),
    **dict.fromkeys(("men", "women", "guys", "gals", "ladies", "gentlemen"), "people"),
    **dict.fromkeys(("husband", "wife", "boyfriend", "girlfriend"), "partner"),
    **dict.fromkeys(("boy", "girl"), "child"),
    **dict.fromkeys(("boys", "girls"), "children"),
    **dict.fromkeys(("sir", "madam", "mr", "mrs", "ms", "miss"), "title"),
}
# Cuisines and nationalities are removed for the same reason: a review's label must not depend on
# which origin it names (Model 7). Each is rare in restaurant reviews, so a weight learned for one
# comes from a handful of reviews: chance, or a prejudice of their authors. They are dropped, not
# mapped to one shared word: such a word gets a weight of its own (learned from the few reviews
# that named any listed origin), so naming a listed cuisine swayed the label against naming one
# off the list.
ORIGIN_WORDS = frozenset(
    """african american asian brazilian british caribbean chinese cuban ethiopian european
    filipino french german greek indian irish italian jamaican japanese korean lebanese mexican
    mediterranean moroccan nigerian pakistani persian peruvian polish portuguese russian spanish
    thai turkish vietnamese""".split())
TOKEN = re.compile(r"[^\W_]+|[.,;:!?]")
SCOPE_END = frozenset(".,;:!?")
NEGATED_PREFIX = "neg_"
EXCLAMATION = "exclam"


def normalise(text: str, lowercase: bool = True, fold_accents: bool = True) -> str:
    """Unicode-normalise, optionally lowercase and fold accents ("café" -> "cafe"), squash spaces.

    Idempotent: normalise(normalise(x)) == normalise(x).
    """
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("`", "'")
    if lowercase:
        text = text.lower()
    if fold_accents and not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = unicodedata.normalize(
            "NFKC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        )
    return " ".join(text.split())


def mask_pii(text: str) -> str:
    """Replace URLs, e-mail addresses, phone and id numbers, then listed first names, with
    placeholder words.

    Personal data must never become a vocabulary entry of the saved model. The patterns go first:
    a name inside an e-mail address would otherwise break the address apart before it is masked.
    """
    if _MAYBE_PII.search(text):  # most reviews: no digit, "@", "www." or "://" at all
        for placeholder, pattern in PII_PATTERNS:
            text = pattern.sub(f" {placeholder} ", text)
    return mask_names(text)


def mask_names(text: str) -> str:
    """Replace each word that is a listed first name (any case) with `personname`."""
    if PERSON_NAMES.isdisjoint(_WORD.findall(text.lower())):  # most reviews name nobody
        return text
    return _WORD.sub(lambda word: NAME_PLACEHOLDER if word[0].lower() in PERSON_NAMES
                     else word[0], text)


def expand_contractions(text: str) -> str:
    """Split contractions so that "wasn't" yields the negation "not" instead of vanishing."""
    if "'" not in text:
        return text
    for pattern, replacement in CONTRACTIONS:
        text = pattern.sub(replacement, text)
    return text


def tokenize(text: str) -> list[str]:
    """Words (letters and digits of any script) and the punctuation that ends a negation scope."""
    return TOKEN.findall(text)


def _neutralise(tokens: Iterable[str], table: dict[str, str]) -> list[str]:
    return [table.get(token, token) for token in tokens]


def neutralise_gender(tokens: Iterable[str]) -> list[str]:
    """Replace gendered words for people by a neutral word ("waitress" -> "server")."""
    return _neutralise(tokens, GENDER_NEUTRAL)


def neutralise_origin(tokens: Iterable[str]) -> list[str]:
    """Remove the listed cuisines and nationalities ("the thai place" -> "the place")."""
    return [token for token in tokens if token not in ORIGIN_WORDS]


def drop_stop_words(tokens: Iterable[str]) -> list[str]:
    """Remove function words; negations and punctuation survive."""
    return [token for token in tokens if token not in STOP_WORDS]


def mark_negation(tokens: Iterable[str]) -> list[str]:
    """Prefix the words after a negation with `neg_` until the next punctuation mark."""
    marked: list[str] = []
    negated = False
    for token in tokens:
        if token in SCOPE_END:
            negated = False
            marked.append(token)
        elif token in NEGATIONS:
            negated = True
            marked.append(token)
        else:
            marked.append(NEGATED_PREFIX + token if negated else token)
    return marked


@lru_cache(maxsize=65536)
def _porter_stem(word: str) -> str:
    return _stemmer().stem(word)


@lru_cache(maxsize=1)
def _stemmer():
    from nltk.stem.porter import PorterStemmer  # pylint: disable=import-outside-toplevel

    return PorterStemmer()


def stem(tokens: Iterable[str]) -> list[str]:
    """Porter-stem each word, keeping a negation prefix intact ("neg_tasted" -> "neg_tast")."""
    stemmed = []
    for token in tokens:
        if token.startswith(NEGATED_PREFIX):
            stemmed.append(NEGATED_PREFIX + _porter_stem(token[len(NEGATED_PREFIX):]))
        else:
            stemmed.append(_porter_stem(token))
    return stemmed


def finish(tokens: Iterable[str]) -> list[str]:
    """Drop scope punctuation, keep "!" as a word: exclamations carry sentiment."""
    return [EXCLAMATION if token == "!" else token for token in tokens
            if token not in SCOPE_END or token == "!"]


class ReviewPreprocessor(TransformerMixin, BaseEstimator):
    """Raw review texts -> space-joined feature tokens, each step switchable from params.yaml.

    Stateless: `fit` learns nothing, so the saved model holds no review text.
    """

    # scikit-learn needs each parameter named like its attribute; here they name the step they
    # switch, hence the shadowed step functions.
    # pylint: disable=too-many-arguments,too-many-positional-arguments,redefined-outer-name
    def __init__(self, lowercase: bool = True, fold_accents: bool = True, mask_pii: bool = True,
                 expand_contractions: bool = True, neutral_gender: bool = True,
                 neutral_origin: bool = True, drop_stop_words: bool = True,
                 mark_negation: bool = True, stem: bool = True):
        self.lowercase = lowercase
        self.fold_accents = fold_accents
        self.mask_pii = mask_pii
        self.expand_contractions = expand_contractions
        self.neutral_gender = neutral_gender
        self.neutral_origin = neutral_origin
        self.drop_stop_words = drop_stop_words
        self.mark_negation = mark_negation
        self.stem = stem
    # pylint: enable=too-many-arguments,too-many-positional-arguments,redefined-outer-name

    def _run(self, text: str, trace: list[tuple[str, str]] | None) -> list[str]:
        """The enabled steps in order; the trace is only built when someone asks for it."""
        def note(name: str, value: str | list[str]) -> None:
            if trace is not None:
                trace.append((name, " ".join(value.split() if isinstance(value, str) else value)))

        text = normalise(text, self.lowercase, self.fold_accents)
        note("normalise", text)
        if self.mask_pii:
            text = mask_pii(text)
            note("mask_pii", text)
        if self.expand_contractions:
            text = expand_contractions(text)
            note("expand_contractions", text)
        tokens = tokenize(text)
        note("tokenize", tokens)
        if self.neutral_gender:
            tokens = neutralise_gender(tokens)
            note("neutralise_gender", tokens)
        if self.neutral_origin:
            tokens = neutralise_origin(tokens)
            note("neutralise_origin", tokens)
        if self.drop_stop_words:
            tokens = drop_stop_words(tokens)
            note("drop_stop_words", tokens)
        if self.mark_negation:
            tokens = mark_negation(tokens)
            note("mark_negation", tokens)
        tokens = finish(tokens)
        if self.stem:
            tokens = stem(tokens)
        note("stem" if self.stem else "finish", tokens)
        return tokens

    def steps(self, text: str) -> list[tuple[str, str]]:
        """Each enabled step with its output, for `explain` and for debugging."""
        trace: list[tuple[str, str]] = []
        self._run(text, trace)
        return trace

    def masked(self, text: str) -> str | None:
        """The review as far as the PII step, as `steps` shows it (None with masking off): what
        a prediction log may hold, without running the steps after it a second time."""
        if not self.mask_pii:
            return None
        return " ".join(mask_pii(normalise(text, self.lowercase, self.fold_accents)).split())

    def transform_one(self, text: str) -> str:
        """The feature text of one review."""
        return " ".join(self._run(text, None))

    def fit(self, X, y=None):  # pylint: disable=unused-argument
        """Nothing to learn; present for the scikit-learn API."""
        return self

    def transform(self, X) -> np.ndarray:
        """Feature texts of a sequence of raw texts, as a 1-d object array.

        Given a table, only its review column is read: the model may see the review text and
        nothing else (an identifier or the label in another column must not leak in).
        """
        if hasattr(X, "columns"):
            X = X[TEXT]
        return np.array([self.transform_one(str(text)) for text in X], dtype=object)


@lru_cache(maxsize=64)
def resolve_plugin(name: str) -> Callable[[str], float]:
    """The function a `features.plugins` entry names ("package.module:function").

    Plugins are the extension point for new features: a function from a review's feature text
    (preprocessed, so already PII-masked) to one number, kept in any importable module and named
    in params.yaml. Models store the name, never the function; `pipeline.artifact` refuses to
    load a model naming a plugin that no params file this process read lists.
    """
    module_name, _, attribute = name.partition(":")
    try:
        function = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError, ValueError) as error:
        raise PipelineError(f"features.plugins {name!r}: cannot import it ({error})") from None
    if not callable(function):
        raise PipelineError(f"features.plugins {name!r}: not a function")
    return function


def plugin_source_sha256(name: str) -> str:
    """The sha256 of the source file of the module a plugin names, found without running it.

    A model stores only the plugin's name, so a plugin edited after training would silently
    change what the served model computes: the package records this hash
    (`pipeline.serving.packaging`) and loading compares it (`pipeline.artifact.load_package`).
    A module without a source file (a built-in) has nothing to record and is refused.
    """
    module_name = name.partition(":")[0]
    try:
        spec = importlib.util.find_spec(module_name)
    except (ImportError, ValueError) as error:
        raise PipelineError(f"features.plugins {name!r}: cannot find it ({error})") from None
    if spec is None:
        raise PipelineError(f"features.plugins {name!r}: no module {module_name!r} to hash")
    if not spec.has_location or not spec.origin:
        raise PipelineError(f"features.plugins {name!r}: its module has no source file whose "
                            "sha256 a package could record")
    return sha256_file(spec.origin)


def plugin_column(name: str, texts: Sequence[str]) -> list[float]:
    """One plugin's number for each feature text, the plugin resolved once for the batch;
    anything but a finite number is refused."""
    function = resolve_plugin(name)
    column = []
    for text in texts:
        value = function(text)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(
                value):
            raise PipelineError(f"features.plugins {name!r}: returned {value!r}; expected a "
                                "finite number")
        column.append(float(value))
    return column


class TextStats(TransformerMixin, BaseEstimator):
    """Optional dense features over the feature text: the built-in statistics `features.extra`
    switches on, then one column per `features.plugins` function (see `resolve_plugin`).

    A new feature is a function in any module plus its name in params.yaml; nothing here changes.
    """

    AVAILABLE = ("length", "exclamations", "negations")

    def __init__(self, stats: tuple[str, ...] = (), plugins: tuple[str, ...] = ()):
        self.stats = stats
        self.plugins = plugins

    def fit(self, X, y=None):  # pylint: disable=unused-argument
        """Check the requested statistics exist and the plugins import; nothing to learn."""
        unknown = sorted(set(self.stats) - set(self.AVAILABLE))
        if unknown:
            raise ValueError(f"unknown features.extra {unknown}; expected some of {self.AVAILABLE}")
        for name in self.plugins:
            resolve_plugin(name)
        return self

    def get_feature_names_out(self, input_features=None) -> np.ndarray:  # pylint: disable=W0613
        """The column names: the statistics, then the plugins, as configured."""
        return np.asarray([*self.stats, *self.plugins], dtype=object)

    def transform(self, X) -> np.ndarray:
        """One row per text, one column per statistic (log-scaled to sit beside TF-IDF weights)
        and per plugin (its number as returned)."""
        texts = [str(text) for text in X]
        rows = []
        for text in texts:
            tokens = text.split()
            values = {
                "length": len(tokens),
                "exclamations": tokens.count(EXCLAMATION),
                "negations": sum(token in NEGATIONS for token in tokens),
            }
            rows.append([np.log1p(values[name]) for name in self.stats])
        stats = np.asarray(rows, dtype=float).reshape(len(texts), len(self.stats))
        plugins = np.asarray([plugin_column(name, texts) for name in self.plugins],
                             dtype=float).reshape(len(self.plugins), len(texts)).T
        return np.hstack([stats, plugins])
