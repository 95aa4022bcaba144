"""Golden drift statistics for SextantML's Drift, computed by SciPy and Evidently.

Run:  PYTHON scripts/golden/make-drift-golden.py
(a python with numpy, scipy, pandas<3 and evidently 0.7.23, e.g.
  python3 -m venv /tmp/evvenv && /tmp/evvenv/bin/pip install evidently==0.7.23 'pandas<3' scikit-learn)

Writes Tests/SextantMLTests/Golden/drift-statistics.json: deterministic samples (numpy seed 11)
of several sizes, and per case
  - `statistics`: each applicable method's statistic as SciPy computes it, with Evidently's
    definitions (KS: ks_2samp default method; chiSquare: chisquare of current counts against
    reference shares scaled to the current size; zTest: Evidently's two-proportion z with
    norm.cdf; wasserstein: wasserstein_distance / max(np.std(reference), 0.001);
    jensenShannon: distance.jensenshannon of Evidently's binned shares; psi: Evidently's);
  - `auto`: the test Evidently's default rule picks, its statistic and its verdict.
Missing values are null (dropped before testing); a statistic SciPy leaves NaN is null.
"""
import json
import math
import os
import platform

import evidently
import numpy as np
import pandas as pd
import scipy
from evidently.legacy.calculations.stattests.registry import get_stattest
from evidently.legacy.calculations.stattests.utils import get_binned_data
from evidently.legacy.core import ColumnType
from scipy import stats
from scipy.spatial import distance

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "SextantMLTests", "Golden", "drift-statistics.json")
rng = np.random.default_rng(11)

EVIDENTLY_NAMES = {"ks": "ks", "chisquare": "chiSquare", "z": "zTest", "wasserstein": "wasserstein",
                   "jensenshannon": "jensenShannon", "psi": "psi"}


def series(values, numeric):
    if numeric:
        return pd.Series([np.nan if v is None else v for v in values], dtype="float64").dropna()
    return pd.Series([v for v in values if v is not None], dtype="object")


def kind_of(type_, current):
    """DESIGN §7 (Evidently's inference): number numerical; integer numerical above 10 distinct."""
    if type_ == "number":
        return "numerical"
    if type_ == "integer":
        return "numerical" if len({v for v in current if v is not None}) > 10 else "categorical"
    return "categorical"


def z_test(ref, cur):
    if ref.nunique() == 1 and cur.nunique() == 1 and ref.unique()[0] == cur.unique()[0]:
        return 1.0
    first = sorted(set(ref.unique()) | set(cur.unique()))[0]
    a = (ref != first).astype(int)
    b = (cur != first).astype(int)
    n1, n2 = len(a), len(b)
    p1, p2 = float(a.sum()) / n1, float(b.sum()) / n2
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2))
    return float(2 * (1 - stats.norm.cdf(abs(z))))


def chi_square(ref, cur):
    keys = sorted(set(ref.unique()) | set(cur.unique()), key=str)
    rc, cc = ref.value_counts(), cur.value_counts()
    scale = len(cur) / len(ref)
    f_obs = [float(cc.get(k, 0)) for k in keys]
    f_exp = [float(rc.get(k, 0)) * scale for k in keys]
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(stats.chisquare(f_obs, f_exp)[1])


def statistics(ref, cur, kind, column_type):
    out = {}
    ctype = ColumnType.Numerical if kind == "numerical" else ColumnType.Categorical
    if kind == "numerical":
        out["ks"] = float(stats.ks_2samp(ref.to_numpy(), cur.to_numpy())[1])
        out["wasserstein"] = float(stats.wasserstein_distance(ref, cur) / max(float(np.std(ref)), 0.001))
    else:
        out["chiSquare"] = chi_square(ref, cur)
        out["zTest"] = z_test(ref, cur)
    p, q = get_binned_data(ref, cur, ctype, 30, False)
    out["jensenShannon"] = float(distance.jensenshannon(p, q))
    p, q = get_binned_data(ref, cur, ctype, 30)
    out["psi"] = float(np.sum((p - q) * np.log(p / q)))
    return out


CASES = []


def case(name, type_, reference, current, note):
    CASES.append((name, type_, reference, current, note))


def numbers(values, decimals=6):
    """Floats; rounded to `decimals` places (large samples: a smaller file, and ties)."""
    return [round(float(v), decimals) for v in values]


# KS, exact (both samples <= 10,000 values).
case("ks-equal-sizes", "number", numbers(rng.normal(0, 1, 40)), numbers(rng.normal(0.6, 1, 40)),
     "n1 = n2: SciPy's _compute_prob_outside_square")
case("ks-unequal", "number", numbers(rng.normal(0, 1, 200)), numbers(rng.normal(0.25, 1, 150)),
     "n1 != n2: the inside method")
case("ks-tiny", "number", numbers(rng.normal(0, 1, 7)), numbers(rng.normal(1, 1, 5)), "7 vs 5 values")
case("ks-ties", "number", numbers(rng.normal(10, 2, 300), 0), numbers(rng.normal(10.3, 2, 250), 0),
     "rounded to integers: many ties")
case("ks-no-drift", "number", numbers(rng.exponential(1, 600)), numbers(rng.exponential(1, 1000)),
     "same distribution, 600 vs 1000")
case("ks-coprime", "number", numbers(rng.uniform(0, 1, 997)), numbers(rng.uniform(0.02, 1, 1009)),
     "coprime sizes, lcm 1,005,973")
# KS, asymptotic (a sample above 10,000 values): scipy's kstwo at n = round(n1 n2 / (n1 + n2)).
case("ks-asymptotic-small-n", "number", numbers(rng.normal(0, 1, 60)), numbers(rng.normal(0.3, 1, 10_050), 2),
     "n = 60: the n <= 140 branches of kolmogn")
case("ks-asymptotic-durbin", "number", numbers(rng.normal(0, 1, 60)), numbers(rng.normal(0, 1, 10_001), 2),
     "n = 60, small D: Durbin's matrix")
case("ks-asymptotic-large-n", "number", numbers(rng.normal(0, 1, 900)), numbers(rng.normal(0.05, 1, 10_500), 2),
     "n = 829: the n > 140 branches of kolmogn")
case("ks-asymptotic-far", "number", numbers(rng.normal(0, 1, 900)), numbers(rng.normal(0.4, 1, 10_500), 2),
     "large D: 2 * smirnov(n, D)")
# Categories.
cats = ["a", "b", "c", "d"]
case("chi-square", "string", list(rng.choice(cats, 500, p=[.4, .3, .2, .1])),
     list(rng.choice(cats, 400, p=[.35, .3, .2, .15])), "four categories")
case("chi-square-new-category", "string", list(rng.choice(cats[:3], 300)), list(rng.choice(cats, 200)),
     "a category only in current: expected 0, p = 0")
case("chi-square-lost-category", "string", list(rng.choice(cats, 300)), list(rng.choice(cats[:3], 200)),
     "a category only in reference")
case("chi-square-no-drift", "string", list(rng.choice(cats, 800)), list(rng.choice(cats, 700)), "same shares, drawn independently")
case("z-binary", "boolean", list(rng.choice(["false", "true"], 300, p=[.7, .3])),
     list(rng.choice(["false", "true"], 250, p=[.6, .4])), "two values")
case("z-one-side-constant", "string", ["x"] * 120, list(rng.choice(["x", "y"], 100, p=[.9, .1])),
     "reference holds one value")
case("z-same-constant", "string", ["x"] * 50, ["x"] * 60, "both sides the same single value: p = 1")
case("z-numbers-binary", "number", numbers(rng.integers(0, 2, 400)), numbers(rng.integers(0, 2, 300)),
     "a numerical feature with two values")
case("chi-numbers-few-values", "number", numbers(rng.integers(0, 4, 400)), numbers(rng.integers(1, 5, 300)),
     "a numerical feature with 5 values: chi-square")
case("integer-categorical", "integer", numbers(rng.integers(0, 6, 500)), numbers(rng.integers(0, 7, 400)),
     "integer with <= 10 current values: categorical")
case("integer-numerical", "integer", numbers(rng.integers(0, 40, 500)), numbers(rng.integers(3, 40, 400)),
     "integer with > 10 current values: numerical")
# Large reference: distances.
case("wasserstein", "number", numbers(rng.normal(0, 1, 5000), 3), numbers(rng.normal(0.2, 1.1, 1000), 3), "drift")
case("wasserstein-no-drift", "number", numbers(rng.gamma(2, 2, 3000)), numbers(rng.gamma(2, 2, 1000)),
     "same distribution")
case("wasserstein-constant-reference", "number", [2.5] * 1500, numbers(rng.normal(2.5, 0.01, 300)),
     "reference std 0: the 0.001 floor")
case("jensen-shannon", "string", list(rng.choice(cats, 3000, p=[.4, .3, .2, .1])),
     list(rng.choice(cats[:3], 800, p=[.4, .4, .2])), "a category missing in current")
case("jensen-shannon-numbers", "number", numbers(rng.integers(0, 3, 2000)), numbers(rng.integers(0, 4, 500)),
     "numerical with <= 5 values, large reference")
case("binned-ranges", "number", numbers(rng.lognormal(0, 1, 2500)), numbers(rng.lognormal(0.1, 1, 700)),
     "more than 20 reference values: Sturges bins for jensenShannon and psi")
case("binned-ranges-integer", "integer", numbers(rng.integers(0, 25, 1500)), numbers(rng.integers(2, 30, 400)),
     "integer Sturges bins: width at least 1")
case("missing-values", "number", [None if i % 7 == 0 else float(v) for i, v in enumerate(numbers(rng.normal(0, 1, 300)))],
     [None if i % 5 == 0 else float(v) for i, v in enumerate(numbers(rng.normal(0.5, 1, 200)))], "nulls dropped")


def main():
    out = []
    for name, type_, reference, current, note in CASES:
        kind = kind_of(type_, current)
        numeric = kind == "numerical" or type_ in ("number", "integer")
        ref, cur = series(reference, numeric), series(current, numeric)
        if type_ == "integer" and ref.isna().sum() == 0:
            ref, cur = ref.astype("int64"), cur.astype("int64")
        ctype = ColumnType.Numerical if kind == "numerical" else ColumnType.Categorical
        test = get_stattest(ref, cur, ctype, None)
        result = test(ref, cur, ctype, None)
        out.append({
            "name": name, "note": note, "type": type_, "kind": kind,
            "reference": reference, "current": current,
            # SciPy's NaN (chi-square over one category: no degree of freedom) is written null.
            "statistics": {k: (v if math.isfinite(v) else None) for k, v in statistics(ref, cur, kind, type_).items()},
            "auto": {"method": EVIDENTLY_NAMES[test.name], "statistic": float(result.drift_score),
                     "threshold": float(result.actual_threshold), "drifted": bool(result.drifted)},
        })
    versions = {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
                "pandas": pd.__version__, "evidently": evidently.__version__}
    with open(OUT, "w") as f:
        json.dump({"versions": versions, "cases": out}, f, separators=(",", ":"))
        f.write("\n")
    durbin = next(c for c in out if c["name"] == "ks-asymptotic-durbin")
    ref, cur = durbin["reference"], durbin["current"]
    d = stats.ks_2samp(ref, cur).statistic
    assert 60 * d * d <= 0.754693, "ks-asymptotic-durbin no longer reaches Durbin's matrix: change its seed"
    for c in out:
        print(f'{c["name"]:32} {c["auto"]["method"]:14} {c["auto"]["statistic"]:.6g} {c["auto"]["drifted"]}')


if __name__ == "__main__":
    main()
