#!/usr/bin/env python3
"""Oracle-stratified target labels for a diagnostic (never a product path: only an oracle knows the classes).

Deals BUDGET cells round-robin over the lab's class folders in a seeded random order, taking at most half of a
class's cells so every class keeps cells to score. Writes `image,label` with absolute image paths.
    experiments/stratified_labels.py TARGET_DIR BUDGET SEED OUT.csv [CLASS ...]
"""
import csv, os, random, sys

target, budget, seed, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
classes = sys.argv[5:] or sorted(d for d in os.listdir(target) if os.path.isdir(os.path.join(target, d)))
rng = random.Random(seed)
pools = {}
for c in classes:
    files = sorted(os.listdir(os.path.join(target, c)))
    rng.shuffle(files)
    pools[c] = [os.path.join(os.path.abspath(target), c, f) for f in files][: len(files) // 2]
picked = []
while len(picked) < budget and any(pools.values()):
    for c in classes:
        if pools[c] and len(picked) < budget:
            picked.append((pools[c].pop(0), c))
with open(out, "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["image", "label"])
    w.writerows(picked)
