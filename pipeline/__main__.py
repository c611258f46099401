"""`python -m pipeline <command> ...`: one entry point for every DVC stage and tool.

Commands are imported lazily so that `validate` or `predict` do not pay for libraries that only
training needs.
"""

from __future__ import annotations

import importlib
import sys

from pipeline.errors import PipelineError

COMMANDS: dict[str, tuple[str, str]] = {
    "download": ("pipeline.stages.download", "put the verified raw review files in place"),
    "validate": ("pipeline.stages.validate", "check a reviews file against the schema"),
    "prepare": ("pipeline.stages.prepare", "split the labelled reviews into train and test"),
    "train": ("pipeline.stages.train", "fit the model pipeline on the training split"),
    "evaluate": ("pipeline.stages.evaluate", "score the model on the held-out split"),
    "package": ("pipeline.stages.package", "write the model artifact and its metadata"),
    "predict": ("pipeline.serving.predict", "label review texts with the packaged model"),
    "registry": ("pipeline.registry.cli", "publish, list, promote and roll back model versions"),
    "explain": ("pipeline.serving.explain", "show how the model reached a prediction"),
    "canary": ("pipeline.rollout.canary",
               "compare a candidate with the served model before promotion"),
    "monitor": ("pipeline.monitoring.cli", "run a monitoring check and write its report"),
    "bench": ("pipeline.perf.bench", "measure latency, throughput, load time and memory"),
    "tune": ("pipeline.analysis.tune", "search the hyperparameter spaces by repeated CV"),
    "serve": ("pipeline.serving.server", "serve the model over HTTP (predict, health, metrics)"),
    "serve-bench": ("pipeline.perf.serving", "measure the HTTP server's latency and throughput"),
}


def _usage() -> str:
    lines = ["usage: python -m pipeline <command> [args...]", "", "commands:"]
    lines += [f"  {name:<11} {summary}" for name, (_, summary) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Dispatch to `<module>.main(args)`; user errors become one line and exit code 2."""
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in {"-h", "--help"}:
        print(_usage())
        return 0 if args else 2
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"pipeline: unknown command {name!r}; expected one of: {', '.join(COMMANDS)}",
              file=sys.stderr)
        return 2
    try:
        module = importlib.import_module(COMMANDS[name][0])
        return int(module.main(rest) or 0)
    except PipelineError as error:
        print(f"pipeline {name}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
