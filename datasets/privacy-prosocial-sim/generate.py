#!/usr/bin/env python3
"""Generate the privacy-prosocial-sim questionnaire study with planted path signs.

Standard library only and deterministic for a given seed: it draws nothing but
random.random() (whose stream for an integer seed is stable across Python 3
versions) and makes normal deviates itself (Box-Muller), so the file does not
depend on the library's gauss() implementation.  See README.md for the
codebook and the planted truths.

    python3 generate.py [--seed 20260523] [--out DIR]   (writes survey.csv and planted.csv)

Model (per group g, latent variables standardised):
    privacy, prosocial ~ N(mu_g, [[1, R], [R, 1]])
    AoDS = B_PRIV[g] * privacy + B_PRO[g] * prosocial + zeta,  var(zeta) chosen so var(AoDS) = 1
    item = tau_item + lambda_item * factor + eps,  eps ~ N(0, RESID_SD^2)
    response = clamp(round(4 + 1.25 * item), 1, 7)          (a 7-point Likert item)
"""
import argparse
import math
import os
import random

SEED = 20260523
R = 0.20                 # privacy-prosocial correlation, every group
RESID_SD = 0.6           # item residual SD
MISSING = 0.01           # each LLM answer independently missing (a refusal)

# (group, n, b_privacy, b_prosocial, latent means (privacy, prosocial, AoDS intercept))
GROUPS = [
    ("human", 450, -0.40, 0.35, (0.0, 0.0, 0.0)),
    ("llm_a", 400, -0.45, 0.40, (0.3, 0.4, -0.2)),    # aligned with humans
    ("llm_b", 350, 0.40, 0.35, (-0.2, 0.5, 0.1)),     # privacy path reversed
    ("llm_c", 500, -0.35, -0.40, (0.1, 0.3, 0.0)),    # prosocial path reversed
    ("llm_d", 300, 0.40, -0.40, (0.0, -0.3, 0.2)),    # both paths reversed
    ("llm_e", 400, 0.00, 0.45, (0.4, 0.2, -0.1)),     # privacy path absent
    ("llm_f", 350, -0.40, 0.00, (0.2, 0.6, 0.0)),     # prosocial path absent
]

# Scalar non-invariance planted on purpose (loadings stay equal): these items
# are answered higher/lower by one model group at the same latent level, so the
# scalar model of an invariance sequence fits worse than the metric one.
INTERCEPT_SHIFT = {("llm_c", "ds2"): 0.8, ("llm_d", "pc3"): -0.7}

# (item, factor, loading, intercept); the first item of each factor is its marker.
ITEMS = [
    ("pc1", "privacy", 0.90, 0.00), ("pc2", "privacy", 0.80, 0.10),
    ("pc3", "privacy", 0.75, -0.10), ("pc4", "privacy", 0.70, 0.05),
    ("ps1", "prosocial", 0.85, 0.20), ("ps2", "prosocial", 0.80, 0.00),
    ("ps3", "prosocial", 0.70, 0.10),
    ("ds1", "AoDS", 0.90, -0.10), ("ds2", "AoDS", 0.80, 0.00), ("ds3", "AoDS", 0.75, 0.10),
]


def normal(rng):
    """One standard normal deviate by Box-Muller from two uniforms."""
    u1 = rng.random()
    while u1 <= 0.0:
        u1 = rng.random()
    u2 = rng.random()
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def likert(y):
    return min(7, max(1, int(math.floor(4.0 + 1.25 * y + 0.5))))


def respondent(rng, group, b_priv, b_pro, means):
    z1, z2 = normal(rng), normal(rng)
    privacy = means[0] + z1
    prosocial = means[1] + R * z1 + math.sqrt(1.0 - R * R) * z2
    explained = b_priv ** 2 + b_pro ** 2 + 2.0 * b_priv * b_pro * R
    aods = (means[2] + b_priv * (privacy - means[0]) + b_pro * (prosocial - means[1])
            + math.sqrt(1.0 - explained) * normal(rng))
    eta = {"privacy": privacy, "prosocial": prosocial, "AoDS": aods}
    row = []
    for item, factor, loading, intercept in ITEMS:
        shift = INTERCEPT_SHIFT.get((group, item), 0.0)
        y = intercept + shift + loading * eta[factor] + RESID_SD * normal(rng)
        missing = group != "human" and rng.random() < MISSING
        row.append("NA" if missing else str(likert(y)))
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    args = ap.parse_args()
    rng = random.Random(args.seed)
    path = os.path.join(args.out, "survey.csv")
    with open(path, "w", newline="") as f:
        f.write(",".join(["id", "group"] + [it[0] for it in ITEMS]) + "\n")
        rid = 0
        for group, n, b_priv, b_pro, means in GROUPS:
            for _ in range(n):
                rid += 1
                row = respondent(rng, group, b_priv, b_pro, means)
                f.write(",".join([str(rid), group] + row) + "\n")
    # the truth to recover: structural coefficients in the standardised latent metric
    with open(os.path.join(args.out, "planted.csv"), "w", newline="") as f:
        f.write("group,lhs,op,rhs,planted\n")
        for group, _, b_priv, b_pro, _ in GROUPS:
            f.write("%s,AoDS,~,privacy,%.2f\n" % (group, b_priv))
            f.write("%s,AoDS,~,prosocial,%.2f\n" % (group, b_pro))


if __name__ == "__main__":
    main()
