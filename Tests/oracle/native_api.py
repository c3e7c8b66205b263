"""Pulk's native API against its own OpenAPI 3.1 document, on a live `pulk server` whose workspace
holds penguins:1. Validates the document (openapi-spec-validator), then every response of every
documented route against the document's schemas (jsonschema, draft 2020-12 as OpenAPI 3.1 uses),
and follows a model version's lineage back to the dataset's content hash.
usage: native_api.py URL [TOKEN]  (TOKEN: an admin's API token when the server has accounts)"""
import json
import sys
import urllib.error
import urllib.request

from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource

base = sys.argv[1]
token = sys.argv[2] if len(sys.argv) > 2 else None
api = base + "/api/pulk/v1"


def call(method, url, body=None, auth=True):
    headers = {"Content-Type": "application/json"}
    if token and auth:
        headers["Authorization"] = "Bearer " + token
    req = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode(), headers=headers)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.headers.get("Content-Type"), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read()


status, _, raw = call("GET", api + "/openapi.json")
assert status == 200
doc = json.loads(raw)
validate(doc)  # raises on an invalid OpenAPI 3.1 document
# The document as one JSON Schema resource, so "urn:pulk#/components/schemas/X" resolves inside it.
registry = Registry().with_resource("urn:pulk", Resource.from_contents({"$schema": "https://json-schema.org/draft/2020-12/schema", **doc}))


def check(path_template, url, code=200):
    """GETs url and validates the body against the documented response schema of path_template."""
    status, ctype, raw = call("GET", url)
    assert status == code, (url, status, raw[:300])
    return validated(path_template, "get", code, raw)


def validated(path_template, method, code, raw):
    """The JSON body, validated against the documented response of that method and status."""
    response = doc["paths"][path_template][method]["responses"][str(code)]
    if "$ref" in response:
        response = doc["components"]["responses"][response["$ref"].split("/")[-1]]
    schema = response["content"]["application/json"]["schema"]
    body = json.loads(raw)
    Draft202012Validator({"$ref": "urn:pulk" + schema["$ref"]} if "$ref" in schema else schema, registry=registry).validate(body)
    return body


documented = set(doc["paths"])
seen = set()


def get(template, url, code=200):
    seen.add(template)
    return check(template, url, code)


listing = get("/datasets", api + "/datasets")
assert [d["name"] for d in listing["datasets"]] == ["penguins"], listing
versions = get("/datasets/{name}", api + "/datasets/penguins")
sha = versions["versions"][0]["content_sha256"]
detail = get("/datasets/{name}/versions/{version}", api + "/datasets/penguins/versions/1")
assert detail["version"]["row_count"] == 344 and detail["derived_from"] == []
profile = get("/datasets/{name}/versions/{version}/profile", api + "/datasets/penguins/versions/1/profile?target=species")
assert profile["summary"]["rows"] == 344 and profile["target"]["column"] == "species", list(profile)
status, ctype, html = call("GET", api + "/datasets/penguins/versions/1/profile?format=html")
assert status == 200 and ctype.startswith("text/html") and b"<svg" in html
by_digest = get("/dataset-versions/{digest}", api + "/dataset-versions/" + detail["version"]["content_sha256"][:32])
assert by_digest["name"] == "penguins" and by_digest["version"] == 1, by_digest
get("/dataset-versions/{digest}", api + "/dataset-versions/00000000deadbeef", 404)
get("/dataset-versions/{digest}", api + "/dataset-versions/xyz", 400)
get("/datasets/{name}", api + "/datasets/nope", 404)
get("/datasets/{name}/versions/{version}", api + "/datasets/penguins/versions/9", 404)
get("/datasets/{name}/versions/{version}", api + "/datasets/penguins/versions/x", 400)
get("/datasets/{name}/versions/{version}/profile", api + "/datasets/penguins/versions/1/profile?target=nope", 400)
get("/openapi.json", api + "/openapi.json")

# A run that read penguins:1 (by Pulk reference, and by MLflow digest = the content hash prefix),
# registered as a model version with an alias that moves.
mlflow = base + "/api/2.0/mlflow"
run = json.loads(call("POST", mlflow + "/runs/create", {"experiment_id": "0", "run_name": "fit"})[2])["run"]["info"]["run_id"]
dataset = {"name": "penguins", "digest": sha[:12], "source_type": "local", "source": '{"uri": "examples/penguins.csv"}'}
pulk_ref = {"name": "penguins-eval", "digest": "abc", "source_type": "pulk", "source": '{"dataset": "penguins:1"}'}
assert call("POST", mlflow + "/runs/log-inputs", {"run_id": run, "datasets": [
    {"dataset": dataset, "tags": [{"key": "mlflow.data.context", "value": "training"}]},
    {"dataset": pulk_ref, "tags": [{"key": "mlflow.data.context", "value": "evaluation"}]}]})[0] == 200
assert call("POST", mlflow + "/registered-models/create", {"name": "penguin-model"})[0] == 200
for _ in range(2):
    assert call("POST", mlflow + "/model-versions/create", {"name": "penguin-model", "source": f"runs:/{run}/model", "run_id": run})[0] == 200
for v in ["1", "2"]:
    assert call("POST", mlflow + "/registered-models/alias", {"name": "penguin-model", "alias": "champion", "version": v})[0] == 200

models = get("/models", api + "/models?filter=name+LIKE+%27penguin%25%27")
assert [m["name"] for m in models["models"]] == ["penguin-model"]
get("/models", api + "/models?filter=colour+%3D+%27x%27", 400)
model = get("/models/{name}", api + "/models/penguin-model")
assert [v["version"] for v in model["versions"]] == ["1", "2"] and model["model"]["aliases"] == [{"alias": "champion", "version": "2"}]
get("/models/{name}", api + "/models/nope", 404)
history = get("/models/{name}/aliases/history", api + "/models/penguin-model/aliases/history?alias=champion")
assert [(m.get("from_version"), m.get("to_version")) for m in history["moves"]] == [(None, "1"), ("1", "2")], history
lineage = get("/models/{name}/versions/{version}/lineage", api + "/models/penguin-model/versions/2/lineage")
assert lineage["run"]["run_id"] == run
found = {d["context"]: d.get("workspace_version", {}).get("content_sha256") for d in lineage["datasets"]}
assert found == {"training": sha, "evaluation": sha}, found
assert lineage["datasets"][0]["workspace_version"]["source_path"].endswith("penguins.csv")
get("/models/{name}/versions/{version}/lineage", api + "/models/penguin-model/versions/7/lineage", 404)


def send(method, template, url, body=None, code=200):
    """Sends a change and validates the answer against the documented response of that method."""
    seen.add(template)
    status, ctype, raw = call(method, url, body)
    assert status == code, (method, url, status, raw[:300])
    return validated(template, method.lower(), code, raw)


# Endpoints: created, changed and read back; the registered versions above have no model file, so a
# deploy is refused before anything changes.
created = send("POST", "/endpoints", api + "/endpoints", {"name": "penguins-live", "description": "oracle"}, 201)
assert created["endpoint"]["deployments"] == [] and created["endpoint"]["settings"]["max_rows"] == 10000, created
send("POST", "/endpoints", api + "/endpoints", {"name": "Bad Name"}, 400)
assert [e["name"] for e in get("/endpoints", api + "/endpoints")["endpoints"]] == ["penguins-live"]
refused = send("POST", "/endpoints/{name}/deploy", api + "/endpoints/penguins-live/deploy", {"model": "penguin-model@champion"}, 400)
assert "cannot be served" in refused["message"], refused
send("POST", "/endpoints/{name}/deploy", api + "/endpoints/penguins-live/deploy", {"model": "penguin-model@nope"}, 404)
changed = send("PATCH", "/endpoints/{name}/settings", api + "/endpoints/penguins-live/settings", {"max_rows": 500})
assert changed["endpoint"]["settings"]["max_rows"] == 500 and changed["endpoint"]["settings"]["max_concurrency"] == 256
send("PATCH", "/endpoints/{name}/settings", api + "/endpoints/penguins-live/settings", {"log_sample": 2}, 400)
send("POST", "/endpoints/{name}/traffic", api + "/endpoints/penguins-live/traffic", {"traffic": {"blue": 100}}, 404)
send("POST", "/endpoints/{name}/rollback", api + "/endpoints/penguins-live/rollback", {}, 409)
send("DELETE", "/endpoints/{name}/deployments/{deployment}", api + "/endpoints/penguins-live/deployments/blue", None, 404)
assert get("/endpoints/{name}/logs", api + "/endpoints/penguins-live/logs?limit=5")["entries"] == []
get("/endpoints/{name}/logs", api + "/endpoints/penguins-live/logs?limit=0", 400)
detail = get("/endpoints/{name}", api + "/endpoints/penguins-live")
assert [e["kind"] for e in detail["events"]] == ["create", "settings"], detail["events"]
scoring = send("POST", "/endpoints/{name}/tokens", api + "/endpoints/penguins-live/tokens", {"name": "app"}, 201)
assert scoring["secret"] and scoring["token"]["name"] == "app", scoring
send("DELETE", "/endpoints/{name}/tokens/{id}", api + "/endpoints/penguins-live/tokens/" + scoring["token"]["id"])
send("DELETE", "/endpoints/{name}/tokens/{id}", api + "/endpoints/penguins-live/tokens/ept-none", None, 404)
# A drift monitor of the endpoint: created, read, paused and resumed, a window computed now and two
# backfilled (empty: nothing was logged), one window read back; deleting the endpoint removes it.
mon = send("POST", "/monitors", api + "/monitors", {"name": "penguins-drift", "endpoint": "penguins-live", "every_seconds": 600}, 201)["monitor"]
assert mon["window_seconds"] == 3600 and mon["every_seconds"] == 600 and not mon["paused"], mon
send("POST", "/monitors", api + "/monitors", {"name": "other", "endpoint": "no-such-endpoint"}, 404)
send("POST", "/monitors", api + "/monitors", {"name": "other", "endpoint": "penguins-live", "window_seconds": 5}, 400)
send("POST", "/monitors", api + "/monitors", {"name": "other", "endpoint": "penguins-live", "method": "magic"}, 400)
assert [m["name"] for m in get("/monitors", api + "/monitors")["monitors"]] == ["penguins-drift"]
assert send("POST", "/monitors/{name}/pause", api + "/monitors/penguins-drift/pause", {})["monitor"]["paused"]
assert not send("POST", "/monitors/{name}/resume", api + "/monitors/penguins-drift/resume", {})["monitor"]["paused"]
window = send("POST", "/monitors/{name}/run", api + "/monitors/penguins-drift/run", {})["run"]
assert window["status"] == "empty" and "no logged answered request" in window["message"], window
filled = send("POST", "/monitors/{name}/backfill", api + "/monitors/penguins-drift/backfill", {"windows": 2})["runs"]
assert len(filled) == 2 and filled[0]["window_end"] < filled[1]["window_end"], filled
send("POST", "/monitors/{name}/backfill", api + "/monitors/penguins-drift/backfill", {"windows": 0}, 400)
fed = send("POST", "/endpoints/{name}/feedback", api + "/endpoints/penguins-live/feedback", {"feedback": [{"request_id": "r1", "truth": "Adelie"}, {"request_id": "r2", "row": 1, "truth": 3.5}]})
assert fed == {"added": 2, "received": 2}, fed
send("POST", "/endpoints/{name}/feedback", api + "/endpoints/penguins-live/feedback", {"feedback": [{"request_id": "", "truth": "x"}]}, 400)
send("POST", "/endpoints/{name}/feedback", api + "/endpoints/no-such-endpoint/feedback", {"feedback": []}, 404)
shown = get("/monitors/{name}", api + "/monitors/penguins-drift?runs=10")
assert len(shown["runs"]) == 3, shown
assert get("/monitors/{name}/runs/{id}", api + "/monitors/penguins-drift/runs/" + window["id"])["run"]["id"] == window["id"]
get("/monitors/{name}/runs/{id}", api + "/monitors/penguins-drift/runs/" + window["id"] + "?format=html", 404)
get("/monitors/{name}/runs/{id}", api + "/monitors/penguins-drift/runs/none", 404)
get("/monitors/{name}", api + "/monitors/nope", 404)
send("DELETE", "/monitors/{name}", api + "/monitors/nope", None, 404)
send("POST", "/monitors", api + "/monitors", {"name": "kept-until-endpoint-goes", "endpoint": "penguins-live"}, 201)
send("DELETE", "/monitors/{name}", api + "/monitors/penguins-drift")
send("DELETE", "/endpoints/{name}", api + "/endpoints/penguins-live")
assert get("/monitors", api + "/monitors")["monitors"] == [], "the endpoint's monitors go with it"
get("/endpoints/{name}", api + "/endpoints/penguins-live", 404)

# Accounts (the server has an admin, whose token signs these in).
if token:
    me = get("/whoami", api + "/whoami")
    assert me["authentication"] == "on" and me["role"] == "admin", me
    seen.add("/whoami")
    status, _, raw = call("GET", api + "/whoami", auth=False)
    assert status == 401 and json.loads(raw)["error_code"] == "UNAUTHENTICATED", raw
    made = send("POST", "/users", api + "/users", {"name": "reader1", "password": "reader-password", "role": "reader"}, 201)
    assert made["user"]["role"] == "reader"
    send("POST", "/users", api + "/users", {"name": "reader1", "password": "reader-password"}, 400)
    assert [u["name"] for u in get("/users", api + "/users")["users"]] == ["admin", "reader1"]
    send("PATCH", "/users/{user}", api + "/users/reader1", {"role": "contributor"})
    send("PATCH", "/users/{user}", api + "/users/nobody", {"role": "contributor"}, 404)
    new = send("POST", "/tokens", api + "/tokens", {"user": "reader1", "name": "ci", "expires_in_days": 7}, 201)
    assert new["secret"].startswith("pulk_") and new["token"]["active"], new
    assert any(t["id"] == new["token"]["id"] for t in get("/tokens", api + "/tokens?user=reader1")["tokens"])
    revoked = send("DELETE", "/tokens/{id}", api + "/tokens/" + new["token"]["id"])
    assert not revoked["token"]["active"] and "revoked_time" in revoked["token"]
    send("PUT", "/grants", api + "/grants", {"user": "reader1", "kind": "experiment", "resource": "0", "permission": "EDIT"})
    assert get("/grants", api + "/grants?user=reader1")["grants"][0]["permission"] == "EDIT"
    send("DELETE", "/grants", api + "/grants?user=reader1&kind=experiment&resource=0")
    send("DELETE", "/grants", api + "/grants?user=reader1&kind=experiment&resource=0", None, 404)
    send("DELETE", "/users/{user}", api + "/users/reader1")
    trail = get("/audit", api + "/audit?limit=1000")["entries"]
    assert {"users/create", "users/update", "tokens/create", "tokens/revoke", "grants/set", "grants/delete", "users/delete"} <= {e["action"] for e in trail}
    get("/audit", api + "/audit?limit=0", 400)
    checked = get("/audit/verify", api + "/audit/verify")
    assert checked["intact"] and checked["head"] == trail[-1]["hash"], checked
# Uploads: a new version parsed with the query's options, the same content again, and a file that
# cannot be read; the frame of a version comes back as Pulk's binary frame file.
def upload(url, data, code):
    headers = {"Content-Type": "application/octet-stream"}
    if token:
        headers["Authorization"] = "Bearer " + token
    req = urllib.request.Request(url, method="POST", data=data, headers=headers)
    try:
        with urllib.request.urlopen(req) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    assert status == code, (url, status, raw[:300])
    return validated("/datasets/{name}/versions", "post", code, raw)


seen.add("/datasets/{name}/versions")
small = b"a;b;label\n1;2.5;x\n3;4.5;y\n"
added = upload(api + "/datasets/tiny/versions?delimiter=semicolon&type=a%3Dfloat&source_path=tiny.csv&description=oracle", small, 201)
assert added["created"] and added["version"]["row_count"] == 2 and added["version"]["source_path"] == "tiny.csv (uploaded)", added
assert [f["type"] for f in added["version"]["schema"]["fields"]][:1] == ["float64"], added["version"]["schema"]
again = upload(api + "/datasets/tiny/versions?delimiter=semicolon&type=a%3Dfloat&source_path=tiny.csv", small, 200)
assert not again["created"] and again["version"]["version"] == 1
upload(api + "/datasets/tiny/versions?delimiter=semicolon&type=a%3Dwhat&source_path=tiny.csv", small, 400)
upload(api + "/datasets/tiny/versions?source_path=tiny.bin", small, 400)
seen.add("/datasets/{name}/versions/{version}/frame")
status, ctype, raw = call("GET", api + "/datasets/tiny/versions/1/frame")
assert status == 200 and ctype == "application/octet-stream" and raw[:4] == b"PULK", (status, ctype, raw[:8])
assert call("GET", api + "/datasets/tiny/versions/5/frame")[0] == 404
# The original file's bytes, as uploaded; then the version and the dataset removed (pulk data rm).
seen.add("/datasets/{name}/versions/{version}/original")
status, ctype, raw = call("GET", api + "/datasets/tiny/versions/1/original")
assert status == 200 and ctype == "application/octet-stream" and raw == small, (status, ctype, raw[:40])
assert call("GET", api + "/datasets/tiny/versions/5/original")[0] == 404
upload(api + "/datasets/tiny/versions?delimiter=semicolon&source_path=tiny2.csv", b"a;b;label\n5;6.5;z\n", 201)
send("DELETE", "/datasets/{name}/versions/{version}", api + "/datasets/tiny/versions/5", code=404)
gone = send("DELETE", "/datasets/{name}/versions/{version}", api + "/datasets/tiny/versions/2")
assert [v["version"] for v in gone["removed"]] == [2], gone
gone = send("DELETE", "/datasets/{name}", api + "/datasets/tiny")
assert [v["version"] for v in gone["removed"]] == [1], gone
send("DELETE", "/datasets/{name}", api + "/datasets/tiny", code=404)
# AutoML: a search the server runs on penguins, followed to its end; its leaderboard; refusals.
import time
started = send("POST", "/automl", api + "/automl", {"data": "penguins", "target": "species", "time_budget": 60, "max_trials": 2,
                                                    "models": ["logistic"], "parallel": 1, "experiment": "oracle-automl"}, 201)
search_id = started["search"]["id"]
assert started["search"]["request"]["data"] == "penguins:1", started
send("POST", "/automl", api + "/automl", {"data": "penguins", "target": "species", "holdout": 2}, 400)
send("POST", "/automl", api + "/automl", {"data": "no-such-data", "target": "species"}, 404)
deadline = time.time() + 120
while True:
    state = get("/automl/{id}", api + "/automl/" + search_id)["search"]
    if state["status"] not in ("queued", "running") or time.time() > deadline:
        break
    time.sleep(0.2)
assert state["status"] == "finished" and state["trials"] == 2 and state["result"]["run_id"], state
listed = get("/automl", api + "/automl?max_results=5")
assert search_id in [x["id"] for x in listed["searches"]]
get("/automl", api + "/automl?max_results=0", 400)
board = get("/automl/{id}/leaderboard", api + "/automl/" + search_id + "/leaderboard")
assert [e["rank"] for e in board["entries"]] == [1, 2] and all(e.get("run_id") for e in board["entries"]), board
get("/automl/{id}", api + "/automl/nope", 404)
send("POST", "/automl/{id}/cancel", api + "/automl/" + search_id + "/cancel", {}, 400)
send("POST", "/automl/{id}/cancel", api + "/automl/nope/cancel", {}, 404)
# Drift: a version against itself drifts nowhere; bad options are 400s.
report = send("POST", "/drift", api + "/drift", {"reference": "penguins:1", "current": "penguins"})["report"]
assert not report["dataset_drift"] and report["tested_features"] == 8 and report["drifted_features"] == 0, report
send("POST", "/drift", api + "/drift", {"reference": "penguins:1", "current": "penguins", "drift_share": 3}, 400)
send("POST", "/drift", api + "/drift", {"reference": "penguins:1", "current": "no-such-data"}, 404)
assert seen == documented, documented - seen

print(json.dumps({"ok": True, "paths": len(documented)}))
