#!/usr/bin/python3
"""Bring the released Shen, Clark & Mitra (2025) Task-2 files into tables vagap reads.

Usage: convert.py DATA_DIR OUT_DIR

DATA_DIR is the authors' release (outputs/data_release/*.zip and
outputs/evaluation/eval_log_*.jsonl).  Writes to OUT_DIR (standard library only):
  task2_items.csv  country,topic,value,polarity: the released action table, its rows in
                   the file's order (the row position is what the log's "index" means;
                   the table's own unnamed index column is not that position)
  task2_log.csv    index,model_choice,prompt_index: one row per line of the Task-2 log,
                   model_choice written as JSON writes it (true/false)

Nothing is decided here: every row is written, and vagap applies the authors' rules.
The Task-1 files (<model>_t1.csv) need no conversion; vagap reads them as released.
Once vagap reads JSON Lines, the log needs no conversion either (see run.sh).
"""
import csv
import glob
import io
import json
import os
import sys
import zipfile


def write_items(zip_path, out_path):
    with zipfile.ZipFile(zip_path) as z:
        names = [n for n in z.namelist() if n.endswith(".csv") and not n.startswith("__MACOSX/")]
        if len(names) != 1:
            sys.exit("convert.py: %s: expected one CSV, found %s" % (zip_path, names))
        with z.open(names[0]) as raw, open(out_path, "w", newline="", encoding="utf-8") as out:
            reader = csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", newline=""))
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(["country", "topic", "value", "polarity"])
            n = 0
            for row in reader:
                writer.writerow([row["country"], row["topic"], row["value"], row["polarity"]])
                n += 1
    return n


def write_log(log_path, out_path):
    n = 0
    with open(log_path, encoding="utf-8") as f, open(out_path, "w", newline="",
                                                       encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["index", "model_choice", "prompt_index"])
        for lineno, line in enumerate(f, 1):
            try:
                entry = json.loads(line)
                choice = entry["model_choice"]
                row = [entry["index"], json.dumps(choice) if isinstance(choice, bool) else choice,
                       entry.get("prompt_index", "")]
            except (ValueError, KeyError, TypeError) as e:
                sys.exit("convert.py: %s:%d: %s" % (log_path, lineno, e))
            writer.writerow(row)
            n += 1
    return n


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    data, out = sys.argv[1], sys.argv[2]
    zips = glob.glob(os.path.join(data, "outputs", "data_release", "*.zip"))
    logs = glob.glob(os.path.join(data, "outputs", "evaluation", "eval_log_*.jsonl"))
    if len(zips) != 1 or len(logs) != 1:
        sys.exit("convert.py: %s: expected one release zip and one Task-2 log" % data)
    os.makedirs(out, exist_ok=True)
    n_items = write_items(zips[0], os.path.join(out, "task2_items.csv"))
    n_log = write_log(logs[0], os.path.join(out, "task2_log.csv"))
    print("convert.py: %d action-table rows, %d log entries -> %s" % (n_items, n_log, out),
          file=sys.stderr)


if __name__ == "__main__":
    main()
