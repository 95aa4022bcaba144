"""The Ray Serve application of a built-in model: `import_path: sextant_serve.app:build`
(an application builder; its `args` are optional) or `sextant_serve.app:app` (the same,
already built). One deployment, `SextantModel`, whose replicas load the model named by
the serving contract's variables (`runtime_env.env_vars`: `SEXTANT_MODEL_DIR=model`,
`SEXTANT_MODEL_NAME`, `SEXTANT_MODEL_VERSION`) from the application's `working_dir`, and
answer OIP v2 under the application's route prefix."""

from ray import serve

from .asgi import create_app

DEPLOYMENT_NAME = "SextantModel"


def _build_asgi_app():
    # Runs in each replica, after Ray has set its working directory and environment.
    return create_app()


@serve.deployment(name=DEPLOYMENT_NAME)
@serve.ingress(_build_asgi_app)
class SextantModel:
    """A replica serving one built-in model version over OIP v2."""


def build(args=None):
    """The application builder Ray Serve calls with the application's `args` (none are
    needed: the model comes from the environment)."""
    return SextantModel.bind()


app = build()
