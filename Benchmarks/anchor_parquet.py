#!/usr/bin/env python3
"""The anchor's side of the Parquet benchmark: pyarrow.parquet.read_table and write_table (Snappy) on the
same file, on every core. With --check FILE, also reads Pulk's written file and says whether it holds the
same values. Prints one JSON line. Usage: anchor_parquet.py FILE [REPS] [--check PULK_FILE]"""
import json
import os
import sys
import tempfile
import time

import pyarrow as pa
import pyarrow.parquet as pq


def timed(fn, reps):
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return sorted(times)[len(times) // 2], times


path = sys.argv[1]
reps = int(sys.argv[2]) if len(sys.argv) > 2 and not sys.argv[2].startswith("--") else 3
table = pq.read_table(path)
out = os.path.join(tempfile.gettempdir(), f"anchor-{os.getpid()}.parquet")
read_med, read_all = timed(lambda: pq.read_table(path), reps)
write_med, write_all = timed(lambda: pq.write_table(table, out, compression="snappy"), reps)


def to_memory():
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="snappy")
    return sink.getvalue()


encode_med, encode_all = timed(to_memory, reps)
result = {"benchmark": "anchor_parquet", "rows": table.num_rows, "read_median_s": read_med, "read_seconds": read_all,
          "write_median_s": write_med, "write_seconds": write_all, "encode_median_s": encode_med, "encode_seconds": encode_all, "written_mb": os.path.getsize(out) / 1e6}
os.remove(out)
if "--check" in sys.argv:
    pulk = pq.read_table(sys.argv[sys.argv.index("--check") + 1])
    result["pulk_file_equal"] = pulk.num_rows == table.num_rows and all(
        pulk.column(n).to_numpy().tolist() == table.column(n).to_numpy().tolist() for n in table.column_names)
print(json.dumps(result))
