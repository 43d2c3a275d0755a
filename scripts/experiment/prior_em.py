#!/usr/bin/env python3
"""Label-shift correction on saved predictions (no training): Saerens, Latinne & Decaestecker 2002, the EM
re-estimation of the target's class frequencies, applied to each finished scripts/adapt run's
predictions_probabilities.csv; prints target macro F1 (classes present) before and after, per run and
mean per lab (docs/results.md, fourth session).
    scripts/experiment/prior_em.py VARIANT [VARIANT ...]     e.g. adapt-v2 adapt-v6   (numpy)"""
import csv, glob, sys
import numpy as np

CLASSES = ["basophil", "eosinophil", "lymphocyte", "monocyte", "neutrophil"]
SOURCE_COUNTS = np.array([1218, 2000, 1214, 1420, 1999], float)   # PBC's training classes (report.txt)
SOURCE_PRIOR = SOURCE_COUNTS / SOURCE_COUNTS.sum()


def macro_f1_present(y, p):
    scores = []
    for k in sorted(set(y)):
        tp, fp, fn = np.sum((p == k) & (y == k)), np.sum((p == k) & (y != k)), np.sum((p != k) & (y == k))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(scores))


def em(probabilities, prior, iterations=100):
    target = prior.copy()
    for _ in range(iterations):
        q = probabilities * (target / prior)
        q /= q.sum(1, keepdims=True)
        target = q.mean(0)
    return q


for variant in sys.argv[1:]:
    for lab in ["tecom_jiangxi", "bccd", "cellavision_blog"]:
        pairs = []
        for f in sorted(glob.glob(f"results/{variant}/{lab}/seed*/predictions_probabilities.csv")):
            rows = list(csv.reader(open(f)))[1:]
            y = np.array([CLASSES.index(r[0].split("/")[-2]) for r in rows])
            p = np.clip(np.array([[float(x) for x in r[1:]] for r in rows]), 1e-6, 1)
            p /= p.sum(1, keepdims=True)
            pairs.append((macro_f1_present(y, p.argmax(1)), macro_f1_present(y, em(p, SOURCE_PRIOR).argmax(1))))
            print(f"{variant} {lab} {f.split('/')[-2]}: {pairs[-1][0]:.3f} -> {pairs[-1][1]:.3f}")
        if pairs:
            before, after = np.mean(pairs, 0)
            print(f"{variant} {lab} mean: {before:.3f} -> {after:.3f}")
