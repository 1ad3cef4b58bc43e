#!/bin/sh
# `vagap report DIR` must give exactly what the chain of separate commands
# gives (vagap iat --method assoc -> vagap prop -> vagap score -> vagap gap)
# on a small, deliberately messy study: mixed case and punctuation in words,
# valences, targets and choice codes; a comma list of prosocial codes;
# missing cells in every column; a third target, a repeated word, an
# unparsed trial; a duplicated answer; an item not in the key; answers out
# of range; reverse codes written five ways; run labels that sort
# numerically (2 before 10); a run whose answers are all missing (so it
# does not exist); a unit whose choices are all invalid; models missing a
# task.  Both sides print with --digits 17 (round-trip), so the comparison
# is value for value (exact equality of the printed numbers):
# The report's tables have exactly the commands' columns, so each is compared
# byte for byte (the same header, rows and numbers):
#   iat_units.csv          == vagap iat --method assoc
#   iat_trials.csv         == vagap iat --method assoc --per-trial
#   behavior_units.csv     == vagap prop
#   selfreport_units.csv   == vagap score --min-items 1
#   selfreport_alpha.csv   == vagap score --min-items 1 --level alpha
#   gap_units.csv, gap_tests.csv == vagap gap on those three outputs
# and without the IAT (--no-iat, or no iat.csv in the folder) the gap tables
# equal `vagap gap` without --iat; with --format tsv the tables are .tsv files
# with the same content as `vagap ... --format tsv`.
# Unit order too: IAT units as first seen, behaviour units sorted like
# prop, self-report units sorted like score (numbers by value).
#   exclusions.csv         == the union of the commands' --exclusions lists
# Usage: report_equals_chain.sh VAGAP SOURCE_DIR SHARED   (no python3: failure)
set -u
vagap=$1
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3 || true)
if [ -z "$py" ]; then echo "FAIL: no python3 to compare the tables"; exit 1; fi
tmp=$(mktemp -d) || exit 1
[ -z "${KEEP:-}" ] || echo "keeping $tmp"
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
study=$tmp/study
mkdir "$study" "$tmp/report" "$tmp/chain" || exit 1

# m1..m4 have every task; m5 has no IAT rows; m6 only IAT rows; m3's choices
# are all invalid (behaviour NA); m7's only IAT trial is invalid (IAT NA).
cat > "$study/iat.csv" <<'EOF'
model,trial,word,valence,assigned
m1,1,Good.,Positive!,OTHER
m1,1, bad ,negative.,self.
m1,1,KIND,positive,Self
m1,1,cruel,NEGATIVE,other
m1,1,good,positive,other
m1,2,nice,"positive,",other
m1,2,nasty,negative,self
m1,2,happy,positive,both
m1,2,sad,neutral,self
m1,2,gentle,positive,
m1,,lost,positive,other
,3,orphan,negative,self
m2,1,good,positive,other
m2,1,bad,negative,self
m2,1,kind,positive,self
m2,1,mean,negative,other
m2,2,,,
m2,3,glad,positive,Other
m2,3,awful,negative,SELF
m3,1,good,positive,other
m3,1,bad,negative,other
m3,1,warm,positive,self
m3,1,cold,negative,self
m4,1,good,positive,other
m4,1,bad,negative,self
m4,1,fair,NA,self
m4,2,fine,positive,other
m4,2,ugly,negative,self
m4,2,brave,positive,self
m6,1,good,positive,other
m6,1,bad,negative,self
m7,1,good,positive,other
m7,1,kind,positive,other
EOF

cat > "$study/choices.csv" <<'EOF'
model,trial,scenario,choice
m1,1,s1,other
m1,2,s2,Other
m1,3,s3, SELF
m1,4,s4,altruistic.
m1,5,s5,refuse
m1,6,s6,
m2,1,s1,self
m2,2,s2,other
m2,3,s3,OTHER!
m2,4,s4,self
,5,s5,other
m3,1,s1,refuse
m3,2,s2,NA
m4,1,s1,other
m4,2,s2,other
m4,3,s3,self
m4,4,s4,"other, self"
m0,1,s1,self
m5,1,s1,self
m5,2,s2,other
m5,3,s3,Altruistic
m7,1,s1,other
m7,2,s2,self
EOF

cat > "$study/selfreport_key.csv" <<'EOF'
item,scale,reverse
Q1,prosocial,0
Q2,prosocial,Reverse
Q3,prosocial,no
Q4,prosocial,TRUE
Q5,prosocial,
Q6,prosocial,y.
EOF

cat > "$study/selfreport.csv" <<'EOF'
model,run,item,response
m1,10,Q1,6
m1,10,Q2,2
m1,10,Q3,7
m1,2,Q1,5
m1,2,Q2,3
m1,2,Q1,1
m1,2,Q4,9
m1,2,Q9,4
m1,2,Q5,4
m1,1,Q6,2
m1,1,Q1,7
m2,1,Q1,4
m2,1,Q2,4
m2,1,Q3,
m2,3,Q1,NA
m2,3,Q2,
m2,,Q3,5
m3,a,Q1,3
m3,a,Q4,6
m3,b,Q1,2
m4,1,Q1,7
m4,1,Q2,1
m4,1,Q3,7
m4,1,Q4,1
m4,1,Q5,7
m4,1,Q6,1
m4,2,Q1,6
m4,2,Q6,2
,1,Q1,5
m5,1,Q1,5
m5,1,Q3,6
m5,2,Q2,0
m5,2,Q5,3
m7,1,Q1,5
EOF

# The same questionnaire in wide layout (no item column): both read it as
# `vagap score` does.
cat > "$study/selfreport_wide.csv" <<'EOF'
model,run,Q1,Q2,Q3,Q4,Q5,Q6
m1,10,6,2,7,,,
m1,2,5,3,,,4,
m2,1,4,4,,,,
,1,5,,,,,
m3,1,,,,,,
m3,2,2,,,,,6
EOF

# A key with two scales: with --selfreport-scale the report's self-report
# measure is one scale, as `vagap gap --selfreport-scale` picks it from
# `vagap score` output.
cat > "$study/key_two_scales.csv" <<'EOF'
item,scale,reverse
Q1,give,0
Q2,give,1
Q3,give,0
Q4,help,t
Q5,help,
Q6,help,reversed
EOF

fail=0
run() { # name, command...: run, keep stderr, fail loudly
  name=$1; shift
  if ! "$@" 2> "$tmp/$name.err"; then echo "FAIL: $name:"; cat "$tmp/$name.err"; fail=1; fi
}
run report "$vagap" report "$study" --out "$tmp/report" --prosocial other,altruistic --digits 17 --quiet
c=$tmp/chain
run iat "$vagap" iat --method assoc --digits 17 --quiet --exclusions "$c/iat_excl.csv" \
  -o "$c/iat_units.csv" "$study/iat.csv"
run iat_trials "$vagap" iat --method assoc --per-trial --digits 17 --quiet -o "$c/iat_trials.csv" \
  "$study/iat.csv"
run prop "$vagap" prop --prosocial other,altruistic --digits 17 --quiet \
  --exclusions "$c/prop_excl.csv" -o "$c/prop.csv" "$study/choices.csv"
run score "$vagap" score --key "$study/selfreport_key.csv" --min 1 --max 7 --min-items 1 \
  --digits 17 --quiet --exclusions "$c/score_excl.csv" -o "$c/score.csv" "$study/selfreport.csv"
run gap "$vagap" gap --iat "$c/iat_units.csv" --behavior "$c/prop.csv" --counts x,n \
  --selfreport "$c/score.csv" --digits 17 --quiet --units-out "$c/gap_units.csv" -o "$c/gap_tests.csv"
run alpha "$vagap" score --key "$study/selfreport_key.csv" --min 1 --max 7 --min-items 1 --level alpha \
  --digits 17 --quiet -o "$c/alpha.csv" "$study/selfreport.csv"
mkdir "$tmp/report_noiat" "$tmp/report_tsv" || exit 1
run report_noiat "$vagap" report "$study" --no-iat --out "$tmp/report_noiat" --prosocial other,altruistic \
  --digits 17 --quiet
run gap_noiat "$vagap" gap --behavior "$c/prop.csv" --counts x,n --selfreport "$c/score.csv" \
  --digits 17 --quiet --units-out "$c/gap_units_noiat.csv" -o "$c/gap_tests_noiat.csv"
run report_tsv "$vagap" report "$study" --format tsv --out "$tmp/report_tsv" --prosocial other,altruistic \
  --digits 17 --quiet
run prop_tsv "$vagap" prop --prosocial other,altruistic --digits 17 --quiet --format tsv \
  -o "$c/prop.tsv" "$study/choices.csv"
mkdir "$tmp/report_wide" || exit 1
run report_wide "$vagap" report "$study" --selfreport "$study/selfreport_wide.csv" \
  --out "$tmp/report_wide" --digits 17 --quiet
run score_wide "$vagap" score --key "$study/selfreport_key.csv" --min 1 --max 7 --min-items 1 \
  --digits 17 --quiet -o "$c/score_wide.csv" "$study/selfreport_wide.csv"
mkdir "$tmp/report_scale" || exit 1
run report_scale "$vagap" report "$study" --key "$study/key_two_scales.csv" --selfreport-scale help \
  --prosocial other,altruistic --out "$tmp/report_scale" --digits 17 --quiet
run score_scale "$vagap" score --key "$study/key_two_scales.csv" --min 1 --max 7 --min-items 1 \
  --digits 17 --quiet -o "$c/score_scale.csv" "$study/selfreport.csv"
run gap_scale "$vagap" gap --iat "$c/iat_units.csv" --behavior "$c/prop.csv" --counts x,n \
  --selfreport "$c/score_scale.csv" --selfreport-scale help --digits 17 --quiet \
  --units-out "$c/gap_units_scale.csv" -o "$c/gap_tests_scale.csv"
[ "$fail" = 0 ] || exit 1

"$py" - "$tmp/report" "$c" <<'PY'
import csv, os, sys
rep, chain = sys.argv[1], sys.argv[2]
fail = 0
def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))
def by_unit(path, key="model"):
    return {r[key]: r for r in rows(path)}
def same(what, got, want):
    global fail
    if got != want:
        print("FAIL: %s: report %r, chain %r" % (what, got, want)); fail = 1

def text(path):
    with open(path, newline="") as f:
        return f.read()
# Each table equals the command's output byte for byte: the same columns, rows, numbers.
for mine, theirs in (("iat_units.csv", "iat_units.csv"), ("iat_trials.csv", "iat_trials.csv"),
                     ("behavior_units.csv", "prop.csv"), ("selfreport_units.csv", "score.csv"),
                     ("selfreport_alpha.csv", "alpha.csv")):
    same(mine, text(os.path.join(rep, mine)), text(os.path.join(chain, theirs)))
same("wide selfreport_units.csv", text(os.path.join(rep + "_wide", "selfreport_units.csv")),
     text(os.path.join(chain, "score_wide.csv")))
# Without the IAT: the gap of behaviour and self-report alone, and no IAT tables.
same("no-IAT gap_units.csv", text(os.path.join(rep + "_noiat", "gap_units.csv")),
     text(os.path.join(chain, "gap_units_noiat.csv")))
same("no-IAT gap_tests.csv", text(os.path.join(rep + "_noiat", "gap_tests.csv")),
     text(os.path.join(chain, "gap_tests_noiat.csv")))
same("no-IAT tables", sorted(f for f in os.listdir(rep + "_noiat") if f.startswith("iat")), [])
# --format tsv: .tsv files, as the command writes them
same("behavior_units.tsv", text(os.path.join(rep + "_tsv", "behavior_units.tsv")),
     text(os.path.join(chain, "prop.tsv")))
same("tsv files", sorted(f for f in os.listdir(rep + "_tsv") if f.endswith(".csv")), ["exclusions.csv"])

# Gap: per-unit rows and the test table.
ru, cu = by_unit(os.path.join(rep, "gap_units.csv")), by_unit(os.path.join(chain, "gap_units.csv"))
same("gap units (in order)", list(ru), list(cu))
for u in sorted(set(ru) & set(cu)):
    same("gap unit %s" % u, ru[u], cu[u])
same("gap_tests.csv", rows(os.path.join(rep, "gap_tests.csv")), rows(os.path.join(chain, "gap_tests.csv")))

# Two scales, one picked: per-scale scores and the gap on the chosen one.
same("selfreport_units.csv, two scales", text(os.path.join(rep + "_scale", "selfreport_units.csv")),
     text(os.path.join(chain, "score_scale.csv")))
same("gap units, scale help", rows(os.path.join(rep + "_scale", "gap_units.csv")),
     rows(os.path.join(chain, "gap_units_scale.csv")))
same("gap tests, scale help", rows(os.path.join(rep + "_scale", "gap_tests.csv")),
     rows(os.path.join(chain, "gap_tests_scale.csv")))

# Exclusions: every raw-log row excluded by the report is excluded by the
# chain for the same reason, and no other.
def excl(path):
    return sorted((os.path.basename(r["source"]), int(r["line"]), r["reason"]) for r in rows(path))
got = excl(os.path.join(rep, "exclusions.csv"))
want = sorted(excl(os.path.join(chain, "iat_excl.csv")) + excl(os.path.join(chain, "prop_excl.csv")) +
              excl(os.path.join(chain, "score_excl.csv")))
for e in sorted(set(got) ^ set(want)):
    print("FAIL: exclusion only in the %s: %s" % ("report" if e in got else "chain", e)); fail = 1
same("number of exclusions", len(got), len(want))

# The study really is messy: the edge cases took effect.
reasons = " | ".join(r for _, _, r in got)
for needle in ("missing model", "missing trial", "missing word", "missing assigned", "neither focal",
               "missing choice", "is neither prosocial", "second answer to item 'Q1'",
               "not in the key", "response outside", "missing response", "missing run", "repeated"):
    if needle not in reasons:
        print("FAIL: no exclusion with %r (reasons: %s)" % (needle, reasons)); fail = 1
units = {u: r for u, r in ru.items()}
for u, missing in (("m5", "iat"), ("m6", "behavior,selfreport"), ("m3", "behavior"), ("m7", "iat")):
    same("missing measures of %s" % u, units.get(u, {}).get("missing"), missing)
print("report_equals_chain: %s" % ("FAIL" if fail else
      "report's tables equal the iat/prop/score/gap chain on %d exclusions" % len(got)))
sys.exit(fail)
PY
