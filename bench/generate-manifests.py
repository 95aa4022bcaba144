#!/usr/bin/env python3
"""Write a valid Sextant manifest repository of COUNT manifests, for benchmarks.

usage: generate-manifests.py OUTDIR [--count 10000] [--per-dir 500]

Manifests come in groups of five, one of each kind; group i holds

  contracts/NNN/c{i}.yaml   DataContract (ODCS v3.1.0), id urn:datacontract:c{i}, table t{i}
  datasets/NNN/d{i}.yaml    Dataset d{i}: data/shared.csv, contract c{i}, table t{i}
  models/NNN/m{i}.yaml      Model m{i}: dataset d{i}, slos [s{i}], rollout p{i}
  slos/NNN/s{i}.yaml        SLO s{i} (OpenSLO v1), service m{i}
  rollouts/NNN/p{i}.yaml    RolloutPolicy p{i} (canary 10% / 50%)

where NNN = i // PER_DIR, zero-padded to three digits, so that no directory holds
more than PER_DIR files (default 500: 10,000 manifests make 2,000 groups, i.e.
four sub-directories 000..003 per kind). --per-dir 0 writes flat directories.

When COUNT is not a multiple of five, the last, partial group holds (in this
order) the contract, the dataset, the rollout policy and a model without SLOs,
so that every reference still resolves.

It also writes data/shared.csv, the table every dataset points at. Everything
is deterministic: the same arguments always write the same bytes.
Only the Python standard library is used.
"""

import argparse
import os
import sys

CONTRACT = """\
apiVersion: v3.1.0
kind: DataContract
id: urn:datacontract:c{i}
version: 1.0.0
status: active
name: c{i}
schema:
  - name: t{i}
    quality: [{{metric: rowCount, mustBeGreaterThan: 1}}]
    properties:
      - {{name: id, logicalType: string, primaryKey: true}}
      - {{name: amount, logicalType: number, logicalTypeOptions: {{minimum: 0}}}}
      - {{name: hour, logicalType: integer, logicalTypeOptions: {{minimum: 0, maximum: 23}}}}
      - {{name: risk, logicalType: number}}
      - name: region
        logicalType: string
        quality: [{{metric: invalidValues, arguments: {{validValues: [eu, us, apac]}}, mustBe: 0}}]
      - {{name: label, logicalType: boolean, required: true}}
"""

DATASET = """\
apiVersion: sextant.dev/v1alpha1
kind: Dataset
metadata:
  name: d{i}
spec:
  source:
    path: data/shared.csv
    format: csv
  contract: c{i}
  table: t{i}
"""

MODEL_HEAD = """\
apiVersion: sextant.dev/v1alpha1
kind: Model
metadata:
  name: m{i}
  labels: {{team: bench}}
spec:
  task: binary-classification
  dataset: d{i}
  target: label
  features: [amount, hour, risk]
  training:
    trainer: logistic-regression
    hyperparameters: {{l2: 0.01}}
    seed: 42
    timeout: 10m
  evaluation:
    split: {{holdout: 0.2, seed: 42, stratify: true}}
    gates:
      - {{metric: auc, min: 0.8}}
      - {{metric: demographicParityRatio, sensitiveFeature: region, min: 0.8}}
    incumbent: {{metric: auc, maxRegression: 0.005}}
  serving:
    runtime: builtin
    replicas: 1
"""
MODEL_SLOS = "    slos: [s{i}]\n"
MODEL_TAIL = "    rollout: p{i}\n"

SLO = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: s{i}
spec:
  service: m{i}
  indicator:
    metadata:
      name: s{i}
    spec:
      thresholdMetric:
        metricSource:
          type: sextant
          spec: {{metric: latency}}
  timeWindow:
    - duration: 5m
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: p99
      op: lte
      value: 50
      target: 0.99
"""

ROLLOUT = """\
apiVersion: sextant.dev/v1alpha1
kind: RolloutPolicy
metadata:
  name: p{i}
spec:
  strategy: canary
  steps:
    - setWeight: 10
    - pause: {{duration: 30s}}
    - setWeight: 50
    - pause: {{duration: 1m}}
  analysis:
    interval: 5s
    minSamples: 50
  scaleDownDelay: 30s
"""

SHARED_CSV = """\
id,amount,hour,risk,region,label
r001,12.50,0,0.10,eu,false
r002,250.00,1,0.85,us,true
r003,3.99,2,0.05,apac,false
r004,89.10,3,0.40,eu,false
r005,1200.00,4,0.95,us,true
r006,45.00,5,0.20,apac,false
r007,7.25,6,0.15,eu,false
r008,640.00,7,0.90,apac,true
r009,19.99,8,0.12,us,false
r010,310.40,9,0.70,eu,true
r011,55.55,10,0.33,us,false
r012,980.00,11,0.88,apac,true
r013,2.00,12,0.02,eu,false
r014,150.00,13,0.60,us,true
r015,33.30,14,0.25,apac,false
r016,75.00,15,0.45,eu,false
r017,820.00,16,0.92,us,true
r018,11.11,17,0.08,apac,false
r019,260.00,18,0.66,eu,true
r020,5.00,19,0.04,us,false
r021,99.00,20,0.35,apac,false
r022,430.00,21,0.81,eu,true
r023,21.00,22,0.18,us,false
r024,700.00,23,0.87,apac,true
"""


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir", help="directory to write (created; must be empty)")
    ap.add_argument("--count", type=int, default=10000,
                    help="number of manifests in total (default 10000)")
    ap.add_argument("--per-dir", type=int, default=500,
                    help="at most this many files per directory (default 500; 0: flat)")
    args = ap.parse_args(argv)
    if args.count < 1:
        ap.error("--count must be at least 1")
    if args.per_dir < 0:
        ap.error("--per-dir must be 0 or more")

    out = args.outdir
    if os.path.exists(out):
        if not os.path.isdir(out) or os.listdir(out):
            ap.error(f"{out}: exists and is not an empty directory")
    os.makedirs(out, exist_ok=True)

    made_dirs = set()

    def write(kind_dir, stem, i, text):
        if args.per_dir:
            d = os.path.join(out, kind_dir, f"{i // args.per_dir:03d}")
        else:
            d = os.path.join(out, kind_dir)
        if d not in made_dirs:
            os.makedirs(d, exist_ok=True)
            made_dirs.add(d)
        with open(os.path.join(d, f"{stem}{i}.yaml"), "w", encoding="utf-8", newline="\n") as f:
            f.write(text)

    groups, rest = divmod(args.count, 5)
    written = 0
    for i in range(groups):
        write("contracts", "c", i, CONTRACT.format(i=i))
        write("datasets", "d", i, DATASET.format(i=i))
        write("models", "m", i, (MODEL_HEAD + MODEL_SLOS + MODEL_TAIL).format(i=i))
        write("slos", "s", i, SLO.format(i=i))
        write("rollouts", "p", i, ROLLOUT.format(i=i))
        written += 5
    if rest:
        # A partial group: only kinds whose references resolve without the others.
        i = groups
        partial = [
            ("contracts", "c", CONTRACT),
            ("datasets", "d", DATASET),
            ("rollouts", "p", ROLLOUT),
            ("models", "m", MODEL_HEAD + MODEL_TAIL),
        ][:rest]
        for kind_dir, stem, template in partial:
            write(kind_dir, stem, i, template.format(i=i))
            written += 1

    os.makedirs(os.path.join(out, "data"), exist_ok=True)
    with open(os.path.join(out, "data", "shared.csv"), "w", encoding="utf-8", newline="\n") as f:
        f.write(SHARED_CSV)

    print(f"{out}: {written} manifests in {groups + (1 if rest else 0)} groups", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
