#!/usr/bin/python3
"""Pillow's side of the JPEG benchmark of clipmodel/preprocess (BenchmarkJPEG).

Reads the JPEGs the Go benchmark leaves in WISEFT_JPEG_BENCH_DIR (or the
folder given as the first argument) and times, on 1 and 2 worker processes,
  decode: Image.open + load (libjpeg-turbo, full decode);
  eval:   CLIP's evaluation transform as torchvision computes it on Pillow:
          open, convert("RGB"), resize the shorter side to 224 with BICUBIC,
          centre crop 224, ToTensor + Normalize in NumPy float32 (CHW);
  eval-draft: eval after Image.draft("RGB", resized size), Pillow's
          DCT-domain reduction (what Transform.DCTScaling does).
Each of --repeat passes over all files gives images/s and the workers'
processor time per image (time.process_time, user + system); the best
pass is the figure a busy machine disturbs least.
--diff instead compares, file by file, the 224x224 crops (8-bit, before
the normalisation) of eval and eval-draft: what DCT-domain reduction changes.
Run it with Debian's /usr/bin/python3 (python3-pil, python3-numpy); it is a
measuring tool, not a dependency. scripts/bench-jpeg.sh runs both sides.
"""
import argparse
import glob
import multiprocessing as mp
import os
import time

import numpy as np
from PIL import Image

SIZE = 224
MEAN = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32)
STD = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32)


def resized_size(w, h, size):
    return (size, int(size * h / w)) if w <= h else (int(size * w / h), size)


def decode(path):
    with Image.open(path) as img:
        img.load()


def crop224(path, draft=False):
    with Image.open(path) as img:
        if draft:
            img.draft("RGB", resized_size(img.size[0], img.size[1], SIZE))
        img = img.convert("RGB")
    w, h = img.size
    img = img.resize(resized_size(w, h, SIZE), Image.BICUBIC)
    w, h = img.size
    top, left = int(round((h - SIZE) / 2.0)), int(round((w - SIZE) / 2.0))
    return img.crop((left, top, left + SIZE, top + SIZE))


def transform(path, draft=False):
    a = np.asarray(crop224(path, draft), dtype=np.uint8).astype(np.float32) / np.float32(255)
    return np.ascontiguousarray(((a - MEAN) / STD).transpose(2, 0, 1))


def eval_draft(path):
    return transform(path, draft=True)


WORK = {"decode": decode, "eval": transform, "eval-draft": eval_draft}


def run_files(args):
    """Runs one worker's share; returns the processor time it took (user + system)."""
    name, paths = args
    f = WORK[name]
    start = time.process_time()
    for p in paths:
        f(p)
    return time.process_time() - start


def bench(name, paths, workers, repeat):
    with mp.Pool(workers) as pool:
        chunks = [(name, paths[i::workers]) for i in range(workers)]
        pool.map(run_files, [(name, paths[:workers])] * workers)  # warm up the workers
        rates, cpus = [], []
        for _ in range(repeat):
            start = time.perf_counter()
            cpus.append(1000 * sum(pool.map(run_files, chunks)) / len(paths))
            rates.append(len(paths) / (time.perf_counter() - start))
        return rates, cpus


def diff(paths):
    reduced, worst, means = 0, 0, []
    for p in paths:
        full = np.asarray(crop224(p), dtype=np.int16)
        d = np.abs(np.asarray(crop224(p, draft=True), dtype=np.int16) - full)
        if d.any():
            reduced += 1
            worst = max(worst, int(d.max()))
            means.append(float(d.mean()))
    print("pillow draft vs full decode: %d of %d files reduced; over those, max %d levels, mean %.3f "
          "(per-file means %.3f-%.3f)" % (reduced, len(paths), worst, np.mean(means) if means else 0,
                                           min(means, default=0), max(means, default=0)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", nargs="?", default=os.environ.get("WISEFT_JPEG_BENCH_DIR", ""))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--diff", action="store_true", help="compare eval with eval-draft instead of timing")
    args = ap.parse_args()
    paths = sorted(glob.glob(os.path.join(args.dir, "*.jpg")))
    if not paths:
        raise SystemExit("pillow_bench: no .jpg files in %r (set WISEFT_JPEG_BENCH_DIR)" % args.dir)
    print("pillow_bench: Pillow %s, %d files in %s" % (Image.__version__, len(paths), args.dir))
    if args.diff:
        diff(paths)
        return
    for name in WORK:
        for workers in (1, 2):
            rates, cpus = bench(name, paths, workers, args.repeat)
            print("pillow %-10s workers=%d  %s img/s  %s cpu-ms/img  (best %.1f img/s, %.3f cpu-ms/img)" % (
                name, workers, " ".join("%.1f" % r for r in rates), " ".join("%.3f" % c for c in cpus),
                max(rates), min(cpus)))


if __name__ == "__main__":
    main()
