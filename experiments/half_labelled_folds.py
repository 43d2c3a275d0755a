#!/usr/bin/env python3
"""Two halves of a lab for the half-labelled diagnostic (docs/notebook/2026-12-06.md, thirty-seventh session; never a
product path: only an oracle knows the classes).

Each class folder's files, shuffled in a seeded order, are dealt alternately to half a and half b, so each half holds
half of every class (a class of one cell lands in half a). Writes OUT_DIR/half-a.csv and OUT_DIR/half-b.csv, each
`image,label` with absolute image paths.
    experiments/half_labelled_folds.py TARGET_DIR SEED OUT_DIR
"""
import csv
import os
import random
import sys

target, seed, out_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
classes = sorted(d for d in os.listdir(target) if os.path.isdir(os.path.join(target, d)))
rng = random.Random(seed)
halves = {"a": [], "b": []}
for c in classes:
    files = sorted(os.listdir(os.path.join(target, c)))
    rng.shuffle(files)
    for i, f in enumerate(files):
        halves["ab"[i % 2]].append((os.path.join(os.path.abspath(target), c, f), c))
os.makedirs(out_dir, exist_ok=True)
for name, rows in halves.items():
    with open(os.path.join(out_dir, f"half-{name}.csv"), "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["image", "label"])
        w.writerows(rows)
