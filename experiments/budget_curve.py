#!/usr/bin/env python3
"""The few-labels budget curve from the grid's records (experiments/few_labels_grid): for each lab and budget K, macro
F1 on the cells not labelled, mean ± sd over the seeds run, for cells chosen by CLUE (arm mdd-clueK), at random
(mdd-randomK), by entropy (mdd-entropyK) and by BADGE (mdd-badgeK; these two run at twenty cells only), all trained
with MDD; budget 0 is the label-free run mdd-0 (the same number in every column).
With --plot FILE.png it also draws the curve with gnuplot (one panel per lab, error bars are one sd).

With --current, the curve of scripts/adapt's pipeline instead (experiments/label_free_proposer_grid): CLUE's,
entropy's and BADGE's cells proposed by the label-free run (mdd-clueK-64px-15x100steps-p64, mdd-entropyK-…-p64,
mdd-badgeK-…-p64), random cells (mdd-randomK-64px-15x100steps), the labelled run MDD at 64 px for 1,500 steps,
scored with the 8 orientations averaged (macro_f1_present_tta); budget 0 is the label-free run itself
(results/label-free/LAB/mdd-64px-15x100steps, scored on the whole lab), on the seeds the labelled arms have.

With --without CLASS, the macro F1 leaves CLASS out of every run (over the other classes present in the scored
cells): a lab's single basophil, once labelled, leaves the scored cells and lifts that run's macro F1 by a class's
share; leaving the class out of all runs compares them on the same classes.

usage: experiments/budget_curve.py [RESULTS] [--current] [--without CLASS] [--plot FILE.png]
       (default RESULTS results/few-labels)"""
import os
import statistics
import subprocess
import sys
import tempfile

from result_records import macro_f1, seed_records, take_option

args = sys.argv[1:]
plot = take_option(args, "--plot")
left_out = take_option(args, "--without")
current = "--current" in args
if current:
    args.remove("--current")
root = args[0] if args else "results/few-labels"
label_free_root = os.path.join(os.path.dirname(os.path.abspath(root)), "label-free")
score_key = "macro_f1_present_tta" if current else "macro_f1_present"
labs = ["tecom_jiangxi", "bccd", "cellavision_blog"]
budgets = [0, 5, 10, 20, 40]
strategies = [("clue", "CLUE"), ("random", "random"), ("entropy", "entropy"), ("badge", "BADGE")]


def records(folder, seeds=None):
    """The score of each seed's record in folder (only `seeds`, when given), by seed folder name."""
    return {seed: score(record) for seed, record in seed_records(folder) if seeds is None or seed in seeds}


def score(record):
    """The record's macro F1, or with left_out, the mean per-class F1 over the other classes it scored."""
    return macro_f1(record, score_key, left_out)


def arm(strategy, k):
    if not current:
        return "mdd-0" if k == 0 else f"mdd-{strategy}{k}"
    return f"mdd-{strategy}{k}-64px-15x100steps" + ("-p64" if strategy != "random" else "")


def scores(lab, strategy, k):
    if current and k == 0:
        # the label-free run on the seeds the labelled arms of this lab have
        labelled = set()
        for s, _ in strategies:
            for b in budgets[1:]:
                labelled |= set(records(os.path.join(root, lab, arm(s, b))))
        return list(records(os.path.join(label_free_root, lab, "mdd-64px-15x100steps"), labelled).values())
    return list(records(os.path.join(root, lab, arm(strategy, k))).values())


def summary(values):
    if not values:
        return None, None, 0
    return statistics.mean(values), statistics.stdev(values) if len(values) > 1 else 0.0, len(values)


def text(values):
    mean, sd, n = summary(values)
    return "–" if mean is None else f"{mean:.3f} ± {sd:.3f} (n={n})" if n > 1 else f"{mean:.3f} (n=1)"


values = {lab: {s: [scores(lab, s, k) for k in budgets] for s, _ in strategies} for lab in labs}
curve = {lab: {s: [summary(v) for v in values[lab][s]] for s, _ in strategies} for lab in labs}
print("| lab | budget | " + " | ".join(name for _, name in strategies) + " |")
print("|---|---|" + "---|" * len(strategies))
for lab in labs:
    for i, k in enumerate(budgets):
        print(f"| {lab} | {k} | " + " | ".join(text(values[lab][s][i]) for s, _ in strategies) + " |")

if plot:
    with tempfile.TemporaryDirectory() as tmp:
        for lab in labs:
            for s, _ in strategies:
                with open(os.path.join(tmp, f"{lab}-{s}.dat"), "w") as f:
                    for k, (mean, sd, n) in zip(budgets, curve[lab][s]):
                        if mean is not None:
                            f.write(f"{k} {mean} {sd}\n")
        lines = [f"set terminal pngcairo size 1200,400 font ',10' noenhanced", f"set output '{os.path.abspath(plot)}'",
                 "set multiplot layout 1,3", "set xrange [-2:42]", "set yrange [0:1]", "set grid",
                 "set xlabel 'labelled target cells'", "set ylabel 'macro F1 on the cells not labelled'",
                 "set key bottom right"]
        for lab in labs:
            series = [f"'{tmp}/{lab}-{s}.dat' using 1:2:3 with yerrorlines title '{name}'"
                      for s, name in strategies if os.path.getsize(os.path.join(tmp, f"{lab}-{s}.dat"))]
            lines += [f"set title '{lab}'", "plot " + ", ".join(series) if series else "plot 2 notitle"]
        lines.append("unset multiplot")
        subprocess.run(["gnuplot"], input="\n".join(lines) + "\n", text=True, check=True)
        print(f"\nwrote {plot}")
