"""The drift benchmarks' data (the anchor of ../shared/bench/anchors/drift.py): 20 float columns, c0 mean +0.2 sd,
c1 mean +0.5 sd, c2 sd x1.5, c14 x1.2 in the shifted window, the other 16 unchanged."""
import numpy as np
import pandas as pd


def make_frame(n, seed, shift):
    rng = np.random.default_rng(seed)
    base = np.random.default_rng(1234)
    means, sds = base.uniform(-5, 5, 14), base.uniform(0.5, 3, 14)
    cols = {}
    for i in range(14):
        m, s = means[i], sds[i]
        if shift and i == 0:
            m += 0.2 * s
        if shift and i == 1:
            m += 0.5 * s
        if shift and i == 2:
            s *= 1.5
        cols[f"c{i}"] = rng.normal(m, s, n)
    for i in range(14, 17):
        v = rng.lognormal(0.0, 0.6, n)
        cols[f"c{i}"] = v * 1.2 if (shift and i == 14) else v
    for i in range(17, 20):
        cols[f"c{i}"] = rng.uniform(0, 10, n)
    return pd.DataFrame(cols)
