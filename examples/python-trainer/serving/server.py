"""An Open Inference Protocol v2 (REST) server for trainer/train.py's models, written
with the Python standard library only.

Sextant starts it as the model's serving command (DESIGN §5): it loads
$SEXTANT_MODEL_DIR/model.json and serves on 127.0.0.1:$SEXTANT_PORT, answering
model_version with $SEXTANT_MODEL_VERSION. Requests follow the tabular convention: one
input per feature, shape [N], null for a missing value (read as the feature's mean).
Outputs: predict (BOOL) and predict_proba ([N, 2], classes false then true).
"""
import json
import math
import os
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NAME = os.environ["SEXTANT_MODEL_NAME"]
VERSION = os.environ.get("SEXTANT_MODEL_VERSION", "1")
with open(os.path.join(os.environ["SEXTANT_MODEL_DIR"], "model.json")) as source:
    MODEL = json.load(source)
# A deliberately slow server (serving.env: {CHURN_DELAY_MS: "80"}) to watch a canary
# break its latency SLO and roll back; 0 by default.
DELAY = float(os.environ.get("CHURN_DELAY_MS", "0")) / 1000


class BadRequest(Exception):
    pass


def infer(request):
    inputs = {item.get("name"): item for item in request.get("inputs") or []}
    if not inputs:
        raise BadRequest("the request has no inputs")
    columns = []
    for index, feature in enumerate(MODEL["features"]):
        if feature not in inputs:
            raise BadRequest(f"missing input {feature}; the model's inputs are {', '.join(MODEL['features'])}")
        values = inputs[feature].get("data")
        while values and isinstance(values[0], list):
            values = [value for row in values for value in row]
        columns.append([MODEL["means"][index] if value is None else float(value) for value in values])
    rows = len(columns[0])
    if any(len(column) != rows for column in columns):
        raise BadRequest("inputs hold different numbers of rows")
    probabilities = []
    for row in range(rows):
        z = MODEL["bias"] + sum(
            weight * (column[row] - mean) / std
            for weight, column, mean, std in zip(MODEL["weights"], columns, MODEL["means"], MODEL["stds"]))
        p = 1 / (1 + math.exp(-max(-500, min(500, z))))
        probabilities.append([1 - p, p])
    wanted = [output.get("name") for output in request.get("outputs") or []] or ["predict"]
    outputs = []
    for name in wanted:
        if name == "predict":
            outputs.append({"name": "predict", "datatype": "BOOL", "shape": [rows], "data": [p[1] >= 0.5 for p in probabilities]})
        elif name == "predict_proba":
            outputs.append({"name": "predict_proba", "datatype": "FP64", "shape": [rows, 2],
                            "data": [value for p in probabilities for value in p], "parameters": {"classes": MODEL["classes"]}})
        else:
            raise BadRequest(f"unknown output {name}; this model answers predict and predict_proba")
    return {"model_name": NAME, "model_version": VERSION, "id": request.get("id"), "outputs": outputs}


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
        parts = self.path.split("?")[0].strip("/").split("/")
        if len(parts) >= 3 and parts[:2] == ["v2", "models"]:
            if parts[2] != NAME:
                self.answer(404, {"error": f"unknown model {parts[2]}; this server serves {NAME}"})
                return None
            return parts[3:]
        return None

    def do_GET(self):
        if self.path in ("/v2/health/live", "/v2/health/ready"):
            return self.answer(200)
        rest = self.model_path()
        if rest == []:
            return self.answer(200, {"name": NAME, "versions": [VERSION], "platform": "python-trainer",
                                     "inputs": [{"name": f, "datatype": "FP64", "shape": [-1]} for f in MODEL["features"]],
                                     "outputs": [{"name": "predict", "datatype": "BOOL", "shape": [-1]},
                                                 {"name": "predict_proba", "datatype": "FP64", "shape": [-1, 2],
                                                  "parameters": {"classes": MODEL["classes"]}}]})
        if rest == ["ready"]:
            return self.answer(200)
        if rest is not None:
            self.answer(404, {"error": f"no such endpoint {self.path}"})
        elif not self.wfile.closed:
            pass

    def do_POST(self):
        rest = self.model_path()
        if rest != ["infer"]:
            if rest is not None:
                self.answer(404, {"error": f"no such endpoint {self.path}"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        if DELAY:
            time.sleep(DELAY)
        try:
            self.answer(200, infer(json.loads(self.rfile.read(length) or b"{}")))
        except (BadRequest, ValueError, TypeError) as error:
            self.answer(400, {"error": str(error)})

    def log_message(self, format, *args):
        pass


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", int(os.environ["SEXTANT_PORT"])), Handler)
    print(f"serving {NAME} v{VERSION} on 127.0.0.1:{server.server_port}", flush=True)
    server.serve_forever()
