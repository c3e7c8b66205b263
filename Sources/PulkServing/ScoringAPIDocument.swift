/// The OpenAPI 3.1 description of the scoring API (`ServingRoutes`), served at
/// `/endpoints/openapi.json` by `pulk server` and `pulk serve`. The test suite runs schemathesis over
/// it with the response-schema and status-code checks, so every answer it documents is what the
/// routes send.
enum ScoringAPIDocument {
    static let json: [UInt8] = Array(text.utf8)

    static let text = #"""
    {
      "openapi": "3.1.0",
      "info": {
        "title": "Pulk scoring API",
        "version": "1.0.0",
        "description": "Real-time scoring of Pulk's endpoints: Pulk's answer at /endpoints/NAME/score, MLflow's scoring protocol at /endpoints/NAME/invocations. `pulk serve` also answers its one endpoint at /score, /invocations, /ready and /ping. An endpoint with scoring tokens needs one (Bearer, or Basic with the token as the password); on a `pulk server` with users, a user's credentials with USE on the endpoint do too. Managing endpoints (deployments, traffic, the serving log) is the native API's: /api/pulk/v1/openapi.json."
      },
      "servers": [{"url": "/"}],
      "security": [{}, {"bearer": []}, {"basic": []}],
      "paths": {
        "/endpoints": {
          "get": {"operationId": "listServingEndpoints", "summary": "Every endpoint this process serves, ready or not, with its deployments and, for one that cannot serve, why.",
                  "responses": {"200": {"description": "The endpoints.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EndpointList"}}}},
                                "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}}}
        },
        "/endpoints/{name}/feedback": {
          "parameters": [{"$ref": "#/components/parameters/Endpoint"}],
          "post": {"operationId": "feedback", "summary": "The true values of rows of answered requests, by the request_id each answer carries (and the row within the request, 0 by default), with the credentials that may score the endpoint. A later value for the same request and row replaces the earlier one; the server's drift monitors report realized performance from them.",
                   "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["feedback"], "properties": {"feedback": {"type": "array", "items": {
                     "type": "object", "required": ["request_id", "truth"], "properties": {"request_id": {"type": "string", "minLength": 1, "maxLength": 200}, "row": {"type": "integer", "minimum": 0},
                                                                                             "truth": {"type": ["string", "number", "boolean"]}}}}}},
                                                                      "example": {"feedback": [{"request_id": "3f1c…", "truth": "Adelie"}]}}}},
                   "responses": {"200": {"description": "How many were new.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FeedbackAdded"}}}},
                                 "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
                                 "403": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}, "413": {"$ref": "#/components/responses/Error"}}}
        },
        "/endpoints/{name}/ready": {
          "parameters": [{"$ref": "#/components/parameters/Endpoint"}],
          "get": {"operationId": "endpointReady", "summary": "200 when a deployment with a loaded model takes traffic, else 503 (a readiness probe).",
                  "responses": {"200": {"description": "Ready.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EndpointState"}}}},
                                "404": {"$ref": "#/components/responses/Error"},
                                "503": {"description": "Not ready: no deployment takes traffic, or its model did not load (see problem).", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EndpointState"}}}}}}
        },
        "/endpoints/{name}/score": {
          "parameters": [{"$ref": "#/components/parameters/Endpoint"}, {"$ref": "#/components/parameters/RequestId"}],
          "post": {"operationId": "score", "summary": "Predictions for the rows sent, with class probabilities for classifiers and who answered (deployment, model version, request id).",
                   "requestBody": {"$ref": "#/components/requestBodies/Rows"},
                   "responses": {"200": {"description": "One prediction per row.", "headers": {"X-Request-ID": {"$ref": "#/components/headers/RequestId"}, "X-Pulk-Deployment": {"$ref": "#/components/headers/Deployment"}, "X-Pulk-Model-Version": {"$ref": "#/components/headers/ModelVersion"}},
                                         "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScoreResponse"}}}},
                                 "400": {"$ref": "#/components/responses/Refused"}, "401": {"$ref": "#/components/responses/Error"},
                                 "403": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"},
                                 "413": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/Busy"},
                                 "503": {"$ref": "#/components/responses/Busy"}}}
        },
        "/endpoints/{name}/invocations": {
          "parameters": [{"$ref": "#/components/parameters/Endpoint"}, {"$ref": "#/components/parameters/RequestId"}],
          "post": {"operationId": "invocations", "summary": "MLflow's scoring protocol (what `mlflow models serve` answers): {\"predictions\": [...]}, class labels for classifiers.",
                   "requestBody": {"$ref": "#/components/requestBodies/Rows"},
                   "responses": {"200": {"description": "One prediction per row.", "headers": {"X-Request-ID": {"$ref": "#/components/headers/RequestId"}, "X-Pulk-Deployment": {"$ref": "#/components/headers/Deployment"}, "X-Pulk-Model-Version": {"$ref": "#/components/headers/ModelVersion"}},
                                         "content": {"application/json": {"schema": {"$ref": "#/components/schemas/InvocationsResponse"}}}},
                                 "400": {"$ref": "#/components/responses/Refused"}, "401": {"$ref": "#/components/responses/Error"},
                                 "403": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"},
                                 "413": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/Busy"},
                                 "503": {"$ref": "#/components/responses/Busy"}}}
        }
      },
      "components": {
        "securitySchemes": {
          "bearer": {"type": "http", "scheme": "bearer", "description": "One of the endpoint's scoring tokens, or (on pulk server) a user's API token."},
          "basic": {"type": "http", "scheme": "basic", "description": "A scoring token as the password (what MLflow's client sends), or a user's password or token."}
        },
        "parameters": {
          "Endpoint": {"name": "name", "in": "path", "required": true, "description": "The endpoint's name.", "schema": {"type": "string", "example": "penguins"}},
          "RequestId": {"name": "X-Request-ID", "in": "header", "required": false, "description": "Your id for the request, echoed back and kept in the serving log (else one is made).",
                        "schema": {"type": "string"}}
        },
        "headers": {
          "RequestId": {"description": "The request's id.", "schema": {"type": "string"}},
          "Deployment": {"description": "The deployment that answered.", "schema": {"type": "string"}},
          "ModelVersion": {"description": "The registered model version that answered.", "schema": {"type": "string"}}
        },
        "requestBodies": {
          "Rows": {
            "required": true,
            "description": "The rows to score: Pulk's shapes (records, columns and data, or a bare array of records), MLflow's (dataframe_split, dataframe_records, instances, inputs; params is ignored), or CSV with a header line.",
            "content": {
              "application/json": {"schema": {"$ref": "#/components/schemas/Rows"},
                                   "example": {"records": [{"island": "Biscoe", "bill_length_mm": 45.2, "bill_depth_mm": 14.8, "flipper_length_mm": 212, "body_mass_g": 5200, "sex": "female", "year": 2008}]}},
              "text/csv": {"schema": {"type": "string"}, "example": "island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year\nBiscoe,45.2,14.8,212,5200,female,2008\n"}
            }
          }
        },
        "responses": {
          "Error": {"description": "Refused; the message says why and what to do.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "Refused": {"description": "The body is not a shape the endpoint reads, or its rows do not fit the model's schema: every problem is listed, by column and row.",
                      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "Busy": {"description": "Too many requests in flight (429) or no deployment ready (503): retry after Retry-After seconds.",
                   "headers": {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "string"}}},
                   "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        },
        "schemas": {
          "Rows": {
            "anyOf": [
              {"type": "array", "items": {"type": "object"}, "description": "Records: one object per row."},
              {"type": "object", "required": ["records"], "properties": {"records": {"type": "array", "items": {"type": "object"}}}},
              {"type": "object", "required": ["columns", "data"], "properties": {"columns": {"type": "array", "items": {"type": "string"}}, "data": {"type": "array", "items": {"type": "array"}}}},
              {"type": "object", "required": ["dataframe_split"], "properties": {"dataframe_split": {"type": "object", "required": ["columns", "data"],
                "properties": {"columns": {"type": "array", "items": {"type": "string"}}, "data": {"type": "array", "items": {"type": "array"}}, "index": {"type": "array"}}}}},
              {"type": "object", "required": ["dataframe_records"], "properties": {"dataframe_records": {"type": "array", "items": {"type": "object"}}}},
              {"type": "object", "required": ["instances"], "properties": {"instances": {}}},
              {"type": "object", "required": ["inputs"], "properties": {"inputs": {}}},
              {"$ref": "#/components/schemas/RecommendationQuery"}
            ]
          },
          "RecommendationQuery": {
            "type": "object", "description": "Recommenders only: one of user, users (each user's top k, without what they have seen), item, items (the items most like each); or user with item or items (the user's score of each item, in the order asked: null for an item the model never saw; an unknown user gets each item's popularity and known_users false). k defaults to the model's top_k and is not taken with pair scores.",
            "properties": {
              "user": {"type": ["string", "integer"]}, "users": {"type": "array", "minItems": 1, "items": {"type": ["string", "integer"]}},
              "item": {"type": ["string", "integer"]}, "items": {"type": "array", "minItems": 1, "items": {"type": ["string", "integer"]}},
              "k": {"type": "integer", "minimum": 1, "maximum": 10000}
            }
          },
          "Label": {"type": ["number", "string", "boolean", "null"]},
          "Prediction": {"description": "A number (regression), a class label, a cluster id, 1 for a flagged anomaly, or a recommender's items best first.",
                         "anyOf": [{"$ref": "#/components/schemas/Label"}, {"type": "array", "items": {"$ref": "#/components/schemas/Label"}}]},
          "ScoreResponse": {
            "type": "object", "required": ["predictions", "request_id"],
            "properties": {
              "predictions": {"type": "array", "items": {"$ref": "#/components/schemas/Prediction"}},
              "classes": {"type": "array", "items": {"$ref": "#/components/schemas/Prediction"}, "description": "Classifiers: the classes, in the order of each probabilities row."},
              "probabilities": {"type": "array", "items": {"type": "array", "items": {"type": ["number", "null"]}}},
              "distances": {"type": "array", "items": {"type": ["number", "null"]}, "description": "Clustering: each row's distance to its cluster."},
              "memberships": {"type": "array", "items": {"type": "array", "items": {"type": ["number", "null"]}}, "description": "Gaussian mixtures: each row's probability of each cluster."},
              "scores": {"type": "array", "items": {"anyOf": [{"type": ["number", "null"]}, {"type": "array", "items": {"type": ["number", "null"]}}]},
                         "description": "Anomaly models: each row's score; recommenders: the scores of each row's items."},
              "reasons": {"type": "array", "items": {"type": "array", "items": {"type": "object"}}, "description": "Anomaly models: the features that made each flagged row unusual."},
              "known_users": {"type": "array", "items": {"type": "boolean"}, "description": "Recommenders: whether each user (or item) was known; an unknown user gets the most popular items."},
              "endpoint": {"type": "string"}, "deployment": {"type": "string"}, "model": {"type": "string"}, "version": {"type": "string"},
              "request_id": {"type": "string"}
            }
          },
          "InvocationsResponse": {"type": "object", "required": ["predictions"], "properties": {"predictions": {"type": "array", "items": {"$ref": "#/components/schemas/Prediction"}}}},
          "Deployment": {"type": "object", "required": ["name", "model", "version", "traffic", "mirror"],
                         "properties": {"name": {"type": "string"}, "model": {"type": "string"}, "version": {"type": "string"},
                                        "traffic": {"type": "integer", "minimum": 0, "maximum": 100}, "mirror": {"type": "integer", "minimum": 0, "maximum": 100}}},
          "FeedbackAdded": {"type": "object", "required": ["added", "received"], "properties": {"added": {"type": "integer"}, "received": {"type": "integer"}}},
          "EndpointState": {"type": "object", "required": ["endpoint", "ready", "deployments"],
                            "properties": {"endpoint": {"type": "string"}, "ready": {"type": "boolean"}, "deployments": {"type": "array", "items": {"$ref": "#/components/schemas/Deployment"}},
                                           "problem": {"type": "string"}}},
          "EndpointList": {"type": "object", "required": ["endpoints"],
                           "properties": {"endpoints": {"type": "array", "items": {"type": "object", "required": ["name", "ready", "deployments"],
                             "properties": {"name": {"type": "string"}, "ready": {"type": "boolean"}, "deployments": {"type": "array", "items": {"$ref": "#/components/schemas/Deployment"}},
                                            "problem": {"type": "string"}}}}}},
          "Error": {"type": "object", "required": ["error_code", "message"],
                    "properties": {"error_code": {"type": "string"}, "message": {"type": "string"},
                                   "problems": {"type": "array", "items": {"type": "object", "required": ["message"],
                                     "properties": {"column": {"type": "string"}, "row": {"type": "integer"}, "message": {"type": "string"}}}}}}
        }
      }
    }
    """#
}
