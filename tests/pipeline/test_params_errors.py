"""params.yaml errors name the file and, for bad YAML, the line; dotted lookups name the key."""

from __future__ import annotations

import pytest

from pipeline.errors import PipelineError
from pipeline.params import get, load_params


def test_a_mapping_loads(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("seed: 3\ncv:\n  n_splits: 5\n", encoding="utf-8")
    assert load_params(path) == {"seed": 3, "cv": {"n_splits": 5}}
    assert load_params(str(path)) == {"seed": 3, "cv": {"n_splits": 5}}


@pytest.mark.parametrize(("text", "message"), [
    ("seed: 1\ncv: [1,\n", "{path}: line 3 is not valid YAML"),
    ("- 1\n- 2\n", "{path}: expected a mapping of parameters at the top level"),
    ("", "{path}: expected a mapping of parameters at the top level"),
])
def test_bad_files_are_one_line_naming_the_file(tmp_path, text, message):
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PipelineError) as caught:
        load_params(path)
    assert str(caught.value) == message.format(path=path)


def test_a_missing_file_says_where_to_run_from(tmp_path):
    with pytest.raises(PipelineError) as caught:
        load_params(tmp_path / "absent.yaml")
    assert str(caught.value) == (f"{tmp_path / 'absent.yaml'}: parameters file not found "
                                 "(run from the project root)")


def test_dotted_lookup_and_the_missing_key_message():
    params = {"a": {"b": {"c": 0}}, "x": 1}
    assert get(params, "a.b.c") == 0 and get(params, "a.b") == {"c": 0}
    for dotted in ("a.b.d", "x.y", "z"):
        with pytest.raises(PipelineError) as caught:
            get(params, dotted)
        assert str(caught.value) == f"params.yaml: missing key {dotted!r}"
