//! Embeds every `i18n/<locale>/*.ftl` file into the crate so binaries carry
//! their catalogs, while `Catalog::load_dir` can still read them at run time.
use std::{env, fmt::Write as _, fs, path::PathBuf};

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("../../i18n");
    let root = root
        .canonicalize()
        .expect("the i18n/ folder exists at the workspace root");
    println!("cargo:rerun-if-changed={}", root.display());

    let mut entries: Vec<(String, String, PathBuf)> = Vec::new();
    for locale in fs::read_dir(&root).expect("read i18n/") {
        let locale = locale.expect("read i18n/ entry").path();
        if !locale.is_dir() {
            continue;
        }
        println!("cargo:rerun-if-changed={}", locale.display());
        let tag = locale.file_name().unwrap().to_string_lossy().into_owned();
        for file in fs::read_dir(&locale).expect("read locale folder") {
            let file = file.expect("read locale entry").path();
            if file.extension().is_some_and(|e| e == "ftl") {
                println!("cargo:rerun-if-changed={}", file.display());
                let name = file.file_name().unwrap().to_string_lossy().into_owned();
                entries.push((tag.clone(), name, file));
            }
        }
    }
    entries.sort();

    let mut out =
        String::from("/// (locale, file name, contents) of every catalog file, sorted.\n");
    out.push_str("pub(crate) static EMBEDDED: &[(&str, &str, &str)] = &[\n");
    for (tag, name, path) in &entries {
        writeln!(
            out,
            "    ({tag:?}, {name:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .unwrap();
    }
    out.push_str("];\n");
    let dest = PathBuf::from(env::var("OUT_DIR").unwrap()).join("embedded.rs");
    fs::write(dest, out).expect("write embedded.rs");
}
