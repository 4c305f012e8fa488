#!/usr/bin/env python3
"""PyTorch side of `wiseft bench`'s ViT cases, for scripts/gpu-check.sh: the same work in the same shapes.

forward:BATCH is speed.ViTB32Forward (the image tower and the visual projection: a patch conv without bias, class
token, positional embedding, pre-LayerNorm, residual blocks with QuickGELU MLPs, post-LayerNorm of the class token,
the projection without bias); train:BATCH is speed.ArchTrainStep (the same tower, L2-normalised features, a
10-class linear head, cross-entropy, gradient-norm clipping at 1, AdamW lr 1e-4, betas 0.9/0.999, eps 1e-8, weight
decay 0.1) on a fixed random batch. Options after the batch: bf16 (autocast to bfloat16, float32 master weights),
tf32 (float32 matrix products in TF32, XLA's default on NVIDIA GPUs; PyTorch's default is strict float32).
Random weights: speed does not depend on their values. Prints one JSON object per case.

    python3 scripts/torch_vit_bench.py --device cuda --cases forward:1,forward:256,forward:256:bf16,train:128
    python3 scripts/torch_vit_bench.py --device cpu --arch tiny --cases forward:2,train:4 --time 0
    python3 scripts/torch_vit_bench.py --device cpu --arch world --cases train:128 --threads 1 --time 5
"""
import argparse
import json
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# (image, patch, width, layers, heads, mlp, projection) as clipmodel's configs give them.
ARCHS = {
    "ViT-B/32": (224, 32, 768, 12, 12, 3072, 512),
    "ViT-B/16": (224, 16, 768, 12, 12, 3072, 512),
    "ViT-L/14": (224, 14, 1024, 24, 16, 4096, 768),
    "tiny": (64, 16, 64, 2, 2, 256, 64),
    # The shipped world's small CLIP (world.TinyConfig): the peer of `wiseft bench`'s train:BATCH on that model.
    "world": (28, 7, 64, 3, 4, 256, 64),
}


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class Block(nn.Module):
    def __init__(self, width, heads, mlp):
        super().__init__()
        self.ln_1 = nn.LayerNorm(width, eps=1e-5)
        self.attn = nn.MultiheadAttention(width, heads, batch_first=True)
        self.ln_2 = nn.LayerNorm(width, eps=1e-5)
        self.mlp = nn.Sequential(nn.Linear(width, mlp), QuickGELU(), nn.Linear(mlp, width))

    def forward(self, x):
        h = self.ln_1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.mlp(self.ln_2(x))


class ImageTower(nn.Module):
    def __init__(self, image, patch, width, layers, heads, mlp, proj):
        super().__init__()
        grid = image // patch
        self.conv1 = nn.Conv2d(3, width, patch, patch, bias=False)
        self.class_embedding = nn.Parameter(torch.randn(width) * width ** -0.5)
        self.positional_embedding = nn.Parameter(torch.randn(grid * grid + 1, width) * width ** -0.5)
        self.ln_pre = nn.LayerNorm(width, eps=1e-5)
        self.blocks = nn.Sequential(*[Block(width, heads, mlp) for _ in range(layers)])
        self.ln_post = nn.LayerNorm(width, eps=1e-5)
        self.proj = nn.Linear(width, proj, bias=False)

    def forward(self, x):
        x = self.conv1(x).flatten(2).transpose(1, 2)
        cls = self.class_embedding.to(x.dtype).expand(x.shape[0], 1, -1)
        x = torch.cat([cls, x], 1) + self.positional_embedding.to(x.dtype)
        x = self.blocks(self.ln_pre(x))
        return self.proj(self.ln_post(x[:, 0]))


class Classifier(nn.Module):
    def __init__(self, tower, proj, classes=10):
        super().__init__()
        self.tower = tower
        self.head = nn.Linear(proj, classes)

    def forward(self, x):
        return self.head(F.normalize(self.tower(x), dim=-1))


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def run_case(spec, arch, device, min_time):
    parts = spec.split(":")
    kind, opts = parts[0], set(parts[2:])
    batch = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    if kind not in ("forward", "train") or batch < 1 or not opts <= {"bf16", "tf32"}:
        raise SystemExit(f"bad case {spec!r}: want forward:BATCH[:bf16][:tf32] or train:BATCH[:bf16][:tf32]")
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = "tf32" in opts
        torch.backends.cudnn.allow_tf32 = "tf32" in opts
        torch.cuda.reset_peak_memory_stats()
    image, patch, width, layers, heads, mlp, proj = ARCHS[arch]
    torch.manual_seed(1)
    tower = ImageTower(image, patch, width, layers, heads, mlp, proj).to(device)
    x = torch.randn(batch, 3, image, image, device=device)
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled="bf16" in opts)
    if kind == "forward":
        tower.eval()

        def step():
            with torch.no_grad(), autocast:
                return tower(x).float().sum().item()
    else:
        model = Classifier(tower, proj).to(device)
        labels = torch.arange(batch, device=device) % 10
        opt = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1)

        def step():
            opt.zero_grad(set_to_none=True)
            with autocast:
                loss = F.cross_entropy(model(x).float(), labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            return loss.item()

    t0 = time.perf_counter()
    step()  # the first call (allocations, kernel selection), timed apart
    sync(device)
    first = time.perf_counter() - t0
    for _ in range(2):
        step()
    samples = []
    start = time.perf_counter()
    while not samples or time.perf_counter() - start < min_time:
        t = time.perf_counter()
        step()
        sync(device)
        samples.append(time.perf_counter() - t)
    median = statistics.median(samples)
    out = {
        "case": spec, "arch": arch, "impl": "pytorch " + torch.__version__, "device": str(device),
        "images_per_call": batch, "calls": len(samples), "median_s": median, "images_per_s": batch / median,
        "first_call_s": first, "threads": torch.get_num_threads(),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    if device.type == "cuda":
        out["peak_device_mib"] = torch.cuda.max_memory_allocated() / 2 ** 20
        out["gpu"] = torch.cuda.get_device_name()
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--cases", default="forward:1,forward:256,forward:256:bf16,train:128,train:128:bf16")
    p.add_argument("--arch", default="ViT-B/32", choices=sorted(ARCHS))
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--time", type=float, default=3.0, help="seconds to time each case for (at least one call)")
    p.add_argument("--threads", type=int, default=0, help="CPU threads (0: PyTorch's default)")
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    device = torch.device(a.device)
    for spec in a.cases.split(","):
        try:
            print(json.dumps(run_case(spec.strip(), a.arch, device, a.time)), flush=True)
        except RuntimeError as e:  # out of memory, an unsupported dtype: one case fails, the others run
            print(json.dumps({"case": spec, "arch": a.arch, "device": str(device), "error": str(e)[:300]}), flush=True)
            if device.type == "cuda":
                torch.cuda.empty_cache()
    return 0


if __name__ == "__main__":
    sys.exit(main())
