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


class pytest_raises:
    """A tiny `pytest.raises`: the block must raise `kind`; the exception is kept in `.value`."""

    def __init__(self, kind):
        self.kind = kind

    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        if kind is None or not issubclass(kind, self.kind):
            raise AssertionError(f"expected {self.kind.__name__}, got {kind}")
        self.value = value
        return True

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

# Models: mlflow.sklearn.log_model (MLflow 3 logged models), the registry, aliases, and the
# pyfunc round trip through the server, by run, by logged model and by alias.
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0, 4.0, 5.0], "b": [1.0, 0.0, 1.0, 0.0, 1.0, 0.0]})
y = np.array([0, 0, 0, 1, 1, 1])
clf = LogisticRegression().fit(X, y)
mlflow.set_experiment("client-models")
with mlflow.start_run(run_name="fit") as fit:
    dataset = mlflow.data.from_pandas(X.assign(y=y), name="toy", targets="y")
    mlflow.log_input(dataset, context="training")
    mlflow.log_metric("train_acc", 1.0)
    info = mlflow.sklearn.log_model(clf, name="model", registered_model_name="toy-clf", input_example=X.head(2))
fit_run = client.get_run(fit.info.run_id)
inputs = fit_run.inputs.dataset_inputs
assert [d.dataset.name for d in inputs] == ["toy"] and inputs[0].dataset.digest == dataset.digest, inputs
assert {t.key: t.value for t in inputs[0].tags}["mlflow.data.context"] == "training"
assert [o.model_id for o in fit_run.outputs.model_outputs] == [info.model_id], fit_run.outputs
logged = mlflow.get_logged_model(info.model_id)
assert logged.source_run_id == fit.info.run_id and logged.name == "model", logged
assert [m.model_id for m in mlflow.search_logged_models(experiment_ids=[fit.info.experiment_id], output_format="list")] == [info.model_id]
# The logged model lists the versions registered from it; metrics logged for it on a dataset
# filter and order the search.
assert {"name": "toy-clf", "version": 1} in json.loads(logged.tags["mlflow.modelVersions"]), logged.tags
with mlflow.start_run(run_id=fit.info.run_id):
    mlflow.log_metric("auc", 0.91, model_id=info.model_id, dataset=dataset)
found = mlflow.search_logged_models(experiment_ids=[fit.info.experiment_id], filter_string="metrics.auc > 0.9",
                                    datasets=[{"dataset_name": "toy", "dataset_digest": dataset.digest}], output_format="list")
assert [m.model_id for m in found] == [info.model_id], found
assert mlflow.search_logged_models(experiment_ids=[fit.info.experiment_id], filter_string="metrics.auc > 0.9",
                                   datasets=[{"dataset_name": "other"}], output_format="list") == []
ordered = mlflow.search_logged_models(experiment_ids=[fit.info.experiment_id], order_by=[{"field_name": "metrics.auc", "ascending": False}],
                                      output_format="list")
assert [m.model_id for m in ordered] == [info.model_id], ordered
expected = clf.predict_proba(X)[:, 1]
for uri in [f"runs:/{fit.info.run_id}/model", info.model_uri, "models:/toy-clf/1"]:
    loaded = mlflow.pyfunc.load_model(uri)
    assert (loaded.predict(X) == clf.predict(X)).all(), uri
assert np.allclose(mlflow.sklearn.load_model(info.model_uri).predict_proba(X)[:, 1], expected)

# A second version, aliases and their moves, stages, tags, search, the download URI.
second = mlflow.register_model(f"runs:/{fit.info.run_id}/model", "toy-clf")
assert second.version == "2", second
client.set_registered_model_alias("toy-clf", "champion", "1")
client.set_registered_model_alias("toy-clf", "challenger", "2")
assert client.get_model_version_by_alias("toy-clf", "champion").version == "1"
champion = mlflow.pyfunc.load_model("models:/toy-clf@champion")
assert (champion.predict(X) == clf.predict(X)).all()
client.set_registered_model_alias("toy-clf", "champion", "2")
assert client.get_model_version_by_alias("toy-clf", "champion").version == "2"
model = client.get_registered_model("toy-clf")
assert model.aliases == {"champion": "2", "challenger": "2"}, model.aliases
client.delete_registered_model_alias("toy-clf", "challenger")
assert client.get_registered_model("toy-clf").aliases == {"champion": "2"}
client.set_model_version_tag("toy-clf", "2", "validated", "yes")
client.set_registered_model_tag("toy-clf", "team", "ml")
client.update_registered_model("toy-clf", description="toy classifier")
client.update_model_version("toy-clf", "2", description="second")
mv = client.get_model_version("toy-clf", "2")
assert mv.tags == {"validated": "yes"} and mv.description == "second" and mv.run_id == fit.info.run_id and mv.aliases == ["champion"], mv
with pytest_raises(MlflowException) as e:
    client.set_registered_model_alias("toy-clf", "latest", "1")
client.transition_model_version_stage("toy-clf", "1", "Production")
assert [v.version for v in client.get_latest_versions("toy-clf", stages=["Production"])] == ["1"]
assert client.get_model_version_download_uri("toy-clf", "1").startswith("mlflow-artifacts:/")
assert [m.name for m in client.search_registered_models(filter_string="name LIKE 'toy%'")] == ["toy-clf"]
assert sorted(v.version for v in client.search_model_versions("name = 'toy-clf'")) == ["1", "2"]
assert [v.version for v in client.search_model_versions(f"run_id = '{fit.info.run_id}' AND tags.validated = 'yes'")] == ["2"]
client.rename_registered_model("toy-clf", "toy-classifier")
assert client.get_model_version_by_alias("toy-classifier", "champion").version == "2"
# A source outside the store is refused.
with pytest_raises(MlflowException) as e:
    client.create_model_version("toy-classifier", "/etc", run_id=None)
assert e.value.error_code == "INVALID_PARAMETER_VALUE", e.value.error_code
client.delete_model_version("toy-classifier", "1")
client.delete_registered_model("toy-classifier")
try:
    client.get_registered_model("toy-classifier")
    raise AssertionError("deleted model must be gone")
except MlflowException as e2:
    assert e2.error_code == "RESOURCE_DOES_NOT_EXIST"
print(json.dumps({"ok": True, "mlflow": mlflow.__version__, "run_id": run_id}))
