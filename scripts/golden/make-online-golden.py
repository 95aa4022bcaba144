"""Golden online metrics for SextantMonitoring, computed by scikit-learn.

Run:  PYTHON scripts/golden/make-online-golden.py
(a python with numpy and scikit-learn, e.g. /tmp/goldvenv/bin/python, see
Tests/SextantMLTests/Golden/README.md)

Writes Tests/SextantMonitoringTests/Golden/online-metrics.json: per task, logged prediction
rows (request id, row, time, revision, predict, proba) in shuffled order, the feedback truths
joined to some of them, the window, and per revision what scikit-learn computes on the
revision's newest `window` labelled rows (newest by time; times are distinct), with the
row, labelled-row and correct-row counts. Deterministic: numpy seed 7.
"""
import json
import math
import os
import platform

import numpy as np
import sklearn
from sklearn.metrics import (accuracy_score, f1_score, log_loss, mean_absolute_error,
                             mean_squared_error, precision_score, r2_score, recall_score,
                             roc_auc_score)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "SextantMonitoringTests", "Golden", "online-metrics.json")
rng = np.random.default_rng(7)
START = 1_700_000_000


def rows_for(count, revisions, make):
    """`count` rows over `revisions`, distinct times, shuffled; `make(i)` gives predict, proba, truth."""
    times = rng.permutation(count * 7)[:count] + START
    rows = []
    for i in range(count):
        predict, proba, truth = make(i)
        rows.append({"requestId": f"req-{i:04d}", "row": 0, "time": int(times[i]),
                     "revision": int(revisions[i % len(revisions)]), "predict": predict,
                     "proba": proba, "truth": truth})
    rng.shuffle(rows)
    return rows


def window_of(rows, revision, window):
    own = [r for r in rows if r["revision"] == revision]
    labelled = sorted((r for r in own if r["truth"] is not None), key=lambda r: -r["time"])
    return own, labelled, labelled[:window]


def finite(value):
    value = float(value)
    assert math.isfinite(value)
    return value


def binary_case():
    def make(i):
        p = float(rng.beta(2, 2))
        truth = bool(rng.random() < p) if rng.random() < 0.7 else None
        # The served label uses the model's own threshold (0.4), not 0.5: `predict` counts.
        return p >= 0.4, [1 - p, p], truth
    rows = rows_for(420, [1, 2], make)
    window = 150
    expected = {}
    for revision in (1, 2):
        own, labelled, win = window_of(rows, revision, window)
        y = [int(r["truth"]) for r in win]
        pred = [int(r["predict"]) for r in win]
        score = [r["proba"][1] for r in win]
        expected[str(revision)] = {
            "rows": len(own), "labelledRows": len(labelled), "windowRows": len(win),
            "correctRows": sum(int(a == b) for a, b in zip(y, pred)),
            "metrics": {
                "accuracy": finite(accuracy_score(y, pred)),
                "precision": finite(precision_score(y, pred, zero_division=0)),
                "recall": finite(recall_score(y, pred, zero_division=0)),
                "f1": finite(f1_score(y, pred, zero_division=0)),
                "auc": finite(roc_auc_score(y, score)),
                "logLoss": finite(log_loss(y, [[1 - s, s] for s in score], labels=[0, 1])),
            },
        }
    return {"task": "binary-classification", "classes": ["false", "true"], "window": window,
            "rows": rows, "expected": expected}


def multiclass_case():
    classes = ["ant", "bee", "cat"]

    def make(i):
        proba = rng.dirichlet([1.5, 1.5, 1.5]).tolist()
        predict = classes[int(np.argmax(proba))]
        truth = classes[int(rng.choice(3, p=proba))] if rng.random() < 0.8 else None
        return predict, proba, truth
    rows = rows_for(260, [4], make)
    window = 200
    own, labelled, win = window_of(rows, 4, window)
    y = [r["truth"] for r in win]
    pred = [r["predict"] for r in win]
    return {"task": "multiclass-classification", "classes": classes, "window": window, "rows": rows,
            "expected": {"4": {
                "rows": len(own), "labelledRows": len(labelled), "windowRows": len(win),
                "correctRows": sum(int(a == b) for a, b in zip(y, pred)),
                "metrics": {
                    "accuracy": finite(accuracy_score(y, pred)),
                    "macroF1": finite(f1_score(y, pred, average="macro", zero_division=0)),
                    "weightedF1": finite(f1_score(y, pred, average="weighted", zero_division=0)),
                    "logLoss": finite(log_loss(y, [r["proba"] for r in win], labels=classes)),
                }}}}


def regression_case():
    def make(i):
        value = float(rng.normal(50, 12))
        truth = value + float(rng.normal(0, 4)) if rng.random() < 0.6 else None
        return value, None, truth
    rows = rows_for(300, [3], make)
    window = 120
    own, labelled, win = window_of(rows, 3, window)
    y = [r["truth"] for r in win]
    pred = [r["predict"] for r in win]
    return {"task": "regression", "classes": [], "window": window, "rows": rows,
            "expected": {"3": {
                "rows": len(own), "labelledRows": len(labelled), "windowRows": len(win),
                "correctRows": None,
                "metrics": {
                    "rmse": finite(math.sqrt(mean_squared_error(y, pred))),
                    "mae": finite(mean_absolute_error(y, pred)),
                    "r2": finite(r2_score(y, pred)),
                }}}}


cases = {"binary": binary_case(), "multiclass": multiclass_case(), "regression": regression_case()}
cases["versions"] = {"python": platform.python_version(), "numpy": np.__version__, "scikit-learn": sklearn.__version__}
with open(OUT, "w") as file:
    json.dump(cases, file, separators=(",", ":"))
    file.write("\n")
print(f"wrote {OUT}")
