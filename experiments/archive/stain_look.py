#!/usr/bin/env python3
"""Draws what v6's per-image L*a*b* mean shift (stain="lab_mean_image") does to tecom_jiangxi's two looks:
rows of white-background and yellow-background neutrophils and lymphocytes, each as stored and after the
shift onto PBC's mean, then PBC's neutrophils and eosinophils after the same shift (docs/notebook/2026-11-28-results.md).
The crops are scripts/adapt's (tecom_jiangxi 88 of 120 px, PBC 196 of 360 px). The picture holds
tecom_jiangxi images (GPL-3.0), so it is written outside the repository by default.

usage: scripts/experiment/stain_look.py [DATA_ROOT [OUT.png]]   (needs numpy, Pillow, scikit-image: .venv-reference)
"""
import os
import sys

import numpy as np
from PIL import Image
from skimage.color import lab2rgb, rgb2lab

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../../shared/data/wbc")
out = sys.argv[2] if len(sys.argv) > 2 else "/tmp/stain_look.png"
TILE, PER_ROW = 96, 6


def files(lab, cls):
    folder = os.path.join(root, lab, cls)
    return [os.path.join(folder, f) for f in sorted(os.listdir(folder)) if not f.startswith(".")]


def centre(im, side):
    w, h = im.size
    s = min(side, w, h)
    return im.crop(((w - s) // 2, (h - s) // 2, (w - s) // 2 + s, (h - s) // 2 + s))


def yellow(im):   # as by_background.py: the corners' mean blue more than 40 levels below their mean red
    a = np.asarray(im, dtype=float)
    corners = np.concatenate([a[:10, :10].reshape(-1, 3), a[-10:, -10:].reshape(-1, 3)]).mean(0)
    return corners[0] - corners[2] > 40


# PBC's L*a*b* mean over whole images (ChannelStatistics in L*a*b*, here over 20 images a class at 1/4 size)
pixels = [rgb2lab(np.asarray(Image.open(f).convert("RGB").reduce(4)) / 255).reshape(-1, 3)
          for cls in ["basophil", "eosinophil", "lymphocyte", "monocyte", "neutrophil"] for f in files("pbc_barcelona", cls)[:20]]
pbc_mean = np.concatenate(pixels).mean(0)


def mean_shift(im):
    lab = rgb2lab(np.asarray(im) / 255)
    lab += pbc_mean - lab.reshape(-1, 3).mean(0)
    return Image.fromarray((np.clip(lab2rgb(lab), 0, 1) * 255).astype(np.uint8))


rows = []
for cls in ["neutrophil", "lymphocyte"]:
    images = [Image.open(f).convert("RGB") for f in files("tecom_jiangxi", cls)]
    for look in (False, True):
        chosen = [centre(im, 88) for im in images if yellow(im) == look][:PER_ROW // 2]
        rows.append(chosen + [mean_shift(im) for im in chosen])
for cls in ["neutrophil", "eosinophil"]:
    chosen = [centre(Image.open(f).convert("RGB"), 196) for f in files("pbc_barcelona", cls)[:PER_ROW // 2]]
    rows.append(chosen + [mean_shift(im) for im in chosen])
sheet = Image.new("RGB", (PER_ROW * TILE, len(rows) * TILE), "white")
for r, row in enumerate(rows):
    for c, im in enumerate(row):
        sheet.paste(im.resize((TILE, TILE), Image.BILINEAR), (c * TILE, r * TILE))
sheet.save(out)
print(f"{out}: rows tecom_jiangxi neutrophils (white, yellow background), lymphocytes (white, yellow), PBC neutrophils,"
      f" eosinophils; left three as stored, right three after the mean shift")
