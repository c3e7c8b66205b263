#!/usr/bin/env python3
"""The `implicit` package's ALS and a popularity ranking on a given train/test split; prints their
ranking metrics at k (metrics written here with numpy, independently of Pulk's).
Usage: recommend_oracle.py INPUT.json
INPUT: {"train": [[user, item, weight], ...], "test": [[user, item], ...], "factors": F,
        "regularization": L, "iterations": I, "alpha": A, "k": K, "seed": S}"""
import json
import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np
import scipy.sparse as sp
from implicit.cpu.als import AlternatingLeastSquares

d = json.load(open(sys.argv[1]))
k = d["k"]
users = sorted({u for u, _, _ in d["train"]})
items = sorted({i for _, i, _ in d["train"]})
ui = {u: n for n, u in enumerate(users)}
ii = {i: n for n, i in enumerate(items)}
rows = [ui[u] for u, _, _ in d["train"]]
cols = [ii[i] for _, i, _ in d["train"]]
vals = [float(w) for _, _, w in d["train"]]
user_items = sp.csr_matrix((vals, (rows, cols)), shape=(len(users), len(items)), dtype=np.float32)
user_items.sum_duplicates()

relevant = {}
for u, i in d["test"]:
    relevant.setdefault(u, set()).add(ii.get(i, -1 - len(relevant)))


def metrics(recommend):
    p = r = ap_sum = nd = hit = 0.0
    shown = set()
    n = 0
    for u, truth in relevant.items():
        n += 1
        top = list(recommend(u))[:k]
        shown.update(top)
        hits = 0
        ap = dcg = 0.0
        for rank, item in enumerate(top):
            if item in truth:
                hits += 1
                ap += hits / (rank + 1)
                dcg += 1 / np.log2(rank + 2)
        ideal = sum(1 / np.log2(j + 2) for j in range(min(k, len(truth))))
        p += hits / k
        r += hits / len(truth)
        ap_sum += ap / min(k, len(truth))
        nd += dcg / ideal
        hit += hits > 0
    return {"precision": p / n, "recall": r / n, "map": ap_sum / n, "ndcg": nd / n, "hit_rate": hit / n,
            "coverage": len(shown) / len(items), "users": n}


model = AlternatingLeastSquares(factors=d["factors"], regularization=d["regularization"], iterations=d["iterations"],
                                alpha=d["alpha"], random_state=d["seed"], calculate_training_loss=False)
model.fit(user_items, show_progress=False)


def als(u):
    if u not in ui:
        return popular(u)
    ids, _ = model.recommend(ui[u], user_items[ui[u]], N=k, filter_already_liked_items=True)
    return ids


popularity = np.asarray((user_items > 0).sum(axis=0)).ravel()


def popular(u):
    scores = popularity.astype(float).copy()
    if u in ui:
        scores[user_items[ui[u]].indices] = -np.inf
    order = np.lexsort((np.arange(len(scores)), -scores))
    return [int(i) for i in order[:k] if np.isfinite(scores[i])]


print(json.dumps({"als": metrics(als), "popularity": metrics(popular)}))
