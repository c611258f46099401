"""Measuring cost: timing and memory helpers, and the model and HTTP benchmarks that use them."""
