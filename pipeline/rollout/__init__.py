"""Getting a candidate model into service: the canary beside the served model, then release."""
