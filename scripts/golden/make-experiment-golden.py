"""Golden experiment statistics for SextantML's Experiments, computed by SciPy, statsmodels and
GrowthBook's gbstats (DESIGN §10).

Run:  PYTHON scripts/golden/make-experiment-golden.py [OUT.json]
(a python with numpy, scipy, statsmodels and gbstats, e.g.
   python3 -m venv /tmp/expvenv && /tmp/expvenv/bin/pip install numpy scipy statsmodels gbstats
 CI's /tmp/sextant-evidently-venv has them; the tests run this script when
 SEXTANT_SKLEARN_PYTHON names such a python)

Writes OUT.json (default Tests/SextantMLTests/Golden/experiment.json), read by
Tests/SextantMLTests/ExperimentGoldenTests.swift. Deterministic (numpy default_rng(23), values
rounded to 4 decimals so the JSON holds them exactly); the versions used are inside. Last run
with Python 3.11.7, numpy 1.26.4, scipy 1.17.1, statsmodels 0.15.0, gbstats 0.8.0.

Each case has a KPI kind (mean | proportion), alpha, the tuning N*, the candidate's and the
stable arm's values, and
  - `fixed`: the fixed-horizon comparison candidate - stable.
      mean: scipy.stats.ttest_ind(candidate, stable, equal_var=False): statistic, pvalue, df,
            confidence_interval(1 - alpha); standard error sqrt(v1/n1 + v2/n2), ddof 1.
      proportion: statsmodels proportions_ztest([x1, x2], [n1, n2]) (pooled variance):
            statistic, pvalue; standard error sqrt(p(1-p)(1/n1 + 1/n2)), p pooled; interval
            difference -/+ norm.ppf(1 - alpha/2) * that pooled standard error (Sextant's
            documented choice: pooled, so the interval excludes 0 exactly when p < alpha).
    null where SciPy / statsmodels give NaN or an infinite statistic (no spread).
  - `sequential`: gbstats' SequentialTwoSidedTTest(stat_a = stable, stat_b = candidate,
      SequentialConfig(alpha, difference_type="absolute", sequential_tuning_parameter=N*)):
      point_estimate, sqrt(variance), confidence_interval, p_value. Arms are
      SampleMeanStatistic(n, sum, sum_squares) for mean, ProportionStatistic(n, sum) for
      proportion (variance p(1-p) of each arm, unpooled). null where gbstats' variance is 0.
"""
import json
import math
import os
import platform
import sys
import warnings
from importlib.metadata import version

import numpy as np
import scipy
from scipy import stats
from statsmodels.stats.proportion import proportions_ztest
from gbstats.frequentist.tests import SequentialConfig, SequentialTwoSidedTTest
from gbstats.models.statistics import ProportionStatistic, SampleMeanStatistic

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "Tests", "SextantMLTests", "Golden", "experiment.json")
rng = np.random.default_rng(23)


def numbers(values):
    return [float(round(float(v), 4)) for v in values]


def normal(n, mean, sd):
    return numbers(rng.normal(mean, sd, n))


def revenue(n, buy, scale):
    """Mostly zeros, a skewed amount for the buyers: a typical revenue-per-user KPI."""
    bought = rng.random(n) < buy
    return numbers(np.where(bought, rng.lognormal(math.log(scale), 0.8, n), 0.0))


def outcomes(n, p):
    return [int(v) for v in (rng.random(n) < p)]


def finite(value):
    value = float(value)
    return value if math.isfinite(value) else None


def fixed(kind, cand, stab, alpha):
    c, s = np.asarray(cand, dtype=float), np.asarray(stab, dtype=float)
    n1, n2 = len(c), len(s)
    diff = float(c.mean() - s.mean())
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        if kind == "mean":
            result = stats.ttest_ind(c, s, equal_var=False)
            if not (math.isfinite(result.statistic) and math.isfinite(result.pvalue)):
                return None
            ci = result.confidence_interval(1 - alpha)
            se = math.sqrt(c.var(ddof=1) / n1 + s.var(ddof=1) / n2)
            return {"difference": diff, "standardError": se, "statistic": float(result.statistic),
                    "degreesOfFreedom": float(result.df), "pValue": float(result.pvalue),
                    "interval": [float(ci.low), float(ci.high)]}
        x1, x2 = int(c.sum()), int(s.sum())
        z, p = proportions_ztest([x1, x2], [n1, n2])
        if not (math.isfinite(z) and math.isfinite(p)):
            return None
        pooled = (x1 + x2) / (n1 + n2)
        se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        half = stats.norm.ppf(1 - alpha / 2) * se
        return {"difference": diff, "standardError": se, "statistic": float(z), "degreesOfFreedom": None,
                "pValue": float(p), "interval": [diff - half, diff + half]}


def statistic(kind, values):
    v = np.asarray(values, dtype=float)
    if kind == "mean":
        return SampleMeanStatistic(n=len(v), sum=float(v.sum()), sum_squares=float((v * v).sum()))
    return ProportionStatistic(n=len(v), sum=float(v.sum()))


def sequential(kind, cand, stab, alpha, tuning):
    config = SequentialConfig(alpha=alpha, difference_type="absolute", sequential_tuning_parameter=tuning)
    test = SequentialTwoSidedTTest(statistic(kind, stab), statistic(kind, cand), config)
    if test.variance <= 0:
        return None
    ci = test.confidence_interval
    return {"difference": float(test.point_estimate), "standardError": math.sqrt(test.variance),
            "pValue": float(test.p_value), "interval": [float(ci[0]), float(ci[1])]}


cases = []


def case(name, note, kind, cand, stab, alpha=0.05, tuning=5000.0):
    cases.append({"name": name, "note": note, "kind": kind, "alpha": alpha, "tuning": tuning,
                  "candidate": cand, "stable": stab,
                  "fixed": fixed(kind, cand, stab, alpha), "sequential": sequential(kind, cand, stab, alpha, tuning)})


# mean KPIs
case("mean-small", "5 and 7 values: few degrees of freedom", "mean", normal(5, 10.5, 2), normal(7, 10, 2))
case("mean-two-each", "two values per arm, the least defined: df near 1", "mean", [1.0, 3.5], [2.0, 2.25])
case("mean-unequal-variances", "sd 1 against sd 6, n 40 and 90", "mean", normal(40, 5, 1), normal(90, 5.8, 6))
case("mean-unequal-variances-alpha-0.1", "the same kind of arms at alpha 0.1", "mean", normal(60, 3, 4), normal(25, 2, 0.5), alpha=0.1)
case("mean-medium", "n 300 each, a real lift", "mean", normal(300, 20.6, 5), normal(300, 20, 5))
case("mean-large", "n 5000 and 4000, a small lift", "mean", normal(5000, 1.02, 1), normal(4000, 1.0, 1))
case("mean-large-alpha-0.1", "n 3000 each, no lift, alpha 0.1", "mean", normal(3000, 7, 2), normal(3000, 7, 2), alpha=0.1)
case("mean-offset", "mean 1000, sd 0.5: variance from sums loses digits", "mean", normal(200, 1000.05, 0.5), normal(200, 1000, 0.5))
case("mean-revenue", "revenue per user: 90% zeros, lognormal amounts", "mean", revenue(2000, 0.11, 30), revenue(2000, 0.10, 30))
case("mean-worse", "the candidate lower: a negative difference", "mean", normal(500, 4.6, 1.5), normal(500, 5, 1.5))
case("mean-one-constant-arm", "the stable arm constant: df = n1 - 1", "mean", normal(30, 2, 1), [2.0] * 20)
case("mean-tuning-1000", "tuning N* 1000 instead of 5000", "mean", normal(800, 0.3, 1), normal(800, 0.1, 1), tuning=1000.0)
case("mean-clear", "a large lift: a p-value far out in the tail", "mean", normal(150, 12, 2), normal(150, 10, 2.5))
case("mean-both-constant", "both arms constant: SciPy's NaN, gbstats' zero variance", "mean", [3.0] * 10, [3.0] * 12)
# proportion KPIs
case("proportion-small", "10 and 12 outcomes", "proportion", outcomes(10, 0.5), outcomes(12, 0.3))
case("proportion-medium", "500 each, p 0.30 against 0.25", "proportion", outcomes(500, 0.30), outcomes(500, 0.25))
case("proportion-near-0", "p near 0.01, n 3000 and 2500", "proportion", outcomes(3000, 0.012), outcomes(2500, 0.008))
case("proportion-near-1", "p near 0.98, n 2000 each, alpha 0.1", "proportion", outcomes(2000, 0.975), outcomes(2000, 0.985), alpha=0.1)
case("proportion-large", "n 20000 each, a small lift", "proportion", outcomes(20000, 0.105), outcomes(20000, 0.1))
case("proportion-large-alpha-0.1", "n 8000 and 12000, no lift, alpha 0.1", "proportion", outcomes(8000, 0.2), outcomes(12000, 0.2), alpha=0.1)
case("proportion-one-all-zero", "the stable arm all 0: defined, pooled p > 0", "proportion", outcomes(200, 0.05), [0] * 150)
case("proportion-clear", "0.6 against 0.4, n 1500 each: a p-value far out in the tail", "proportion", outcomes(1500, 0.6), outcomes(1500, 0.4))
case("proportion-all-zero", "both arms all 0: statsmodels' NaN, gbstats' zero variance", "proportion", [0] * 50, [0] * 60)
case("proportion-all-one", "both arms all 1: statsmodels' NaN, gbstats' zero variance", "proportion", [1] * 40, [1] * 30)

versions = {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
            "statsmodels": version("statsmodels"), "gbstats": version("gbstats")}
with open(OUT, "w") as f:
    json.dump({"versions": versions, "cases": cases}, f, separators=(",", ":"))
    f.write("\n")
print(f"{len(cases)} cases -> {OUT}")
