# A tiny Ray Serve application for RayServeTests: answers with the path it was asked
# (the route prefix stays in it), its builder's argument and an environment variable.
import os

from ray import serve
from starlette.requests import Request


@serve.deployment
class Echo:
    def __init__(self, greeting: str):
        self.greeting = greeting

    async def __call__(self, request: Request) -> dict:
        return {
            "path": request.url.path,
            "greeting": self.greeting,
            "env": os.environ.get("SEXTANT_TEST_VALUE", ""),
        }


def build(args: dict):
    return Echo.bind(args.get("greeting", "hello"))
