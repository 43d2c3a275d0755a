#!/usr/bin/env python3
"""The Python reference for the loader benchmark: PIL decoding + torchvision transforms equivalent to
the article's albumentations chain, torch DataLoader with 2 workers, batch 32.

usage: bench_loader_torch.py FOLDER --sizes 64,224 --batches N
"""
import argparse
import os
import time

import torch
from PIL import Image, ImageFilter
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms as T

p = argparse.ArgumentParser()
p.add_argument("folder")
p.add_argument("--sizes", default="64,224")
p.add_argument("--batches", type=int, default=20)
a = p.parse_args()
files = []
for cls in sorted(os.listdir(a.folder)):
    d = os.path.join(a.folder, cls)
    if os.path.isdir(d):
        files += [os.path.join(d, f) for f in sorted(os.listdir(d)) if f.lower().endswith(".jpg")]


class RandomBoxBlur:
    def __call__(self, img):
        if torch.rand(1).item() < 0.5:
            k = [3, 5, 7][torch.randint(0, 3, (1,)).item()]
            img = img.filter(ImageFilter.BoxBlur(k // 2))
        return img


class Files(Dataset):
    def __init__(self, size):
        self.t = T.Compose([
            T.CenterCrop(300), T.RandomCrop(224), RandomBoxBlur(),
            T.RandomApply([T.ColorJitter(0.3, 0.5, 0.5, 0)], p=0.5),
            T.RandomHorizontalFlip(), T.RandomVerticalFlip(),
            T.RandomApply([T.RandomRotation(180)], p=0.5),
            T.RandomApply([T.RandomAffine(0, scale=(0.8, 1.2))], p=0.5),
            T.Resize((size, size)), T.ToTensor(), T.Normalize([0.87, 0.74, 0.72], [0.16, 0.19, 0.08])])

    def __len__(self):
        return len(files)

    def __getitem__(self, i):
        return self.t(Image.open(files[i]).convert("RGB")), 0


for size in [int(s) for s in a.sizes.split(",")]:
    loader = DataLoader(Files(size), batch_size=32, shuffle=True, num_workers=2, drop_last=True, persistent_workers=True)
    it = iter(loader)
    next(it)
    t0 = time.perf_counter()
    for _ in range(a.batches):
        next(it)
    dt = time.perf_counter() - t0
    print(f"loader {size}px b32 (PIL + torchvision, {len(files)} images, 2 workers): python {a.batches * 32 / dt:.1f} img/s")
