"""Workloads for `coachdossier bench` (which times them)."""

import random

from . import definitions, scoring


def score_many(n: int = 10_000) -> int:
    """Score `n` random complete DASS-21 answer sets; returns how many were scored."""
    definition = definitions.load_instrument("dass21")
    rng = random.Random(7)
    item_ids = [item.id for item in definition.items]
    answer_sets = [{i: rng.randint(0, 3) for i in item_ids} for _ in range(n)]
    scored = 0
    for answers in answer_sets:
        scoring.score(definition, answers).to_dict()
        scored += 1
    return scored
