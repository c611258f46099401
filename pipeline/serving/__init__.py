"""Serving: the HTTP server that answers predictions with the registry's served model.

Role: everything between a client's request and the model, and the record it leaves behind.
`app` is the FastAPI application (validation, micro-batching, metrics), `served` loads and
hot-swaps the model through the registry and artifact checks, `predlog` appends the prediction
log, `logreader` reads it back (local directory or S3) with late labels for monitoring,
`server` is `python -m pipeline serve` and `bench` is `python -m pipeline serve-bench`.
"""
