"""Model section of the ML Test Score (Breck et al. 2017, Table II): Model 1 to 7."""
