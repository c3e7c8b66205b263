"""Reads a run that `pulk train --tracking-uri` logged to a real `mlflow server`, with MLflow's own
client, and checks it looks like any MLflow run: params, metrics and their histories, the dataset
input, artifacts (the model file and the SVG plots), and the registered version pulk made.

usage: mlflow_reads_pulk_run.py TRACKING_URL RUN_ID MODEL_NAME"""
import json, os, sys, tempfile

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
import mlflow
from mlflow import MlflowClient

url, run_id, model = sys.argv[1:4]
mlflow.set_tracking_uri(url)
c = MlflowClient()
run = c.get_run(run_id)
assert run.info.status == "FINISHED", run.info
assert run.info.run_name == "gbdt", run.info.run_name
p, m = run.data.params, run.data.metrics
assert p["model"] == "gbdt" and p["num_iterations"] == "15" and p["split"] == "stratified", p
assert 0.5 < m["test_accuracy"] <= 1 and "baseline_most-frequent_accuracy" in m and "cv_accuracy_mean" in m, m
curve = next(k for k in m if k.startswith("train_"))
assert len(c.get_metric_history(run_id, curve)) == 15
assert [h.step for h in c.get_metric_history(run_id, "cv_accuracy")] == [0, 1, 2]
inputs = run.inputs.dataset_inputs
assert len(inputs) == 1 and inputs[0].dataset.name == "penguins" and len(inputs[0].dataset.digest) == 32, inputs
assert {t.key: t.value for t in inputs[0].tags}["mlflow.data.context"] == "training"
files = set()
def walk(path=None):
    for f in c.list_artifacts(run_id, path):
        walk(f.path) if f.is_dir else files.add(f.path)
walk()
assert {"model/model.pulk", "metrics.json", "plots/roc_curve.svg", "plots/confusion_matrix.svg", "profile/profile.html"} <= files, files
d = tempfile.mkdtemp()
svg = open(c.download_artifacts(run_id, "plots/roc_curve.svg", d)).read()
assert svg.startswith("<svg") and "ROC curve" in svg
report = json.load(open(c.download_artifacts(run_id, "metrics.json", d)))
assert report["model"] == "gbdt" and report["target"] == "species"
v = c.get_model_version(model, "1")
assert v.run_id == run_id and v.source == f"runs:/{run_id}/model", v
assert c.get_model_version_by_alias(model, "champion").version == "1"
print(json.dumps({"ok": True, "artifacts": sorted(files)}))
