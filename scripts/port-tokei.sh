#!/usr/bin/env bash
# Issue 18, item 13: port a real env_logger tool (tokei) to reflow by a
# rename, build both, and compare. Usage:
#   scripts/port-tokei.sh TOKEI_CHECKOUT [WORKDIR]
# TOKEI_CHECKOUT: a clone of https://github.com/XAMPPRocky/tokei. WORKDIR
# (default /tmp/tokei-port) gets two copies: `original/` and `ported/`,
# whose diff is printed, and both are built with `cargo build --release`.
# Needs the crates.io registry; not run in CI.
set -euo pipefail
src=$1
work=${2:-/tmp/tokei-port}
reflow=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$work"
mkdir -p "$work"
git clone -q "$src" "$work/original"
git clone -q "$src" "$work/ported"
cd "$work/ported"
# The Cargo line: env_logger out, reflow (its logger only) in.
python3 - "$reflow" <<'PY'
import re, sys
reflow = sys.argv[1]
s = open("Cargo.toml").read()
s = s.replace('"dep:env_logger"', '"dep:reflow"')
s = re.sub(r'\[dependencies\.env_logger\]\n(?:[^\[\n][^\n]*\n)*',
           '[dependencies.reflow]\noptional = true\ndefault-features = false\nfeatures = ["log"]\npath = "%s"\n\n' % reflow, s)
open("Cargo.toml", "w").write(s)
PY
# The rename.
grep -rl 'env_logger::' src | xargs sed -i 's/\benv_logger::/reflow::env_logger::/g'
git --no-pager diff --stat
git --no-pager diff
for side in original ported; do
  (cd "$work/$side" && cargo build --release --quiet --bin tokei)
done
ls -l "$work"/*/target/release/tokei
