#!/usr/bin/python3
"""Reads pandas_alpha.jsonl as the paper's src/scatter_plot.py does and writes what pandas saw to pandas_alpha.json.

The paper keeps df[df.alpha.apply(lambda x: isinstance(x, float))]. The same lines with every float α that is
a whole number written as an int (0, 1: what Go's encoding/json writes for float64(0)) are read too, to show the
rows pandas would then drop. Run with Debian's /usr/bin/python3 (python3-pandas); the Go tests only read the JSON.
"""
import io
import json
import re

import pandas as pd


def kept(text):
    df = pd.read_json(io.StringIO(text), lines=True)
    rows = df[df.alpha.apply(lambda x: isinstance(x, float))]
    return df, [float(a) for a in rows.alpha]


text = open("pandas_alpha.jsonl").read()
df, alphas = kept(text)
_, int_alphas = kept(re.sub(r'"alpha":(\d+)\.0([,}])', r'"alpha":\1\2', text))
out = {
    "pandas": pd.__version__,
    "alpha_types": [type(a).__name__ for a in df.alpha],
    "kept_alphas": alphas,
    "kept_alphas_if_written_as_ints": int_alphas,
}
with open("pandas_alpha.json", "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
