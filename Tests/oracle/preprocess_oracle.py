#!/usr/bin/env python3
"""scikit-learn's output for the preprocessing plans the Swift test uses, on a CSV file.
Usage: preprocess_oracle.py FILE.csv  (prints {"names": [...], "columns": [[...], ...]})"""
import json
import sys

import numpy as np
import pandas as pd
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, OrdinalEncoder, RobustScaler, StandardScaler

df = pd.read_csv(sys.argv[1], keep_default_na=False, na_values=["", "NA", "N/A", "NaN", "null", "None", "-"])
cols, names = [], []


def add(name, matrix):
    matrix = np.asarray(matrix, dtype=float)
    if matrix.ndim == 1:
        matrix = matrix[:, None]
    for j in range(matrix.shape[1]):
        cols.append(matrix[:, j].tolist())
    names.append(name)


def numeric(col, strategy, scaler, fill=None, indicator=False):
    X = df[[col]]
    imp = SimpleImputer(strategy=strategy, fill_value=fill) if strategy == "constant" else SimpleImputer(strategy=strategy)
    steps = [imp] + ([scaler] if scaler is not None else [])
    add(col, make_pipeline(*steps).fit_transform(X))
    if indicator and X[col].isna().any():
        add(col + ".missing", MissingIndicator().fit_transform(X))


def categorical(col, encoder, indicator=False):
    X = df[[col]].astype(object)
    add(col, make_pipeline(SimpleImputer(strategy="most_frequent"), encoder).fit_transform(X))
    if indicator and X[col].isna().any():
        add(col + ".missing", MissingIndicator().fit_transform(X.where(X.notna(), np.nan)))


numeric("bill_length_mm", "mean", StandardScaler(), indicator=True)
numeric("bill_depth_mm", "median", RobustScaler())
numeric("flipper_length_mm", "most_frequent", MinMaxScaler())
numeric("body_mass_g", "constant", None, fill=4000)
categorical("species", OneHotEncoder(sparse_output=False, handle_unknown="ignore"))
categorical("island", OneHotEncoder(sparse_output=False, handle_unknown="infrequent_if_exist", max_categories=2))
categorical("sex", OrdinalEncoder(), indicator=True)
print(json.dumps({"names": names, "columns": cols}))
