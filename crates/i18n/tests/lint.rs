//! Lints the shipped catalogs in `i18n/`:
//! - every file parses without errors;
//! - every message (and attribute) exists in every locale;
//! - a message uses the same variables in every locale;
//! - every Arabic numeric selector covers zero, one, two, few, many and other,
//!   and every English one covers one and other.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::Path,
};

use fluent_syntax::ast::{
    Entry, Expression, InlineExpression, Pattern, PatternElement, VariantKey,
};
use stepup_i18n::{Catalog, Locale};

const PLURAL_CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

fn required_categories(locale: &str) -> &'static [&'static str] {
    match locale {
        "ar" => &PLURAL_CATEGORIES,
        _ => &["one", "other"],
    }
}

#[derive(Default)]
struct Walk {
    variables: BTreeSet<String>,
    problems: Vec<String>,
}

impl Walk {
    fn pattern(&mut self, where_: &str, locale: &str, pattern: &Pattern<String>) {
        for element in &pattern.elements {
            if let PatternElement::Placeable { expression } = element {
                self.expression(where_, locale, expression);
            }
        }
    }

    fn expression(&mut self, where_: &str, locale: &str, expression: &Expression<String>) {
        match expression {
            Expression::Inline(inline) => self.inline(where_, locale, inline),
            Expression::Select { selector, variants } => {
                self.inline(where_, locale, selector);
                let keys: BTreeSet<&str> = variants
                    .iter()
                    .map(|v| match &v.key {
                        VariantKey::Identifier { name } => name.as_str(),
                        VariantKey::NumberLiteral { value } => value.as_str(),
                    })
                    .collect();
                let numeric = keys
                    .iter()
                    .any(|k| PLURAL_CATEGORIES.contains(k) || k.parse::<f64>().is_ok());
                if numeric {
                    let missing: Vec<&str> = required_categories(locale)
                        .iter()
                        .copied()
                        .filter(|c| !keys.contains(c))
                        .collect();
                    if !missing.is_empty() {
                        self.problems.push(format!(
                            "{locale}: {where_}: numeric selector lacks {missing:?}"
                        ));
                    }
                }
                for variant in variants {
                    self.pattern(where_, locale, &variant.value);
                }
            }
        }
    }

    fn inline(&mut self, where_: &str, locale: &str, inline: &InlineExpression<String>) {
        match inline {
            InlineExpression::VariableReference { id } => {
                self.variables.insert(id.name.clone());
            }
            InlineExpression::FunctionReference { arguments, .. } => {
                for arg in &arguments.positional {
                    self.inline(where_, locale, arg);
                }
            }
            InlineExpression::Placeable { expression } => {
                self.expression(where_, locale, expression)
            }
            _ => {}
        }
    }
}

/// locale → message key (`id` or `id.attr`) → variables used.
type Inventory = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

fn inventory(problems: &mut Vec<String>) -> Inventory {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../i18n");
    let catalog = Catalog::load_dir(&dir).expect("the catalogs load");
    let mut inv = Inventory::new();
    for source in catalog.sources() {
        let resource = match fluent_syntax::parser::parse(source.text.clone()) {
            Ok(r) => r,
            Err((_, errors)) => {
                problems.push(format!("{}/{}: {errors:?}", source.locale, source.file));
                continue;
            }
        };
        let messages = inv.entry(source.locale.clone()).or_default();
        for entry in &resource.body {
            match entry {
                Entry::Message(message) => {
                    let id = &message.id.name;
                    let mut walk = Walk::default();
                    if let Some(value) = &message.value {
                        walk.pattern(id, &source.locale, value);
                        messages.insert(id.clone(), walk.variables.clone());
                    }
                    for attr in &message.attributes {
                        let key = format!("{id}.{}", attr.id.name);
                        let mut attr_walk = Walk::default();
                        attr_walk.pattern(&key, &source.locale, &attr.value);
                        problems.append(&mut attr_walk.problems);
                        messages.insert(key, attr_walk.variables);
                    }
                    problems.append(&mut walk.problems);
                }
                Entry::Junk { content } => {
                    problems.push(format!(
                        "{}/{}: junk: {content}",
                        source.locale, source.file
                    ));
                }
                _ => {}
            }
        }
    }
    inv
}

#[test]
fn catalogs_are_complete_consistent_and_plural_safe() {
    let mut problems = Vec::new();
    let inv = inventory(&mut problems);
    for locale in Locale::ALL {
        assert!(inv.contains_key(locale.tag()), "no catalog for {locale}");
    }
    let en = &inv["en"];
    assert!(en.len() > 10, "the English catalog looks empty");
    for (locale, messages) in &inv {
        for (key, vars) in en {
            match messages.get(key) {
                None => problems.push(format!("{locale}: missing {key}")),
                Some(v) if v != vars => {
                    problems.push(format!("{locale}: {key} uses {v:?}, English uses {vars:?}"))
                }
                _ => {}
            }
        }
        for key in messages.keys().filter(|k| !en.contains_key(*k)) {
            problems.push(format!("{locale}: {key} has no English source"));
        }
    }
    assert!(
        problems.is_empty(),
        "catalog problems:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_lint_catches_a_missing_arabic_category() {
    // The numeric-selector rule itself, on a known-bad message.
    let text = "n = { $count ->\n    [one] x\n   *[other] y\n  }\n".to_owned();
    let resource = fluent_syntax::parser::parse(text).unwrap();
    let Entry::Message(message) = &resource.body[0] else {
        panic!("not a message")
    };
    let mut walk = Walk::default();
    walk.pattern("n", "ar", message.value.as_ref().unwrap());
    assert_eq!(walk.problems.len(), 1, "{:?}", walk.problems);
    assert!(walk.problems[0].contains("zero"));
    let mut walk = Walk::default();
    walk.pattern("n", "en", message.value.as_ref().unwrap());
    assert!(walk.problems.is_empty());
}
