"""Runs one external trainer as a Ray Job for Sextant, and hands its output back in the log.

Sextant submits `python3 .sextant/run.py` with the run directory (the watched root's files at
the commit, `.sextant/train.csv`, `.sextant/eval.csv` and this file) as the job's working_dir.
Ray shares one unpacked working_dir between every job of the same package, so the trainer
runs in a private copy of it, with the training contract's variables (DESIGN §5) pointing
into that copy. When the trainer exits 0, its output directory is printed as a stored zip,
base64, between marker lines, with its SHA-256 and size: Ray's REST API reads a job's log
but serves no files, so the log is the way back. Exit status: the trainer's (128 + the
signal when one killed it); 3 when the output cannot be handed back.

Standard library only: it runs on any Python 3 a Ray node has.
"""
import base64
import hashlib
import io
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import zipfile

BEGIN = "==== sextant ray-train output v1 begin"
END = "==== sextant ray-train output v1 end ===="
LINE = 4096
OUTPUT_FAILURE = 3


def fail(message):
    """Refuses the output: Sextant quotes the last line of this prefix when the exit status is 3."""
    print(f"sextant: output refused: {message}", file=sys.stderr, flush=True)
    sys.exit(OUTPUT_FAILURE)


def zipped(directory):
    """The output directory as a stored zip: regular files only, sorted, by relative path."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for root, directories, files in os.walk(directory):
            directories.sort()
            for name in directories:
                if os.path.islink(os.path.join(root, name)):
                    fail(f"{os.path.relpath(os.path.join(root, name), directory)} in SEXTANT_OUTPUT_DIR is a symlink; write regular files only")
            for name in sorted(files):
                path = os.path.join(root, name)
                relative = os.path.relpath(path, directory)
                mode = os.lstat(path).st_mode
                if not stat.S_ISREG(mode):
                    fail(f"{relative} in SEXTANT_OUTPUT_DIR is not a regular file; write regular files only")
                info = zipfile.ZipInfo(relative, date_time=(1980, 1, 1, 0, 0, 0))
                info.external_attr = (stat.S_IFREG | 0o644) << 16
                with open(path, "rb") as source:
                    archive.writestr(info, source.read(), zipfile.ZIP_STORED)
    return buffer.getvalue()


def main():
    command = json.loads(os.environ.pop("SEXTANT_RAY_COMMAND"))
    limit = int(os.environ.pop("SEXTANT_RAY_OUTPUT_LIMIT"))
    # A stop of the job (SIGTERM to its process group) ends this script through `finally`.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
    work = tempfile.mkdtemp(prefix="sextant-train-")
    try:
        run = os.path.join(work, "run")
        shutil.copytree(os.getcwd(), run, symlinks=True)
        own = os.path.join(run, ".sextant")
        output = os.path.join(own, "output")
        os.makedirs(output, exist_ok=True)
        environment = dict(os.environ)
        environment.update({
            "HOME": run,
            "SEXTANT_TRAIN_DATA": os.path.join(own, "train.csv"),
            "SEXTANT_EVAL_DATA": os.path.join(own, "eval.csv"),
            "SEXTANT_OUTPUT_DIR": output,
        })
        status = subprocess.run(command, cwd=run, env=environment).returncode
        if status != 0:
            print(f"sextant: the trainer exited with status {status}", file=sys.stderr, flush=True)
            sys.exit(status if status > 0 else 128 - status)
        archive = zipped(output)
        if len(archive) > limit:
            readable = f"{limit >> 20} MiB" if limit % (1 << 20) == 0 else f"{limit} bytes"
            fail(f"the trainer's output is {len(archive)} bytes zipped, over the limit of {readable} "
                 "that the Ray runtime hands back through the job's log; write smaller weights")
        text = base64.b64encode(archive).decode("ascii")
        lines = [f"{BEGIN} sha256={hashlib.sha256(archive).hexdigest()} bytes={len(archive)} ===="]
        lines += [text[start:start + LINE] for start in range(0, len(text), LINE)]
        lines.append(END)
        sys.stdout.write("\n" + "\n".join(lines) + "\n")
        sys.stdout.flush()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
