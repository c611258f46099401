"""Serving: the model between a client's request and the record it leaves behind.

`packaging` writes the package directory around the model's bytes (`pipeline.artifact`), with
the `environment` it was built in; `predict` and `explain` are the command-line front ends; `app`
is the FastAPI application (validation, micro-batching, metrics), `served` loads and hot-swaps the
model through the registry, `predlog` appends the prediction log and `logreader` reads it back
(local directory or S3) with late labels for monitoring; `server` is `python -m pipeline serve`.
"""
