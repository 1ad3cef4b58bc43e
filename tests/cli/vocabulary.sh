#!/bin/sh
# One vocabulary across commands: walks every command's --help and fails when
#  - an option is spelled two ways (a known variant appears as an option anywhere: the
#    commands say --conf-level, --unit, --behavior, --centre ...; old spellings may be
#    accepted but are only mentioned as "(alias --old)" or "alias --old"), or
#  - one option name takes a column in one command and a file in another.
# Usage: sh tests/cli/vocabulary.sh VAGAP
set -u
vagap=$1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
commands=$("$vagap" --help | awk '/^Commands:/ {on = 1; next} on && /^  [a-z]/ {print $1}')
[ -n "$commands" ] || { echo "FAIL: no commands in 'vagap --help'"; exit 1; }
for c in $commands; do
  "$vagap" "$c" --help > "$tmp/$c.help" 2> "$tmp/$c.err" ||
    { echo "FAIL: vagap $c --help exited $?"; cat "$tmp/$c.err"; exit 1; }
  # every --option named (with its value word when it has one), old spellings taken out
  sed -e 's/alias --[a-z0-9-]*//g' "$tmp/$c.help" |
    grep -oE -- '--[a-z][a-z0-9-]*( [A-Z][A-Z0-9]*)?' | sed "s/^/$c /" >> "$tmp/options"
done
status=0
# canonical spelling | variant spellings
while read -r canonical variants; do
  for v in $variants; do
    hits=$(awk -v v="--$v" '$2 == v {print $1}' "$tmp/options" | sort -u | tr '\n' ' ')
    [ -z "$hits" ] || { echo "FAIL: --$v (in: $hits) is spelled --$canonical elsewhere"; status=1; }
  done
done <<'TABLE'
conf-level conf conf-int confidence ci-level
unit units-col unit-col id-col id
behavior behaviour behaviour-col
behavior-col behaviour-col
centre center
selfreport self-report
TABLE
# one meaning per name: a value that is a column in one command and a file in another
awk '$3 == "COL" {col[$2] = col[$2] " " $1} $3 == "FILE" {file[$2] = file[$2] " " $1}
     END {for (o in col) if (o in file) {print "FAIL: " o " is a column in" col[o] " and a file in" file[o]; bad = 1}
          exit bad}' "$tmp/options" || status=1
n=$(cut -d' ' -f2 "$tmp/options" | sort -u | wc -l)
[ $status = 0 ] && echo "ok: $(echo "$commands" | wc -l) commands, $n option names, each spelled one way"
exit $status
