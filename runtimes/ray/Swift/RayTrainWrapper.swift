/// `runtimes/ray/sextant_train/run.py`: the entrypoint of an external trainer's Ray Job
/// (`RayTraining` in SextantRay). It runs the trainer in a private copy of the job's
/// working directory and prints the trainer's output directory into the job's log between
/// marker lines, since Ray's REST API serves no files. Embedded in the code like
/// `RayServePackage`, so every copy of the `sextant` binary carries it.
package enum RayTrainWrapper {
    /// The script's bytes.
    package static let script: [UInt8] = PackageResources.run_py
}
