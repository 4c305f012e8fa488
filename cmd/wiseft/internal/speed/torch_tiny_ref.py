#!/usr/bin/env python3
"""PyTorch reference for `wiseft bench`'s fine-tuning step of the shipped small CLIP (world.TinyConfig).

The same step as speed.TinyTrainStep: the image tower (28x28x3 input, 7x7 patches by a conv without bias, class
token, positional embedding, pre-LayerNorm, 3 residual blocks of width 64 with 4 heads and a 256-wide QuickGELU MLP,
post-LayerNorm of the class token), the 64x64 projection without bias, L2 normalisation, a 10-class linear head,
cross-entropy, gradient-norm clipping at 1 and AdamW (lr 1e-4, betas 0.9/0.999, eps 1e-8, weight decay 0.1), on a
fixed random batch. Prints "name value unit" lines: median step time, images/s and the process's peak RSS.

    python3 internal/speed/torch_tiny_ref.py --batch 128 --threads 2 [--device cuda] [--bf16]
"""
import argparse
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


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


class TinyClassifier(nn.Module):
    def __init__(self, image=28, patch=7, width=64, layers=3, heads=4, mlp=256, proj=64, classes=10):
        super().__init__()
        grid = image // patch
        self.conv1 = nn.Conv2d(3, width, patch, patch, bias=False)
        self.class_embedding = nn.Parameter(torch.randn(width) * width ** -0.5)
        self.positional_embedding = nn.Parameter(torch.randn(grid * grid + 1, width) * width ** -0.5)
        self.ln_pre = nn.LayerNorm(width, eps=1e-5)
        self.blocks = nn.Sequential(*[Block(width, heads, mlp) for _ in range(layers)])
        self.ln_post = nn.LayerNorm(width, eps=1e-5)
        self.proj = nn.Linear(width, proj, bias=False)
        self.head = nn.Linear(proj, classes)

    def forward(self, x):
        x = self.conv1(x).flatten(2).transpose(1, 2)  # [batch, patches, width]
        cls = self.class_embedding.expand(x.shape[0], 1, -1)
        x = torch.cat([cls, x], 1) + self.positional_embedding
        x = self.blocks(self.ln_pre(x))
        f = self.proj(self.ln_post(x[:, 0]))
        return self.head(F.normalize(f, dim=-1))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", default="cpu")
    p.add_argument("--bf16", action="store_true", help="torch.autocast(bfloat16)")
    p.add_argument("--seconds", type=float, default=5.0)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    dev = args.device
    model = TinyClassifier().to(dev)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1)
    x = torch.randn(args.batch, 3, 28, 28, device=dev)
    y = torch.arange(args.batch, device=dev) % 10

    def step():
        opt.zero_grad(set_to_none=True)
        with torch.autocast(device_type=dev, dtype=torch.bfloat16, enabled=args.bf16):
            loss = F.cross_entropy(model(x).float(), y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if dev == "cuda":
            torch.cuda.synchronize()
        return loss.item()

    t0 = time.perf_counter()
    step()
    first = time.perf_counter() - t0
    times = []
    start = time.perf_counter()
    while not times or time.perf_counter() - start < args.seconds:
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    name = f"torch_tiny_train_step_batch{args.batch}_{dev}{'_bf16' if args.bf16 else ''}_threads{args.threads}"
    print(f"# torch {torch.__version__}, {len(times)} timed steps, first step {first:.3f} s")
    print(f"{name}_median {med:.6g} s")
    print(f"{name}_images_per_s {args.batch / med:.6g} images/s")
    print(f"{name}_peak_rss {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.6g} MiB")


if __name__ == "__main__":
    main()
