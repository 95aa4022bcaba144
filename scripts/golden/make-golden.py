"""Golden reference values for Sextant's Swift ML code, computed by scikit-learn and fairlearn.

Run:  /tmp/goldvenv/bin/python scripts/golden/make-golden.py
(venv: python3 -m venv /tmp/goldvenv && /tmp/goldvenv/bin/pip install numpy scikit-learn fairlearn)

Writes JSON fixtures and CSV datasets into Tests/SextantMLTests/Golden/. Deterministic: every
random draw uses a fixed numpy seed; the split is scripts/golden/split.py.
"""
import csv
import json
import math
import os
import platform
import re
import sys
import warnings

import fairlearn
import numpy as np
import scipy
import sklearn
from fairlearn.metrics import (demographic_parity_difference, demographic_parity_ratio,
                               equalized_odds_difference)
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import (accuracy_score, average_precision_score, f1_score, log_loss,
                             mean_absolute_error, mean_squared_error, precision_score, r2_score,
                             recall_score, roc_auc_score)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from split import class_order, split, splitmix64  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(ROOT, "Tests", "SextantMLTests", "Golden")
os.makedirs(OUT, exist_ok=True)


def clean(value):
    """NaN/inf -> None (JSON null); numpy scalars -> Python floats/ints."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, np.ndarray):
        return clean(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    return value


def nonfinite_keys(expected):
    return sorted(k for k, v in expected.items()
                  if isinstance(v, float) and not math.isfinite(v))


def write_json(name, payload):
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(clean(payload), f, indent=1, allow_nan=False)
        f.write("\n")


def number_text(x):
    """Shortest text that parses back to the same double; integral values without '.0'."""
    x = float(x)
    return str(int(x)) if x.is_integer() and abs(x) < 2**53 else repr(x)


# ---------------------------------------------------------------------------------------
# a. SplitMix64
def first10(seed):
    return [str(v) for v, _ in zip(splitmix64(seed), range(10))]


write_json("splitmix64.json", {"seed42": first10(42), "seed0": first10(0)})

# ---------------------------------------------------------------------------------------
# b. Splits
split_cases = []


def add_split(n, labels, holdout, seed):
    train, held = split(n, holdout, seed, labels)
    split_cases.append({"n": n, "labels": labels, "holdout": holdout, "seed": seed,
                        "stratify": labels is not None, "train": train, "holdout_rows": held})


add_split(10, None, 0.2, 42)
add_split(101, None, 0.25, 7)
three = []
counts = {"a": 20, "b": 7, "c": 3}
pattern = ["a", "a", "b", "a", "a", "b", "a", "c", "a", "b"]  # 6 a, 3 b, 1 c per 10 rows
for i in range(30):
    three.append(pattern[i % 10])
# pattern gives 18 a / 9 b / 3 c; turn 2 b into a for the requested 20 / 7 / 3
for i in (5, 15):
    three[i] = "a"
assert {c: three.count(c) for c in counts} == counts
add_split(30, three, 0.2, 42)
rng = np.random.default_rng(20240501)
tf = ["true" if v else "false" for v in (rng.random(50) < 0.4)]
add_split(50, tf, 0.3, 1)
# extra cases: holdout fraction whose product is an exact integer in decimal but not in binary
add_split(10, None, 0.3, 3)           # 0.3*10 = 3.0000000000000004 in doubles -> 3
add_split(7, ["2", "10", "2", "10", "10", "2", "10"], 0.5, 99)  # numeric labels: 2 before 10
write_json("split.json", split_cases)

# ---------------------------------------------------------------------------------------
# c. Binary metrics
binary_cases = []


def add_binary(name, y_true, score, sensitive, threshold=0.5, note=None):
    y_true = np.asarray(y_true, dtype=int)
    score = np.asarray(score, dtype=float)
    sensitive = np.asarray(sensitive, dtype=str)
    y_pred = (score >= threshold).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = {
            "accuracy": accuracy_score(y_true, y_pred),
            "precision": precision_score(y_true, y_pred, zero_division=0),
            "recall": recall_score(y_true, y_pred, zero_division=0),
            "f1": f1_score(y_true, y_pred, zero_division=0),
            "auc": roc_auc_score(y_true, score),
            "prAuc": average_precision_score(y_true, score),
            "logLoss": log_loss(y_true, score, labels=[0, 1]),
            "demographicParityDifference": demographic_parity_difference(
                y_true, y_pred, sensitive_features=sensitive),
            "demographicParityRatio": demographic_parity_ratio(
                y_true, y_pred, sensitive_features=sensitive),
            "equalizedOddsDifference": equalized_odds_difference(
                y_true, y_pred, sensitive_features=sensitive),
        }
    expected = {k: float(v) for k, v in expected.items()}
    case = {"name": name, "y_true": y_true, "score": score, "threshold": threshold,
            "sensitive": sensitive.tolist(), "expected": expected}
    bad = nonfinite_keys(expected)
    notes = [note] if note else []
    if bad:
        notes.append("non-finite in sklearn/fairlearn, written as null: " +
                      ", ".join(f"{k}={expected[k]!r}" for k in bad))
    if notes:
        case["note"] = " ".join(notes)
    binary_cases.append(case)


rng = np.random.default_rng(1)
n = 200
y = (rng.random(n) < 0.45).astype(int)
s = np.where(rng.random(n) < 0.4, "f", "m")
score = 1 / (1 + np.exp(-(1.5 * (2 * y - 1) + rng.normal(0, 1.5, n) + np.where(s == "f", -0.3, 0.2))))
add_binary("random n=200, 2 groups", y, score, s)

rng = np.random.default_rng(2)
n = 120
y = (rng.random(n) < 0.5).astype(int)
s = np.where(rng.random(n) < 0.5, "g1", "g2")
raw = 1 / (1 + np.exp(-(1.0 * (2 * y - 1) + rng.normal(0, 1.2, n))))
score = np.round(raw, 1)
add_binary("heavy ties (scores rounded to 1 decimal, incl. exactly 0.5 at the threshold)", y, score, s)

y = np.array([0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 1, 0])
score = np.array([0.1, 0.9, 0.8, 0.2, 0.7, 0.3, 0.05, 0.95, 0.6, 0.4, 0.55, 0.45])
s = np.array(["a", "a", "b", "b", "a", "b", "a", "b", "a", "b", "b", "a"])
add_binary("perfect classifier", y, score, s)
add_binary("all-wrong classifier", y, 1 - score, s)

y = np.array([0, 1, 1, 0, 1, 0, 0, 1, 1, 0])
score = np.array([0.1, 0.4, 0.3, 0.2, 0.45, 0.05, 0.35, 0.49, 0.15, 0.25])
s = np.array(["a", "a", "b", "b", "a", "b", "a", "b", "a", "b"])
add_binary("no positives predicted (precision/f1 zero_division=0)", y, score, s,
           note="Every group's selection rate is 0, so demographicParityRatio = 0/0.")

rng = np.random.default_rng(3)
n = 90
s = np.array(["x"] * 60 + ["y"] * 22 + ["z"] * 8)
rng.shuffle(s)
y = (rng.random(n) < np.where(s == "x", 0.5, np.where(s == "y", 0.35, 0.6))).astype(int)
# make sure every group has both classes (equalized odds needs TPR and FPR per group)
for g in ("x", "y", "z"):
    idx = np.where(s == g)[0]
    y[idx[0]], y[idx[1]] = 0, 1
score = 1 / (1 + np.exp(-(1.2 * (2 * y - 1) + rng.normal(0, 1.3, n) + np.where(s == "z", 0.8, 0.0))))
add_binary("3 groups unbalanced (60/22/8)", y, score, s)

y = np.array([1, 0, 1, 0, 1, 0, 1, 0, 1, 0])
score = np.array([1.0, 0.0, 0.0, 1.0, 0.7, 0.2, 1.0, 0.0, 0.6, 0.4])
s = np.array(["a", "a", "a", "a", "a", "b", "b", "b", "b", "b"])
add_binary("scores exactly 0 and 1 (log-loss clipping)", y, score, s,
           note="sklearn clips the probability of the true class into [eps, 1-eps], "
                "eps = 2.220446049250313e-16 (float64 machine epsilon): it builds [1-p, p], "
                "clips both columns, takes -log of the true column, no renormalisation. "
                "A confident wrong answer costs -log(eps) = 36.04365338911715.")
write_json("binary-metrics.json", binary_cases)

# ---------------------------------------------------------------------------------------
# d. Multiclass metrics
multi_cases = []


def add_multi(name, classes, y_true, proba, note=None):
    classes = class_order(classes)
    proba = np.asarray(proba, dtype=float)
    y_pred = [classes[i] for i in np.argmax(proba, axis=1)]  # np.argmax: first max on ties
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = {
            "accuracy": accuracy_score(y_true, y_pred),
            "macroF1": f1_score(y_true, y_pred, labels=classes, average="macro", zero_division=0),
            "weightedF1": f1_score(y_true, y_pred, labels=classes, average="weighted",
                                   zero_division=0),
            # integer-coded: sklearn's LabelBinarizer would sort string labels as text
            # ("1" < "10" < "2") and misalign the probability columns for numeric labels
            "logLoss": log_loss([classes.index(t) for t in y_true], proba,
                                labels=list(range(len(classes)))),
        }
    expected = {k: float(v) for k, v in expected.items()}
    case = {"name": name, "classes": classes, "y_true": list(y_true), "proba": proba,
            "expected": expected}
    if note:
        case["note"] = note
    multi_cases.append(case)


rng = np.random.default_rng(4)
classes = ["bird", "cat", "dog"]
n = 60
yi = rng.integers(0, 3, n)
logits = rng.normal(0, 1, (n, 3)) + 1.5 * np.eye(3)[yi]
p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
add_multi("random 3 classes n=60", classes, [classes[i] for i in yi], p)

classes = ["a", "b", "c", "d"]
y_true = ["a", "b", "c", "d", "a", "b", "c", "d", "a", "c"]
p = np.array([
    [0.7, 0.1, 0.1, 0.1], [0.2, 0.5, 0.2, 0.1], [0.1, 0.2, 0.6, 0.1], [0.4, 0.1, 0.45, 0.05],
    [0.6, 0.2, 0.1, 0.1], [0.5, 0.3, 0.1, 0.1], [0.2, 0.2, 0.5, 0.1], [0.3, 0.3, 0.3, 0.1],
    [0.25, 0.25, 0.25, 0.25], [0.1, 0.1, 0.7, 0.1]])
add_multi("class d never predicted; ties broken by first max", classes, y_true, p,
          note="Rows at index 7 and 8 (0-based) tie; argmax takes the first maximum (a). "
               "Class d is in y_true but never predicted: its F1 is 0 and counts in the macro average.")

classes = ["1", "2", "10"]  # numeric labels: ordered by value, so 10 is last
y_true = ["1", "2", "10", "10", "2", "1", "10", "2"]
p = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.1, 0.2, 0.7],
              [0.3, 0.3, 0.4], [0.0, 1.0, 0.0], [0.2, 0.5, 0.3], [0.25, 0.5, 0.25]])
add_multi("numeric labels, probabilities exactly 0 and 1", ["10", "2", "1"], y_true, p,
          note="Columns follow numeric order 1, 2, 10. Row index 5 gives the true class "
               "probability 0: sklearn clips it to eps=2.220446049250313e-16, no renormalisation.")
write_json("multiclass-metrics.json", multi_cases)

# ---------------------------------------------------------------------------------------
# e. Regression metrics
reg_cases = []


def add_reg(name, y_true, y_pred, note=None):
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    expected = {
        "rmse": math.sqrt(mean_squared_error(y_true, y_pred)),
        "mae": mean_absolute_error(y_true, y_pred),
        "r2": r2_score(y_true, y_pred),
    }
    expected = {k: float(v) for k, v in expected.items()}
    case = {"name": name, "y_true": y_true, "y_pred": y_pred, "expected": expected}
    if note:
        case["note"] = note
    reg_cases.append(case)


rng = np.random.default_rng(5)
yt = rng.normal(50, 10, 100)
add_reg("random n=100", yt, yt + rng.normal(0, 4, 100))
add_reg("small exact", [3, -0.5, 2, 7], [2.5, 0.0, 2, 8])
add_reg("constant y_true, imperfect prediction", [4.0] * 5, [3.0, 4.0, 5.0, 4.5, 4.0],
        note="r2_score(force_finite=True, the default) returns 0.0 when y_true is constant "
             "and the prediction is not perfect (the true value is -inf).")
add_reg("constant y_true, perfect prediction", [4.0] * 5, [4.0] * 5,
        note="r2_score(force_finite=True) returns 1.0 for a perfect prediction of a constant "
             "(the true value is 0/0).")
add_reg("worse than the mean (negative r2)", [1, 2, 3, 4, 5], [5, 4, 3, 2, 1])
write_json("regression-metrics.json", reg_cases)

# ---------------------------------------------------------------------------------------
# f. Training on real datasets


def safe_name(name):
    """'sepal length (cm)' -> 'sepal_length': lowercase, units in parentheses dropped,
    spaces -> underscores."""
    return re.sub(r"\s*\([^)]*\)", "", name).strip().lower().replace(" ", "_")


def write_csv(filename, features, X, target_text):
    with open(os.path.join(OUT, filename), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(features + ["target"])
        for row, t in zip(X, target_text):
            w.writerow([number_text(v) for v in row] + [t])


def standardize(X, train):
    means = X[train].mean(axis=0)
    scales = X[train].std(axis=0, ddof=0)
    scales = np.where(scales == 0, 1.0, scales)
    return means, scales, (X - means) / scales


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def logistic_objective_and_grad(W, b, Z, Y, l2):
    """mean cross-entropy + (l2/2)‖W‖²; W is k×d (k=1 for binary), Y one-hot n×K."""
    n = Z.shape[0]
    if W.shape[0] == 1:  # binary: sigmoid of one margin
        m = Z @ W[0] + b[0]
        y = Y[:, 1]
        loss = np.mean(np.logaddexp(0, m) - y * m)
        p = 1 / (1 + np.exp(-m))
        gW = ((p - y) @ Z / n + l2 * W[0])[None, :]
        gb = np.array([np.mean(p - y)])
    else:
        M = Z @ W.T + b
        logsum = np.logaddexp.reduce(M, axis=1)
        loss = np.mean(logsum - (Y * M).sum(axis=1))
        P = softmax(M)
        gW = (P - Y).T @ Z / n + l2 * W
        gb = (P - Y).mean(axis=0)
    return loss + 0.5 * l2 * np.sum(W * W), gW, gb


def newton_polish(W, b, Z, Y, l2, steps=8):
    """Exact Newton steps on mean cross-entropy + (l2/2)|W|^2 (intercepts unpenalised).
    Multiclass: the Hessian is singular along 'shift every intercept'; lstsq takes the
    minimum-norm step, and the intercepts are centred to sum 0 at the end."""
    W, b = np.array(W, dtype=float), np.array(b, dtype=float)
    n, d = Z.shape
    Z1 = np.column_stack([Z, np.ones(n)])
    pen = np.r_[np.full(d, l2), 0.0]
    for _ in range(steps):
        _, gW, gb = logistic_objective_and_grad(W, b, Z, Y, l2)
        if W.shape[0] == 1:
            p = 1 / (1 + np.exp(-(Z @ W[0] + b[0])))
            H = (Z1 * (p * (1 - p))[:, None]).T @ Z1 / n + np.diag(pen)
            g = np.r_[gW[0], gb]
            step = np.linalg.solve(H, g)
            W[0] -= step[:d]
            b -= step[d:]
        else:
            K = W.shape[0]
            P = softmax(Z @ W.T + b)
            H = np.zeros((K * (d + 1), K * (d + 1)))
            for k in range(K):
                for j in range(K):
                    wgt = P[:, k] * ((k == j) - P[:, j])
                    H[k*(d+1):(k+1)*(d+1), j*(d+1):(j+1)*(d+1)] = (Z1 * wgt[:, None]).T @ Z1 / n
                H[k*(d+1):(k+1)*(d+1), k*(d+1):(k+1)*(d+1)] += np.diag(pen)
            g = np.column_stack([gW, gb]).ravel()
            step = np.linalg.lstsq(H, g, rcond=None)[0].reshape(K, d + 1)
            W -= step[:, :d]
            b -= step[:, d]
    if W.shape[0] > 1:
        b -= b.mean()
    return W, b


training = {}
model_notes = {}


def train_classifier(key, csvname, data, target_text):
    features = [safe_name(f) for f in data.feature_names]
    X = np.asarray(data.data, dtype=float)
    write_csv(csvname, features, X, target_text)
    classes = class_order(sorted(set(target_text)))
    yi = np.array([classes.index(t) for t in target_text])
    n = len(yi)
    train, held = split(n, 0.2, 42, list(target_text))
    means, scales, Z = standardize(X, train)
    n_train = len(train)
    l2 = 1.0 / n_train
    C = 1.0 / (l2 * n_train)
    Y = np.eye(len(classes))[yi]
    fits = {}
    for solver in ("lbfgs", "newton-cholesky"):
        m = LogisticRegression(C=C, solver=solver, max_iter=10000, tol=1e-12)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m.fit(Z[train], yi[train])
        assert list(m.classes_) == list(range(len(classes)))
        fits[solver] = m
    # lbfgs (the solver asked for) stops at a gradient norm ~1e-8, which leaves coefficients
    # ~1e-6 from the optimum; newton-cholesky gets within ~1e-10. A few exact Newton steps in
    # numpy from there reach the optimum to ~1e-15, which is what a 1e-9 test needs.
    W, b = newton_polish(fits["newton-cholesky"].coef_, fits["newton-cholesky"].intercept_,
                         Z[train], Y[train], l2)
    solver_report = {}
    for solver, m in fits.items():
        o, g1, g2 = logistic_objective_and_grad(m.coef_, m.intercept_, Z[train], Y[train], l2)
        bc_ = m.intercept_ - (m.intercept_.mean() if len(classes) > 2 else 0)
        solver_report[solver] = {
            "coef": m.coef_, "intercept": bc_, "n_iter": int(np.max(m.n_iter_)),
            "gradient_norm": float(np.sqrt(np.sum(g1**2) + np.sum(g2**2))),
            "objective": o,
            "max_abs_diff_vs_coef": float(max(np.max(np.abs(m.coef_ - W)), np.max(np.abs(bc_ - b)))),
        }
    model = fits["lbfgs"]
    model.coef_, model.intercept_ = W.copy(), b.copy()  # sklearn's predict_proba, our numbers
    obj, gW, gb = logistic_objective_and_grad(W, b, Z[train], Y[train], l2)
    grad_norm = float(np.sqrt(np.sum(gW**2) + np.sum(gb**2)))
    # check: predict_proba recomputed from the written numbers
    Zh = (X[held] - means) / scales
    P = model.predict_proba(Zh)
    if len(classes) == 2:
        p1 = 1 / (1 + np.exp(-(Zh @ W[0] + b[0])))
        mine = np.column_stack([1 - p1, p1])
    else:
        mine = softmax(Zh @ W.T + b)
    proba_diff = float(np.max(np.abs(mine - P)))
    assert proba_diff < 1e-12, proba_diff
    pred = np.argmax(P, axis=1)
    if len(classes) == 2:
        metrics = {"auc": roc_auc_score(yi[held], P[:, 1]),
                   "accuracy": accuracy_score(yi[held], (P[:, 1] >= 0.5).astype(int)),
                   "logLoss": log_loss(yi[held], P[:, 1], labels=[0, 1])}
        task = "binary"
    else:
        metrics = {"accuracy": accuracy_score(yi[held], pred),
                   "macroF1": f1_score(yi[held], pred, labels=list(range(len(classes))),
                                       average="macro", zero_division=0),
                   "logLoss": log_loss(yi[held], P, labels=list(range(len(classes))))}
        task = "multiclass"
    training[key] = {
        "csv": csvname, "target": "target", "features": features, "task": task,
        "classes": classes, "l2": l2, "C": C, "n_train": n_train,
        "train_rows": train, "holdout_rows": held, "means": means, "scales": scales,
        "coef": W, "intercept": b, "holdout_metrics": metrics, "train_objective": obj,
        "gradient_norm_at_solution": grad_norm, "sklearn_solvers": solver_report,
        "coef_source": "LogisticRegression(solver='newton-cholesky', tol=1e-12) refined by exact "
                       "Newton steps (numpy) to gradient norm ~1e-17; sklearn_solvers lists the raw "
                       "lbfgs and newton-cholesky solutions and their distance from coef.",
    }
    return training[key]


bc = load_breast_cancer()
train_classifier("breast_cancer", "breast_cancer.csv", bc,
                 ["true" if t == 1 else "false" for t in bc.target])
training["breast_cancer"]["note"] = (
    "target: sklearn's 0/1 mapped to false/true, so true = benign (sklearn 1), false = malignant "
    "(sklearn 0). Classes in order [false, true]; coef/intercept are for P(true). "
    "LogisticRegression(C=1/(l2*n_train)=1, lbfgs, tol=1e-12, max_iter=10000) minimises "
    "C*sum(loss)+0.5*|w|^2, i.e. mean log-loss + (l2/2)|w|^2 with l2=1/(C*n_train).")

ir = load_iris()
train_classifier("iris", "iris.csv", ir, [str(ir.target_names[t]) for t in ir.target])
training["iris"]["note"] = (
    "Multinomial (softmax) logistic regression with one coefficient row per class in class order "
    "[setosa, versicolor, virginica], all rows penalised: objective = mean cross-entropy + "
    "(l2/2)*sum of squares of all K*d coefficients (intercepts not penalised). At the optimum the "
    "coefficient rows sum to 0 across classes; intercepts are only defined up to a common shift — "
    "sklearn's (lbfgs from zero) sum to ~0; compare probabilities or centred intercepts.")

db = load_diabetes(scaled=False)
features = [safe_name(f) for f in db.feature_names]
X = np.asarray(db.data, dtype=float)
y = np.asarray(db.target, dtype=float)
write_csv("diabetes.csv", features, X, [number_text(t) for t in y])
train, held = split(len(y), 0.2, 42, None)
means, scales, Z = standardize(X, train)
n_train = len(train)
l2 = 1.0 / n_train
alpha = l2 * n_train
ridge = Ridge(alpha=alpha, fit_intercept=True, solver="auto").fit(Z[train], y[train])
w, b = ridge.coef_, float(ridge.intercept_)
res = y[train] - Z[train] @ w - b
obj = float(res @ res / (2 * n_train) + 0.5 * l2 * w @ w)
# exact solution for comparison: centred normal equations
Zc = Z[train] - Z[train].mean(axis=0)
w_exact = np.linalg.solve(Zc.T @ Zc + alpha * np.eye(Z.shape[1]), Zc.T @ (y[train] - y[train].mean()))
pred = ridge.predict(Z[held])
assert np.max(np.abs((Z[held] @ w + b) - pred)) < 1e-9
training["diabetes"] = {
    "csv": "diabetes.csv", "target": "target", "features": features, "task": "regression",
    "l2": l2, "alpha": alpha, "n_train": n_train, "train_rows": train, "holdout_rows": held,
    "means": means, "scales": scales, "coef": [w], "intercept": [b],
    "holdout_metrics": {"rmse": math.sqrt(mean_squared_error(y[held], pred)),
                        "mae": mean_absolute_error(y[held], pred),
                        "r2": r2_score(y[held], pred)},
    "train_objective": obj,
    "max_abs_coef_diff_vs_normal_equations": float(np.max(np.abs(w - w_exact))),
    "note": "load_diabetes(scaled=False): the raw measurements (age, sex 1/2, bmi, ...). "
            "Ridge(alpha=l2*n_train=1) minimises |y-Zw-b|^2 + alpha|w|^2, i.e. "
            "(1/(2n))|y-Zw-b|^2 + (l2/2)|w|^2; intercept not penalised.",
}
write_json("training.json", training)

# ---------------------------------------------------------------------------------------
versions = {
    "python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
    "scikit-learn": sklearn.__version__, "fairlearn": fairlearn.__version__,
}
write_json("versions.json", versions)
print(json.dumps(versions))
for key, t in training.items():
    print(key, json.dumps(clean(t["holdout_metrics"])), "objective", t["train_objective"],
          "grad", t.get("gradient_norm_at_solution"))
