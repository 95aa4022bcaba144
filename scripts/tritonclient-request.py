#!/usr/bin/env python3
"""Writes the body of an infer request exactly as tritonclient's HTTP client sends it by
default (binary tensor data for every input) and prints its Inference-Header-Content-Length.
SextantMonitoringTests decode it as the prediction log would.

usage: tritonclient-request.py OUT
Needs: pip install 'tritonclient[http]' numpy.
"""
import sys

import numpy as np
import tritonclient.http as httpclient

inputs = []
for name, datatype, values in [
    ("amount", "FP32", np.array([12.5, np.nan, 3.0], dtype=np.float32)),
    ("hour", "INT64", np.array([23, 0, 7], dtype=np.int64)),
    ("region", "BYTES", np.array([b"eu", "caf\u00e9, \"north\"".encode(), b""], dtype=np.object_)),
    ("card_present", "BOOL", np.array([True, False, True])),
]:
    tensor = httpclient.InferInput(name, list(values.shape), datatype)
    tensor.set_data_from_numpy(values)  # binary_data=True: tritonclient's default
    inputs.append(tensor)
outputs = [httpclient.InferRequestedOutput("predict"), httpclient.InferRequestedOutput("predict_proba")]
body, header_length = httpclient.InferenceServerClient.generate_request_body(inputs, outputs=outputs, request_id="t-1")
with open(sys.argv[1], "wb") as file:
    file.write(body)
print(header_length)
