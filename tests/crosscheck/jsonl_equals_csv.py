#!/usr/bin/env python3
"""JSON Lines gives what CSV gives, for every command.

1. Every CLI golden case that succeeds and reads its data from tests/data CSV
   files is run again with each of those files converted to JSON Lines (one
   object per row; a field that is a JSON number is written as that number,
   exactly as in the CSV, an empty field as null, anything else as a JSON
   string), and its standard output must be byte for byte the case's.
2. The authors' Task-2 log (shen2025, when present) is read by Python's json
   module; `vagap describe` must report the same columns, counts and, for the
   numeric ones, the same mean/sd/min/median/max to 1e-12 (relative).

Usage: jsonl_equals_csv.py VAGAP SOURCE_DIR SHARED_DATASETS TMP
"""
import csv
import json
import math
import os
import re
import statistics
import subprocess
import sys

JSON_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?\Z")


class NotConvertible(Exception):
    """A CSV-only case: ragged rows or text that is not UTF-8 have no JSON Lines twin."""


def convert(src, dst, delim):
    try:
        with open(src, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f, delimiter=delim))
    except UnicodeDecodeError:
        raise NotConvertible(src)
    header = rows[0]
    if any(row and len(row) != len(header) for row in rows[1:]):
        raise NotConvertible(src)
    with open(dst, "w", encoding="utf-8") as out:
        for row in rows[1:]:
            if not row or all(not v.strip(" \t") for v in row) and len(row) == 1:
                out.write("\n")  # a blank line stays a blank line
                continue
            parts = []
            for key, value in zip(header, row):
                if value == "":
                    text = "null"
                elif JSON_NUMBER.match(value):
                    text = value
                else:
                    text = json.dumps(value, ensure_ascii=False)
                parts.append(json.dumps(key, ensure_ascii=False) + ": " + text)
            out.write("{" + ", ".join(parts) + "}\n")


def case_args(path, data, shared, tmp):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [a.replace("@DATA@", data).replace("@SHARED@", shared).replace("@TMP@", tmp) for a in lines]


def golden_cases(vagap, src, shared, tmp):
    cases = os.path.join(src, "tests", "cli", "cases")
    data = os.path.join(src, "tests", "data")
    compared = failed = 0
    for name in sorted(os.listdir(cases)):
        d = os.path.join(cases, name)
        if not os.path.isfile(os.path.join(d, "stdout")) or os.path.exists(os.path.join(d, "stdin")):
            continue
        exit_file = os.path.join(d, "exit")
        if os.path.exists(exit_file) and open(exit_file).read().strip() != "0":
            continue
        args = case_args(os.path.join(d, "args"), data, shared, tmp)
        csvs = [a for a in args if a.startswith(data + "/") and a.endswith(".csv")]
        if not csvs or any(a.startswith(data) and os.path.isdir(a) for a in args):
            continue
        if "--encoding" in args or "--decimal-comma" in args:
            continue  # options about CSV text: JSON Lines is UTF-8 with JSON numbers
        delim = ","
        if "--delim" in args:
            value = args[args.index("--delim") + 1]
            words = {"tab": "\t", "\\t": "\t", "semicolon": ";", "comma": ",", "pipe": "|"}
            delim = words.get(value.lower(), value)
        new_args = []
        try:
            for a in args:
                if a in csvs:
                    dst = os.path.join(tmp, name + "-" + os.path.basename(a)[:-4] + ".jsonl")
                    convert(a, dst, delim)
                    a = dst
                new_args.append(a)
        except NotConvertible:
            continue
        run = subprocess.run([vagap] + new_args, capture_output=True)
        expected = open(os.path.join(d, "stdout"), "rb").read()
        compared += 1
        if run.returncode != 0 or run.stdout != expected:
            failed += 1
            print("FAIL %s: exit %d; stderr: %s" % (name, run.returncode, run.stderr.decode()[:300]))
    return compared, failed


def median(xs):
    return statistics.median(xs)


def shen_log(vagap, shared):
    path = os.path.join(shared, "shen2025", "outputs", "evaluation", "eval_log_20250628_154645.jsonl")
    if not os.path.exists(path):
        print("shen2025 log absent: part 2 skipped")
        return 0
    rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    keys = []
    for r in rows:
        for k in r:
            if k not in keys:
                keys.append(k)
    run = subprocess.run([vagap, "describe", "--quiet", "--digits", "17", path], capture_output=True, text=True)
    if run.returncode != 0:
        print("FAIL describe on the shen2025 log: " + run.stderr)
        return 1
    out = list(csv.DictReader(run.stdout.splitlines()))
    failed = 0
    if [o["column"] for o in out] != keys:
        print("FAIL columns %s != %s" % ([o["column"] for o in out], keys))
        return 1
    for o in out:
        values = [r.get(o["column"]) for r in rows]
        present = [v for v in values if v is not None]
        if int(o["n"]) != len(present) or int(o["missing"]) != len(values) - len(present):
            print("FAIL %s: n %s missing %s" % (o["column"], o["n"], o["missing"]))
            failed += 1
        if o["type"] != "numeric":
            continue
        xs = [float(v) for v in present]
        ref = {"mean": statistics.fmean(xs), "sd": statistics.stdev(xs), "min": min(xs),
               "median": median(xs), "max": max(xs)}
        for stat, want in ref.items():
            got = float(o[stat])
            if not math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-12):
                print("FAIL %s %s: vagap %r, Python %r" % (o["column"], stat, got, want))
                failed += 1
    print("shen2025 log: %d rows, columns %s" % (len(rows), ", ".join(keys)))
    return failed


def main():
    vagap, src, shared, tmp = sys.argv[1:5]
    compared, failed = golden_cases(vagap, src, shared, tmp)
    print("golden cases rerun on JSON Lines: %d, differing: %d" % (compared, failed))
    if compared < 20:
        print("FAIL: too few cases compared")
        failed += 1
    failed += shen_log(vagap, shared)
    sys.exit(1 if failed else 0)


main()
