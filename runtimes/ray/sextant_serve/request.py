"""An OIP v2 infer request read and checked, as `sextant serve-model` reads it
(`InferenceMessage`, `TensorHeader`, `TensorCodec`): the JSON header -- all of the body, or
its first `Inference-Header-Content-Length` bytes -- and every input's values, from `data`
(nested lists flattened in row-major order, `null` as a missing value) or from the binary
part after the header (little-endian, NaN as a missing value, BYTES as a 4-byte length and
the bytes). Every number is checked against its datatype; a `BadRequest` names the input
and the element."""

import json
import math
import re
import struct

MAX_DIMENSION = 2**31 - 1
MAX_DEPTH = 64


class BadRequest(Exception):
    """A request that cannot be understood: answered 400 with `{"error": message}`."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class Datatype:
    """One OIP v2 tensor datatype: its binary layout and the values it may take."""

    def __init__(self, name, code, lower, upper, upper_included=True, whole=True):
        self.name = name
        self.code = code
        self.width = struct.calcsize("<" + code) if code else None
        self.lower = lower
        self.upper = upper
        self.upper_included = upper_included
        self.whole = whole

    @property
    def numeric(self):
        return self.name != "BYTES"

    def problem(self, value):
        """Why `value` cannot be an element of this datatype, or None when it can."""
        if not math.isfinite(value):
            return f"{_swift_double(value)} is not a finite number"
        if value < self.lower or value > self.upper or (not self.upper_included and value == self.upper):
            return f"{_format(value)} is outside {self.name}'s range {_format(self.lower)}…{_format(self.upper)}"
        if self.whole and value != math.trunc(value):
            return f"{_format(value)} is not a whole number, as {self.name} needs"
        return None


_FLOAT_MAX = float.fromhex("0x1.fffffep+127")
_DOUBLE_MAX = float.fromhex("0x1.fffffffffffffp+1023")
DATATYPES = {d.name: d for d in [
    Datatype("BOOL", "B", 0, 1),
    Datatype("UINT8", "B", 0, 255), Datatype("UINT16", "H", 0, 65535),
    Datatype("UINT32", "I", 0, 4294967295), Datatype("UINT64", "Q", 0, 2.0**64, upper_included=False),
    Datatype("INT8", "b", -128, 127), Datatype("INT16", "h", -32768, 32767),
    Datatype("INT32", "i", -2147483648, 2147483647), Datatype("INT64", "q", -(2.0**63), 2.0**63, upper_included=False),
    Datatype("FP16", "e", -65504, 65504, whole=False), Datatype("FP32", "f", -_FLOAT_MAX, _FLOAT_MAX, whole=False),
    Datatype("FP64", "d", -_DOUBLE_MAX, _DOUBLE_MAX, whole=False),
    Datatype("BYTES", None, -_DOUBLE_MAX, _DOUBLE_MAX, whole=False),
]}


class Tensor:
    """One checked input: its name, datatype, shape and values (floats, str or None)."""

    def __init__(self, name, datatype, shape, values):
        self.name = name
        self.datatype = datatype
        self.shape = shape
        self.values = values


class RequestedOutput:
    def __init__(self, name, binary):
        self.name = name
        self.binary = binary


class InferRequest:
    """`id` (when a string), `binary_data_output`, the requested outputs (None when it
    lists none) and the inputs by name."""

    def __init__(self, body, header_length=None):
        header_end = len(body)
        if header_length is not None:
            if re.fullmatch(r"[+-]?[0-9]+", header_length.strip(" ")) is None or not 0 <= int(header_length) <= len(body):
                raise BadRequest(f'Inference-Header-Content-Length "{header_length[:40]}" is not a byte count within the body ({len(body)} bytes)')
            header_end = int(header_length)
        document = _parse_json(body[:header_end])
        if not isinstance(document, dict):
            raise BadRequest("the request has no inputs")
        self.id = document.get("id") if isinstance(document.get("id"), str) else None
        parameters = document.get("parameters")
        self.binary_data_output = isinstance(parameters, dict) and parameters.get("binary_data_output") is True
        self.outputs = _requested_outputs(document.get("outputs"), self.binary_data_output)
        entries = document.get("inputs")
        if not isinstance(entries, list) or not entries:
            raise BadRequest("the request has no inputs")
        offset = header_end
        self.inputs = {}
        for position, entry in enumerate(entries):
            tensor, offset = _tensor(entry if isinstance(entry, dict) else {}, position, body, offset)
            if tensor.name in self.inputs:
                raise BadRequest(f"input {tensor.name} is given twice")
            self.inputs[tensor.name] = tensor


def _parse_json(data):
    def refuse_constant(name):
        raise BadRequest(f"the request is not JSON: {name} is not a JSON value (send null for a missing value)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest(f"the request is not JSON: invalid UTF-8 at byte {error.start}") from None
    try:
        document = json.loads(text, parse_constant=refuse_constant)
    except json.JSONDecodeError as error:
        raise BadRequest(f"the request is not JSON: {error.msg.lower()} at character {error.pos}") from None
    except RecursionError:
        raise BadRequest(f"the request is not JSON: arrays and objects nest deeper than {MAX_DEPTH}") from None
    if _depth(document) > MAX_DEPTH:
        raise BadRequest(f"the request is not JSON: arrays and objects nest deeper than {MAX_DEPTH}")
    return document


def _depth(value):
    depth, level = 0, [value]
    while level:
        depth += 1
        following = []
        for item in level:
            if isinstance(item, list):
                following.extend(item)
            elif isinstance(item, dict):
                following.extend(item.values())
        level = following
    return depth - 1


def _requested_outputs(outputs, binary_data_output):
    if not isinstance(outputs, list) or not outputs:
        return None
    requested = []
    for output in outputs:
        output = output if isinstance(output, dict) else {}
        name = output.get("name") if isinstance(output.get("name"), str) else None
        parameters = output.get("parameters")
        binary = parameters.get("binary_data") if isinstance(parameters, dict) else None
        requested.append(RequestedOutput(name, binary if isinstance(binary, bool) else binary_data_output))
    return requested


def _tensor(entry, position, body, offset):
    """The checked input at `position`, and the binary offset after it."""
    name = entry.get("name")
    if not isinstance(name, str):
        raise BadRequest(f"input {position} has no name")
    datatype_name = entry.get("datatype")
    if not isinstance(datatype_name, str):
        raise BadRequest(f"input {name} has no datatype")
    datatype = DATATYPES.get(datatype_name)
    if datatype is None:
        raise BadRequest(f"input {name}: datatype {datatype_name[:40]} is not one of {', '.join(DATATYPES)}")
    tensor = f"input {name}"
    shape = _shape(entry.get("shape", _ABSENT), tensor)
    elements = math.prod(shape)
    parameters = entry.get("parameters") if isinstance(entry.get("parameters"), dict) else {}
    if "binary_data_size" in parameters:
        size = parameters["binary_data_size"]
        left = len(body) - offset
        if not _is_number(size) or not 0 <= size <= left or size != math.trunc(size):
            raise BadRequest(f"{tensor}: binary_data_size {_describe(size)} is not a byte count within the {left} bytes left of the body")
        values = _binary_values(body[offset:offset + int(size)], datatype, tensor)
        offset += int(size)
    elif "data" in entry:
        values = []
        if datatype.numeric:
            _numbers(entry["data"], datatype, tensor, values)
        else:
            _texts(entry["data"], tensor, values)
    else:
        raise BadRequest(f"{tensor} has neither data nor binary_data_size")
    if len(values) != elements:
        raise BadRequest(f"{tensor}: shape {_describe(entry['shape'])} holds {elements} values, but {len(values)} were sent")
    return Tensor(name, datatype, shape, values), offset


_ABSENT = object()


def _shape(shape, tensor):
    if shape is _ABSENT:
        raise BadRequest(f"{tensor} has no shape; the tabular convention sends shape [N]")
    if not isinstance(shape, list) or not shape:
        raise BadRequest(f"{tensor}: shape {_describe(shape)} is not a list of dimensions")
    dimensions = []
    for dimension in shape:
        if not _is_number(dimension) or not 0 <= dimension <= MAX_DIMENSION or dimension != math.trunc(dimension):
            raise BadRequest(f"{tensor}: shape {_describe(shape)}: every dimension must be a whole number from 0 to {MAX_DIMENSION}")
        dimensions.append(int(dimension))
    return dimensions


def _numbers(data, datatype, tensor, values):
    """`data` of a numeric datatype into `values`: nested lists flattened, `null` missing."""
    if isinstance(data, list):
        for item in data:
            _numbers(item, datatype, tensor, values)
        return
    if data is None:
        values.append(None)
        return
    if isinstance(data, bool):
        if datatype.name != "BOOL":
            raise BadRequest(f"{tensor}: element {len(values)} of {datatype.name} data is not a number")
        values.append(1.0 if data else 0.0)
        return
    if not _is_number(data):
        what = "a number or a boolean" if datatype.name == "BOOL" else "a number"
        raise BadRequest(f"{tensor}: element {len(values)} of {datatype.name} data is not {what}")
    value = _float(data)
    problem = datatype.problem(value)
    if problem is not None:
        raise BadRequest(f"{tensor}: element {len(values)}: {problem}")
    values.append(value)


def _texts(data, tensor, values):
    if isinstance(data, list):
        for item in data:
            _texts(item, tensor, values)
    elif isinstance(data, str):
        values.append(data)
    elif data is None:
        values.append(None)
    else:
        raise BadRequest(f"{tensor}: element {len(values)} of BYTES data is not a string")


def _binary_values(data, datatype, tensor):
    """An input's raw bytes in the binary tensor data extension."""
    if not datatype.numeric:
        return _binary_texts(data, tensor)
    width = datatype.width
    if len(data) % width:
        raise BadRequest(f"{tensor}: {len(data)} bytes is not a whole number of {datatype.name} values ({width} bytes each)")
    values = []
    for position, (raw,) in enumerate(struct.iter_unpack("<" + datatype.code, data)):
        if datatype.name == "BOOL" and raw > 1:
            raise BadRequest(f"{tensor}: element {position} of BOOL data is byte {raw}; a BOOL is 0 or 1")
        value = float(raw)
        if math.isnan(value):
            values.append(None)
            continue
        problem = datatype.problem(value)
        if problem is not None:
            raise BadRequest(f"{tensor}: element {position}: {problem}")
        values.append(value)
    return values


def _binary_texts(data, tensor):
    texts, offset = [], 0
    while offset < len(data):
        if len(data) - offset < 4:
            raise BadRequest(f"{tensor}: element {len(texts)} of BYTES data is cut off in its 4-byte length")
        (length,) = struct.unpack_from("<I", data, offset)
        offset += 4
        if length > len(data) - offset:
            raise BadRequest(f"{tensor}: element {len(texts)} of BYTES data says {length} bytes, but only {len(data) - offset} are left")
        texts.append(data[offset:offset + length].decode("utf-8", errors="replace"))
        offset += length
    return texts


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _float(value):
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _format(value):
    """A number as serve-model's messages show it: whole numbers below 1e15 as integers."""
    if abs(value) < 1e15 and value == math.trunc(value):
        return str(int(value))
    return _swift_double(value)


def _swift_double(value):
    """Swift's `description` of a Double: Python's repr but for infinities."""
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(float(value))


def _describe(value):
    """A JSON value as serve-model's messages show it, cut short."""
    if value is None:
        text = "null"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif _is_number(value):
        text = _format(_float(value))
    elif isinstance(value, str):
        text = f'"{value}"'
    elif isinstance(value, list):
        text = "[" + ", ".join(_describe(item) for item in value[:8]) + (", …" if len(value) > 8 else "") + "]"
    else:
        text = "{…}"
    return text[:80] + "…" if len(text) > 80 else text
