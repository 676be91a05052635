//! The smallest Tauri 2 app, built and measured the same way as Stepup
//! Desktop: one window with one static page that reports when it is painted
//! (`ready page <ms> page=<ms> painted=<ms>` on standard output: the time since the app's
//! start, when its page started after that, and when it was painted after its page's start,
//! as Stepup reports its own). The desktop benchmarks compare Stepup's launch time and memory
//! with this one's.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::{
    io::Write as _,
    sync::OnceLock,
    time::{Instant, SystemTime, UNIX_EPOCH},
};

/// When the app started, by its own clock and by the wall clock (the page's time origin is
/// on the wall clock).
static STARTED: OnceLock<(Instant, f64)> = OnceLock::new();

/// `args` is `page:origin=<the page's time origin, ms since the epoch>,painted=<ms>`.
#[tauri::command]
fn ready(args: String) {
    let Some((started, epoch_ms)) = STARTED.get() else {
        return;
    };
    let ms = started.elapsed().as_millis();
    let (screen, marks) = args.split_once(':').unwrap_or((args.as_str(), ""));
    let marks: Vec<String> = marks
        .split(',')
        .filter_map(|m| m.split_once('='))
        .filter_map(|(name, v)| Some((name, v.parse::<f64>().ok()?)))
        .map(|(name, v)| match name {
            "origin" => format!("page={:.0}", v - epoch_ms),
            _ => format!("{name}={v:.0}"),
        })
        .collect();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "ready {screen} {ms} {}", marks.join(" "));
    let _ = out.flush();
}

fn main() {
    let epoch_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    STARTED.get_or_init(|| (Instant::now(), epoch_ms));
    if let Err(e) = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![ready])
        .run(tauri::generate_context!())
    {
        let _ = writeln!(std::io::stderr(), "the app failed: {e}");
        std::process::exit(1);
    }
}
