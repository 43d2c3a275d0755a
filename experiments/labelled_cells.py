#!/usr/bin/env python3
"""Which classes the labelled cells of each few-labels arm cover (experiments/few_labels_grid's records): for every
lab and arm with a labels.csv, the mean number of labelled cells per class over the seeds run, how many of the lab's
classes got at least one labelled cell (mean over seeds), and the arm's macro F1 on the cells not labelled (plain, and
with the 8 orientations averaged where the record has it). A
selection strategy that leaves a class without labelled cells leaves the classifier to learn that class from the
source alone; this table shows how often each strategy does so at each budget.

usage: experiments/labelled_cells.py [RESULTS]   (default results/few-labels)"""
import csv
import json
import os
import re
import statistics
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "results/few-labels"
classes = ["basophil", "eosinophil", "lymphocyte", "monocyte", "neutrophil"]   # every lab's, in label order


def budget(arm):
    """The number after an arm's selection strategy (mdd-clue20 → 20, mdd-random5-64px-15x100steps → 5); None for
    arms without labelled cells (mdd-0)."""
    found = re.match(r"[a-z_]+-(?:clue|random|balanced|entropy|badge)(\d+)(?:-|$)", arm)
    return int(found.group(1)) if found else None


def seeds(lab, arm):
    folder = os.path.join(root, lab, arm)
    for name in sorted(os.listdir(folder)):
        labels = os.path.join(folder, name, "labels.csv")
        result = os.path.join(folder, name, "result.json")
        if os.path.exists(labels) and os.path.exists(result):
            yield labels, json.load(open(result))


print("| lab | arm | seeds | labelled cells per class | classes covered | macro F1 | with the orientations averaged |")
print("|---|---|---|---|---|---|---|")
for lab in sorted(os.listdir(root)):
    arms = [arm for arm in os.listdir(os.path.join(root, lab)) if budget(arm) is not None]
    for arm in sorted(arms, key=lambda a: (budget(a), a)):
        runs = list(seeds(lab, arm))
        if not runs:
            continue
        counts, covered, scores, averaged = [], [], [], []
        for labels, result in runs:
            with open(labels, newline="") as f:
                rows = [row["label"] for row in csv.DictReader(f)]
            assert set(rows) <= set(classes), (labels, set(rows) - set(classes))
            per_class = [rows.count(name) for name in classes]
            counts.append(per_class)
            covered.append(sum(1 for n in per_class if n > 0))
            scores.append(result["macro_f1_present"])
            averaged.append(result.get("macro_f1_present_tta"))
        mean_counts = " / ".join(f"{statistics.mean(c[i] for c in counts):.1f}" for i in range(len(classes)))
        average = f"{statistics.mean(averaged):.3f}" if None not in averaged else "–"
        print(f"| {lab} | {arm} | {len(runs)} | {mean_counts} | {statistics.mean(covered):.1f} of {len(classes)} "
              f"| {statistics.mean(scores):.3f} | {average} |")
print("\nlabelled cells per class in the order " + " / ".join(classes))
