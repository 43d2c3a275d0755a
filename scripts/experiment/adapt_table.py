#!/usr/bin/env python3
"""Tables of the scripts/adapt runs under results/adapt-*/<lab>/seed<k>/result.json (Markdown to stdout):
target macro F1 over the classes in the labels (final iterate), its AdaBN variant and each label-free
criterion's checkpoint, mean ± sd over seeds, beside the PyTorch reference's source only.
    scripts/experiment/adapt_table.py [RESULTS]"""
import glob, json, os, statistics, sys

results = sys.argv[1] if len(sys.argv) > 1 else "results"
REFERENCE = {"tecom_jiangxi": 0.509, "bccd": 0.361, "cellavision_blog": 0.312}   # pytorch-reference.md, source only
LABS = ["tecom_jiangxi", "bccd", "cellavision_blog"]

def ms(v):
    v = [x for x in v if x is not None]
    if not v: return "–"
    return f"{statistics.mean(v):.3f}" + (f" ± {statistics.stdev(v):.3f}" if len(v) > 1 else "") + f" (n={len(v)})"

cells = {}
for path in sorted(glob.glob(os.path.join(results, "adapt-*", "*", "seed*", "result.json"))):
    variant, lab = path.split(os.sep)[-4][len("adapt-"):], path.split(os.sep)[-3]
    r = json.load(open(path))
    crit = {c["criterion"]: c["macro_f1_present"] for c in r.get("macro_f1_present_by_criterion", [])}
    cells.setdefault((variant, lab), []).append((r["macro_f1_present"], r.get("macro_f1_present_adabn"), crit, r["seed"],
                                                 r["source_crop"], r["target_crop"]))
variants = sorted({v for v, _ in cells})
print("| variant | lab | crops (source, target px) | seeds | macro F1 (final) | with AdaBN | reference source only | final − reference |")
print("|---|---|---|---|---|---|---|---|")
for v in variants:
    for lab in LABS:
        rows = cells.get((v, lab))
        if not rows: continue
        f1 = [x[0] for x in rows]
        crops = sorted({(x[4], x[5]) for x in rows})
        print(f"| {v} | {lab} | {', '.join(f'{a}, {b}' for a, b in crops)} | {','.join(str(x[3]) for x in rows)} | {ms(f1)} | "
              f"{ms([x[1] for x in rows])} | {REFERENCE[lab]:.3f} | {statistics.mean(f1) - REFERENCE[lab]:+.3f} |")
print()
print("Each label-free criterion's checkpoint (target macro F1, mean over seeds):\n")
print("| variant | lab | final | IM | DEV | entropy | SND | source F1 |")
print("|---|---|---|---|---|---|---|---|")
for v in variants:
    for lab in LABS:
        rows = cells.get((v, lab))
        if not rows: continue
        def m(key): 
            vals = [x[2].get(key) for x in rows if x[2].get(key) is not None]
            return f"{statistics.mean(vals):.3f}" if vals else "–"
        print(f"| {v} | {lab} | {statistics.mean(x[0] for x in rows):.3f} | {m('im')} | {m('dev')} | {m('entropy')} | {m('snd')} | {m('source_f1')} |")
