"""MLflow's own scoring client against a Pulk scoring server (`pulk serve` or `pulk server`'s endpoint).

Usage: mlflow_scoring_client.py HOST PORT CSV [PREFIX]
Sends the CSV's rows (pandas) through mlflow's ScoringServerClient (POST /invocations, dataframe_split),
and through `mlflow.deployments`' JSON shapes (dataframe_records, instances, inputs) by hand; prints
one JSON object: {"predictions": [...], "shapes_agree": bool, "ok": true}.
"""
import json
import sys

import pandas as pd
import requests
from mlflow.pyfunc.scoring_server.client import ScoringServerClient

host, port, csv = sys.argv[1], int(sys.argv[2]), sys.argv[3]
prefix = sys.argv[4] if len(sys.argv) > 4 else ""
frame = pd.read_csv(csv).head(40)

client = ScoringServerClient(host, port)
if prefix:
    client.url_prefix = client.url_prefix + prefix
response = client.invoke(frame)
predictions = response.get_predictions(predictions_format="ndarray").tolist()

url = f"http://{host}:{port}{prefix}/invocations"
records = json.loads(frame.to_json(orient="records"))
agree = True
for body in ({"dataframe_records": records}, {"instances": records}, {"inputs": records}):
    r = requests.post(url, json=body, timeout=30)
    r.raise_for_status()
    agree &= r.json()["predictions"] == predictions

# A malformed request is a 400 with MLflow's error fields.
bad = requests.post(url, json={"dataframe_split": {"columns": ["nope"], "data": [[1]]}}, timeout=30)
assert bad.status_code == 400, bad.text
assert bad.json()["error_code"] == "INVALID_INPUT", bad.text

print(json.dumps({"predictions": predictions, "shapes_agree": agree, "ok": True}))
