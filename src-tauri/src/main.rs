// Hides the console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    #[cfg(target_os = "linux")]
    paint_without_compositing();
    stepup_desktop::run();
}

/// On Linux the web view paints without WebKitGTK's accelerated compositing, unless
/// `WEBKIT_DISABLE_COMPOSITING_MODE` is already set (`0` turns compositing back on).
/// The inbox is text and a list: composited layers bought it nothing visible but held about
/// 80 MB more in the web process (its GL buffers and layer backing stores), and they are a
/// known source of blank windows with some GPU drivers. The variable is read by the web
/// process, which inherits it.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn paint_without_compositing() {
    const VAR: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
    if std::env::var_os(VAR).is_none() {
        // SAFETY: first thing in `main`, before any other thread exists that could read
        // the environment meanwhile.
        unsafe { std::env::set_var(VAR, "1") };
    }
}
