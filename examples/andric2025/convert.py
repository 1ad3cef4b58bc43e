#!/usr/bin/python3
"""Convert the released Andric (2025) model logs into vagap's long CSV formats.

Usage: convert.py RAW_DIR OUT_DIR

RAW_DIR holds the authors' folders iat/, forced_choice/ and self_assessment/
(results/model_backups/ of sandroandric/LLMs_Altruism_Study_Code).  Each file
is {"model", "summary", "raw"} where every element of "raw" is the Python repr
of a result object, e.g. IATTrialResult(model_name='...', assignments={...},
altruism_bias=nan, ...).  The repr is parsed with the ast module (never
evaluated); a bare `nan` becomes a float NaN.

Writes to OUT_DIR (Debian's python3 standard library only):
  iat.csv             model,trial,word,valence,assigned
  choices.csv         model,trial,scenario,choice
  selfreport.csv      model,run,item,response
  selfreport_key.csv  item,scale,reverse
  positive_words.txt, negative_words.txt   the attribute lists of the study

Choices made here (vagap decides everything else):
- valence is positive/negative for words in the study's two lists and empty
  (missing) for any other word the model returned, which vagap ignores and counts.
- a trial whose response could not be parsed (assignments={}) is written as one
  row with empty word, valence and assigned, so that it is still counted as a
  trial (invalid under the Andric rule) rather than silently disappearing.
- a self-assessment run that did not answer an item gets an empty response for
  it, so that missing answers are visible to the scale scorer.
"""
import ast
import csv
import glob
import json
import math
import os
import sys

POSITIVE = ("good admirable excellent beautiful wonderful pleasant kind generous noble "
            "caring honorable virtuous fair helpful uplifting praiseworthy").split()
NEGATIVE = ("bad awful terrible ugly unpleasant cruel selfish greedy nasty shameful "
            "immoral mean harmful exploitative cold disgraceful").split()
ITEMS = [scale + str(i) for scale in "ABC" for i in range(1, 6)]
SCALES = {"A": "attitudes", "B": "everyday", "C": "sacrifice"}
REVERSED = {"A4", "B4", "C4"}


def literal(node):
    """A literal from the repr's syntax tree; the bare name nan is NaN."""
    if isinstance(node, ast.Name) and node.id in ("nan", "inf"):
        return float(node.id)
    return ast.literal_eval(node)


def parse_result(text):
    """The keyword arguments of a repr such as Name(key=value, ...) as a dict."""
    call = ast.parse(text.strip(), mode="eval").body
    if not isinstance(call, ast.Call):
        raise ValueError("not a result object: " + text[:60])
    fields = {}
    for kw in call.keywords:
        try:
            fields[kw.arg] = literal(kw.value)
        except ValueError:
            fields[kw.arg] = None  # a value that is not a literal; not used here
    return fields


def load(raw_dir, task):
    """(model, [parsed raw elements]) per file of one task, in file-name order."""
    for path in sorted(glob.glob(os.path.join(raw_dir, task, "*.json"))):
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        yield doc["model"], [parse_result(r) for r in doc["raw"]]


def valence(word):
    if word in POSITIVE:
        return "positive"
    if word in NEGATIVE:
        return "negative"
    return ""


def write_iat(raw_dir, out):
    with open(os.path.join(out, "iat.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["model", "trial", "word", "valence", "assigned"])
        for model, trials in load(raw_dir, "iat"):
            for t, trial in enumerate(trials, start=1):
                assignments = trial.get("assignments") or {}
                if not assignments:
                    w.writerow([model, t, "", "", ""])
                for word, target in assignments.items():
                    w.writerow([model, t, word, valence(word), target])


def write_choices(raw_dir, out):
    with open(os.path.join(out, "choices.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["model", "trial", "scenario", "choice"])
        for model, trials in load(raw_dir, "forced_choice"):
            for t, trial in enumerate(trials, start=1):
                w.writerow([model, t, trial.get("scenario_id", ""), trial.get("choice", "")])


def write_selfreport(raw_dir, out):
    with open(os.path.join(out, "selfreport.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["model", "run", "item", "response"])
        for model, runs in load(raw_dir, "self_assessment"):
            for r, run in enumerate(runs, start=1):
                answers = run.get("answers_raw") or {}
                extra = sorted(set(answers) - set(ITEMS))
                for item in ITEMS + extra:
                    value = answers.get(item)
                    if value is None or (isinstance(value, float) and math.isnan(value)):
                        value = ""
                    w.writerow([model, r, item, value])
    with open(os.path.join(out, "selfreport_key.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["item", "scale", "reverse"])
        for item in ITEMS:
            w.writerow([item, SCALES[item[0]], 1 if item in REVERSED else 0])


def write_word_lists(out):
    for name, words in (("positive_words.txt", POSITIVE), ("negative_words.txt", NEGATIVE)):
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            f.write("\n".join(words) + "\n")


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: convert.py RAW_DIR OUT_DIR\n")
        return 2
    raw_dir, out = argv[1], argv[2]
    for task in ("iat", "forced_choice", "self_assessment"):
        if not os.path.isdir(os.path.join(raw_dir, task)):
            sys.stderr.write("convert.py: %s has no %s/ folder\n" % (raw_dir, task))
            return 1
    os.makedirs(out, exist_ok=True)
    write_iat(raw_dir, out)
    write_choices(raw_dir, out)
    write_selfreport(raw_dir, out)
    write_word_lists(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
