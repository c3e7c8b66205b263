"""The real mlflow client's webhook API against a live `pulk server` started with
--allow-http-webhooks --allow-private-webhooks: create, get, list, update, test and delete, and
deliveries of registry events to a local receiver, verified with MLflow's signature scheme.
usage: mlflow_webhooks.py TRACKING_URI"""
import base64
import hashlib
import hmac
import json
import queue
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import mlflow
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

received = queue.Queue()


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        received.put((self.path, dict(self.headers), body))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


receiver = HTTPServer(("127.0.0.1", 0), Receiver)
threading.Thread(target=receiver.serve_forever, daemon=True).start()
hook_url = f"http://127.0.0.1:{receiver.server_port}/hook"

mlflow.set_tracking_uri(sys.argv[1])
client = MlflowClient()
secret = "s3cret-value"
hook = client.create_webhook(name="ci", url=hook_url, events=["registered_model.created", "model_version.created",
                                                                "model_version_alias.created"], secret=secret, description="CI")
assert hook.name == "ci" and hook.url == hook_url and str(hook.status) == "ACTIVE", hook
assert sorted(str(e) for e in hook.events) == ["model_version.created", "model_version_alias.created", "registered_model.created"], hook.events
assert client.get_webhook(hook.webhook_id).description == "CI"
assert [w.webhook_id for w in client.list_webhooks()] == [hook.webhook_id]

try:
    client.create_webhook(name="bad", url=hook_url, events=["model_version.created"], secret="x", status="SLEEPING")
    raise AssertionError("a bad status was accepted")
except (MlflowException, ValueError, KeyError):
    pass

with mlflow.start_run() as run:
    mlflow.log_text("x", "model/MLmodel")
client.create_registered_model("hooked")
version = client.create_model_version("hooked", f"runs:/{run.info.run_id}/model", run_id=run.info.run_id)
client.set_registered_model_alias("hooked", "champion", version.version)


def verify(headers, body):
    signed = f"{headers['X-MLflow-Delivery-Id']}.{headers['X-MLflow-Timestamp']}.{body}"
    expected = "v1," + base64.b64encode(hmac.new(secret.encode(), signed.encode(), hashlib.sha256).digest()).decode()
    assert hmac.compare_digest(headers["X-MLflow-Signature"], expected), headers


events = {}
for _ in range(3):
    path, headers, body = received.get(timeout=30)
    verify(headers, body)
    payload = json.loads(body)
    events[f"{payload['entity']}.{payload['action']}"] = payload["data"]
assert events["registered_model.created"]["name"] == "hooked", events
assert events["model_version.created"]["version"] == "1" and events["model_version.created"]["run_id"] == run.info.run_id, events
assert events["model_version_alias.created"] == {"name": "hooked", "alias": "champion", "version": "1"}, events

updated = client.update_webhook(hook.webhook_id, description="CI v2", status="DISABLED")
assert updated.description == "CI v2" and str(updated.status) == "DISABLED" and updated.url == hook_url
result = client.test_webhook(hook.webhook_id, event="model_version.created")
assert result.success and result.response_status == 200 and result.response_body == "ok", result
path, headers, body = received.get(timeout=30)
verify(headers, body)
assert json.loads(body)["data"]["name"] == "example_model"

client.delete_webhook(hook.webhook_id)
try:
    client.get_webhook(hook.webhook_id)
    raise AssertionError("a deleted webhook was found")
except MlflowException as e:
    assert e.error_code == "RESOURCE_DOES_NOT_EXIST", e.error_code
print(json.dumps({"ok": True, "events": sorted(events)}))
