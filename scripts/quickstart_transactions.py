"""How the quickstart's card transactions arise, and how their label does.

One implementation, used by two scripts:

  * scripts/generate-quickstart-data.py draws examples/quickstart/data/transactions.csv
    (2,400 transactions from a fixed seed: the training data);
  * scripts/demo's clients draw live transactions the same way, send their features to
    the gateway, and later send the label as feedback (they know the truth: it is drawn
    with the row).

Standard library only. Only rng.random() is used (the samplers below are written out, so
changes to the standard library's distributions cannot alter the data), and draw() calls
it in a fixed order: the same generator state gives the same transaction everywhere.

The label comes from a logistic model of the features: large amounts, night hours, risky
merchants and young accounts raise the odds of fraud. Region has only a mild effect
(slightly different spending habits and base rates), so a model that does not see region
flags the three regions at similar rates.
"""

import math
from typing import NamedTuple

REGIONS = [("eu", 0.34), ("us", 0.33), ("apac", 0.33)]
# Mild regional differences: typical spend (log scale) and base fraud odds.
REGION_LOG_AMOUNT = {"eu": 3.74, "us": 3.77, "apac": 3.75}
REGION_LOGIT = {"eu": 0.00, "us": 0.10, "apac": -0.05}
AMOUNT_SIGMA = 0.6      # spread of log(amount): median about 42, a long right tail

# Relative frequency of transactions per hour of the day (quiet at night).
HOUR_WEIGHTS = [
    2, 1, 1, 1, 1, 2, 3, 5, 7, 8, 9, 9,
    10, 10, 9, 9, 9, 10, 10, 9, 8, 6, 4, 3,
]

# Logistic model of fraud: P(fraud) = sigmoid(fraud_logit(...)). Strong on
# purpose, so that a linear model flags most fraud at threshold 0.5 (F1 well
# above 0.70) with about 11.5% of rows fraudulent.
INTERCEPT = -12.2
W_AMOUNT = 10.0         # per 100 of amount
W_NIGHT = 3.0           # hours 0..5
W_MERCHANT = 14.0       # per unit of merchant_risk
W_AGE = 4.0             # per year of account age (older accounts: less fraud)


class Transaction(NamedTuple):
    """One drawn transaction: the model's four features, the region, and the truth."""
    region: str
    amount: float             # two decimals
    hour: int                 # 0..23
    merchant_risk: float      # three decimals
    account_age_days: int
    is_fraud: bool


def normal(rng):
    """Standard normal variate (Box-Muller, one value per call)."""
    u1 = rng.random()
    u2 = rng.random()
    return math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)


def exponential(rng, mean):
    return -mean * math.log(1.0 - rng.random())


def weighted(rng, items, weights):
    total = sum(weights)
    x = rng.random() * total
    acc = 0.0
    for item, w in zip(items, weights):
        acc += w
        if x < acc:
            return item
    return items[-1]


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def fraud_logit(amount, hour, merchant_risk, account_age_days, region):
    return (INTERCEPT
            + REGION_LOGIT[region]
            + W_AMOUNT * amount / 100.0
            + W_NIGHT * (1.0 if hour <= 5 else 0.0)
            + W_MERCHANT * merchant_risk
            - W_AGE * account_age_days / 365.0)


def draw(rng):
    """Draws one transaction and its label from `rng` (a random.Random)."""
    regions = [r for r, _ in REGIONS]
    region = weighted(rng, regions, [w for _, w in REGIONS])
    log_amount = REGION_LOG_AMOUNT[region] + AMOUNT_SIGMA * normal(rng)
    amount = round(math.exp(log_amount), 2)
    hour = weighted(rng, list(range(24)), HOUR_WEIGHTS)
    # Logit-normal merchant risk: most merchants are low risk, a few high.
    merchant_risk = round(sigmoid(-1.0 + 1.1 * normal(rng)), 3)
    account_age_days = int(exponential(rng, 420.0))
    z = fraud_logit(amount, hour, merchant_risk, account_age_days, region)
    is_fraud = rng.random() < sigmoid(z)
    return Transaction(region, amount, hour, merchant_risk, account_age_days, is_fraud)
