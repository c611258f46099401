"""Model 1: model specs are reviewed and submitted.

The spec is params.yaml. "Reviewed and submitted" here means: it is under version control, a
change to it requests a review from named owners with a template that asks for the spec
review, and the packaged model records exactly the spec it was trained from. The release
refuses a model whose recorded spec is not params.yaml as committed at git HEAD (an uncommitted
edit is not reviewed), and the server refuses a registry version whose spec is not the one its
release recorded (`pipeline.analysis.spec`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
import uvicorn
import yaml

from ml_tests.infra.conftest import package_for
from pipeline import __main__ as entry
from pipeline.analysis import spec
from pipeline.artifact import METADATA_NAME, read_metadata
from pipeline.config import Config, merge_overrides
from pipeline.data import sources
from pipeline.data.reviews import format_reviews
from pipeline.fileio import write_bytes_atomic
from pipeline.model import train_model
from pipeline.registry import LocalRegistry
from pipeline.rollout import release
from pipeline.serving.process import ServerProcess

SPEC_PATHS = ("params.yaml", "pipeline/model.py")


@pytest.mark.rubric("model", 1)
def test_spec_is_version_controlled(project_root: Path):
    """Red when params.yaml (or the model code) is not tracked by git: it was never submitted.

    Uncommitted edits are allowed (a working tree in development); untracked is not.
    """
    assert not spec.untracked_files(project_root, SPEC_PATHS)


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Spec Owner", "-c", "user.email=owner@example.invalid",
                    *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def checkout(tmp_path: Path, project_root: Path) -> Path:
    """A git checkout whose params.yaml (the project's) is committed: the reviewed spec."""
    repo = tmp_path / "checkout"
    repo.mkdir()
    shutil.copyfile(project_root / "params.yaml", repo / "params.yaml")
    _git(repo, "init", "-q")
    _git(repo, "add", "params.yaml")
    _git(repo, "commit", "-q", "-m", "Reviewed spec")
    return repo


def _edit_params(repo: Path, config: Config, overrides: dict) -> Config:
    """Edit the checkout's params.yaml in place (not committed); the config it now holds."""
    edited = merge_overrides(config.as_mapping(), overrides)
    (repo / "params.yaml").write_text(yaml.safe_dump(edited, sort_keys=False), encoding="utf-8")
    return Config.parse(edited)


def _command(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, list[str]]:
    """`python -m pipeline ARGV` run through its entry point in this process (the interpreter's
    start would be most of the cost): its exit code and the lines it wrote to stderr."""
    capsys.readouterr()
    code = entry.main(list(argv))
    return code, capsys.readouterr().err.strip().splitlines()


def _release_command(capsys: pytest.CaptureFixture, repo: Path, candidate: Path,
                     registry: Path, split, data_dir: Path, historic_path: Path,
                     config: Config) -> tuple[int, list[str]]:
    """`python -m pipeline canary` with the checkout's params.yaml (the release's last step)."""
    holdout = registry.parent / "holdout.tsv"
    write_bytes_atomic(holdout, format_reviews(split[1]))
    return _command(
        capsys, "canary", "--candidate", str(candidate), "--registry", str(registry),
        "--params", str(repo / "params.yaml"),
        "--traffic", str(sources.raw_file(config.data, "serving", data_dir)),
        "--holdout", str(holdout), "--population", str(historic_path),
        "--report", str(registry.parent / "canary.json"))


@pytest.mark.rubric("model", 1)
def test_packaged_model_records_its_spec(packaged_model: Path, config):
    """Red when packaging records a spec other than the one trained from (or none at all): the
    release could not tell a reviewed model from any other."""
    metadata = json.loads((packaged_model / METADATA_NAME).read_text(encoding="utf-8"))
    assert spec.spec_differences(metadata, config.as_mapping()) == []


@pytest.mark.rubric("model", 1)
def test_release_refuses_a_model_trained_from_uncommitted_params(
        checkout: Path, config, split, data_dir: Path, historic_path: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture):
    """A model trained from an uncommitted edit of params.yaml is refused by the release
    command, in one line naming the edited key, and nothing is published; once the edit is
    committed (reviewed), the same package is released and its spec recorded. Red when the
    release does not compare the package's spec with params.yaml at git HEAD (an unreviewed
    model would be served), or records no reviewed spec with the version."""
    key = "model.logistic_regression.C"
    edited = _edit_params(checkout, config, {key: config.model.logistic_regression.C * 2})
    candidate = package_for(train_model(split[0], edited.model_spec), tmp_path / "candidate",
                            split, edited, historic_path)
    registry = tmp_path / "registry"
    code, lines = _release_command(capsys, checkout, candidate, registry, split, data_dir,
                                   historic_path, config)
    assert code == 2 and len(lines) == 1, lines
    assert key in lines[0] and "git HEAD" in lines[0], lines[0]
    assert LocalRegistry(registry).versions() == [], "an unreviewed model was published"

    _git(checkout, "commit", "-q", "-a", "-m", "Reviewed: stronger C")
    code, lines = _release_command(capsys, checkout, candidate, registry, split, data_dir,
                                   historic_path, config)
    assert code == 0, lines
    version = read_metadata(candidate)["version"]
    store = LocalRegistry(registry)
    assert store.served() == version
    assert store.released_spec(version) == spec.spec_sha256(edited.as_mapping())


def _serve_args(registry: Path, tmp_path: Path) -> list[str]:
    return ["--registry", str(registry), "--log-dir", str(tmp_path / "log"), "--reload-poll",
            "0"]


def _released(registry: LocalRegistry, package: Path, config: Config, held_out) -> str:
    """Release `package` through the release check, its spec being the reviewed one."""
    reviewed = spec.ReviewedSpec(config.as_mapping(), "the reviewed params.yaml")
    release.release(package, registry,
                    release.ReleaseRules.from_config(config.quality, config.release, reviewed),
                    held_out)
    return read_metadata(package)["version"]


@pytest.mark.rubric("model", 1)
def test_release_refuses_a_model_not_built_from_its_recorded_spec(
        config, split, historic, historic_path: Path, tmp_path: Path):
    """A model trained with C doubled, packaged with metadata recording the reviewed spec, is
    refused in one line naming the estimator parameter, and nothing is published. Red when the
    release trusts the recorded params without comparing them with the artifact's own estimator
    (a model built from an unreviewed spec would be served under a reviewed one)."""
    doubled = config.with_overrides(
        {"model.logistic_regression.C": config.model.logistic_regression.C * 2})
    candidate = package_for(train_model(split[0], doubled.model_spec), tmp_path / "candidate",
                            split, config, historic_path)
    store = LocalRegistry(tmp_path / "registry")
    with pytest.raises(spec.SpecNotReviewed, match="not built from the spec") as refused:
        _released(store, candidate, config, release.HeldOut(split[1], historic))
    message = str(refused.value)
    assert "\n" not in message and "classifier__C" in message, message
    assert store.versions() == [], "a model built from another spec was published"


def _served(*_args, **_kwargs) -> None:
    """Stands in for uvicorn's serve loop: reaching it means the checks let the version through
    (run in this process, the real loop would block the test until a signal)."""
    raise AssertionError("the server started serving instead of refusing the version")


@pytest.mark.rubric("model", 1)
def test_the_server_refuses_to_start_on_an_unreleased_or_tampered_version(
        packaged_model: Path, config, test_split, historic, project_root: Path,
        tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch):
    """`python -m pipeline serve` exits with code 2 and one line, before it binds a port. Red
    when the server serves a version published without the release check, or one whose
    metadata.json spec was edited after its release (the reviewed spec no longer holds)."""
    monkeypatch.setattr(uvicorn.Server, "run", _served)
    params = ["--params", str(project_root / "params.yaml")]
    unreleased = LocalRegistry(tmp_path / "unreleased")
    unreleased.promote(unreleased.publish(packaged_model))
    code, lines = _command(capsys, "serve", *_serve_args(unreleased.root, tmp_path), *params)
    assert code == 2 and len(lines) == 1 and "no release recorded" in lines[0], lines

    tampered = LocalRegistry(tmp_path / "tampered")
    version = _released(tampered, packaged_model, config, release.HeldOut(test_split, historic))
    stored = tampered.root / "versions" / version / METADATA_NAME
    metadata = json.loads(stored.read_text(encoding="utf-8"))
    metadata["params"]["model"]["logistic_regression"]["C"] *= 2
    stored.write_text(json.dumps(metadata), encoding="utf-8")
    code, lines = _command(capsys, "serve", *_serve_args(tampered.root, tmp_path), *params)
    assert code == 2 and len(lines) == 1, lines
    assert "not the reviewed spec its release recorded" in lines[0], lines


@pytest.mark.rubric("model", 1)
def test_a_reload_to_an_unreleased_version_keeps_serving_the_released_one(
        packaged_model: Path, config, split, historic, historic_path: Path,
        project_root: Path, tmp_path: Path):
    """Red when a reload swaps in a version that no release recorded (published and promoted
    around the release check), instead of refusing it and serving on."""
    store = LocalRegistry(tmp_path / "registry")
    released = _released(store, packaged_model, config, release.HeldOut(split[1], historic))
    other = config.with_overrides({"model.logistic_regression.C": 1.0})
    bypass = package_for(train_model(split[0], other.model_spec), tmp_path / "bypass", split,
                         other, historic_path)
    server = ServerProcess(_serve_args(store.root, tmp_path), cwd=project_root)
    with server, httpx.Client(base_url=server.url, timeout=30) as client:
        store.promote(store.publish(bypass))
        refused = client.post("/reload")
        assert refused.status_code == 409 and "no release recorded" in refused.json()["error"]
        assert client.get("/health").json()["version"] == released


@pytest.mark.rubric("model", 1)
def test_a_changed_spec_is_detected(packaged_model: Path, config):
    """Red when spec_differences misses a changed hyperparameter, a type change or a new key."""
    metadata = json.loads((packaged_model / METADATA_NAME).read_text(encoding="utf-8"))
    edited = merge_overrides(config.as_mapping(), {
        "model.logistic_regression.C": config.model.logistic_regression.C * 2,
        "features.stem": int(config.features.stem),
        "model.unreviewed_setting": True,
    })
    found = spec.spec_differences(metadata, edited)
    assert [line.split(":")[0] for line in found] == [
        "features.stem", "model.logistic_regression.C", "model.unreviewed_setting"]
    assert spec.spec_differences({}, config.as_mapping()) != []


@pytest.mark.rubric("model", 1)
def test_spec_changes_require_owner_review(project_root: Path):
    """Red when CODEOWNERS or the PR template is missing, or no longer covers the spec."""
    codeowners = project_root / ".github" / "CODEOWNERS"
    template = project_root / ".github" / "pull_request_template.md"
    assert not spec.untracked_files(project_root, [".github/CODEOWNERS",
                                                   ".github/pull_request_template.md"])
    rules = spec.codeowners_rules(codeowners.read_text(encoding="utf-8"))
    catch_all = spec.owners_of("README.md", rules)
    for path in (*SPEC_PATHS, "pipeline/stages/train.py", "dvc.yaml"):
        owners = spec.owners_of(path, rules)
        assert owners and all(owner.startswith("@") for owner in owners), path
        assert owners != catch_all, f"{path} has no spec owners beyond the catch-all"
    text = template.read_text(encoding="utf-8")
    assert "params.yaml" in text and "- [ ]" in text and "spec" in text.lower()
