"""Studies of the model that the rubric suites and tuning run, never the stages.

Repeated cross-validation and the hyperparameter search, the staleness study (Model 4), the
reviewed model spec (Model 1, which the release and the server also enforce), the feature
schema (Data 1), the counterfactual inclusion study (Model 7), and the metamorphic relations
with their lexicon (the mutamorphic suite).
"""
