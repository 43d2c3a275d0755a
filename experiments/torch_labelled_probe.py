#!/usr/bin/env python3
"""PyTorch beside smear on one few-labels cell (a diagnostic; never a product path): PBC → TARGET with EfficientNet-Lite0
from ImageNet, source only, plus the labelled target cells of LABELS in a quarter of each batch, 400 steps at 128 px.
Scored like smear: macro F1 over the classes present, on the target cells not labelled, final iterate.

Two protocols:
  --protocol smear   the cell `experiments/pretrained_cell.smear ... source_only LABELS 128 reference_augment` runs:
                     centre crops SOURCE_CROP / TARGET_CROP (smear's measured ones), a random 8/9 of the crop, colour
                     jitter with p 0.5, the 8 orientations; bottleneck 256 (Linear, BN, ReLU, dropout 0.5) and a linear
                     head; the unlabelled target batch in the same forward pass (batch norm over all of it); no drop
                     connect. Evaluation on the centre 8/9.
  --protocol probe   the few-labels issue's PyTorch probe as the issue describes it: PBC's centre 200 px, the target's
                     whole frames, the orientations and brightness only, the 1,280 features straight to a linear head,
                     source and labelled cells alone in the batch, the wheel's drop connect 0.2.
Both: each lab z-scored with its own channel statistics, class-weighted cross-entropy on the source and on the labelled
cells, SGD (momentum 0.9, Nesterov, weight decay 5e-4) at 0.004 × (1 + 2e-4 i)^-0.75, the backbone at 0.1×.

The network is the PyPI wheel efficientnet-lite-pytorch 0.1.0 (pip download --no-deps; imported from the unpacked
wheel) with the weights scripts/weights caches (safetensors, the wheel's own names).
    .venv-reference/bin/python experiments/torch_labelled_probe.py PBC_DIR TARGET_DIR LABELS.csv OUT.json
        [--protocol smear|probe] [--source-crop 182] [--target-crop 222] [--seed 0] [--steps 400]
"""
import argparse
import csv
import glob
import json
import os
import random
import subprocess
import sys
import tempfile
import zipfile

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from safetensors.torch import load_file

p = argparse.ArgumentParser()
p.add_argument("source"); p.add_argument("target"); p.add_argument("labels"); p.add_argument("out")
p.add_argument("--protocol", choices=["smear", "probe"], default="smear")
p.add_argument("--source-crop", type=int, default=182); p.add_argument("--target-crop", type=int, default=222)
p.add_argument("--seed", type=int, default=0); p.add_argument("--steps", type=int, default=400)
a = p.parse_args()
torch.manual_seed(a.seed); random.seed(a.seed); np.random.seed(a.seed)
torch.set_num_threads(2)
smear_protocol = a.protocol == "smear"
SIZE, BATCH = 128, 32
classes = ["basophil", "eosinophil", "lymphocyte", "monocyte", "neutrophil"]


def files(folder):
    """Every image of the class folders; hidden files (".name", such as a file manager's) are skipped, as smear does."""
    return [(os.path.join(folder, c, f), i) for i, c in enumerate(classes) for f in sorted(os.listdir(os.path.join(folder, c)))
            if not f.startswith(".")]


def load(path, crop):
    """The centre square of `crop` px (the whole frame's shorter side for 0), resized with antialiasing so that its
    centre 8/9 is SIZE px (smear protocol) or to SIZE px (probe)."""
    im = Image.open(path).convert("RGB")
    s = min(im.size) if crop == 0 else min(crop, *im.size)
    x0, y0 = (im.width - s) // 2, (im.height - s) // 2
    side = SIZE * 9 // 8 if smear_protocol else SIZE
    im = im.crop((x0, y0, x0 + s, y0 + s)).resize((side, side), Image.BILINEAR)
    return torch.from_numpy(np.asarray(im, dtype=np.uint8).copy()).permute(2, 0, 1)


def stack(items, crop):
    return torch.stack([load(f, crop) for f, _ in items]), torch.tensor([y for _, y in items])


source_crop = a.source_crop if smear_protocol else 200
target_crop = a.target_crop if smear_protocol else 0
source = files(a.source)
random.Random(a.seed).shuffle(source)
source = source[: len(source) * 9 // 10]   # the training split (smear holds out a tenth for validation)
labelled_paths = {os.path.abspath(r["image"]): classes.index(r["label"]) for r in csv.DictReader(open(a.labels))}
target = files(a.target)
labelled = [(f, y) for f, y in target if os.path.abspath(f) in labelled_paths]
unlabelled = [(f, y) for f, y in target if os.path.abspath(f) not in labelled_paths]
print(f"{len(source)} source, {len(labelled)} labelled and {len(unlabelled)} unlabelled target images", flush=True)
xs, ys = stack(source, source_crop)
xl, yl = stack(labelled, target_crop)
xu, yu = stack(unlabelled, target_crop)


def statistics(x):
    f = x.float() / 255
    return f.mean((0, 2, 3)).view(1, 3, 1, 1), f.std((0, 2, 3)).view(1, 3, 1, 1)


s_stats, t_stats = statistics(xs), statistics(torch.cat([xl, xu]))


def augment(x, stats):
    x = x.float() / 255
    n = x.shape[0]
    if smear_protocol:   # a random 8/9 square, then colour jitter with p 0.5
        out = torch.empty(n, 3, SIZE, SIZE)
        for i in range(n):
            dx, dy = random.randint(0, x.shape[3] - SIZE), random.randint(0, x.shape[2] - SIZE)
            out[i] = x[i, :, dy:dy + SIZE, dx:dx + SIZE]
        x = out
        jitter = torch.rand(n) < 0.5
        b = torch.empty(n).uniform_(0.7, 1.3); c = torch.empty(n).uniform_(0.5, 1.5); s = torch.empty(n).uniform_(0.5, 1.5)
        grey = (0.299 * x[:, 0] + 0.587 * x[:, 1] + 0.114 * x[:, 2]).unsqueeze(1)
        j = (x * b.view(-1, 1, 1, 1)).clamp(0, 1)
        mean = grey.mean((2, 3), keepdim=True) * b.view(-1, 1, 1, 1)
        j = ((j - mean) * c.view(-1, 1, 1, 1) + mean).clamp(0, 1)
        g = (0.299 * j[:, 0] + 0.587 * j[:, 1] + 0.114 * j[:, 2]).unsqueeze(1)
        j = ((j - g) * s.view(-1, 1, 1, 1) + g).clamp(0, 1)
        x = torch.where(jitter.view(-1, 1, 1, 1), j, x)
    else:   # brightness × U[0.8, 1.2]
        x = (x * torch.empty(n, 1, 1, 1).uniform_(0.8, 1.2)).clamp(0, 1)
    for dims, flag in (((3,), torch.rand(n) < 0.5), ((2,), torch.rand(n) < 0.5)):
        x = torch.where(flag.view(-1, 1, 1, 1), x.flip(dims), x)
    x = torch.where((torch.rand(n) < 0.5).view(-1, 1, 1, 1), x.transpose(2, 3), x)
    return (x - stats[0]) / stats[1]


def evaluation(x, stats):
    x = x.float() / 255
    if smear_protocol:
        o = (x.shape[2] - SIZE) // 2
        x = x[:, :, o:o + SIZE, o:o + SIZE]
    return (x - stats[0]) / stats[1]


work = tempfile.mkdtemp()
subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:", "efficientnet-lite-pytorch==0.1.0",
                "-d", work], check=True)
zipfile.ZipFile(glob.glob(f"{work}/efficientnet_lite_pytorch-*.whl")[0]).extractall(f"{work}/lite")
sys.path.insert(0, f"{work}/lite")
from efficientnet_lite_pytorch import EfficientNet  # noqa: E402

backbone = EfficientNet.from_name("efficientnet-lite0", drop_connect_rate=0.0 if smear_protocol else 0.2)
cache = os.environ.get("SMEAR_WEIGHTS", os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "smear/weights"))
missing = backbone.load_state_dict(load_file(os.path.join(cache, "efficientnet_lite0_imagenet.safetensors")), strict=False)
assert not [k for k in missing.missing_keys if "num_batches" not in k], missing
if smear_protocol:
    linear = torch.nn.Linear(1280, 256)
    torch.nn.init.normal_(linear.weight, std=0.005); torch.nn.init.constant_(linear.bias, 0.1)
    neck = torch.nn.Sequential(linear, torch.nn.BatchNorm1d(256), torch.nn.ReLU(), torch.nn.Dropout(0.5))
    head = torch.nn.Linear(256, 5)
else:
    neck, head = torch.nn.Identity(), torch.nn.Linear(1280, 5)


def logits(x):
    return head(neck(F.adaptive_avg_pool2d(backbone.extract_features(x), 1).flatten(1)))


opt = torch.optim.SGD([{"params": backbone.parameters(), "lr_mult": 0.1},
                       {"params": list(neck.parameters()) + list(head.parameters()), "lr_mult": 1.0}],
                      lr=0.004, momentum=0.9, weight_decay=5e-4, nesterov=True)


def weights(y):
    inv = torch.tensor([1.0 / max(1, int((y == k).sum())) if (y == k).any() else 0.0 for k in range(5)])
    return inv / inv.sum()


ws, wl = weights(ys), weights(yl)


def batches(n, size, generator):
    while True:
        order = torch.randperm(n, generator=generator)
        for i in range(0, n - size + 1, size):
            yield order[i:i + size]


g = torch.Generator().manual_seed(a.seed)
source_batches, target_batches = batches(len(ys), BATCH, g), batches(len(yu), BATCH, g)
labelled_batches = batches(len(yl), min(len(yl), BATCH // 4), g)
for module in (backbone, neck, head):
    module.train()
for step in range(a.steps):
    for group in opt.param_groups:
        group["lr"] = 0.004 * group["lr_mult"] * (1 + 2e-4 * step) ** -0.75
    i, j, k = next(source_batches), next(target_batches), next(labelled_batches)
    parts = [augment(xs[i], s_stats)] + ([augment(xu[j], t_stats)] if smear_protocol else []) + [augment(xl[k], t_stats)]
    out = logits(torch.cat(parts))
    b = len(i)
    loss = F.cross_entropy(out[:b], ys[i], weight=ws) + F.cross_entropy(out[-len(k):], yl[k], weight=wl)
    opt.zero_grad(); loss.backward(); opt.step()
    if step % 50 == 0 or step == a.steps - 1:
        print(f"step {step + 1}/{a.steps} loss {loss.item():.4f}", flush=True)

for module in (backbone, neck, head):
    module.eval()
with torch.no_grad():
    predicted = torch.cat([logits(evaluation(xu[i:i + 64], t_stats)).argmax(1) for i in range(0, len(yu), 64)])
present = sorted(set(yu.tolist()))
f1 = []
for k in present:
    tp = int(((predicted == k) & (yu == k)).sum()); fp = int(((predicted == k) & (yu != k)).sum()); fn = int(((predicted != k) & (yu == k)).sum())
    f1.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
result = {"target": os.path.basename(os.path.normpath(a.target)), "protocol": a.protocol, "seed": a.seed, "steps": a.steps,
          "source_crop": source_crop, "target_crop": target_crop, "scored_images": len(yu),
          "macro_f1_present": sum(f1) / len(f1), "classes": [classes[k] for k in present], "per_class_f1": f1,
          "support": [int((yu == k).sum()) for k in present]}
json.dump(result, open(a.out, "w"))
print(json.dumps(result))
