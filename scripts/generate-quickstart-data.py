#!/usr/bin/env python3
"""Generate the quickstart's synthetic card-transaction data set.

Usage:
    python3 scripts/generate-quickstart-data.py [OUTPUT]

OUTPUT defaults to examples/quickstart/data/transactions.csv under the
repository root (found from this file's location).

Standard library only. The output is byte-identical on every run: a fixed
seed drives random.Random, only its random() method is used (the samplers
in quickstart_transactions.py are written out, so changes to the standard
library's distributions cannot alter the data), numbers are printed with fixed formats and lines end
in "\\n".

Columns (see examples/quickstart/contracts/transactions.odcs.yaml):
    transaction_id    string, unique: tx-000001 ...
    amount            number >= 0, two decimals, log-normal
    hour              integer 0..23, local hour of the transaction
    merchant_risk     number in [0, 1], three decimals
    account_age_days  integer >= 0
    region            eu | us | apac (the sensitive attribute of the fairness gate)
    is_fraud          true | false

How a transaction and its label arise (a logistic model of the features; region has
only a mild effect) is scripts/quickstart_transactions.py, which scripts/demo's clients
use too, to send live transactions and then their labels.
"""

import os
import random
import sys

from quickstart_transactions import draw

# The seed was chosen (scripts/check-quickstart-signal.py) so that the
# fairness gate passes with a margin on Sextant's own holdout. With about 55
# flagged transactions in a 480-row holdout, the demographic parity ratio
# over three regions is noisy: another seed can fail it by chance alone.
SEED = 1916
ROWS = 2400


def generate(rng):
    rows = []
    for i in range(1, ROWS + 1):
        t = draw(rng)
        rows.append((
            "tx-%06d" % i,
            "%.2f" % t.amount,
            "%d" % t.hour,
            "%.3f" % t.merchant_risk,
            "%d" % t.account_age_days,
            t.region,
            "true" if t.is_fraud else "false",
        ))
    return rows


def main(argv):
    if len(argv) > 2:
        sys.stderr.write("usage: generate-quickstart-data.py [OUTPUT]\n")
        return 2
    if len(argv) == 2:
        out = argv[1]
    else:
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        out = os.path.join(root, "examples", "quickstart", "data", "transactions.csv")
    rows = generate(random.Random(SEED))
    header = ("transaction_id", "amount", "hour", "merchant_risk",
              "account_age_days", "region", "is_fraud")
    text = "".join(",".join(r) + "\n" for r in [header] + rows)
    parent = os.path.dirname(out)
    if parent:
        os.makedirs(parent, exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    frauds = sum(1 for r in rows if r[-1] == "true")
    sys.stderr.write("wrote %s: %d rows, %d fraud (%.1f%%)\n"
                     % (out, len(rows), frauds, 100.0 * frauds / len(rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
