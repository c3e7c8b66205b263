PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE dataset (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    description TEXT,
    created_at REAL NOT NULL
);
INSERT INTO dataset VALUES(1,'cancer',NULL,1796538809.3510694504);
CREATE TABLE dataset_version (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dataset_id INTEGER NOT NULL REFERENCES dataset(id) ON DELETE RESTRICT,
    version INTEGER NOT NULL,
    content_sha256 TEXT NOT NULL,
    frame_sha256 TEXT NOT NULL,
    format TEXT NOT NULL,
    source_path TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    row_count INTEGER NOT NULL,
    column_count INTEGER NOT NULL,
    schema_json TEXT NOT NULL,
    read_options_json TEXT NOT NULL,
    description TEXT,
    created_at REAL NOT NULL,
    UNIQUE (dataset_id, version),
    UNIQUE (dataset_id, content_sha256)
);
INSERT INTO dataset_version VALUES(1,1,1,'421f94286f17d8f8bcb9c5db7d8f5e4527d42e75c34abe4408f6041ed8792948','e3ffa9d84e4f5e4e4d929a11bd8479e03f06f6a4435d1ad556f60881593133e0','csv','/tmp/gold/bc.csv',25895,120,31,'{"fields":[{"type":"float64","name":"mean radius"},{"type":"float64","name":"mean texture"},{"type":"float64","name":"mean perimeter"},{"type":"float64","name":"mean area"},{"type":"float64","name":"mean smoothness"},{"type":"float64","name":"mean compactness"},{"type":"float64","name":"mean concavity"},{"type":"float64","name":"mean concave points"},{"type":"float64","name":"mean symmetry"},{"type":"float64","name":"mean fractal dimension"},{"type":"float64","name":"radius error"},{"type":"float64","name":"texture error"},{"type":"float64","name":"perimeter error"},{"type":"float64","name":"area error"},{"type":"float64","name":"smoothness error"},{"type":"float64","name":"compactness error"},{"type":"float64","name":"concavity error"},{"type":"float64","name":"concave points error"},{"type":"float64","name":"symmetry error"},{"type":"float64","name":"fractal dimension error"},{"type":"float64","name":"worst radius"},{"type":"float64","name":"worst texture"},{"type":"float64","name":"worst perimeter"},{"type":"float64","name":"worst area"},{"type":"float64","name":"worst smoothness"},{"type":"float64","name":"worst compactness"},{"type":"float64","name":"worst concavity"},{"type":"float64","name":"worst concave points"},{"type":"float64","name":"worst symmetry"},{"type":"float64","name":"worst fractal dimension"},{"type":"int64","name":"target"}]}','{"delimiter":",","format":"csv","header":"true","missing_tokens":"\"\"|NA|N\/A|NaN|null|None|-"}',NULL,1796538809.3510694504);
CREATE TABLE dataset_reference (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dataset_version_id INTEGER NOT NULL REFERENCES dataset_version(id) ON DELETE RESTRICT,
    kind TEXT NOT NULL,
    referrer TEXT NOT NULL,
    created_at REAL NOT NULL,
    UNIQUE (dataset_version_id, kind, referrer)
);
INSERT INTO dataset_reference VALUES(1,1,'run','c223bc4fc9e04f9d89f24e643fe8ca29',1796538812.4233412742);
CREATE TABLE pulk_store_migrations (id TEXT PRIMARY KEY);
INSERT INTO pulk_store_migrations VALUES('2026-11-23-tracking');
INSERT INTO pulk_store_migrations VALUES('2026-12-01-registry-models-inputs');
INSERT INTO pulk_store_migrations VALUES('2026-12-02-metric-chunks');
INSERT INTO pulk_store_migrations VALUES('2026-12-02-endpoints');
INSERT INTO pulk_store_migrations VALUES('2026-12-05-access-audit');
INSERT INTO pulk_store_migrations VALUES('2026-12-06-webhooks');
INSERT INTO pulk_store_migrations VALUES('2026-11-23-datasets');
INSERT INTO pulk_store_migrations VALUES('2026-12-06-one-ledger');
CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
INSERT INTO counters VALUES('experiment',1);
INSERT INTO counters VALUES('alias_move',1);
INSERT INTO counters VALUES('metric_chunk',53);
INSERT INTO counters VALUES('endpoint_generation',2);
INSERT INTO counters VALUES('endpoint_event',2);
INSERT INTO counters VALUES('audit',1);
CREATE TABLE experiments (experiment_id BIGINT PRIMARY KEY, name TEXT NOT NULL UNIQUE, artifact_location TEXT NOT NULL,
  lifecycle_stage TEXT NOT NULL, creation_time BIGINT NOT NULL, last_update_time BIGINT NOT NULL);
INSERT INTO experiments VALUES(0,'Default','mlflow-artifacts:/0','active',1796538812411,1796538812411);
INSERT INTO experiments VALUES(1,'golden','mlflow-artifacts:/1','active',1796538812413,1796538812413);
CREATE TABLE experiment_tags (experiment_id BIGINT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (experiment_id, key));
CREATE TABLE runs (run_uuid TEXT PRIMARY KEY, experiment_id BIGINT NOT NULL, name TEXT NOT NULL, user_id TEXT NOT NULL,
  status TEXT NOT NULL, start_time BIGINT NOT NULL, end_time BIGINT, artifact_uri TEXT NOT NULL, lifecycle_stage TEXT NOT NULL,
  deleted_time BIGINT);
INSERT INTO runs VALUES('c223bc4fc9e04f9d89f24e643fe8ca29',1,'golden-run','root','FINISHED',1796538812318,1796538812422,'mlflow-artifacts:/1/c223bc4fc9e04f9d89f24e643fe8ca29/artifacts','active',NULL);
CREATE TABLE run_tags (run_uuid TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_uuid, key));
INSERT INTO run_tags VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','mlflow.runName','golden-run');
INSERT INTO run_tags VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','mlflow.user','root');
INSERT INTO run_tags VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','mlflow.source.name','pulk train');
INSERT INTO run_tags VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','mlflow.source.type','LOCAL');
INSERT INTO run_tags VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','pulk.model','gbdt');
INSERT INTO run_tags VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','pulk.task','classification');
INSERT INTO run_tags VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','pulk.target','target');
CREATE TABLE params (run_uuid TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_uuid, key));
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','alpha','0.9');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','bagging_fraction','1.0');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','bagging_freq','0');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','boost_from_average','true');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','cat_l2','10.0');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','cat_smooth','10.0');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','class_weight','none');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','early_stopping_round','0');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','extra_trees','false');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','feature_fraction','1.0');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','feature_fraction_bynode','1.0');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','features','mean radius,mean texture,mean perimeter,mean area,mean smoothness,mean compactness,mean concavity,mean concave points,mean symmetry,mean fractal dimension,radius error,texture error,perimeter error,area error,smoothness error,compactness error,concavity error,concave points error,symmetry error,fractal dimension error,worst radius,worst texture,worst perimeter,worst area,worst smoothness,worst compactness,worst concavity,worst concave points,worst symmetry,worst fractal dimension');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','is_unbalance','false');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','lambda_l1','0.0');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','lambda_l2','0.0');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','learning_rate','0.1');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','max_bin','255');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','max_cat_threshold','32');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','max_cat_to_onehot','4');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','max_depth','-1');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','metric','auto');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','min_data_in_bin','3');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','min_data_in_leaf','20');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','min_data_per_group','100');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','min_gain_to_split','0.0');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','min_sum_hessian_in_leaf','0.001');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','model','gbdt');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','num_iterations','5');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','num_leaves','31');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','num_threads','0');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','objective','binary');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','poisson_max_delta_step','0.7');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','scale_pos_weight','1.0');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','seed','42');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','split','stratified');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','target','target');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','task','binary');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','task_reason','''target'' holds two integer codes');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_rows','24');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_size','0.2');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','train_rows','96');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','validation_fraction','0.1');
INSERT INTO params VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','verbosity','1');
CREATE TABLE metrics (run_uuid TEXT NOT NULL, key TEXT NOT NULL, step BIGINT NOT NULL, timestamp BIGINT NOT NULL,
  value DOUBLE PRECISION NOT NULL, is_nan BIGINT NOT NULL);
CREATE TABLE latest_metrics (run_uuid TEXT NOT NULL, key TEXT NOT NULL, step BIGINT NOT NULL, timestamp BIGINT NOT NULL,
  value DOUBLE PRECISION NOT NULL, is_nan BIGINT NOT NULL, PRIMARY KEY (run_uuid, key));
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_most-frequent_accuracy',0,1796538812414,0.58333333333333337034,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_most-frequent_average_precision',0,1796538812414,0.41666666666666668517,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_most-frequent_balanced_accuracy',0,1796538812414,0.5,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_most-frequent_brier',0,1796538812414,0.2431640625,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_most-frequent_cohen_kappa',0,1796538812414,0.0,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_most-frequent_f1',0,1796538812414,0.0,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_most-frequent_f1_macro',0,1796538812414,0.36842105263157892691,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_most-frequent_f1_weighted',0,1796538812414,0.42982456140350877582,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_most-frequent_log_loss',0,1796538812414,0.67941759934366252604,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_most-frequent_mcc',0,1796538812414,0.0,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_most-frequent_precision',0,1796538812414,0.0,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_most-frequent_precision_macro',0,1796538812414,0.29166666666666668517,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_most-frequent_precision_weighted',0,1796538812414,0.34027777777777784562,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_most-frequent_recall',0,1796538812414,0.0,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_most-frequent_recall_macro',0,1796538812414,0.5,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_most-frequent_recall_weighted',0,1796538812414,0.58333333333333337034,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_most-frequent_roc_auc',0,1796538812414,0.5,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_stratified_accuracy',0,1796538812414,0.625,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_stratified_average_precision',0,1796538812414,0.50192307692307691624,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_stratified_balanced_accuracy',0,1796538812414,0.63571428571428567622,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_stratified_brier',0,1796538812414,0.375,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_stratified_cohen_kappa',0,1796538812414,0.26027397260273971157,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_stratified_f1',0,1796538812414,0.60869565217391297107,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_stratified_f1_macro',0,1796538812414,0.62434782608695649219,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_stratified_f1_weighted',0,1796538812414,0.62695652173913041238,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_stratified_log_loss',0,1796538812414,13.516370020918929029,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_stratified_mcc',0,1796538812414,0.26856632724128343125,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_stratified_precision',0,1796538812414,0.53846153846153843591,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_stratified_precision_macro',0,1796538812414,0.63286713286713291992,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_stratified_precision_weighted',0,1796538812414,0.64860139860139864875,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_stratified_recall',0,1796538812414,0.69999999999999995559,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_stratified_recall_macro',0,1796538812414,0.63571428571428567622,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_stratified_recall_weighted',0,1796538812414,0.625,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_stratified_roc_auc',0,1796538812414,0.63571428571428567622,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','final_train_binary_logloss',0,1796538812414,0.40973728553702432053,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_accuracy',0,1796538812414,0.95833333333333337034,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_average_precision',0,1796538812414,0.94166666666666665186,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_balanced_accuracy',0,1796538812414,0.94999999999999995559,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_brier',0,1796538812414,0.12322535462107843395,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_cohen_kappa',0,1796538812414,0.91304347826086962314,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_f1',0,1796538812414,0.94736842105263163738,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_f1_macro',0,1796538812414,0.95644283121597095664,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_f1_weighted',0,1796538812414,0.95795523290986095421,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_log_loss',0,1796538812414,0.42569694936973340171,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_mcc',0,1796538812414,0.916515138991167988,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_precision',0,1796538812414,1.0,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_precision_macro',0,1796538812414,0.96666666666666667406,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_precision_weighted',0,1796538812414,0.96111111111111113824,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_recall',0,1796538812414,0.9000000000000000222,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_recall_macro',0,1796538812414,0.94999999999999995559,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_recall_weighted',0,1796538812414,0.95833333333333337034,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_roc_auc',0,1796538812414,0.91071428571428569842,0);
INSERT INTO latest_metrics VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','train_binary_logloss',4,1796538812414,0.40973728553702432053,0);
CREATE TABLE datasets (dataset_uuid TEXT PRIMARY KEY, experiment_id BIGINT NOT NULL, name TEXT NOT NULL, digest TEXT NOT NULL,
  source_type TEXT NOT NULL, source TEXT NOT NULL, schema TEXT NOT NULL, profile TEXT NOT NULL, UNIQUE (experiment_id, name, digest));
INSERT INTO datasets VALUES('d5cff50b920746c6bc395f85489a53cb',1,'cancer','421f94286f17d8f8bcb9c5db7d8f5e45','pulk','{"dataset":"cancer:1"}','{"mlflow_colspec":[{"name":"mean radius","type":"double"},{"name":"mean texture","type":"double"},{"name":"mean perimeter","type":"double"},{"name":"mean area","type":"double"},{"name":"mean smoothness","type":"double"},{"name":"mean compactness","type":"double"},{"name":"mean concavity","type":"double"},{"name":"mean concave points","type":"double"},{"name":"mean symmetry","type":"double"},{"name":"mean fractal dimension","type":"double"},{"name":"radius error","type":"double"},{"name":"texture error","type":"double"},{"name":"perimeter error","type":"double"},{"name":"area error","type":"double"},{"name":"smoothness error","type":"double"},{"name":"compactness error","type":"double"},{"name":"concavity error","type":"double"},{"name":"concave points error","type":"double"},{"name":"symmetry error","type":"double"},{"name":"fractal dimension error","type":"double"},{"name":"worst radius","type":"double"},{"name":"worst texture","type":"double"},{"name":"worst perimeter","type":"double"},{"name":"worst area","type":"double"},{"name":"worst smoothness","type":"double"},{"name":"worst compactness","type":"double"},{"name":"worst concavity","type":"double"},{"name":"worst concave points","type":"double"},{"name":"worst symmetry","type":"double"},{"name":"worst fractal dimension","type":"double"},{"name":"target","type":"long"}]}','{"num_elements":3720,"num_rows":120}');
CREATE TABLE run_dataset_inputs (run_uuid TEXT NOT NULL, dataset_uuid TEXT NOT NULL, PRIMARY KEY (run_uuid, dataset_uuid));
INSERT INTO run_dataset_inputs VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','d5cff50b920746c6bc395f85489a53cb');
CREATE TABLE run_dataset_input_tags (run_uuid TEXT NOT NULL, dataset_uuid TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
  PRIMARY KEY (run_uuid, dataset_uuid, key));
INSERT INTO run_dataset_input_tags VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','d5cff50b920746c6bc395f85489a53cb','mlflow.data.context','training');
CREATE TABLE run_models (run_uuid TEXT NOT NULL, model_id TEXT NOT NULL, direction TEXT NOT NULL, step BIGINT NOT NULL,
  PRIMARY KEY (run_uuid, direction, model_id));
CREATE TABLE logged_models (model_id TEXT PRIMARY KEY, experiment_id BIGINT NOT NULL, name TEXT NOT NULL,
  artifact_location TEXT NOT NULL, creation_time BIGINT NOT NULL, last_updated_time BIGINT NOT NULL, status TEXT NOT NULL,
  model_type TEXT NOT NULL, source_run_id TEXT NOT NULL, lifecycle_stage TEXT NOT NULL);
CREATE TABLE logged_model_tags (model_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (model_id, key));
CREATE TABLE logged_model_params (model_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (model_id, key));
CREATE TABLE logged_model_metrics (model_id TEXT NOT NULL, key TEXT NOT NULL, step BIGINT NOT NULL, timestamp BIGINT NOT NULL,
  value DOUBLE PRECISION NOT NULL, is_nan BIGINT NOT NULL, run_uuid TEXT NOT NULL, dataset_name TEXT NOT NULL,
  dataset_digest TEXT NOT NULL, PRIMARY KEY (model_id, key, step, timestamp, run_uuid, dataset_name, dataset_digest));
CREATE TABLE registered_models (name TEXT PRIMARY KEY, creation_time BIGINT NOT NULL, last_updated_time BIGINT NOT NULL,
  description TEXT NOT NULL, user_id TEXT NOT NULL, next_version BIGINT NOT NULL);
INSERT INTO registered_models VALUES('cancer-model',1796538814698,1796538814722,'','root',2);
CREATE TABLE registered_model_tags (name TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (name, key));
CREATE TABLE model_versions (name TEXT NOT NULL, version BIGINT NOT NULL, creation_time BIGINT NOT NULL,
  last_updated_time BIGINT NOT NULL, description TEXT NOT NULL, user_id TEXT NOT NULL, current_stage TEXT NOT NULL,
  source TEXT NOT NULL, storage_location TEXT NOT NULL, run_id TEXT NOT NULL, run_link TEXT NOT NULL, model_id TEXT NOT NULL,
  status TEXT NOT NULL, PRIMARY KEY (name, version));
INSERT INTO model_versions VALUES('cancer-model',1,1796538814699,1796538814699,'','root','None','runs:/c223bc4fc9e04f9d89f24e643fe8ca29/model','mlflow-artifacts:/1/c223bc4fc9e04f9d89f24e643fe8ca29/artifacts/model','c223bc4fc9e04f9d89f24e643fe8ca29','','','READY');
CREATE TABLE model_version_tags (name TEXT NOT NULL, version BIGINT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
  PRIMARY KEY (name, version, key));
CREATE TABLE registered_model_aliases (name TEXT NOT NULL, alias TEXT NOT NULL, version BIGINT NOT NULL, PRIMARY KEY (name, alias));
INSERT INTO registered_model_aliases VALUES('cancer-model','champion',1);
CREATE TABLE alias_history (sequence BIGINT PRIMARY KEY, name TEXT NOT NULL, alias TEXT NOT NULL, from_version BIGINT,
  to_version BIGINT, user_id TEXT NOT NULL, time BIGINT NOT NULL);
INSERT INTO alias_history VALUES(1,'cancer-model','champion',NULL,1,'root',1796538814722);
CREATE TABLE metric_chunks (run_uuid TEXT NOT NULL, key TEXT NOT NULL, chunk BIGINT NOT NULL, count BIGINT NOT NULL,
  min_step BIGINT NOT NULL, max_step BIGINT NOT NULL, points BLOB NOT NULL, PRIMARY KEY (run_uuid, key, chunk));
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_accuracy',1,1,0,0,X'0100fc9ff6a0c968abaaaaaaaaaaee3f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_balanced_accuracy',2,1,0,0,X'0100fc9ff6a0c968666666666666ee3f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_precision',3,1,0,0,X'0100fc9ff6a0c968000000000000f03f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_recall',4,1,0,0,X'0100fc9ff6a0c968cdccccccccccec3f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_f1',5,1,0,0,X'0100fc9ff6a0c9680ee53594d750ee3f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_roc_auc',6,1,0,0,X'0100fc9ff6a0c968499224499224ed3f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_average_precision',7,1,0,0,X'0100fc9ff6a0c968222222222222ee3f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_brier',8,1,0,0,X'0100fc9ff6a0c96861b22264b28bbf3f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_precision_macro',9,1,0,0,X'0100fc9ff6a0c968efeeeeeeeeeeee3f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_recall_macro',10,1,0,0,X'0100fc9ff6a0c968666666666666ee3f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_f1_macro',11,1,0,0,X'0100fc9ff6a0c968aa1e12ff2d9bee3f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_precision_weighted',12,1,0,0,X'0100fc9ff6a0c968176cc1166cc1ee3f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_recall_weighted',13,1,0,0,X'0100fc9ff6a0c968abaaaaaaaaaaee3f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_f1_weighted',14,1,0,0,X'0100fc9ff6a0c96845288cbb91a7ee3f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_log_loss',15,1,0,0,X'0100fc9ff6a0c968c132e36a9e3edb3f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_mcc',16,1,0,0,X'0100fc9ff6a0c968d530888e1754ed3f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','test_cohen_kappa',17,1,0,0,X'0100fc9ff6a0c968d49bdef4a637ed3f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_most-frequent_accuracy',18,1,0,0,X'0100fc9ff6a0c968abaaaaaaaaaae23f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_most-frequent_balanced_accuracy',19,1,0,0,X'0100fc9ff6a0c968000000000000e03f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_most-frequent_precision',20,1,0,0,X'0100fc9ff6a0c9680000000000000000');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_most-frequent_recall',21,1,0,0,X'0100fc9ff6a0c9680000000000000000');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_most-frequent_f1',22,1,0,0,X'0100fc9ff6a0c9680000000000000000');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_most-frequent_roc_auc',23,1,0,0,X'0100fc9ff6a0c968000000000000e03f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_most-frequent_average_precision',24,1,0,0,X'0100fc9ff6a0c968abaaaaaaaaaada3f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_most-frequent_brier',25,1,0,0,X'0100fc9ff6a0c968000000000020cf3f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_most-frequent_precision_macro',26,1,0,0,X'0100fc9ff6a0c968abaaaaaaaaaad23f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_most-frequent_recall_macro',27,1,0,0,X'0100fc9ff6a0c968000000000000e03f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_most-frequent_f1_macro',28,1,0,0,X'0100fc9ff6a0c96843790de53594d73f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_most-frequent_precision_weighted',29,1,0,0,X'0100fc9ff6a0c968731cc7711cc7d53f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_most-frequent_recall_weighted',30,1,0,0,X'0100fc9ff6a0c968abaaaaaaaaaae23f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_most-frequent_f1_weighted',31,1,0,0,X'0100fc9ff6a0c96824b88fe03e82db3f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_most-frequent_log_loss',32,1,0,0,X'0100fc9ff6a0c968674030fac9bde53f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_most-frequent_mcc',33,1,0,0,X'0100fc9ff6a0c9680000000000000000');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_most-frequent_cohen_kappa',34,1,0,0,X'0100fc9ff6a0c9680000000000000000');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_stratified_accuracy',35,1,0,0,X'0100fc9ff6a0c968000000000000e43f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_stratified_balanced_accuracy',36,1,0,0,X'0100fc9ff6a0c9687cc5577cc557e43f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_stratified_precision',37,1,0,0,X'0100fc9ff6a0c968b1133bb1133be13f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_stratified_recall',38,1,0,0,X'0100fc9ff6a0c968666666666666e63f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_stratified_f1',39,1,0,0,X'0100fc9ff6a0c96837bde94d6f7ae33f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_stratified_roc_auc',40,1,0,0,X'0100fc9ff6a0c9687cc5577cc557e43f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_stratified_average_precision',41,1,0,0,X'0100fc9ff6a0c968fcc00ffcc00fe03f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_stratified_brier',42,1,0,0,X'0100fc9ff6a0c968000000000000d83f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_stratified_precision_macro',43,1,0,0,X'0100fc9ff6a0c9687c15cc927240e43f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_stratified_recall_macro',44,1,0,0,X'0100fc9ff6a0c9687cc5577cc557e43f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_stratified_f1_macro',45,1,0,0,X'0100fc9ff6a0c968d9e8cb4aa8fae33f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_stratified_precision_weighted',46,1,0,0,X'0100fc9ff6a0c968734064b857c1e43f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_stratified_recall_weighted',47,1,0,0,X'0100fc9ff6a0c968000000000000e43f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_stratified_f1_weighted',48,1,0,0,X'0100fc9ff6a0c96874459c1f0710e43f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_stratified_log_loss',49,1,0,0,X'0100fc9ff6a0c96899f6c0a661082b40');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_stratified_mcc',50,1,0,0,X'0100fc9ff6a0c968abb813d23030d13f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','baseline_stratified_cohen_kappa',51,1,0,0,X'0100fc9ff6a0c968850a152a54a8d03f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','train_binary_logloss',52,5,0,4,X'0100fc9ff6a0c96855555528483be33f020055555542594ae13f0200555555f8285fdf3f0200000000bb9c8edc3f0200555555bc2239da3f');
INSERT INTO metric_chunks VALUES('c223bc4fc9e04f9d89f24e643fe8ca29','final_train_binary_logloss',53,1,0,0,X'0100fc9ff6a0c968555555bc2239da3f');
CREATE TABLE endpoints (name TEXT PRIMARY KEY, description TEXT NOT NULL, settings TEXT NOT NULL, deployments TEXT NOT NULL,
  generation BIGINT NOT NULL, creation_time BIGINT NOT NULL, last_updated_time BIGINT NOT NULL);
INSERT INTO endpoints VALUES('cancer-ep','','{"logRetention":100000,"logSample":0,"maxConcurrency":256,"maxRows":10000,"tokens":[],"unseenCategories":"allow"}','[{"maxBatch":0,"maxWaitMicros":0,"mirror":0,"model":"cancer-model","name":"blue","reference":"@champion","traffic":100,"version":"1"}]',2,1796538819462,1796538819489);
CREATE TABLE endpoint_events (sequence BIGINT PRIMARY KEY, endpoint TEXT NOT NULL, time BIGINT NOT NULL, user_id TEXT NOT NULL,
  kind TEXT NOT NULL, message TEXT NOT NULL, deployments TEXT NOT NULL);
INSERT INTO endpoint_events VALUES(1,'cancer-ep',1796538819462,'root','create','created','[]');
INSERT INTO endpoint_events VALUES(2,'cancer-ep',1796538819489,'root','deploy','blue: cancer-model version 1 (follows @champion), traffic 100%','[{"maxBatch":0,"maxWaitMicros":0,"mirror":0,"model":"cancer-model","name":"blue","reference":"@champion","traffic":100,"version":"1"}]');
CREATE TABLE serving_log (endpoint TEXT NOT NULL, deployment TEXT NOT NULL, model TEXT NOT NULL, version TEXT NOT NULL,
  time BIGINT NOT NULL, request_id TEXT NOT NULL, status BIGINT NOT NULL, latency_us BIGINT NOT NULL, shadow BIGINT NOT NULL,
  rows_scored BIGINT NOT NULL, input TEXT NOT NULL, output TEXT NOT NULL);
CREATE TABLE users (name TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL, creation_time BIGINT NOT NULL, last_updated_time BIGINT NOT NULL);
INSERT INTO users VALUES('alice','pbkdf2-sha256$600000$m7leQxdOdYr0EFQY6Y3RKA==$rp5CEfIDPpIfatLeHUstjEfwF+lvVWBCO7ka1ntrgOM=','contributor',1796538819589,1796538819589);
CREATE TABLE api_tokens (token_id TEXT PRIMARY KEY, user_name TEXT NOT NULL, name TEXT NOT NULL, secret_hash TEXT NOT NULL UNIQUE,
  creation_time BIGINT NOT NULL, expires_time BIGINT, revoked_time BIGINT);
CREATE TABLE login_sessions (secret_hash TEXT PRIMARY KEY, user_name TEXT NOT NULL, expires_time BIGINT NOT NULL);
CREATE TABLE grants (user_name TEXT NOT NULL, kind TEXT NOT NULL, resource TEXT NOT NULL, permission TEXT NOT NULL, PRIMARY KEY (user_name, kind, resource));
CREATE TABLE audit_log (sequence BIGINT PRIMARY KEY, time BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, resource_kind TEXT NOT NULL,
  resource TEXT NOT NULL, before_state TEXT NOT NULL, after_state TEXT NOT NULL, previous_hash TEXT NOT NULL, hash TEXT NOT NULL);
INSERT INTO audit_log VALUES(1,1796538819590,'root','users/create','user','alice','','{"creationTime":1796538819589,"lastUpdatedTime":1796538819589,"name":"alice","role":"contributor"}','0000000000000000000000000000000000000000000000000000000000000000','3f5914a31539d5e283dc99d33888dced0dc66d29919bcd4c431fc6eaaea42ca6');
CREATE TABLE webhooks (webhook_id TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL, url TEXT NOT NULL,
  events TEXT NOT NULL, status TEXT NOT NULL, secret TEXT NOT NULL, creation_time BIGINT NOT NULL, last_updated_time BIGINT NOT NULL);
DELETE FROM sqlite_sequence;
INSERT INTO sqlite_sequence VALUES('dataset',1);
INSERT INTO sqlite_sequence VALUES('dataset_version',1);
INSERT INTO sqlite_sequence VALUES('dataset_reference',1);
CREATE INDEX dataset_version_content ON dataset_version(content_sha256);
CREATE INDEX dataset_version_frame ON dataset_version(frame_sha256);
CREATE INDEX runs_by_experiment ON runs (experiment_id, lifecycle_stage, start_time DESC, run_uuid);
CREATE INDEX params_by_key ON params (key, value);
CREATE INDEX metrics_history ON metrics (run_uuid, key, step, timestamp);
CREATE INDEX run_dataset_inputs_by_dataset ON run_dataset_inputs (dataset_uuid);
CREATE INDEX logged_models_by_experiment ON logged_models (experiment_id, creation_time DESC, model_id);
CREATE INDEX logged_models_by_run ON logged_models (source_run_id);
CREATE INDEX model_versions_by_run ON model_versions (run_id);
CREATE INDEX alias_history_by_model ON alias_history (name, alias, sequence);
CREATE INDEX latest_metrics_order ON latest_metrics (key, is_nan, value, run_uuid);
CREATE INDEX endpoint_events_by_endpoint ON endpoint_events (endpoint, sequence);
CREATE INDEX serving_log_by_time ON serving_log (endpoint, time);
CREATE INDEX api_tokens_by_user ON api_tokens (user_name);
CREATE INDEX audit_log_by_actor ON audit_log (actor, sequence);
CREATE INDEX audit_log_by_resource ON audit_log (resource, sequence);
COMMIT;
