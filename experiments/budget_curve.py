#!/usr/bin/env python3
"""The few-labels budget curve from the grid's records (experiments/few_labels_grid): for each lab and budget K, macro
F1 on the cells not labelled, mean ± sd over the seeds run, for cells chosen by CLUE (arm mdd-clueK) and at random
(mdd-randomK), both trained with MDD; budget 0 is the label-free run mdd-0 (the same number in both columns).
With --plot FILE.png it also draws the curve with gnuplot (one panel per lab, error bars are one sd).

usage: experiments/budget_curve.py [RESULTS] [--plot FILE.png]   (default results/few-labels)"""
import json
import os
import statistics
import subprocess
import sys
import tempfile

args = sys.argv[1:]
plot = None
if "--plot" in args:
    i = args.index("--plot")
    plot = args[i + 1]
    del args[i:i + 2]
root = args[0] if args else "results/few-labels"
labs = ["tecom_jiangxi", "bccd", "cellavision_blog"]
budgets = [0, 5, 10, 20, 40]
strategies = [("clue", "CLUE"), ("random", "random")]


def scores(lab, arm):
    folder = os.path.join(root, lab, arm)
    values = []
    for seed in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        path = os.path.join(folder, seed, "result.json")
        if os.path.exists(path):
            values.append(json.load(open(path))["macro_f1_present"])
    return values


def arm(strategy, k):
    return "mdd-0" if k == 0 else f"mdd-{strategy}{k}"


def summary(values):
    if not values:
        return None, None, 0
    return statistics.mean(values), statistics.stdev(values) if len(values) > 1 else 0.0, len(values)


def text(values):
    mean, sd, n = summary(values)
    return "–" if mean is None else f"{mean:.3f} ± {sd:.3f} (n={n})" if n > 1 else f"{mean:.3f} (n=1)"


curve = {lab: {s: [summary(scores(lab, arm(s, k))) for k in budgets] for s, _ in strategies} for lab in labs}
print("| lab | budget | " + " | ".join(name for _, name in strategies) + " |")
print("|---|---|" + "---|" * len(strategies))
for lab in labs:
    for k in budgets:
        print(f"| {lab} | {k} | " + " | ".join(text(scores(lab, arm(s, k))) for s, _ in strategies) + " |")

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
