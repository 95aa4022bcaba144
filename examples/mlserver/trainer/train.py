"""A scikit-learn trainer for Sextant, served by MLServer's scikit-learn runtime.

Sextant runs it in a directory holding the repository's files as of the commit, with a
clean environment (the trainer contract, docs/lifecycle.md): SEXTANT_TRAIN_DATA (CSV),
SEXTANT_TARGET, SEXTANT_FEATURES (comma-separated, in the manifest's order),
SEXTANT_HYPERPARAMETERS (JSON: `C: 1.0` arrives as the float 1.0, `max_iter: 200` as the
integer 200), SEXTANT_SEED, SEXTANT_MODEL_NAME and SEXTANT_OUTPUT_DIR. It fits a
standardised logistic regression on the features and writes model.joblib, which
MLServer's `mlserver_sklearn.SKLearnModel` loads. Sextant evaluates the model through
MLServer, never through this script.
"""
import json
import os
import sys

import joblib
import pandas
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def main():
    features = os.environ["SEXTANT_FEATURES"].split(",")
    target = os.environ["SEXTANT_TARGET"]
    parameters = json.loads(os.environ.get("SEXTANT_HYPERPARAMETERS") or "{}")
    seed = int(os.environ.get("SEXTANT_SEED", "0"))

    rows = pandas.read_csv(os.environ["SEXTANT_TRAIN_DATA"]).dropna(subset=[target])
    if rows[target].nunique() < 2:
        sys.exit(f"the target {target} has a single value in the training rows; cannot learn a classifier")
    # The DataFrame's column names go into the model: MLServer's `pd` content type hands it
    # a DataFrame whose columns are the request's inputs, one per feature, by name.
    model = make_pipeline(StandardScaler(), LogisticRegression(random_state=seed, **parameters))
    model.fit(rows[features], rows[target])

    output = os.environ["SEXTANT_OUTPUT_DIR"]
    joblib.dump(model, os.path.join(output, "model.joblib"))
    accuracy = model.score(rows[features], rows[target])
    print(f"{os.environ.get('SEXTANT_MODEL_NAME', 'model')}: trained on {len(rows)} rows with {parameters}; "
          f"training accuracy {accuracy:.3f}; classes {[str(c) for c in model.classes_]}; wrote model.joblib", flush=True)


if __name__ == "__main__":
    main()
