/// The OpenAPI 3.1 description of Pulk's native API (`NativeAPI`), served at
/// `/api/pulk/v1/openapi.json`. The test suite validates the document with openapi-spec-validator
/// and every live response of the native routes against the schemas here.
enum OpenAPIDocument {
    static let json: [UInt8] = Array(text.utf8)

    static let text = #"""
    {
      "openapi": "3.1.0",
      "info": {
        "title": "Pulk native API",
        "version": "1.0.0",
        "description": "What MLflow's REST API has no word for: datasets with immutable, content-hashed versions, their profiles and lineage, registered models traced back to the exact data they were trained on, and real-time endpoints (deployments, traffic splits, rollbacks, the serving log; scoring itself is at /endpoints/NAME/score, described by its own document at /endpoints/openapi.json). MLflow's own API is served beside it under /api/2.0/mlflow/. Accounts: users with roles, API tokens, per-resource grants and the hash-chained audit trail; when the server has users every route but /openapi.json needs credentials (HTTP Basic, Bearer, or the web UI's session cookie)."
      },
      "servers": [{"url": "/api/pulk/v1"}],
      "paths": {
        "/openapi.json": {
          "get": {"operationId": "getOpenAPI", "summary": "This document.",
                  "responses": {"200": {"description": "The OpenAPI document.", "content": {"application/json": {"schema": {"type": "object"}}}}}}
        },
        "/datasets": {
          "get": {"operationId": "listDatasets", "summary": "Every dataset with its latest version.",
                  "responses": {"200": {"description": "The datasets.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DatasetList"}}}},
                                "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/datasets/{name}": {
          "parameters": [{"$ref": "#/components/parameters/DatasetName"}],
          "get": {"operationId": "getDataset", "summary": "All versions of a dataset, oldest first.",
                  "responses": {"200": {"description": "The dataset's versions.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DatasetVersions"}}}},
                                "404": {"$ref": "#/components/responses/Error"}}},
          "delete": {"operationId": "deleteDataset", "summary": "Remove every version of the dataset (admins; refused with 400 INVALID_STATE while a run, model or derived version uses one), as `pulk data rm NAME`.",
                     "responses": {"200": {"description": "The versions removed.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DatasetsRemoved"}}}},
                                   "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/datasets/{name}/versions/{version}": {
          "parameters": [{"$ref": "#/components/parameters/DatasetName"}, {"$ref": "#/components/parameters/DatasetVersion"}],
          "get": {"operationId": "getDatasetVersion", "summary": "One version with its lineage: what it was derived from and what uses it.",
                  "responses": {"200": {"description": "The version.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DatasetVersionDetail"}}}},
                                "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}},
          "delete": {"operationId": "deleteDatasetVersion", "summary": "Remove one version (admins; refused with 400 INVALID_STATE while a run, model or derived version uses it), as `pulk data rm NAME:VERSION`.",
                     "responses": {"200": {"description": "The version removed.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DatasetsRemoved"}}}},
                                   "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/datasets/{name}/versions/{version}/original": {
          "parameters": [{"$ref": "#/components/parameters/DatasetName"}, {"$ref": "#/components/parameters/DatasetVersion"}],
          "get": {"operationId": "getDatasetOriginal", "summary": "The bytes of the file the version was added from, as stored (`pulk data export --original`).",
                  "responses": {"200": {"description": "The original file.", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
                                "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/dataset-versions/{digest}": {
          "parameters": [{"name": "digest", "in": "path", "required": true, "description": "8 to 64 hex digits: the start of a version's content SHA-256 (a run input's digest).", "schema": {"type": "string", "pattern": "^[0-9a-fA-F]{8,64}$"}}],
          "get": {"operationId": "getDatasetVersionByDigest", "summary": "The version whose content SHA-256 starts with the digest: how lineage resolves a run's dataset input.",
                  "responses": {"200": {"description": "The version.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DatasetVersion"}}}},
                                "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/datasets/{name}/versions": {
          "parameters": [{"$ref": "#/components/parameters/DatasetName"},
                         {"name": "format", "in": "query", "required": false, "description": "csv or jsonl; default: from source_path's extension.", "schema": {"type": "string", "enum": ["csv", "jsonl"]}},
                         {"name": "delimiter", "in": "query", "required": false, "description": "One character, or tab, comma, semicolon, pipe; default: sniffed.", "schema": {"type": "string"}},
                         {"name": "header", "in": "query", "required": false, "description": "Whether the first row is a header; default: detected.", "schema": {"type": "boolean"}},
                         {"name": "type", "in": "query", "required": false, "description": "COL=TYPE forcing a column's type (string, float, int, bool, date, datetime, unix-seconds); repeatable.", "schema": {"type": "array", "items": {"type": "string"}}},
                         {"name": "missing", "in": "query", "required": false, "description": "A text meaning missing; repeatable (replaces the defaults).", "schema": {"type": "array", "items": {"type": "string"}}},
                         {"name": "skip_bad_rows", "in": "query", "required": false, "description": "Skip malformed rows and report each one.", "schema": {"type": "boolean"}},
                         {"name": "rename_duplicates", "in": "query", "required": false, "description": "Rename repeated column names instead of failing.", "schema": {"type": "boolean"}},
                         {"name": "max_line_size", "in": "query", "required": false, "description": "The longest accepted line in bytes.", "schema": {"type": "integer", "minimum": 1}},
                         {"name": "max_columns", "in": "query", "required": false, "description": "The most columns a file may have.", "schema": {"type": "integer", "minimum": 1}},
                         {"name": "json_arrays", "in": "query", "required": false, "description": "JSONL arrays: reject or as-text.", "schema": {"type": "string", "enum": ["reject", "as-text"]}},
                         {"name": "description", "in": "query", "required": false, "description": "A description of this version.", "schema": {"type": "string"}},
                         {"name": "derived_from", "in": "query", "required": false, "description": "NAME[:VERSION] this version was derived from (recorded as lineage).", "schema": {"type": "string"}},
                         {"name": "source_path", "in": "query", "required": false, "description": "The client's name for the file (recorded as the version's source, followed by ' (uploaded)'; never read).", "schema": {"type": "string"}}],
          "post": {"operationId": "addDatasetVersion", "summary": "Upload a CSV or JSONL file (optionally gzipped) as a new version, read with the options given, as `pulk data add` reads it. Identical content returns the existing version (200).",
                   "requestBody": {"required": true, "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
                   "responses": {"201": {"description": "The new version.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DatasetAdded"}}}},
                                 "200": {"description": "The version that already holds this content.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DatasetAdded"}}}},
                                 "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/datasets/{name}/versions/{version}/frame": {
          "parameters": [{"$ref": "#/components/parameters/DatasetName"}, {"$ref": "#/components/parameters/DatasetVersion"}],
          "get": {"operationId": "getDatasetFrame", "summary": "The version's binary columnar copy (Pulk's frame file, docs/formats.md): what `--server` clients read to get the same columns as the server.",
                  "responses": {"200": {"description": "The frame file.", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
                                "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/datasets/{name}/versions/{version}/profile": {
          "parameters": [{"$ref": "#/components/parameters/DatasetName"}, {"$ref": "#/components/parameters/DatasetVersion"},
                         {"name": "target", "in": "query", "required": false, "description": "A target column: adds class balance, association ranking and leakage checks.", "schema": {"type": "string"}},
                         {"name": "format", "in": "query", "required": false, "description": "json (the profile, as docs/profile-schema.md describes) or html (the self-contained report).", "schema": {"type": "string", "enum": ["json", "html"], "default": "json"}}],
          "get": {"operationId": "getDatasetProfile", "summary": "The version's profile: statistics, correlations, target association, warnings.",
                  "responses": {"200": {"description": "The profile.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Profile"}}, "text/html": {"schema": {"type": "string"}}}},
                                "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/models": {
          "get": {"operationId": "listModels", "summary": "Registered models (MLflow's search grammar in filter).",
                  "parameters": [{"name": "filter", "in": "query", "required": false, "schema": {"type": "string"}, "description": "e.g. name LIKE 'churn%' AND tags.team = 'ml'"},
                                 {"name": "order_by", "in": "query", "required": false, "schema": {"type": "string"}},
                                 {"name": "max_results", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}},
                                 {"name": "page_token", "in": "query", "required": false, "schema": {"type": "string"}}],
                  "responses": {"200": {"description": "One page of models.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ModelList"}}}},
                                "400": {"$ref": "#/components/responses/Error"}}}
        },
        "/models/{name}": {
          "parameters": [{"$ref": "#/components/parameters/ModelName"}],
          "get": {"operationId": "getModel", "summary": "A registered model with all its versions.",
                  "responses": {"200": {"description": "The model.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ModelDetail"}}}},
                                "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/models/{name}/aliases/history": {
          "parameters": [{"$ref": "#/components/parameters/ModelName"},
                         {"name": "alias", "in": "query", "required": false, "schema": {"type": "string"}, "description": "Only this alias's moves."}],
          "get": {"operationId": "getAliasHistory", "summary": "Every move of the model's aliases, oldest first: who pointed which alias at which version, and when.",
                  "responses": {"200": {"description": "The moves.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AliasHistory"}}}},
                                "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/models/{name}/versions/{version}/lineage": {
          "parameters": [{"$ref": "#/components/parameters/ModelName"},
                         {"name": "version", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[0-9]+$"}}],
          "get": {"operationId": "getModelVersionLineage", "summary": "Model version → logged model → run → the datasets it read → the workspace version with that content hash and its source file.",
                  "responses": {"200": {"description": "The lineage.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Lineage"}}}},
                                "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/endpoints": {
          "get": {"operationId": "listEndpoints", "summary": "Every endpoint with its deployments and traffic split.",
                  "responses": {"200": {"description": "The endpoints.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EndpointList"}}}}}},
          "post": {"operationId": "createEndpoint", "summary": "Create an endpoint (then deploy a model to it).",
                   "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EndpointCreate"}}}},
                   "responses": {"201": {"description": "The new endpoint.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EndpointOne"}}}},
                                 "400": {"$ref": "#/components/responses/Error"}}}
        },
        "/endpoints/{name}": {
          "parameters": [{"$ref": "#/components/parameters/EndpointName"}],
          "get": {"operationId": "getEndpoint", "summary": "An endpoint with the history of its changes, oldest first.",
                  "responses": {"200": {"description": "The endpoint.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EndpointDetail"}}}},
                                "404": {"$ref": "#/components/responses/Error"}}},
          "delete": {"operationId": "deleteEndpoint", "summary": "Delete an endpoint; servers stop answering it within a second.",
                     "responses": {"200": {"description": "Deleted.", "content": {"application/json": {"schema": {"type": "object"}}}},
                                   "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/endpoints/{name}/settings": {
          "parameters": [{"$ref": "#/components/parameters/EndpointName"}],
          "patch": {"operationId": "updateEndpointSettings", "summary": "Change the settings given; the others stay.",
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SettingsChange"}}}},
                    "responses": {"200": {"description": "The endpoint.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EndpointOne"}}}},
                                  "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/endpoints/{name}/deploy": {
          "parameters": [{"$ref": "#/components/parameters/EndpointName"}],
          "post": {"operationId": "deploy", "summary": "Put a registered version behind the endpoint (created when missing). MODEL@ALIAS follows the alias. The model file is loaded and checked first: a version Pulk cannot serve is refused.",
                   "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DeployRequest"}}}},
                   "responses": {"200": {"description": "The endpoint after the change.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Deployed"}}}},
                                 "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/endpoints/{name}/traffic": {
          "parameters": [{"$ref": "#/components/parameters/EndpointName"}],
          "post": {"operationId": "setTraffic", "summary": "Set the traffic split (live shares add up to 100; deployments not named take none) and mirrors.",
                   "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TrafficChange"}}}},
                   "responses": {"200": {"description": "The endpoint after the change.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EndpointChanged"}}}},
                                 "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/endpoints/{name}/rollback": {
          "parameters": [{"$ref": "#/components/parameters/EndpointName"}],
          "post": {"operationId": "rollback", "summary": "Restore the deployments and traffic before the last change.",
                   "responses": {"200": {"description": "The endpoint and the change whose state it restored.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RolledBack"}}}},
                                 "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"}}}
        },
        "/endpoints/{name}/deployments/{deployment}": {
          "parameters": [{"$ref": "#/components/parameters/EndpointName"}, {"name": "deployment", "in": "path", "required": true, "schema": {"type": "string"}}],
          "delete": {"operationId": "removeDeployment", "summary": "Remove one deployment, which must take no live traffic.",
                     "responses": {"200": {"description": "The endpoint.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EndpointOne"}}}},
                                   "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"}}}
        },
        "/endpoints/{name}/logs": {
          "parameters": [{"$ref": "#/components/parameters/EndpointName"},
                         {"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 20}}],
          "get": {"operationId": "getServingLog", "summary": "The newest entries of the endpoint's serving log (sampled requests and answers), newest first.",
                  "responses": {"200": {"description": "The entries.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ServingLog"}}}},
                                "400": {"$ref": "#/components/responses/Error"}}}
        },
        "/endpoints/{name}/tokens": {
          "parameters": [{"$ref": "#/components/parameters/EndpointName"}],
          "post": {"operationId": "createScoringToken", "summary": "A scoring token for the endpoint: once it has one, scoring needs one (Authorization: Bearer SECRET). The secret is in this answer only.",
                   "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 100}}}}}},
                   "responses": {"201": {"description": "The token and its secret.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewScoringToken"}}}},
                                 "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/endpoints/{name}/tokens/{id}": {
          "parameters": [{"$ref": "#/components/parameters/EndpointName"}, {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
          "delete": {"operationId": "revokeScoringToken", "summary": "Remove a scoring token.",
                     "responses": {"200": {"description": "The endpoint.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EndpointOne"}}}},
                                   "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/whoami": {
          "get": {"operationId": "whoami", "summary": "Who the credentials sent belong to, and whether the server checks them at all.",
                  "responses": {"200": {"description": "The caller.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/WhoAmI"}}}}, "401": {"$ref": "#/components/responses/Error"}}}
        },
        "/users": {
          "get": {"operationId": "listUsers", "summary": "Users and their roles (an admin sees all, others themselves).",
                  "responses": {"200": {"description": "The users.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/UserList"}}}}, "401": {"$ref": "#/components/responses/Error"}}},
          "post": {"operationId": "createUser", "summary": "Add a user (admins). Refused on an open server: the first admin is made with `pulk users add` on its machine.",
                   "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["name", "password"],
                     "properties": {"name": {"type": "string"}, "password": {"type": "string", "minLength": 8}, "role": {"$ref": "#/components/schemas/Role"}}}}}},
                   "responses": {"201": {"description": "The user.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/UserOne"}}}},
                                 "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}}}
        },
        "/users/{user}": {
          "parameters": [{"name": "user", "in": "path", "required": true, "schema": {"type": "string"}}],
          "patch": {"operationId": "updateUser", "summary": "Change a user's role (admins) or password (admins, or the user); a new password ends the user's web sessions.",
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object",
                      "properties": {"role": {"$ref": "#/components/schemas/Role"}, "password": {"type": "string", "minLength": 8}}}}}},
                    "responses": {"200": {"description": "The user.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/UserOne"}}}},
                                  "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}},
          "delete": {"operationId": "deleteUser", "summary": "Remove a user (admins); their tokens are revoked. The last admin cannot be removed.",
                     "responses": {"200": {"description": "Removed.", "content": {"application/json": {"schema": {"type": "object"}}}}, "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/tokens": {
          "parameters": [{"name": "user", "in": "query", "required": false, "description": "Only this user's tokens (admins).", "schema": {"type": "string"}}],
          "get": {"operationId": "listTokens", "summary": "API tokens: the caller's, or anyone's for an admin. Secrets are never shown again.",
                  "responses": {"200": {"description": "The tokens.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TokenList"}}}}, "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}}},
          "post": {"operationId": "createToken", "summary": "A new API token for the caller (or, for an admin, any user). The secret is in this answer only.",
                   "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object",
                     "properties": {"user": {"type": "string"}, "name": {"type": "string", "minLength": 1, "maxLength": 100}, "expires_in_days": {"type": "integer", "minimum": 1, "maximum": 3650}}}}}},
                   "responses": {"201": {"description": "The token and its secret.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewToken"}}}},
                                 "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/tokens/{id}": {
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
          "delete": {"operationId": "revokeToken", "summary": "Revoke a token (one's own, or any for an admin).",
                     "responses": {"200": {"description": "The revoked token.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TokenOne"}}}},
                                   "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/grants": {
          "get": {"operationId": "listGrants", "summary": "Permissions on single resources: the caller's, or anyone's for an admin.",
                  "parameters": [{"name": "user", "in": "query", "required": false, "schema": {"type": "string"}}],
                  "responses": {"200": {"description": "The grants.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/GrantList"}}}}, "401": {"$ref": "#/components/responses/Error"}}},
          "put": {"operationId": "setGrant", "summary": "Give a user a permission on one experiment, registered model or endpoint (admins).",
                  "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Grant"}}}},
                  "responses": {"200": {"description": "The grant.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/GrantOne"}}}},
                                "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}},
          "delete": {"operationId": "deleteGrant", "summary": "Remove a grant (admins); the user's role decides again.",
                     "parameters": [{"name": "user", "in": "query", "required": true, "schema": {"type": "string"}},
                                    {"name": "kind", "in": "query", "required": true, "schema": {"$ref": "#/components/schemas/ResourceKind"}},
                                    {"name": "resource", "in": "query", "required": true, "schema": {"type": "string"}}],
                     "responses": {"200": {"description": "Removed.", "content": {"application/json": {"schema": {"type": "object"}}}}, "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/audit": {
          "get": {"operationId": "listAudit", "summary": "The audit trail (admins): every change with its actor, time, resource and state before and after, oldest first, hash-chained.",
                  "parameters": [{"name": "after", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 0, "default": 0}},
                                 {"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 100}},
                                 {"name": "actor", "in": "query", "required": false, "schema": {"type": "string"}},
                                 {"name": "resource", "in": "query", "required": false, "schema": {"type": "string"}}],
                  "responses": {"200": {"description": "Entries; next_after when more follow.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AuditPage"}}}},
                                "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}}}
        },
        "/audit/verify": {
          "get": {"operationId": "verifyAudit", "summary": "Walk the whole chain (admins): intact, or the first entry changed or missing. Keep `head` elsewhere to also detect entries cut off the end.",
                  "responses": {"200": {"description": "The check.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AuditCheck"}}}}, "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}}}
        }
      },
      "components": {
        "securitySchemes": {
          "basic": {"type": "http", "scheme": "basic", "description": "A user's name and password, or a token as the password (MLFLOW_TRACKING_USERNAME/PASSWORD)."},
          "bearer": {"type": "http", "scheme": "bearer", "description": "An API token (PULK_TOKEN, MLFLOW_TRACKING_TOKEN)."},
          "session": {"type": "apiKey", "in": "cookie", "name": "pulk_session", "description": "The web UI's sign-in (POST /login)."}
        },
        "parameters": {
          "DatasetName": {"name": "name", "in": "path", "required": true, "schema": {"type": "string"}},
          "DatasetVersion": {"name": "version", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[0-9]+$"}},
          "ModelName": {"name": "name", "in": "path", "required": true, "schema": {"type": "string"}},
          "EndpointName": {"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}
        },
        "responses": {
          "Error": {"description": "What was wrong and how to fix it.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        },
        "schemas": {
          "EndpointSettings": {"type": "object", "required": ["max_concurrency", "max_rows", "unseen_categories", "log_sample", "log_retention"],
                               "properties": {"max_concurrency": {"type": "integer", "minimum": 1}, "max_rows": {"type": "integer", "minimum": 1},
                                              "unseen_categories": {"enum": ["allow", "reject"]}, "log_sample": {"type": "number", "minimum": 0, "maximum": 1},
                                              "log_retention": {"type": "integer", "minimum": 0},
                                              "tokens": {"type": "array", "items": {"$ref": "#/components/schemas/ScoringToken"}}}},
          "SettingsChange": {"type": "object", "properties": {"max_concurrency": {"type": "integer"}, "max_rows": {"type": "integer"},
                                                              "unseen_categories": {"type": "string"}, "log_sample": {"type": "number"}, "log_retention": {"type": "integer"}}},
          "Deployment": {"type": "object", "required": ["name", "model", "reference", "version", "traffic", "mirror", "max_batch", "max_wait_micros"],
                         "properties": {"name": {"type": "string"}, "model": {"type": "string"},
                                        "reference": {"type": "string", "description": "@ALIAS (follows the alias) or a version number."},
                                        "version": {"type": "string"}, "traffic": {"type": "integer", "minimum": 0, "maximum": 100},
                                        "mirror": {"type": "integer", "minimum": 0, "maximum": 100}, "max_batch": {"type": "integer"}, "max_wait_micros": {"type": "integer"}}},
          "Endpoint": {"type": "object", "required": ["name", "description", "settings", "deployments", "generation", "creation_time", "last_updated_time"],
                       "properties": {"name": {"type": "string"}, "description": {"type": "string"}, "settings": {"$ref": "#/components/schemas/EndpointSettings"},
                                      "deployments": {"type": "array", "items": {"$ref": "#/components/schemas/Deployment"}}, "generation": {"type": "integer"},
                                      "creation_time": {"type": "integer"}, "last_updated_time": {"type": "integer"}}},
          "EndpointEvent": {"type": "object", "required": ["sequence", "endpoint", "time", "user", "kind", "message", "deployments"],
                            "properties": {"sequence": {"type": "integer"}, "endpoint": {"type": "string"}, "time": {"type": "integer"}, "user": {"type": "string"},
                                           "kind": {"enum": ["create", "deploy", "traffic", "remove", "rollback", "alias", "settings"]}, "message": {"type": "string"},
                                           "deployments": {"type": "array", "items": {"$ref": "#/components/schemas/Deployment"}}}},
          "EndpointList": {"type": "object", "required": ["endpoints"], "properties": {"endpoints": {"type": "array", "items": {"$ref": "#/components/schemas/Endpoint"}}}},
          "EndpointOne": {"type": "object", "required": ["endpoint"], "properties": {"endpoint": {"$ref": "#/components/schemas/Endpoint"}}},
          "EndpointDetail": {"type": "object", "required": ["endpoint", "events"],
                             "properties": {"endpoint": {"$ref": "#/components/schemas/Endpoint"}, "events": {"type": "array", "items": {"$ref": "#/components/schemas/EndpointEvent"}}}},
          "EndpointCreate": {"type": "object", "required": ["name"],
                             "properties": {"name": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"}, "description": {"type": "string"},
                                            "settings": {"$ref": "#/components/schemas/EndpointSettings"}}},
          "DeployRequest": {"type": "object", "required": ["model"],
                            "properties": {"model": {"type": "string", "description": "MODEL@ALIAS or MODEL:VERSION."}, "deployment": {"type": "string", "default": "blue"},
                                           "traffic": {"type": "integer"}, "mirror": {"type": "integer"}, "max_batch": {"type": "integer", "default": 0},
                                           "max_wait_micros": {"type": "integer", "default": 1000}}},
          "Deployed": {"type": "object", "required": ["endpoint", "created", "message"],
                       "properties": {"endpoint": {"$ref": "#/components/schemas/Endpoint"}, "created": {"type": "boolean"}, "message": {"type": "string"}}},
          "TrafficChange": {"type": "object", "properties": {"traffic": {"type": "object", "additionalProperties": {"type": "integer"}},
                                                             "mirror": {"type": "object", "additionalProperties": {"type": "integer"}}}},
          "EndpointChanged": {"type": "object", "required": ["endpoint", "message"],
                              "properties": {"endpoint": {"$ref": "#/components/schemas/Endpoint"}, "message": {"type": "string"}}},
          "RolledBack": {"type": "object", "required": ["endpoint", "restored"],
                         "properties": {"endpoint": {"$ref": "#/components/schemas/Endpoint"}, "restored": {"$ref": "#/components/schemas/EndpointEvent"}}},
          "ServingLogEntry": {"type": "object", "required": ["endpoint", "deployment", "model", "version", "time", "request_id", "status", "latency_micros", "shadow", "rows", "input", "output"],
                              "properties": {"endpoint": {"type": "string"}, "deployment": {"type": "string"}, "model": {"type": "string"}, "version": {"type": "string"},
                                             "time": {"type": "integer"}, "request_id": {"type": "string"}, "status": {"type": "integer"}, "latency_micros": {"type": "integer"},
                                             "shadow": {"type": "boolean"}, "rows": {"type": "integer"}, "input": {"type": "string"}, "output": {"type": "string"}}},
          "ServingLog": {"type": "object", "required": ["entries"], "properties": {"entries": {"type": "array", "items": {"$ref": "#/components/schemas/ServingLogEntry"}}}},
          "Role": {"enum": ["reader", "contributor", "deployer", "admin"]},
          "ResourceKind": {"enum": ["experiment", "registered_model", "endpoint"]},
          "Permission": {"enum": ["NO_PERMISSIONS", "READ", "USE", "EDIT", "MANAGE"]},
          "WhoAmI": {"type": "object", "required": ["authentication"], "properties": {"authentication": {"enum": ["on", "off"]}, "user": {"type": "string"},
                     "role": {"$ref": "#/components/schemas/Role"}, "method": {"enum": ["password", "token", "session", "local"]}}},
          "User": {"type": "object", "required": ["name", "role", "creation_time", "last_updated_time"],
                   "properties": {"name": {"type": "string"}, "role": {"$ref": "#/components/schemas/Role"}, "creation_time": {"type": "integer"}, "last_updated_time": {"type": "integer"}}},
          "UserOne": {"type": "object", "required": ["user"], "properties": {"user": {"$ref": "#/components/schemas/User"}}},
          "UserList": {"type": "object", "required": ["users"], "properties": {"users": {"type": "array", "items": {"$ref": "#/components/schemas/User"}}}},
          "Token": {"type": "object", "required": ["id", "user", "name", "creation_time", "active"],
                    "properties": {"id": {"type": "string"}, "user": {"type": "string"}, "name": {"type": "string"}, "creation_time": {"type": "integer"},
                                   "expires_time": {"type": "integer"}, "revoked_time": {"type": "integer"}, "active": {"type": "boolean"}}},
          "TokenOne": {"type": "object", "required": ["token"], "properties": {"token": {"$ref": "#/components/schemas/Token"}}},
          "TokenList": {"type": "object", "required": ["tokens"], "properties": {"tokens": {"type": "array", "items": {"$ref": "#/components/schemas/Token"}}}},
          "NewToken": {"type": "object", "required": ["token", "secret"], "properties": {"token": {"$ref": "#/components/schemas/Token"}, "secret": {"type": "string", "pattern": "^pulk_"}}},
          "ScoringToken": {"type": "object", "required": ["id", "name", "secret_hash", "creation_time"],
                           "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "secret_hash": {"type": "string"}, "creation_time": {"type": "integer"}}},
          "NewScoringToken": {"type": "object", "required": ["token", "secret"], "properties": {"token": {"$ref": "#/components/schemas/ScoringToken"}, "secret": {"type": "string"}}},
          "Grant": {"type": "object", "required": ["user", "kind", "resource", "permission"],
                    "properties": {"user": {"type": "string"}, "kind": {"$ref": "#/components/schemas/ResourceKind"}, "resource": {"type": "string"}, "permission": {"$ref": "#/components/schemas/Permission"}}},
          "GrantOne": {"type": "object", "required": ["grant"], "properties": {"grant": {"$ref": "#/components/schemas/Grant"}}},
          "GrantList": {"type": "object", "required": ["grants"], "properties": {"grants": {"type": "array", "items": {"$ref": "#/components/schemas/Grant"}}}},
          "AuditEntry": {"type": "object", "required": ["sequence", "time", "actor", "action", "resource_kind", "resource", "before", "after", "previous_hash", "hash"],
                         "properties": {"sequence": {"type": "integer"}, "time": {"type": "integer"}, "actor": {"type": "string"}, "action": {"type": "string"},
                                        "resource_kind": {"type": "string"}, "resource": {"type": "string"}, "before": {"type": "string", "description": "The resource before, as JSON text ('' when none or not kept)."},
                                        "after": {"type": "string", "description": "The resource after, or what was sent, as JSON text."},
                                        "previous_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"}, "hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}},
          "AuditPage": {"type": "object", "required": ["entries"], "properties": {"entries": {"type": "array", "items": {"$ref": "#/components/schemas/AuditEntry"}}, "next_after": {"type": "integer"}}},
          "AuditCheck": {"type": "object", "required": ["entries", "intact", "head"],
                         "properties": {"entries": {"type": "integer"}, "intact": {"type": "boolean"}, "head": {"type": "string"}, "first_broken": {"type": "integer"}, "problem": {"type": "string"}}},
          "Error": {"type": "object", "required": ["error_code", "message"],
                    "properties": {"error_code": {"type": "string", "examples": ["RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE"]}, "message": {"type": "string"}}},
          "DatasetSummary": {"type": "object", "required": ["name", "version_count", "latest_version", "latest_row_count", "created_at", "updated_at"],
                             "properties": {"name": {"type": "string"}, "description": {"type": "string"}, "version_count": {"type": "integer"},
                                            "latest_version": {"type": "integer"}, "latest_row_count": {"type": "integer"},
                                            "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"}}},
          "DatasetsRemoved": {"type": "object", "required": ["removed"], "properties": {"removed": {"type": "array", "items": {"$ref": "#/components/schemas/DatasetVersion"}}}},
          "DatasetList": {"type": "object", "required": ["datasets"], "properties": {"datasets": {"type": "array", "items": {"$ref": "#/components/schemas/DatasetSummary"}}}},
          "DatasetVersion": {"type": "object",
                             "required": ["name", "version", "content_sha256", "frame_sha256", "format", "source_path", "size_bytes", "row_count", "column_count", "schema", "created_at"],
                             "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "version": {"type": "integer", "minimum": 1},
                                            "content_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"}, "frame_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                                            "format": {"type": "string", "enum": ["csv", "jsonl"]}, "source_path": {"type": "string"},
                                            "size_bytes": {"type": "integer"}, "row_count": {"type": "integer"}, "column_count": {"type": "integer"},
                                            "schema": {"type": "object"}, "read_options": {"type": "object", "additionalProperties": {"type": "string"}},
                                            "description": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"}}},
          "DatasetVersions": {"type": "object", "required": ["name", "versions"],
                              "properties": {"name": {"type": "string"}, "versions": {"type": "array", "items": {"$ref": "#/components/schemas/DatasetVersion"}}}},
          "DatasetUse": {"type": "object", "required": ["kind", "referrer", "created_at"],
                         "properties": {"kind": {"type": "string"}, "referrer": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"}}},
          "DatasetAdded": {"type": "object", "required": ["version", "created", "skipped_rows"],
                           "properties": {"version": {"$ref": "#/components/schemas/DatasetVersion"}, "created": {"type": "boolean"},
                                          "skipped_rows": {"type": "array", "items": {"type": "object", "required": ["line", "reason"],
                                                                                       "properties": {"line": {"type": "integer"}, "reason": {"type": "string"}}}}}},
          "DatasetVersionDetail": {"type": "object", "required": ["version", "derived_from", "used_by"],
                                   "properties": {"version": {"$ref": "#/components/schemas/DatasetVersion"},
                                                  "derived_from": {"type": "array", "items": {"type": "string"}},
                                                  "used_by": {"type": "array", "items": {"$ref": "#/components/schemas/DatasetUse"}}}},
          "Profile": {"type": "object", "required": ["columns", "summary", "warnings"], "description": "docs/profile-schema.md describes every field."},
          "Tag": {"type": "object", "required": ["key", "value"], "properties": {"key": {"type": "string"}, "value": {"type": "string"}}},
          "ModelVersion": {"type": "object", "required": ["name", "version", "creation_timestamp", "current_stage", "source", "status", "tags", "aliases"],
                           "properties": {"name": {"type": "string"}, "version": {"type": "string"}, "creation_timestamp": {"type": "integer"},
                                          "last_updated_timestamp": {"type": "integer"}, "user_id": {"type": "string"},
                                          "current_stage": {"type": "string", "enum": ["None", "Staging", "Production", "Archived"]},
                                          "description": {"type": "string"}, "source": {"type": "string"}, "run_id": {"type": "string"},
                                          "run_link": {"type": "string"}, "status": {"type": "string"}, "model_id": {"type": "string"},
                                          "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
                                          "aliases": {"type": "array", "items": {"type": "string"}}}},
          "RegisteredModel": {"type": "object", "required": ["name", "creation_timestamp", "latest_versions", "tags", "aliases"],
                              "properties": {"name": {"type": "string"}, "creation_timestamp": {"type": "integer"}, "last_updated_timestamp": {"type": "integer"},
                                             "user_id": {"type": "string"}, "description": {"type": "string"},
                                             "latest_versions": {"type": "array", "items": {"$ref": "#/components/schemas/ModelVersion"}},
                                             "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
                                             "aliases": {"type": "array", "items": {"type": "object", "required": ["alias", "version"],
                                                                                    "properties": {"alias": {"type": "string"}, "version": {"type": "string"}}}}}},
          "ModelList": {"type": "object", "required": ["models"],
                        "properties": {"models": {"type": "array", "items": {"$ref": "#/components/schemas/RegisteredModel"}}, "next_page_token": {"type": "string"}}},
          "ModelDetail": {"type": "object", "required": ["model", "versions"],
                          "properties": {"model": {"$ref": "#/components/schemas/RegisteredModel"},
                                         "versions": {"type": "array", "items": {"$ref": "#/components/schemas/ModelVersion"}}}},
          "AliasMove": {"type": "object", "required": ["sequence", "name", "alias", "user", "time"],
                        "properties": {"sequence": {"type": "integer"}, "name": {"type": "string"}, "alias": {"type": "string"},
                                       "from_version": {"type": "string", "description": "Absent when the alias was new."},
                                       "to_version": {"type": "string", "description": "Absent when the alias was deleted."},
                                       "user": {"type": "string", "description": "The HTTP Basic user name of the request that moved it (empty when none)."},
                                       "time": {"type": "integer", "description": "Milliseconds since 1970."}}},
          "AliasHistory": {"type": "object", "required": ["moves"], "properties": {"moves": {"type": "array", "items": {"$ref": "#/components/schemas/AliasMove"}}}},
          "LineageDataset": {"type": "object", "required": ["dataset", "tags", "context"],
                             "properties": {"dataset": {"type": "object", "required": ["name", "digest", "source_type", "source"],
                                                        "properties": {"name": {"type": "string"}, "digest": {"type": "string"}, "source_type": {"type": "string"},
                                                                       "source": {"type": "string"}, "schema": {"type": "string"}, "profile": {"type": "string"}}},
                                            "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
                                            "context": {"type": "string", "description": "mlflow.data.context: training, evaluation, …"},
                                            "workspace_version": {"$ref": "#/components/schemas/DatasetVersion"}}},
          "Lineage": {"type": "object", "required": ["model_version", "datasets"],
                      "properties": {"model_version": {"$ref": "#/components/schemas/ModelVersion"},
                                     "logged_model": {"type": "object", "required": ["model_id", "artifact_uri"],
                                                      "properties": {"model_id": {"type": "string"}, "name": {"type": "string"}, "artifact_uri": {"type": "string"},
                                                                     "source_run_id": {"type": "string"}}},
                                     "run": {"type": "object", "required": ["run_id", "experiment_id"],
                                             "properties": {"run_id": {"type": "string"}, "run_name": {"type": "string"}, "experiment_id": {"type": "string"},
                                                            "status": {"type": "string"}, "start_time": {"type": "integer"}}},
                                     "datasets": {"type": "array", "items": {"$ref": "#/components/schemas/LineageDataset"}}}}
        }
      }
    }
    """#
}
