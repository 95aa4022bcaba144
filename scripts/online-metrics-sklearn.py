#!/usr/bin/env python3
"""Online accuracy and AUC of a binary classifier's labelled production rows, computed by
scikit-learn, as the reference for SextantMonitoring's OnlineMetrics
(PredictionsEndToEndTests).

usage: online-metrics-sklearn.py CSV POSITIVE
CSV is `sextant predictions MODEL --with-feedback -o csv`; POSITIVE the positive class (the
second in sorted order, e.g. true). Rows without a truth are left out. Prints
{"rows": N, "accuracy": A, "auc": U} as JSON (floats in full precision).
Needs: numpy and scikit-learn.
"""
import csv
import json
import sys

from sklearn.metrics import accuracy_score, roc_auc_score

path, positive = sys.argv[1], sys.argv[2]
with open(path, newline="") as file:
    rows = [row for row in csv.DictReader(file) if row["truth"] != ""]
truth = [row["truth"] for row in rows]
predicted = [row["predict"] for row in rows]
scores = [float(row["proba." + positive]) for row in rows]
print(json.dumps({
    "rows": len(rows),
    "accuracy": accuracy_score(truth, predicted),
    "auc": roc_auc_score([label == positive for label in truth], scores),
}))
