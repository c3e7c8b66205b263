/// The native API's monitoring part of `OpenAPIDocument`: drift reports, drift monitors and the
/// feedback that gives them realized performance (paths, then schemas), spliced into the document.
extension OpenAPIDocument {
    static let monitoringPaths = #"""
        "/endpoints/{name}/feedback": {
          "parameters": [{"$ref": "#/components/parameters/EndpointName"}],
          "post": {"operationId": "addFeedback", "summary": "The true values of rows of requests the endpoint answered, by the request_id every scoring response carries (and the row within the request, 0 by default); a later value for the same request and row replaces the earlier one. Monitors join them with the logged answers: realized performance per window. Deployers and up.",
                   "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["feedback"], "properties": {"feedback": {"type": "array", "maxItems": 100000, "items": {
                     "type": "object", "required": ["request_id", "truth"], "properties": {"request_id": {"type": "string", "minLength": 1, "maxLength": 200}, "row": {"type": "integer", "minimum": 0},
                                                                                             "truth": {"type": ["string", "number", "boolean"]}}}}}}}}},
                   "responses": {"200": {"description": "How many were new.", "content": {"application/json": {"schema": {"type": "object", "required": ["added", "received"], "properties": {"added": {"type": "integer"}, "received": {"type": "integer"}}}}}},
                                 "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/monitors": {
          "get": {"operationId": "listMonitors", "summary": "Every drift monitor of the server's endpoints, by name.",
                  "responses": {"200": {"description": "The monitors.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MonitorList"}}}},
                                "401": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}},
          "post": {"operationId": "createMonitor", "summary": "Create a drift monitor of an endpoint: every every_seconds the server compares the requests the endpoint answered in the last window_seconds (its serving log) with the reference (default: the training data of the model version that answered them) and keeps the window's result, also as a run of the experiment monitor/NAME. Deployers and up.",
                   "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MonitorRequest"}}}},
                   "responses": {"201": {"description": "The monitor.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MonitorOne"}}}},
                                 "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/monitors/{name}": {
          "parameters": [{"$ref": "#/components/parameters/MonitorName"}],
          "get": {"operationId": "getMonitor", "summary": "A monitor and its newest windows (their full reports left out).",
                  "parameters": [{"name": "runs", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 50}}],
                  "responses": {"200": {"description": "The monitor and its windows.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MonitorDetail"}}}},
                                "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}},
          "delete": {"operationId": "deleteMonitor", "summary": "Delete a monitor and its windows.",
                     "responses": {"200": {"description": "Deleted.", "content": {"application/json": {"schema": {"type": "object"}}}}, "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/monitors/{name}/pause": {
          "parameters": [{"$ref": "#/components/parameters/MonitorName"}],
          "post": {"operationId": "pauseMonitor", "summary": "Pause a monitor: its windows are kept, none is computed until resumed.",
                   "responses": {"200": {"description": "The monitor.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MonitorOne"}}}}, "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/monitors/{name}/resume": {
          "parameters": [{"$ref": "#/components/parameters/MonitorName"}],
          "post": {"operationId": "resumeMonitor", "summary": "Resume a monitor: its next window closes one period from now.",
                   "responses": {"200": {"description": "The monitor.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MonitorOne"}}}}, "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/monitors/{name}/run": {
          "parameters": [{"$ref": "#/components/parameters/MonitorName"}],
          "post": {"operationId": "runMonitor", "summary": "Compute the window that ends now and keep it (the schedule does not move). A window without logged requests is kept as empty, one that cannot be computed as failed, with why.",
                   "responses": {"200": {"description": "The window.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MonitorRunOne"}}}}, "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/monitors/{name}/backfill": {
          "parameters": [{"$ref": "#/components/parameters/MonitorName"}],
          "post": {"operationId": "backfillMonitor", "summary": "Compute the last `windows` windows (ending now, one period apart, oldest first) from what the serving log still holds.",
                   "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["windows"], "properties": {"windows": {"type": "integer", "minimum": 1, "maximum": 1000}}}}}},
                   "responses": {"200": {"description": "The windows.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MonitorRuns"}}}}, "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/monitors/{name}/runs/{id}": {
          "parameters": [{"$ref": "#/components/parameters/MonitorName"}, {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
          "get": {"operationId": "getMonitorRun", "summary": "One window with its whole drift report (JSON text in report), or the report's HTML page with format=html.",
                  "parameters": [{"name": "format", "in": "query", "required": false, "schema": {"enum": ["json", "html"], "default": "json"}}],
                  "responses": {"200": {"description": "The window.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MonitorRunOne"}}, "text/html": {"schema": {"type": "string"}}}},
                                "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/drift": {
          "post": {"operationId": "driftReport", "summary": "Compare a current registered dataset version with a reference, column by column (Evidently's default test per column type and size, or the methods asked), with data quality and the dataset-level verdict; with a registered model, its predictions are compared too, the features ranked by drift × its importance, and the reference defaults to the dataset its training run read. JSON, or the self-contained HTML report with format html. Readers and up.",
                   "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DriftRequest"}}}},
                   "responses": {"200": {"description": "The report.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DriftReportOne"}},
                                                                                  "text/html": {"schema": {"type": "string"}}}},
                                 "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}
        },
"""#

    static let monitoringSchemas = #"""
          "MonitorRequest": {"type": "object", "required": ["name", "endpoint"],
                             "properties": {"name": {"type": "string", "pattern": "^[a-z][a-z0-9-]{0,62}$"}, "endpoint": {"type": "string"},
                                            "reference": {"type": "string", "description": "NAME[:VERSION] of a registered dataset; default: the training data of the model version that answered each window."},
                                            "window_seconds": {"type": "integer", "minimum": 60, "maximum": 31622400, "default": 3600},
                                            "every_seconds": {"type": "integer", "minimum": 60, "maximum": 31622400, "default": 3600},
                                            "columns": {"type": "array", "items": {"type": "string"}, "minItems": 1}, "method": {"$ref": "#/components/schemas/DriftMethod"},
                                            "threshold": {"type": "number"}, "drift_share": {"type": "number", "minimum": 0, "maximum": 1, "default": 0.5},
                                            "alerts": {"type": "array", "maxItems": 100, "items": {"type": "string"}, "description": "Alert rules, METRIC OP VALUE [for N] each: dataset_drift, drifted_share, rows, refused_requests, drift_size:COLUMN, missing_rate:COLUMN, realized_* (accuracy, balanced_accuracy, f1_macro, mae, rmse, r2, coverage) or estimated_* (accuracy, balanced_accuracy, f1_macro); delivered to webhooks subscribed to monitor_alert.fired / monitor_alert.resolved."}}},
          "Monitor": {"type": "object", "required": ["name", "endpoint", "window_seconds", "every_seconds", "drift_share", "paused", "next_run_time", "creation_time", "user"],
                      "properties": {"name": {"type": "string"}, "endpoint": {"type": "string"}, "reference": {"type": "string"},
                                     "window_seconds": {"type": "integer"}, "every_seconds": {"type": "integer"}, "columns": {"type": "array", "items": {"type": "string"}},
                                     "method": {"type": "string"}, "threshold": {"type": "number"}, "drift_share": {"type": "number"}, "paused": {"type": "boolean"},
                                     "next_run_time": {"type": "integer", "description": "When the next window closes (ms since 1970)."},
                                     "creation_time": {"type": "integer"}, "user": {"type": "string"},
                                     "alerts": {"type": "array", "items": {"type": "object", "properties": {"metric": {"type": "string"}, "op": {"type": "string"}, "threshold": {"type": "number"}, "windows": {"type": "integer"}}}},
                                     "alert_states": {"type": "array", "items": {"type": "object", "properties": {"rule": {"type": "string"}, "firing": {"type": "boolean"}, "streak": {"type": "integer"}, "since": {"type": "integer"}, "last_value": {"type": "number"}}}}}},
          "MonitorRun": {"type": "object", "required": ["id", "monitor", "window_start", "window_end", "time", "status", "rows", "dataset_drift", "drifted_share", "columns", "report"],
                         "properties": {"id": {"type": "string"}, "monitor": {"type": "string"}, "window_start": {"type": "integer"}, "window_end": {"type": "integer"},
                                        "time": {"type": "integer"}, "status": {"enum": ["ok", "empty", "failed"]}, "rows": {"type": "integer"},
                                        "dataset_drift": {"type": "boolean"}, "drifted_share": {"type": "number"},
                                        "columns": {"type": "string", "description": "JSON: per column name, role, method, value, drifted, drift_size."},
                                        "report": {"type": "string", "description": "The whole drift report as JSON text ({} in lists)."},
                                        "message": {"type": "string"}, "tracking_run_id": {"type": "string"},
                                        "alerts": {"type": "string", "description": "JSON: the alert rules that fired or resolved at this window's end."},
                                        "performance": {"type": "string", "description": "JSON: realized performance from feedback (rows_with_truth, coverage; accuracy, balanced_accuracy, precision_macro, recall_macro, f1_macro, roc_auc or roc_auc_ovr_macro, log_loss; or mae, rmse, r2), estimated_* (CBPE) and training_* figures; {} without any."}}},
          "MonitorList": {"type": "object", "required": ["monitors"], "properties": {"monitors": {"type": "array", "items": {"$ref": "#/components/schemas/Monitor"}}}},
          "MonitorOne": {"type": "object", "required": ["monitor"], "properties": {"monitor": {"$ref": "#/components/schemas/Monitor"}}},
          "MonitorDetail": {"type": "object", "required": ["monitor", "runs"], "properties": {"monitor": {"$ref": "#/components/schemas/Monitor"}, "runs": {"type": "array", "items": {"$ref": "#/components/schemas/MonitorRun"}}}},
          "MonitorRunOne": {"type": "object", "required": ["run"], "properties": {"run": {"$ref": "#/components/schemas/MonitorRun"}}},
          "MonitorRuns": {"type": "object", "required": ["runs"], "properties": {"runs": {"type": "array", "items": {"$ref": "#/components/schemas/MonitorRun"}}}},
          "DriftRequest": {"type": "object", "description": "Give current or endpoint, not both.",
                           "properties": {"reference": {"type": "string", "description": "NAME[:VERSION] of a registered dataset (never a path); default with a registered model: its training data."},
                                          "current": {"type": "string", "description": "NAME[:VERSION] of a registered dataset (never a path)."},
                                          "endpoint": {"type": "string", "description": "Instead of current: the requests this endpoint answered, from its serving log (the last 10,000 logged); the model defaults to the version that answered most of them."},
                                          "since_seconds": {"type": "integer", "minimum": 1, "maximum": 315360000, "description": "With endpoint: only requests of this last period."},
                                          "model": {"type": "string", "description": "NAME@ALIAS or NAME:VERSION of a registered model."},
                                          "columns": {"type": "array", "items": {"type": "string"}, "description": "Only these columns (default: every column both have; with a model, its features)."},
                                          "method": {"$ref": "#/components/schemas/DriftMethod"},
                                          "methods": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/DriftMethod"}, "description": "A method per column."},
                                          "threshold": {"type": "number"}, "thresholds": {"type": "object", "additionalProperties": {"type": "number"}},
                                          "drift_share": {"type": "number", "minimum": 0, "maximum": 1, "default": 0.5},
                                          "min_drift_size": {"type": "number", "minimum": 0, "default": 0.05, "description": "On more than 1,000 reference rows a p-value test flags drift only at this Jensen–Shannon distance or more."},
                                          "format": {"enum": ["json", "html"], "default": "json"}}},
          "DriftMethod": {"enum": ["ks", "chisquare", "z", "anderson", "wasserstein", "jensenshannon", "psi", "kl", "hellinger", "tv"]},
          "DriftReportOne": {"type": "object", "required": ["report"], "properties": {"report": {"$ref": "#/components/schemas/DriftReport"}}},
          "DriftReport": {"type": "object", "required": ["reference", "current", "generated_at", "reference_rows", "current_rows", "drift_share_threshold", "drifted_features",
                                                         "tested_features", "drifted_share", "dataset_drift", "features", "predictions", "skipped"],
                          "properties": {"reference": {"type": "string"}, "current": {"type": "string"}, "generated_at": {"type": "string", "format": "date-time"},
                                         "reference_rows": {"type": "integer"}, "current_rows": {"type": "integer"}, "drift_share_threshold": {"type": "number"},
                                         "drifted_features": {"type": "integer"}, "tested_features": {"type": "integer"}, "drifted_share": {"type": "number"},
                                         "dataset_drift": {"type": "boolean"},
                                         "features": {"type": "array", "items": {"$ref": "#/components/schemas/ColumnDrift"}, "description": "Drifted first, then by drift size × importance."},
                                         "predictions": {"type": "array", "items": {"$ref": "#/components/schemas/ColumnDrift"}},
                                         "target": {"$ref": "#/components/schemas/ColumnDrift"},
                                         "skipped": {"type": "array", "items": {"type": "object", "required": ["name", "reason"], "properties": {"name": {"type": "string"}, "reason": {"type": "string"}}}},
                                         "warnings": {"type": "array", "items": {"type": "string"}}}},
          "ColumnDrift": {"type": "object", "required": ["name", "role", "kind", "method", "threshold", "drifted", "drift_size", "score", "quality", "distribution"],
                          "properties": {"name": {"type": "string"}, "role": {"enum": ["feature", "prediction", "target"]}, "kind": {"enum": ["numerical", "categorical"]},
                                         "method": {"$ref": "#/components/schemas/DriftMethod"},
                                         "value": {"type": "number", "description": "A p-value for ks, chisquare, z and anderson; a distance otherwise. Absent when infinite."},
                                         "threshold": {"type": "number"}, "drifted": {"type": "boolean"},
                                         "drift_size": {"type": "number", "description": "Jensen–Shannon distance of the binned shares, comparable across columns."},
                                         "importance": {"type": "number"}, "score": {"type": "number"}, "note": {"type": "string"},
                                         "quality": {"type": "object", "required": ["reference_missing", "current_missing", "reference_missing_rate", "current_missing_rate"],
                                                     "properties": {"reference_missing": {"type": "integer"}, "current_missing": {"type": "integer"},
                                                                    "reference_missing_rate": {"type": "number"}, "current_missing_rate": {"type": "number"},
                                                                    "out_of_range": {"type": "integer"}, "reference_min": {"type": "number"}, "reference_max": {"type": "number"},
                                                                    "unseen_rows": {"type": "integer"}, "unseen_categories": {"type": "array", "items": {"type": "string"}}}},
                                         "distribution": {"type": "object", "required": ["reference", "current"],
                                                          "properties": {"edges": {"type": "array", "items": {"type": "number"}}, "labels": {"type": "array", "items": {"type": "string"}},
                                                                         "reference": {"type": "array", "items": {"type": "number"}}, "current": {"type": "array", "items": {"type": "number"}}}}}},
"""#
}
