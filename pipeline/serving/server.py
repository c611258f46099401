"""`python -m pipeline serve`: the model over HTTP, with uvicorn on 127.0.0.1 by default.

Serves the registry's served version (`--registry URI`, default `registry.uri` in params.yaml)
or a package directory (`--model-dir DIR`), both checked by sha256 before anything is
deserialised; a registry version is served only if its packaged spec is the reviewed spec its
release recorded (`pipeline.analysis.spec`), else start-up fails in one line (exit 2) and a
reload keeps the previous version. One uvicorn worker without an access log: scoring is
CPU-bound and micro-batched inside the process (pipeline.serving.app), so a second worker on a
2-core machine would only compete with it, and an access log line per request costs more than
the HTTP parsing.

The socket is bound before the server starts, so `--port 0` works: the first line on stdout
names the URL it listens on.
"""

from __future__ import annotations

import socket
from pathlib import Path

from pipeline.cli import CommandParser
from pipeline.config import ServingConfig, load_config
from pipeline.errors import PipelineError
from pipeline.serving.app import Service, create_app
from pipeline.serving.predlog import PredictionLog
from pipeline.serving.served import DirectorySource, ModelHolder, ModelSource, RegistrySource

BACKLOG = 1024


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (port 0: a free one), or a one-line error.

    The protocol is named explicitly: asyncio turns Nagle's algorithm off (TCP_NODELAY) only on
    sockets whose protocol says TCP, and with it on, a response written in two parts waits
    for the client's delayed ACK, 40 ms per request.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError as error:
        sock.close()
        raise PipelineError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    return sock


def _parser() -> CommandParser:
    parser = CommandParser(prog="python -m pipeline serve", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--model-dir", type=Path, help="serve this package directory")
    source.add_argument("--registry", metavar="URI",
                        help="serve this registry's served version (default: registry.uri)")
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--log-dir", type=Path,
                        help="prediction log directory (default: serving.log_dir)")
    parser.add_argument("--replica", help="name in the log file names (default: host name)")
    parser.add_argument("--reload-poll", type=float, metavar="SECONDS",
                        help="served-pointer check interval, 0: only on POST /reload"
                             " (default: serving.reload_poll_seconds)")
    return parser


def build_service(source: ModelSource, settings: ServingConfig,
                  replica: str | None = None) -> Service:
    """Load the pointer's model (refusing to start without one) and open the log."""
    holder = ModelHolder(source)
    return Service(holder, PredictionLog(Path(settings.log_dir), replica, settings.log_fsync),
                   settings)


def main(argv: list[str]) -> int:
    """Load the model, bind, print the URL, serve until SIGINT or SIGTERM."""
    import uvicorn  # pylint: disable=import-outside-toplevel

    args = _parser().parse_args(argv)
    config = load_config(args.params)
    if args.reload_poll is not None and args.reload_poll < 0:
        raise PipelineError(f"--reload-poll {args.reload_poll}; expected seconds >= 0")
    overrides = {"log_dir": None if args.log_dir is None else str(args.log_dir),
                 "reload_poll_seconds": args.reload_poll}
    settings = config.serving.model_copy(
        update={key: value for key, value in overrides.items() if value is not None})
    source = (DirectorySource(args.model_dir) if args.model_dir is not None
              else RegistrySource(args.registry or config.registry.uri, args.params))
    service = build_service(source, settings, args.replica)
    sock = listen(args.host, args.port)
    host, port = sock.getsockname()[:2]
    print(f"serving {service.holder.current.version} from {source.description} on"
          f" http://{host if ':' not in host else f'[{host}]'}:{port}"
          f" (prediction log: {settings.log_dir})", flush=True)
    config = uvicorn.Config(create_app(service), workers=1, access_log=False,
                            log_level="warning", lifespan="on", timeout_graceful_shutdown=5)
    uvicorn.Server(config).run(sockets=[sock])
    return 0
