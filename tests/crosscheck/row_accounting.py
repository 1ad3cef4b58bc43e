"""Row accounting audit over the CLI golden cases (see row_accounting.sh)."""
import atexit, csv, gzip, os, re, shutil, subprocess, sys, tempfile

vagap, src = sys.argv[1], sys.argv[2]
data = os.path.join(src, "tests", "data")
cases_dir = os.path.join(src, "tests", "cli", "cases")
shared = os.path.join(src, "..", "shared", "datasets")
READ = re.compile(r"read (\d+) rows, used (\d+), excluded (\d+)")


def records(path):
    """Data records of a CSV file as vagap counts them: rows after the header, blank lines included."""
    with open(path, newline="", encoding="utf-8", errors="replace") as f:
        rows = list(csv.reader(f))
    while rows and not rows[0]:
        rows.pop(0)  # blank lines before the header are not rows
    while rows and not rows[-1]:
        rows.pop()  # nor is the end of the file
    return len(rows) - 1


failures, audited = [], 0
for name in sorted(os.listdir(cases_dir)):
    case = os.path.join(cases_dir, name)
    exit_file = os.path.join(case, "exit")
    if not os.path.isfile(os.path.join(case, "args")):
        continue
    if os.path.isfile(exit_file) and open(exit_file).read().strip() != "0":
        continue
    args = [a.replace("@DATA@", data).replace("@SHARED@", shared)
            for a in open(os.path.join(case, "args")).read().splitlines()]
    if os.path.isfile(os.path.join(case, "skip_without_shared")) and not os.path.isdir(shared):
        print(f"skipped {name}: no shared datasets at {shared}")
        continue
    if not args or any(a in ("--help", "--version", "-h") for a in args) or args[0].startswith("-"):
        continue
    if args[0] == "simulate" or (args[0] == "power" and "--merge" not in args):
        continue  # they generate data and read no rows
    args = [a for a in args if a != "--quiet"]
    tmp_dir = tempfile.mkdtemp()
    atexit.register(shutil.rmtree, tmp_dir, True)
    args = [a.replace("@TMP@", tmp_dir) for a in args]
    inputs = [a for a in args if a.startswith(data) and os.path.isfile(a) and a.endswith(".csv")]
    stdin_file = os.path.join(case, "stdin")
    with tempfile.TemporaryDirectory() as tmp:
        excl = os.path.join(tmp, "excluded.csv")
        run = subprocess.run([vagap] + args + ["--exclusions", excl], capture_output=True, text=True, encoding="utf-8", errors="replace",
                             stdin=open(stdin_file) if os.path.isfile(stdin_file) else subprocess.DEVNULL)
        m = READ.search(run.stderr)
        if run.returncode != 0 or not m:
            failures.append(f"{name}: exit {run.returncode}, no accounting line: {run.stderr.strip()[:200]}")
            continue
        read, used, excluded = map(int, m.groups())
        audited += 1
        if read != used + excluded:
            failures.append(f"{name}: read {read} != used {used} + excluded {excluded}")
        if not os.path.isfile(excl):
            failures.append(f"{name}: --exclusions file not written")
            continue
        with open(excl, newline="") as f:
            listed = list(csv.DictReader(f))
        if len(listed) != excluded:
            failures.append(f"{name}: {len(listed)} exclusions listed, {excluded} reported")
        for row in listed:
            if not row.get("reason"):
                failures.append(f"{name}: exclusion without a reason: {row}")
            source = row.get("source", "")
            if row.get("line") not in (None, "", "NA") and os.path.isfile(source):
                opener = gzip.open if source.endswith(".gz") else open
                with opener(source, "rb") as f:
                    nlines = f.read().count(b"\n") + 1
                if not 1 <= int(row["line"]) <= nlines:
                    failures.append(f"{name}: line {row['line']} outside {source}")
        if len(inputs) == 1 and not os.path.isfile(stdin_file) and read != records(inputs[0]):
            failures.append(f"{name}: read {read} rows but {inputs[0]} has {records(inputs[0])} records")

for f in failures:
    print("FAIL", f)
print(f"row accounting: {audited} runs audited, {len(failures)} failures")
sys.exit(1 if failures or audited == 0 else 0)
