//! The plural category Fluent picks in Rust must equal CLDR's rules for Arabic
//! (zero, one, two, few, many, other) and English, for every n in 0..=1200
//! and for 1.5 and 2.5. The reference rules are written out here from CLDR,
//! independently of the library under test. The UI runs the same check in
//! `ui/src/lib/i18n.test.ts`.

use stepup_i18n::{Args, Catalog, Locale, Source, Value};

const CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

/// CLDR cardinal rules, Arabic. `n` is the absolute value of the number.
fn cldr_arabic(n: f64) -> &'static str {
    let integer = n.fract() == 0.0;
    let mod100 = n % 100.0;
    if n == 0.0 {
        "zero"
    } else if n == 1.0 {
        "one"
    } else if n == 2.0 {
        "two"
    } else if integer && (3.0..=10.0).contains(&mod100) {
        "few"
    } else if integer && (11.0..=99.0).contains(&mod100) {
        "many"
    } else {
        "other"
    }
}

/// CLDR cardinal rules, English: `one` is i = 1 and v = 0.
fn cldr_english(n: f64) -> &'static str {
    if n == 1.0 { "one" } else { "other" }
}

/// A probe message whose variants print their own category name.
fn probe_catalog() -> Catalog {
    let variants: String = CATEGORIES
        .iter()
        .map(|c| {
            let star = if *c == "other" { "*" } else { " " };
            format!("   {star}[{c}] {c}\n")
        })
        .collect();
    let text = format!("probe = {{ $n ->\n{variants}  }}\n");
    Catalog::from_sources(vec![
        Source {
            locale: "en".into(),
            file: "probe.ftl".into(),
            text: text.clone(),
        },
        Source {
            locale: "ar".into(),
            file: "probe.ftl".into(),
            text,
        },
    ])
    .unwrap()
}

fn samples() -> impl Iterator<Item = f64> {
    (0..=1200).map(f64::from).chain([1.5, 2.5])
}

fn chosen(catalog: &Catalog, locale: Locale, n: f64) -> String {
    let mut args = Args::new();
    args.set("n", Value::from(n));
    catalog.format(locale, "probe", Some(&args))
}

#[test]
fn arabic_plural_selection_follows_cldr() {
    let catalog = probe_catalog();
    let wrong: Vec<String> = samples()
        .filter_map(|n| {
            let got = chosen(&catalog, Locale::Ar, n);
            let want = cldr_arabic(n);
            (got != want).then(|| format!("{n}: got {got}, CLDR says {want}"))
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "Arabic plural mismatches:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn english_plural_selection_follows_cldr() {
    let catalog = probe_catalog();
    let wrong: Vec<String> = samples()
        .filter_map(|n| {
            let got = chosen(&catalog, Locale::En, n);
            let want = cldr_english(n);
            (got != want).then(|| format!("{n}: got {got}, CLDR says {want}"))
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "English plural mismatches:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn reference_rules_cover_every_arabic_category() {
    // Guards the reference itself: a rule table that never yields a category
    // would make the comparison above vacuous for it.
    let seen: std::collections::BTreeSet<&str> = samples().map(cldr_arabic).collect();
    assert_eq!(seen.len(), 6, "{seen:?}");
    assert_eq!(cldr_arabic(3.0), "few");
    assert_eq!(cldr_arabic(11.0), "many");
    assert_eq!(cldr_arabic(100.0), "other");
    assert_eq!(cldr_arabic(103.0), "few");
    assert_eq!(cldr_arabic(1.5), "other");
}

#[test]
fn shipped_arabic_messages_pick_the_right_form() {
    let catalog = Catalog::embedded();
    let open = |n: i64| {
        let mut args = Args::new();
        args.set("count", n);
        stepup_i18n::strip_isolation(&catalog.format(Locale::Ar, "inbox-open-count", Some(&args)))
    };
    assert_eq!(open(0), "لا توجد محادثات مفتوحة");
    assert_eq!(open(1), "محادثة مفتوحة واحدة");
    assert_eq!(open(2), "محادثتان مفتوحتان");
    assert_eq!(open(3), "3 محادثات مفتوحة");
    assert_eq!(open(11), "11 محادثة مفتوحة");
    assert_eq!(open(100), "100 محادثة مفتوحة");
}
