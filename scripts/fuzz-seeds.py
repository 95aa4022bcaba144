#!/usr/bin/env python3
"""Write the seed corpora and dictionaries of the fuzz targets in Fuzz/.

Usage:
    python3 scripts/fuzz-seeds.py

Writes Fuzz/Corpus/<target>/seed-* and Fuzz/Dictionaries/<target>.dict under the
repository root (found from this file's location), replacing the seeds it wrote
before; other files in the corpus directories (inputs merged in from fuzzing runs,
regression inputs of fixed crashes) are left alone. Standard library only; the output
is the same on every run.

The seeds are real inputs, so that libFuzzer starts from what Sextant is sent:
    FuzzManifest        the example repositories' manifests (each file, and each example
                        as one multi-document file: a valid set, which the target goes on
                        to fingerprint), the DataContract cases of scripts/contract-cases/,
                        and every case of Tests/SextantAPITests/BadInput/ (its YAML files
                        as one multi-document file)
    FuzzInference       OIP v2 requests to the model of ModelServerTests, JSON and binary
                        (first line: the Inference-Header-Content-Length value)
    FuzzGatewayRequest  HTTP/1.1 requests to the gateway: health, metrics, inference with
                        Content-Length and chunked, pipelined, HEAD, Expect, HTTP/1.0, too
                        large, too slow (first byte: how the bytes arrive, see the target)
    FuzzModelServerRequest  the same requests to the built-in model server (`m` version 7)
    FuzzGatewayAnswer   model servers' answers: by length, chunked with trailers, 100
                        Continue first, binary tensors, until close, two in a row
"""

import json
import re
import struct
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "Fuzz" / "Corpus"
DICTIONARIES = ROOT / "Fuzz" / "Dictionaries"


def write_seeds(target, seeds):
    directory = CORPUS / target
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("seed-*"):
        old.unlink()
    for name, data in seeds:
        (directory / f"seed-{name}").write_bytes(data)


def write_dictionary(target, tokens):
    DICTIONARIES.mkdir(parents=True, exist_ok=True)
    lines = [f"# {target}: written by scripts/fuzz-seeds.py"]
    for token in sorted(set(tokens)):
        escaped = "".join(c if 0x20 <= ord(c) < 0x7F and c not in '"\\' else f"\\x{ord(c):02x}" for c in token)
        lines.append(f'"{escaped}"')
    (DICTIONARIES / f"{target}.dict").write_text("\n".join(lines) + "\n")


def documents(paths):
    """YAML files joined as one multi-document file."""
    parts = []
    for path in paths:
        text = path.read_bytes()
        if not text.endswith(b"\n"):
            text += b"\n"
        parts.append(text)
    return b"---\n".join(parts)


# MARK: - Manifests

def manifest_seeds():
    seeds = []
    for example in sorted((ROOT / "examples").iterdir()):
        files = sorted(p for p in example.rglob("*") if p.suffix in (".yaml", ".yml"))
        if not files:
            continue
        for path in files:
            seeds.append((f"{example.name}-{path.stem}.yaml", path.read_bytes()))
        seeds.append((f"{example.name}-all.yaml", documents(files)))
    for case in sorted((ROOT / "scripts" / "contract-cases").iterdir()):
        contract = case / "contract.odcs.yaml"
        if contract.exists():
            seeds.append((f"contract-{case.name}.yaml", contract.read_bytes()))
    for case in sorted((ROOT / "Tests" / "SextantAPITests" / "BadInput").iterdir()):
        files = sorted(p for p in case.rglob("*") if p.suffix in (".yaml", ".yml") and not p.is_symlink())
        if files:
            seeds.append((f"badinput-{case.name}.yaml", documents(files)))
    return seeds


def manifest_tokens():
    tokens = ["---", "...", "- ", ": ", "{", "}", "[", "]", ", ", "&a ", "*a", "!!str ", "!!int ", "!!float ", "? ",
              "|", ">", "|-", "'", '"', "#", "\t", "\n  ", "~", "null", "true", "false", ".inf", "-.inf", ".nan",
              "1e300", "-0", "0x1F", "0o17", "1_000", "<<: *a", "%YAML 1.2\n", "%TAG ! tag:x:\n", "\xef\xbb\xbf",
              "apiVersion: sextant.dev/v1alpha1\n", "apiVersion: v3.0.2\n", "kind: DataContract\n", "kind: Model\n",
              "kind: Dataset\n", "kind: SLO\n", "kind: RolloutPolicy\n", "openslo/v1", "data/x.csv", "data/lfs.csv", "../"]

    def walk(schema):
        if isinstance(schema, dict):
            for key, value in schema.get("properties", {}).items():
                tokens.append(key)
                tokens.append(key + ": ")
                walk(value)
            for value in schema.get("enum", []):
                if isinstance(value, str):
                    tokens.append(value)
            for value in schema.values():
                walk(value)
        elif isinstance(schema, list):
            for value in schema:
                walk(value)

    for path in sorted((ROOT / "manifests" / "schemas").glob("*.json")):
        walk(json.loads(path.read_text()))
    return tokens


# MARK: - OIP v2 requests

def le_doubles(values):
    return b"".join(struct.pack("<d", v) for v in values)


def le_bytes_tensor(texts):
    return b"".join(struct.pack("<I", len(t.encode())) + t.encode() for t in texts)


def inference_seeds():
    def plain(name, body):
        # Strings that look like numbers with exponents are written as such numbers.
        text = re.sub(r'"(-?[0-9.]+e-?[0-9]+)"', r"\1", json.dumps(body, separators=(",", ":")))
        return (name, b"\n" + text.encode())

    def binary(name, header, payload):
        head = re.sub(r'"(-?[0-9.]+e-?[0-9]+)"', r"\1", json.dumps(header, separators=(",", ":"))).encode()
        return (name, str(len(head)).encode() + b"\n" + head + payload)

    x = {"name": "x", "datatype": "FP64", "shape": [3], "data": [0, 9.5, None]}
    region = {"name": "region", "datatype": "BYTES", "shape": [3], "data": ["eu", "us", "mars"]}
    seeds = [
        plain("json.json", {"id": "a", "parameters": {"content_type": "pd"}, "inputs": [x, region]}),
        plain("json-proba.json", {"inputs": [x, region], "outputs": [{"name": "predict_proba"}]}),
        plain("json-both-binary-out.json", {"inputs": [x, region], "parameters": {"binary_data_output": True},
                                            "outputs": [{"name": "predict"}, {"name": "predict_proba", "parameters": {"binary_data": False}}]}),
        plain("json-nested-2d.json", {"inputs": [{"name": "x", "datatype": "FP32", "shape": [2, 1], "data": [[1.5], [2]]},
                                                 {"name": "region", "datatype": "BYTES", "shape": [2, 1], "data": [["eu"], [7]]}]}),
        plain("json-int-bool.json", {"inputs": [{"name": "x", "datatype": "INT64", "shape": [2], "data": [1, True]},
                                                {"name": "region", "datatype": "BYTES", "shape": [2], "data": [None, False]}]}),
        # Numbers as numpy and other encoders may write them, and a shape that does not fit.
        plain("json-exponents.json", {"inputs": [{"name": "x", "datatype": "FP64", "shape": ["2e0"], "data": ["1e2", "2.5e-1"]},
                                                 {"name": "region", "datatype": "BYTES", "shape": [2], "data": ["eu", "1e2"]}]}),
        plain("json-wrong-shape.json", {"inputs": [{"name": "x", "datatype": "FP64", "shape": ["1e1"], "data": [1]},
                                                   {"name": "region", "datatype": "BYTES", "shape": [1], "data": ["eu"]}]}),
        plain("json-missing-input.json", {"inputs": [{"name": "x", "datatype": "FP64", "shape": [1], "data": [1]}]}),
        plain("json-unknown-output.json", {"inputs": [x, region], "outputs": [{"name": "shap"}]}),
        ("not-json", b"\n{"),
    ]
    payload = le_doubles([0.0, 9.5, float("nan")])
    texts = le_bytes_tensor(["eu", "us", "eu"])
    seeds.append(binary("binary-in-out", {
        "inputs": [{"name": "x", "datatype": "FP64", "shape": [3], "parameters": {"binary_data_size": len(payload)}},
                   {"name": "region", "datatype": "BYTES", "shape": [3], "parameters": {"binary_data_size": len(texts)}}],
        "outputs": [{"name": "predict", "parameters": {"binary_data": True}},
                    {"name": "predict_proba", "parameters": {"binary_data": False}}]}, payload + texts))
    for datatype, fmt in [("FP32", "<f"), ("INT32", "<i"), ("INT16", "<h"), ("INT8", "<b"), ("UINT64", "<Q"),
                          ("UINT32", "<I"), ("UINT16", "<H"), ("UINT8", "<B"), ("INT64", "<q")]:
        numbers = b"".join(struct.pack(fmt, v) for v in (1, 2))
        seeds.append(binary(f"binary-{datatype.lower()}", {
            "inputs": [{"name": "x", "datatype": datatype, "shape": [2], "parameters": {"binary_data_size": len(numbers)}},
                       {"name": "region", "datatype": "BYTES", "shape": [2], "data": ["eu", "us"]}]}, numbers))
    seeds.append(binary("binary-size-exponent", {
        "inputs": [{"name": "x", "datatype": "FP64", "shape": [3], "parameters": {"binary_data_size": "2.4e1"}},
                   {"name": "region", "datatype": "BYTES", "shape": [3], "data": ["eu", "us", "eu"]}]}, payload))
    seeds.append(binary("binary-bool-mixed", {
        "inputs": [{"name": "x", "datatype": "BOOL", "shape": [2], "parameters": {"binary_data_size": 2}},
                   {"name": "region", "datatype": "BYTES", "shape": [2], "parameters": {"binary_data_size": len(le_bytes_tensor(["eu", "us"]))}}],
        "parameters": {"binary_data_output": True}}, b"\x00\x01" + le_bytes_tensor(["eu", "us"])))
    return seeds


def inference_tokens():
    return ['"inputs"', '"outputs"', '"name"', '"datatype"', '"shape"', '"data"', '"parameters"', '"binary_data_size"',
            '"binary_data"', '"binary_data_output"', '"id"', '"content_type"', '"pd"', '"x"', '"region"', '"eu"',
            '"predict"', '"predict_proba"', '"FP64"', '"FP32"', '"FP16"', '"INT64"', '"INT32"', '"INT16"', '"INT8"',
            '"UINT64"', '"UINT32"', '"UINT16"', '"UINT8"', '"BOOL"', '"BYTES"', "null", "true", "false", "1e300",
            "-1e300", "1e-300", "1e19", "-1e19", "1e400", "-0", "9007199254740993", "9223372036854775808", "NaN", "[[", "]]", "\\u0000", "\n"]


# MARK: - HTTP requests to the gateway

def gateway_request_seeds():
    body = b'{"inputs":[{"name":"x","datatype":"FP64","shape":[1],"data":[1]}]}'
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    length = b"Content-Length: %d\r\n" % len(body)
    all_at_once, in_sevens, quiesce, sevens_paused = b"\x00", b"\x07", b"\x80", b"\x47"
    requests = [
        ("health", all_at_once, b"GET /v2/health/ready HTTP/1.1\r\nHost: gw\r\n\r\n"),
        ("live-http10", all_at_once, b"GET /v2/health/live HTTP/1.0\r\n\r\n"),
        ("metrics", all_at_once, b"GET /metrics HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n"),
        ("infer-length", all_at_once, b"POST /v2/models/m/infer HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n" + length + b"\r\n" + body),
        ("infer-chunked", in_sevens, b"POST /v2/models/m/infer HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked),
        ("infer-chunked-trailer", all_at_once, b"POST /v2/models/m/infer HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Checksum: 1\r\n\r\n"),
        ("infer-expect", all_at_once, b"POST /v2/models/m/infer HTTP/1.1\r\nHost: gw\r\nExpect: 100-continue\r\n" + length + b"\r\n" + body),
        ("unknown-model-binary", all_at_once, b"POST /v2/models/other/versions/3/infer?x=1 HTTP/1.1\r\nHost: gw\r\nInference-Header-Content-Length: 5\r\nContent-Length: 9\r\n\r\n{\"a\":1}\x00\x01"),
        ("metadata-head", all_at_once, b"HEAD /v2/models/m HTTP/1.1\r\nHost: gw\r\n\r\n"),
        ("pipelined", in_sevens, b"GET /v2/health/ready HTTP/1.1\r\n\r\nPOST /v2/models/m/infer HTTP/1.1\r\n" + length + b"\r\n" + body
         + b"GET /nowhere HTTP/1.1\r\n\r\nGET /metrics HTTP/1.1\r\nConnection: close\r\n\r\n"),
        ("quiesce-pipelined", quiesce, b"GET /v2/health/ready HTTP/1.1\r\n\r\nGET /v2/health/live HTTP/1.1\r\n\r\n"),
        ("header-route", all_at_once, b"POST /v2/models/m/infer HTTP/1.1\r\nX-Sextant-Revision: 2\r\nContent-Length: 0\r\n\r\n"),
        ("not-http", all_at_once, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"),
        ("too-large", all_at_once, b"POST /v2/models/m/infer HTTP/1.1\r\nContent-Length: 5000\r\n\r\n" + body),
        ("too-large-chunked", in_sevens, b"POST /v2/models/m/infer HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
         + b"".join(b"%x\r\n%s\r\n" % (len(body), body) for _ in range(20)) + b"0\r\n\r\n"),
        ("slow-head", sevens_paused, b"POST /v2/models/m/infer HTTP/1.1\r\nHost: gw\r\n" + length + b"\r\n" + body),
        ("short-body-then-idle", sevens_paused, b"GET /v2/health/ready HTTP/1.1\r\n\r\nPOST /v2/models/m/infer HTTP/1.1\r\n" + length + b"\r\n{"),
    ]
    return [(name + ".http", control + data) for name, control, data in requests]


def http_tokens():
    return ["GET ", "POST ", "HEAD ", "PUT ", "OPTIONS ", "CONNECT ", " HTTP/1.1\r\n", " HTTP/1.0\r\n", "HTTP/1.1", "HTTP/1.0",
            "\r\n", "\r\n\r\n", ": ", "Host: ", "Content-Length: ", "Transfer-Encoding: chunked\r\n", "chunked", "gzip, chunked",
            "Connection: close\r\n", "Connection: keep-alive\r\n", "Connection: ", "Keep-Alive: ", "Expect: 100-continue\r\n",
            "Upgrade: ", "Te: ", "Trailer: ", "Proxy-Connection: ", "Inference-Header-Content-Length: ", "X-Sextant-Revision: ",
            "Content-Type: application/json\r\n", "/v2/models/", "/v2/models/m/infer", "/v2/models/m", "/versions/", "/infer",
            "/ready", "/v2/health/ready", "/v2/health/live", "/metrics", "?", "0\r\n\r\n", "ffffffffffffffff", ";ext=1"]


# MARK: - Model servers' answers

def gateway_answer_seeds():
    json_body = b'{"model_name":"m","model_version":"7","outputs":[{"name":"predict","datatype":"BOOL","shape":[1],"data":[true]}]}'
    header = b'{"outputs":[{"name":"predict","datatype":"BOOL","shape":[2],"parameters":{"binary_data_size":2}}]}'
    by_length = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(json_body), json_body)
    answers = [
        ("length", b"\x00", by_length),
        ("length-in-fives", b"\x0a", by_length),
        ("chunked-trailers", b"\x06", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n"
         b"4;ext=1\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\nX-T: 1\r\n\r\n"),
        ("continue-then-ok", b"\x00", b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"),
        ("binary", b"\x00", b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nInference-Header-Content-Length: %d\r\n"
         b"Content-Length: %d\r\n\r\n%s\x00\x01" % (len(header), len(header) + 2, header)),
        ("no-content", b"\x00", b"HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n\r\n"),
        ("head", b"\x01", b"HTTP/1.1 200 OK\r\nContent-Length: 120\r\n\r\n"),
        ("until-close-http10", b"\x00", b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{\"error\":\"late\"}"),
        ("connection-named", b"\x00", b"HTTP/1.1 400 Bad Request\r\nConnection: X-Debug, close\r\nX-Debug: 1\r\nKeep-Alive: timeout=5\r\n"
         b"Content-Length: 11\r\n\r\n{\"error\":1}"),
        ("two-in-a-row", b"\x00", by_length + b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"),
        ("repeated-length", b"\x00", b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}"),
    ]
    return [(name + ".http", control + data) for name, control, data in answers]


def main():
    write_seeds("FuzzManifest", manifest_seeds())
    write_dictionary("FuzzManifest", manifest_tokens())
    write_seeds("FuzzInference", inference_seeds())
    write_dictionary("FuzzInference", inference_tokens())
    write_seeds("FuzzGatewayRequest", gateway_request_seeds())
    write_dictionary("FuzzGatewayRequest", http_tokens())
    write_seeds("FuzzModelServerRequest", gateway_request_seeds())
    write_dictionary("FuzzModelServerRequest", http_tokens())
    write_seeds("FuzzGatewayAnswer", gateway_answer_seeds())
    write_dictionary("FuzzGatewayAnswer", http_tokens())


if __name__ == "__main__":
    main()
