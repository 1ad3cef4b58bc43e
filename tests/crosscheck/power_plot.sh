#!/bin/sh
# `vagap power --plot` writes a well-formed standalone SVG (parsed by Python's
# XML parser) with one solid curve per design, a dashed analytic curve where
# there is one (paired-gap), one marker per condition whose tooltip carries the
# table's power and converged count, and no external references; the plot of
# a --merge of two parts equals the plot of the single run.
# Skipped (77) without python3.
set -u
vagap=$1
command -v python3 > /dev/null || { echo "skipped: python3 is not installed"; exit 77; }
dir=$(mktemp -d) && trap 'rm -rf "$dir"' EXIT
p() { "$vagap" power --analysis paired-gap --dz 0.2,0.5 --n 10,20,40 --seed 3 --quiet "$@"; }
p --replications 200 --plot "$dir/one.svg" > "$dir/one.csv" || exit 1
p --replications 1:80 > "$dir/a.csv" && p --replications 81:200 > "$dir/b.csv" || exit 1
"$vagap" power --merge --quiet --plot "$dir/merged.svg" "$dir/a.csv" "$dir/b.csv" > /dev/null || exit 1
status=0
cmp -s "$dir/one.svg" "$dir/merged.svg" || { echo "FAIL: the merged plot differs"; status=1; }
python3 - "$dir/one.svg" "$dir/one.csv" <<'PY' || status=1
import csv, sys, xml.etree.ElementTree as ET
ns = {"s": "http://www.w3.org/2000/svg"}
root = ET.parse(sys.argv[1]).getroot()
rows = list(csv.DictReader(open(sys.argv[2])))
lines = root.findall(".//s:polyline", ns)
solid = [l for l in lines if "stroke-dasharray" not in l.attrib]
dashed = [l for l in lines if "stroke-dasharray" in l.attrib]
circles = root.findall(".//s:circle", ns)
bad = []
if len(solid) != 2 or len(dashed) != 2: bad.append("expected 2 solid and 2 dashed curves, found %d and %d" % (len(solid), len(dashed)))
if len(circles) != len(rows): bad.append("%d markers for %d conditions" % (len(circles), len(rows)))
for c, r in zip(circles, rows):
    t = c.find("s:title", ns).text
    if "power %.3f" % float(r["power"]) not in t or "%s converged" % r["converged"] not in t:
        bad.append("tooltip '%s' does not match condition %s" % (t, r["condition"]))
text = open(sys.argv[1]).read()
if "href" in text or "<script" in text: bad.append("external reference or script")
for b in bad: print("FAIL:", b)
print("plot: %d curves, %d dashed, %d markers, well-formed" % (len(solid), len(dashed), len(circles)))
sys.exit(1 if bad else 0)
PY
exit $status
