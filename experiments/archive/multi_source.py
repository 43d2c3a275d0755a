#!/usr/bin/env python3
"""More than one labelled source lab, as the article trains (two labelled labs): a diagnostic, not a pipeline setting.

For each target lab, the source becomes every *other* labelled lab (PBC and the two remaining labs; the target is
left out), each lab's frames centre-cropped so that its median central nucleus (scripts/experiment/cell_scales.smear,
found without labels) covers 0.52 of the crop, the same fraction `matched_crops` gives PBC, or the whole frame when
the nucleus already covers more, then resized to 128 px (Lanczos) and written as PNG. Labs are balanced: each
non-PBC lab's images are repeated (symlinks) round(n_PBC / n_lab) times, so every lab is about as likely in a batch as
PBC. scripts/adapt then runs on OUT/all-but-<target>/ as its SOURCE_DIR, unchanged: the target is the lab's raw folder.

    python3 scripts/experiment/multi_source.py DATA_ROOT SCALES_JSON OUT

Note: the source's 10% validation split is drawn over the repeated files, so a non-PBC image can sit in both halves
(source-validation figures of these runs are optimistic; the target's F1 is not affected).
"""
import json, os, sys
from PIL import Image

CLASSES = ["basophil", "eosinophil", "lymphocyte", "monocyte", "neutrophil"]
LABS = ["pbc_barcelona", "tecom_jiangxi", "bccd", "cellavision_blog"]
NUCLEUS_SHARE, SIDE = 0.52, 128


def crop_lab(data, lab, diameter, out):
    """Writes the lab's cropped, resized frames under out/<class>/; returns the written paths per class."""
    fraction = min(1.0, diameter / NUCLEUS_SHARE)
    written = {}
    for c in CLASSES:
        os.makedirs(os.path.join(out, c), exist_ok=True)
        names = sorted(n for n in os.listdir(os.path.join(data, lab, c)) if not n.startswith("."))
        written[c] = []
        for n in names:
            dest = os.path.join(out, c, os.path.splitext(n)[0] + ".png")
            if not os.path.exists(dest):
                im = Image.open(os.path.join(data, lab, c, n)).convert("RGB")
                w, h = im.size
                side = max(1, round(fraction * min(w, h)))
                x0, y0 = (w - side) // 2, (h - side) // 2
                im.crop((x0, y0, x0 + side, y0 + side)).resize((SIDE, SIDE), Image.LANCZOS).save(dest)
            written[c].append(dest)
    return written


def main():
    data, scales_path, out = sys.argv[1:4]
    scales = {s["lab"]: s for s in json.load(open(scales_path))}
    crops = {lab: crop_lab(data, lab, scales[lab]["diameter"], os.path.join(out, "crops", lab)) for lab in LABS}
    counts = {lab: sum(len(v) for v in crops[lab].values()) for lab in LABS}
    for target in LABS[1:]:
        folder = os.path.join(out, "all-but-" + target)
        for lab in LABS:
            if lab == target:
                continue
            repeats = 1 if lab == "pbc_barcelona" else max(1, round(counts["pbc_barcelona"] / counts[lab]))
            for c, paths in crops[lab].items():
                os.makedirs(os.path.join(folder, c), exist_ok=True)
                for p in paths:
                    stem = os.path.splitext(os.path.basename(p))[0]
                    for k in range(repeats):
                        link = os.path.join(folder, c, f"{lab}__{stem}__{k}.png")
                        if not os.path.lexists(link):
                            os.symlink(os.path.relpath(p, os.path.dirname(link)), link)
            print(f"{target}: {lab} {counts[lab]} images x {repeats}")


if __name__ == "__main__":
    main()
