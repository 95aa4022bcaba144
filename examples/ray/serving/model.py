"""The model trainer/train.py writes (`model.json`) and its predictions.

Standard library only, no Ray: the trainer's own standardisation and sigmoid, so what the
server answers is what the trainer fitted.
"""
import json
import math
import os

FORMAT = "sextant-example-ray/v1"


class Model:
    """A logistic regression over standardised numeric features; classes false, true."""

    def __init__(self, document):
        self.features = document["features"]
        self.means = document["means"]
        self.scales = document["scales"]
        self.weights = document["weights"]
        self.bias = document["bias"]
        self.classes = document["classes"]

    @classmethod
    def load(cls, directory):
        """The model in `directory`/model.json; a missing or foreign file stops the replica
        with one line saying what is wrong (Ray shows it as the deployment's message)."""
        path = os.path.join(directory, "model.json")
        if not os.path.isfile(path):
            raise RuntimeError(f"{path} does not exist; SEXTANT_MODEL_DIR must name the directory "
                               "holding the model.json that trainer/train.py wrote")
        with open(path, encoding="utf-8") as source:
            document = json.load(source)
        if document.get("format") != FORMAT:
            raise RuntimeError(f"{path} has format {document.get('format')!r}, not {FORMAT!r}: "
                               "it was not written by this example's trainer/train.py")
        return cls(document)

    def probabilities(self, columns):
        """[p(false), p(true)] per row, from one column of values per feature (None is the mean)."""
        rows = len(columns[0]) if columns else 0
        answers = []
        for row in range(rows):
            z = self.bias
            for weight, column, mean, scale in zip(self.weights, columns, self.means, self.scales):
                value = column[row]
                z += weight * (0.0 if value is None else (value - mean) / scale)
            p = 1 / (1 + math.exp(-max(-500.0, min(500.0, z))))
            answers.append([1 - p, p])
        return answers
