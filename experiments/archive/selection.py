#!/usr/bin/env python3
"""Label-free model selection, judged on every run whose target has labels (used here only to judge).

For each history.jsonl under RESULTS (one line per epoch), each criterion picks an epoch as the trainer does
(SND, IM, source-validation F1: highest; entropy, DEV: lowest; the collapse guard: an epoch whose largest
predicted class exceeds 80% of the target loses to any that does not), and we report the target macro F1
(classes in the labels) of that epoch, its shortfall from the best epoch, and the Spearman rank correlation
between the criterion (signed so that higher = better) and the target F1 over the epochs. On the runs that record
every criterion, each one is also compared with the final iterate run by run (paired): the mean difference, a
bootstrap 95% interval over runs (seeded), and in how many runs it chose better, the same or worse.
Writes Markdown to stdout.   usage: scripts/experiment/selection.py [RESULTS]
"""
import json
import os
import statistics
import sys

from paired import bootstrap_interval

results = sys.argv[1] if len(sys.argv) > 1 else "results"
CRITERIA = [("latest", None, +1), ("source_f1", "sourceMacroF1", +1), ("snd", "targetSND", +1),
            ("entropy", "targetEntropy", -1), ("im", "targetIM", +1), ("dev", "targetDEV", -1)]


def ranks(v):
    order = sorted(range(len(v)), key=lambda i: v[i])
    r = [0.0] * len(v)
    i = 0
    while i < len(order):   # average ranks for ties
        j = i
        while j + 1 < len(order) and v[order[j + 1]] == v[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2
        i = j + 1
    return r


def spearman(a, b):
    ra, rb = ranks(a), ranks(b)
    ma, mb = statistics.mean(ra), statistics.mean(rb)
    num = sum((x - ma) * (y - mb) for x, y in zip(ra, rb))
    den = (sum((x - ma) ** 2 for x in ra) * sum((y - mb) ** 2 for y in rb)) ** 0.5
    return num / den if den > 0 else None


def choose(epochs, key, sign):
    if key is None:
        return epochs[-1]
    usable = [e for e in epochs if e.get(key) is not None]
    if not usable:
        return None
    healthy = [e for e in usable if (e.get("targetLargestClassShare") or 0) <= 0.8] if key != "sourceMacroF1" else usable
    pool = healthy or usable
    return max(pool, key=lambda e: sign * e[key])   # ties: the earlier epoch (max keeps the first)


rows = []
for root, _, files in sorted(os.walk(results)):
    if "history.jsonl" not in files:
        continue
    with open(os.path.join(root, "history.jsonl")) as f:
        epochs = [json.loads(line) for line in f if line.strip()]
    if len(epochs) < 3 or any(e.get("targetMacroF1Present") is None for e in epochs):
        continue
    f1 = [e["targetMacroF1Present"] for e in epochs]
    row = {"run": os.path.relpath(root, results), "epochs": len(epochs), "best": max(f1)}
    for name, key, sign in CRITERIA:
        chosen = choose(epochs, key, sign)
        row[name] = chosen["targetMacroF1Present"] if chosen else None
        if key is not None:
            values = [e.get(key) for e in epochs]
            row[name + "_rho"] = spearman([sign * v for v in values], f1) if None not in values else None
    rows.append(row)

print(f"Runs with target labels: {len(rows)} (from {results}).\n")
print("| criterion | runs | mean target F1 of its choice | mean shortfall from the best epoch | mean Spearman ρ with target F1 | ρ > 0 in |")
print("|---|---|---|---|---|---|")
for name, key, _ in CRITERIA:
    have = [r for r in rows if r.get(name) is not None]
    if not have:
        continue
    rhos = [r[name + "_rho"] for r in have if r.get(name + "_rho") is not None]
    rho = f"{statistics.mean(rhos):+.2f}" if rhos else "–"
    pos = f"{sum(1 for x in rhos if x > 0)}/{len(rhos)}" if rhos else "–"
    print(f"| {name} | {len(have)} | {statistics.mean(r[name] for r in have):.3f} | "
          f"{statistics.mean(r['best'] - r[name] for r in have):.3f} | {rho} | {pos} |")
both = [r for r in rows if r.get("dev") is not None]
if both:
    print(f"\nOn the {len(both)} runs that record every criterion (IM and DEV exist since 2026-11-27):\n")
    print("| criterion | mean target F1 of its choice | mean shortfall | mean ρ |")
    print("|---|---|---|---|")
    for name, key, _ in CRITERIA:
        rhos = [r[name + "_rho"] for r in both if r.get(name + "_rho") is not None]
        print(f"| {name} | {statistics.mean(r[name] for r in both):.3f} | {statistics.mean(r['best'] - r[name] for r in both):.3f} | "
              f"{(f'{statistics.mean(rhos):+.2f}' if rhos else '–')} |")
    print("\nEach criterion against the final iterate, run by run (the default must beat it to replace it):\n")
    print("| criterion | mean difference | bootstrap 95% interval | better / same / worse |")
    print("|---|---|---|---|")
    for name, key, _ in CRITERIA[1:]:
        d = [r[name] - r["latest"] for r in both]
        low, high = bootstrap_interval(d)
        print(f"| {name} | {statistics.mean(d):+.3f} | [{low:+.3f}, {high:+.3f}] | "
              f"{sum(x > 1e-9 for x in d)} / {sum(abs(x) <= 1e-9 for x in d)} / {sum(x < -1e-9 for x in d)} |")
print("\nPer run (target F1 of each criterion's choice; best = the best epoch, known only with labels):\n")
print("| run | epochs | best | " + " | ".join(n for n, _, _ in CRITERIA) + " |")
print("|---|---|---|" + "---|" * len(CRITERIA))
for r in rows:
    cells = [f"{r[n]:.3f}" if r.get(n) is not None else "–" for n, _, _ in CRITERIA]
    print(f"| {r['run']} | {r['epochs']} | {r['best']:.3f} | " + " | ".join(cells) + " |")
