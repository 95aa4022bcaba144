"""An external trainer for RayTrainingTests: hyperparameter `mode` says what it does.

ok: writes model.bin (every byte value, then the training CSV), nested/contract.json (the
contract's variables), after printing lines that look like Sextant's output markers;
slow: the same after 4 s; fail: prints two lines and exits 7; sleep: sleeps 300 s;
empty: writes nothing.
"""
import json
import os
import sys
import time

mode = json.loads(os.environ["SEXTANT_HYPERPARAMETERS"])["mode"]
output = os.environ["SEXTANT_OUTPUT_DIR"]
print(f"training in {os.getcwd()} ({mode})", flush=True)
if mode == "fail":
    print("loading the data", flush=True)
    print("ValueError: the target column is constant", file=sys.stderr, flush=True)
    sys.exit(7)
if mode == "sleep":
    time.sleep(300)
if mode == "slow":
    time.sleep(4)
if mode in ("ok", "slow"):
    # Lookalikes: a block with a wrong checksum, and one left open.
    print("==== sextant ray-train output v1 begin sha256=" + "0" * 64 + " bytes=3 ====")
    print("AAAA")
    print("==== sextant ray-train output v1 end ====")
    print("==== sextant ray-train output v1 begin sha256=" + "1" * 64 + " bytes=1 ====", flush=True)
    with open(os.environ["SEXTANT_TRAIN_DATA"], "rb") as data:
        rows = data.read()
    with open(os.path.join(output, "model.bin"), "wb") as model:
        model.write(bytes(range(256)) + rows)
    os.makedirs(os.path.join(output, "nested"))
    contract = {name: os.environ[name] for name in ("SEXTANT_TARGET", "SEXTANT_FEATURES", "SEXTANT_SEED", "SEXTANT_MODEL_NAME")}
    contract["eval_exists"] = os.path.exists(os.environ["SEXTANT_EVAL_DATA"])
    with open(os.path.join(output, "nested", "contract.json"), "w") as file:
        json.dump(contract, file, sort_keys=True)
print("done", flush=True)
