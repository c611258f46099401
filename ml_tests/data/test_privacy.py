"""Data 5: the data pipeline has appropriate privacy controls.

Personal data (e-mail addresses, phone numbers, URLs, id numbers and the person names of the
bundled list pipeline/data/bundled/first_names.txt) is masked before any feature is computed, so
it can reach neither the vocabulary nor the saved artifact; and the artifact stores no raw
review text, neither whole reviews nor the raw forms that preprocessing removes.

What these tests do NOT cover, because the masking does not: person names absent from the list,
surnames, nicknames, and names that are also everyday words ("Rose", "Frank"), which the list
leaves out on purpose (the bundled README lists them). Such a name in a review still becomes a
term.

The prediction log is not scanned here: serving logs the text the model's own PII step made,
and Monitor 3 (`test_logged_text_is_what_the_served_models_pii_step_made`) checks exactly that,
so the log is masked as far as these tests show the masking to be. How long logs and raw data
files are kept is not tested at all.
"""

from __future__ import annotations

import io
import json
import random
import zipfile

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ml_tests.data import pii
from pipeline import artifact, features, model
from pipeline.data import reviews
from pipeline.model import NGRAMS, feature_steps, train_model


@pytest.mark.rubric("data", 5)
@settings(max_examples=80, deadline=None)
# Found by this test: a generated local part ending in "www" once let the URL rule mask the
# address's tail only.
@example(kind_value=("email", "qkjplwww.qedzpsxc52@qjbkjvog.com"),
         template="Great food, mail me at {} please.")
@given(kind_value=pii.pii_strategy(),
       template=st.sampled_from(["Great food, mail me at {} please.",
                                 "{} The burger was not good!", "Call {}"]))
def test_pii_is_masked_before_features(kind_value, template, config):
    """Red when masking is off or a pattern misses a form (e.g. the phone pattern dropped)."""
    kind, value = kind_value
    preprocessor = model.build_preprocessor(config.features)
    tokens = preprocessor.transform_one(template.format(value)).split()
    assert not pii.fragments(value) & {t.removeprefix(features.NEGATED_PREFIX) for t in tokens}
    placeholder = {"email": "emailaddress", "phone": "phonenumber", "url": "urladdress"}[kind]
    assert any(t.endswith(placeholder) for t in tokens), tokens


def _with_injected_pii(split: reviews.Reviews, seed: int) -> tuple[reviews.Reviews, list[str]]:
    """Every sixth review with a generated e-mail, phone number or URL and a listed name."""
    rng = random.Random(seed)
    names = sorted(pii.listed_names())
    texts, injected = list(split.texts), []
    for index in range(0, len(texts), 6):
        value = pii.KINDS[sorted(pii.KINDS)[index % 3]](rng)
        injected.append(value)
        texts[index] = f"{texts[index]} {value} Thanks, {rng.choice(names).title()}!"
    return reviews.Reviews(texts, split.labels), injected


@pytest.fixture(scope="module")
def pii_model(train_split, config):
    """The pipeline's model trained on reviews of which every sixth carries personal data."""
    data, injected = _with_injected_pii(train_split, int(config.seed))
    return train_model(data, config.model_spec), data, injected


@pytest.mark.rubric("data", 5)
@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(sorted(pii.listed_names())),
       spelling=st.sampled_from([str.lower, str.title, str.upper]),
       template=st.sampled_from(["{} was our server and she was great.",
                                 "Ask for {}'s table, not the bar!", "Thanks {}, see you soon"]))
def test_listed_names_are_masked_before_features(name, spelling, template, config):
    """Red when name masking is off or broken (e.g. dropped from mask_pii, or matching one
    spelling only): a person's name becomes a feature token instead of `personname`."""
    preprocessor = model.build_preprocessor(config.features)
    tokens = {t.removeprefix(features.NEGATED_PREFIX)
              for t in preprocessor.transform_one(template.format(spelling(name))).split()}
    assert name not in tokens, tokens
    assert features.NAME_PLACEHOLDER in tokens, tokens


def _vocabulary(model) -> set[str]:
    return set(dict(feature_steps(model))[NGRAMS].vocabulary_)


def _terms(model) -> set[str]:
    """The words of every vocabulary term, negation marks removed."""
    return {piece.removeprefix(features.NEGATED_PREFIX) for term in _vocabulary(model)
            for piece in term.split()}


@pytest.mark.rubric("data", 5)
def test_vocabulary_holds_no_injected_pii(pii_model):
    """Red when mask_pii is switched off or broken: the nonsense names become terms."""
    fitted, _, injected = pii_model
    pieces = set().union(*(pii.fragments(value) for value in injected))
    terms = _terms(fitted)
    assert pieces, "nothing was injected"
    assert not pieces & terms, sorted(pieces & terms)[:10]


@pytest.mark.rubric("data", 5)
def test_no_listed_name_in_vocabulary_or_artifact(train_split, trained_model,
                                                  packaged_model, pii_model):
    """Red when a listed person name reaches the vocabulary or any string of the saved
    artifact: of the model trained on the training split (whose reviews name servers and
    owners) and of the model trained with a listed name injected into every sixth review.

    Names outside the list, surnames and nicknames are not checked: the list is all the
    masking knows (see the module docstring).
    """
    names = pii.listed_names()
    mentioned = names & set().union(*(pii.words(text) for text in train_split.texts))
    assert mentioned, "no training review names a listed person: nothing would be checked"
    fitted = pii_model[0]
    for trained, stored in ((trained_model, (packaged_model / artifact.ARTIFACT_NAME).read_bytes()),
                            (fitted, artifact.dumps_model(fitted))):
        terms = _terms(trained)
        assert not terms & names, sorted(terms & names)[:10]
        strings, _ = _artifact_strings(stored)
        kept = names & set().union(*(pii.words(string) for string in strings))
        assert not kept, sorted(kept)[:10]


def _artifact_strings(data: bytes) -> tuple[list[str], dict[str, bytes]]:
    """Every string the artifact holds (JSON leaves and text arrays) and its raw entries."""
    strings: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                strings.append(str(key))
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str):
            strings.append(node)

    for name, payload in entries.items():
        if name.endswith(".json"):
            walk(json.loads(payload))
        elif name.endswith(".npy"):
            array = np.load(io.BytesIO(payload), allow_pickle=False)
            if array.dtype.kind in "US":
                strings.extend(str(item) for item in array.ravel())
    return strings, entries


def _assert_absent(needles: set[str], data: bytes) -> None:
    strings, entries = _artifact_strings(data)
    text = "\n".join(strings)
    found = {needle for needle in needles if needle in text}
    for payload in entries.values():
        found |= {needle for needle in needles if needle.encode("utf-8") in payload
                  or needle.encode("utf-32-le") in payload}
    assert not found, sorted(found)[:10]


@pytest.mark.rubric("data", 5)
def test_artifact_holds_no_raw_review_and_no_pii(packaged_model, train_split, pii_model):
    """Red when the model keeps raw text (e.g. a transformer that memorises its input, or a
    vectoriser fitted without preprocessing): whole reviews, accented or contracted raw words
    and injected personal data are searched in every entry of the skops archive.
    """
    data = (packaged_model / artifact.ARTIFACT_NAME).read_bytes()
    raw_forms = {word.strip(".,!?\"'") for text in train_split.texts for word in text.split()
                 if any(ord(ch) > 127 for ch in word) or "n't" in word}
    assert raw_forms, "the training split has no accented or contracted words to look for"
    _assert_absent({text for text in train_split.texts if len(text) > 20} | raw_forms, data)
    fitted, _, injected = pii_model
    pieces = set().union(*(pii.fragments(value) for value in injected))
    _assert_absent(set(injected) | {p for p in pieces if not p.isdigit()},
                   artifact.dumps_model(fitted))


@pytest.mark.rubric("data", 5)
def test_pruned_terms_are_not_stored(train_split, config):
    """Red when a fitted attribute keeps the terms min_df prunes (as `stop_words_` once did)."""
    pruning = config.with_overrides({"features.min_df": 2})
    pruned_model = train_model(train_split, pruning.model_spec)
    kept = _vocabulary(pruned_model)
    everything = _vocabulary(train_model(train_split, config.model_spec))
    pruned = {term for term in everything - kept if len(term) >= 6}
    assert pruned, "min_df=2 pruned no term: the check would have nothing to look for"
    strings, _ = _artifact_strings(artifact.dumps_model(pruned_model))
    stored = {piece for s in strings for piece in s.split()}
    assert not pruned & stored, sorted(pruned & stored)[:10]
