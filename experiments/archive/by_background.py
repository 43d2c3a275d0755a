#!/usr/bin/env python3
"""Predictions of a run split by the image's background colour: tecom_jiangxi holds two looks, a yellow
background (rapid stain) and a white one, and the errors differ between them (docs/notebook/2026-11-28-results.md).
A background is yellow when the corners' mean blue is more than 40 levels below their mean red.

usage: scripts/experiment/by_background.py PREDICTIONS.csv [...]   (needs numpy and Pillow, e.g. .venv-reference)
"""
import csv
import sys
from collections import Counter

import numpy as np
from PIL import Image

CLASSES = ["basophil", "eosinophil", "lymphocyte", "monocyte", "neutrophil"]


def background(path):
    a = np.asarray(Image.open(path).convert("RGB"), dtype=float)
    corners = np.concatenate([a[:10, :10].reshape(-1, 3), a[-10:, -10:].reshape(-1, 3)]).mean(0)
    return "yellow" if corners[2] < corners[0] - 40 else "white"


for name in sys.argv[1:]:
    counts, totals = Counter(), Counter()
    for row in csv.DictReader(open(name)):
        true = row["image"].split("/")[-2]
        look = background(row["image"])
        counts[(true, look, row["label"])] += 1
        totals[(true, look)] += 1
    print(f"{name}\n| true class | background | images | " + " | ".join(f"→ {c}" for c in CLASSES) + " |")
    print("|---|---|---|" + "---|" * len(CLASSES))
    for true, look in sorted(totals):
        print(f"| {true} | {look} | {totals[(true, look)]} | " + " | ".join(str(counts[(true, look, c)]) for c in CLASSES) + " |")
    print()
