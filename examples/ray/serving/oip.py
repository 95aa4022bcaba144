"""Open Inference Protocol v2 (REST) for the fraud-detector, independent of HTTP and of Ray.

`InferenceServer.answer(method, path, body)` gives (status, JSON document or None) for a
path without the route prefix. Requests follow Sextant's tabular convention (DESIGN §5):
one input per feature, named after it, shape [N] (or [N, 1]), any numeric datatype, null
for a missing value. Outputs: `predict` (BOOL: the label in the boolean target's type) and
`predict_proba` (FP64, [N, 2], classes false then true); a request naming none gets
`predict`. Errors are {"error": ...} with 400 (a bad request) or 404 (another model, an
unknown endpoint). JSON only: the binary tensor data extension is refused with a 400.
"""
import json
import math

NUMERIC = {"FP64", "FP32", "FP16", "INT64", "INT32", "INT16", "INT8", "UINT64", "UINT32", "UINT16", "UINT8"}
OUTPUTS = ("predict", "predict_proba")


class BadRequest(Exception):
    """What is wrong with an infer request, answered with 400."""


class InferenceServer:
    """One model version under one name."""

    def __init__(self, model, name, version):
        self.model = model
        self.name = name
        self.version = version

    def answer(self, method, path, body=b""):
        segments = [segment for segment in path.split("?", 1)[0].split("/") if segment]
        if method == "GET" and segments in (["v2", "health", "live"], ["v2", "health", "ready"]):
            return 200, None
        if segments[:2] != ["v2", "models"] or len(segments) not in (3, 4):
            return self.no_such_endpoint(method, path)
        if segments[2] != self.name:
            return 404, {"error": f"unknown model {segments[2]}; this server serves {self.name}"}
        action = segments[3] if len(segments) == 4 else None
        if method == "GET" and action is None:
            return 200, self.metadata()
        if method == "GET" and action == "ready":
            return 200, None
        if method == "POST" and action == "infer":
            try:
                return 200, self.infer(body)
            except BadRequest as error:
                return 400, {"error": str(error)}
        return self.no_such_endpoint(method, path)

    def no_such_endpoint(self, method, path):
        return 404, {"error": f"no such endpoint {method} {path}; inference is POST /v2/models/{self.name}/infer"}

    def metadata(self):
        classes = {"classes": self.model.classes}
        return {
            "name": self.name,
            "versions": [self.version],
            "platform": "ray-serve",
            "inputs": [{"name": feature, "datatype": "FP64", "shape": [-1]} for feature in self.model.features],
            "outputs": [{"name": "predict", "datatype": "BOOL", "shape": [-1], "parameters": classes},
                        {"name": "predict_proba", "datatype": "FP64", "shape": [-1, 2], "parameters": classes}],
            "parameters": {"content_type": "pd"},
        }

    def infer(self, body):
        request = _json_object(body)
        inputs = request.get("inputs")
        if not isinstance(inputs, list) or not inputs:
            raise BadRequest("the request has no inputs; send one input per feature: " + ", ".join(self.model.features))
        tensors = {}
        for index, tensor in enumerate(inputs):
            if not isinstance(tensor, dict) or not isinstance(tensor.get("name"), str):
                raise BadRequest(f"input {index} is not an object with a name")
            if tensor["name"] not in self.model.features:
                raise BadRequest(f"unknown input {tensor['name']}; the model's inputs are {', '.join(self.model.features)}")
            tensors[tensor["name"]] = _values(tensor)
        columns = []
        for feature in self.model.features:
            if feature not in tensors:
                raise BadRequest(f"missing input {feature}; the model's inputs are {', '.join(self.model.features)}")
            columns.append(tensors[feature])
        rows = len(columns[0])
        for feature, column in zip(self.model.features, columns):
            if len(column) != rows:
                raise BadRequest(f"inputs hold different numbers of rows: {self.model.features[0]} has {rows}, {feature} has {len(column)}")
        wanted = _outputs(request.get("outputs"))
        probabilities = self.model.probabilities(columns)
        outputs = []
        for name in wanted:
            if name == "predict":
                outputs.append({"name": "predict", "datatype": "BOOL", "shape": [rows],
                                "data": [p[1] >= 0.5 for p in probabilities]})
            else:
                outputs.append({"name": "predict_proba", "datatype": "FP64", "shape": [rows, 2],
                                "data": [value for p in probabilities for value in p],
                                "parameters": {"classes": self.model.classes}})
        answer = {"model_name": self.name, "model_version": self.version}
        if "id" in request:
            answer["id"] = request["id"]
        answer["outputs"] = outputs
        return answer


def _json_object(body):
    def refuse(constant):
        raise BadRequest(f"the request holds {constant}, which is not JSON; send a number or null")
    try:
        request = json.loads(body or b"{}", parse_constant=refuse)
    except RecursionError:
        raise BadRequest("the request nests its JSON too deeply") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise BadRequest(f"the request is not JSON: {error}") from None
    if not isinstance(request, dict):
        raise BadRequest("the request is not a JSON object with inputs")
    if "id" in request and not isinstance(request["id"], str):
        raise BadRequest("the request's id must be a string")
    return request


def _values(tensor):
    """The values of one named input, its datatype, shape and every value checked."""
    name = tensor["name"]
    datatype = tensor.get("datatype")
    if datatype not in NUMERIC:
        raise BadRequest(f"input {name}: datatype {datatype!r}; every feature is a number: send FP64 or INT64")
    parameters = tensor.get("parameters")
    if isinstance(parameters, dict) and parameters.get("binary_data_size") is not None:
        raise BadRequest(f"input {name}: binary tensor data; this server reads JSON data only")
    shape = tensor.get("shape")
    if not isinstance(shape, list) or not shape or len(shape) > 2 or (len(shape) == 2 and shape[1] != 1) \
            or not all(isinstance(size, int) and not isinstance(size, bool) and size >= 0 for size in shape):
        raise BadRequest(f"input {name}: shape {shape!r}; the tabular convention sends [N] (or [N, 1])")
    values = []
    _flatten(tensor.get("data"), values, name, depth=0)
    if len(values) != shape[0]:
        raise BadRequest(f"input {name}: shape {shape} holds {shape[0]} values, but {len(values)} were sent")
    return values


def _flatten(data, values, name, depth):
    if isinstance(data, list):
        if depth == 2:
            raise BadRequest(f"input {name}: data nested more than two lists deep; send a flat list of N values")
        for item in data:
            _flatten(item, values, name, depth + 1)
    elif data is None:
        values.append(None)
    elif isinstance(data, (int, float)) and not isinstance(data, bool):
        try:
            value = float(data)
        except OverflowError:
            value = math.inf
        if not math.isfinite(value):
            raise BadRequest(f"input {name}: element {len(values)} is too large a number")
        values.append(value)
    else:
        raise BadRequest(f"input {name}: element {len(values)} is {json.dumps(data)[:40]}, not a number or null")


def _outputs(requested):
    """The names of the outputs asked for; none: predict."""
    if requested is None:
        return ["predict"]
    if not isinstance(requested, list):
        raise BadRequest("outputs must be a list of {\"name\": ...}")
    names = []
    for output in requested:
        name = output.get("name") if isinstance(output, dict) else None
        if name not in OUTPUTS:
            raise BadRequest(f"unknown output {name}; this model answers predict and predict_proba")
        parameters = output.get("parameters")
        if isinstance(parameters, dict) and parameters.get("binary_data"):
            raise BadRequest(f"output {name}: binary_data; this server answers JSON only")
        names.append(name)
    return names or ["predict"]
