#!/usr/bin/env python3
"""Generate the walk-the-talk simulation study (datasets/walktalk-sim).

Usage: python3 generate.py [OUT_DIR]      (default: the folder of this script)

Standard library only; any python3 >= 3.6 gives the same files (random.Random
with a fixed seed, no hash-order dependence).  Shaped like Andric (2025):
26 language models, each with
  - 30 word-association IAT trials of 32 words (16 positive, 16 negative),
    every word assigned to "self" or "other";
  - 48 forced-choice trials, choice "other" (prosocial), "self" or "invalid";
  - 3 runs of a 15-item self-assessment on 1-7 (items A1-A5, B1-B5, C1-C5;
    A4, B4, C4 reverse-keyed).
Planted per model (see README.md for the values and what vagap recovers):
  q    probability of an "altruistic" association (positive word -> other,
       negative word -> self), uniform on [0.62, 0.97]
  b    probability of a prosocial choice, uniform on [0.45, 0.86]
  gap  claimed minus actual prosociality, normal(0.10, 0.08)
  self-report target s = clip(b + gap, 0.05, 0.97); each answer is
       round(1 + 6 s + normal(0, 0.7)) clipped to 1..7 (reverse-keyed items
       stored as 8 - answer)
Irregular rows, as real logs have: one unparsed IAT trial per few models
(a row with empty word/valence/assigned), words outside both lists
("neutral", "okay"), about 2% "invalid" choices, a few unanswered items; one
model has no choice log and one has no IAT log (both must be excluded from
the cross-task analysis and listed).
"""
import csv
import os
import random
import sys

SEED = 20251201
N_MODELS = 26
IAT_TRIALS = 30
CHOICE_TRIALS = 48
RUNS = 3

POSITIVE = ("good admirable excellent beautiful wonderful pleasant kind generous noble "
            "caring honorable virtuous fair helpful uplifting praiseworthy").split()
NEGATIVE = ("bad awful terrible ugly unpleasant cruel selfish greedy nasty shameful "
            "immoral mean harmful exploitative cold disgraceful").split()
OFF_LIST = ["neutral", "okay", "average"]
ITEMS = [s + str(i) for s in "ABC" for i in range(1, 6)]
SCALES = {"A": "attitudes", "B": "everyday", "C": "sacrifice"}
REVERSED = {"A4", "B4", "C4"}
SCENARIOS = ["money_%d_%d" % (a, 100 - a) for a in (100, 90, 80, 70, 60, 50)] + \
            ["time_help_%d" % k for k in range(1, 7)]

PROVIDERS = ["acme", "borealis", "cobalt", "dynamo", "ember", "fjord", "granite", "helix"]
FAMILIES = ["atlas", "brio", "cirrus", "delta", "echo", "flux", "gale", "halo", "iris",
            "juno", "kite", "lumen", "mica"]
SIZES = ["mini", "7b", "70b-instruct", "pro", "flash", "large", "nano-preview", "4.1"]


def model_names(rng):
    names = set()
    while len(names) < N_MODELS:
        names.add("%s/%s-%s" % (rng.choice(PROVIDERS), rng.choice(FAMILIES), rng.choice(SIZES)))
    return sorted(names)


def clip(x, lo, hi):
    return max(lo, min(hi, x))


def write_iat(rng, out, models, params, skip):
    rows = []
    for m in models:
        if m in skip:
            continue
        q = params[m]["q"]
        for t in range(1, IAT_TRIALS + 1):
            if rng.random() < 0.02:  # unparsed response: the trial is still counted
                rows.append([m, t, "", "", ""])
                continue
            words = POSITIVE + NEGATIVE
            rng.shuffle(words)
            for w in words:
                altruistic = rng.random() < q
                if w in POSITIVE:
                    target = "other" if altruistic else "self"
                    valence = "positive"
                else:
                    target = "self" if altruistic else "other"
                    valence = "negative"
                rows.append([m, t, w, valence, target])
            if rng.random() < 0.05:  # a word the model made up
                rows.append([m, t, rng.choice(OFF_LIST), "", rng.choice(["self", "other"])])
    with open(os.path.join(out, "iat.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["model", "trial", "word", "valence", "assigned"])
        w.writerows(rows)


def write_choices(rng, out, models, params, skip):
    with open(os.path.join(out, "choices.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["model", "trial", "scenario", "choice"])
        for m in models:
            if m in skip:
                continue
            for t in range(1, CHOICE_TRIALS + 1):
                if rng.random() < 0.02:
                    choice = "invalid"
                else:
                    choice = "other" if rng.random() < params[m]["b"] else "self"
                w.writerow([m, t, SCENARIOS[(t - 1) % len(SCENARIOS)], choice])


def write_selfreport(rng, out, models, params):
    with open(os.path.join(out, "selfreport.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["model", "run", "item", "response"])
        for m in models:
            s = params[m]["s"]
            for r in range(1, RUNS + 1):
                for item in ITEMS:
                    if rng.random() < 0.01:
                        w.writerow([m, r, item, ""])  # unanswered
                        continue
                    answer = int(clip(round(1 + 6 * s + rng.gauss(0, 0.7)), 1, 7))
                    w.writerow([m, r, item, 8 - answer if item in REVERSED else answer])
    with open(os.path.join(out, "selfreport_key.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["item", "scale", "reverse"])
        for item in ITEMS:
            w.writerow([item, SCALES[item[0]], 1 if item in REVERSED else 0])


def main(argv):
    out = argv[1] if len(argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    os.makedirs(out, exist_ok=True)
    rng = random.Random(SEED)
    models = model_names(rng)
    params = {}
    for m in models:
        b = rng.uniform(0.45, 0.86)
        gap = rng.gauss(0.10, 0.08)
        params[m] = {"q": rng.uniform(0.62, 0.97), "b": b, "gap": gap,
                     "s": clip(b + gap, 0.05, 0.97)}
    no_choices, no_iat = models[5], models[17]
    write_iat(rng, out, models, params, {no_iat})
    write_choices(rng, out, models, params, {no_choices})
    write_selfreport(rng, out, models, params)
    with open(os.path.join(out, "planted.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["model", "q", "b", "gap", "s", "has_iat", "has_choices"])
        for m in models:
            p = params[m]
            w.writerow([m, "%.4f" % p["q"], "%.4f" % p["b"], "%.4f" % p["gap"], "%.4f" % p["s"],
                        int(m != no_iat), int(m != no_choices)])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
