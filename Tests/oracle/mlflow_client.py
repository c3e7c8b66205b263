"""The real mlflow client (pinned in requirements.txt) against a live `pulk server`: every tracking
call a notebook makes, artifacts up and down, search with filters and ordering. Asserts and prints
a JSON summary. usage: mlflow_client.py TRACKING_URI"""
import json
import math
import os
import sys
import tempfile

import mlflow
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

uri = sys.argv[1]
mlflow.set_tracking_uri(uri)
client = MlflowClient()
exp_id = mlflow.set_experiment("client-test").experiment_id
assert mlflow.get_experiment_by_name("client-test").experiment_id == exp_id

with mlflow.start_run(run_name="first") as run:
    mlflow.log_param("lr", 0.1)
    mlflow.log_params({"depth": 3, "model": "gbdt"})
    for step in range(5):
        mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
    mlflow.log_metric("odd", float("nan"))
    mlflow.log_metric("big", float("inf"))
    mlflow.log_metrics({"acc": 0.9, "f1": 0.8})
    mlflow.set_tag("team", "ml")
    mlflow.set_tags({"stage": "dev"})
    folder = tempfile.mkdtemp()
    with open(os.path.join(folder, "notes.txt"), "w") as f:
        f.write("hello")
    mlflow.log_artifact(os.path.join(folder, "notes.txt"), artifact_path="docs")
    mlflow.log_dict({"a": 1}, "cfg/config.json")
    big = os.path.join(folder, "big.bin")
    with open(big, "wb") as f:
        f.write(os.urandom(3 * 1024 * 1024))
    mlflow.log_artifact(big)
run_id = run.info.run_id

r = client.get_run(run_id)
assert r.info.status == "FINISHED" and r.info.run_name == "first", r.info
assert r.data.params == {"lr": "0.1", "depth": "3", "model": "gbdt"}, r.data.params
assert r.data.metrics["loss"] == 0.2 and math.isnan(r.data.metrics["odd"]) and r.data.metrics["big"] == math.inf, r.data.metrics
assert r.data.tags["team"] == "ml" and r.data.tags["stage"] == "dev"
assert [m.value for m in client.get_metric_history(run_id, "loss")] == [1.0, 0.5, 1 / 3, 0.25, 0.2]
assert sorted(f.path for f in client.list_artifacts(run_id)) == ["big.bin", "cfg", "docs"]
assert [f.path for f in client.list_artifacts(run_id, "docs")] == ["docs/notes.txt"]
with open(client.download_artifacts(run_id, "docs/notes.txt")) as f:
    assert f.read() == "hello"
assert os.path.getsize(client.download_artifacts(run_id, "big.bin")) == 3 * 1024 * 1024
assert mlflow.artifacts.load_dict(f"runs:/{run_id}/cfg/config.json") == {"a": 1}

# A second run, then searches with MLflow's grammar and Pulk's OR.
with mlflow.start_run(run_name="second") as run2:
    mlflow.log_metric("acc", 0.7)
    mlflow.log_param("model", "linear")
found = mlflow.search_runs([exp_id], filter_string="metrics.acc > 0.5 AND params.model = 'gbdt'", order_by=["metrics.acc DESC"])
assert found["run_id"].tolist() == [run_id]
ordered = client.search_runs([exp_id], order_by=["metrics.acc ASC"])
assert [x.info.run_name for x in ordered] == ["second", "first"]
either = client.search_runs([exp_id], "params.model = 'linear' OR tags.team = 'ml'")
assert len(either) == 2
page = client.search_runs([exp_id], max_results=1)
assert len(page) == 1 and page.token
rest = client.search_runs([exp_id], max_results=1, page_token=page.token)
assert len(rest) == 1 and rest[0].info.run_id != page[0].info.run_id

# Errors come back as MLflow errors.
try:
    client.get_run("0" * 32)
    raise AssertionError("unknown run must fail")
except MlflowException as e:
    assert e.error_code == "RESOURCE_DOES_NOT_EXIST", e.error_code
try:
    client.log_param(run_id, "lr", "0.2")
    raise AssertionError("changing a param must fail")
except MlflowException as e:
    assert e.error_code == "INVALID_PARAMETER_VALUE"

client.delete_run(run2.info.run_id)
assert client.get_run(run2.info.run_id).info.lifecycle_stage == "deleted"
assert len(client.search_runs([exp_id])) == 1
client.restore_run(run2.info.run_id)
client.rename_experiment(exp_id, "client-test-renamed")
assert client.get_experiment(exp_id).name == "client-test-renamed"
print(json.dumps({"ok": True, "mlflow": mlflow.__version__, "run_id": run_id}))
