"""Metamorphic relations of the model over mutants of the real test split, and their repair."""

from __future__ import annotations

import pytest

from pipeline.analysis import metamorphic

pytestmark = pytest.mark.mutamorphic


def test_enough_changed_mutants_from_every_relation(
        mutamorphic_run, mm_settings, config, test_split):
    """Red when: the mutators stop changing text, or generation is not seeded (reruns differ)."""
    mutants = mutamorphic_run["mutants"]
    texts = mutamorphic_run["texts"]
    assert len(mutants) >= int(mm_settings.min_mutants)
    assert all(m.text != texts[m.source] for m in mutants)
    assert {m.relation for m in mutants} == set(metamorphic.RELATIONS)
    again = metamorphic.generate(list(test_split.texts), int(mm_settings.mutants_per_review),
                                 int(config.seed))
    assert [(m.source, m.text) for m in again] == [(m.source, m.text) for m in mutants]


@pytest.mark.parametrize("relation", metamorphic.RELATIONS)
def test_relation_holds_as_often_as_measured(mutamorphic_run, relation):
    """Synonyms and neutral sentences keep the label; negation moves the probability.

    Red when: the model ignores negation (negations dropped as stop words: negation 0.0 and
    synonym 0.83 measured), or leans on words that carry no sentiment.
    """
    figures = mutamorphic_run["report"]["relations"][relation]
    assert figures["mutants"] > 0
    assert figures["consistency_before"] >= figures["min_consistency"], figures["worst_examples"]


def test_repair_raises_consistency_at_a_bounded_cost(mutamorphic_run):
    """Red when: the vote is broken (e.g. repaired predictions ignore the mutants' votes or
    average the wrong groups) or repair gets far costlier than plain prediction."""
    report = mutamorphic_run["report"]
    assert 0.0 <= report["consistency_before"] < report["consistency_after_repair"] <= 1.0
    assert report["repair"]["cost_ratio"] <= report["repair"]["max_cost_ratio"]


def test_repair_writes_nothing_and_leaves_the_test_split_alone(mm_predict, test_split, historic,
                                                               config, mm_settings,
                                                               project_root):
    """Red when: repair caches into the repository, or edits the texts or labels it is given."""
    from pipeline.data.split import split_reviews  # pylint: disable=import-outside-toplevel

    # The places a cache of repaired predictions or mutants would go; other people's source
    # files change under a shared checkout, so they are not watched.
    watched = [project_root / "params.yaml", *project_root.glob("models/**/*"),
               *project_root.glob("data/**/*")]

    def snapshot():
        return {path: path.stat().st_mtime_ns for path in watched if path.is_file()} | {
            "files": sorted(str(p) for p in project_root.glob("*"))}

    texts = list(test_split.texts)
    before = snapshot()
    metamorphic.repair(mm_predict, texts, int(mm_settings.repair_votes), int(config.seed))
    assert snapshot() == before
    held_out = split_reviews(historic, config.split, config.seed)[1]
    assert texts == test_split.texts == held_out.texts
    assert test_split.labels == held_out.labels
