//! `stepup-fuzz [--seconds N] [--seed S] [TARGET…]`: fuzzes each target (all by default) for
//! N seconds (default 60) and writes any finding to `tests/artifacts/fuzz/`. Exit code 1 when
//! something was found.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use stepup_fuzz::{Rig, Target, fuzz};

#[tokio::main]
async fn main() -> Result<()> {
    let mut seconds = 60u64;
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_secs());
    let mut targets = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--seconds" => seconds = args.next().context("--seconds N")?.parse()?,
            "--seed" => seed = args.next().context("--seed S")?.parse()?,
            "-h" | "--help" => {
                let names: Vec<_> = Target::ALL.iter().map(|t| t.name()).collect();
                eprintln!(
                    "usage: stepup-fuzz [--seconds N] [--seed S] [TARGET…]\ntargets: {}",
                    names.join(" ")
                );
                return Ok(());
            }
            name => targets.push(Target::parse(name).with_context(|| format!("no target {name}"))?),
        }
    }
    if targets.is_empty() {
        targets = Target::ALL.to_vec();
    }
    eprintln!("seed {seed}, {seconds} s per target");
    let rig = Rig::start().await?;
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/artifacts/fuzz");
    let mut found = 0;
    for target in targets {
        let report = fuzz(target, &rig, Duration::from_secs(seconds), seed).await;
        eprintln!(
            "{:<18} {:>8} runs from {} seeds, {} findings",
            report.target,
            report.runs,
            report.seeds,
            report.findings.len()
        );
        for (i, f) in report.findings.iter().enumerate() {
            std::fs::create_dir_all(&out)?;
            let file = out.join(format!("{}-{seed}-{i}.bin", f.target));
            std::fs::write(&file, &f.input)?;
            eprintln!("  {}: {}", file.display(), f.problem);
            found += 1;
        }
    }
    rig.stop().await;
    if found > 0 {
        bail!("{found} findings");
    }
    Ok(())
}
