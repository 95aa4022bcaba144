"""Writes data/churn.csv: synthetic customers, deterministic (seeded), for the
python-trainer example. Run from this directory: python3 data/generate.py"""
import csv
import math
import random

rng = random.Random(20261121)
with open("data/churn.csv", "w", newline="") as out:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["customer_id", "tenure_months", "monthly_charges", "support_calls", "churned"])
    for index in range(1, 801):
        tenure = rng.randint(1, 72)
        charges = round(rng.uniform(15, 120), 2)
        calls = min(10, int(rng.expovariate(0.6)))
        score = -1.2 - 0.05 * tenure + 0.02 * charges + 0.45 * calls + rng.gauss(0, 0.8)
        churned = "true" if 1 / (1 + math.exp(-score)) > 0.5 else "false"
        writer.writerow([f"c-{index:04d}", tenure, charges, calls, churned])
