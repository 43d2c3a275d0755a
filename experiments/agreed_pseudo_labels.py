#!/usr/bin/env python3
"""Pseudo-labels two views agree on (rule in docs/notebook/2026-12-07.md, forty-fifth session): `pseudo_labels`'s
class-balanced choice from the first run's 8-orientation probabilities (each class's cells as the run predicts them,
ranked by its probability of that class, ties by the lower index; a fifth of that count rounded up), except that a cell
the second run predicts as another class is skipped and the next in rank takes its place (fewer when too few agree).
Both CSVs are `smear predict --tta`'s *_probabilities.csv for the same cells. Writes OUT (`image,label`, as
pseudo_labels writes it) and prints each class's count.

    experiments/agreed_pseudo_labels.py FIRST_PROBABILITIES SECOND_PROBABILITIES OUT [PORTION]
"""
import csv
import math
import sys


def read(path):
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0][1:], [(r[0], [float(x) for x in r[1:]]) for r in rows[1:]]


def argmax(p):
    return max(range(len(p)), key=lambda k: (p[k], -k))


def main(first, second, out, portion=0.2):
    classes, cells = read(first)
    classes2, other = read(second)
    assert classes == classes2 and [c for c, _ in cells] == [c for c, _ in other], "the two runs must predict the same cells and classes"
    agrees = [argmax(p) == argmax(q) for (_, p), (_, q) in zip(cells, other)]
    chosen = []
    for c in range(len(classes)):
        predicted = [i for i, (_, p) in enumerate(cells) if argmax(p) == c]
        budget = math.ceil(portion * len(predicted))
        ranked = sorted(predicted, key=lambda i: (-cells[i][1][c], i))
        chosen += [(i, c) for i in [i for i in ranked if agrees[i]][:budget]]
        print(f"{classes[c]}: {min(budget, sum(agrees[i] for i in ranked))} of {budget} (the second run agrees on {sum(agrees[i] for i in ranked)} of {len(predicted)})")
    with open(out, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["image", "label"])
        for i, c in chosen:
            w.writerow([cells[i][0], classes[c]])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], *(float(x) for x in sys.argv[4:5]))
