#!/usr/bin/env python3
"""Class-balanced self-training labels (CBST, Zou et al., ECCV 2018; the rule in docs/notebook/2026-12-05.md,
thirty-second session): from a labelled run's predictions on the target cells it did not learn from, each class's
cells (those the run predicts as that class), ranked by their probability of it, give their top PORTION (rounded up)
as pseudo-labels. Writes the true labels followed by the pseudo-labels as one `image,label` CSV for train's
target_labels, and prints how many pseudo-labels each class took and, when the images sit in class folders, how many
are right (evaluation only).

    experiments/self_training_labels.py PREDICTIONS_CSV TRUE_LABELS_CSV PORTION OUT_CSV

PREDICTIONS_CSV is what smear's predict writes (image,label_id,label; its _probabilities.csv beside it is read too).
The records of experiments/self_training_grid were made with this script; smear's own pseudo_labels() (SelfTrainingLabels)
applies the same rule to the unrounded probabilities, and is what scripts/adapt uses.
"""
import csv
import math
import os
import sys


def main(predictions, true_labels, portion, out):
    probabilities_path = predictions[:-len(".csv")] + "_probabilities.csv"
    with open(probabilities_path, newline="") as fh:
        rows = list(csv.reader(fh))
    header, rows = rows[0], rows[1:]
    classes = header[1:]
    with open(true_labels, newline="") as fh:
        given = [r for r in csv.DictReader(fh)]
    taken = {r["image"] for r in given}
    by_class = {c: [] for c in classes}
    for r in rows:
        image, p = r[0], [float(x) for x in r[1:]]
        if image in taken:
            continue
        best = max(range(len(p)), key=lambda j: (p[j], -j))
        by_class[classes[best]].append((p[best], image))
    pseudo = []
    for c in classes:
        ranked = sorted(by_class[c], key=lambda t: (-t[0], t[1]))
        keep = math.ceil(portion * len(ranked))
        pseudo += [(image, c) for _, image in ranked[:keep]]
        right = sum(os.path.basename(os.path.dirname(image)) == c for _, image in ranked[:keep])
        print(f"{c}: {keep} of {len(ranked)} predicted, {right} right")
    tmp = out + ".tmp"
    with open(tmp, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["image", "label"])
        for r in given:
            w.writerow([r["image"], r["label"]])
        for image, c in pseudo:
            w.writerow([image, c])
    os.replace(tmp, out)
    print(f"{len(given)} labelled and {len(pseudo)} pseudo-labelled cells -> {out}")


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4])
