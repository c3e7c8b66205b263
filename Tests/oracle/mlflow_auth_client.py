"""The real mlflow client against a `pulk server` with accounts: HTTP Basic with a password or a
token as the password, a Bearer token, a wrong password, and a reader refused a change. The
credentials come as MLflow reads them, from the environment. Prints a JSON summary.
usage: mlflow_auth_client.py TRACKING_URI ADMIN_PASSWORD TOKEN READER_PASSWORD"""
import json
import os
import sys

uri, admin_password, token, reader_password = sys.argv[1:5]


def client_as(**env):
    for key in ("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN"):
        os.environ.pop(key, None)
    os.environ.update(env)
    from mlflow.tracking import MlflowClient
    return MlflowClient(tracking_uri=uri)


from mlflow.exceptions import MlflowException  # noqa: E402

summary = {}
admin = client_as(MLFLOW_TRACKING_USERNAME="ana", MLFLOW_TRACKING_PASSWORD=admin_password)
exp = admin.create_experiment("auth-test")
run = admin.create_run(exp)
admin.log_metric(run.info.run_id, "loss", 0.5)
admin.log_batch(run.info.run_id, metrics=[], params=[], tags=[])
summary["basic"] = admin.get_run(run.info.run_id).data.metrics == {"loss": 0.5}

bearer = client_as(MLFLOW_TRACKING_TOKEN=token)
summary["bearer"] = bearer.get_experiment(exp).name == "auth-test"
as_password = client_as(MLFLOW_TRACKING_USERNAME="ana", MLFLOW_TRACKING_PASSWORD=token)
summary["token_as_password"] = as_password.get_experiment(exp).name == "auth-test"

wrong = client_as(MLFLOW_TRACKING_USERNAME="ana", MLFLOW_TRACKING_PASSWORD="not-the-password")
try:
    wrong.get_experiment(exp)
    summary["wrong_password_refused"] = False
except MlflowException as e:
    summary["wrong_password_refused"] = "401" in str(e) or "UNAUTHENTICATED" in str(e) or "credentials" in str(e)

reader = client_as(MLFLOW_TRACKING_USERNAME="rex", MLFLOW_TRACKING_PASSWORD=reader_password)
summary["reader_reads"] = reader.get_run(run.info.run_id).info.run_id == run.info.run_id
try:
    reader.create_experiment("not-allowed")
    summary["reader_refused"] = False
except MlflowException as e:
    summary["reader_refused"] = e.error_code == "PERMISSION_DENIED"

summary["ok"] = all(summary.values())
print(json.dumps(summary))
