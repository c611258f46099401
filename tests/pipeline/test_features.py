"""Person-name masking, the inclusion mappings and the feature-plugin registry of
pipeline.features (the other steps are tested by the Data suite)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pipeline import features
from pipeline.errors import PipelineError
from pipeline.fileio import sha256_file

PLUGIN = "builtins:len"  # any importable text -> number function will do


def test_listed_names_are_masked_in_any_case_and_other_words_stay():
    assert {"maria", "jeff"} <= features.PERSON_NAMES
    masked = features.mask_names("Maria and JEFF served us; maria's pasta, marianne, jeffrey?")
    assert masked == "personname and personname served us; personname's pasta, marianne, " \
                     "personname?"
    assert features.mask_names("the pasta was great") == "the pasta was great"


def test_patterns_are_masked_before_names():
    """A name inside an e-mail address must not split the address before it is masked."""
    masked = features.mask_pii("write to maria.lopez@example.com, maria")
    assert masked.split() == ["write", "to", "emailaddress", ",", "personname"]


def test_mask_pii_masks_names_without_any_other_pii():
    assert features.mask_pii("ask for steve") == "ask for personname"


def test_the_list_is_lowercase_words_one_per_line():
    lines = features.FIRST_NAMES_FILE.read_text(encoding="utf-8").splitlines()
    assert lines == sorted(set(lines)) and all(line.isascii() and line.isalpha()
                                               and line.islower() for line in lines)
    assert features.NAME_PLACEHOLDER not in features.PERSON_NAMES


def test_resolve_plugin_imports_the_named_function():
    assert features.resolve_plugin(PLUGIN) is len


@pytest.mark.parametrize("name, message", [
    ("no_such_module_here:f", "cannot import it"),
    ("builtins:no_such_function", "cannot import it"),
    ("string:ascii_letters", "not a function"),
])
def test_a_bad_plugin_is_one_line_naming_it(name, message):
    with pytest.raises(PipelineError, match=message) as caught:
        features.resolve_plugin(name)
    assert name in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize("value", ["1", True, math.nan, None])
def test_a_plugin_value_must_be_a_finite_number(monkeypatch, value):
    monkeypatch.setattr(features, "resolve_plugin", lambda name: lambda text: value)
    with pytest.raises(PipelineError, match="expected a finite number"):
        features.plugin_column(PLUGIN, ["fine", "text"])


def test_text_stats_add_one_column_per_plugin_after_the_statistics():
    stats = features.TextStats(stats=("length",), plugins=(PLUGIN,)).fit(["x"])
    rows = stats.transform(["not neg_good", "", "fine"])
    assert np.array_equal(rows, [[np.log1p(2), 12.0], [0.0, 0.0], [np.log1p(1), 4.0]])
    assert list(stats.get_feature_names_out()) == ["length", PLUGIN]


def test_fitting_checks_the_plugins_import():
    with pytest.raises(PipelineError, match="cannot import it"):
        features.TextStats(plugins=("no_such_module_here:f",)).fit(["x"])


def test_every_origin_word_is_removed_and_other_words_stay():
    tokens = [*sorted(features.ORIGIN_WORDS), "food", "server"]
    assert features.neutralise_origin(tokens) == ["food", "server"]


def test_origin_mapping_is_a_switchable_step_of_the_preprocessor():
    thai, greek = "The Thai curry was bland.", "The Greek curry was bland."
    mapped = features.ReviewPreprocessor(stem=False)
    assert mapped.transform_one(thai) == mapped.transform_one(greek) == "curry bland"
    unmapped = features.ReviewPreprocessor(neutral_origin=False, stem=False)
    assert unmapped.transform_one(thai) != unmapped.transform_one(greek)
    assert "neutralise_origin" not in dict(unmapped.steps(thai))


def test_plugin_source_sha256_is_the_hash_of_its_module_file(plugin_source):
    name, path = plugin_source
    assert features.plugin_source_sha256(name) == sha256_file(path)
    path.write_text(path.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    assert features.plugin_source_sha256(name) == sha256_file(path)


@pytest.mark.parametrize("name, message", [
    (PLUGIN, "no source file"),
    ("no_such_module_here:f", "no module 'no_such_module_here'"),
    ("no_such_package_here.module:f", "cannot find it"),
])
def test_a_plugin_without_a_source_file_has_no_hash(name, message):
    with pytest.raises(PipelineError, match=message) as caught:
        features.plugin_source_sha256(name)
    assert name in str(caught.value) and "\n" not in str(caught.value)
