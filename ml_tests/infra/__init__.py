"""Infrastructure section of the ML Test Score (Infra 1-7)."""
