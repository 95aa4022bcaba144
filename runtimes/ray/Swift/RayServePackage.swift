package import Foundation

/// The Python package `sextant_serve` (runtimes/ray/sextant_serve, see runtimes/ray/README.md):
/// the Ray Serve application that serves a built-in model over OIP v2, as `serve-model`
/// does. Its files are embedded in the code (SwiftPM's `embedInCode`), so every copy of the
/// `sextant` binary carries them, with no resource bundle beside it.
///
/// A revision's Serve application imports `importPath` with the package uploaded as one of
/// its `py_modules` (or inside its `working_dir`), `env_vars` `SEXTANT_MODEL_DIR=model`,
/// `SEXTANT_MODEL_NAME` and `SEXTANT_MODEL_VERSION`, and the model files under `model/`.
package enum RayServePackage {
    /// The package's directory name: what `import` finds.
    package static let name = "sextant_serve"

    /// The application builder Ray Serve's `import_path` names.
    package static let importPath = "sextant_serve.app:build"

    /// The name of the application's one deployment (for per-deployment options such as
    /// `num_replicas` or `autoscaling_config`).
    package static let deploymentName = "SextantModel"

    /// Every file of the package: its path under the package's parent directory
    /// (`sextant_serve/app.py`) and its bytes. `RayServePackageTests` checks the list
    /// against runtimes/ray/sextant_serve, so a new file cannot be left out.
    package static let files: [(path: String, contents: [UInt8])] = [
        ("sextant_serve/__init__.py", PackageResources.__init___py),
        ("sextant_serve/app.py", PackageResources.app_py),
        ("sextant_serve/asgi.py", PackageResources.asgi_py),
        ("sextant_serve/model.py", PackageResources.model_py),
        ("sextant_serve/request.py", PackageResources.request_py),
        ("sextant_serve/server.py", PackageResources.server_py),
    ]

    /// Writes the package into `directory` (as `directory/sextant_serve/…`), so that
    /// `directory` on `PYTHONPATH`, or as a `working_dir`, makes it importable.
    package static func write(into directory: URL) throws {
        for file in files {
            let url = directory.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(file.contents).write(to: url)
        }
    }
}
