"""Loads a model Pulk registered, as any MLflow user would (`mlflow.pyfunc.load_model("models:/NAME@champion")`
against the tracking server), predicts on a CSV file's feature columns and compares with the CSV
`pulk predict` wrote. Prints {"ok": true, ...}; fails with the first difference.
usage: mlflow_pyfunc_onnx.py TRACKING_URL MODEL_URI DATA.csv PULK_PREDICTIONS.csv"""
import json
import os
import sys

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
import mlflow
import numpy as np
import pandas as pd

url, uri, data, expected = sys.argv[1:5]
mlflow.set_tracking_uri(url)
model = mlflow.pyfunc.load_model(uri)
schema = model.metadata.get_input_schema()
frame = pd.read_csv(data)
inputs = {}
for spec in schema.inputs:
    column = frame[spec.name]
    if getattr(spec.type, "name", str(spec.type)) == "string":
        inputs[spec.name] = np.array(["" if pd.isna(v) else str(v) for v in column], dtype=object)
    else:
        inputs[spec.name] = pd.to_numeric(column, errors="coerce").astype("float64").to_numpy()
features = pd.DataFrame({k: pd.Series(v, dtype=object if v.dtype == object else "float64") for k, v in inputs.items()})
got = model.predict(features)
want = pd.read_csv(expected)
assert list(got.columns) == list(want.columns), (list(got.columns), list(want.columns))
for c in want.columns:
    if not pd.api.types.is_numeric_dtype(want[c]):
        assert [str(v) for v in got[c]] == [str(v) for v in want[c]], c
    else:
        assert np.allclose(got[c].astype(float), want[c].astype(float), rtol=1e-9, atol=1e-12), c
print(json.dumps({"ok": True, "columns": list(got.columns), "rows": len(got), "flavors": sorted(model.metadata.flavors)}))
