"""The MLflow 2.x client (pinned in requirements-mlflow2.txt) against a live `pulk server`: tracking,
artifacts, 2.x model logging (run artifacts + runs/log-model), the registry with aliases and
`models:/name@alias`. Asserts and prints a JSON summary. usage: mlflow2_client.py TRACKING_URI"""
import json
import math
import sys

import mlflow
import numpy as np
import pandas as pd
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient
from sklearn.tree import DecisionTreeClassifier

assert mlflow.__version__.startswith("2."), mlflow.__version__
mlflow.set_tracking_uri(sys.argv[1])
client = MlflowClient()
exp_id = mlflow.set_experiment("client-2x").experiment_id

X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": [1.0, 0.0, 1.0, 0.0]})
y = np.array([0, 0, 1, 1])
clf = DecisionTreeClassifier(random_state=0).fit(X, y)
with mlflow.start_run(run_name="v2") as run:
    mlflow.log_params({"depth": 2, "kind": "tree"})
    for step in range(3):
        mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
    mlflow.log_metric("odd", float("nan"))
    mlflow.set_tag("client", "2.x")
    mlflow.log_dict({"k": 1}, "cfg.json")
    mlflow.log_input(mlflow.data.from_pandas(X, name="toy"), context="training")
    mlflow.sklearn.log_model(clf, "model", registered_model_name="toy-2x")
r = client.get_run(run.info.run_id)
assert r.data.params == {"depth": "2", "kind": "tree"} and r.data.metrics["loss"] == 1 / 3 and math.isnan(r.data.metrics["odd"])
assert [d.dataset.name for d in r.inputs.dataset_inputs] == ["toy"]
history = json.loads(r.data.tags["mlflow.log-model.history"])
assert history[0]["artifact_path"] == "model" and "sklearn" in history[0]["flavors"], history
assert sorted(f.path for f in client.list_artifacts(run.info.run_id)) == ["cfg.json", "model"]
assert [m.value for m in client.get_metric_history(run.info.run_id, "loss")] == [1.0, 0.5, 1 / 3]
found = client.search_runs([exp_id], "metrics.loss < 0.5 AND tags.client = '2.x'", order_by=["metrics.loss ASC"])
assert [x.info.run_id for x in found] == [run.info.run_id]

# Registry: versions, aliases, models:/name@alias, stages.
second = mlflow.register_model(f"runs:/{run.info.run_id}/model", "toy-2x")
assert second.version == "2"
client.set_registered_model_alias("toy-2x", "champion", "2")
assert client.get_model_version_by_alias("toy-2x", "champion").version == "2"
for uri in ["models:/toy-2x@champion", "models:/toy-2x/1", f"runs:/{run.info.run_id}/model"]:
    assert (mlflow.pyfunc.load_model(uri).predict(X) == clf.predict(X)).all(), uri
client.transition_model_version_stage("toy-2x", "1", "Staging")
assert [v.version for v in client.get_latest_versions("toy-2x", stages=["Staging"])] == ["1"]
assert (mlflow.pyfunc.load_model("models:/toy-2x/Staging").predict(X) == clf.predict(X)).all()
assert [m.name for m in client.search_registered_models("name = 'toy-2x'")] == ["toy-2x"]
try:
    client.get_model_version("toy-2x", "9")
    raise AssertionError("a missing version must fail")
except MlflowException as e:
    assert e.error_code == "RESOURCE_DOES_NOT_EXIST", e.error_code
client.delete_registered_model("toy-2x")
print(json.dumps({"ok": True, "mlflow": mlflow.__version__}))
