//! Stepup's translations.
//!
//! Every visible string lives in `i18n/<locale>/*.ftl` at the workspace root.
//! The Rust side (window titles, tray, notifications, CLI) reads them through
//! [`Catalog`]; the UI reads the very same files with `@fluent/bundle`.
//!
//! Plural selection is Fluent's own (CLDR rules through `intl_pluralrules`);
//! `tests/plurals.rs` checks it against CLDR's Arabic and English rules for
//! every n in 0..=1200.

use std::{collections::BTreeMap, fmt, fs, path::Path};

use fluent_bundle::{FluentArgs, FluentResource, concurrent::FluentBundle};
use fluent_langneg::{NegotiationStrategy, negotiate_languages};
use serde::{Deserialize, Serialize};
use unic_langid::LanguageIdentifier;

pub use fluent_bundle::{FluentArgs as Args, FluentValue as Value};

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// A language the product ships. The set is closed: adding one means adding
/// a folder under `i18n/` and a variant here.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    En,
    Ar,
}

/// Text direction of a UI language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Ltr,
    Rtl,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Ar];
    /// The fallback when nothing the user asks for is available.
    pub const DEFAULT: Locale = Locale::En;

    /// The BCP 47 tag, which is also the folder name under `i18n/`.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Ar => "ar",
        }
    }

    pub fn direction(self) -> Direction {
        match self {
            Locale::En => Direction::Ltr,
            Locale::Ar => Direction::Rtl,
        }
    }

    /// Parses a tag we ship exactly (`"en"`, `"ar"`); see [`Locale::negotiate`]
    /// for anything a user or an OS may send.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        Locale::ALL.into_iter().find(|l| l.tag() == tag)
    }

    /// Picks the best shipped locale for a list of requested tags, in order of
    /// preference: `ar-AE`, `ar-SA`, `ar` → Arabic; `en-*` → English; anything
    /// unknown or unparsable → English.
    pub fn negotiate<S: AsRef<str>>(requested: &[S]) -> Locale {
        let requested: Vec<LanguageIdentifier> = requested
            .iter()
            // OS locales can look like `ar_AE.UTF-8`: keep the language part.
            .filter_map(|tag| {
                let tag = tag.as_ref().split(['.', '@']).next().unwrap_or_default();
                tag.replace('_', "-").parse().ok()
            })
            .collect();
        let available: Vec<LanguageIdentifier> = Locale::ALL.iter().map(|l| l.langid()).collect();
        let default = Locale::DEFAULT.langid();
        let chosen = negotiate_languages(
            &requested,
            &available,
            Some(&default),
            NegotiationStrategy::Lookup,
        );
        chosen
            .first()
            .and_then(|id| Locale::from_tag(&id.to_string()))
            .unwrap_or(Locale::DEFAULT)
    }

    fn langid(self) -> LanguageIdentifier {
        self.tag().parse().expect("shipped tags are valid")
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum I18nError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file} ({locale}) has syntax errors: {details}")]
    Parse {
        locale: String,
        file: String,
        details: String,
    },
    #[error("{file} ({locale}) defines {id} twice")]
    Duplicate {
        locale: String,
        file: String,
        id: String,
    },
    #[error("no catalog for the shipped locale {0}")]
    MissingLocale(Locale),
}

/// One source file of a catalog.
#[derive(Debug, Clone)]
pub struct Source {
    pub locale: String,
    pub file: String,
    pub text: String,
}

/// The loaded catalogs of every shipped locale. Cheap to share: it is `Sync`.
pub struct Catalog {
    bundles: BTreeMap<Locale, FluentBundle<FluentResource>>,
    sources: Vec<Source>,
}

impl fmt::Debug for Catalog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Catalog")
            .field("locales", &self.bundles.keys().collect::<Vec<_>>())
            .field("files", &self.sources.len())
            .finish()
    }
}

impl Catalog {
    /// The catalogs compiled into this binary.
    pub fn embedded() -> Catalog {
        let sources = EMBEDDED
            .iter()
            .map(|(locale, file, text)| Source {
                locale: (*locale).to_owned(),
                file: (*file).to_owned(),
                text: (*text).to_owned(),
            })
            .collect();
        Catalog::from_sources(sources).expect("the embedded catalogs are checked by the test suite")
    }

    /// Reads `dir/<locale>/*.ftl` at run time (translators' preview, tests).
    pub fn load_dir(dir: &Path) -> Result<Catalog, I18nError> {
        let read_err = |path: &Path, source| I18nError::Read {
            path: path.display().to_string(),
            source,
        };
        let mut sources = Vec::new();
        for entry in fs::read_dir(dir).map_err(|e| read_err(dir, e))? {
            let locale_dir = entry.map_err(|e| read_err(dir, e))?.path();
            if !locale_dir.is_dir() {
                continue;
            }
            let locale = locale_dir
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            for file in fs::read_dir(&locale_dir).map_err(|e| read_err(&locale_dir, e))? {
                let path = file.map_err(|e| read_err(&locale_dir, e))?.path();
                if path.extension().is_some_and(|e| e == "ftl") {
                    let text = fs::read_to_string(&path).map_err(|e| read_err(&path, e))?;
                    let file = path
                        .file_name()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .into_owned();
                    sources.push(Source {
                        locale: locale.clone(),
                        file,
                        text,
                    });
                }
            }
        }
        sources.sort_by(|a, b| (&a.locale, &a.file).cmp(&(&b.locale, &b.file)));
        Catalog::from_sources(sources)
    }

    /// Builds catalogs from sources; folders that are not a shipped locale are
    /// ignored, and every shipped locale must have at least one file.
    pub fn from_sources(sources: Vec<Source>) -> Result<Catalog, I18nError> {
        let mut bundles = BTreeMap::new();
        for locale in Locale::ALL {
            let mut bundle = FluentBundle::new_concurrent(vec![locale.langid()]);
            let mut any = false;
            for source in sources.iter().filter(|s| s.locale == locale.tag()) {
                any = true;
                let resource =
                    FluentResource::try_new(source.text.clone()).map_err(|(_, errs)| {
                        I18nError::Parse {
                            locale: source.locale.clone(),
                            file: source.file.clone(),
                            details: errs
                                .iter()
                                .map(|e| e.to_string())
                                .collect::<Vec<_>>()
                                .join("; "),
                        }
                    })?;
                bundle
                    .add_resource(resource)
                    .map_err(|errs| I18nError::Duplicate {
                        locale: source.locale.clone(),
                        file: source.file.clone(),
                        id: errs.first().map(|e| e.to_string()).unwrap_or_default(),
                    })?;
            }
            if !any {
                return Err(I18nError::MissingLocale(locale));
            }
            bundles.insert(locale, bundle);
        }
        Ok(Catalog { bundles, sources })
    }

    /// The files this catalog was built from.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    pub fn has(&self, locale: Locale, id: &str) -> bool {
        self.bundles[&locale].has_message(id)
    }

    /// Formats message `id` (or `id.attribute`) in `locale`. Placeables keep
    /// Fluent's FSI/PDI isolation marks, right for the webview; use
    /// [`strip_isolation`] for OS surfaces. A missing message falls back to
    /// English, then to the id itself, so a gap never blanks a surface.
    pub fn format(&self, locale: Locale, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        self.try_format(locale, id, args)
            .or_else(|| self.try_format(Locale::DEFAULT, id, args))
            .unwrap_or_else(|| id.to_owned())
    }

    /// Like [`Catalog::format`] with no fallback: `None` when `id` is missing.
    pub fn try_format(
        &self,
        locale: Locale,
        id: &str,
        args: Option<&FluentArgs<'_>>,
    ) -> Option<String> {
        let bundle = &self.bundles[&locale];
        let (msg_id, attr) = match id.split_once('.') {
            Some((m, a)) => (m, Some(a)),
            None => (id, None),
        };
        let message = bundle.get_message(msg_id)?;
        let pattern = match attr {
            Some(a) => message.get_attribute(a)?.value(),
            None => message.value()?,
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, args, &mut errors);
        Some(text.into_owned())
    }
}

/// Removes the Unicode isolation marks Fluent puts around placeables
/// (FSI U+2068, PDI U+2069, and LRI/RLI U+2066/U+2067). Window titles, tray
/// tooltips and notifications on some platforms draw them as boxes.
pub fn strip_isolation(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, '\u{2066}' | '\u{2067}' | '\u{2068}' | '\u{2069}'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_gulf_and_english_variants() {
        assert_eq!(Locale::negotiate(&["ar-AE"]), Locale::Ar);
        assert_eq!(Locale::negotiate(&["ar-SA"]), Locale::Ar);
        assert_eq!(Locale::negotiate(&["ar"]), Locale::Ar);
        assert_eq!(Locale::negotiate(&["ar_AE.UTF-8"]), Locale::Ar);
        assert_eq!(Locale::negotiate(&["en-GB"]), Locale::En);
        assert_eq!(Locale::negotiate(&["en-US"]), Locale::En);
        assert_eq!(Locale::negotiate(&["fr-FR"]), Locale::En);
        assert_eq!(Locale::negotiate(&["not a tag!"]), Locale::En);
        assert_eq!(Locale::negotiate::<&str>(&[]), Locale::En);
        assert_eq!(Locale::negotiate(&["fr", "ar-QA", "en"]), Locale::Ar);
    }

    #[test]
    fn strips_only_isolation_marks() {
        assert_eq!(strip_isolation("\u{2068}سارة\u{2069} (3)"), "سارة (3)");
        assert_eq!(strip_isolation("\u{200f}abc"), "\u{200f}abc");
    }

    #[test]
    fn embedded_catalog_formats_both_locales_with_fallback() {
        let catalog = Catalog::embedded();
        assert_eq!(catalog.format(Locale::En, "app-name", None), "Stepup");
        assert_eq!(
            catalog.format(Locale::Ar, "nav-inbox", None),
            "صندوق الوارد"
        );
        assert_eq!(
            catalog.format(Locale::Ar, "no-such-message", None),
            "no-such-message"
        );
    }

    #[test]
    fn load_dir_matches_the_embedded_copy() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../i18n");
        let loaded = Catalog::load_dir(&dir).unwrap();
        let embedded = Catalog::embedded();
        assert_eq!(loaded.sources().len(), embedded.sources().len());
        for (a, b) in loaded.sources().iter().zip(embedded.sources()) {
            assert_eq!((&a.locale, &a.file, &a.text), (&b.locale, &b.file, &b.text));
        }
    }

    #[test]
    fn a_broken_file_is_a_clear_error() {
        let sources = vec![
            Source {
                locale: "en".into(),
                file: "main.ftl".into(),
                text: "ok = fine\n".into(),
            },
            Source {
                locale: "ar".into(),
                file: "main.ftl".into(),
                text: "broken = {\n".into(),
            },
        ];
        let err = Catalog::from_sources(sources).unwrap_err();
        assert!(
            matches!(err, I18nError::Parse { ref locale, .. } if locale == "ar"),
            "{err}"
        );
    }
}
