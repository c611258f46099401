"""params.yaml is read once into typed sections; each problem is one line naming file and key."""

from __future__ import annotations

from pathlib import Path

import pydantic
import pytest
import yaml

from pipeline.config import Config, ModelSpec, load_config, read_mapping, reviewed_plugins
from pipeline.errors import PipelineError


@pytest.fixture(name="project_mapping")
def fixture_project_mapping(project_root: Path) -> dict:
    """params.yaml as plain YAML, to edit before writing a variant."""
    return yaml.safe_load((project_root / "params.yaml").read_text(encoding="utf-8"))


def _written(tmp_path: Path, mapping: dict) -> Path:
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(mapping, sort_keys=False), encoding="utf-8")
    return path


def _message(path: Path) -> str:
    with pytest.raises(PipelineError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_the_project_params_load_into_typed_sections(project_root, project_mapping):
    config = load_config(project_root / "params.yaml")
    assert load_config(str(project_root / "params.yaml")) == config
    assert config.seed == project_mapping["seed"]
    assert config.split.test_size == project_mapping["split"]["test_size"]
    assert config.schema_.min_rows == project_mapping["schema"]["min_rows"]
    assert config.data.file("training").name == project_mapping["data"]["files"][
        project_mapping["data"]["training"]]["name"]
    assert config.model.settings() == project_mapping["model"][config.model.family]
    assert config.model_spec == ModelSpec(features=config.features, model=config.model,
                                          seed=config.seed)


def test_the_recorded_mapping_is_exactly_what_params_yaml_holds(project_root, project_mapping):
    """metadata.json records it and Model 1 compares it with params.yaml, types included."""
    config = load_config(project_root / "params.yaml")
    assert config.as_mapping() == project_mapping
    assert config.model_dump(mode="json", by_alias=True, exclude_unset=True) == project_mapping
    mapping = config.as_mapping()
    mapping["seed"] = 99
    assert config.as_mapping()["seed"] == project_mapping["seed"]


def test_sections_are_frozen(project_root):
    config = load_config(project_root / "params.yaml")
    with pytest.raises(pydantic.ValidationError):
        config.split.test_size = 0.5  # type: ignore[misc]


@pytest.mark.parametrize(("text", "message"), [
    ("seed: 1\ncv: [1,\n", "{path}: line 3 is not valid YAML"),
    ("- 1\n- 2\n", "{path}: expected a mapping of parameters at the top level"),
    ("", "{path}: expected a mapping of parameters at the top level"),
])
def test_bad_files_are_one_line_naming_the_file(tmp_path, text, message):
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    assert _message(path) == message.format(path=path)


def test_a_missing_file_says_where_to_run_from(tmp_path):
    assert _message(tmp_path / "absent.yaml") == (
        f"{tmp_path / 'absent.yaml'}: parameters file not found (run from the project root)")


def test_a_control_character_is_reported_without_a_line_number(tmp_path):
    """PyYAML's reader errors carry no position mark; the message must still be one line."""
    path = tmp_path / "params.yaml"
    path.write_text("seed: \x07\n", encoding="utf-8")
    assert _message(path) == f"{path}: is not valid YAML"


def test_non_ascii_values_are_read_as_utf8(tmp_path, project_mapping):
    project_mapping["data"]["files"]["historic"]["name"] = "Café reviews.tsv"
    path = _written(tmp_path, project_mapping)
    assert read_mapping(path)["data"]["files"]["historic"]["name"] == "Café reviews.tsv"
    assert load_config(path).data.file("training").name == "Café reviews.tsv"


@pytest.mark.parametrize(("section", "key", "value", "message"), [
    ("split", "test_size", 1.5,
     "split.test_size: expected a number greater than 0 and less than 1, got 1.5"),
    ("split", "stratify", "yes", "split.stratify: expected true or false, got 'yes'"),
    ("cv", "n_splits", 1, "cv.n_splits: expected an integer >= 2, got 1"),
    ("cv", "n_repeats", 2.5, "cv.n_repeats: expected a positive integer, got 2.5"),
    ("quality", "min_accuracy", True, "quality.min_accuracy: expected a number between 0 and 1,"
                                      " got True"),
    ("data", "source", "ftp", "data.source: expected one of bundled, url, got 'ftp'"),
    ("data", "training", "nowhere", "data.training: expected one of the files listed under"
                                    " data.files (historic, fresh, labelled_fresh), got 'nowhere'"),
    ("model", "family", "forest", "model.family: expected one of logistic_regression,"
                                  " multinomial_nb, linear_svm, got 'forest'"),
    ("schema", "max_rows", 10, "schema.max_rows: expected a value >= min_rows (50), got 10"),
    ("serving", "max_reviews", 0, "serving.max_reviews: expected a positive integer, got 0"),
    ("serving", "reload_poll_seconds", -1,
     "serving.reload_poll_seconds: expected a number of seconds >= 0, got -1"),
])
def test_a_bad_value_names_the_dotted_key_and_what_was_expected(tmp_path, project_mapping,
                                                                section, key, value, message):
    project_mapping[section][key] = value
    path = _written(tmp_path, project_mapping)
    assert _message(path) == f"{path}: {message}"


def test_a_bad_sha256_is_named_down_to_its_file(tmp_path, project_mapping):
    project_mapping["data"]["files"]["fresh"]["sha256"] = "abc"
    path = _written(tmp_path, project_mapping)
    assert _message(path) == (f"{path}: data.files.fresh.sha256: expected a sha256 of 64"
                              " lowercase hexadecimal characters, got 'abc'")


def test_missing_and_unknown_keys_are_named(tmp_path, project_mapping):
    del project_mapping["cv"]["n_repeats"]
    path = _written(tmp_path, project_mapping)
    assert _message(path) == f"{path}: missing key 'cv.n_repeats' (expected a positive integer)"
    project_mapping["cv"]["n_repeats"] = 5
    project_mapping["split"]["tset_size"] = 0.2
    path = _written(tmp_path, project_mapping)
    assert _message(path) == (f"{path}: unknown key 'split.tset_size' (expected one of:"
                              " test_size, stratify)")


def test_search_spaces_must_name_settings(tmp_path, project_mapping):
    project_mapping["search"]["spaces"]["model.logistic_regression.c"] = [1.0]
    path = _written(tmp_path, project_mapping)
    assert _message(path) == (f"{path}: search.spaces: expected dotted keys of params.yaml"
                              " settings, got 'model.logistic_regression.c'")


@pytest.mark.parametrize("dotted", ["features.min_df", "features.neutral_genders", "seed"])
def test_inclusion_controls_must_be_feature_switches(tmp_path, project_mapping, dotted):
    """The control run switches these off: a number, an unknown key or a key outside
    `features` would make it train the same model or fail deep inside the study."""
    project_mapping["model_checks"]["inclusion_controls"] = [dotted]
    path = _written(tmp_path, project_mapping)
    assert _message(path) == (f"{path}: model_checks.inclusion_controls: expected dotted keys of"
                              f" boolean features switches, got {dotted!r}")


def test_overrides_give_a_new_validated_config(project_root):
    config = load_config(project_root / "params.yaml")
    changed = config.with_overrides({"features.stem": True, "model.linear_svm.C": 2.0,
                                     "seed": 7, "features.extra": ["length"]})
    assert (changed.features.stem, changed.model.linear_svm.C, changed.seed) == (True, 2.0, 7)
    assert changed.features.extra == ("length",)
    assert changed.as_mapping()["features"]["extra"] == ["length"]
    assert config.features.stem is False and config.seed == 0 and config.features.extra == ()
    assert config.with_overrides({}) == config
    assert changed.lookup("model.linear_svm.C") == 2.0


def test_an_override_of_an_unknown_key_or_of_the_wrong_type_is_an_error(project_root):
    config = load_config(project_root / "params.yaml")
    path = project_root / "params.yaml"
    for overrides, message in [
        ({"model.C": 2.0}, "unknown key 'model.C' (expected one of: family, logistic_regression,"
                           " multinomial_nb, linear_svm)"),
        ({"features.stem": 1}, "features.stem: expected true or false, got 1"),
        ({"seed.value": 1}, "override 'seed.value': seed is not a section of params.yaml"),
    ]:
        with pytest.raises(PipelineError) as caught:
            config.with_overrides(overrides)
        assert str(caught.value) == f"{path}: {message}"


def test_dotted_lookup_and_the_unknown_key_message(project_root):
    config = load_config(project_root / "params.yaml")
    assert config.lookup("model.family") == config.model.family
    assert config.lookup("schema.min_rows") == config.schema_.min_rows
    assert config.lookup("data.files.fresh.name") == config.data.files["fresh"].name
    for dotted in ("model.nope", "seed.x", "z"):
        with pytest.raises(PipelineError) as caught:
            config.lookup(dotted)
        assert str(caught.value) == f"{project_root / 'params.yaml'}: unknown key {dotted!r}"


def test_a_config_built_in_code_records_what_it_was_given(project_mapping):
    config = Config.model_validate(project_mapping)
    assert config.as_mapping() == project_mapping


def test_plugins_are_named_module_colon_function_and_read_ones_are_reviewed(
        tmp_path, project_mapping):
    project_mapping["features"]["plugins"] = ["os.system"]
    path = _written(tmp_path, project_mapping)
    assert _message(path) == (f"{path}: features.plugins.0: expected a plugin name "
                              "'package.module:function', got 'os.system'")
    project_mapping["features"]["plugins"] = ["reviewed_here.module:feature"]
    config = load_config(_written(tmp_path, project_mapping))
    assert config.features.plugins == ("reviewed_here.module:feature",)
    assert "reviewed_here.module:feature" in reviewed_plugins()
    config.with_overrides({"features.plugins": ["overridden.in_code:feature"]})
    assert "overridden.in_code:feature" not in reviewed_plugins()
