#!/usr/bin/env python3
"""Writes torchvision's ResNet-18 as a safetensors file for smear's `train(..., backbone=FILE)` (the article's code
starts from these ImageNet weights; smear's runs in docs/results.md train from scratch, because this machine cannot
reach download.pytorch.org). smear's ResNet-18 has torchvision's parameter names, so the file loads as it is.

    python3 scripts/torchvision_backbone.py OUT.safetensors                  # ImageNet weights (downloads 45 MB once)
    python3 scripts/torchvision_backbone.py OUT.safetensors --pth FILE.pth   # a state dict already downloaded
    python3 scripts/torchvision_backbone.py OUT.safetensors --weights none   # torchvision's random initialisation

Needs torch, torchvision and safetensors (pip install torch torchvision safetensors); smear itself does not.
Then, e.g.: train(pbc, lab, backbone="OUT.safetensors", backbone_lr=0.1, ...). ImageNet's licence terms apply to
the weights."""
import argparse

import torch
import torchvision
from safetensors.torch import save_file

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("out")
parser.add_argument("--weights", default="IMAGENET1K_V1", help="a torchvision ResNet18_Weights name, or none")
parser.add_argument("--pth", help="load this torchvision state dict file instead of downloading")
a = parser.parse_args()
model = torchvision.models.resnet18(weights=None if a.weights == "none" or a.pth else a.weights)
if a.pth:
    model.load_state_dict(torch.load(a.pth, map_location="cpu", weights_only=True))
state = {k: v.contiguous() for k, v in model.state_dict().items()}
save_file(state, a.out, metadata={"source": f"torchvision {torchvision.__version__} resnet18 weights={a.pth or a.weights}"})
print(f"wrote {a.out}: {len(state)} tensors, {sum(v.numel() for v in state.values()):,} values")
