"""Explanations and bootstrap intervals by scikit-learn, on data no one here generated.

Run:  PYTHON scripts/golden/make-explain-golden.py [OUT.json]
(a python with numpy, scipy and scikit-learn:
   python3 -m venv /tmp/sklearn-venv && /tmp/sklearn-venv/bin/pip install numpy scipy scikit-learn
 the tests run it when SEXTANT_SKLEARN_PYTHON names such a python)

Writes OUT.json (default Tests/SextantMLTests/Golden/explain.json), read by
Tests/SextantMLTests/ExplainGoldenTests.swift. Deterministic; the versions used are inside.

Datasets: scikit-learn's breast_cancer (binary, scored by roc_auc), diabetes (regression, r2)
and iris (multiclass, accuracy), as scripts/golden/make-golden.py wrote them to CSV, split by
scripts/golden/split.py (holdout 0.2, seed 42; stratified for the classifiers) exactly as
Sextant splits them.

The model: a scikit-learn pipeline, StandardScaler (population std, as Sextant standardises)
then LogisticRegression(C=1) / Ridge(alpha=1): the objective Sextant's built-in trainers
minimise with their default l2 = 1/n_train (Golden/README.md), so the coefficients agree with
Sextant's to the solvers' tolerance (`coef` is written for the test to check). A fitted
scikit-learn estimator rather than Sextant's coefficients wrapped by hand: the reference is
then scikit-learn end to end.

1. importance: `sklearn.inspection.permutation_importance(model, X_holdout, y_holdout,
   scoring, n_repeats, random_state=42)`, its importances_mean and importances_std; and
   the same definition computed with Sextant's own permutations (PermutationPlan: SplitMix64
   seeded with the first output of SplitMix64(seed ^ (feature << 32 | repeat)), a Fisher-Yates
   shuffle as split.py's) and scikit-learn's scorer, which pins the plan and the arithmetic.
   Two generators give two samples of the same quantity, so the cases are chosen where the
   top three stand apart and, where one permutation's importance varies too much for two
   5-repeat means to agree within 0.02, both sides take 200 repeats (each case's `why`):
     breast_cancer  six mean_ features, 5 repeats (all 30 collinear features: a near-tie <= 0.007)
     diabetes       all but s1 and s2, 200 repeats
     iris           all four features, 200 repeats (30 holdout rows: accuracy steps of 1/30)
2. bootstrap: the holdout's truth and the model's scores, 1,000 resamples drawn as
   BootstrapIntervals draws them (one SplitMix64(seed 42) running on, row = next() % n), every
   metric by scikit-learn on each resample, and numpy.percentile(values, [2.5, 97.5]).
3. shap: diabetes with `sex` read as text (a categorical feature: one-hot over its sorted
   values) fitted by Ridge(alpha=1), and the closed form phi_i = w_i * (z_i - mean_i) summed over
   each feature's inputs, mean_i = the train rows' mean of input i (0 for standardised numbers,
   the category's share for one-hot inputs), base = intercept + w . mean.
"""
import csv
import json
import os
import platform
import sys

import numpy as np
import scipy
import sklearn
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import (accuracy_score, average_precision_score, f1_score, get_scorer, log_loss,
                             mean_absolute_error, mean_squared_error, precision_score, r2_score,
                             recall_score, roc_auc_score)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from split import class_order, split, splitmix64  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
GOLDEN = os.path.join(ROOT, "Tests", "SextantMLTests", "Golden")
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(GOLDEN, "explain.json")
SEED = 42
REPEATS = 5
BREAST_CANCER = ["mean_radius", "mean_texture", "mean_smoothness", "mean_compactness", "mean_concave_points", "mean_symmetry"]
DIABETES = ["age", "sex", "bmi", "bp", "s3", "s4", "s5", "s6"]
RESAMPLES = 1000


def read(name):
    with open(os.path.join(GOLDEN, name), newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def dataset(name, task, features=None):
    """(feature names, X, y as Sextant's label text, train rows, holdout rows); `features`
    picks columns (default all but the target)."""
    header, rows = read(name + ".csv")
    features = features or header[:-1]
    columns = [header.index(f) for f in features]
    X = np.array([[float(row[c]) for c in columns] for row in rows])
    y = [row[-1] for row in rows]
    if task == "regression":
        y = [format_number(float(v)) for v in y]
    train, held = split(len(rows), 0.2, SEED, None if task == "regression" else y)
    return features, X, y, train, held


def format_number(x):
    """Sextant's formatNumber: integral values without '.0'."""
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


def plan_permutation(feature, repeat, n):
    """Sextant's PermutationPlan.permutation(feature:repeat:) for seed SEED."""
    stream = next(splitmix64(SEED ^ (feature << 32 | repeat)))
    g, order = splitmix64(stream), list(range(n))
    for i in range(n - 1, 0, -1):
        j = next(g) % (i + 1)
        order[i], order[j] = order[j], order[i]
    return order


def fit(task, X, y):
    if task == "regression":
        model = make_pipeline(StandardScaler(), Ridge(alpha=1.0))
        return model.fit(X, np.array([float(v) for v in y]))
    model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, tol=1e-12, max_iter=100000))
    return model.fit(X, np.array(y))


def importance(name, task, scoring, features, repeats, why):
    features, X, y, train, held = dataset(name, task, features)
    model = fit(task, X[train], [y[r] for r in train])
    Xh = X[held]
    yh = np.array([float(y[r]) for r in held]) if task == "regression" else np.array([y[r] for r in held])
    result = permutation_importance(model, Xh, yh, scoring=scoring, n_repeats=repeats, random_state=SEED)
    scorer = get_scorer(scoring)
    baseline = scorer(model, Xh, yh)
    ours = []
    for j in range(len(features)):
        decreases = []
        for r in range(repeats):
            permuted = Xh.copy()
            permuted[:, j] = Xh[plan_permutation(j, r, len(held)), j]
            decreases.append(baseline - scorer(model, permuted, yh))
        ours.append(decreases)
    ours = np.array(ours)
    estimator = model[-1]
    return {
        "name": name, "task": task, "repeats": repeats, "why": why, "metric": {"roc_auc": "auc", "r2": "r2", "accuracy": "accuracy"}[scoring],
        "features": features, "holdout_rows": held, "baseline": baseline,
        "coef": np.atleast_2d(estimator.coef_).tolist(), "intercept": np.atleast_1d(estimator.intercept_).tolist(),
        "sklearn": {"random_state": SEED, "mean": result.importances_mean.tolist(), "std": result.importances_std.tolist()},
        "plan": {"seed": SEED, "mean": ours.mean(axis=1).tolist(), "std": ours.std(axis=1).tolist(),
                 "first_permutation": plan_permutation(0, 0, len(held))},
    }


def bootstrap(name, task):
    features, X, y, train, held = dataset(name, task)
    model = fit(task, X[train], [y[r] for r in train])
    Xh = X[held]
    truth = [y[r] for r in held]
    n = len(held)
    if task == "regression":
        scores = model.predict(Xh)
        yt = np.array([float(v) for v in truth])
        metrics = {
            "rmse": lambda i: mean_squared_error(yt[i], scores[i]) ** 0.5,
            "mae": lambda i: mean_absolute_error(yt[i], scores[i]),
            "r2": lambda i: r2_score(yt[i], scores[i]),
        }
        rows = [[float(s)] for s in scores]
        classes = None
    else:
        classes = class_order(sorted(set(y)))
        assert list(model.classes_) == classes, (model.classes_, classes)
        proba = model.predict_proba(Xh)
        rows = proba.tolist()
        yt = np.array(truth)
        if task == "binary":
            positive = classes[-1]
            actual = (yt == positive).astype(int)
            p = proba[:, 1]
            predicted = (p >= 0.5).astype(int)
            metrics = {
                "auc": lambda i: roc_auc_score(actual[i], p[i]),
                "prAuc": lambda i: average_precision_score(actual[i], p[i]),
                "accuracy": lambda i: accuracy_score(actual[i], predicted[i]),
                "precision": lambda i: precision_score(actual[i], predicted[i], zero_division=0),
                "recall": lambda i: recall_score(actual[i], predicted[i], zero_division=0),
                "f1": lambda i: f1_score(actual[i], predicted[i], zero_division=0),
                "logLoss": lambda i: log_loss(actual[i], p[i], labels=[0, 1]),
            }
        else:
            predicted = np.array(classes)[proba.argmax(axis=1)]
            metrics = {
                "accuracy": lambda i: accuracy_score(yt[i], predicted[i]),
                "macroF1": lambda i: f1_score(yt[i], predicted[i], average="macro", zero_division=0),
                "weightedF1": lambda i: f1_score(yt[i], predicted[i], average="weighted", zero_division=0),
                "logLoss": lambda i: log_loss(yt[i], proba[i], labels=classes),
            }
    g = splitmix64(SEED)
    draws = [np.array([next(g) % n for _ in range(n)]) for _ in range(RESAMPLES)]
    everything = np.arange(n)
    intervals, holdout = {}, {}
    for metric, compute in metrics.items():
        holdout[metric] = compute(everything)
        values = np.array([compute(i) for i in draws])
        values = values[np.isfinite(values)]
        intervals[metric] = np.percentile(values, [2.5, 97.5]).tolist()
    return {"name": name, "task": task, "classes": classes, "truth": truth, "scores": rows, "seed": SEED,
            "resamples": RESAMPLES, "first_resample": draws[0].tolist(), "holdout": holdout, "intervals": intervals}


def shap():
    header, rows = read("diabetes.csv")
    features = header[:-1]
    categorical = {"sex"}
    y = np.array([float(row[-1]) for row in rows])
    train, held = split(len(rows), 0.2, SEED, None)
    columns, reference, owner, transforms = [], [], [], []
    for j, feature in enumerate(features):
        raw = [row[j] for row in rows]
        if feature in categorical:
            categories = sorted(set(raw[r] for r in train))
            onehot = np.array([[1.0 if v == c else 0.0 for c in categories] for v in raw])
            shares = onehot[train].mean(axis=0)
            columns.append(onehot)
            reference += shares.tolist()
            owner += [j] * len(categories)
            transforms.append({"name": feature, "categories": categories, "shares": shares.tolist()})
        else:
            values = np.array([float(v) for v in raw])
            mean, scale = values[train].mean(), values[train].std()
            columns.append(((values - mean) / scale)[:, None])
            reference.append(0.0)
            owner.append(j)
            transforms.append({"name": feature, "mean": mean, "scale": scale})
    Z = np.hstack(columns)
    model = Ridge(alpha=1.0).fit(Z[train], y[train])
    w, b, mean = model.coef_, float(model.intercept_), np.array(reference)
    contributions = w * (Z[held] - mean)
    values = np.zeros((len(held), len(features)))
    for k, j in enumerate(owner):
        values[:, j] += contributions[:, k]
    base = b + float(w @ mean)
    raw = Z[held] @ w + b
    return {"name": "diabetes", "categorical": sorted(categorical), "features": features, "transforms": transforms,
            "coef": w.tolist(), "intercept": b, "holdout_rows": held, "values": values.tolist(), "base": base,
            "raw": raw.tolist(), "largest_sum_error": float(np.abs(values.sum(axis=1) + base - raw).max())}


payload = {
    "versions": {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
                 "scikit-learn": sklearn.__version__},
    "importance": [
        importance("breast_cancer", "binary", "roc_auc", BREAST_CANCER, REPEATS,
                   "six of the ten mean_ measurements: over all 30 collinear features no feature moves the AUC by more than "
                   "0.007, a near-tie whose order is the permutations' noise"),
        importance("diabetes", "regression", "r2", DIABETES, 200,
                   "without s1 and s2 (collinear, with large opposite coefficients); 200 repeats on both sides: an r2 "
                   "importance varies by 0.03-0.05 from one permutation to another, so two independent 5-repeat means "
                   "differ by more than 0.02 however right both are"),
        importance("iris", "multiclass", "accuracy", None, 200,
                   "200 repeats on both sides: 30 holdout rows make accuracy move in steps of 1/30, so 5-repeat means "
                   "of two generators differ by up to 0.02"),
    ],
    "bootstrap": [bootstrap("breast_cancer", "binary"), bootstrap("diabetes", "regression"), bootstrap("iris", "multiclass")],
    "shap": shap(),
}
with open(OUT, "w") as f:
    json.dump(payload, f, indent=1, allow_nan=False)
    f.write("\n")
for case in payload["importance"]:
    top = np.argsort(-np.array(case["sklearn"]["mean"]), kind="stable")[:4]
    print(case["name"], [(case["features"][k], round(case["sklearn"]["mean"][k], 4)) for k in top],
          "plan:", [round(case["plan"]["mean"][k], 4) for k in top])
