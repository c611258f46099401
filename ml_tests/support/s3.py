"""A real S3 API on 127.0.0.1 (moto's server) and a DVC remote pointed at it, for tests.

DVC talks to S3 through aiobotocore over HTTP, so an in-process mock (`mock_aws`) would not see
its requests; moto's threaded server does. Credentials are dummies, set only in the environment
of the `dvc` subprocesses, so nothing secret is written to a config file and the test process's
own environment is left alone.

    with moto_s3("bucket") as endpoint:
        configure_dvc_remote(repo, endpoint, "bucket")
        dvc(repo, "push")
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
# Variables that would send DVC somewhere else than the test server, or to real credentials.
_AWS_OVERRIDES = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3",
                  "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE")


def s3_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """A subprocess environment with the dummy credentials and no AWS overrides."""
    env = {k: v for k, v in (os.environ if base is None else base).items()
           if k not in _AWS_OVERRIDES}
    return {**env, **DUMMY_CREDENTIALS, "DVC_NO_ANALYTICS": "1"}


def _reset(endpoint: str) -> None:
    """moto keeps its buckets in process-wide state; start and end every server empty."""
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    # The endpoint is always the http://127.0.0.1 server started below.
    with urllib.request.urlopen(request, timeout=10):  # nosec B310
        pass


@contextmanager
def moto_s3(*buckets: str) -> Iterator[str]:
    """Start moto's S3 server on a free port of 127.0.0.1, create `buckets`, yield its URL, stop."""
    from moto.server import ThreadedMotoServer  # pylint: disable=import-outside-toplevel

    werkzeug_log = logging.getLogger("werkzeug")  # one line per request on stderr otherwise
    level = werkzeug_log.level
    werkzeug_log.setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        _reset(endpoint)
        client = s3_client(endpoint)
        for bucket in buckets:
            client.create_bucket(Bucket=bucket)
        yield endpoint
        _reset(endpoint)
    finally:
        server.stop()
        # ThreadedMotoServer.stop() ends serve_forever but leaves the listening socket open.
        wsgi_server = getattr(server, "_server", None)
        if wsgi_server is not None:
            wsgi_server.server_close()
        werkzeug_log.setLevel(level)


def s3_client(endpoint: str):  # noqa: ANN201  # boto3 clients have no importable static type
    """A boto3 S3 client for the test server (to look at what DVC stored)."""
    import boto3  # pylint: disable=import-outside-toplevel

    return boto3.client("s3", endpoint_url=endpoint,
                        region_name=DUMMY_CREDENTIALS["AWS_DEFAULT_REGION"],
                        aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"])


def dvc(repo: str | Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `dvc ARGS` in `repo` with the dummy credentials (this interpreter's DVC)."""
    result = subprocess.run([sys.executable, "-m", "dvc", *args], cwd=repo, env=s3_env(),
                            capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"dvc {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result


def init_dvc_repo(repo: str | Path) -> Path:
    """`git init` + `dvc init` with no analytics, no update check and a site cache inside `repo`."""
    repo = Path(repo)
    repo.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    dvc(repo, "init", "-q")
    dvc(repo, "config", "core.analytics", "false")
    dvc(repo, "config", "core.check_update", "false")
    dvc(repo, "config", "core.site_cache_dir", str(repo / ".dvc-site-cache"))
    return repo


def configure_dvc_remote(repo: str | Path, endpoint: str, bucket: str, path: str = "dvc",
                         name: str = "storage") -> str:
    """Make `s3://bucket/path` at `endpoint` the default remote of `repo`; returns its URL."""
    url = f"s3://{bucket}/{path}"
    dvc(repo, "remote", "add", "--force", "--default", name, url)
    dvc(repo, "remote", "modify", name, "endpointurl", endpoint)
    return url
