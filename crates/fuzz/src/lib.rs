//! Fuzzing of every parser that reads untrusted input: each channel's webhook (through the real
//! reference cloud on a loopback port, signed as the channel signs, so the parsers behind the
//! signature check are reached), a page of the change feed and a frame of the stream (decoded as
//! the app decodes them and applied to a real cache), `stepup://` deep links, the names of saved
//! files and the search box.
//!
//! The inputs are mutations of the real fixtures (the channels' documented payloads in
//! `crates/cloud/tests/fixtures`, pages and frames of a running cloud): bytes flipped, inserted,
//! cut, repeated and spliced, and JSON values swapped for extreme ones (huge numbers, long and
//! bidi-laced strings, deep nesting, wrong types). It is a mutational fuzzer without coverage
//! feedback: it runs on stable Rust, for a fixed time, from a seed that makes a run repeatable.
//! A finding is a panic, a `5xx`, a server that stops answering, or a broken invariant (a file
//! name with a path in it, a search that fails, a cache that fails its integrity check).

mod mutate;
mod targets;

use std::time::{Duration, Instant};

use rand::{SeedableRng, rngs::StdRng};

pub use targets::{Rig, Target};

/// What went wrong with one input.
#[derive(Debug, Clone)]
pub struct Finding {
    pub target: &'static str,
    pub input: Vec<u8>,
    pub problem: String,
}

/// One target's run.
#[derive(Debug, Clone)]
pub struct Report {
    pub target: &'static str,
    pub seeds: usize,
    pub runs: u64,
    pub findings: Vec<Finding>,
}

/// Runs `target` for `budget`: every seed of its corpus as it is, then mutations of them. Stops
/// early after a few findings.
pub async fn fuzz(target: Target, rig: &Rig, budget: Duration, seed: u64) -> Report {
    let corpus = target.corpus(rig).await;
    let name = target.name();
    let mut rng = StdRng::seed_from_u64(
        seed ^ name
            .bytes()
            .fold(0u64, |h, b| h.rotate_left(5) ^ u64::from(b)),
    );
    let deadline = Instant::now() + budget;
    let mut findings = Vec::new();
    let mut runs = 0u64;
    let check = async |input: Vec<u8>, findings: &mut Vec<Finding>| {
        if let Err(problem) = target.check(rig, &input).await {
            findings.push(Finding {
                target: name,
                input,
                problem,
            });
        }
    };
    for input in &corpus {
        check(input.clone(), &mut findings).await;
        runs += 1;
    }
    while Instant::now() < deadline && findings.len() < 5 {
        let input = mutate::mutate(&corpus, &mut rng);
        check(input, &mut findings).await;
        runs += 1;
    }
    if let Err(problem) = target.after(rig).await {
        findings.push(Finding {
            target: name,
            input: Vec::new(),
            problem,
        });
    }
    Report {
        target: name,
        seeds: corpus.len(),
        runs,
        findings,
    }
}
