#!/usr/bin/env bash
# Issue 18, item 12: reflow's version requirements are as low as its code
# allows. Builds the library and the binary, every feature, with each
# direct dependency at the lowest version its requirement in Cargo.toml
# allows (cargo's -Z direct-minimal-versions; its other dependencies at
# their newest), so a requirement that is lower than the code needs fails
# here. A host that adds reflow then keeps the versions it has locked.
#
# Runs on a copy (the project's Cargo.lock is left alone), with the
# dev-dependencies left out: they are not a host's concern, and their own
# requirements would decide the lowest versions instead of our code.
# Stable cargo: RUSTC_BOOTSTRAP=1 lets it take the -Z flag (no other
# toolchain is needed). Needs the crates.io registry.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$here/Cargo.toml" "$here/src" "$here/README.md" "$work/"
cd "$work"
python3 - <<'PY'
# Dev-dependencies, benches, examples and tests out: the library and
# binary only.
out, keep = [], True
for line in open("Cargo.toml").read().splitlines():
    if line.startswith("["):
        keep = line.strip() not in ("[dev-dependencies]", "[[bench]]", "[[example]]", "[[test]]")
    if keep:
        out.append(line)
s = "\n".join(out) + "\n"
s = s.replace("autotests = false", "autotests = false\nautobenches = false\nautoexamples = false")
open("Cargo.toml", "w").write(s)
PY
RUSTC_BOOTSTRAP=1 cargo update -q -Z direct-minimal-versions
target=${CARGO_TARGET_DIR:-$here/target/minimal-versions}
for features in "--all-features" "--no-default-features --features log" "--no-default-features"; do
  echo "minimal versions: cargo check $features"
  # shellcheck disable=SC2086
  CARGO_TARGET_DIR=$target cargo check -q --lib --bins $features
done
echo "minimal versions: the library and binary build with every direct dependency at its lowest"
