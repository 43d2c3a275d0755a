#!/usr/bin/env python3
"""The PyTorch reference for scripts/bench: the same ResNet-18 (or EfficientNet-Lite0 / -Lite2) step as smear-bench, printed
in its format.

usage: bench_torch.py --sizes 64,128,224 --mdd-sizes 64,224 --steps N [--channels-last] [--only train|infer|mdd]
                      [--backbone resnet18|efficientnet_lite0|efficientnet_lite2]
"""
import argparse
import resource
import time

import torch
import torch.nn.functional as F
import torchvision

p = argparse.ArgumentParser()
p.add_argument("--sizes", default="64,128,224")
p.add_argument("--mdd-sizes", default="64,224")
p.add_argument("--steps", type=int, default=5)
p.add_argument("--channels-last", action="store_true")
p.add_argument("--only", default=None)
p.add_argument("--label", default="torch")
p.add_argument("--backbone", default="resnet18", choices=["resnet18", "efficientnet_lite0", "efficientnet_lite2"])
a = p.parse_args()
torch.set_num_threads(2)
torch.manual_seed(0)
fmt = torch.channels_last if a.channels_last else torch.contiguous_format
onednn = [l.strip() for l in torch.__config__.show().splitlines() if "DNN" in l and "v" in l]
print(f"{a.label}: torch {torch.__version__}, threads {torch.get_num_threads()}, memory format "
      f"{'channels_last' if a.channels_last else 'contiguous'}; {onednn[0] if onednn else 'oneDNN version unknown'}; "
      f"CPU capability {torch.backends.cpu.get_cpu_capability()}")


def minflt():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def timed(warmup, steps, body):
    for _ in range(warmup):
        body()
    f0, t0 = minflt(), time.perf_counter()
    for _ in range(steps):
        body()
    return (time.perf_counter() - t0) / steps, (minflt() - f0) / steps


class SamePad(torch.nn.Module):
    """TensorFlow's SAME padding for a k×k kernel at stride s (the extra pixel at the end), as the Lite wheel pads."""
    def __init__(self, k, s):
        super().__init__()
        self.k, self.s = k, s

    def forward(self, x):
        def split(n):
            total = max((-(-n // self.s) - 1) * self.s + self.k - n, 0)
            return total // 2, total - total // 2
        (t, b), (l, r) = split(x.shape[2]), split(x.shape[3])
        return F.pad(x, (l, r, t, b)) if t or b or l or r else x


def conv_bn(cin, cout, k, s, groups=1, relu6=True):
    layers = [SamePad(k, s), torch.nn.Conv2d(cin, cout, k, s, groups=groups, bias=False), torch.nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01)]
    return torch.nn.Sequential(*layers, *([torch.nn.ReLU6()] if relu6 else []))


class MBConv(torch.nn.Module):
    def __init__(self, cin, cout, expand, k, s):
        super().__init__()
        mid = cin * expand
        self.skip = s == 1 and cin == cout
        self.body = torch.nn.Sequential(*([conv_bn(cin, mid, 1, 1)] if expand != 1 else []), conv_bn(mid, mid, k, s, groups=mid),
                                        conv_bn(mid, cout, 1, 1, relu6=False))

    def forward(self, x):
        return x + self.body(x) if self.skip else self.body(x)


LITE_STAGES = {  # expansion, kernel, stride, input and output channels, repeats of each stage
    "efficientnet_lite0": [(1, 3, 1, 32, 16, 1), (6, 3, 2, 16, 24, 2), (6, 5, 2, 24, 40, 2), (6, 3, 2, 40, 80, 3),
                           (6, 5, 1, 80, 112, 3), (6, 5, 2, 112, 192, 4), (6, 3, 1, 192, 320, 1)],
    "efficientnet_lite2": [(1, 3, 1, 32, 16, 1), (6, 3, 2, 16, 24, 3), (6, 5, 2, 24, 48, 3), (6, 3, 2, 48, 88, 4),
                           (6, 5, 1, 88, 120, 4), (6, 5, 2, 120, 208, 5), (6, 3, 1, 208, 352, 1)],
}


def lite(num_classes, stages):
    """EfficientNet-Lite: stem 3×3/2 → 32, the seven MBConv stages (no squeeze-excitation, ReLU6), head 1×1 → 1280."""
    blocks = [conv_bn(3, 32, 3, 2)]
    for e, k, s, cin, cout, n in stages:
        blocks += [MBConv(cin if i == 0 else cout, cout, e, k, s if i == 0 else 1) for i in range(n)]
    blocks += [conv_bn(stages[-1][4], 1280, 1, 1), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Dropout(0.2),
               torch.nn.Linear(1280, num_classes)]
    return torch.nn.Sequential(*blocks)


def classifier():
    return torchvision.models.resnet18(num_classes=5) if a.backbone == "resnet18" else lite(5, LITE_STAGES[a.backbone])


name = "" if a.backbone == "resnet18" else a.backbone.replace("efficientnet_", "") + " "
w = torch.tensor([0.1, 0.2, 0.3, 0.2, 0.2])
for size in [int(s) for s in a.sizes.split(",") if s] if a.only in (None, "train", "infer") else []:
    model = classifier().to(memory_format=fmt)
    opt = torch.optim.SGD(model.parameters(), lr=0.001, momentum=0.9, weight_decay=5e-4, nesterov=True)
    steps = max(2, a.steps // 2) if size >= 224 else a.steps
    if a.only != "infer":
        x = torch.randn(32, 3, size, size).to(memory_format=fmt)
        y = torch.arange(32) % 5
        model.train()

        def step():
            loss = F.cross_entropy(model(x), y, weight=w)
            opt.zero_grad()
            loss.backward()
            opt.step()

        sec, faults = timed(2, steps, step)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{name}train {size}px b32: {a.label} {32 / sec:.1f} img/s ({sec * 1000:.1f} ms/step), peak RSS {rss:.0f} MiB, "
              f"minor faults/step {faults:.0f}")
    if a.only != "train":
        x = torch.randn(64, 3, size, size).to(memory_format=fmt)
        model.eval()

        def infer():
            with torch.no_grad():
                model(x)

        sec, faults = timed(2, steps, infer)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{name}infer {size}px b64: {a.label} {64 / sec:.1f} img/s ({sec * 1000:.1f} ms/batch), peak RSS {rss:.0f} MiB, "
              f"minor faults/step {faults:.0f}")


class GradientReverse(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, coefficient):
        ctx.coefficient = coefficient
        return x.view_as(x)

    @staticmethod
    def backward(ctx, g):
        return -ctx.coefficient * g, None


def head(width=1024):
    return torch.nn.Sequential(torch.nn.Linear(1024, width), torch.nn.ReLU(), torch.nn.Dropout(0.5), torch.nn.Linear(width, 5))


# The article's MDD step (tllib): 32 source + 32 target images through one network, the adversarial head
# behind the gradient reversal layer, margin 4.
for size in [int(s) for s in a.mdd_sizes.split(",") if s] if a.only in (None, "mdd") and a.backbone == "resnet18" else []:
    backbone = torchvision.models.resnet18(num_classes=5)
    backbone.fc = torch.nn.Identity()
    backbone = backbone.to(memory_format=fmt)
    bottleneck = torch.nn.Sequential(torch.nn.Linear(512, 1024), torch.nn.BatchNorm1d(1024), torch.nn.ReLU(), torch.nn.Dropout(0.5))
    cls_head, adv_head = head(), head()
    params = [*backbone.parameters(), *bottleneck.parameters(), *cls_head.parameters(), *adv_head.parameters()]
    opt = torch.optim.SGD(params, lr=0.004, momentum=0.9, weight_decay=5e-4, nesterov=True)
    xs = torch.randn(32, 3, size, size).to(memory_format=fmt)
    xt = torch.randn(32, 3, size, size).to(memory_format=fmt)
    y = torch.arange(32) % 5

    def mdd_step():
        f = bottleneck(backbone(torch.cat([xs, xt])))
        logits = cls_head(f)
        adv = adv_head(GradientReverse.apply(f, 0.1))
        ls, lt = logits.chunk(2)
        adv_s, adv_t = adv.chunk(2)
        ps, pt = ls.argmax(1), lt.argmax(1)
        disparity = 4 * F.cross_entropy(adv_s, ps) + F.nll_loss(torch.log(torch.clamp(1 - F.softmax(adv_t, 1), min=1e-15)), pt)
        loss = F.cross_entropy(ls, y, weight=w) - disparity
        opt.zero_grad()
        loss.backward()
        opt.step()

    steps = max(2, a.steps // 2) if size >= 224 else a.steps
    sec, faults = timed(2, steps, mdd_step)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"mdd {size}px b32+32: {a.label} {64 / sec:.1f} img/s ({sec * 1000:.1f} ms/step), peak RSS {rss:.0f} MiB, "
          f"minor faults/step {faults:.0f}")
