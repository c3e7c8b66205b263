#!/usr/bin/env python3
"""The anchors' side of the CSV benchmark: pyarrow.csv.read_csv and pandas.read_csv on the same file.
Prints one JSON line. Usage: anchor_csv.py FILE [REPS]"""
import json
import os
import sys
import time

import pandas as pd
import pyarrow.csv as pc


def timed(fn, reps):
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return sorted(times)[len(times) // 2], times


path = sys.argv[1]
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
mb = os.path.getsize(path) / 1e6
pa_med, pa_all = timed(lambda: pc.read_csv(path), reps)
pd_med, pd_all = timed(lambda: pd.read_csv(path), max(1, reps // 2))
print(json.dumps({"benchmark": "anchor_csv_read", "size_mb": mb, "pyarrow_median_s": pa_med, "pyarrow_seconds": pa_all,
                  "pyarrow_mb_per_s": mb / pa_med, "pandas_median_s": pd_med, "pandas_mb_per_s": mb / pd_med}))
