#!/bin/sh
# calibration.svg renders in a browser: `vagap report` on datasets/walktalk-sim,
# then headless Chromium (Debian package `chromium`) takes a 900x700 screenshot.
# Asserts that the SVG parses as XML with an <svg> root, that Chromium writes
# a PNG of the window size, and that the picture is not blank (a blank page
# compresses to a few kB; the plot is tens of kB).  Skipped (77) where
# chromium or /usr/bin/python3 is absent.  The visual check itself is
# documented in examples/andric2025/README.md.
# Usage: report_svg_render.sh VAGAP SOURCE_DIR SHARED
set -u
vagap=$1 src=$2
py=/usr/bin/python3
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then echo "skipped: chromium is not installed"; exit 77; fi
if [ ! -x "$py" ]; then echo "skipped: $py is absent"; exit 77; fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
"$vagap" report "$src/datasets/walktalk-sim" --out "$tmp/out" --quiet || { echo "FAIL: vagap report"; exit 1; }
HOME="$tmp" timeout 120 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --user-data-dir="$tmp/profile" --screenshot="$tmp/plot.png" --window-size=900,700 \
  --disable-background-networking --disable-component-update --no-first-run \
  "file://$tmp/out/calibration.svg" > "$tmp/log" 2>&1
if [ ! -s "$tmp/plot.png" ]; then echo "FAIL: chromium wrote no screenshot"; tail -5 "$tmp/log"; exit 1; fi
"$py" - "$tmp/out/calibration.svg" "$tmp/plot.png" <<'PY'
import os, struct, sys
import xml.etree.ElementTree as ET
svg, png = sys.argv[1:3]
root = ET.parse(svg).getroot()
ns = "{http://www.w3.org/2000/svg}"
fail = 0
if root.tag != ns + "svg":
    print("FAIL: root element is", root.tag); fail = 1
points = root.findall(".//%scircle/%stitle/.." % (ns, ns))
data = open(png, "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    print("FAIL: not a PNG"); sys.exit(1)
width, height = struct.unpack(">II", data[16:24])
size = os.path.getsize(png)
print("svg: %d unit points; png: %dx%d, %d bytes" % (len(points), width, height, size))
if len(points) != 24:
    print("FAIL: expected 24 plotted units"); fail = 1
if (width, height) != (900, 700):
    print("FAIL: screenshot is not 900x700"); fail = 1
if size < 20000:
    print("FAIL: the screenshot looks blank"); fail = 1
sys.exit(fail)
PY
