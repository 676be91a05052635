//! Every target, for a short fixed time from a fixed seed (`STEPUP_FUZZ_SECONDS`, default 2;
//! `STEPUP_FUZZ_SEED`): nothing may be found. Longer runs: `cargo run -p stepup-fuzz -- --seconds 600`.

use std::time::Duration;

use stepup_fuzz::{Rig, Target, fuzz};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_input_breaks_a_parser() {
    let seconds: u64 = std::env::var("STEPUP_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2);
    let seed: u64 = std::env::var("STEPUP_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20261203);
    let rig = Rig::start().await.unwrap();
    let mut problems = Vec::new();
    for target in Target::ALL {
        let report = fuzz(target, &rig, Duration::from_secs(seconds), seed).await;
        eprintln!(
            "{:<18} {:>7} runs from {} seeds",
            report.target, report.runs, report.seeds
        );
        assert!(report.seeds > 0, "{}: an empty corpus", report.target);
        assert!(
            report.runs > report.seeds as u64,
            "{}: no mutations ran",
            report.target
        );
        for f in report.findings {
            problems.push(format!(
                "{}: {} (input: {:?})",
                f.target,
                f.problem,
                String::from_utf8_lossy(&f.input[..f.input.len().min(300)])
            ));
        }
    }
    rig.stop().await;
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
