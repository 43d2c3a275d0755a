#!/usr/bin/env python3
"""Pools the two halves of the half-labelled diagnostic (experiments/half_labelled_grid): each half's run predicted
the cells of the other half (predictions_probabilities.csv, the 8 orientations averaged); together they predict every
cell of the lab once, by the run that did not see its label. Writes ARM_DIR/pooled.json: macro F1 over the classes
present (scikit-learn's macro average over those classes), per-class F1 and support, and each half's own score.
    experiments/half_labelled_pool.py ARM_DIR
"""
import json
import os
import sys

from averaged_runs import cell_class, macro_f1_present, per_class_f1, probabilities

arm = sys.argv[1]
classes, pooled, halves = None, {}, {}
for half in ("halfa", "halfb"):
    half_classes, by_cell = probabilities(os.path.join(arm, half, "predictions_probabilities.csv"))
    classes = classes or half_classes
    assert half_classes == classes, "the halves' class columns differ"
    halves[half] = macro_f1_present(classes, by_cell)
    recorded = json.load(open(os.path.join(arm, half, "result.json")))["macro_f1_present_tta"]
    assert abs(halves[half] - recorded) < 1e-4, f"{half}: {halves[half]} from its predictions, {recorded} in its record"
    pooled.update(by_cell)
per_class = per_class_f1(classes, pooled)
support = {c: sum(cell_class(cell) == c for cell in pooled) for c in classes if c in per_class}
record = {"cells": len(pooled), "macro_f1_present": sum(per_class.values()) / len(per_class), "per_class_f1": per_class,
          "support": support, "half_macro_f1_present_tta": halves}
with open(os.path.join(arm, "pooled.json"), "w") as fh:
    json.dump(record, fh, indent=1)
print(json.dumps(record))
