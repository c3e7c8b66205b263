"""Parquet files from pyarrow and pandas, and what pyarrow and pandas read from Pulk's.

  parquet_oracle.py write DIR   writes files of every type, encoding, codec and page version into DIR
                                and prints a manifest: each file's columns, Pulk's expected type for
                                each, and the values pyarrow reads, as canonical text (None: missing)
  parquet_oracle.py read FILE   prints each column's arrow type, pandas dtype and values as read by
                                pyarrow and by pandas (as canonical text)
"""
import datetime
import decimal
import json
import math
import os
import sys

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

N = 50


def canonical(v, kind):
    if v is None:
        return None
    if kind == "float64":
        if isinstance(v, float) and math.isnan(v):
            return "nan"
        return repr(float(v))
    if kind == "bool":
        return "true" if v else "false"
    if kind == "date":
        return v.isoformat()
    if kind in ("int64", "datetime"):
        return str(int(v))
    return str(v)


def expected(table):
    """Each column's Pulk type and values as canonical text."""
    out = {}
    for name in table.column_names:
        col = table.column(name)
        t = col.type
        if pa.types.is_dictionary(t):
            col = col.cast(t.value_type)
            t = t.value_type
        if pa.types.is_boolean(t):
            kind, values = "bool", col.to_pylist()
        elif pa.types.is_uint64(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
            kind, values = "float64", [None if v is None else float(v) for v in col.to_pylist()]
        elif pa.types.is_integer(t):
            kind, values = "int64", col.to_pylist()
        elif pa.types.is_date(t):
            kind, values = "date", col.to_pylist()
        elif pa.types.is_timestamp(t):
            # Microseconds since the epoch of the instant (naive values as if UTC), floored.
            ns = pc.cast(col.cast(pa.timestamp("ns", tz=t.tz)), pa.int64()).to_pylist()
            kind, values = "datetime", [None if v is None else v // 1000 for v in ns]
        elif pa.types.is_time(t):
            us = pc.cast(col.cast(pa.time64("us")), pa.int64()).to_pylist()
            kind, values = "int64", us
        else:
            kind, values = "string", col.to_pylist()
        out[name] = {"type": kind, "values": [canonical(v, kind) for v in values]}
    return out


def typed_table(n=N, seed=0):
    import random
    r = random.Random(seed)

    def maybe(v, p=0.15):
        return None if r.random() < p else v

    words = ["alpha", "beta", "gamma", "délta", "ε", "", "a,b", "quote\"d"]
    base = datetime.datetime(2021, 3, 4, 5, 6, 7, 123456)
    cols = {
        "i8": pa.array([maybe(r.randint(-128, 127)) for _ in range(n)], pa.int8()),
        "i16": pa.array([maybe(r.randint(-30000, 30000)) for _ in range(n)], pa.int16()),
        "i32": pa.array([maybe(r.randint(-2**31, 2**31 - 1)) for _ in range(n)], pa.int32()),
        "i64": pa.array([maybe(r.randint(-2**62, 2**62)) for _ in range(n)], pa.int64()),
        "u8": pa.array([maybe(r.randint(0, 255)) for _ in range(n)], pa.uint8()),
        "u32": pa.array([maybe(r.randint(0, 2**32 - 1)) for _ in range(n)], pa.uint32()),
        "u64": pa.array([maybe(r.randint(0, 2**53)) for _ in range(n)], pa.uint64()),
        "f32": pa.array([maybe(r.choice([r.uniform(-1e6, 1e6), 0.5, float("inf")])) for _ in range(n)], pa.float32()),
        "f64": pa.array([maybe(r.choice([r.gauss(0, 1e3), float("nan"), -0.0, 1e-300])) for _ in range(n)], pa.float64()),
        "b": pa.array([maybe(r.random() < 0.5) for _ in range(n)], pa.bool_()),
        "s": pa.array([maybe(r.choice(words) + str(r.randint(0, 5))) for _ in range(n)], pa.string()),
        "ls": pa.array([maybe(r.choice(words)) for _ in range(n)], pa.large_string()),
        "cat": pa.array([maybe(r.choice(words)) for _ in range(n)]).dictionary_encode(),
        "d": pa.array([maybe(datetime.date(1960, 1, 1) + datetime.timedelta(days=r.randint(0, 40000))) for _ in range(n)], pa.date32()),
        "ts_ms": pa.array([maybe(base + datetime.timedelta(milliseconds=r.randint(-10**11, 10**11))) for _ in range(n)], pa.timestamp("ms")),
        "ts_us_utc": pa.array([maybe(base + datetime.timedelta(microseconds=r.randint(-10**14, 10**14))) for _ in range(n)], pa.timestamp("us", tz="UTC")),
        "ts_ns_paris": pa.array([maybe(base + datetime.timedelta(microseconds=r.randint(0, 10**14))) for _ in range(n)], pa.timestamp("ns", tz="Europe/Paris")),
        "dec": pa.array([maybe(decimal.Decimal(r.randint(-10**9, 10**9)) / 100) for _ in range(n)], pa.decimal128(12, 2)),
        "dec_wide": pa.array([maybe(decimal.Decimal(r.randint(-10**20, 10**20)) / 10**5) for _ in range(n)], pa.decimal128(30, 5)),
        "t_ms": pa.array([maybe(datetime.time(r.randint(0, 23), r.randint(0, 59), r.randint(0, 59), r.randint(0, 999) * 1000)) for _ in range(n)], pa.time32("ms")),
    }
    return pa.table(cols)


def write(folder):
    os.makedirs(folder, exist_ok=True)
    files = []
    table = typed_table()

    def add(name, t, **kw):
        path = os.path.join(folder, name)
        pq.write_table(t, path, **kw)
        files.append({"name": name, "path": path, "columns": expected(pq.read_table(path))})

    for codec in ["none", "snappy", "gzip", "zstd"]:
        for version in ["1.0", "2.0"]:
            add(f"typed-{codec}-v{version}.parquet", table, compression=codec, data_page_version=version)
    add("plain.parquet", table, use_dictionary=False)
    add("many-groups-pages.parquet", table, row_group_size=7, data_page_size=64, write_batch_size=5)
    add("delta.parquet", table.select(["i32", "i64", "s", "ls", "d"]), use_dictionary=False,
        column_encoding={"i32": "DELTA_BINARY_PACKED", "i64": "DELTA_BINARY_PACKED", "s": "DELTA_BYTE_ARRAY",
                         "ls": "DELTA_LENGTH_BYTE_ARRAY", "d": "DELTA_BINARY_PACKED"}, data_page_version="2.0")
    add("byte-stream-split.parquet", table.select(["f32", "f64"]), use_dictionary=False,
        column_encoding={"f32": "BYTE_STREAM_SPLIT", "f64": "BYTE_STREAM_SPLIT"})
    add("int96.parquet", table.select(["ts_ms", "ts_us_utc"]), use_deprecated_int96_timestamps=True)
    add("required.parquet", pa.table({"x": pa.array(range(N), pa.int64()), "y": pa.array([str(i % 3) for i in range(N)])},
                                     schema=pa.schema([pa.field("x", pa.int64(), nullable=False), pa.field("y", pa.string(), nullable=False)])))
    add("all-null.parquet", pa.table({"x": pa.array([None] * 5, pa.float64()), "s": pa.array([None] * 5, pa.string())}))
    # Long runs, for the RLE side of the hybrid encoding.
    add("runs.parquet", pa.table({"k": pa.array(["a"] * 1000 + ["b"] * 3 + [None] * 20 + ["c"] * 977)}))

    # pandas' own writer (through pyarrow), with an index column and categoricals.
    df = pd.DataFrame({"n": [1.5, None, 3.0], "s": ["x", None, "z"], "c": pd.Categorical(["u", "v", "u"]),
                       "when": pd.to_datetime(["2020-01-01 00:00", None, "2021-06-30 12:00"])})
    path = os.path.join(folder, "pandas.parquet")
    df.to_parquet(path)
    files.append({"name": "pandas.parquet", "path": path, "columns": expected(pq.read_table(path))})

    # A Spark-style dataset: a folder of part files with Hive partitions.
    ds = os.path.join(folder, "dataset")
    part = pa.table({"v": pa.array([1.0, 2.0, 3.0, 4.0]), "region": pa.array(["north", "south", "north", "south"])})
    pq.write_to_dataset(part, ds, partition_cols=["region"])
    open(os.path.join(ds, "_SUCCESS"), "w").close()
    got = pq.read_table(ds).to_pandas().sort_values(["region", "v"])
    files.append({"name": "dataset", "path": ds, "sorted_by": ["region", "v"],
                  "columns": {"v": {"type": "float64", "values": [canonical(v, "float64") for v in got["v"]]},
                              "region": {"type": "string", "values": [str(v) for v in got["region"]]}}})

    # Files Pulk must refuse, naming the column.
    nested = pa.table({"ok": pa.array([1, 2]), "tags": pa.array([["a"], ["b", "c"]])})
    pq.write_table(nested, os.path.join(folder, "nested.parquet"))
    pq.write_table(pa.table({"raw": pa.array([b"\xff\xfe", b"ok"], pa.binary())}), os.path.join(folder, "binary.parquet"))
    pq.write_table(table, os.path.join(folder, "lz4.parquet"), compression="lz4")
    print(json.dumps({"files": files}))


def read(path):
    t = pq.read_table(path)
    df = pd.read_parquet(path)
    out = {}
    for name in t.column_names:
        kind = expected(t.select([name]))[name]
        col = df[name]
        if kind["type"] == "float64":
            pandas_values = [None if pd.isna(v) and not (isinstance(v, float) and math.isnan(v) and False) else canonical(float(v), "float64") for v in col]
        else:
            pandas_values = None
        out[name] = {"arrow_type": str(t.column(name).type), "pandas_dtype": str(col.dtype),
                     "values": kind["values"], "kind": kind["type"], "pandas_values": pandas_values}
    print(json.dumps({"rows": t.num_rows, "columns": out}))


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2])
    else:
        read(sys.argv[2])
