#!/usr/bin/env python3
"""Validate KServe manifests (what `sextant render kserve` writes) against KServe's own CRDs.

usage: validate-kserve.py [--crds DIR] FILE...      (FILE `-` reads standard input)

Needs PyPI jsonschema and PyYAML (pinned where the tests install them):
    python3 -m venv /tmp/sextant-kserve-venv
    /tmp/sextant-kserve-venv/bin/pip install jsonschema==4.26.0 pyyaml==6.0.3

The CRDs are the gzipped `config/crd/full/...` files of a KServe release vendored in
Tests/Fixtures/kserve/ (its README names the tag and how to refresh them). Each CRD's
`openAPIV3Schema` becomes a JSON Schema, made as strict as `kubectl apply --validate=strict`:

  * an object with `properties` and no `x-kubernetes-preserve-unknown-fields` gets
    `additionalProperties: false`, so a misspelt field is an error, not silently dropped;
  * `x-kubernetes-int-or-string` accepts an integer or a string, `nullable` accepts null;
  * `metadata` takes name, namespace, labels and annotations (strings), and an
    InferenceService's name must be a DNS-1035 label, as KServe's admission webhook checks.

Not checked: CEL rules (`x-kubernetes-validations`) and the webhook's other checks.
Every document must be a kind the CRDs define. Prints one line per document; exits 0
when all are valid, 1 when any is not, 2 on a usage error or an unreadable file.
"""
import copy
import gzip
import os
import re
import sys

import jsonschema
import yaml

DNS_1035 = r"^[a-z]([-a-z0-9]*[a-z0-9])?$"
DNS_1123_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"

CRD_FILES = [
    "serving.kserve.io_inferenceservices.yaml.gz",
    "serving.kserve.io_clusterservingruntimes.yaml.gz",
]

METADATA = {
    "type": "object",
    "required": ["name"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 253},
        "namespace": {"type": "string", "pattern": DNS_1123_LABEL, "maxLength": 63},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}


def strict(node):
    """The JSON Schema of one OpenAPI v3 schema node (a copy; the CRD is not changed)."""
    if isinstance(node, list):
        return [strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {}
    for key, value in node.items():
        if key in ("properties", "patternProperties", "definitions"):
            result[key] = {name: strict(child) for name, child in value.items()}
        elif key in ("items", "additionalProperties", "not") and isinstance(value, dict):
            result[key] = strict(value)
        elif key in ("anyOf", "allOf", "oneOf"):
            result[key] = strict(value)
        elif key.startswith("x-kubernetes-"):
            continue
        else:
            result[key] = copy.deepcopy(value)
    if node.get("x-kubernetes-int-or-string"):
        result.pop("type", None)
        result.pop("anyOf", None)
        result["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if node.get("x-kubernetes-embedded-resource"):
        properties = result.setdefault("properties", {})
        properties.setdefault("apiVersion", {"type": "string"})
        properties.setdefault("kind", {"type": "string"})
        properties.setdefault("metadata", {"type": "object"})
    if "properties" in result and not node.get("x-kubernetes-preserve-unknown-fields") \
            and "additionalProperties" not in result:
        result["additionalProperties"] = False
    if node.get("nullable"):
        result.pop("nullable", None)
        if isinstance(result.get("type"), str):
            result["type"] = [result["type"], "null"]
        if "enum" in result and None not in result["enum"]:
            result["enum"] = result["enum"] + [None]
        if "anyOf" in result:
            result["anyOf"] = result["anyOf"] + [{"type": "null"}]
    return result


def load_schemas(directory):
    """(apiVersion, kind) -> JSON Schema, for every served version of every vendored CRD."""
    schemas = {}
    for name in CRD_FILES:
        path = os.path.join(directory, name)
        with gzip.open(path, "rt", encoding="utf-8") as file:
            crd = yaml.load(file, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # 2 MB: libyaml when present
        group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
        for version in crd["spec"]["versions"]:
            if not version.get("served", True):
                continue
            schema = strict(version["schema"]["openAPIV3Schema"])
            schema.setdefault("properties", {})["metadata"] = copy.deepcopy(METADATA)
            if kind == "InferenceService":
                # KServe's webhook: the name becomes Knative and DNS names.
                schema["properties"]["metadata"]["properties"]["name"].update(pattern=DNS_1035, maxLength=63)
            schema["required"] = sorted(set(schema.get("required", [])) | {"apiVersion", "kind", "metadata"})
            schemas[(f"{group}/{version['name']}", kind)] = schema
    return schemas


def location(error):
    path = ".".join(str(part) for part in error.absolute_path)
    return path or "(document)"


def main(arguments):
    here = os.path.dirname(os.path.abspath(__file__))
    crds = os.path.join(here, "..", "Tests", "Fixtures", "kserve")
    files = []
    while arguments:
        argument = arguments.pop(0)
        if argument == "--crds" and arguments:
            crds = arguments.pop(0)
        elif argument in ("-h", "--help"):
            print(__doc__)
            return 0
        elif argument.startswith("--"):
            print(f"validate-kserve: unknown option {argument}", file=sys.stderr)
            return 2
        else:
            files.append(argument)
    if not files:
        print("validate-kserve: name at least one file (or - for standard input)", file=sys.stderr)
        return 2
    try:
        schemas = load_schemas(crds)
    except (OSError, KeyError, yaml.YAMLError) as error:
        print(f"validate-kserve: cannot read the CRDs in {crds}: {error}", file=sys.stderr)
        return 2
    invalid = 0
    for name in files:
        try:
            text = sys.stdin.read() if name == "-" else open(name, encoding="utf-8").read()
            documents = [document for document in yaml.safe_load_all(text) if document is not None]
        except (OSError, yaml.YAMLError) as error:
            print(f"{name}: cannot read: {error}", file=sys.stderr)
            return 2
        if not documents:
            print(f"{name}: no documents")
            invalid += 1
        for number, document in enumerate(documents, start=1):
            label = f"{name}: document {number}"
            if not isinstance(document, dict):
                print(f"{label}: not a mapping")
                invalid += 1
                continue
            kind, api = document.get("kind"), document.get("apiVersion")
            label += f" ({kind} {(document.get('metadata') or {}).get('name', '?')})"
            schema = schemas.get((api, kind))
            if schema is None:
                known = ", ".join(f"{k} {a}" for a, k in sorted(schemas))
                print(f"{label}: no CRD for {kind} {api} (known: {known})")
                invalid += 1
                continue
            validator = jsonschema.Draft4Validator(schema)
            errors = sorted(validator.iter_errors(document), key=lambda error: list(map(str, error.absolute_path)))
            if errors:
                invalid += 1
                for error in errors:
                    print(f"{label}: {location(error)}: {error.message}")
            else:
                print(f"{label}: valid")
    return 1 if invalid else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
