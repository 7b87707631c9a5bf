#!/usr/bin/env bash
# Issue 18, item 12: what adding reflow costs a tool, against env_logger.
# Builds the same hello-world host twice from clean, in release, in one
# run: once with env_logger 0.11, once with reflow's logger alone
# (`default-features = false, features = ["log"]`, the port being
# `env_logger::` -> `reflow::env_logger::`). Prints the crates compiled,
# the clean build times and their ratio (goal <= 2), and the binary sizes.
# ROUNDS (default 3) alternates the two builds and takes the median.
# REFLOW: the reflow source to build (default: this checkout; give a copy
# if the checkout is being edited meanwhile). Needs the crates.io registry
# (or its cache); not run in CI.
set -euo pipefail
reflow=${REFLOW:-$(cd "$(dirname "$0")/.." && pwd)}
work=${WORKDIR:-$(mktemp -d)}
rounds=${ROUNDS:-3}
mkdir -p "$work"
for side in env_logger reflow; do
  dir=$work/$side
  mkdir -p "$dir/src"
  case $side in
    env_logger) dep='env_logger = "0.11"'; path=env_logger ;;
    reflow) dep="reflow = { path = \"$reflow\", default-features = false, features = [\"log\"] }"
            path=reflow::env_logger ;;
  esac
  cat > "$dir/Cargo.toml" <<TOML
[package]
name = "hello-$side"
version = "0.1.0"
edition = "2021"

[dependencies]
log = "0.4"
$dep

[workspace]
TOML
  cat > "$dir/src/main.rs" <<RS
fn main() {
    $path::init();
    log::info!("hello, {}", std::env::args().count());
    log::warn!("done");
}
RS
  (cd "$dir" && cargo generate-lockfile -q && cargo fetch -q)
done
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A times
for ((i = 0; i < rounds; i++)); do
  for side in env_logger reflow; do
    dir=$work/$side
    rm -rf "$dir/target"
    start=$(date +%s.%N)
    (cd "$dir" && cargo build -q --release --offline)
    end=$(date +%s.%N)
    times[$side]+="$(echo "$end - $start" | bc) "
  done
done
for side in env_logger reflow; do
  dir=$work/$side
  crates=$(cd "$dir" && cargo tree -q -e normal,build --prefix none --format '{p}' | sed 's/ (.*//' | sort -u | wc -l)
  t=$(tr ' ' '\n' <<<"${times[$side]}" | grep . | median)
  size=$(stat -c %s "$dir/target/release/hello-$side")
  printf '%-10s crates %3d (the host included)  clean release build %6.1f s (median of %d: %s)  binary %s bytes\n' \
    "$side" "$crates" "$t" "$rounds" "${times[$side]}" "$size"
  eval "t_$side=$t; s_$side=$size"
done
echo "build time ratio reflow/env_logger: $(echo "scale=2; $t_reflow / $t_env_logger" | bc) (goal <= 2)"
echo "binary size ratio reflow/env_logger: $(echo "scale=2; $s_reflow / $s_env_logger" | bc)"
