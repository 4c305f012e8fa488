#!/usr/bin/python3
"""Regenerates the golden files for the Go package clipmodel/preprocess.

Run with Debian's Python and PIL (apt-get install python3-pil python3-numpy):

    cd clipmodel/preprocess/testdata && /usr/bin/python3 make_golden.py

It writes a few small deterministic input images, runs CLIP's preprocessing on
them with PIL (resize shortest side with Image.BICUBIC, torchvision's center
crop rounding, ToTensor + Normalize in float32), and stores the expected CHW
float32 tensors (little-endian .bin) plus a manifest golden.json. The Go tests
read only these files; they never run Python.
"""
import json

import numpy as np
from PIL import Image

MEAN = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32)
STD = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32)


def make_inputs():
    """Returns {file name: PIL image} of deterministic test images."""
    imgs = {}

    # RGB gradient with fine stripes (negative lobes, clipping).
    a = np.zeros((37, 50, 3), np.uint8)
    for y in range(37):
        for x in range(50):
            a[y, x] = ((x * 255) // 49, (y * 255) // 36, ((x * 7 + y * 13) % 32) * 8)
    imgs["gradient_rgb_50x37.png"] = Image.fromarray(a, "RGB")

    # Grayscale (mode L), portrait: exercises round-half-even of the crop top.
    g = np.zeros((64, 41), np.uint8)
    for y in range(64):
        for x in range(41):
            g[y, x] = (x * 6 + y * 4 + ((x // 3 + y // 3) % 2) * 60) % 256
    imgs["gray_41x64.png"] = Image.fromarray(g, "L")

    # Something photo-like for JPEG (smooth areas and a few edges).
    p = np.zeros((48, 64, 3), np.uint8)
    for y in range(48):
        for x in range(64):
            r = 128 + 100 * np.sin(x / 7.0) * np.cos(y / 9.0)
            gg = 40 + 3 * y if (x - 30) ** 2 + (y - 20) ** 2 > 144 else 230
            b = 200 if x > 45 and y > 30 else 60 + 2 * x
            p[y, x] = (int(r), gg, b)
    imgs["photo_64x48.jpg"] = Image.fromarray(p, "RGB")  # 4:2:0 chroma
    imgs["photo444_64x48.jpg"] = Image.fromarray(p, "RGB")  # 4:4:4 chroma

    # RGBA with an alpha gradient; CLIP's convert("RGB") just drops alpha.
    r = np.zeros((45, 30, 4), np.uint8)
    for y in range(45):
        for x in range(30):
            r[y, x] = ((x * 8) % 256, 255 - y * 5, (x * y) % 256, (x * 8 + y * 3) % 256)
    imgs["alpha_30x45.png"] = Image.fromarray(r, "RGBA")

    # Paletted (mode P), upscaled.
    pal = Image.new("P", (20, 15))
    palette = []
    for i in range(16):
        palette += [(i * 16) % 256, (255 - i * 13) % 256, (i * 40) % 256]
    pal.putpalette(palette)
    pal.putdata([((x // 2) + (y // 3) * 3) % 16 for y in range(15) for x in range(20)])
    imgs["palette_20x15.png"] = pal

    # Large downscale factor (wide antialiasing support).
    s = np.zeros((150, 200, 3), np.uint8)
    for y in range(150):
        for x in range(200):
            s[y, x] = (255 if (x // 2) % 2 else 0, (y * 255) // 149, 255 if (x // 10 + y // 10) % 2 else 30)
    imgs["stripes_200x150.png"] = Image.fromarray(s, "RGB")

    # Short side already equals the size: no resampling, crop only.
    t = np.zeros((40, 24, 3), np.uint8)
    for y in range(40):
        for x in range(24):
            t[y, x] = (x * 10, y * 6, (x + y) * 3)
    imgs["tall_24x40.png"] = Image.fromarray(t, "RGB")
    return imgs


def resize_shortest(img, size):
    """torchvision Resize(size) output size, resampled with PIL BICUBIC."""
    w, h = img.size
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = size, int(size * long / short)
    nw, nh = (new_short, new_long) if w <= h else (new_long, new_short)
    return img.resize((nw, nh), Image.BICUBIC)


def center_crop(img, size):
    w, h = img.size
    top = int(round((h - size) / 2.0))
    left = int(round((w - size) / 2.0))
    return img.crop((left, top, left + size, top + size))


def normalize(img):
    a = np.asarray(img, dtype=np.uint8).astype(np.float32) / np.float32(255)
    a = (a - MEAN) / STD
    return np.ascontiguousarray(a.transpose(2, 0, 1), dtype="<f4")


def main():
    cases = []
    for name, img in make_inputs().items():
        if name.endswith(".jpg"):
            subsampling = 0 if "444" in name else 2
            img.save(name, quality=90, subsampling=subsampling)
            decoded = Image.open(name).convert("RGB")
            # PIL's (libjpeg's) decoded pixels, so the resize can be compared
            # exactly; Go's JPEG decoder differs slightly from libjpeg.
            decoded.save(name[:-4] + "_pil.png")
        else:
            img.save(name)
    specs = [
        ("gradient_rgb_50x37.png", 24, None),
        ("gray_41x64.png", 24, None),
        ("photo_64x48_pil.png", 32, None),
        ("alpha_30x45.png", 32, None),
        ("palette_20x15.png", 24, None),
        ("stripes_200x150.png", 24, None),
        ("tall_24x40.png", 24, None),
        # RandomResizedCrop's pixel path: crop box (left, top, right, bottom),
        # then resize to size x size.
        ("stripes_200x150.png", 24, (20, 10, 150, 130)),
        ("gradient_rgb_50x37.png", 24, (5, 3, 29, 35)),
        ("photo_64x48_pil.png", 32, (1, 2, 58, 48)),
    ]
    for i, (name, size, box) in enumerate(specs):
        img = Image.open(name).convert("RGB")
        if box is None:
            out = center_crop(resize_shortest(img, size), size)
        else:
            out = img.crop(box).resize((size, size), Image.BICUBIC)
        exp = "expected_%02d_%s_%d.bin" % (i, name.rsplit(".", 1)[0], size)
        normalize(out).tofile(exp)
        cases.append({"input": name, "size": size, "box": list(box) if box else None, "expected": exp})
    with open("golden.json", "w") as f:
        json.dump({"mean": MEAN.tolist(), "std": STD.tolist(), "cases": cases}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
