#!/usr/bin/python3
"""Writes macro_metrics.json: label/prediction cases scored by scikit-learn as WILDS scores iWildCam.

WILDS' iwildcam eval computes accuracy, recall_score(average='macro', labels=unique(y_true)) and
f1_score(average='macro', labels=unique(y_true)). The cases include classes that are only predicted, never
labelled (which these averages leave out), and classes never predicted (precision 0). Run with Debian's
/usr/bin/python3 (python3-sklearn); the Go tests read the JSON and never run this script.
"""
import json

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, recall_score

rng = np.random.default_rng(20211201)
cases = []
for n, k, noise in [(9, 4, 0.5), (50, 6, 0.4), (200, 12, 0.7), (300, 182, 0.3), (40, 5, 1.0)]:
    y = rng.integers(0, k - 1, size=n)  # the last class never occurs as a label
    pred = np.where(rng.random(n) < noise, rng.integers(0, k, size=n), y)
    present = np.unique(y)
    cases.append({
        "classes": int(k),
        "labels": y.tolist(),
        "predictions": pred.tolist(),
        "acc": accuracy_score(y, pred),
        "recall_macro": recall_score(y, pred, average="macro", labels=present, zero_division=0),
        "f1_macro": f1_score(y, pred, average="macro", labels=present, zero_division=0),
        "f1_macro_seen": f1_score(y, pred, average="macro", zero_division=0),
    })
with open("macro_metrics.json", "w") as f:
    json.dump({"generator": "make_macro_metrics.py", "cases": cases}, f, indent=1)
