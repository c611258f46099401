"""params.yaml that the YAML reader rejects before parsing still gives the one-line message."""

from __future__ import annotations

import pytest

from pipeline.errors import PipelineError
from pipeline.params import load_params


def test_a_control_character_is_reported_without_a_line_number(tmp_path):
    """PyYAML's reader errors carry no position mark; the message must still be one line."""
    path = tmp_path / "params.yaml"
    path.write_text("seed: \x07\n", encoding="utf-8")
    with pytest.raises(PipelineError) as caught:
        load_params(path)
    assert str(caught.value) == f"{path}: is not valid YAML"


def test_non_ascii_values_are_read_as_utf8(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_bytes("source:\n  name: Café reviews\n".encode())
    assert load_params(path) == {"source": {"name": "Café reviews"}}
