"""`python -m pipeline`: the dispatcher's usage, unknown commands and a broken params.yaml."""

from __future__ import annotations

from pipeline.__main__ import main
from tests.pipeline.commands import assert_user_error, run


def test_dispatcher_usage_and_unknown_command(capsys):
    assert main([]) == 2
    assert main(["--help"]) == 0 and "predict" in capsys.readouterr().out
    assert main(["no-such-stage"]) == 2
    assert "unknown command" in capsys.readouterr().err


def test_params_errors_name_the_file(tmp_path):
    (tmp_path / "params.yaml").write_text("seed: [unclosed\n", encoding="utf-8")
    assert_user_error(run("prepare", cwd=tmp_path), "params.yaml", "not valid YAML")
    (tmp_path / "params.yaml").unlink()
    assert_user_error(run("prepare", cwd=tmp_path), "params.yaml", "not found")
