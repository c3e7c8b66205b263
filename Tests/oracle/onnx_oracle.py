"""Runs an ONNX model with onnxruntime on a CSV file, feeding each graph input the column of the same
name (shape [N]) (text inputs as strings, missing as ""; other inputs as float64, missing as NaN), and prints
every output as JSON lists. Usage: onnx_oracle.py MODEL.onnx DATA.csv"""
import json
import sys

import numpy as np
import onnxruntime as ort
import pandas as pd

session = ort.InferenceSession(sys.argv[1], providers=["CPUExecutionProvider"])
frame = pd.read_csv(sys.argv[2])
feeds = {}
for i in session.get_inputs():
    column = frame[i.name]
    if i.type == "tensor(string)":
        values = np.array([("" if pd.isna(v) else str(v)) for v in column], dtype=object)
    else:
        values = pd.to_numeric(column, errors="coerce").astype("float64").to_numpy()
    feeds[i.name] = values
outputs = session.run(None, feeds)
result = {}
for spec, value in zip(session.get_outputs(), outputs):
    array = np.asarray(value)
    result[spec.name] = [str(v) for v in array.tolist()] if array.dtype == object else array.tolist()
print(json.dumps({"outputs": result, "inputs": [i.name for i in session.get_inputs()]}))
