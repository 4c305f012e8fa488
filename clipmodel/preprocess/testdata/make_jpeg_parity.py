#!/usr/bin/python3
"""Regenerates the JPEG parity fixture of the Go package clipmodel/preprocess.

A documented tool, not part of the tests (they read only the files it writes).
Run with Debian's Python and Pillow, whose JPEG decoder is Debian's
libjpeg-turbo (apt-get install python3-pil python3-numpy):

    cd clipmodel/preprocess/testdata && /usr/bin/python3 make_jpeg_parity.py

It writes small JPEGs covering what photo collections hold (4:2:0, 4:2:2 and
4:4:4 chroma, grayscale, progressive, a file with corrupt bytes that libjpeg
warns about and decodes), and for each the pixels Pillow decodes, as PNG.
For one 120x90 JPEG it also stores Pillow's DCT-domain reductions
(Image.draft, 1/2, 1/4, 1/8) and CLIP's evaluation transform at size 30
(torchvision's Resize + CenterCrop on Pillow, BICUBIC, then ToTensor +
Normalize in float32) from the full decode and from the 1/2 draft, as
little-endian float32 CHW .bin files. jpeg_parity.json lists the cases.
"""
import json

import numpy as np
from PIL import Image

MEAN = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32)
STD = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32)


def photo(w, h, seed):
    """A deterministic photo-like RGB array: shading, discs, texture, noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    shade = 0.6 + 0.4 * y / h
    img = np.stack([150 * shade, 110 * shade, 170 * (1.2 - shade / 2)], axis=-1)
    for _ in range(4):
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(4, h / 2)
        img[(x - cx) ** 2 + (y - cy) ** 2 < r * r] = rng.uniform(0, 255, 3)
    texture = 18 * np.sin(x * 0.21 + 3 * np.sin(y * 0.07)) * np.cos(y * 0.3)
    img += texture[..., None] + rng.normal(0, 4, (h, w, 3))
    return np.clip(img, 0, 255).astype(np.uint8)


def resize_shortest(img, size):
    """torchvision Resize(size) on a PIL image: BICUBIC, long side int(size*long/short)."""
    w, h = img.size
    if w <= h:
        nw, nh = size, int(size * h / w)
    else:
        nw, nh = int(size * w / h), size
    return img.resize((nw, nh), Image.BICUBIC)


def resized_size(w, h, size):
    return (size, int(size * h / w)) if w <= h else (int(size * w / h), size)


def center_crop(img, size):
    w, h = img.size
    top, left = int(round((h - size) / 2.0)), int(round((w - size) / 2.0))
    return img.crop((left, top, left + size, top + size))


def normalize(img):
    a = np.asarray(img, dtype=np.uint8).astype(np.float32) / np.float32(255)
    a = (a - MEAN) / STD
    return np.ascontiguousarray(a.transpose(2, 0, 1), dtype="<f4")


def save_jpeg(name, arr, mode="RGB", **opts):
    Image.fromarray(arr, mode).save(name, quality=90, **opts)


def main():
    save_jpeg("parity_420_61x47.jpg", photo(61, 47, 1), subsampling=2)
    save_jpeg("parity_422_50x38.jpg", photo(50, 38, 2), subsampling=1)
    save_jpeg("parity_444_48x40.jpg", photo(48, 40, 3), subsampling=0)
    save_jpeg("parity_gray_37x29.jpg", photo(37, 29, 4)[..., 1].copy(), mode="L")
    save_jpeg("parity_progressive_64x48.jpg", photo(64, 48, 5), subsampling=2, progressive=True)
    save_jpeg("parity_420_120x90.jpg", photo(120, 90, 6), subsampling=2)
    # Three stray bytes before the end-of-image marker: libjpeg warns
    # ("extraneous bytes before marker 0xd9") and decodes the image.
    save_jpeg("parity_warning_40x30.jpg", photo(40, 30, 7), subsampling=2)
    with open("parity_warning_40x30.jpg", "rb") as f:
        data = f.read()
    assert data.endswith(b"\xff\xd9")
    with open("parity_warning_40x30.jpg", "wb") as f:
        f.write(data[:-2] + b"\x00\x01\x02" + data[-2:])

    # CMYK (as Photoshop writes it, Adobe marker): Pillow keeps CMYK, Go
    # decodes it with image/jpeg; cmyk_pil.png is Pillow's convert("RGB").
    cmyk = Image.fromarray(photo(16, 12, 8), "RGB").convert("CMYK")
    cmyk.save("parity_cmyk_16x12.jpg", quality=90)
    Image.open("parity_cmyk_16x12.jpg").convert("RGB").save("parity_cmyk_16x12_pil.png")

    decodes = []
    for name in ["parity_420_61x47.jpg", "parity_422_50x38.jpg", "parity_444_48x40.jpg",
                 "parity_gray_37x29.jpg", "parity_progressive_64x48.jpg", "parity_warning_40x30.jpg",
                 "parity_420_120x90.jpg"]:
        img = Image.open(name)
        img.load()
        out = name[:-4] + "_pil.png"
        img.save(out)  # L stays L, RGB stays RGB
        decodes.append({"jpeg": name, "draft_size": 0, "pil": out, "width": img.size[0], "height": img.size[1]})

    # Pillow's DCT-domain reduction: draft(mode, (nw, nh)) with (nw, nh) the
    # size the evaluation transform resizes to for a shorter side of size.
    name = "parity_420_120x90.jpg"
    for size in [30, 15, 10]:
        img = Image.open(name)
        img.draft("RGB", resized_size(img.size[0], img.size[1], size))
        img.load()
        out = "%s_pil_draft%d.png" % (name[:-4], size)
        img.save(out)
        decodes.append({"jpeg": name, "draft_size": size, "pil": out, "width": img.size[0], "height": img.size[1]})

    evals = []
    for dct in [False, True]:
        size = 30
        img = Image.open(name)
        if dct:
            img.draft("RGB", resized_size(img.size[0], img.size[1], size))
        img = img.convert("RGB")
        exp = "%s_eval%d%s.bin" % (name[:-4], size, "_dct" if dct else "")
        normalize(center_crop(resize_shortest(img, size), size)).tofile(exp)
        evals.append({"jpeg": name, "size": size, "dct_scaling": dct, "expected": exp})

    with open("jpeg_parity.json", "w") as f:
        json.dump({"pillow": Image.__version__, "mean": MEAN.tolist(), "std": STD.tolist(),
                   "decodes": decodes, "evals": evals}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
