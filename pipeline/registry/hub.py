"""Hugging Face Hub backend of the model registry (`hf://owner/name`), through the real client.

Layout of the model repository:
- each version is one commit on `main` (artifact, metadata.json, README.md model card) and a tag
  named after the version, so `hf_hub_download(..., revision=version)` gets exactly those bytes
  even after later versions overwrite the files on `main`;
- `registry.json` on `main` holds the index (versions, served stack, events). It is replaced
  with `parent_commit` set to the commit it was read from, so two concurrent promotions cannot
  silently overwrite each other: the loser re-reads and re-applies its change.

`huggingface_hub` reads HF_ENDPOINT and HF_HUB_OFFLINE when it is imported, so it is imported
lazily here and the endpoint is always passed explicitly. The token comes from the caller or
HF_TOKEN, never from a token file, and never appears in a message.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pipeline.artifact import METADATA_NAME, read_metadata
from pipeline.errors import PipelineError
from pipeline.registry.base import Registry, T
from pipeline.registry.card import CARD_NAME
from pipeline.registry.index import INDEX_NAME, Index, check_index, empty_index
from pipeline.registry.verify import Package

DEFAULT_ENDPOINT = "https://huggingface.co"
_REPO_ID = re.compile(r"[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*")
_ATTEMPTS = 3


class HubRegistry(Registry):
    """A model repository on a Hub at `endpoint` (default huggingface.co)."""

    def __init__(self, repo_id: str, *, endpoint: str | None = None, token: str | None = None,
                 cache_dir: str | Path | None = None, private: bool = True) -> None:
        if not _REPO_ID.fullmatch(repo_id):
            raise PipelineError(f"hf://{repo_id}: expected a Hub repository as hf://owner/name")
        self.repo_id = repo_id
        self.uri = f"hf://{repo_id}"
        self.endpoint = (endpoint or DEFAULT_ENDPOINT).rstrip("/")
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.private = private
        self._token = token or None

    @classmethod
    def from_environment(cls, repo_id: str) -> HubRegistry:
        """The registry `hf://repo_id` names, with HF_ENDPOINT and HF_TOKEN read now (at call
        time, unlike huggingface_hub, which reads HF_ENDPOINT once at import)."""
        return cls(repo_id, endpoint=os.environ.get("HF_ENDPOINT"),
                   token=os.environ.get("HF_TOKEN"))

    def __repr__(self) -> str:  # the token stays out of reprs, logs and tracebacks' locals
        return f"HubRegistry({self.repo_id!r}, endpoint={self.endpoint!r})"

    # -- client plumbing --------------------------------------------------------------------
    def _api(self) -> Any:
        from huggingface_hub import HfApi  # pylint: disable=import-outside-toplevel

        # token=False: never fall back to a token file on disk.
        return HfApi(endpoint=self.endpoint, token=self._token or False)

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        """Turn client and network failures into one line naming the repository."""
        import httpx2  # pylint: disable=import-outside-toplevel
        from huggingface_hub.errors import (  # pylint: disable=import-outside-toplevel
            HfHubHTTPError,
            LocalEntryNotFoundError,
            RepositoryNotFoundError,
            RevisionNotFoundError,
        )

        try:
            yield
        except RepositoryNotFoundError:
            raise PipelineError(f"{self.uri}: {action}: repository not found at {self.endpoint}"
                                " (or HF_TOKEN lacks access)") from None
        except RevisionNotFoundError:
            raise PipelineError(f"{self.uri}: {action}: no such version tag in the repository"
                                ) from None
        except HfHubHTTPError as error:
            status = error.response.status_code if error.response is not None else "?"
            raise PipelineError(f"{self.uri}: {action}: the Hub answered HTTP {status}") from None
        except (LocalEntryNotFoundError, httpx2.HTTPError) as error:
            raise PipelineError(f"{self.uri}: {action}: cannot reach {self.endpoint}"
                                f" ({type(error).__name__})") from None

    @contextmanager
    def _cache(self) -> Iterator[Path]:
        """The download cache: the caller's, or a private one removed afterwards (hermetic)."""
        if self.cache_dir is not None:
            yield self.cache_dir
            return
        with tempfile.TemporaryDirectory(prefix="hub-cache-") as scratch:
            yield Path(scratch)

    def _download(self, filename: str, revision: str, cache: Path) -> Path:
        from huggingface_hub import hf_hub_download  # pylint: disable=import-outside-toplevel

        return Path(hf_hub_download(self.repo_id, filename, revision=revision, cache_dir=cache,
                                    endpoint=self.endpoint, token=self._token or False))

    # -- index ------------------------------------------------------------------------------
    def _snapshot(self) -> tuple[Index, str | None]:
        """The index and the `main` commit it was read from (None: no repository yet)."""
        from huggingface_hub.errors import (  # pylint: disable=import-outside-toplevel
            RemoteEntryNotFoundError,
            RepositoryNotFoundError,
        )

        with self._errors("read the index"):
            try:
                head = self._api().model_info(self.repo_id, revision="main").sha
            except RepositoryNotFoundError:
                return empty_index(), None
            with self._cache() as cache:
                try:
                    path = self._download(INDEX_NAME, head, cache)
                except RemoteEntryNotFoundError:
                    return empty_index(), head
                try:
                    index = json.loads(path.read_text(encoding="utf-8"))
                except (json.JSONDecodeError, UnicodeDecodeError):
                    raise PipelineError(f"{self.uri}/{INDEX_NAME}: not valid JSON") from None
        return check_index(index, f"{self.uri}/{INDEX_NAME}"), head

    def _read_index(self) -> Index:
        return self._snapshot()[0]

    def _update_index(self, change: Callable[[Index], tuple[Index, T]], message: str) -> T:
        from huggingface_hub import CommitOperationAdd  # pylint: disable=import-outside-toplevel
        from huggingface_hub.errors import HfHubHTTPError  # pylint: disable=import-outside-toplevel

        for _ in range(_ATTEMPTS):
            index, head = self._snapshot()
            new, result = change(index)
            if new is index:
                return result
            if head is None:
                self._create_repo()
                continue
            data = (json.dumps(new, indent=2, sort_keys=True) + "\n").encode("utf-8")
            try:
                with self._errors("update the index"):
                    try:
                        self._api().create_commit(
                            self.repo_id, [CommitOperationAdd(INDEX_NAME, data)],
                            commit_message=message, revision="main", parent_commit=head)
                    except HfHubHTTPError as error:
                        if error.response is not None and error.response.status_code in (409, 412):
                            raise _Conflict from None
                        raise
            except _Conflict:
                continue  # someone else changed main since we read it: re-read, re-apply
            return result
        raise PipelineError(f"{self.uri}: the index kept changing under concurrent updates;"
                            " try again")

    # -- files ------------------------------------------------------------------------------
    def _create_repo(self) -> None:
        with self._errors("create the repository"):
            self._api().create_repo(self.repo_id, exist_ok=True, private=self.private)

    def _store(self, package: Package, card: str) -> None:
        from huggingface_hub import CommitOperationAdd  # pylint: disable=import-outside-toplevel

        self._create_repo()
        api = self._api()
        with self._errors(f"publish {package.version}"):
            tags = {ref.name for ref in api.list_repo_refs(self.repo_id).tags}
            if package.version in tags:
                self._check_same(package)
                return
            commit = api.create_commit(
                self.repo_id,
                [CommitOperationAdd(package.artifact.name, str(package.artifact)),
                 CommitOperationAdd(METADATA_NAME, str(package.directory / METADATA_NAME)),
                 CommitOperationAdd(CARD_NAME, card.encode("utf-8"))],
                commit_message=f"Add model {package.version}", revision="main")
            api.create_tag(self.repo_id, tag=package.version, revision=commit.oid,
                           tag_message=f"model {package.version}, artifact sha256 {package.sha256}")

    def _check_same(self, package: Package) -> None:
        """Re-publishing is idempotent only for the same artifact."""
        with self._cache() as cache:
            path = self._download(METADATA_NAME, package.version, cache)
            stored = json.loads(path.read_text(encoding="utf-8"))
        if stored.get("sha256") != package.sha256:
            raise PipelineError(f"{self.uri}: version {package.version} already holds a different"
                                " artifact; refusing to overwrite it")

    def _retrieve(self, version: str, dest: Path) -> None:
        with self._errors(f"fetch {version}"), self._cache() as cache:
            shutil.copyfile(self._download(METADATA_NAME, version, cache), dest / METADATA_NAME)
            artifact = read_metadata(dest)["artifact"]
            if Path(artifact).name != artifact:
                raise PipelineError(f"{self.uri}@{version}/{METADATA_NAME}: artifact {artifact!r}"
                                    " must be a plain file name")
            for name in (artifact, CARD_NAME):
                shutil.copyfile(self._download(name, version, cache), dest / name)


class _Conflict(Exception):
    """`main` moved between reading the index and committing the new one."""
