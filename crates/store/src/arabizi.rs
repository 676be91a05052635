//! Arabizi: Arabic written in Latin letters, with digits for the letters Latin lacks
//! («7abibi», «3ndi», «mar7aba», «6alabi»).
//!
//! Instead of guessing Arabic spellings of a Latin word (every vowel may or may not be a
//! letter, so the guesses multiply), both scripts are reduced to one **consonant key**:
//! each consonant to its class below, vowels and the letters that often stand for them
//! dropped, a class doubled without a vowel between («لل», «mm») written once. «mar7aba», «marhaba» and «مرحبا» all give
//! `mrhb`; «6alabi», «talabi» and «طلبي» give `tlb`; «3ndi» and «عندي» give `end`. The
//! index holds the key of every Arabic word's light stem (so «assalam» and «6alab» meet
//! «السلام» and «الطلب» through «سلام» and «طلب»; a Latin word written with its article,
//! «el6alab», also gives the key without it) and of every Latin word that may be Arabizi; a query in Latin
//! letters looks for its key among the Arabic words' keys, a query in Arabic among the
//! Latin words' keys. Keys of the same script are never compared (no English word finds
//! another by its consonants).
//!
//! | class | Arabic | Latin (Arabizi) |
//! |---|---|---|
//! | `b` | ب پ | b p |
//! | `t` | ت ط | t, 6 |
//! | `z` | ث ذ ز ظ | th dh z, 6' (dh also as `d`) |
//! | `j` | ج | j |
//! | `h` | ح ه (not word-final) | h (not word-final after a vowel), 7 |
//! | `x` | خ | kh x, 5, 7' |
//! | `d` | د ض | d dh, 9' |
//! | `r` | ر | r |
//! | `s` | س ص | s, 9 |
//! | `c` | ش | sh |
//! | `e` | ع | 3 |
//! | `g` | غ | gh, 3' |
//! | `f` | ف ڤ | f v |
//! | `q` | ق گ | q g, 8 |
//! | `k` | ك ک چ | k c, ch |
//! | `l` `m` `n` | ل م ن | l m n |
//! | dropped | ا و ي ء, word-final ه/ة | a e i o u w y, 2, word-final h after a vowel |
//!
//! Sources: the digit letters as the Arabic chat alphabet uses them (Wikipedia, "Arabic
//! chat alphabet": 2 ء, 3 ع, 3' غ, 5 خ, 6 ط, 6' ظ, 7 ح, 7' خ, 8 ق, 9 ص, 9' ض), and Gulf
//! usage where it differs from the Levant and Egypt: «g» for ق (Gulf «galb», «gahwa»), «ch»
//! for ك and چ («chem» كم, «chalb» چلب). The classes are deliberately coarse: Arabizi
//! writers use «t» for ت and ط, «s» for س and ص, «d» for د and ض, «th» for ث, ذ and ظ.
//!
//! A Latin word ending in a vowel and «n» (tanween written out: «shukran», «afwan») also
//! gives its key without the «n» («ckr», as «شكرا»).

/// The class of an Arabic letter (normalized text: no hamza seats, «ة» already «ه»).
fn arabic_class(c: char) -> Option<Option<char>> {
    let class = match c {
        'ب' | 'پ' => 'b',
        'ت' | 'ط' => 't',
        'ث' | 'ذ' | 'ز' | 'ظ' => 'z',
        'ج' => 'j',
        'ح' | 'ه' => 'h',
        'خ' => 'x',
        'د' | 'ض' => 'd',
        'ر' => 'r',
        'س' | 'ص' => 's',
        'ش' => 'c',
        'ع' => 'e',
        'غ' => 'g',
        'ف' | 'ڤ' => 'f',
        'ق' | 'گ' => 'q',
        'ك' | 'ک' | 'چ' => 'k',
        'ل' => 'l',
        'م' => 'm',
        'ن' => 'n',
        'ا' | 'و' | 'ي' | 'ء' | 'ی' => return Some(None),
        _ => return None,
    };
    Some(Some(class))
}

/// Adds a consonant class; the same class right after itself (a doubled letter, «لل»,
/// «mm») is written once, but not across a vowel («7abibi» and «حبيبي» keep both b's).
fn push_class(key: &mut String, class: char, adjacent: bool) {
    if !(adjacent && key.ends_with(class)) {
        key.push(class);
    }
}

/// The consonant key of a normalized Arabic word; `None` when it is not all Arabic letters
/// or keeps fewer than two consonants.
pub fn arabic_key(word: &str) -> Option<String> {
    let chars: Vec<char> = word.chars().collect();
    let mut key = String::new();
    let mut adjacent = false;
    for (i, &c) in chars.iter().enumerate() {
        // A word-final ه is mostly a vowel ending (ة, or the pronoun «ـه» said «-ah»/«-uh»).
        if c == 'ه' && i > 0 && i + 1 == chars.len() {
            continue;
        }
        match arabic_class(c)? {
            Some(class) => {
                push_class(&mut key, class, adjacent);
                adjacent = true;
            }
            None => adjacent = false,
        }
    }
    (key.chars().count() >= 2).then_some(key)
}

/// Common English words (everyday writing and what customers write to shops: orders,
/// delivery, payment, products, days and months), sorted: not taken for Arabizi, so an
/// Arabic word does not find them by their consonants («اوردر» is not "order") and they cost
/// the index nothing more.
const ENGLISH: &[&str] = &[
    "able",
    "about",
    "above",
    "accept",
    "account",
    "across",
    "actually",
    "add",
    "added",
    "address",
    "after",
    "afternoon",
    "again",
    "against",
    "agent",
    "ago",
    "agree",
    "all",
    "allow",
    "almost",
    "alone",
    "along",
    "already",
    "also",
    "always",
    "amazing",
    "amount",
    "and",
    "another",
    "answer",
    "any",
    "anyone",
    "anything",
    "app",
    "apple",
    "apply",
    "appointment",
    "april",
    "are",
    "area",
    "around",
    "arrive",
    "arrived",
    "arriving",
    "ask",
    "asked",
    "asking",
    "august",
    "available",
    "away",
    "baby",
    "back",
    "bad",
    "bag",
    "bags",
    "balance",
    "bank",
    "based",
    "basket",
    "battery",
    "beautiful",
    "because",
    "become",
    "bed",
    "been",
    "before",
    "begin",
    "behind",
    "being",
    "believe",
    "below",
    "best",
    "better",
    "between",
    "big",
    "bill",
    "birthday",
    "black",
    "blue",
    "board",
    "body",
    "book",
    "booked",
    "booking",
    "both",
    "bottle",
    "bought",
    "box",
    "boxes",
    "branch",
    "brand",
    "break",
    "bring",
    "broken",
    "brother",
    "brown",
    "budget",
    "business",
    "busy",
    "but",
    "buy",
    "buying",
    "cable",
    "call",
    "called",
    "calling",
    "came",
    "camera",
    "can",
    "cancel",
    "canceled",
    "cancelled",
    "cannot",
    "card",
    "care",
    "cart",
    "case",
    "cash",
    "cashback",
    "catalog",
    "category",
    "cause",
    "change",
    "changed",
    "charge",
    "charged",
    "charger",
    "charging",
    "chat",
    "cheap",
    "check",
    "checked",
    "checkout",
    "child",
    "choose",
    "chose",
    "city",
    "class",
    "clean",
    "clear",
    "click",
    "close",
    "closed",
    "clothes",
    "code",
    "coffee",
    "cold",
    "collect",
    "color",
    "colour",
    "come",
    "coming",
    "company",
    "complaint",
    "complete",
    "confirm",
    "confirmation",
    "confirmed",
    "contact",
    "continue",
    "cost",
    "could",
    "count",
    "country",
    "courier",
    "course",
    "cover",
    "cream",
    "create",
    "credit",
    "current",
    "customer",
    "customers",
    "damaged",
    "dark",
    "date",
    "daughter",
    "day",
    "days",
    "deal",
    "dear",
    "debit",
    "december",
    "deliver",
    "delivered",
    "delivering",
    "delivery",
    "deposit",
    "design",
    "details",
    "did",
    "different",
    "dinner",
    "discount",
    "does",
    "doing",
    "done",
    "door",
    "double",
    "down",
    "dress",
    "drink",
    "drive",
    "driver",
    "during",
    "each",
    "early",
    "easy",
    "eight",
    "either",
    "else",
    "email",
    "empty",
    "end",
    "english",
    "enough",
    "error",
    "even",
    "evening",
    "event",
    "ever",
    "every",
    "everyone",
    "everything",
    "exactly",
    "example",
    "exchange",
    "excuse",
    "expensive",
    "experience",
    "expired",
    "express",
    "extra",
    "face",
    "fast",
    "father",
    "february",
    "feedback",
    "feel",
    "few",
    "file",
    "final",
    "find",
    "fine",
    "finish",
    "first",
    "five",
    "fix",
    "fixed",
    "floor",
    "follow",
    "food",
    "for",
    "forget",
    "forgot",
    "form",
    "found",
    "four",
    "free",
    "friday",
    "friend",
    "from",
    "front",
    "full",
    "gift",
    "girl",
    "give",
    "given",
    "glass",
    "gold",
    "good",
    "got",
    "great",
    "green",
    "group",
    "guarantee",
    "guess",
    "hair",
    "half",
    "hand",
    "happen",
    "happened",
    "happy",
    "hard",
    "have",
    "having",
    "head",
    "headphones",
    "hear",
    "heard",
    "hello",
    "help",
    "here",
    "high",
    "him",
    "his",
    "hold",
    "home",
    "hope",
    "hot",
    "hotel",
    "hour",
    "hours",
    "house",
    "how",
    "however",
    "hundred",
    "idea",
    "important",
    "include",
    "included",
    "inside",
    "install",
    "instead",
    "invoice",
    "iphone",
    "issue",
    "item",
    "items",
    "january",
    "join",
    "july",
    "june",
    "just",
    "keep",
    "kind",
    "kitchen",
    "know",
    "laptop",
    "large",
    "last",
    "late",
    "later",
    "learn",
    "least",
    "leave",
    "left",
    "less",
    "let",
    "letter",
    "light",
    "like",
    "line",
    "link",
    "list",
    "little",
    "live",
    "local",
    "location",
    "long",
    "look",
    "looking",
    "lost",
    "love",
    "low",
    "lunch",
    "made",
    "mail",
    "make",
    "man",
    "manager",
    "many",
    "march",
    "market",
    "matter",
    "may",
    "maybe",
    "mean",
    "medium",
    "meet",
    "member",
    "men",
    "menu",
    "message",
    "method",
    "middle",
    "might",
    "minute",
    "minutes",
    "mistake",
    "mobile",
    "model",
    "moment",
    "monday",
    "money",
    "month",
    "more",
    "morning",
    "most",
    "mother",
    "move",
    "much",
    "must",
    "name",
    "near",
    "need",
    "needed",
    "never",
    "new",
    "news",
    "next",
    "nice",
    "night",
    "nine",
    "none",
    "noon",
    "normal",
    "not",
    "note",
    "nothing",
    "notice",
    "november",
    "now",
    "number",
    "october",
    "off",
    "offer",
    "office",
    "okay",
    "old",
    "once",
    "one",
    "online",
    "only",
    "open",
    "opened",
    "option",
    "orange",
    "order",
    "ordered",
    "ordering",
    "orders",
    "original",
    "other",
    "our",
    "out",
    "outside",
    "over",
    "own",
    "pack",
    "package",
    "packaging",
    "page",
    "paid",
    "pair",
    "parcel",
    "part",
    "pass",
    "password",
    "pay",
    "payment",
    "people",
    "perfect",
    "perfume",
    "person",
    "phone",
    "photo",
    "pick",
    "picked",
    "pink",
    "place",
    "plan",
    "please",
    "plus",
    "point",
    "policy",
    "possible",
    "post",
    "price",
    "prices",
    "problem",
    "product",
    "products",
    "promo",
    "promotion",
    "provide",
    "purchase",
    "purple",
    "put",
    "quality",
    "question",
    "quick",
    "quickly",
    "quite",
    "rate",
    "rather",
    "read",
    "ready",
    "real",
    "really",
    "reason",
    "receipt",
    "receive",
    "received",
    "receiving",
    "recent",
    "red",
    "refund",
    "refunded",
    "refunds",
    "register",
    "remember",
    "remove",
    "repair",
    "replace",
    "reply",
    "report",
    "request",
    "required",
    "reservation",
    "reserve",
    "reset",
    "rest",
    "restaurant",
    "result",
    "return",
    "returned",
    "returns",
    "review",
    "right",
    "room",
    "round",
    "running",
    "sale",
    "same",
    "samsung",
    "saturday",
    "save",
    "say",
    "says",
    "schedule",
    "screen",
    "second",
    "see",
    "seen",
    "sell",
    "send",
    "sending",
    "sent",
    "september",
    "service",
    "set",
    "seven",
    "several",
    "share",
    "ship",
    "shipment",
    "shipped",
    "shipping",
    "shirt",
    "shoes",
    "shop",
    "shopping",
    "short",
    "should",
    "show",
    "shows",
    "side",
    "sign",
    "silver",
    "simple",
    "since",
    "single",
    "sister",
    "site",
    "six",
    "size",
    "sizes",
    "small",
    "some",
    "someone",
    "something",
    "sometimes",
    "soon",
    "sorry",
    "special",
    "start",
    "started",
    "status",
    "stay",
    "still",
    "stock",
    "stop",
    "store",
    "story",
    "street",
    "student",
    "such",
    "sunday",
    "support",
    "sure",
    "table",
    "take",
    "taken",
    "talk",
    "team",
    "tell",
    "ten",
    "test",
    "than",
    "thank",
    "thanks",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "thing",
    "things",
    "think",
    "this",
    "those",
    "though",
    "three",
    "through",
    "thursday",
    "ticket",
    "time",
    "times",
    "today",
    "together",
    "told",
    "tomorrow",
    "tonight",
    "too",
    "took",
    "total",
    "track",
    "tracking",
    "transfer",
    "tried",
    "trouble",
    "true",
    "try",
    "trying",
    "tuesday",
    "turn",
    "two",
    "type",
    "under",
    "understand",
    "unit",
    "until",
    "update",
    "upon",
    "urgent",
    "use",
    "used",
    "user",
    "using",
    "usual",
    "value",
    "very",
    "via",
    "video",
    "visit",
    "wait",
    "waiting",
    "want",
    "wanted",
    "warranty",
    "was",
    "watch",
    "water",
    "way",
    "website",
    "wednesday",
    "week",
    "weekend",
    "weeks",
    "well",
    "went",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "white",
    "who",
    "whole",
    "why",
    "wife",
    "will",
    "window",
    "with",
    "within",
    "without",
    "woman",
    "women",
    "work",
    "working",
    "world",
    "would",
    "write",
    "wrong",
    "year",
    "years",
    "yellow",
    "yes",
    "yesterday",
    "yet",
    "you",
    "your",
];

/// Whether a normalized Latin word may be Arabizi: ASCII letters, the digit letters and
/// apostrophes only, at least one letter, and not a common English word.
fn may_be_arabizi(word: &str) -> bool {
    word.bytes().any(|b| b.is_ascii_lowercase())
        && word
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b"235679'8".contains(&b))
        && ENGLISH.binary_search(&word).is_err()
}

/// Whether a word uses a digit as a letter (then even a short key is worth comparing).
pub fn has_digit_letter(word: &str) -> bool {
    word.bytes().any(|b| b"235679".contains(&b) || b == b'8')
}

/// The consonant keys of a normalized Latin word that may be Arabizi (one, or two when it
/// ends in a written-out tanween); empty when it cannot be, or its key is too short to mean
/// anything (fewer than two consonants; two only with a digit letter or in four letters).
pub fn latin_keys(word: &str) -> Vec<String> {
    if word.len() > 40 || !may_be_arabizi(word) {
        return Vec::new();
    }
    let mut keys = word_keys(word);
    let add = |keys: &mut Vec<String>, w: &str| {
        for k in word_keys(w) {
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    };
    // The article written on («el6alab», «bilbait»): also the key of the rest, as Arabic words
    // are keyed by their stem («الطلب» as «طلب»).
    let mut bare = word;
    for article in [
        "wal", "wel", "bil", "bel", "fil", "fel", "lil", "lel", "al", "el", "il",
    ] {
        if let Some(rest) = word.strip_prefix(article)
            && rest.len() >= 3
        {
            bare = rest;
            add(&mut keys, rest);
            break;
        }
    }
    // The endings the stemmer takes off Arabic words, as Arabizi writes them («3ndkom» is
    // «عندكم», keyed as «عند»; «6alabat» as «طلب»).
    for ending in [
        "kom", "kum", "hom", "hum", "aat", "at", "een", "oun", "oon", "ha", "na",
    ] {
        if let Some(rest) = bare.strip_suffix(ending)
            && rest.len() >= 3
        {
            add(&mut keys, rest);
            break;
        }
    }
    keys
}

/// The keys of a Latin word as it is written.
fn word_keys(word: &str) -> Vec<String> {
    let b = word.as_bytes();
    let vowel = |c: u8| b"aeiouwy".contains(&c);
    // Keys being built: «dh» is ض as often as ذ, so it makes two.
    let mut keys = vec![String::new()];
    let mut adjacent = false;
    let mut i = 0;
    while i < b.len() {
        let next = b.get(i + 1).copied();
        let (classes, used): (&[char], usize) = match (b[i], next) {
            (b's', Some(b'h')) => (&['c'], 2),
            (b'k', Some(b'h')) => (&['x'], 2),
            (b'g', Some(b'h')) => (&['g'], 2),
            (b't', Some(b'h')) => (&['z'], 2),
            (b'd', Some(b'h')) => (&['z', 'd'], 2),
            (b'c', Some(b'h')) => (&['k'], 2),
            (b'3', Some(b'\'')) => (&['g'], 2),
            (b'7', Some(b'\'')) => (&['x'], 2),
            (b'6', Some(b'\'')) => (&['z'], 2),
            (b'9', Some(b'\'')) => (&['d'], 2),
            (c, _) => {
                let class: &[char] = match c {
                    b'b' | b'p' => &['b'],
                    b't' | b'6' => &['t'],
                    b'z' => &['z'],
                    b'j' => &['j'],
                    // «-ah»/«-eh» at the end is the vowel ending, as a final ه.
                    b'h' if i + 1 == b.len() && i > 0 && vowel(b[i - 1]) => &[],
                    b'h' | b'7' => &['h'],
                    b'x' | b'5' => &['x'],
                    b'd' => &['d'],
                    b'r' => &['r'],
                    b's' | b'9' => &['s'],
                    b'3' => &['e'],
                    b'f' | b'v' => &['f'],
                    b'q' | b'g' | b'8' => &['q'],
                    b'k' | b'c' => &['k'],
                    b'l' => &['l'],
                    b'm' => &['m'],
                    b'n' => &['n'],
                    _ => &[],
                };
                (class, 1)
            }
        };
        match classes {
            [] => adjacent = false,
            [one] => {
                for key in &mut keys {
                    push_class(key, *one, adjacent);
                }
                adjacent = true;
            }
            many => {
                if keys.len() < 4 {
                    keys = keys
                        .iter()
                        .flat_map(|k| {
                            many.iter().map(move |c| {
                                let mut k = k.clone();
                                push_class(&mut k, *c, adjacent);
                                k
                            })
                        })
                        .collect();
                } else {
                    for key in &mut keys {
                        push_class(key, many[0], adjacent);
                    }
                }
                adjacent = true;
            }
        }
        i += used;
    }
    let long_enough =
        |k: &str| k.len() >= 3 || (k.len() == 2 && (has_digit_letter(word) || word.len() >= 4));
    let tanween = b.len() >= 4 && b[b.len() - 1] == b'n' && vowel(b[b.len() - 2]);
    let mut out: Vec<String> = Vec::new();
    for key in keys {
        if long_enough(&key) && !out.contains(&key) {
            out.push(key.clone());
        }
        // Tanween written out: «shukran» is also «شكرا».
        if tanween
            && let Some(short) = key.strip_suffix('n')
            && long_enough(short)
            && !out.iter().any(|k| k == short)
        {
            out.push(short.to_owned());
        }
    }
    out
}

/// The words of normalized text for the keys: letters, digits, and an apostrophe right
/// after a digit letter («3'», «6'») kept inside the word.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let start = rest.find(|c: char| c.is_alphanumeric())?;
        rest = &rest[start..];
        let mut end = rest.len();
        let mut prev = None;
        for (at, c) in rest.char_indices() {
            let digit_apostrophe = c == '\'' && matches!(prev, Some('3' | '5' | '6' | '7' | '9'));
            if !c.is_alphanumeric() && !digit_apostrophe {
                end = at;
                break;
            }
            prev = Some(c);
        }
        let (word, tail) = rest.split_at(end);
        rest = tail;
        Some(word.trim_end_matches('\''))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;
    use crate::stem::arabic_stem;

    fn ar(w: &str) -> String {
        arabic_key(&normalize(w)).unwrap_or_default()
    }

    fn la(w: &str) -> Vec<String> {
        latin_keys(&normalize(w))
    }

    #[test]
    fn both_scripts_meet_on_one_key() {
        for (latin, arabic) in [
            ("mar7aba", "مرحبا"),
            ("marhaba", "مرحبا"),
            ("7abibi", "حبيبي"),
            ("habibi", "حبيبي"),
            ("3ndi", "عندي"),
            ("6alabi", "طلبي"),
            ("talab", "طلب"),
            ("shlonk", "شلونك"),
            ("5alas", "خلاص"),
            ("khalas", "خلاص"),
            ("galb", "قلب"),
            ("8alb", "قلب"),
            ("chalb", "چلب"),
            ("ma3a", "مع"),
            ("mohammed", "محمد"),
            ("dubai", "دبي"),
            ("ya3tik", "يعطيك"),
            ("el6alab", "الطلب"),
            ("sh3'l", "شغل"),
        ] {
            assert!(
                la(latin).contains(&ar(arabic)),
                "{latin} {:?} / {arabic} {}",
                la(latin),
                ar(arabic)
            );
        }
    }

    #[test]
    fn tanween_and_the_article() {
        assert!(la("shukran").contains(&ar("شكرا")));
        assert!(la("afwan").contains(&ar("عفوا")) || la("3afwan").contains(&ar("عفوا")));
        // «assalam»: the article's lam is assimilated; the stem «سلام» carries the key.
        let stem = arabic_stem(&normalize("السلام")).to_owned();
        assert!(la("assalam").contains(&ar(&stem)));
    }

    #[test]
    fn what_cannot_be_arabizi_has_no_key() {
        assert!(la("48213").is_empty());
        assert!(la("ok").is_empty());
        assert!(la("iphone14").is_empty());
        assert!(la("a").is_empty());
        assert!(arabic_key("ا").is_none());
        assert!(arabic_key("order").is_none());
        // Two consonants count with a digit letter, or in a word of four letters or more.
        assert!(la("ha").is_empty());
        assert!(la("ala").is_empty());
        assert_eq!(la("7ala"), ["hl"]);
        assert_eq!(la("hala"), ["hl"]);
        // Too short to mean anything in either script: «wallah» and «والله» keep one consonant.
        assert!(la("wallah").is_empty());
        assert!(arabic_key(&normalize("والله")).is_none());
    }

    #[test]
    fn arabizi_endings_meet_the_arabic_stem() {
        let stem = |w: &str| ar(arabic_stem(&normalize(w)));
        assert!(la("3ndkom").contains(&stem("عندكم")));
        assert!(la("6alabat").contains(&stem("الطلبات")));
        assert!(la("el6alabat").contains(&stem("الطلبات")));
    }

    #[test]
    fn common_english_is_not_arabizi() {
        assert!(ENGLISH.windows(2).all(|w| w[0] < w[1]), "sorted, once each");
        assert!(la("order").is_empty());
        assert!(la("delivered").is_empty());
        assert_eq!(la("orderat"), ["rdrt", "rdr"]);
    }

    #[test]
    fn words_keep_a_digit_apostrophe() {
        let w: Vec<&str> = words("sh3'l 6'ahr, don't; 3ndi").collect();
        assert_eq!(w, ["sh3'l", "6'ahr", "don", "t", "3ndi"]);
    }
}
