#!/usr/bin/env python3
"""The `implicit` package's side of the recommendation benchmark: AlternatingLeastSquares(factors=64,
iterations=15, regularization=0.01, alpha=1, cg_steps=3) on 2 threads, on a CSV of interactions.
`--generate FILE` writes the synthetic set first (1M interactions of 50,000 users over 10,000 items,
item popularity following a Zipf law, weights 1-5; seeded), once.
Usage: anchor_als.py FILE [REPS] [--generate]"""
import json
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np  # noqa: E402


def generate(path, rows=1_000_000, users=50_000, items=10_000, seed=11):
    rng = np.random.default_rng(seed)
    # Zipf-like popularity: item i drawn with weight 1/(i+10)^0.9; users uniform-ish (gamma activity).
    p = 1 / (np.arange(items) + 10) ** 0.9
    p /= p.sum()
    activity = rng.gamma(1.5, size=users)
    activity /= activity.sum()
    u = rng.choice(users, size=rows, p=activity)
    i = rng.choice(items, size=rows, p=p)
    w = rng.integers(1, 6, size=rows)
    with open(path, "w") as f:
        f.write("user,item,weight\n")
        for a, b, c in zip(u, i, w):
            f.write(f"u{a},i{b},{c}\n")


if "--generate" in sys.argv:
    if not os.path.exists(sys.argv[1]):
        generate(sys.argv[1])
    sys.exit(0)

import pyarrow.csv as pc  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from implicit.cpu.als import AlternatingLeastSquares  # noqa: E402

reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
table = pc.read_csv(sys.argv[1]).to_pandas()
fits, totals = [], []
for rep in range(reps):
    s = time.perf_counter()
    users = table["user"].astype("category")
    items = table["item"].astype("category")
    m = sp.csr_matrix((table["weight"].to_numpy(np.float32), (users.cat.codes.to_numpy(), items.cat.codes.to_numpy())),
                      shape=(len(users.cat.categories), len(items.cat.categories)))
    m.sum_duplicates()
    f = time.perf_counter()
    model = AlternatingLeastSquares(factors=64, iterations=15, regularization=0.01, alpha=1.0, random_state=rep,
                                    num_threads=2, calculate_training_loss=False)
    model.fit(m, show_progress=False)
    e = time.perf_counter()
    fits.append(e - f)
    totals.append(e - s)
# One user's top 10 (filtering what they have seen), as a server would answer it.
lat = []
rng = np.random.default_rng(0)
for u in rng.integers(0, m.shape[0], size=2000):
    s = time.perf_counter_ns()
    model.recommend(int(u), m[int(u)], N=10, filter_already_liked_items=True)
    lat.append((time.perf_counter_ns() - s) / 1000)
lat.sort()
print(json.dumps({"benchmark": "anchor_als", "interactions": int(m.nnz), "users": m.shape[0], "items": m.shape[1],
                  "fit_median_s": sorted(fits)[reps // 2], "with_indexing_median_s": sorted(totals)[reps // 2],
                  "recommend_p50_us": lat[len(lat) // 2], "recommend_p99_us": lat[int(len(lat) * 0.99)]}))
