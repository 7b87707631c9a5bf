#!/usr/bin/env bash
# The reflow binary as we ship it, and the path it is written to (the last
# line of stdout).
#
# On a glibc Linux host it is linked static-pie (`crt-static` for that
# target): still position-independent, so ASLR places it as it does any
# PIE, but with no dynamic loader at startup, no libc.so or libgcc_s to map
# and bind, and no dependence on the glibc version installed where it runs.
# That is most of what separates reflow's start from less's: opening a 1 GB
# log at its end in a bare pty, the static-pie build measured 0.938-0.969x
# `less +G` and the dynamic one 0.983-1.058x in the same three runs
# (scripts/bench-open.py, 201 rounds each).
# reflow calls nothing that needs glibc's NSS (user or host lookups) or
# dlopen, the two things a static glibc cannot do alone.
#
# `--target` is explicit because rustc refuses `crt-static` for the
# proc-macros (clap's derive, serde's, tracing's), and with a target named
# RUSTFLAGS reaches only what runs on the target, not the build's own
# tools. So the binary lands in target/<triple>/release/, beside the
# ordinary `cargo build --release` one in target/release/ (dynamic, as
# `cargo install reflow` also builds it). Other hosts (macOS, musl,
# Windows) get the ordinary build.
#
#   scripts/build-release.sh          # prints e.g. /src/reflow/target/x86_64-unknown-linux-gnu/release/reflow
#   scripts/build-release.sh --path   # only that path, building nothing
set -euo pipefail
cd "$(dirname "$0")/.."
host=$(rustc -vV | sed -n 's/^host: //p')
target_dir=${CARGO_TARGET_DIR:-target}
[[ $target_dir == /* ]] || target_dir=$PWD/$target_dir
case $host in
  *-linux-gnu*) bin=$target_dir/$host/release/reflow ;;
  *) bin=$target_dir/release/reflow ;;
esac
if [[ ${1:-} == --path ]]; then
  echo "$bin"
  exit 0
fi
case $host in
  *-linux-gnu*)
    RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
      cargo build --release --quiet --target "$host" --bin reflow >&2
    # Check what was built: a position-independent ELF (type DYN, so ASLR
    # still applies) that names no program interpreter (no PT_INTERP: the
    # kernel starts it without ld.so).
    field() { od -An -t"u$1" -j"$2" -N"$1" "$bin" | tr -d ' '; }
    [[ $(field 2 16) == 3 ]] || { echo "build-release: $bin is not position-independent" >&2; exit 1; }
    phoff=$(field 8 32) phentsize=$(field 2 54) phnum=$(field 2 56)
    for ((i = 0; i < phnum; i++)); do
      if [[ $(field 4 $((phoff + i * phentsize))) == 3 ]]; then
        echo "build-release: $bin is linked dynamically (it has a PT_INTERP)" >&2
        exit 1
      fi
    done
    ;;
  *)
    cargo build --release --quiet --bin reflow >&2
    ;;
esac
echo "$bin"
