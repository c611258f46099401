"""A stand-in Hugging Face Hub on 127.0.0.1 for tests that drive the real `huggingface_hub` client.

No installable local Hub exists, and mocking the client would test our mocks, not the HTTP calls
the client really makes. This server answers the handful of endpoints a create / commit / tag /
download round trip uses, with the headers the client checks (X-Repo-Commit, ETag, X-Error-Code),
and keeps every repository in memory. Regular (non-LFS) uploads only: every file is committed
inline as base64, which is what the client does when preupload answers "regular".

    with HubStub() as hub:
        registry = HubRegistry("owner/name", endpoint=hub.url, token=hub.token)
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import unquote, urlsplit

DEFAULT_TOKEN = "test-token"  # a fake credential the stub accepts, not a secret


@dataclass
class Commit:
    """One immutable snapshot of a repository's files."""

    oid: str
    parent: str | None
    message: str
    files: dict[str, bytes]


@dataclass
class Repo:
    """Branches and tags pointing at commits, as in git."""

    repo_id: str
    commits: dict[str, Commit] = field(default_factory=dict)
    branches: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)

    def resolve(self, revision: str) -> str | None:
        """Branch, then tag, then full commit id: the order the Hub resolves a revision in."""
        for refs in (self.branches, self.tags):
            if revision in refs:
                return refs[revision]
        return revision if revision in self.commits else None


def git_blob_oid(data: bytes) -> str:
    """The git blob sha1 the Hub uses as the ETag of a regular file."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


class _HubError(Exception):
    """An HTTP error with the X-Error-Code header the client maps to its exception types."""

    def __init__(self, status: HTTPStatus, message: str, code: str | None = None,
                 commit: str | None = None, extra: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.commit = status, message, code, commit
        self.extra = extra or {}


class HubStub:
    """Thread-based local Hub; a context manager that always stops the server it started.

    `token`: the bearer token writes must carry (reads are open). `requests` records
    `(method, path)` of every call so tests can check what the client did.
    """

    def __init__(self, token: str = DEFAULT_TOKEN) -> None:
        self.token = token
        self.repos: dict[str, Repo] = {}
        self.requests: list[tuple[str, str]] = []
        self.authorizations: list[str | None] = []
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("HubStub is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> HubStub:
        handler = type("Handler", (_Handler,), {"hub": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        name="hub-stub", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and cut open keep-alive connections, so a stopped Hub is unreachable."""
        if self._server is not None:
            self._server.shutdown()
            with self._lock:
                connections = list(self._connections)
            for connection in connections:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # already closed by the client
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- repository operations (also usable directly by tests, e.g. to tamper with a file) ---
    def create_repo(self, repo_id: str) -> Repo:
        with self._lock:
            if repo_id in self.repos:
                # The Hub's conflict answer carries the repo URL; `exist_ok=True` reads it.
                raise _HubError(HTTPStatus.CONFLICT, "You already created this model repo",
                                extra={"url": f"{self.url}/{repo_id}"})
            repo = Repo(repo_id)
            attributes = b"*.skops filter=lfs diff=lfs merge=lfs -text\n"
            initial = self._new_commit(repo, None, "initial commit",
                                       {".gitattributes": attributes})
            repo.branches["main"] = initial.oid
            self.repos[repo_id] = repo
            return repo

    def commit(self, repo_id: str, branch: str, message: str, changes: dict[str, bytes | None],
               parent: str | None = None) -> Commit:
        """Apply `changes` (path -> bytes, or None to delete) on top of `branch`."""
        with self._lock:
            repo = self._repo(repo_id)
            if branch not in repo.branches:
                raise _HubError(HTTPStatus.NOT_FOUND, f"Invalid rev id: {branch}",
                                "RevisionNotFound")
            head = repo.branches[branch]
            if parent is not None and parent != head:
                raise _HubError(HTTPStatus.PRECONDITION_FAILED,
                                f"A commit has happened since {parent}; head is {head}")
            files = dict(repo.commits[head].files)
            for path, data in changes.items():
                if data is None:
                    if path not in files:
                        raise _HubError(HTTPStatus.NOT_FOUND,
                                        f"A file with this name doesn't exist: {path}",
                                        "EntryNotFound")
                    del files[path]
                else:
                    files[path] = data
            new = self._new_commit(repo, head, message, files)
            repo.branches[branch] = new.oid
            return new

    def tag(self, repo_id: str, revision: str, tag: str) -> None:
        with self._lock:
            repo = self._repo(repo_id)
            oid = self._resolve(repo, revision)
            if tag in repo.tags or tag in repo.branches:
                raise _HubError(HTTPStatus.CONFLICT, f"Tag {tag} already exists")
            repo.tags[tag] = oid

    def file(self, repo_id: str, revision: str, path: str) -> tuple[bytes, str]:
        """File bytes and the commit they were read from."""
        with self._lock:
            repo = self._repo(repo_id)
            oid = self._resolve(repo, revision)
            files = repo.commits[oid].files
            if path not in files:
                raise _HubError(HTTPStatus.NOT_FOUND, f"Entry not found: {path}", "EntryNotFound",
                                oid)
            return files[path], oid

    def resolve(self, repo_id: str, revision: str) -> str:
        """The commit a branch, tag or commit id points at."""
        with self._lock:
            return self._resolve(self._repo(repo_id), revision)

    def listing(self, repo_id: str, revision: str) -> tuple[str, list[str]]:
        """The commit a revision points at and the paths it holds."""
        with self._lock:
            oid = self._resolve(self._repo(repo_id), revision)
            return oid, sorted(self.repos[repo_id].commits[oid].files)

    def refs(self, repo_id: str) -> dict[str, dict[str, str]]:
        with self._lock:
            repo = self._repo(repo_id)
            return {"branches": dict(repo.branches), "tags": dict(repo.tags)}

    def _repo(self, repo_id: str) -> Repo:
        if repo_id not in self.repos:
            raise _HubError(HTTPStatus.NOT_FOUND, f"Repository not found: {repo_id}",
                            "RepoNotFound")
        return self.repos[repo_id]

    @staticmethod
    def _resolve(repo: Repo, revision: str) -> str:
        oid = repo.resolve(revision)
        if oid is None:
            raise _HubError(HTTPStatus.NOT_FOUND, f"Invalid rev id: {revision}", "RevisionNotFound")
        return oid

    @staticmethod
    def _new_commit(repo: Repo, parent: str | None, message: str,
                    files: dict[str, bytes]) -> Commit:
        digest = hashlib.sha1(usedforsecurity=False)
        digest.update(f"{parent}\n{message}\n{len(repo.commits)}\n".encode())
        for path in sorted(files):
            digest.update(f"{path}\0{git_blob_oid(files[path])}\n".encode())
        commit = Commit(digest.hexdigest(), parent, message, files)
        repo.commits[commit.oid] = commit
        return commit


class _Handler(BaseHTTPRequestHandler):
    """Routes the Hub API paths the client uses; every error carries the Hub's error headers."""

    hub: HubStub
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without this, Nagle + delayed ACK add ~40 ms
        # to every request on a keep-alive connection.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.hub._lock:
            self.hub._connections.add(self.connection)

    def finish(self) -> None:
        with self.hub._lock:
            self.hub._connections.discard(self.connection)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:  # silence stderr logging
        return

    # -- dispatch ---------------------------------------------------------------------------
    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        path = urlsplit(self.path).path
        self.hub.requests.append((method, path))
        self.hub.authorizations.append(self.headers.get("Authorization"))
        body = self._body() if method == "POST" else b""
        try:
            self._route(method, path, body)
        except _HubError as error:
            headers = {"X-Error-Message": error.message}
            if error.code:
                headers["X-Error-Code"] = error.code
            if error.commit:
                headers["X-Repo-Commit"] = error.commit
            self._send(error.status, {"error": error.message, **error.extra}, headers,
                       method=method)

    def _route(self, method: str, path: str, body: bytes) -> None:
        parts = [unquote(part) for part in path.strip("/").split("/")]
        if method in ("HEAD", "GET") and len(parts) >= 5 and parts[2] == "resolve":
            self._resolve_file(method, f"{parts[0]}/{parts[1]}", parts[3], "/".join(parts[4:]))
            return
        if parts[:1] != ["api"]:
            raise _HubError(HTTPStatus.NOT_FOUND, f"no such endpoint: {path}")
        if method == "POST" and parts[1:] == ["repos", "create"]:
            self._create_repo(body)
        elif method == "POST" and parts[1:] == ["validate-yaml"]:
            self._send(HTTPStatus.OK, {"errors": [], "warnings": []})
        elif parts[1:2] == ["models"] and len(parts) >= 4:
            self._model_api(method, f"{parts[2]}/{parts[3]}", parts[4:], body)
        else:
            raise _HubError(HTTPStatus.NOT_FOUND, f"no such endpoint: {method} {path}")

    def _model_api(self, method: str, repo_id: str, rest: list[str], body: bytes) -> None:
        action = rest[0] if rest else ""
        if method == "POST":
            self._require_token()
            revision = "/".join(rest[1:]) or "main"
            if action == "preupload":
                self._preupload(repo_id, revision, body)
                return
            if action == "commit":
                self._commit(repo_id, revision, body)
                return
            if action == "tag":
                payload = json.loads(body or b"{}")
                self.hub.tag(repo_id, revision, payload["tag"])
                self._send(HTTPStatus.OK, {})
                return
        elif method == "GET" and action == "refs":
            self._refs(repo_id)
            return
        elif method == "GET" and action in ("", "revision"):
            self._repo_info(repo_id, "/".join(rest[1:]) or "main")
            return
        raise _HubError(HTTPStatus.NOT_FOUND, f"no such endpoint: {method} {repo_id}/{action}")

    # -- endpoints --------------------------------------------------------------------------
    def _create_repo(self, body: bytes) -> None:
        self._require_token()
        payload = json.loads(body)
        if payload.get("type", "model") != "model":
            raise _HubError(HTTPStatus.BAD_REQUEST, "only model repositories are supported")
        repo_id = f"{payload['organization']}/{payload['name']}"
        self.hub.create_repo(repo_id)
        self._send(HTTPStatus.OK, {"url": f"{self.hub.url}/{repo_id}", "name": repo_id})

    def _preupload(self, repo_id: str, revision: str, body: bytes) -> None:
        self.hub.resolve(repo_id, revision)
        files = json.loads(body)["files"]
        self._send(HTTPStatus.OK, {"files": [
            {"path": item["path"], "uploadMode": "regular", "shouldIgnore": False, "oid": None}
            for item in files
        ]})

    def _commit(self, repo_id: str, revision: str, body: bytes) -> None:
        lines = [json.loads(line) for line in body.splitlines() if line.strip()]
        if not lines or lines[0].get("key") != "header":
            raise _HubError(HTTPStatus.BAD_REQUEST, "commit payload must start with a header line")
        header = lines[0]["value"]
        changes: dict[str, bytes | None] = {}
        for line in lines[1:]:
            key, value = line["key"], line["value"]
            if key == "file":
                if value.get("encoding") != "base64":
                    raise _HubError(HTTPStatus.BAD_REQUEST, "file content must be base64")
                changes[value["path"]] = base64.b64decode(value["content"])
            elif key == "deletedFile":
                changes[value["path"]] = None
            else:
                raise _HubError(HTTPStatus.BAD_REQUEST, f"unsupported commit operation {key!r}")
        commit = self.hub.commit(repo_id, revision, header.get("summary", ""), changes,
                                 parent=header.get("parentCommit"))
        self._send(HTTPStatus.OK, {"commitUrl": f"{self.hub.url}/{repo_id}/commit/{commit.oid}",
                                   "commitOid": commit.oid, "success": True})

    def _refs(self, repo_id: str) -> None:
        refs = self.hub.refs(repo_id)
        payload = {
            "branches": [{"name": name, "ref": f"refs/heads/{name}", "targetCommit": oid}
                         for name, oid in refs["branches"].items()],
            "tags": [{"name": name, "ref": f"refs/tags/{name}", "targetCommit": oid}
                     for name, oid in refs["tags"].items()],
            "converts": [],
            "pullRequests": [],
        }
        self._send(HTTPStatus.OK, payload)

    def _repo_info(self, repo_id: str, revision: str) -> None:
        oid, files = self.hub.listing(repo_id, revision)
        self._send(HTTPStatus.OK, {"id": repo_id, "modelId": repo_id, "sha": oid, "private": False,
                                   "siblings": [{"rfilename": name} for name in files]})

    def _resolve_file(self, method: str, repo_id: str, revision: str, path: str) -> None:
        data, oid = self.hub.file(repo_id, revision, path)
        headers = {"X-Repo-Commit": oid, "ETag": f'"{git_blob_oid(data)}"',
                   "Content-Type": "application/octet-stream"}
        self._send_bytes(HTTPStatus.OK, data, headers, method=method)

    # -- plumbing ---------------------------------------------------------------------------
    def _require_token(self) -> None:
        if self.headers.get("Authorization") != f"Bearer {self.hub.token}":
            raise _HubError(HTTPStatus.UNAUTHORIZED, "Invalid credentials in Authorization header")

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: HTTPStatus, payload: Any, headers: dict[str, str] | None = None,
              method: str = "GET") -> None:
        self._send_bytes(status, json.dumps(payload).encode(),
                         {"Content-Type": "application/json", **(headers or {})}, method=method)

    def _send_bytes(self, status: HTTPStatus, data: bytes, headers: dict[str, str],
                    method: str = "GET") -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(data)
