#!/usr/bin/env python3
"""The centroid-label table (results/centroid-labels/, written by experiments/centroid_sweep): per run group and lab,
the seed mean of macro F1 over the classes present with the classifier's labels and with SHOT's centroid labels, both
without and with AdaBN, and the rule of docs/notebook/2026-12-02.md (centroid labels are adopted only if they raise
the seed mean of every grid arm on every lab).

    python3 experiments/centroid_table.py
"""
import glob
import json
import os
from collections import defaultdict
from statistics import mean

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "results", "centroid-labels")
labs = ["tecom_jiangxi", "bccd", "cellavision_blog"]
groups = defaultdict(lambda: defaultdict(list))
for path in sorted(glob.glob(os.path.join(root, "*", "*", "seed*.json"))):
    lab, group = path.split(os.sep)[-3], path.split(os.sep)[-2]
    groups[group][lab].append(json.load(open(path)))

keys = [("macro_f1_present", "classifier"), ("macro_f1_present_centroids", "centroids"),
        ("macro_f1_present_adabn", "classifier + AdaBN"), ("macro_f1_present_centroids_adabn", "centroids + AdaBN")]
print("| runs | lab | seeds | " + " | ".join(name for _, name in keys) + " | centroids − classifier |")
print("|---" * (len(keys) + 4) + "|")
raised, compared = 0, 0
for group in sorted(groups):
    for lab in labs:
        records = groups[group].get(lab, [])
        if not records:
            continue
        means = [mean(r[k] for r in records) for k, _ in keys]
        gain = means[1] - means[0]
        if "px" not in group:
            compared += 1
            raised += gain > 0
        print(f"| {group} | {lab} | {len(records)} | " + " | ".join(f"{m:.3f}" for m in means) + f" | {gain:+.3f} |")
print(f"\ngrid arms × labs where centroid labels raise the seed mean: {raised} of {compared}"
      + (" — the rule adopts them only if all are raised" if compared else ""))
