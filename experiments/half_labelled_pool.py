#!/usr/bin/env python3
"""Pools the two halves of the half-labelled diagnostic (experiments/half_labelled_grid): each half's run predicted
the cells of the other half (predictions_probabilities.csv, the 8 orientations averaged); together they predict every
cell of the lab once, by the run that did not see its label. Writes ARM_DIR/pooled.json: macro F1 over the classes
present (scikit-learn's macro average over those classes), per-class F1 and support, and each half's own score.
    experiments/half_labelled_pool.py ARM_DIR
"""
import csv
import json
import os
import sys


def scores(truth, predicted, classes):
    """Per-class F1 and support over the classes present in `truth`."""
    per_class, support = {}, {}
    for c in (c for c in classes if c in truth):
        tp = sum(t == c and p == c for t, p in zip(truth, predicted))
        fp = sum(t != c and p == c for t, p in zip(truth, predicted))
        fn = sum(t == c and p != c for t, p in zip(truth, predicted))
        per_class[c] = 2 * tp / (2 * tp + fp + fn)
        support[c] = tp + fn
    return per_class, support


arm = sys.argv[1]
truth, predicted, classes = [], [], None
halves = {}
for half in ("halfa", "halfb"):
    with open(os.path.join(arm, half, "predictions_probabilities.csv"), newline="") as fh:
        rows = list(csv.reader(fh))
    classes = classes or rows[0][1:]
    assert rows[0][1:] == classes, "the halves' class columns differ"
    half_truth = [r[0].split("/")[-2] for r in rows[1:]]   # each cell's class is its folder's name
    half_predicted = [classes[max(range(len(classes)), key=lambda i: float(r[1 + i]))] for r in rows[1:]]
    f1, _ = scores(half_truth, half_predicted, classes)
    halves[half] = sum(f1.values()) / len(f1)
    recorded = json.load(open(os.path.join(arm, half, "result.json")))["macro_f1_present_tta"]
    assert abs(halves[half] - recorded) < 1e-4, f"{half}: {halves[half]} from its predictions, {recorded} in its record"
    truth += half_truth
    predicted += half_predicted
per_class, support = scores(truth, predicted, classes)
record = {"cells": len(truth), "macro_f1_present": sum(per_class.values()) / len(per_class), "per_class_f1": per_class,
          "support": support, "half_macro_f1_present_tta": halves}
with open(os.path.join(arm, "pooled.json"), "w") as fh:
    json.dump(record, fh, indent=1)
print(json.dumps(record))
