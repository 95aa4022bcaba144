"""An Open Inference Protocol v2 (REST) server for Sextant's built-in models, written with
the Python standard library only.

Sextant starts it as a model's serving command (DESIGN §5): it loads
$SEXTANT_MODEL_DIR/model.json — the model file a built-in trainer writes (format
sextant.model/v1, docs/models.md) — and serves it on 127.0.0.1:$SEXTANT_PORT, answering
model_version with $SEXTANT_MODEL_VERSION. It predicts exactly as `sextant serve-model`
does (the same preprocessing, scores and labels), in JSON only: no binary tensor extension.

DELAY_MS (from serving.env, 0 by default) makes every inference that much slower: a
deliberately slow revision, to watch a canary break its latency SLO and roll back
(`scripts/demo`, act 3). INVERT_LIVE=1 (from serving.env) makes a classifier wrong on
live traffic only: every request but Sextant's own evaluation (ids `sextant-evaluation-…`)
gets its probabilities in reverse class order, so a binary classifier answers the other
label. A revision that passes its gates and is fast, but wrong in production: to watch a
canary break an online `accuracy` SLO once labels arrive.
"""
import json
import math
import os
import signal
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NAME = os.environ["SEXTANT_MODEL_NAME"]
VERSION = os.environ.get("SEXTANT_MODEL_VERSION", "1")
with open(os.path.join(os.environ["SEXTANT_MODEL_DIR"], "model.json")) as source:
    MODEL = json.load(source)
if MODEL.get("format") != "sextant.model/v1":
    raise SystemExit(f"model.json has format {MODEL.get('format')!r}; this server reads sextant.model/v1")
FEATURES = MODEL["preprocessing"]["features"]
TASK = MODEL["task"]
CLASSES = MODEL.get("classes")
DELAY = float(os.environ.get("DELAY_MS", "0")) / 1000
INVERT_LIVE = os.environ.get("INVERT_LIVE") == "1"


class BadRequest(Exception):
    pass


def label_type():
    if CLASSES is None:
        return "FP64"
    if all(c in ("true", "false") for c in CLASSES):
        return "BOOL"
    if all(c.lstrip("-").isdigit() for c in CLASSES):
        return "INT64"
    return "BYTES"


def transform(values):
    """One row's model inputs: numbers standardised (missing: the mean, so 0), categories one-hot."""
    inputs = []
    for feature, value in zip(FEATURES, values):
        if feature["kind"] == "numeric":
            mean, scale = feature.get("mean") or 0.0, feature.get("scale") or 1.0
            if isinstance(value, bool):
                value = 1.0 if value else 0.0
            elif isinstance(value, str):
                try:
                    value = float(value)
                except ValueError:
                    value = None
            inputs.append(0.0 if value is None else (float(value) - mean) / scale)
        else:
            categories = feature.get("categories") or []
            inputs.extend(1.0 if value == category else 0.0 for category in categories)
    return inputs


def sigmoid(z):
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def predict(row, invert=False):
    scores = [intercept + sum(w * x for w, x in zip(weights, row))
              for weights, intercept in zip(MODEL["weights"], MODEL["intercepts"])]
    if TASK == "regression":
        return scores
    if TASK == "binary-classification":
        positive = sigmoid(scores[0])
        probabilities = [1 - positive, positive]
    else:
        largest = max(scores)
        exponentials = [math.exp(score - largest) for score in scores]
        probabilities = [e / sum(exponentials) for e in exponentials]
    return probabilities[::-1] if invert else probabilities


def label(outputs):
    if CLASSES is None:
        return outputs[0]
    best = max(range(len(outputs)), key=lambda i: (outputs[i], -i))  # the first class on ties
    name = CLASSES[best]
    return {"BOOL": lambda: name == "true", "INT64": lambda: int(name)}.get(label_type(), lambda: name)()


def infer(request):
    inputs = {item.get("name"): item for item in request.get("inputs") or []}
    if not inputs:
        raise BadRequest("the request has no inputs")
    columns = []
    for feature in FEATURES:
        if feature["name"] not in inputs:
            names = ", ".join(f["name"] for f in FEATURES)
            raise BadRequest(f"missing input {feature['name']}; the model's inputs are {names}")
        values = inputs[feature["name"]].get("data") or []
        while values and isinstance(values[0], list):
            values = [value for row in values for value in row]
        columns.append(values)
    rows = len(columns[0])
    if any(len(column) != rows for column in columns):
        raise BadRequest("inputs hold different numbers of rows")
    invert = INVERT_LIVE and not str(request.get("id", "")).startswith("sextant-evaluation-")
    outputs = [predict(transform([column[row] for column in columns]), invert) for row in range(rows)]
    wanted = [output.get("name") for output in request.get("outputs") or []] or ["predict"]
    tensors = []
    for name in wanted:
        if name == "predict":
            tensors.append({"name": "predict", "datatype": label_type(), "shape": [rows], "data": [label(o) for o in outputs]})
        elif name == "predict_proba" and CLASSES is not None:
            tensors.append({"name": "predict_proba", "datatype": "FP64", "shape": [rows, len(CLASSES)],
                            "data": [p for o in outputs for p in o], "parameters": {"classes": CLASSES}})
        else:
            answers = "predict and predict_proba" if CLASSES is not None else "predict"
            raise BadRequest(f"unknown output {name}; this model answers {answers}")
    answer = {"model_name": NAME, "model_version": VERSION, "outputs": tensors}
    if "id" in request:
        answer["id"] = request["id"]
    return answer


def metadata():
    outputs = [{"name": "predict", "datatype": label_type(), "shape": [-1]}]
    if CLASSES is not None:
        outputs[0]["parameters"] = {"classes": CLASSES}
        outputs.append({"name": "predict_proba", "datatype": "FP64", "shape": [-1, len(CLASSES)],
                        "parameters": {"classes": CLASSES}})
    return {"name": NAME, "versions": [VERSION], "platform": "python-server",
            "inputs": [{"name": f["name"], "datatype": "FP64" if f["kind"] == "numeric" else "BYTES", "shape": [-1]}
                       for f in FEATURES],
            "outputs": outputs}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self, status, body=None):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def model_path(self):
        """The path's parts after /v2/models/NAME, or None once a 404 has been answered."""
        parts = self.path.split("?")[0].strip("/").split("/")
        if len(parts) >= 3 and parts[:2] == ["v2", "models"] and parts[2] == NAME:
            return parts[3:]
        self.answer(404, {"error": f"no such endpoint {self.path}; this server serves {NAME}"})
        return None

    def do_GET(self):
        if self.path in ("/v2/health/live", "/v2/health/ready"):
            return self.answer(200)
        rest = self.model_path()
        if rest == []:
            self.answer(200, metadata())
        elif rest == ["ready"]:
            self.answer(200)
        elif rest is not None:
            self.answer(404, {"error": f"no such endpoint {self.path}"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        rest = self.model_path()
        if rest is None:
            return
        if rest != ["infer"]:
            return self.answer(404, {"error": f"no such endpoint {self.path}"})
        if DELAY:
            time.sleep(DELAY)
        try:
            self.answer(200, infer(json.loads(body or b"{}")))
        except (BadRequest, ValueError, TypeError) as error:
            self.answer(400, {"error": str(error)})

    def log_message(self, format, *args):
        pass


if __name__ == "__main__":
    # SIGTERM stops this server (Python's default) even when the process that started it
    # left SIGTERM blocked: the signal mask is inherited across exec, and a blocked SIGTERM
    # would make every stop wait for the supervisor's grace period and its SIGKILL.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    server = ThreadingHTTPServer(("127.0.0.1", int(os.environ["SEXTANT_PORT"])), Handler)
    server.daemon_threads = True
    print(f"serving {NAME} v{VERSION} ({MODEL['trainer']}) on 127.0.0.1:{server.server_port}", flush=True)
    server.serve_forever()
