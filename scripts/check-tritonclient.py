#!/usr/bin/env python3
"""Talks to a running `sextant serve-model` with tritonclient's HTTP client and its default
settings (binary tensor data for inputs and outputs), as a peer-tool check of our Open
Inference Protocol v2 server.

usage: check-tritonclient.py URL MODEL        e.g. 127.0.0.1:8081 fraud
Needs: pip install 'tritonclient[http]' numpy. Exits 0 when every check passes.
"""
import sys

import numpy as np
import tritonclient.http as httpclient

url, model = sys.argv[1], sys.argv[2]
client = httpclient.InferenceServerClient(url=url)
assert client.is_server_live(), "server not live"
assert client.is_model_ready(model), "model not ready"
metadata = client.get_model_metadata(model)
names = [i["name"] for i in metadata["inputs"]]
classes = metadata["outputs"][1]["parameters"]["classes"] if len(metadata["outputs"]) > 1 else None
print(f"metadata: inputs {names}, classes {classes}")

rows = 4
inputs = []
for spec in metadata["inputs"]:
    if spec["datatype"] == "BYTES":
        array = np.array([b"eu", b"us", b"apac", b"eu"], dtype=np.object_)
    else:
        array = np.array([12.5, 900.0, float("nan"), 3.0], dtype=np.float64)
    tensor = httpclient.InferInput(spec["name"], [rows], spec["datatype"])
    tensor.set_data_from_numpy(array)  # binary_data=True: tritonclient's default
    inputs.append(tensor)

# No outputs named: the server answers `predict`.
result = client.infer(model, inputs)
predict = result.as_numpy("predict")
print(f"predict (default outputs): {predict.tolist()}")
assert predict.shape == (rows,)

# Both outputs, in binary (tritonclient's default for requested outputs).
outputs = [httpclient.InferRequestedOutput("predict"), httpclient.InferRequestedOutput("predict_proba")]
result = client.infer(model, inputs, outputs=outputs)
proba = result.as_numpy("predict_proba")
print(f"predict_proba: {proba.round(4).tolist()}")
assert proba.shape == (rows, len(classes))
assert np.allclose(proba.sum(axis=1), 1)
assert result.get_response()["model_version"] is not None
print("tritonclient: all checks passed")
