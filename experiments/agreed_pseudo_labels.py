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

from averaged_runs import probabilities


def argmax(p):
    return max(range(len(p)), key=lambda k: (p[k], -k))


def main(first, second, out, portion=0.2):
    classes, by_cell = probabilities(first)
    classes2, other = probabilities(second)
    assert classes == classes2 and list(by_cell) == list(other), "the two runs must predict the same cells and classes"
    cells = list(by_cell)   # predict's order, which pseudo_labels' ties follow
    agrees = [argmax(by_cell[cell]) == argmax(other[cell]) for cell in cells]
    chosen = []
    for c in range(len(classes)):
        predicted = [i for i, cell in enumerate(cells) if argmax(by_cell[cell]) == c]
        budget = math.ceil(portion * len(predicted))
        agreeing = [i for i in sorted(predicted, key=lambda i: (-by_cell[cells[i]][c], i)) if agrees[i]]
        chosen += [(i, c) for i in agreeing[:budget]]
        print(f"{classes[c]}: {min(budget, len(agreeing))} of {budget} (the second run agrees on {len(agreeing)} of {len(predicted)})")
    with open(out, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["image", "label"])
        for i, c in chosen:
            w.writerow([cells[i], classes[c]])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], *(float(x) for x in sys.argv[4:5]))
