# Sourced by every examples/*/run.sh: sets $vagap to the program to run, found the same
# way everywhere - the script's first argument, else $VAGAP, else build/vagap of this
# source tree - and stops with a clear message when it is not there.
#   . "$root/examples/find-vagap.sh"; find_vagap "${1:-}"
find_vagap() {
  vagap=${1:-${VAGAP:-$root/build/vagap}}
  case "$vagap" in
    */*) [ -x "$vagap" ] && [ ! -d "$vagap" ] && return 0 ;;
    *) command -v "$vagap" > /dev/null 2>&1 && return 0 ;;
  esac
  echo "$(basename "$0"): no program at '$vagap': build it with ./setup.sh build, or give" \
       "the program as the first argument or in \$VAGAP" >&2
  exit 1
}
