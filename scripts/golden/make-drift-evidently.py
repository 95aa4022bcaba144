"""Evidently 0.7's drift verdicts on real data that no one here generated.

Run:  PYTHON scripts/golden/make-drift-evidently.py [OUT.json]
(a python with evidently==0.7.23, 'pandas<3' and scikit-learn; .ci/run makes one and names it in
SEXTANT_EVIDENTLY_PYTHON)

scikit-learn's bundled datasets (shipped in the wheel, no download), each split into a
reference and a current part by one of its own features so the current part has shifted:
  wine            reference alcohol < 13, current alcohol >= 13 (86 / 92 rows: KS, chi-square)
  breast_cancer   reference mean radius < 13.37 (its median), current the rest (KS)
  diabetes        raw measurements; reference bmi < 26, current the rest; sex an integer (z-test)
  digits          20 pixel columns (integers 0-16); reference digits 0-5 (>1,000 rows:
                  Wasserstein and Jensen-Shannon), current digits 6-9
Evidently infers each column's kind from the current frame (floats numerical, integers with
more than 10 distinct values numerical, else categorical) and picks its default test. Writes
the columns and, per dataset, Evidently's per-feature method, statistic and verdict and the
dataset verdict (drift share 0.5) to OUT.json (default
Tests/SextantMLTests/Golden/drift-evidently.json). Deterministic.
"""
import json
import os
import sys

import evidently
import numpy as np
import pandas as pd
import sklearn
from evidently import DataDefinition, Dataset, Report
from evidently.legacy.calculations.stattests.registry import get_stattest
from evidently.legacy.core import ColumnType
from evidently.presets import DataDriftPreset
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_wine

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "Tests", "SextantMLTests", "Golden", "drift-evidently.json")
NAMES = {"ks": "ks", "chisquare": "chiSquare", "z": "zTest", "wasserstein": "wasserstein",
         "jensenshannon": "jensenShannon", "psi": "psi"}


def datasets():
    wine = load_wine(as_frame=True).frame
    yield "wine", wine[wine["alcohol"] < 13], wine[wine["alcohol"] >= 13]
    cancer = load_breast_cancer(as_frame=True).frame.drop(columns="target")
    yield "breast_cancer", cancer[cancer["mean radius"] < 13.37], cancer[cancer["mean radius"] >= 13.37]
    diabetes = load_diabetes(as_frame=True, scaled=False).frame.drop(columns="target")
    diabetes["sex"] = diabetes["sex"].astype("int64")
    yield "diabetes", diabetes[diabetes["bmi"] < 26], diabetes[diabetes["bmi"] >= 26]
    digits = load_digits(as_frame=True).frame
    # The centre 4x4 (many values: numerical) and four edge pixels (few: categorical).
    pixels = [f"pixel_{r}_{c}" for r in (2, 3, 4, 5) for c in (2, 3, 4, 5)] + ["pixel_0_1", "pixel_2_7", "pixel_3_1", "pixel_6_7"]
    digits = digits[pixels + ["target"]].astype("int64")
    yield "digits", digits[digits["target"] < 6].drop(columns="target"), digits[digits["target"] >= 6].drop(columns="target")


def verdicts(reference, current):
    """Evidently's Report (DataDriftPreset) and, per column, its stat test's own verdict."""
    current_data = Dataset.from_pandas(current)
    definition = current_data.data_definition
    numerical = set(definition.numerical_columns or [])
    categorical = set(definition.categorical_columns or [])
    explicit = DataDefinition(numerical_columns=sorted(numerical), categorical_columns=sorted(categorical))
    result = Report([DataDriftPreset()]).run(
        Dataset.from_pandas(current, data_definition=explicit),
        Dataset.from_pandas(reference, data_definition=explicit)).dict()
    report_values = {}
    share = None
    for metric in result["metrics"]:
        config = metric["config"]
        if config["type"].endswith("ValueDrift"):
            report_values[config["column"]] = float(metric["value"])
        elif config["type"].endswith("DriftedColumnsCount"):
            share = float(metric["value"]["share"])
    features = []
    for name in reference.columns:
        kind = "numerical" if name in numerical else "categorical"
        ctype = ColumnType.Numerical if kind == "numerical" else ColumnType.Categorical
        ref = reference[name].replace([-np.inf, np.inf], np.nan).dropna()
        cur = current[name].replace([-np.inf, np.inf], np.nan).dropna()
        test = get_stattest(ref, cur, ctype, None)
        outcome = test(ref, cur, ctype, None)
        assert abs(outcome.drift_score - report_values[name]) <= 1e-12 * max(1, abs(report_values[name])), name
        features.append({"name": name, "kind": kind, "method": NAMES[test.name],
                         "statistic": float(outcome.drift_score), "drifted": bool(outcome.drifted)})
    drifted_share = sum(f["drifted"] for f in features) / len(features)
    assert abs(drifted_share - share) < 1e-12, (drifted_share, share)
    return {"features": features, "driftedShare": drifted_share, "datasetDrift": bool(drifted_share >= 0.5)}


def main():
    out = []
    for name, reference, current in datasets():
        columns = [{"name": c,
                    "type": "integer" if pd.api.types.is_integer_dtype(reference[c]) else "number",
                    "reference": [float(v) for v in reference[c]],
                    "current": [float(v) for v in current[c]]} for c in reference.columns]
        out.append({"name": name, "columns": columns, "evidently": verdicts(reference, current)})
        e = out[-1]["evidently"]
        methods = sorted({f["method"] for f in e["features"]})
        print(f"{name:14} rows {len(reference)}/{len(current)} drifted {e['driftedShare']:.3f} {methods}")
    versions = {"evidently": evidently.__version__, "pandas": pd.__version__, "scikit-learn": sklearn.__version__}
    with open(OUT, "w") as f:
        json.dump({"versions": versions, "datasets": out}, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
