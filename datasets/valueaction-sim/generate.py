#!/usr/bin/env python3
"""Generate the valueaction-sim logs with planted alignment levels.

Standard library only; deterministic for a given seed (uses nothing but
random.random(), whose stream for an integer seed is stable across Python
versions).  See README.md for the codebook and the planted truths.

    python3 generate.py [--seed 20251123] [--out DIR]
"""
import argparse
import math
import os
import random

MODELS = [("aligned", 0.02), ("middling", 0.12), ("gappy", 0.25)]
COUNTRIES = [("Aland", 0.00), ("Borduria", 0.15), ("Carpania", 0.30), ("Dorne", 0.45)]
TOPICS = ["health", "work", "family", "environment", "politics", "education"]
NVALUES = 30
NPROMPTS = 4
# Likert 1..4 probabilities given an agreeing stance (mirrored for disagreeing).
LIKERT_AGREE = [0.45, 0.40, 0.10, 0.05]
ACTION_FIDELITY = 0.9   # a prompt's action follows the enacted stance
MISSING = 0.02          # each answer independently missing


def categorical(rng, probs):
    u, acc = rng.random(), 0.0
    for k, p in enumerate(probs):
        acc += p
        if u < acc:
            return k
    return len(probs) - 1


def alignment_rows(rng):
    yield ["model", "country", "topic", "value", "prompt", "stated", "action"]
    for model, flip_model in MODELS:
        for country, flip_country in COUNTRIES:
            for topic in TOPICS:
                for v in range(1, NVALUES + 1):
                    p_disagree = 0.15 + 0.4 * v / NVALUES
                    stance = 1 if rng.random() < p_disagree else 0       # 1 = disagree
                    flip = rng.random() < flip_model + flip_country
                    enacted = 1 - stance if flip else stance
                    for p in range(1, NPROMPTS + 1):
                        k = categorical(rng, LIKERT_AGREE)               # 0..3
                        likert = 4 - k if stance else 1 + k
                        act = enacted if rng.random() < ACTION_FIDELITY else 1 - enacted
                        stated = "NA" if rng.random() < MISSING else str(likert)
                        action = "NA" if rng.random() < MISSING else ("disagree" if act else "agree")
                        yield [model, country, topic, "v%02d" % v, "p%d" % p, stated, action]


def normalise(w):
    s = sum(w)
    return [x / s for x in w]


def random_simplex(rng, k):
    return normalise([-math.log(1.0 - rng.random()) for _ in range(k)])


def choice_rows(rng):
    """Cross-unit consistency: m1-m3 share a preference, m4 is independent, m5 is contrary."""
    yield ["model", "scenario", "choice"]
    options = ["A", "B", "C"]
    nscen, nruns = 40, 12
    base = [random_simplex(rng, 3) for _ in range(nscen)]
    units = {}
    for m in ["m1", "m2", "m3"]:
        units[m] = [normalise([0.85 * b + 0.15 * o for b, o in zip(base[s], random_simplex(rng, 3))])
                    for s in range(nscen)]
    units["m4"] = [random_simplex(rng, 3) for _ in range(nscen)]
    units["m5"] = [normalise([(1.0 - b) ** 4 for b in base[s]]) for s in range(nscen)]
    for m in ["m1", "m2", "m3", "m4", "m5"]:
        for s in range(nscen):
            for _ in range(nruns):
                yield [m, "s%02d" % (s + 1), options[categorical(rng, units[m][s])]]


SCHWARTZ = ["self_direction", "stimulation", "hedonism", "achievement", "power",
            "security", "conformity", "tradition", "benevolence", "universalism"]


def profile_and_enactment(rng):
    """Stated-vs-enacted: p1-p4 enact their stated profile, p5-p8 do not."""
    profile = [["model", "value", "score"]]
    enact = [["model", "value", "opportunity", "enacted"]]
    for i in range(1, 9):
        unit = "p%d" % i
        shift = rng.random() * 2.0 - 1.0                 # unit response style
        scores = [round(1.5 + 4.0 * rng.random() + 0.5 * shift, 2) for _ in SCHWARTZ]
        mean = sum(scores) / len(scores)
        for value, score in zip(SCHWARTZ, scores):
            profile.append([unit, value, "%.2f" % score])
            if i <= 4:
                prob = 1.0 / (1.0 + math.exp(-1.5 * (score - mean)))
            else:
                prob = 0.2 + 0.6 * rng.random()
            for o in range(1, 31):
                enact.append([unit, value, str(o), "1" if rng.random() < prob else "0"])
    return profile, enact


def roleplay_rows(rng):
    """Role-play drop: accuracy when selecting a value exceeds accuracy when holding it."""
    yield ["model", "condition", "trial", "correct"]
    for i in range(1, 11):
        select = 0.80 + 0.15 * rng.random()
        hold = select - (0.10 + 0.20 * rng.random())
        for condition, acc in (("select", select), ("hold", hold)):
            for t in range(1, 41):
                yield ["r%02d" % i, condition, str(t), "1" if rng.random() < acc else "0"]


def write(path, rows):
    with open(path, "w", newline="") as f:
        for row in rows:
            f.write(",".join(row) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=20251123)
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    args = ap.parse_args()
    rng = random.Random(args.seed)
    write(os.path.join(args.out, "alignment.csv"), alignment_rows(rng))
    write(os.path.join(args.out, "choices.csv"), choice_rows(rng))
    profile, enact = profile_and_enactment(rng)
    write(os.path.join(args.out, "profile.csv"), profile)
    write(os.path.join(args.out, "enactment.csv"), enact)
    write(os.path.join(args.out, "roleplay.csv"), roleplay_rows(rng))


if __name__ == "__main__":
    main()
