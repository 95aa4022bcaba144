"""An external trainer for Sextant, written with the Python standard library only.

Sextant runs it in a directory holding the repository's files as of the commit, with a
clean environment (DESIGN §5): SEXTANT_TRAIN_DATA (CSV), SEXTANT_TARGET, SEXTANT_FEATURES
(comma-separated), SEXTANT_HYPERPARAMETERS (JSON), SEXTANT_SEED and SEXTANT_OUTPUT_DIR,
where it writes the model's files. It trains a logistic regression by batch gradient
descent on standardised numeric features and writes model.json, which serving/server.py
loads. Sextant evaluates the model through that server, never through this script.
"""
import csv
import json
import math
import os
import random
import sys


def main():
    features = os.environ["SEXTANT_FEATURES"].split(",")
    target = os.environ["SEXTANT_TARGET"]
    parameters = json.loads(os.environ.get("SEXTANT_HYPERPARAMETERS") or "{}")
    rate = float(parameters.get("learningRate", 0.5))
    epochs = int(parameters.get("epochs", 300))
    random.seed(int(os.environ.get("SEXTANT_SEED", "0")))

    rows = []
    with open(os.environ["SEXTANT_TRAIN_DATA"], newline="") as data:
        for record in csv.DictReader(data):
            if record[target] == "":
                continue
            rows.append(([float(record[name] or 0) for name in features], 1.0 if record[target] == "true" else 0.0))
    if not rows:
        sys.exit("no training rows")
    labels = {label for _, label in rows}
    if len(labels) < 2:
        sys.exit(f"the target {target} has a single value in the training rows; cannot learn a classifier")

    width = len(features)
    means = [sum(x[i] for x, _ in rows) / len(rows) for i in range(width)]
    stds = [math.sqrt(sum((x[i] - means[i]) ** 2 for x, _ in rows) / len(rows)) or 1.0 for i in range(width)]
    scaled = [([(x[i] - means[i]) / stds[i] for i in range(width)], y) for x, y in rows]

    weights, bias = [0.0] * width, 0.0
    for epoch in range(epochs):
        gradient, gradient_bias = [0.0] * width, 0.0
        for x, y in scaled:
            error = 1 / (1 + math.exp(-(sum(w * v for w, v in zip(weights, x)) + bias))) - y
            for i in range(width):
                gradient[i] += error * x[i]
            gradient_bias += error
        weights = [w - rate * g / len(scaled) for w, g in zip(weights, gradient)]
        bias -= rate * gradient_bias / len(scaled)
        if epoch % 100 == 0:
            print(f"epoch {epoch}: bias {bias:.4f}", flush=True)

    model = {"format": "python-trainer/v1", "features": features, "means": means, "stds": stds,
             "weights": weights, "bias": bias, "classes": ["false", "true"]}
    with open(os.path.join(os.environ["SEXTANT_OUTPUT_DIR"], "model.json"), "w") as out:
        json.dump(model, out, indent=2, sort_keys=True)
    print(f"trained on {len(rows)} rows; wrote model.json", flush=True)


if __name__ == "__main__":
    main()
