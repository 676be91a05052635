//! The smallest Tauri 2 app, built and measured the same way as Stepup
//! Desktop: one window with one static page that reports when it is painted
//! (`ready page <ms>` on standard output). The desktop benchmarks compare
//! Stepup's launch time and memory with this one's.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::{io::Write as _, sync::OnceLock, time::Instant};

static STARTED: OnceLock<Instant> = OnceLock::new();

#[tauri::command]
fn ready(args: String) {
    let ms = STARTED.get().map_or(0, |s| s.elapsed().as_millis());
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "ready {args} {ms}");
    let _ = out.flush();
}

fn main() {
    STARTED.get_or_init(Instant::now);
    if let Err(e) = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![ready])
        .run(tauri::generate_context!())
    {
        let _ = writeln!(std::io::stderr(), "the app failed: {e}");
        std::process::exit(1);
    }
}
