#!/usr/bin/env bash
# Issue 18, item 13: port a real tracing-subscriber tool (mdbook 0.5) to
# reflow by one line, build both, and compare. Usage:
#   scripts/port-mdbook.sh MDBOOK_SOURCE [WORKDIR]
# MDBOOK_SOURCE: mdbook's source, as crates.io has it (a project that
# depends on `mdbook = "=0.5.4"`, after `cargo fetch`, leaves it in
# ~/.cargo/registry/src/*/mdbook-0.5.4) or a clone of rust-lang/mdBook.
# WORKDIR (default /tmp/mdbook-port) gets two copies: `original/` and
# `ported/`, whose diff is printed; both are built with
# `cargo build --release` in one target dir (so the dependencies are built
# once), their binaries copied to `bin/mdbook-original` and
# `bin/mdbook-ported`. scripts/port-mdbook-run.sh then times them.
# Needs the crates.io registry; not run in CI.
set -euo pipefail
src=$(cd "$1" && pwd)
work=${2:-/tmp/mdbook-port}
reflow=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$work"
# The target dir is kept between runs: only the two copies are made anew.
rm -rf "$work/original" "$work/ported" "$work/bin"
for side in original ported; do
  cp -r "$src" "$work/$side"
  rm -rf "$work/$side/target"
done
cd "$work/ported"
git init -q
git add -A
git -c user.name=port -c user.email=port@localhost commit -qm "mdbook as published"
# The Cargo line: reflow with its tracing writer only (no `cli`, no `log`).
cargo add --quiet reflow --path "$reflow" --no-default-features --features tracing
# The one line of source: stderr's writer becomes reflow's.
grep -q '\.with_writer(std::io::stderr)' src/main.rs
sed -i 's/\.with_writer(std::io::stderr)/.with_writer(reflow::tracing::writer())/' src/main.rs
# Cargo.lock gains reflow's own dependencies: not part of the port's diff.
git --no-pager diff --stat -- . ':!Cargo.lock'
git --no-pager diff -- . ':!Cargo.lock'
mkdir -p "$work/bin"
for side in original ported; do
  (cd "$work/$side" && CARGO_TARGET_DIR="$work/target" cargo build --release --quiet --bin mdbook)
  cp "$work/target/release/mdbook" "$work/bin/mdbook-$side"
done
ls -l "$work"/bin/
