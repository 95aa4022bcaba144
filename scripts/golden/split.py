# Sextant's reference train/holdout split; must match Sources/SextantML/Training/Split.swift. ⌈h·count⌉ is exact: Fraction(str(h)).
import math, re; from fractions import Fraction; NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
def splitmix64(s):
    while True:
        s = (s + 0x9E3779B97F4A7C15) % 2**64; z = (s ^ (s >> 30)) * 0xBF58476D1CE4E5B9 % 2**64
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB % 2**64; yield z ^ (z >> 31)
def class_order(labels):  # numbers by value when every label is a number, else by text (false before true)
    return sorted(labels, key=lambda l: (float(l), l)) if all(NUMBER.fullmatch(l) for l in labels) else sorted(labels)
def split(n, holdout, seed, labels=None):  # -> (train rows, holdout rows), each ascending
    g, h, train, held = splitmix64(seed), Fraction(str(holdout)), [], []
    for rows in ([[r for r in range(n) if labels[r] == c] for c in class_order(set(labels))] if labels is not None else [list(range(n))]):
        for i in range(len(rows) - 1, 0, -1): j = next(g) % (i + 1); rows[i], rows[j] = rows[j], rows[i]
        k = min(len(rows), math.ceil(h * len(rows))); held += rows[:k]; train += rows[k:]
    return sorted(train), sorted(held)
if __name__ == "__main__": print(*(f"seed {s}: {[v for v, _ in zip(splitmix64(s), range(10))]}" for s in (42, 0)), sep="\n")
