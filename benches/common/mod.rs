//! What both benches share: realistic log lines, and telling a real
//! benchmark run from `cargo test --benches`.

use std::io::Write;

pub const WORDS: &[&str] = &[
    "request",
    "handled",
    "in",
    "ms",
    "user",
    "session",
    "cache",
    "miss",
    "for",
    "key",
    "connection",
    "pool",
    "timeout",
    "retrying",
    "upstream",
    "status",
    "ok",
    "error",
    "payload",
    "bytes",
    "latency",
    "worker",
    "queue",
    "depth",
    "flushed",
    "segment",
    "index",
    "compaction",
    "started",
    "finished",
    "shard",
    "replica",
    "lease",
    "renewed",
    "token",
    "expired",
    "client",
    "disconnected",
    "reading",
    "config",
    "from",
    "disk",
    "listening",
    "on",
    "port",
    "accepted",
    "new",
    "peer",
    "checksum",
    "mismatch",
    "the",
    "a",
    "with",
    "after",
];
const LEVELS: &[&str] = &["INFO", "DEBUG", "WARN", "ERROR", "TRACE", "INFO", "INFO"];
pub const MODULES: &[&str] = &[
    "server::http",
    "db::pool",
    "cache::lru",
    "auth::session",
    "net::peer",
    "storage::wal",
];

/// xorshift64*: deterministic, fast, good enough to vary words.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// One log line of about 100 bytes (92 to 108): timestamp, level, module,
/// then words.
pub fn log_line(rng: &mut Rng, i: usize, out: &mut Vec<u8>) {
    out.clear();
    let ms = i as u64 * 7;
    let _ = write!(
        out,
        "2024-05-17T{:02}:{:02}:{:02}.{:03}Z {:<5} {}: ",
        (ms / 3_600_000) % 24,
        (ms / 60_000) % 60,
        (ms / 1000) % 60,
        ms % 1000,
        LEVELS[rng.below(LEVELS.len())],
        MODULES[rng.below(MODULES.len())],
    );
    let target = 92 + rng.below(17);
    while out.len() < target {
        out.extend_from_slice(WORDS[rng.below(WORDS.len())].as_bytes());
        out.push(b' ');
    }
    out.truncate(target);
    while out.last() == Some(&b' ') {
        out.pop();
    }
}

/// Criterion benchmarks only with `--bench` (and no `--test`); otherwise it
/// runs each benchmark once as a test. The bench's own ratio measurement
/// is skipped then, and when profiling (`--profile-time`).
pub fn benchmarking() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--test" || a == "--list")
}

pub fn profiling() -> bool {
    std::env::args().any(|a| a.starts_with("--profile-time"))
}
