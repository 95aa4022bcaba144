"""The built-in model server as an ASGI application: what Ray Serve's ingress runs in
each replica, and what `uvicorn --factory sextant_serve.asgi:create_app` runs by hand.

The model comes from the serving contract's variables: `SEXTANT_MODEL_DIR` (the directory
holding `model.json`, relative to the working directory; default `model`),
`SEXTANT_MODEL_NAME` (default `model`) and `SEXTANT_MODEL_VERSION` (default `1`).

Paths: Ray Serve passes the whole path, route prefix included (`/MODEL/rN/v2/...`), with
the prefix in the ASGI scope's `root_path`; an application at the root gets `/v2/...`.
Either way the prefix is taken off before routing, so both reach the same endpoints."""

import os

from .model import Model
from .server import Answer, ModelServer

MAX_REQUEST_BYTES = 64 * 1024 * 1024


def server_from_environment(environment=None):
    """The `ModelServer` the serving contract's variables describe."""
    environment = os.environ if environment is None else environment
    model = Model.load(environment.get("SEXTANT_MODEL_DIR") or "model")
    return ModelServer(model, environment.get("SEXTANT_MODEL_NAME") or "model", environment.get("SEXTANT_MODEL_VERSION") or "1")


def create_app(server=None):
    """The ASGI application serving `server` (default: from the environment)."""
    server = server or server_from_environment()

    async def app(scope, receive, send):
        if scope["type"] == "lifespan":
            return await _lifespan(receive, send)
        if scope["type"] != "http":
            return
        path = _route_path(scope)
        body, too_large = await _read_body(receive, scope)
        if too_large:
            answer = Answer.error(f"the request body is larger than {MAX_REQUEST_BYTES} bytes, the most this server takes", 413)
        else:
            header_length = _header(scope, b"inference-header-content-length")
            answer = server.answer(scope["method"], path, body, header_length)
        await _send(send, answer)

    return app


def _route_path(scope):
    """The request's path without the route prefix (Ray Serve keeps it in `path` and names
    it in `root_path`)."""
    path, prefix = scope.get("path", "/"), scope.get("root_path", "").rstrip("/")
    if prefix and (path == prefix or path.startswith(prefix + "/")):
        path = path[len(prefix):] or "/"
    query = scope.get("query_string", b"")
    return path + ("?" + query.decode("latin-1") if query else "")


def _header(scope, name):
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


async def _read_body(receive, scope):
    length = _header(scope, b"content-length")
    if length is not None and length.isdigit() and int(length) > MAX_REQUEST_BYTES:
        return b"", True
    parts, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_REQUEST_BYTES:
            return b"", True
        parts.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(parts), False


async def _send(send, answer):
    headers = [(b"content-length", str(len(answer.body)).encode())]
    if answer.content_type:
        headers.append((b"content-type", answer.content_type.encode()))
    headers.extend((name.encode(), value.encode()) for name, value in answer.headers)
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})


async def _lifespan(receive, send):
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
