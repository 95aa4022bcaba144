#!/usr/bin/env python3
"""Sends fraud-detector rows through a gateway with tritonclient's HTTP client and its
default settings (binary tensor data for inputs and requested outputs) under a known
X-Request-Id, and prints what was sent and answered as JSON, for PredictionsEndToEndTests to
compare with `sextant predictions`.

usage: tritonclient-infer.py HOST:PORT MODEL REQUEST_ID
Prints {"inputs": {NAME: [values…]}, "predict": [...], "predict_proba": [[...]...],
"classes": [...]}; a NaN input is printed as null.
Needs: pip install 'tritonclient[http]' numpy.
"""
import json
import math
import sys

import numpy as np
import tritonclient.http as httpclient

url, model, request_id = sys.argv[1], sys.argv[2], sys.argv[3]
columns = [
    ("amount", "FP64", np.array([920.0, 14.5, np.nan], dtype=np.float64)),
    ("hour", "INT64", np.array([3, 13, 22], dtype=np.int64)),
    ("merchant_risk", "FP64", np.array([0.93, 0.12, 0.5], dtype=np.float64)),
    ("account_age_days", "INT64", np.array([4, 1800, 365], dtype=np.int64)),
]
inputs = []
for name, datatype, values in columns:
    tensor = httpclient.InferInput(name, list(values.shape), datatype)
    tensor.set_data_from_numpy(values)  # binary_data=True: tritonclient's default
    inputs.append(tensor)
outputs = [httpclient.InferRequestedOutput("predict"), httpclient.InferRequestedOutput("predict_proba")]
client = httpclient.InferenceServerClient(url=url)
result = client.infer(model, inputs, outputs=outputs, headers={"X-Request-Id": request_id})
proba = result.get_output("predict_proba")
print(json.dumps({
    "inputs": {name: [None if isinstance(v, float) and math.isnan(v) else v for v in values.tolist()] for name, _, values in columns},
    "predict": result.as_numpy("predict").tolist(),
    "predict_proba": result.as_numpy("predict_proba").tolist(),
    "classes": (proba.get("parameters") or {}).get("classes"),
}))
