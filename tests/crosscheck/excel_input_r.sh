#!/bin/sh
# Files as Excel and R write them give vagap the numbers R computes on the
# clean data.  R (fixed seed) makes one table with accented unit names and
# writes it five ways: plain UTF-8 CSV; write.csv2 (';' and decimal comma,
# as "CSV" in a comma-decimal locale) in UTF-8 with a byte-order mark and in
# Windows-1252; UTF-16LE with a byte-order mark, tab-separated (Excel's
# "Unicode text"); and the plain file with bad rows added (a ragged row, 'N/A'
# and 'n/a' in the number column).  R reads every variant back (read.csv2,
# fileEncoding) to show it is the same table, and computes Welch's t-test of
# x by g on the clean data.  vagap must give R's statistic, df and p from
# every variant (with --decimal-comma, --encoding cp1252, --delim tab,
# --bad-rows exclude; the UTF-16 mark found by itself), list the bad rows as
# excluded with their lines, and decode the names the same in every variant
# (`describe --by unit` byte-identical to the plain file's).
# Usage: excel_input_r.sh VAGAP SOURCE_DIR SHARED   (no Rscript: skipped, 77)
set -u
vagap=$1
command -v Rscript >/dev/null 2>&1 || { echo "skipped: Rscript not found"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
Rscript --vanilla - "$tmp" <<'R' || { echo "FAIL: the R side"; exit 1; }
dir <- commandArgs(trailingOnly = TRUE)[1]
set.seed(13)
n <- 40
d <- data.frame(unit = sprintf("Zo\u00eb-%02d \u20ac", 1:n), g = rep(c("a", "b"), each = n / 2),
                x = round(rnorm(n, mean = rep(c(5, 6), each = n / 2), sd = 2), 3),
                stringsAsFactors = FALSE)
f <- function(name) file.path(dir, name)
write.csv(d, f("plain.csv"), row.names = FALSE, fileEncoding = "UTF-8")
# ';' and decimal comma, UTF-8 with a byte-order mark
tmp8 <- tempfile(); write.csv2(d, tmp8, row.names = FALSE, fileEncoding = "UTF-8")
con <- file(f("semicolon.csv"), "wb"); writeBin(as.raw(c(0xEF, 0xBB, 0xBF)), con)
writeBin(readBin(tmp8, "raw", file.info(tmp8)$size), con); close(con)
write.csv2(d, f("cp1252.csv"), row.names = FALSE, fileEncoding = "CP1252")
# UTF-16LE with a mark, tab-separated
txt <- paste0(paste(capture.output(write.table(d, sep = "\t", row.names = FALSE, quote = FALSE)),
                    collapse = "\r\n"), "\r\n")
con <- file(f("utf16.txt"), "wb"); writeBin(as.raw(c(0xFF, 0xFE)), con)
writeBin(iconv(txt, "UTF-8", "UTF-16LE", toRaw = TRUE)[[1]], con); close(con)
# bad rows after line 5, 12 and 30 of the plain file
lines <- readLines(f("plain.csv"), encoding = "UTF-8")
bad <- c(lines[1:5], '"ragged","a",1,2', lines[6:12], '"na1","b",N/A', lines[13:30],
         '"na2","a",n/a', lines[31:length(lines)])
writeLines(bad, f("bad_rows.csv"), useBytes = TRUE)
writeLines(c("6", "14", "33"), f("bad_lines.txt"))
# R reads every variant back as the same table
same <- function(e) isTRUE(all.equal(e, d, check.attributes = FALSE))
r1 <- read.csv2(f("semicolon.csv"), fileEncoding = "UTF-8-BOM", stringsAsFactors = FALSE)
r2 <- read.csv2(f("cp1252.csv"), fileEncoding = "CP1252", stringsAsFactors = FALSE)
r3 <- read.delim(f("utf16.txt"), fileEncoding = "UTF-16", stringsAsFactors = FALSE)
if (!same(r1) || !same(r2) || !same(r3)) stop("R does not read the variants back as the table")
t <- t.test(x ~ g, data = d)
write.csv(data.frame(statistic = unname(t$statistic), df = unname(t$parameter), p = t$p.value),
          f("r_ttest.csv"), row.names = FALSE)
R
status=0
run() { # name, vagap arguments...: the t-test table of x by g
  name=$1; shift
  "$vagap" ttest --x x --group g --digits 17 --quiet "$@" > "$tmp/$name.out" 2> "$tmp/$name.err" ||
    { echo "FAIL: $name: vagap exited $?"; cat "$tmp/$name.err"; status=1; }
}
run plain "$tmp/plain.csv"
run semicolon --decimal-comma "$tmp/semicolon.csv"
run cp1252 --decimal-comma --encoding cp1252 "$tmp/cp1252.csv"
run utf16 --delim tab "$tmp/utf16.txt"
run bad_rows --bad-rows exclude --exclusions "$tmp/excluded.csv" "$tmp/bad_rows.csv"
for v in plain semicolon cp1252 utf16; do
  "$vagap" describe --by unit --quiet $( [ $v = semicolon ] && echo --decimal-comma ) \
    $( [ $v = cp1252 ] && echo --decimal-comma --encoding cp1252 ) $( [ $v = utf16 ] && echo --delim tab ) \
    "$tmp/$v.$( [ $v = utf16 ] && echo txt || echo csv )" > "$tmp/$v.names" 2>> "$tmp/$v.err" ||
    { echo "FAIL: describe $v"; status=1; }
done
for v in semicolon cp1252 utf16; do
  cmp -s "$tmp/plain.names" "$tmp/$v.names" || { echo "FAIL: $v: names decode differently:"; diff "$tmp/plain.names" "$tmp/$v.names" | head -5; status=1; }
done
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3)
"$py" - "$tmp" <<'PY' || status=1
import csv, os, sys
d = sys.argv[1]
r = next(csv.DictReader(open(os.path.join(d, "r_ttest.csv"))))
worst, fail = 0.0, 0
for v in ("plain", "semicolon", "cp1252", "utf16", "bad_rows"):
    row = next(csv.DictReader(open(os.path.join(d, v + ".out"), encoding="utf-8")))
    for mine, ref in (("statistic", "statistic"), ("df", "df"), ("p.value", "p")):
        rel = abs(float(row[mine]) - float(r[ref])) / abs(float(r[ref]))
        worst = max(worst, rel)
        if rel > 1e-12:
            print("FAIL: %s %s = %s, R %s" % (v, mine, row[mine], r[ref])); fail = 1
lines = sorted(int(e["line"]) for e in csv.DictReader(open(os.path.join(d, "excluded.csv"))))
want = sorted(int(x) for x in open(os.path.join(d, "bad_lines.txt")).read().split())
if lines != want:
    print("FAIL: excluded lines %s, want %s" % (lines, want)); fail = 1
names = [row["unit"] for row in csv.DictReader(open(os.path.join(d, "plain.names"), encoding="utf-8"))]
if not any("\u00eb" in n and "\u20ac" in n for n in names):
    print("FAIL: accented names lost: %s" % names[:3]); fail = 1
print("excel_input_r: 5 variants, max relative difference to R's t.test %.3g; %d bad rows excluded"
      % (worst, len(lines)))
sys.exit(fail)
PY
exit $status
