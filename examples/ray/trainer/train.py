"""The fraud-detector's external trainer, Python standard library only.

Sextant runs it as a Ray Job (`--runtime ray`) or as a local process (the embedded
runtime), in a directory holding this repository's files at the commit, with the external
trainer contract's environment (DESIGN §5):

    SEXTANT_TRAIN_DATA       CSV of the training rows (every column of the dataset)
    SEXTANT_EVAL_DATA        CSV of the holdout; only its loss is printed: Sextant grades
                             the model through serving/app.py, never through this script
    SEXTANT_TARGET           the boolean column to predict
    SEXTANT_FEATURES         the numeric feature columns, comma-separated
    SEXTANT_HYPERPARAMETERS  JSON: learningRate (0.5), epochs (300), l2 (0.001)
    SEXTANT_SEED             seeds the initial weights
    SEXTANT_OUTPUT_DIR       where model.json is written

It fits a logistic regression on standardised features by full-batch gradient descent on
the mean log-loss plus (l2/2)·‖w‖² (the intercept is not penalised), and writes model.json:
the feature names, their means and scales, the weights, the bias and the classes in sorted
order (false, true). A missing feature value counts as the feature's mean, as the server
reads a null. The same data, hyperparameters and seed give the same file, byte for byte.
"""
import csv
import json
import math
import os
import random
import sys

DEFAULTS = {"learningRate": 0.5, "epochs": 300, "l2": 0.001}
BOOLEANS = {"true": 1.0, "false": 0.0, "1": 1.0, "0": 0.0}
REPORTS = 10  # progress lines per training


def fail(message):
    sys.exit(f"train.py: {message}")


def hyperparameters():
    """The defaults, overridden by SEXTANT_HYPERPARAMETERS; an unknown name is refused."""
    given = json.loads(os.environ.get("SEXTANT_HYPERPARAMETERS") or "{}")
    unknown = sorted(set(given) - set(DEFAULTS))
    if unknown:
        fail(f"unknown hyperparameter {', '.join(unknown)}; this trainer takes {', '.join(sorted(DEFAULTS))}")
    chosen = {**DEFAULTS, **given}
    rate, epochs, l2 = float(chosen["learningRate"]), int(chosen["epochs"]), float(chosen["l2"])
    if not rate > 0 or epochs < 1 or l2 < 0:
        fail(f"hyperparameters must have learningRate > 0, epochs ≥ 1 and l2 ≥ 0; got {chosen}")
    return rate, epochs, l2


def read_rows(path, features, target):
    """(feature values with None for missing, label 0/1) of every row with a label."""
    rows = []
    with open(path, newline="", encoding="utf-8") as source:
        reader = csv.DictReader(source)
        missing = [name for name in features + [target] if name not in (reader.fieldnames or [])]
        if missing:
            fail(f"{path} has no column {', '.join(missing)}")
        for line, record in enumerate(reader, start=2):
            label = record[target].strip().lower()
            if label == "":
                continue
            if label not in BOOLEANS:
                fail(f"{path}:{line}: {target} is {record[target]!r}; this trainer predicts a boolean target")
            try:
                values = [float(record[name]) if record[name] != "" else None for name in features]
            except ValueError as error:
                fail(f"{path}:{line}: {error}; every feature must be a number")
            rows.append((values, BOOLEANS[label]))
    return rows


def standardisation(rows, width):
    """Per feature: the mean and the (population) standard deviation of the present values."""
    means, scales = [], []
    for index in range(width):
        present = [values[index] for values, _ in rows if values[index] is not None]
        mean = sum(present) / len(present) if present else 0.0
        spread = math.sqrt(sum((value - mean) ** 2 for value in present) / len(present)) if present else 0.0
        means.append(mean)
        scales.append(spread or 1.0)
    return means, scales


def standardised(rows, means, scales):
    return [([0.0 if value is None else (value - mean) / scale for value, mean, scale in zip(values, means, scales)], label)
            for values, label in rows]


def probability(weights, bias, x):
    z = bias + sum(weight * value for weight, value in zip(weights, x))
    return 1 / (1 + math.exp(-max(-500.0, min(500.0, z))))


def log_loss(weights, bias, rows):
    total = 0.0
    for x, label in rows:
        p = min(max(probability(weights, bias, x), 1e-15), 1 - 1e-15)
        total -= label * math.log(p) + (1 - label) * math.log(1 - p)
    return total / len(rows)


def main():
    features = [name for name in os.environ["SEXTANT_FEATURES"].split(",") if name]
    target = os.environ["SEXTANT_TARGET"]
    rate, epochs, l2 = hyperparameters()
    seed = int(os.environ.get("SEXTANT_SEED") or "0")

    rows = read_rows(os.environ["SEXTANT_TRAIN_DATA"], features, target)
    if len({label for _, label in rows}) < 2:
        fail(f"the training rows hold {len(rows)} labels of {target} but not both classes; a classifier needs both")
    means, scales = standardisation(rows, len(features))
    train = standardised(rows, means, scales)
    holdout_path = os.environ.get("SEXTANT_EVAL_DATA")
    holdout = standardised(read_rows(holdout_path, features, target), means, scales) if holdout_path else []
    print(f"training on {len(train)} rows ({int(sum(label for _, label in train))} {target}), "
          f"holding out {len(holdout)}; learningRate {rate}, epochs {epochs}, l2 {l2}, seed {seed}", flush=True)

    generator = random.Random(seed)
    weights = [generator.gauss(0.0, 0.01) for _ in features]
    bias = 0.0
    for epoch in range(1, epochs + 1):
        gradient, gradient_bias = [l2 * weight for weight in weights], 0.0
        for x, label in train:
            error = (probability(weights, bias, x) - label) / len(train)
            for index, value in enumerate(x):
                gradient[index] += error * value
            gradient_bias += error
        weights = [weight - rate * step for weight, step in zip(weights, gradient)]
        bias -= rate * gradient_bias
        if epoch == 1 or epoch % max(1, epochs // REPORTS) == 0 or epoch == epochs:
            line = f"epoch {epoch}/{epochs}: loss {log_loss(weights, bias, train):.5f}"
            if holdout:
                line += f", holdout loss {log_loss(weights, bias, holdout):.5f}"
            print(line, flush=True)

    model = {"format": "sextant-example-ray/v1", "target": target, "features": features,
             "means": means, "scales": scales, "weights": weights, "bias": bias, "classes": ["false", "true"]}
    path = os.path.join(os.environ["SEXTANT_OUTPUT_DIR"], "model.json")
    with open(path, "w", encoding="utf-8") as out:
        json.dump(model, out, indent=2, sort_keys=True)
        out.write("\n")
    print(f"wrote {path}", flush=True)


if __name__ == "__main__":
    main()
