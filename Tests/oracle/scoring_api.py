"""The scoring API against its own OpenAPI 3.1 document (/endpoints/openapi.json), on a live
`pulk server` with a deployed endpoint named penguins (a penguins species classifier). Validates the
document, then the answers of every documented route against its schemas.
usage: scoring_api.py URL [TOKEN]  (TOKEN: an admin's API token when the server has accounts)"""
import json
import sys
import urllib.error
import urllib.request

from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource

base = sys.argv[1]
token = sys.argv[2] if len(sys.argv) > 2 else None


def call(method, url, body=None, content_type="application/json", auth=True):
    headers = {"Content-Type": content_type} if body is not None else {}
    if token and auth:
        headers["Authorization"] = "Bearer " + token
    req = urllib.request.Request(url, method=method, data=body, headers=headers)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.headers.get("Content-Type"), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read()


# The scoring API's own document: valid, and its answers (penguins is deployed) fit its schemas.
status, _, raw = call("GET", base + "/endpoints/openapi.json", auth=False)
assert status == 200, status
scoring = json.loads(raw)
validate(scoring)
scoring_registry = Registry().with_resource("urn:scoring", Resource.from_contents({"$schema": "https://json-schema.org/draft/2020-12/schema", **scoring}))


def scored(path, method, body, code, content_type="application/json"):
    data = None if method == "GET" else (body if isinstance(body, bytes) else json.dumps(body).encode())
    status, _, raw = call(method, base + path, data, content_type)
    assert status == code, (path, status, raw[:300])
    template = "/endpoints/{name}" + path[path.rindex("/"):] if path != "/endpoints" else path
    response = scoring["paths"][template][method.lower()]["responses"][str(code)]
    if "$ref" in response:
        response = scoring["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    schema = response["content"]["application/json"]["schema"]
    Draft202012Validator({"$ref": "urn:scoring" + schema["$ref"]}, registry=scoring_registry).validate(json.loads(raw))
    return json.loads(raw)


row = scoring["components"]["requestBodies"]["Rows"]["content"]["application/json"]["example"]
answer = scored("/endpoints/penguins/score", "POST", row, 200)
assert answer["deployment"] and len(answer["probabilities"][0]) == len(answer["classes"]), answer
scored("/endpoints/penguins/invocations", "POST", {"dataframe_records": row["records"]}, 200)
csv = scoring["components"]["requestBodies"]["Rows"]["content"]["text/csv"]["example"].encode()
scored("/endpoints/penguins/score", "POST", csv, 200, content_type="text/csv")
refused = scored("/endpoints/penguins/score", "POST", {"records": [{"island": 3}]}, 400)
assert refused["problems"], refused
scored("/endpoints/nope/score", "POST", row, 404)
fed = scored("/endpoints/penguins/feedback", "POST", {"feedback": [{"request_id": answer["request_id"], "truth": "Adelie"}]}, 200)
assert fed == {"added": 1, "received": 1}, fed
scored("/endpoints/penguins/feedback", "POST", {"feedback": [{"truth": "Adelie"}]}, 400)
scored("/endpoints/nope/feedback", "POST", {"feedback": []}, 404)
scored("/endpoints/penguins/ready", "GET", b"", 200)
listed = scored("/endpoints", "GET", b"", 200)
assert [e["name"] for e in listed["endpoints"]] == ["penguins"], listed
print(json.dumps({"ok": True, "paths": len(scoring["paths"])}))
