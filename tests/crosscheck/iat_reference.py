#!/usr/bin/python3
"""Independent reference for `vagap iat` (standard library only, no vagap code).

Written from the definitions (METHODS.md sections 1-2; Greenwald, Nosek &
Banaji 2003, Table 4) the slow, literal way: every latency is kept in lists,
error latencies are replaced one by one, means and SDs come from the
statistics module (exact rational arithmetic), halves are re-scored from
their own lists.  It shares no algorithm with the streaming library code
(which works on running moments).

  iat_reference.py generate-dscore OUT.csv SEED
  iat_reference.py generate-assoc OUT.csv SEED
  iat_reference.py check-dscore DATA.csv VAGAP_OUT.csv VAGAP_TEST.csv VARIANT SD_AFTER
  iat_reference.py check-assoc DATA.csv VAGAP_UNITS.csv VAGAP_TRIALS.csv SMOOTHING RULE
Exit 0 when everything agrees to 1e-12 (relative to max(1, |value|)), 1 otherwise.
"""
import csv
import math
import random
import statistics
import sys

TOL = 1e-12
BLOCKS = ("3", "4", "6", "7")  # practice/test compatible, practice/test incompatible


# ---- D-score ------------------------------------------------------------------------

def generate_dscore(path, seed):
    rng = random.Random(seed)
    rows = []
    for s in range(60):
        subject = "s%03d" % s
        fast_subject = s % 17 == 5       # many trials under 300 ms
        missing_b7 = s % 23 == 7         # no block 7 at all: D undefined
        effect = rng.gauss(80, 60)
        for block in ("1", "2", "3", "4", "5", "6", "7"):
            if missing_b7 and block == "7":
                continue
            ntrials = 20 if block in ("3", "6") else (40 if block in ("4", "7") else 10)
            if s % 13 == 3 and block == "4":
                ntrials = 1              # a tiny block
            for t in range(ntrials):
                base = 700 + (effect if block in ("6", "7") else 0)
                lat = rng.lognormvariate(math.log(base), 0.3)
                u = rng.random()
                if u < 0.02:
                    lat = rng.uniform(10001, 20000)      # too slow
                elif u < 0.06 or (fast_subject and u < 0.3):
                    lat = rng.uniform(100, 420)          # fast, some under 300
                lat = round(lat, rng.choice((0, 0, 1, 3)))
                error = 1 if rng.random() < 0.1 else 0
                if s % 19 == 11 and block == "3" and t > 0:
                    error = 1                            # almost all errors in B3
                rows.append((subject, block, t + 1, lat, error))
    # Interleave a few subjects' rows: order within a subject and block is kept.
    head, tail = rows[: len(rows) // 2], rows[len(rows) // 2:]
    rng.shuffle(tail)
    tail.sort(key=lambda r: (r[0], int(r[1])))  # stable: keeps the trial order
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["subject", "block", "trial", "latency", "error"])
        for r in head + tail:
            w.writerow([r[0], r[1], r[2], repr(r[3]) if isinstance(r[3], float) else r[3], r[4]])


def block_values(trials, variant, penalty, sd_after):
    """(block mean, values for the pooled SD) after error treatment, or None."""
    if not trials:
        return None
    recorded = [lat for lat, err in trials]
    if variant in ("D1", "D2"):
        return statistics.mean(recorded), recorded
    correct = [lat for lat, err in trials if not err]
    if any(err for lat, err in trials):
        if variant in ("D3", "D5"):
            if len(correct) < 2:
                return None
            replacement = statistics.mean(correct) + 2 * statistics.stdev(correct)
        else:
            if len(correct) < 1:
                return None
            replacement = statistics.mean(correct) + penalty
        treated = [replacement if err else lat for lat, err in trials]
    else:
        treated = recorded
    return statistics.mean(treated), (treated if sd_after else recorded)


def pair_d(blocks, compatible, incompatible, variant, sd_after):
    a = block_values(blocks[compatible], variant, 600.0, sd_after)
    b = block_values(blocks[incompatible], variant, 600.0, sd_after)
    if a is None or b is None:
        return math.nan
    pooled = a[1] + b[1]
    if len(pooled) < 2:
        return math.nan
    sd = statistics.stdev(pooled)
    if sd == 0:
        return math.nan
    return (b[0] - a[0]) / sd


def d_of(blocks, variant, sd_after):
    p = pair_d(blocks, "3", "6", variant, sd_after)
    t = pair_d(blocks, "4", "7", variant, sd_after)
    return (p + t) / 2, p, t


def reference_dscore(path, variant, sd_after):
    drop_fast = variant in ("D2", "D5", "D6")
    subjects = {}
    for row in csv.DictReader(open(path)):
        if row["block"] not in BLOCKS:
            continue
        s = subjects.setdefault(row["subject"], {"kept": {b: [] for b in BLOCKS},
                                                  "n": 0, "slow": 0, "fast": 0, "under300": 0})
        lat, err = float(row["latency"]), int(row["error"])
        s["n"] += 1
        if lat > 10000:
            s["slow"] += 1
            continue
        if lat < 300:
            s["under300"] += 1
        if drop_fast and lat < 400:
            s["fast"] += 1
            continue
        s["kept"][row["block"]].append((lat, err))
    out = {}
    for name, s in subjects.items():
        blocks = s["kept"]
        d, p, t = d_of(blocks, variant, sd_after)
        odd = {b: v[0::2] for b, v in blocks.items()}
        even = {b: v[1::2] for b, v in blocks.items()}
        d_odd = d_of(odd, variant, sd_after)[0]
        d_even = d_of(even, variant, sd_after)[0]
        not_slow = s["n"] - s["slow"]
        share = s["under300"] / not_slow if not_slow else math.nan
        if not_slow and share > 0.10:
            d = p = t = d_odd = d_even = math.nan
        used = [e for v in blocks.values() for _, e in v]
        out[name] = {"D": d, "D_practice": p, "D_test": t, "D_odd": d_odd, "D_even": d_even,
                     "n_trials": s["n"], "n_slow": s["slow"], "n_fast": s["fast"],
                     "n_used": len(used), "n_errors": sum(used),
                     "error_rate": sum(used) / len(used) if used else math.nan,
                     "fast_share": share}
    return out


def num(text):
    return math.nan if text in ("NA", "") else float(text)


def agree(a, b):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= TOL * max(1.0, abs(a))


def pearson(x, y):
    mx, my = statistics.mean(x), statistics.mean(y)
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    return sxy / math.sqrt(sxx * syy)


class Checker:
    def __init__(self, label):
        self.label, self.failures, self.compared, self.worst = label, 0, 0, 0.0

    def check(self, what, got, want):
        self.compared += 1
        if not (math.isnan(got) or math.isnan(want)):
            self.worst = max(self.worst, abs(got - want))
        if not agree(got, want):
            self.failures += 1
            if self.failures <= 10:
                print("FAIL %s %s: vagap %r, reference %r" % (self.label, what, got, want))

    def done(self):
        print("%s: %d values compared, max |diff| %.3g, %d failures"
              % (self.label, self.compared, self.worst, self.failures))
        return 1 if self.failures else 0


def check_dscore(data, vagap_out, vagap_test, variant, sd_after):
    ref = reference_dscore(data, variant, sd_after == "1")
    c = Checker("%s sd_after=%s" % (variant, sd_after))
    got = {row["subject"]: row for row in csv.DictReader(open(vagap_out))}
    if set(got) != set(ref):
        print("FAIL subjects differ"); return 1
    for name, want in ref.items():
        row = got[name]
        if row["variant"] != variant:
            print("FAIL variant column", row["variant"]); return 1
        for key, value in want.items():
            c.check("%s %s" % (name, key), num(row[key]), float(value))
        flagged = want["fast_share"] > 0.10
        c.check("%s flagged" % name, 1.0 if row["flagged_fast"] == "TRUE" else 0.0, 1.0 if flagged else 0.0)
    # Group table: t-test of D and split-half reliability.
    ds = [v["D"] for v in ref.values() if not math.isnan(v["D"])]
    pairs = [(v["D_odd"], v["D_even"]) for v in ref.values()
             if not math.isnan(v["D_odd"]) and not math.isnan(v["D_even"])]
    r = pearson([p[0] for p in pairs], [p[1] for p in pairs])
    mean, sd = statistics.mean(ds), statistics.stdev(ds)
    tests = {row["term"]: row for row in csv.DictReader(open(vagap_test))}
    c.check("t estimate", num(tests["D"]["estimate"]), mean)
    c.check("t statistic", num(tests["D"]["statistic"]), mean / (sd / math.sqrt(len(ds))))
    c.check("t df", num(tests["D"]["df"]), len(ds) - 1)
    c.check("t n", num(tests["D"]["n"]), len(ds))
    c.check("split-half r", num(tests["split-half r"]["estimate"]), r)
    c.check("Spearman-Brown", num(tests["Spearman-Brown"]["estimate"]), 2 * r / (1 + r))
    c.check("reliability n", num(tests["Spearman-Brown"]["n"]), len(pairs))
    try:  # the p-value needs a t distribution: scipy where Debian has it
        from scipy import stats
        p = stats.ttest_1samp(ds, 0.0).pvalue
        c.check("t p.value", num(tests["D"]["p.value"]), p)
    except ImportError:
        print("note: scipy absent, p-value not compared")
    return c.done()


# ---- association-count IAT --------------------------------------------------------------

POSITIVE = ["good", "kind", "fair", "noble", "caring", "helpful"]
NEGATIVE = ["bad", "cruel", "mean", "cold", "greedy", "selfish"]


def generate_assoc(path, seed):
    rng = random.Random(seed)
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["model", "trial", "word", "valence", "assigned"])
        for m in range(12):
            bias = rng.uniform(0.2, 0.95)
            for t in range(1, 16):
                words = rng.sample(POSITIVE + NEGATIVE, rng.randint(0, 12))
                if m % 5 == 2 and t % 4 == 0:       # only negative words: one side empty
                    words = [x for x in words if x in NEGATIVE]
                for word in words:
                    positive = word in POSITIVE
                    assigned = "other" if (rng.random() < bias) == positive else "self"
                    if rng.random() < 0.05:
                        assigned = "both"
                    w.writerow(["m%02d" % m, t, word, "positive" if positive else "negative", assigned])
                    if rng.random() < 0.05:         # repeated word, maybe another target
                        w.writerow(["m%02d" % m, t, word, "positive" if positive else "negative",
                                    rng.choice(["self", "other"])])
                if rng.random() < 0.3:
                    w.writerow(["m%02d" % m, t, "unlisted", "", "self"])
                if not words:
                    w.writerow(["m%02d" % m, t, "", "", ""])


def reference_assoc(path, s, rule):
    trials = {}
    for row in csv.DictReader(open(path)):
        key = (row["model"], row["trial"])
        k = trials.setdefault(key, {"a": 0, "b": 0, "c": 0, "d": 0, "seen": set()})
        word = row["word"].strip().lower()
        if not word or row["valence"] not in ("positive", "negative"):
            continue
        if word in k["seen"]:
            continue
        k["seen"].add(word)
        if row["assigned"] not in ("self", "other"):
            continue
        letter = {("self", "negative"): "a", ("self", "positive"): "b",
                  ("other", "negative"): "c", ("other", "positive"): "d"}[(row["assigned"], row["valence"])]
        k[letter] += 1
    scores = {}
    for key, k in trials.items():
        a, b, c, d = k["a"], k["b"], k["c"], k["d"]
        if rule == "invalid" and (c + d == 0 or a + b == 0):
            score = math.nan
        elif rule == "zero" and a + b + c + d == 0:
            score = 0.0
        elif c + d + s == 0 or a + b + s == 0:
            score = math.nan
        else:
            score = d / (c + d + s) + a / (a + b + s) - 1
        scores[key] = score
    return scores


def check_assoc(data, units_out, trials_out, smoothing, rule):
    s = float(smoothing)
    ref = reference_assoc(data, s, rule)
    c = Checker("assoc s=%s %s" % (smoothing, rule))
    for row in csv.DictReader(open(trials_out)):
        c.check("trial %s/%s" % (row["model"], row["trial"]), num(row["score"]),
                ref[(row["model"], row["trial"])])
    units = {row["model"]: row for row in csv.DictReader(open(units_out))}
    models = sorted({m for m, _ in ref})
    if sorted(units) != models:
        print("FAIL units differ"); return 1
    for m in models:
        valid = [v for (mm, _), v in ref.items() if mm == m and not math.isnan(v)]
        invalid = sum(1 for (mm, _), v in ref.items() if mm == m and math.isnan(v))
        row = units[m]
        c.check(m + " score", num(row["score"]), statistics.mean(valid) if valid else math.nan)
        c.check(m + " sd", num(row["sd"]), statistics.stdev(valid) if len(valid) > 1 else math.nan)
        c.check(m + " sd_pop", num(row["sd_pop"]), statistics.pstdev(valid) if valid else math.nan)
        c.check(m + " n_valid", num(row["n_valid"]), len(valid))
        c.check(m + " n_invalid", num(row["n_invalid"]), invalid)
    return c.done()


def main(argv):
    cmd = argv[1]
    if cmd == "generate-dscore":
        generate_dscore(argv[2], int(argv[3]))
        return 0
    if cmd == "generate-assoc":
        generate_assoc(argv[2], int(argv[3]))
        return 0
    if cmd == "check-dscore":
        return check_dscore(*argv[2:7])
    if cmd == "check-assoc":
        return check_assoc(*argv[2:7])
    print("unknown command", cmd)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
