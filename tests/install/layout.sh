#!/bin/sh
# Every public structure (a "typedef struct ... { ... } NAME_t;" in
# include/vagap/*.h) must be listed in src/lib/layout.c, so that
# vagap_struct_size knows it and the bindings' layout checks can use it.
#   sh tests/install/layout.sh SOURCE_DIR
set -u
src=$1
missing=0
for t in $(cat "$src"/include/vagap/*.h |
           awk '/typedef struct [a-z_]* *\{|typedef struct \{/{s=1} s && /^} *[a-z_0-9]*_t;/{print $2; s=0}' |
           tr -d ';'); do
  grep -q "TYPE($t)" "$src/src/lib/layout.c" || { echo "FAIL: $t is not in src/lib/layout.c"; missing=1; }
done
[ $missing = 0 ] && echo "ok: every public structure is in src/lib/layout.c"
exit $missing
