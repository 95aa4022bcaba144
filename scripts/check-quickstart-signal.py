#!/usr/bin/env python3
"""Check that the quickstart data passes the fraud-detector's gates.

Needs scikit-learn (not part of Sextant; only for this check):
    python3 -m venv /tmp/qsvenv && /tmp/qsvenv/bin/pip install scikit-learn
    /tmp/qsvenv/bin/python scripts/check-quickstart-signal.py [CSV]

CSV defaults to examples/quickstart/data/transactions.csv under the
repository root. The script

  * checks the data against the rules of contracts/transactions.odcs.yaml
    (row count, types and ranges, nulls, valid regions, unique ids);
  * fits StandardScaler + LogisticRegression on [amount, hour, merchant_risk,
    account_age_days] and reports AUC, F1 at threshold 0.5 and the demographic
    parity ratio over region (min over regions of the positive-prediction rate
    divided by the max), on two holdouts of 20%:
      - sklearn's stratified train_test_split(random_state=42);
      - the split Sextant itself makes (DESIGN.md section 2: SplitMix64 seeded
        with split.seed 42, stratified Fisher-Yates, ceil(0.2 x count) per class);
    each with C=1.0 (scikit-learn's default; Sextant's default l2 = 1/n) and
    with C = 1/(l2 * n) for l2 = 0.01.

Exits non-zero if any gate (auc >= 0.90, f1 >= 0.70, ratio >= 0.8) or any
contract rule fails.
"""

import csv
import math
import os
import sys

from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

FEATURES = ["amount", "hour", "merchant_risk", "account_age_days"]
GATES = {"auc": 0.90, "f1": 0.70, "demographicParityRatio": 0.8}
HOLDOUT = 0.2
SEED = 42
MASK64 = (1 << 64) - 1


def load(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def check_contract(rows):
    problems = []
    if not len(rows) > 1000:
        problems.append("rowCount = %d, must be > 1000" % len(rows))
    ids = [r["transaction_id"] for r in rows]
    if len(set(ids)) != len(ids):
        problems.append("transaction_id: duplicateValues = %d" % (len(ids) - len(set(ids))))
    for r in rows:
        for k, v in r.items():
            if v is None or v == "":
                problems.append("%s: null %s" % (r["transaction_id"], k))
        a = float(r["amount"])
        h = int(r["hour"])
        m = float(r["merchant_risk"])
        age = int(r["account_age_days"])
        if a < 0 or not 0 <= h <= 23 or not 0.0 <= m <= 1.0 or age < 0:
            problems.append("%s: value out of range" % r["transaction_id"])
        if r["region"] not in ("eu", "us", "apac"):
            problems.append("%s: invalid region %r" % (r["transaction_id"], r["region"]))
        if r["is_fraud"] not in ("true", "false"):
            problems.append("%s: invalid is_fraud %r" % (r["transaction_id"], r["is_fraud"]))
    return problems


def splitmix64(seed):
    state = seed & MASK64

    def next_():
        nonlocal state
        state = (state + 0x9E3779B97F4A7C15) & MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    return next_


def sextant_split(labels, holdout, seed):
    """The split of DESIGN.md section 2, stratified: (train, test) indices."""
    rng = splitmix64(seed)
    train, test = [], []
    for cls in sorted(set(labels)):
        idx = [i for i, y in enumerate(labels) if y == cls]
        for i in range(len(idx) - 1, 0, -1):
            j = rng() % (i + 1)
            idx[i], idx[j] = idx[j], idx[i]
        k = math.ceil(holdout * len(idx))
        test.extend(idx[:k])
        train.extend(idx[k:])
    return sorted(train), sorted(test)


def evaluate(X, y, regions, train, test, C):
    model = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=1000))
    model.fit([X[i] for i in train], [y[i] for i in train])
    Xt = [X[i] for i in test]
    yt = [y[i] for i in test]
    proba = model.predict_proba(Xt)[:, 1]
    pred = [1 if p >= 0.5 else 0 for p in proba]
    rates = {}
    for reg in sorted(set(regions)):
        members = [k for k, i in enumerate(test) if regions[i] == reg]
        rates[reg] = sum(pred[k] for k in members) / len(members)
    ratio = min(rates.values()) / max(rates.values()) if max(rates.values()) > 0 else 0.0
    return {
        "auc": roc_auc_score(yt, proba),
        "f1": f1_score(yt, pred),
        "demographicParityRatio": ratio,
        "rates": rates,
        "predictedPositives": sum(pred),
    }


def main(argv):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = argv[1] if len(argv) > 1 else os.path.join(
        root, "examples", "quickstart", "data", "transactions.csv")
    rows = load(path)
    ok = True

    problems = check_contract(rows)
    for p in problems[:20]:
        print("contract: " + p)
    if problems:
        ok = False
    else:
        print("contract: all rules pass (%d rows)" % len(rows))

    X = [[float(r[f]) for f in FEATURES] for r in rows]
    y = [1 if r["is_fraud"] == "true" else 0 for r in rows]
    regions = [r["region"] for r in rows]
    print("fraud rate: %.3f (%d of %d)" % (sum(y) / len(y), sum(y), len(y)))
    for reg in sorted(set(regions)):
        sel = [y[i] for i in range(len(y)) if regions[i] == reg]
        print("  %-5s %4d rows, fraud rate %.3f" % (reg, len(sel), sum(sel) / len(sel)))

    idx = list(range(len(rows)))
    sk_train, sk_test = train_test_split(
        idx, test_size=HOLDOUT, stratify=y, random_state=SEED)
    sx_train, sx_test = sextant_split(y, HOLDOUT, SEED)
    n_train = len(sx_train)
    for split_name, (train, test) in (("sklearn", (sk_train, sk_test)),
                                      ("sextant", (sx_train, sx_test))):
        for c_name, C in (("C=1.0", 1.0), ("l2=0.01", 1.0 / (0.01 * n_train))):
            m = evaluate(X, y, regions, train, test, C)
            verdicts = []
            for g, lo in GATES.items():
                passed = m[g] >= lo
                ok = ok and passed
                verdicts.append("%s=%.4f%s" % (g, m[g], "" if passed else " FAIL"))
            rates = " ".join("%s:%.3f" % kv for kv in sorted(m["rates"].items()))
            print("%-8s %-8s %s  predicted+=%d  rates[%s]"
                  % (split_name, c_name, "  ".join(verdicts), m["predictedPositives"], rates))
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
