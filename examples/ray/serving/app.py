"""The fraud-detector's own Ray Serve application: `serving: {runtime: rayServe, importPath:
serving.app:app}` in models/fraud-detector.yaml.

Sextant declares one Serve application per serving revision, with the watched root's
files at the revision's commit (this folder) as its `working_dir`, the version's model
files under `model/`, and as `env_vars` the serving contract's variables plus
`serving.env`:

    SEXTANT_MODEL_DIR      the directory holding model.json (`model`)
    SEXTANT_MODEL_NAME     the model's name, answered in /v2/models/NAME
    SEXTANT_MODEL_VERSION  answered as model_version
    EXAMPLE_DELAY_MS       milliseconds each inference waits first (default 0): a serving-only
                           change that makes "a slow version" for the latency SLO to roll back

Ray Serve passes the whole path to the replica, route prefix included
(`/fraud-detector/r3/v2/models/fraud-detector/infer`), and names the prefix in the ASGI
scope's `root_path`; it is taken off before routing, so the application answers the same
at the root. The deployment is `FraudDetector`.
"""
import asyncio
import os

from ray import serve
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .model import Model
from .oip import InferenceServer

MAX_REQUEST_BYTES = 16 * 1024 * 1024


def delay_from_environment():
    """EXAMPLE_DELAY_MS in seconds; anything but a whole number of milliseconds ≥ 0 stops the replica."""
    text = os.environ.get("EXAMPLE_DELAY_MS") or "0"
    if not text.isdigit():
        raise RuntimeError(f"EXAMPLE_DELAY_MS is {text!r}; set it (serving.env) to a whole number of milliseconds, e.g. \"200\"")
    return int(text) / 1000


def route_path(scope):
    """The request's path without the route prefix that Ray Serve keeps in it."""
    path, prefix = scope.get("path", "/"), scope.get("root_path", "").rstrip("/")
    if prefix and (path == prefix or path.startswith(prefix + "/")):
        path = path[len(prefix):] or "/"
    return path


async def read_body(request):
    """The request's body, or None when it is over MAX_REQUEST_BYTES (read no further)."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_REQUEST_BYTES:
        return None
    parts, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_REQUEST_BYTES:
            return None
        parts.append(chunk)
    return b"".join(parts)


# A replica is a light Python process: reserving a tenth of a CPU lets the stable revision,
# a canary and their evaluation instances share a 2-CPU node (Serve reserves a whole CPU
# per replica by default).
@serve.deployment(name="FraudDetector", ray_actor_options={"num_cpus": 0.1})
class FraudDetector:
    """A replica serving one version of the fraud-detector over OIP v2."""

    def __init__(self):
        directory = os.environ.get("SEXTANT_MODEL_DIR") or "model"
        name = os.environ.get("SEXTANT_MODEL_NAME") or "fraud-detector"
        version = os.environ.get("SEXTANT_MODEL_VERSION") or "1"
        self.server = InferenceServer(Model.load(directory), name, version)
        self.delay = delay_from_environment()

    async def __call__(self, request: Request) -> Response:
        path = route_path(request.scope)
        if request.headers.get("inference-header-content-length") is not None:
            return JSONResponse({"error": "binary tensor data is not supported; this server reads JSON requests only"}, 400)
        body = b""
        if request.method == "POST":
            body = await read_body(request)
            if body is None:
                return JSONResponse({"error": f"the request body is larger than {MAX_REQUEST_BYTES} bytes, the most this server takes"}, 413)
            if self.delay and path.endswith("/infer"):
                await asyncio.sleep(self.delay)
        status, document = self.server.answer(request.method, path, body)
        if document is None:
            return Response(status_code=status)
        return JSONResponse(document, status)


app = FraudDetector.bind()
