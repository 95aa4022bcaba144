"""Sextant's built-in Open Inference Protocol v2 server for Ray Serve.

Serves a built-in model (`model.json`, format `sextant.model/v1`) exactly as
`sextant serve-model` does: the same routes, the tabular convention, the same maths and
the same error messages. Standard library only; `sextant_serve.app` adds Ray Serve.

* `sextant_serve.model`   -- the model file and its predictions
* `sextant_serve.request` -- an OIP v2 infer request read and checked (JSON or binary)
* `sextant_serve.server`  -- routes and answers, independent of the HTTP layer
* `sextant_serve.asgi`    -- the ASGI application (uvicorn, or Ray Serve's ingress)
* `sextant_serve.app`     -- the Ray Serve application builder (`sextant_serve.app:build`)
"""
