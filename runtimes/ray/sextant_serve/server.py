"""Routes and answers of the built-in OIP v2 server, independent of the HTTP layer that
carries them: `ModelServer.answer(method, path, headers, body)` gives the status, the
content type, the body and any extra header fields, as `sextant serve-model` answers."""

import json
import math
import struct

from .model import Model
from .request import BadRequest, InferRequest, RequestedOutput


class Answer:
    def __init__(self, status, body=b"", content_type=None, headers=()):
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = list(headers)

    @classmethod
    def json(cls, value, status=200):
        return cls(status, _dumps(value), "application/json")

    @classmethod
    def error(cls, message, status):
        return cls.json({"error": message}, status)


class ModelServer:
    """One model under one name and version."""

    def __init__(self, model: Model, name: str, version: str):
        self.model = model
        self.name = name
        self.version = version

    def answer(self, method, path, body=b"", header_length=None):
        """The answer to a request; `path` without the route prefix (the query is ignored)."""
        segments = [segment for segment in path.split("?", 1)[0].split("/") if segment]
        route = self._route(method, segments)
        if route is None:
            return Answer.error(f"no such endpoint {method} {path}; inference is POST /v2/models/{self.name}/infer", 404)
        if isinstance(route, Answer):
            return route
        if route == "ready":
            return Answer(200)
        if route == "server":
            return Answer.json({"name": "sextant", "version": "1", "extensions": ["binary_tensor_data"]})
        if route == "metadata":
            return Answer.json(self.metadata())
        try:
            return self.infer(body, header_length)
        except BadRequest as error:
            return Answer.error(error.message, 400)

    def _route(self, method, segments):
        if not segments or segments[0] != "v2":
            return None
        if len(segments) == 1:
            return "server" if method == "GET" else None
        if segments[1] == "health":
            ok = method == "GET" and len(segments) == 3 and segments[2] in ("live", "ready")
            return "ready" if ok else None
        if segments[1] != "models" or len(segments) < 3:
            return None
        model, rest, version = segments[2], segments[3:], None
        if rest and rest[0] == "versions":
            if len(rest) < 2:
                return None
            version, rest = rest[1], rest[2:]
        if len(rest) > 1:
            return None
        action = rest[0] if rest else None
        if method == "GET" and action is None:
            endpoint = "metadata"
        elif method == "GET" and action == "ready":
            endpoint = "ready"
        elif method == "POST" and action == "infer":
            endpoint = "infer"
        else:
            return None
        if model != self.name:
            return Answer.error(f"unknown model {model}; this server serves {self.name}", 404)
        if version is not None and version != self.version:
            return Answer.error(f"unknown version {version} of {self.name}; this server serves version {self.version}", 404)
        return endpoint

    def metadata(self):
        model = self.model
        predict = {"name": "predict", "datatype": model.label_type, "shape": [-1]}
        outputs = [predict]
        if model.classes is not None:
            predict["parameters"] = {"classes": model.classes}
            outputs.append({"name": "predict_proba", "datatype": "FP64", "shape": [-1, len(model.classes)],
                            "parameters": {"classes": model.classes}})
        outputs.append({"name": "explanation", "datatype": "FP64", "shape": [-1, len(model.features)],
                        "parameters": {"features": [feature.name for feature in model.features]}})
        outputs.append({"name": "explanation_base", "datatype": "FP64", "shape": [-1]})
        return {
            "name": self.name,
            "versions": [self.version],
            "platform": f"sextant-{model.trainer}",
            "inputs": [{"name": f.name, "datatype": "FP64" if f.numeric else "BYTES", "shape": [-1]} for f in model.features],
            "outputs": outputs,
            "parameters": {"content_type": "pd"},
        }

    def infer(self, body, header_length=None):
        request = InferRequest(body, header_length)
        features = self.model.features
        names = ", ".join(f.name for f in features)
        for name in request.inputs:
            if not any(f.name == name for f in features):
                raise BadRequest(f"unknown input {name}; the model's inputs are {names}")
        columns = []
        for feature in features:
            tensor = request.inputs.get(feature.name)
            if tensor is None:
                raise BadRequest(f"missing input {feature.name}; the model's inputs are {names}")
            if feature.numeric and not tensor.datatype.numeric:
                raise BadRequest(f"input {feature.name}: datatype BYTES, but the model reads {feature.name} as a number; "
                                 "send it as FP64 (or another numeric datatype)")
            if not feature.numeric and tensor.datatype.numeric:
                raise BadRequest(f"input {feature.name}: a numeric datatype, but the model reads {feature.name} as text; send it as BYTES")
            columns.append(tensor.values)
        rows = len(columns[0])
        for position, column in enumerate(columns):
            if len(column) != rows:
                raise BadRequest(f"inputs hold different numbers of rows: {features[0].name} has {rows}, "
                                 f"{features[position].name} has {len(column)}")
        raw_rows = list(zip(*columns)) if rows else []
        outputs = self.model.predict(raw_rows)
        for row, values in enumerate(outputs):
            if not all(math.isfinite(value) for value in values):
                raise BadRequest(f"the model's answer for row {row} is not a finite number: its input values are too large for this model")
        explained = None
        if request.outputs and any(output.name in ("explanation", "explanation_base") for output in request.outputs):
            explained = self.model.explain(raw_rows)
            for row, (values, base) in enumerate(zip(*explained)):
                if not all(math.isfinite(value) for value in values) or not math.isfinite(base):
                    raise BadRequest(f"the model's explanation for row {row} is not a finite number: its input values are too large for this model")
        return self._respond(request, outputs, rows, explained)

    def _respond(self, request, outputs, rows, explained=None):
        model = self.model
        requested = request.outputs or [RequestedOutput("predict", request.binary_data_output)]
        answers, binary_parts = [], []
        for output in requested:
            if output.name is None:
                raise BadRequest("every requested output needs a name")
            classes = None
            if output.name == "predict":
                datatype, values = self._predict_values(outputs)
                shape = [rows]
            elif output.name == "predict_proba" and model.classes is not None:
                datatype, shape, classes = "FP64", [rows, len(model.classes)], model.classes
                values = [value for row in outputs for value in row]
            elif output.name == "explanation":
                datatype, shape = "FP64", [rows, len(model.features)]
                values = [value for row in explained[0] for value in row]
            elif output.name == "explanation_base":
                datatype, shape, values = "FP64", [rows], explained[1]
            else:
                names = [entry["name"] for entry in self.metadata()["outputs"]]
                raise BadRequest(f"unknown output {output.name}; this model answers {', '.join(names[:-1])} and {names[-1]}")
            answer = {"name": output.name, "datatype": datatype, "shape": shape}
            parameters = {}
            if output.binary:
                part = _binary(datatype, values)
                binary_parts.append(part)
                parameters["binary_data_size"] = len(part)
            else:
                answer["data"] = values
            if classes is not None:
                parameters["classes"] = classes
            if parameters:
                answer["parameters"] = parameters
            answers.append(answer)
        document = {"model_name": self.name, "model_version": self.version}
        if request.id is not None:
            document["id"] = request.id
        document["outputs"] = answers
        header = _dumps(document)
        if not binary_parts:
            return Answer(200, header, "application/json")
        return Answer(200, header + b"".join(binary_parts), "application/octet-stream",
                      [("inference-header-content-length", str(len(header)))])

    def _predict_values(self, outputs):
        datatype = self.model.label_type
        if datatype == "FP64":
            return datatype, [row[0] for row in outputs]
        labels = self.model.labels(outputs)
        if datatype == "BOOL":
            return datatype, [label == "true" for label in labels]
        if datatype == "INT64":
            return datatype, [int(label) for label in labels]
        return datatype, labels


def _binary(datatype, values):
    """An output's values as the binary tensor data extension lays them out."""
    if datatype == "FP64":
        return struct.pack(f"<{len(values)}d", *values)
    if datatype == "INT64":
        return struct.pack(f"<{len(values)}q", *values)
    if datatype == "BOOL":
        return bytes(1 if value else 0 for value in values)
    parts = []
    for text in values:
        encoded = text.encode("utf-8")
        parts.append(struct.pack("<I", len(encoded)) + encoded)
    return b"".join(parts)


def _dumps(value):
    """Compact JSON, numbers in their shortest round-trip form (`7.0` as `7`, as serve-model
    writes them), text as UTF-8."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), cls=_Encoder).encode("utf-8")


class _Encoder(json.JSONEncoder):
    def iterencode(self, o, _one_shot=False):
        return super().iterencode(_whole_floats(o), _one_shot)


def _whole_floats(value):
    if isinstance(value, float) and value == math.trunc(value) and abs(value) < 1e16:
        return int(value)
    if isinstance(value, list):
        return [_whole_floats(item) for item in value]
    if isinstance(value, dict):
        return {key: _whole_floats(item) for key, item in value.items()}
    return value
