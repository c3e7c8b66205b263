#!/usr/bin/env python3
"""Independent statistics of a CSV file computed with pandas/numpy/scipy, printed as JSON.

The Swift profile tests compare Pulk's profile with these numbers. Missing tokens match Pulk's
defaults: empty, NA, N/A, NaN, null, None, -.
Usage: profile_oracle.py FILE.csv
"""
import json
import sys

import numpy as np
import pandas as pd
from scipy.stats.contingency import association

MISSING = ["", "NA", "N/A", "NaN", "null", "None", "-"]


def clean(x):
    if x is None:
        return None
    x = float(x)
    return None if np.isnan(x) else x


def main(path):
    df = pd.read_csv(path, keep_default_na=False, na_values=MISSING)
    out = {"rows": len(df), "duplicate_rows": int(df.duplicated().sum()), "columns": {}}
    numeric = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])]
    for c in df.columns:
        s = df[c]
        col = {"count": int(s.count()), "missing": int(s.isna().sum()), "distinct": int(s.nunique())}
        if c in numeric:
            v = s.dropna().to_numpy(dtype=float)
            col.update({
                "mean": clean(v.mean()) if len(v) else None,
                "std": clean(s.std()) if len(v) > 1 else None,
                "skewness": clean(s.skew()) if len(v) > 2 else None,
                "min": clean(v.min()) if len(v) else None,
                "max": clean(v.max()) if len(v) else None,
                "zeros": int((v == 0).sum()),
                "quantiles": {f"p{int(q*100)}": float(np.quantile(v, q)) for q in (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)} if len(v) else {},
            })
            if len(v):
                q1, q3 = np.quantile(v, 0.25), np.quantile(v, 0.75)
                lo, hi = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
                col["outliers"] = int(((v < lo) | (v > hi)).sum())
                counts, edges = np.histogram(v, bins=20) if v.min() != v.max() else np.histogram(v, bins=20, range=(v.min() - 0.5, v.max() + 0.5))
                col["histogram"] = [int(x) for x in counts]
        else:
            col["counts"] = {str(k): int(n) for k, n in s.astype(str).where(s.notna()).value_counts().items()}
        out["columns"][c] = col
    out["numeric"] = numeric
    for method in ("pearson", "spearman"):
        m = df[numeric].corr(method=method)
        out[method] = [[clean(m.iloc[i, j]) for j in range(len(numeric))] for i in range(len(numeric))]
    cats = [c for c in df.columns if c not in numeric and df[c].nunique() <= 200]
    out["categorical"] = cats
    cv = {}
    for a in cats:
        for b in cats:
            if a >= b:
                continue
            pair = df[[a, b]].dropna()
            table = pd.crosstab(pair[a], pair[b]).to_numpy()
            if min(table.shape) > 1:
                cv[f"{a}|{b}"] = float(association(table, method="cramer", correction=False))
    out["cramers_v"] = cv
    eta = {}
    for x in numeric:
        for g in cats:
            pair = df[[x, g]].dropna()
            if len(pair) < 2:
                continue
            grand = pair[x].mean()
            total = ((pair[x] - grand) ** 2).sum()
            if total > 0:
                between = pair.groupby(g)[x].agg(lambda s: len(s) * (s.mean() - grand) ** 2).sum()
                eta[f"{x}|{g}"] = float(np.sqrt(between / total))
    out["correlation_ratio"] = eta
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
