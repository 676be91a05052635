//! Mutations: bytes, and JSON values.

use rand::{Rng, seq::IndexedRandom};
use serde_json::Value;

/// Tokens that break parsers: JSON punctuation, escapes, extreme numbers, bidi and control
/// characters, markup.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "\"",
    ",",
    ":",
    "\\",
    "\\u0000",
    "\\ud800",
    "null",
    "true",
    "-",
    "0",
    "-0",
    "1e999",
    "-1e999",
    "9223372036854775808",
    "-9223372036854775809",
    "18446744073709551616",
    "0.0000000000000000001",
    "\u{202E}",
    "\u{2067}",
    "\u{0}",
    "\u{7}",
    "\r\n",
    "<a href=x>",
    "&amp;",
    "../",
    "%2e%2e/",
    "\u{FEFF}",
    "😀",
    "ع",
    "\u{FFFF}",
];

/// One mutation of a seed (sometimes spliced with another).
pub fn mutate(corpus: &[Vec<u8>], rng: &mut impl Rng) -> Vec<u8> {
    let seed = corpus.choose(rng).cloned().unwrap_or_default();
    if rng.random_bool(0.45)
        && let Ok(mut value) = serde_json::from_slice::<Value>(&seed)
    {
        for _ in 0..rng.random_range(1..=3) {
            mutate_value(&mut value, corpus, rng);
        }
        return serde_json::to_vec(&value).unwrap_or(seed);
    }
    let mut bytes = seed;
    for _ in 0..rng.random_range(1..=4) {
        mutate_bytes(&mut bytes, corpus, rng);
    }
    bytes
}

fn mutate_bytes(bytes: &mut Vec<u8>, corpus: &[Vec<u8>], rng: &mut impl Rng) {
    let len = bytes.len();
    let at = |rng: &mut dyn rand::RngCore, len: usize| {
        if len == 0 {
            0
        } else {
            rng.random_range(0..len)
        }
    };
    match rng.random_range(0..8) {
        0 if len > 0 => {
            let i = at(rng, len);
            bytes[i] ^= 1 << rng.random_range(0..8);
        }
        1 if len > 0 => {
            let i = at(rng, len);
            bytes[i] = rng.random();
        }
        2 => {
            let i = at(rng, len + 1).min(len);
            let token = TOKENS.choose(rng).copied().unwrap_or("");
            bytes.splice(i..i, token.bytes());
        }
        3 if len > 1 => {
            let i = at(rng, len);
            let end = (i + rng.random_range(1..=16)).min(len);
            bytes.drain(i..end);
        }
        4 if len > 1 => {
            // Repeat a chunk many times (long strings, deep nesting).
            let i = at(rng, len);
            let end = (i + rng.random_range(1..=8)).min(len);
            let chunk = bytes[i..end].to_vec();
            let times = *[2usize, 16, 256, 4096].choose(rng).unwrap_or(&2);
            let repeated: Vec<u8> = chunk
                .iter()
                .copied()
                .cycle()
                .take(chunk.len() * times)
                .collect();
            bytes.splice(i..i, repeated);
        }
        5 => {
            // Splice in part of another seed.
            if let Some(other) = corpus.choose(rng)
                && !other.is_empty()
            {
                let from = rng.random_range(0..other.len());
                let to = (from + rng.random_range(1..=64)).min(other.len());
                let i = at(rng, len + 1).min(len);
                bytes.splice(i..i, other[from..to].iter().copied());
            }
        }
        6 if len > 0 => {
            bytes.truncate(at(rng, len));
        }
        _ => {
            let i = at(rng, len + 1).min(len);
            bytes.insert(i, rng.random());
        }
    }
}

/// Extreme or wrong-typed values.
fn odd_value(corpus: &[Vec<u8>], rng: &mut impl Rng) -> Value {
    match rng.random_range(0..14) {
        0 => Value::Null,
        1 => Value::Bool(rng.random()),
        2 => serde_json::json!(-1),
        3 => serde_json::json!(i64::MAX),
        4 => serde_json::json!(u64::MAX),
        5 => serde_json::json!(1e308),
        6 => Value::String(String::new()),
        7 => Value::String("\u{202E}fdp.exe <a href=\"https://evil.example\">x</a>".into()),
        8 => Value::String("ع".repeat(rng.random_range(1..=20_000))),
        9 => Value::Array(vec![Value::Null; rng.random_range(0..=2_000)]),
        10 => {
            let mut v = Value::Null;
            for _ in 0..rng.random_range(1..=200) {
                v = serde_json::json!({ "a": [v] });
            }
            v
        }
        11 => serde_json::json!({}),
        12 => corpus
            .choose(rng)
            .and_then(|s| serde_json::from_slice(s).ok())
            .unwrap_or(Value::Null),
        _ => Value::String(format!("{}", rng.random::<i64>())),
    }
}

fn mutate_value(value: &mut Value, corpus: &[Vec<u8>], rng: &mut impl Rng) {
    // Choose a random path down (as a JSON pointer), then change what is there.
    let mut pointer = String::new();
    let mut node: &Value = value;
    for _ in 0..rng.random_range(0..12) {
        let step = match node {
            Value::Object(map) if !map.is_empty() => {
                let i = rng.random_range(0..map.len());
                map.iter()
                    .nth(i)
                    .map(|(k, v)| (k.replace('~', "~0").replace('/', "~1"), v))
            }
            Value::Array(items) if !items.is_empty() => {
                let i = rng.random_range(0..items.len());
                Some((i.to_string(), &items[i]))
            }
            _ => None,
        };
        match step {
            Some((key, next)) => {
                pointer.push('/');
                pointer.push_str(&key);
                node = next;
            }
            None => break,
        }
    }
    let choice = rng.random_range(0..4);
    let replacement = odd_value(corpus, rng);
    let Some(node) = value.pointer_mut(&pointer) else {
        return;
    };
    match (choice, &mut *node) {
        (0, Value::Object(map)) if !map.is_empty() => {
            let key = map.keys().nth(rng.random_range(0..map.len())).cloned();
            if let Some(key) = key {
                map.remove(&key);
            }
        }
        (1, Value::Array(items)) if !items.is_empty() => {
            let i = rng.random_range(0..items.len());
            let copy = items[i].clone();
            items.push(copy);
        }
        _ => *node = replacement,
    }
}
