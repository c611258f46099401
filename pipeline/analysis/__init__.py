"""Studies of the model that the rubric suites and tuning run, never serving or the stages.

Repeated cross-validation and the hyperparameter search, the staleness study (Model 4), the
reviewed model spec (Model 1), the feature schema (Data 1), the counterfactual inclusion study
(Model 7), and the metamorphic relations with their lexicon (the mutamorphic suite).
"""
