#!/usr/bin/env python3
"""Runs' probabilities averaged (the rules C1–C3 in docs/notebook/2026-12-06.md, thirty-fifth session): for each lab
and seed, the 8-orientation probability CSVs that smear's predict wrote for the runs named, averaged with equal
weight, argmax, and macro F1 over the classes present in the scored cells (each cell's class is its folder's name).
Each single run's score is checked against its committed record before any average is reported.

    experiments/averaged_runs.py PREDICTIONS RESULTS SELF_TRAINING_GRID PIPELINE_GRID

PREDICTIONS holds what the thirty-fifth session predicted from finished runs (`predict(..., tta=true)`):
st-LAB-SEED_probabilities.csv (the twenty-cell pipeline's self-training run, on the cells the oracle did not label)
and lf-LAB-SEED_probabilities.csv (the label-free run, on every cell). RESULTS is the repository's results/;
SELF_TRAINING_GRID is label_free_self_training_grid's $GRID (its predictions_probabilities.csv: the self-trained
label-free run); PIPELINE_GRID is self_training_grid's $GRID (twenty_predictions_probabilities.csv: the twenty-cell run).
"""
import csv
import json
import sys

LABS = ["tecom_jiangxi", "bccd", "cellavision_blog"]
TWENTY_ARM = "mdd-from_hed_strong-clue10+margin10+cbst-64px-15x100steps-p64"
LABEL_FREE_ARM = "mdd-hed_strong+cbst-64px-15x100steps"


def probabilities(path):
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0][1:], {r[0]: [float(x) for x in r[1:]] for r in rows[1:]}


def cell_class(cell):
    """A cell's true class: the name of the folder its image is in."""
    return cell.split("/")[-2]


def per_class_f1(classes, by_cell):
    """F1 of each class present among the cells (cell_class), predicted by argmax."""
    truth = [cell_class(cell) for cell in sorted(by_cell)]
    guess = [classes[max(range(len(classes)), key=lambda k: by_cell[cell][k])] for cell in sorted(by_cell)]
    scores = {}
    for c in sorted(set(truth)):
        tp = sum(t == c and g == c for t, g in zip(truth, guess))
        wrong = sum((t == c) != (g == c) for t, g in zip(truth, guess))
        scores[c] = 2 * tp / (2 * tp + wrong) if tp else 0.0
    return scores


def macro_f1_present(classes, by_cell):
    scores = per_class_f1(classes, by_cell)
    return sum(scores.values()) / len(scores)


def averaged(*runs):
    classes, cells = runs[0][0], set(runs[0][1])
    assert all(r[0] == classes and set(r[1]) == cells for r in runs), "the runs do not predict the same cells and classes"
    return classes, {c: [sum(r[1][c][k] for r in runs) / len(runs) for k in range(len(classes))] for c in cells}


def checked(run, record):
    published = json.load(open(record))["macro_f1_present_tta"]
    assert abs(macro_f1_present(*run) - published) < 2e-3, (record, macro_f1_present(*run), published)   # CSVs keep 6 decimals
    return run


def mean(xs):
    return sum(xs) / len(xs)


def main(predictions, results, self_training_grid, pipeline_grid):
    for seeds in ([3, 4, 5], [6, 7, 8]):
        print(f"seeds {seeds[0]}–{seeds[-1]}: single run, averaged (per seed)")
        for lab in LABS:
            c1, c3 = ([], []), ([], [])
            for s in seeds:
                self_trained = checked(probabilities(f"{predictions}/st-{lab}-{s}_probabilities.csv"),
                                       f"{results}/few-labels/{lab}/{TWENTY_ARM}/seed{s}/result.json")
                twenty = probabilities(f"{pipeline_grid}/{lab}/{TWENTY_ARM}/seed{s}/twenty_predictions_probabilities.csv")
                c1[0].append(macro_f1_present(*self_trained)); c1[1].append(macro_f1_present(*averaged(twenty, self_trained)))
                label_free_self_trained = checked(
                    probabilities(f"{self_training_grid}/{lab}/{LABEL_FREE_ARM}/seed{s}/predictions_probabilities.csv"),
                    f"{results}/label-free/{lab}/{LABEL_FREE_ARM}/seed{s}/result.json")
                label_free = probabilities(f"{predictions}/lf-{lab}-{s}_probabilities.csv")
                c3[0].append(macro_f1_present(*label_free_self_trained))
                c3[1].append(macro_f1_present(*averaged(label_free, label_free_self_trained)))
            for name, (single, both) in (("C1 twenty cells", c1), ("C3 label-free", c3)):
                print(f"  {name:15s} {lab:17s} {mean(single):.3f} {mean(both):.3f}  {[round(x, 3) for x in both]}")
    print("C2: two seeds' self-trained label-free runs averaged (pairs 3+4, 5+6, 7+8): members' mean, averaged, better member")
    for lab in LABS:
        path = f"{self_training_grid}/{lab}/{LABEL_FREE_ARM}/seed{{}}/predictions_probabilities.csv"
        members, both, better = [], [], []
        for a, b in ((3, 4), (5, 6), (7, 8)):
            ra, rb = probabilities(path.format(a)), probabilities(path.format(b))
            fa, fb = macro_f1_present(*ra), macro_f1_present(*rb)
            members.append((fa + fb) / 2); both.append(macro_f1_present(*averaged(ra, rb))); better.append(max(fa, fb))
        print(f"  {lab:17s} {mean(members):.3f} {mean(both):.3f} {mean(better):.3f}  {[round(x, 3) for x in both]}")


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(*sys.argv[1:])
