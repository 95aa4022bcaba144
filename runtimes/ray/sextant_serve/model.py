"""A built-in model file (`model.json`, format `sextant.model/v1`, docs/models.md) and its
predictions, computed in the same order of operations as Sextant's Swift code
(`TrainedModel.predict`, `Preprocessor.transform`), so answers agree to the last bits."""

import json
import math
import os
import re

FORMAT = "sextant.model/v1"


class ModelFileError(Exception):
    """The model directory or file cannot be served; the message says what to do."""


class Feature:
    """How one feature becomes model inputs (`FeatureTransform`)."""

    def __init__(self, spec):
        self.name = spec["name"]
        self.numeric = spec["kind"] == "numeric"
        self.mean = _or(spec.get("mean"), 0.0)
        self.scale = _or(spec.get("scale"), 1.0)
        self.categories = spec.get("categories") or []
        shares = spec.get("shares")
        # The training mean of each input (exact linear SHAP's reference): 0 for a
        # standardised number, the share of training rows for a category (0 in model
        # files written before shares were stored).
        self.reference = [0.0] if self.numeric else (
            [float(share) for share in shares] if isinstance(shares, list) and len(shares) == len(self.categories)
            else [0.0] * len(self.categories))
        self._index = {category: position for position, category in enumerate(self.categories)}

    def append(self, value, inputs):
        """Appends the inputs for one raw value (a float, a str or None for missing);
        returns False for a category never seen in training (then all zeros)."""
        if self.numeric:
            inputs.append(0.0 if value is None else (value - self.mean) / self.scale)
            return True
        start = len(inputs)
        inputs.extend([0.0] * len(self.categories))
        if value is None:
            return True
        position = self._index.get(value)
        if position is None:
            return False
        inputs[start + position] = 1.0
        return True


class Model:
    """A trained built-in model: preprocessing, weights, intercepts, task and classes."""

    def __init__(self, document):
        if document.get("format") != FORMAT:
            raise ModelFileError(f"model format {document.get('format')} is not {FORMAT}; retrain it with this version of Sextant")
        self.task = document["task"]
        self.trainer = document["trainer"]
        self.classes = document.get("classes")
        self.features = [Feature(spec) for spec in document["preprocessing"]["features"]]
        self.weights = document["weights"]
        self.intercepts = document["intercepts"]

    @classmethod
    def load(cls, directory):
        """Reads `DIRECTORY/model.json`."""
        path = os.path.join(directory, "model.json")
        try:
            with open(path, "rb") as file:
                document = json.load(file)
        except FileNotFoundError:
            raise ModelFileError(f"{path} does not exist; SEXTANT_MODEL_DIR must name a directory holding a built-in model's model.json") from None
        except (OSError, ValueError) as error:
            raise ModelFileError(f"{path} cannot be read as a model file: {error}") from None
        try:
            return cls(document)
        except (KeyError, TypeError, AttributeError) as error:
            raise ModelFileError(f"{path} is not a {FORMAT} model file (missing or wrong {error})") from None

    @property
    def label_type(self):
        """The datatype of `predict`: the target's (booleans, integers, text) or FP64."""
        if self.classes is None:
            return "FP64"
        if all(label in ("true", "false") for label in self.classes):
            return "BOOL"
        if all(_is_int64(label) for label in self.classes):
            return "INT64"
        return "BYTES"

    def predict(self, rows):
        """Per row of raw values (in feature order): class probabilities (classifiers, in
        class order) or `[value]` (regression)."""
        outputs = []
        for row in rows:
            inputs = []
            for feature, value in zip(self.features, row):
                feature.append(value, inputs)
            outputs.append(self._link(self._scores(inputs)))
        return outputs

    def explain(self, rows):
        """Exact linear SHAP (`TrainedModel.explain`): per row of raw values, each feature's
        φ = Σ w·(z − z̄) over its inputs, and the base value, for the positive class's logit
        (binary), the most probable class's score (multiclass) or the value (regression), so
        that Σφ + base is the model's raw output. Same order of operations as the Swift code."""
        values, bases = [], []
        for row in rows:
            inputs = []
            for feature, value in zip(self.features, row):
                feature.append(value, inputs)
            output = 0
            if self.task == "multiclass-classification":
                output = self.labels_index(self._link(self._scores(inputs)))
            weights, base = self.weights[output], self.intercepts[output]
            attributions, position = [], 0
            for feature in self.features:
                attribution = 0.0
                for reference in feature.reference:
                    attribution = attribution + weights[position] * (inputs[position] - reference)
                    base = base + weights[position] * reference
                    position += 1
                attributions.append(attribution)
            values.append(attributions)
            bases.append(base)
        return values, bases

    def _scores(self, inputs):
        scores = []
        for weights, intercept in zip(self.weights, self.intercepts):
            score = intercept
            for weight, x in zip(weights, inputs):
                score = score + weight * x
            scores.append(score)
        return scores

    @staticmethod
    def labels_index(row):
        """The index of the largest value, the first on ties."""
        best = 0
        for position in range(1, len(row)):
            if row[position] > row[best]:
                best = position
        return best

    def _link(self, scores):
        if self.task == "regression":
            return scores
        if self.task == "binary-classification":
            positive = _sigmoid(scores[0])
            return [1 - positive, positive]
        largest = max(scores)
        exponentials = [_exp(score - largest) for score in scores]
        total = 0.0
        for value in exponentials:
            total = total + value
        return [value / total for value in exponentials]

    def labels(self, outputs):
        """The predicted label per row: the most probable class (the first on ties)."""
        return [self.classes[self.labels_index(row)] for row in outputs]


def _exp(value):
    try:
        return math.exp(value)
    except OverflowError:
        return math.inf


def _sigmoid(z):
    if math.isnan(z):
        return z
    if z >= 0:
        return 1 / (1 + _exp(-z))
    return _exp(z) / (1 + _exp(z))


def _or(value, default):
    return default if value is None else value


def _is_int64(text):
    """As Swift's `Int64(text) != nil`: an optional sign and decimal digits, in range."""
    return re.fullmatch(r"[+-]?[0-9]+", text) is not None and -(2**63) <= int(text) < 2**63
