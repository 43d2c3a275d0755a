#!/usr/bin/env python3
"""Tables of the scripts/adapt runs under results/adapt-*/<lab>/seed<k>/result.json (Markdown to stdout):
target macro F1 over the classes in the labels (final iterate), its AdaBN variant and each label-free
criterion's checkpoint, mean ± sd over seeds, beside the PyTorch reference's source only.
    scripts/experiment/adapt_table.py [RESULTS] [--fill FILE]
--fill replaces what stands between FILE's `<!-- adapt table ... -->` and `<!-- end adapt table -->` lines."""
import contextlib, glob, io, json, os, statistics, sys

from paired import bootstrap_interval

args = [a for a in sys.argv[1:] if a != "--fill" and (sys.argv.index(a) == 0 or sys.argv[sys.argv.index(a) - 1] != "--fill")]
fill = sys.argv[sys.argv.index("--fill") + 1] if "--fill" in sys.argv else None
results = args[0] if args else "results"
buffer = io.StringIO()
redirect = contextlib.redirect_stdout(buffer)
redirect.__enter__()
REFERENCE = {"tecom_jiangxi": 0.509, "bccd": 0.361, "cellavision_blog": 0.312}   # pytorch-reference.md, source only
LABS = ["tecom_jiangxi", "bccd", "cellavision_blog"]

def ms(v):
    v = [x for x in v if x is not None]
    if not v: return "–"
    return f"{statistics.mean(v):.3f}" + (f" ± {statistics.stdev(v):.3f}" if len(v) > 1 else "") + f" (n={len(v)})"

cells = {}
# SWA's batch-norm update (evaluate(..., training_bn=true)): the same weights with their running statistics
# recomputed over one epoch of the run's own training batches: ((setting, lab, method), (seed folder, figures)).
recorded_swa = []
for path in sorted(glob.glob(os.path.join(results, "adapt-*", "*", "seed*", "result.json"))):
    variant, lab = path.split(os.sep)[-4][len("adapt-"):], path.split(os.sep)[-3]
    r = json.load(open(path))
    crit = {c["criterion"]: c["macro_f1_present"] for c in r.get("macro_f1_present_by_criterion", [])}
    swa_file = os.path.join(os.path.dirname(path), "average_bn.json")
    if os.path.exists(swa_file):   # measured after the run (average_bn.smear; counted among the pairs below)
        crit.setdefault("average_training_bn", json.load(open(swa_file)).get("average_training_bn"))
    elif "average_training_bn" in crit:   # recorded by the run itself (scripts/adapt since the eighth session)
        recorded_swa.append((("adapt-" + variant, lab, r["method"]), (path.split(os.sep)[-2], {
            "latest": r["macro_f1_present"], "average": crit["average"], "average_training_bn": crit["average_training_bn"]})))
    cells.setdefault((variant, lab), []).append((r["macro_f1_present"], r.get("macro_f1_present_adabn"), crit, r["seed"],
                                                 r["source_crop"], r["target_crop"]))
variants = sorted({v for v, _ in cells}, key=lambda v: (len(v), v))   # v2 … v9, then v10
print("| variant | lab | crops (source, target px) | seeds | macro F1 (final) | with AdaBN | average, recomputed batch norm | reference source only | final − reference |")
print("|---|---|---|---|---|---|---|---|---|")
for v in variants:
    for lab in LABS:
        rows = cells.get((v, lab))
        if not rows: continue
        f1 = [x[0] for x in rows]
        crops = sorted({(x[4], x[5]) for x in rows})
        print(f"| {v} | {lab} | {', '.join(f'{a}, {b}' for a, b in crops)} | {','.join(str(x[3]) for x in rows)} | {ms(f1)} | "
              f"{ms([x[1] for x in rows])} | {ms([x[2].get('average_training_bn') for x in rows])} | {REFERENCE[lab]:.3f} | "
              f"{statistics.mean(f1) - REFERENCE[lab]:+.3f} |")
print()
print("Each label-free criterion's checkpoint (target macro F1, mean over seeds):\n")
print("| variant | lab | final | IM | DEV | entropy | SND | source F1 | moving average |")
print("|---|---|---|---|---|---|---|---|---|")
for v in variants:
    for lab in LABS:
        rows = cells.get((v, lab))
        if not rows: continue
        def m(key): 
            vals = [x[2].get(key) for x in rows if x[2].get(key) is not None]
            return f"{statistics.mean(vals):.3f}" if vals else "–"
        print(f"| {v} | {lab} | {statistics.mean(x[0] for x in rows):.3f} | {m('im')} | {m('dev')} | {m('entropy')} | {m('snd')} | {m('source_f1')} | {m('average')} |")

# The reference's protocol (scripts/experiment/reference_size.smear): results/reference-protocol[-augment-reference][-statistics-crop]/<lab>/<method>/seed<k>.
REFERENCE_METHODS = {"source_only": (0.509, 0.361, 0.312), "mdd": (0.486, 0.341, 0.375), "dann": (0.448, 0.286, 0.511),
                     "entmin": (0.615, 0.286, 0.290)}   # pytorch-reference.md, final iterate, seed 0
REFERENCE_ADABN = (0.426, 0.331, 0.484)   # source only + AdaBN
SETTINGS = {"reference-protocol": "the article's augmentations and the 8 orientations",
            "reference-protocol-augment-reference": "the reference's own augmentations (`augment=\"reference\"`)",
            "reference-protocol-statistics-crop": "the article's augmentations, the 8 orientations and each lab's statistics over its crops "
                                                  "(`statistics=\"crop\"`, the reference's rule)"}
for setting, what in SETTINGS.items():
    protocol = {}
    for path in sorted(glob.glob(os.path.join(results, setting, "*", "*", "seed*", "result.json"))):
        r = json.load(open(path))
        protocol.setdefault((r["target"], r["method"]), []).append(r)
    if not protocol: continue
    print()
    print(f"At the reference's protocol with {what} (`scripts/experiment/reference_size.smear`, `results/{setting}/`; "
          "smear, then the reference's figure):\n")
    print("| lab | method | seeds | source-val accuracy | macro F1 (final) | reference | reference − smear, in smear's sd | with AdaBN | reference AdaBN |")
    print("|---|---|---|---|---|---|---|---|---|")
    for lab_index, lab in enumerate(LABS):
        for method, figures in REFERENCE_METHODS.items():
            rows = protocol.get((lab, method))
            if not rows: continue
            adabn_reference = f"{REFERENCE_ADABN[lab_index]:.3f}" if method == "source_only" else "–"
            f1 = [r['macro_f1_present'] for r in rows]
            # how far the reference's one run lies from smear's seeds: within ±1 is "within one standard deviation"
            gap = f"{(figures[lab_index] - statistics.mean(f1)) / statistics.stdev(f1):+.1f}" if len(f1) > 1 and statistics.stdev(f1) > 0 else "–"
            print(f"| {lab} | {method} | {','.join(str(r['seed']) for r in rows)} | {ms([r['source_val_accuracy'] for r in rows])} | "
                  f"{ms(f1)} | {figures[lab_index]:.3f} | {gap} | {ms([r['macro_f1_present_adabn'] for r in rows])} | "
                  f"{adabn_reference} |")
# The moving average of the weights (average=0.998) against the final iterate of the same runs (same training).
paired = {}
for path in sorted(glob.glob(os.path.join(results, "reference-protocol*", "*", "*", "seed*", "result.json"))):
    r = json.load(open(path))
    if r.get("macro_f1_present_average") is not None:
        paired.setdefault((path.split(os.sep)[-5], r["target"], r["method"]), []).append(
            (r["seed"], r["macro_f1_present"], r["macro_f1_present_average"], r["source_val_accuracy"], r.get("source_val_accuracy_average")))
for path in sorted(glob.glob(os.path.join(results, "adapt-*", "*", "seed*", "result.json"))):
    r = json.load(open(path))
    average = {c["criterion"]: c["macro_f1_present"] for c in r.get("macro_f1_present_by_criterion", [])}.get("average")
    if average is not None:
        paired.setdefault((path.split(os.sep)[-4], path.split(os.sep)[-3], r["method"]), []).append(
            (r["seed"], r["macro_f1_present"], average, None, None))
if paired:
    print()
    print("The moving average of the weights (`average=0.998`, checkpoint `average`) against the final iterate of the same runs:\n")
    print("| setting | lab | method | seeds | final | moving average | average − final | source-val accuracy, final / average |")
    print("|---|---|---|---|---|---|---|---|")
    for (setting, lab, method), rows in sorted(paired.items()):
        accuracy = (f"{ms([x[3] for x in rows])} / {ms([x[4] for x in rows])}" if rows[0][3] is not None else "–")
        print(f"| {setting} | {lab} | {method} | {','.join(str(x[0]) for x in rows)} | {ms([x[1] for x in rows])} | "
              f"{ms([x[2] for x in rows])} | {statistics.mean(x[2] - x[1] for x in rows):+.3f} | {accuracy} |")
    d = [x[2] - x[1] for rows in paired.values() for x in rows]
    low, high = bootstrap_interval(d)
    print(f"\nOver all {len(d)} runs: average − final {statistics.mean(d):+.3f} (paired bootstrap 95% interval "
          f"[{low:+.3f}, {high:+.3f}]); the average ahead in {sum(x > 0 for x in d)}, behind in {sum(x < 0 for x in d)}.")
# The runs measured after the fact (scripts/experiment/average_bn.smear writes average_bn.json beside result.json).
swa = {}
for path in sorted(glob.glob(os.path.join(results, "**", "average_bn.json"), recursive=True)):
    parts = os.path.relpath(path, results).split(os.sep)   # setting/lab/[method/]seedK/average_bn.json
    method = json.load(open(os.path.join(os.path.dirname(path), "result.json")))["method"]
    swa.setdefault((parts[0], parts[1], method), []).append((parts[-2], json.load(open(path))))
for key, row in recorded_swa: swa.setdefault(key, []).append(row)
for rows in swa.values(): rows.sort()
if swa:
    print("\nBatch-norm statistics recomputed over each run's training batches (`evaluate(..., training_bn=true)`, SWA's update), "
          "final iterate and moving average:\n")
    print("| setting | lab | method | runs | final | final, recomputed | average | average, recomputed |")
    print("|---|---|---|---|---|---|---|---|")
    for (setting, lab, method), rows in sorted(swa.items()):
        cells = [ms([r[k] for _, r in rows if k in r]) if any(k in r for _, r in rows) else "–"
                 for k in ("latest", "latest_training_bn", "average", "average_training_bn")]
        print(f"| {setting} | {lab} | {method} | {','.join(seed for seed, _ in rows)} | " + " | ".join(cells) + " |")
    runs = [r for rows in swa.values() for _, r in rows]
    for a, b in [("latest_training_bn", "latest"), ("average_training_bn", "average"), ("average_training_bn", "latest")]:
        d = [r[a] - r[b] for r in runs if a in r and b in r]
        low, high = bootstrap_interval(d)
        print(f"\n{a} − {b} over {len(d)} runs: {statistics.mean(d):+.3f} (paired bootstrap 95% interval [{low:+.3f}, {high:+.3f}]); "
              f"ahead in {sum(x > 0 for x in d)}, behind in {sum(x < 0 for x in d)}.")
redirect.__exit__(None, None, None)
if fill:
    text = open(fill).read()
    start = text.index("<!-- adapt table")
    start = text.index("\n", start) + 1
    end = text.index("<!-- end adapt table -->")
    open(fill, "w").write(text[:start] + buffer.getvalue() + text[end:])
    print(f"adapt_table: filled {fill}")
else:
    print(buffer.getvalue(), end="")
