"""The mutamorphic run: mutants of the test split, predictions before and after repair, once.

The figures go to reports/mutamorphic.json as soon as they exist, so a reviewer can read them
even when a test fails.
"""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.analysis import lexicon, metamorphic
from pipeline.config import Config, MutamorphicConfig
from pipeline.fileio import write_json_atomic
from pipeline.model import predict_labels
from pipeline.perf import measurement


@pytest.fixture(scope="session")
def mm_settings(config: Config) -> MutamorphicConfig:
    """params.yaml `mutamorphic`."""
    return config.mutamorphic


@pytest.fixture(scope="session")
def mm_predict(trained_model):
    """Positive probabilities through the serving path, looked up at call time."""
    return lambda texts: predict_labels(trained_model, list(texts))[1]


@pytest.fixture(scope="session")
def mutamorphic_run(test_split, mm_settings, mm_predict, config, reports_dir) -> dict[str, Any]:
    """Mutants, consistency before and after repair, repair cost; written to the report."""
    seed = int(config.seed)
    sources = lexicon.providers()
    texts = list(test_split.texts)
    mutants = metamorphic.generate(texts, int(mm_settings.mutants_per_review), seed, sources)
    mutant_texts = [m.text for m in mutants]
    source_p, mutant_p = mm_predict(texts), mm_predict(mutant_texts)
    votes = int(mm_settings.repair_votes)

    def repair_all():
        return (metamorphic.repair(mm_predict, texts, votes, seed, sources),
                metamorphic.repair(mm_predict, mutant_texts, votes, seed, sources))

    repaired_source, repaired_mutant = repair_all()

    def repair_cost():
        # Repair and plain prediction of the same inputs, back to back in each round.
        timings = measurement.interleaved(
            {"repair": repair_all, "plain": lambda: (mm_predict(texts), mm_predict(mutant_texts))},
            0, int(mm_settings.repair_rounds))
        return [measurement.compare_timings("repair_cost", timings["repair"], timings["plain"],
                                            float(mm_settings.max_repair_cost_ratio))]

    # The medians reported below come from the same (best) measurement as the ratio.
    cost = measurement.confirmed(repair_cost, int(mm_settings.repair_attempts))[0]
    repair_seconds = cost.candidate
    before = metamorphic.consistency(mutants, source_p, mutant_p)
    after = metamorphic.consistency(mutants, repaired_source, repaired_mutant)
    relations = {
        relation: {
            "mutants": before["per_relation"][relation]["mutants"],
            "consistency_before": before["per_relation"][relation]["consistency"],
            "consistency_after_repair": after["per_relation"][relation]["consistency"],
            "min_consistency": getattr(mm_settings.min_consistency, relation),
            "worst_examples": metamorphic.worst_examples(mutants, texts, source_p, mutant_p,
                                                         relation),
        }
        for relation in metamorphic.RELATIONS
    }
    inputs = len(texts) + len(mutants)
    report = {
        "reviews": len(texts),
        "mutants": len(mutants),
        "consistency_before": before["overall"],
        "consistency_after_repair": after["overall"],
        "relations": relations,
        "synonym_providers": [provider.name for provider in sources],
        "repair": {
            "votes": votes,
            "scheme": "mean positive probability of the input and its label-preserving mutants",
            "seconds": round(repair_seconds, 4),
            "plain_predict_seconds": round(cost.reference, 4),
            "ms_per_input": round(repair_seconds / inputs * 1e3, 4),
            "cost_ratio": round(cost.ratio, 3),
            "max_cost_ratio": mm_settings.max_repair_cost_ratio,
        },
    }
    write_json_atomic(reports_dir / "mutamorphic.json", report)
    return {"report": report, "mutants": mutants, "texts": texts}
