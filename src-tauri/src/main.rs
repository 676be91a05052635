// Hides the console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    #[cfg(target_os = "linux")]
    linux::prepare();
    stepup_desktop::run();
}

/// On Linux, first thing in `main`, before any other thread exists that could read the
/// environment meanwhile: how the web view paints and runs the UI's script, and how the
/// allocator keeps memory. Each setting is the app's own default; a variable already set
/// (to any value) is left as it is.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
mod linux {
    /// Read by the processes this one starts, WebKitGTK's web process above all, which
    /// inherit the environment.
    const DEFAULTS: [(&str, &str); 3] = [
        // The web view paints without accelerated compositing (`0` turns it back on). The
        // inbox is text and a list: composited layers bought it nothing visible but held about
        // 80 MB more in the web process (its GL buffers and layer backing stores), and they
        // are a known source of blank windows with some GPU drivers.
        ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
        // JavaScriptCore runs the UI's script in its interpreter, without its JIT compilers
        // (`1` turns them back on). The UI's script is event handlers and small redraws:
        // opening a big conversation and scrolling the list measure the same either way. The
        // compilers held about 9 MB of code and profiles, and they are where most of the
        // engine's security holes have been found, in an app that shows what strangers
        // write. Voice notes convert their samples as they are recorded, so stopping a long
        // one does not wait for the interpreter.
        ("JSC_useJIT", "0"),
        // glibc's malloc gives each thread that allocates an arena of its own, up to eight per
        // core, and a freed block returns only to its arena: WebKit's threads held about 4 MB
        // free in arenas. (This process reads the variable before `main`; see `few_arenas`.)
        ("MALLOC_ARENA_MAX", "2"),
    ];

    pub fn prepare() {
        // Set, it already applies here: glibc reads it as the process starts.
        let arenas_chosen = std::env::var_os("MALLOC_ARENA_MAX").is_some();
        for (var, value) in DEFAULTS {
            if std::env::var_os(var).is_none() {
                // SAFETY: called first thing in `main`, before any other thread exists.
                unsafe { std::env::set_var(var, value) };
            }
        }
        if !arenas_chosen {
            few_arenas();
        }
        trim_from_time_to_time();
    }

    /// The same two arenas for this process: its threads (the async runtime's, one per cache
    /// connection, the UI's) mostly wait, and held about 8 MB free in their arenas after a
    /// minute of traffic.
    #[cfg(target_env = "gnu")]
    fn few_arenas() {
        // SAFETY: mallopt only changes the allocator's parameters; it is called before any
        // other thread exists.
        unsafe { libc::mallopt(libc::M_ARENA_MAX, 2) };
    }

    #[cfg(not(target_env = "gnu"))]
    fn few_arenas() {}

    /// How often the app hands the memory its allocator holds free back to the system.
    const TRIM_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

    /// glibc returns freed memory to the system only from the top of its heap: what a start,
    /// a sync or an export freed in the middle stays with the process. `malloc_trim` gives
    /// those pages back, once a minute, on a thread that otherwise sleeps (measured after two
    /// minutes of traffic: the app held about 5 MB less).
    #[cfg(target_env = "gnu")]
    fn trim_from_time_to_time() {
        let spawned = std::thread::Builder::new()
            .name("malloc-trim".into())
            .stack_size(64 * 1024)
            .spawn(|| {
                loop {
                    std::thread::sleep(TRIM_EVERY);
                    // SAFETY: malloc_trim takes the allocator's own locks; any thread may call it.
                    unsafe { libc::malloc_trim(0) };
                }
            });
        if let Err(err) = spawned {
            eprintln!("cannot start the allocator's trim thread: {err}");
        }
    }

    #[cfg(not(target_env = "gnu"))]
    fn trim_from_time_to_time() {}
}
