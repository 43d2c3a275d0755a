#!/usr/bin/env python3
"""Label-shift correction on saved predictions (no training): Saerens, Latinne & Decaestecker 2002, the EM
re-estimation of the target's class frequencies, applied to each finished scripts/adapt run's
predictions_probabilities.csv; prints target macro F1 (classes present) before and after, per run and
mean per lab (docs/notebook/2026-11-28-results.md, fourth session). Beside it (eighth session): EM on probabilities softened by a
temperature T (p^(1/T), renormalised) for T = 2, 3, 5, 10, and a fixed textbook blood differential in place of the
classifier's uniform training prior (class-weighted training), no EM.
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


# Adult peripheral blood (textbook midpoints): basophil 0.5%, eosinophil 2.5%, lymphocyte 30%, monocyte 5%, neutrophil 62%.
BLOOD_PRIOR = np.array([0.005, 0.025, 0.30, 0.05, 0.62])
TEMPERATURES = [2, 3, 5, 10]


def corrected(p):
    """Each correction's probabilities, in the printed order: EM, EM at each temperature, the blood prior."""
    out = [em(p, SOURCE_PRIOR)]
    for t in TEMPERATURES:
        q = p ** (1 / t)
        out.append(em(q / q.sum(1, keepdims=True), SOURCE_PRIOR))
    return out + [p * (BLOOD_PRIOR * len(CLASSES))]


print("columns: as saved, EM, " + ", ".join(f"EM at T={t}" for t in TEMPERATURES) + ", blood prior")
everything = []
for variant in sys.argv[1:]:
    for lab in ["tecom_jiangxi", "bccd", "cellavision_blog"]:
        runs = []
        for f in sorted(glob.glob(f"results/{variant}/{lab}/seed*/predictions_probabilities.csv")):
            rows = list(csv.reader(open(f)))[1:]
            y = np.array([CLASSES.index(r[0].split("/")[-2]) for r in rows])
            p = np.clip(np.array([[float(x) for x in r[1:]] for r in rows]), 1e-6, 1)
            p /= p.sum(1, keepdims=True)
            runs.append([macro_f1_present(y, q.argmax(1)) for q in [p] + corrected(p)])
            print(f"{variant} {lab} {f.split('/')[-2]}: " + " ".join(f"{x:.3f}" for x in runs[-1]))
        if runs:
            print(f"{variant} {lab} mean: " + " ".join(f"{x:.3f}" for x in np.mean(runs, 0)))
            everything += runs
if everything:
    e = np.array(everything)
    print(f"all {len(e)} runs, mean: " + " ".join(f"{x:.3f}" for x in e.mean(0))
          + f"; blood prior ahead of as saved in {int((e[:, -1] > e[:, 0]).sum())}, behind in {int((e[:, -1] < e[:, 0]).sum())}")
