//! The demo workspace: a Dubai electronics and perfume shop, seeded deterministically from a seed,
//! and a live generator that posts new inbound messages through the real webhook paths.
//!
//! The desktop app's demo mode calls [`start_demo`] on a server it started in-process.
//! `seed`: the workspace (teams, labels, canned responses, templates, staff);
//! `conversations`: one seeded conversation's history; `media`: the tiny generated photos and
//! voice notes; `generator`: the live traffic.

mod conversations;
mod generator;
mod media;
mod seed;

use rand::Rng;
use rand::rngs::StdRng;
use stepup_protocol::Role;

pub use self::generator::{WebhookDelivery, spawn_generator, webhook_delivery};
pub use self::media::{png, voice_note};
pub use self::seed::seed;
use crate::error::ServerError;
use crate::server::RunningServer;

/// Password of every demo login.
pub const DEMO_PASSWORD: &str = "stepup-demo";

/// One login printed in demo mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    pub role: Role,
    pub name: String,
    pub email: String,
    pub password: String,
}

/// What [`seed`] created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoInfo {
    pub workspace_id: String,
    pub logins: Vec<DemoLogin>,
    pub conversations: usize,
}

const FIRST: [&str; 24] = [
    "Fatima", "Ahmed", "Khalid", "Noura", "Mariam", "Yousef", "Hessa", "Abdullah", "Reem", "Hamad",
    "Dana", "Faisal", "Maitha", "Saeed", "Latifa", "Sultan", "Rahul", "Jason", "Anna", "Aisha",
    "Tariq", "Salma", "Majid", "Shamma",
];
const LAST: [&str; 14] = [
    "Al Mansouri",
    "Al Harthy",
    "Al Qasimi",
    "Saleh",
    "Al Zaabi",
    "Al Kuwari",
    "Al Suwaidi",
    "Al Otaibi",
    "Al Marri",
    "Al Shamsi",
    "Menon",
    "Williams",
    "Khan",
    "Al Ketbi",
];

/// (topic: 0 electronics, 1 perfumes, language tag, text)
const OPENERS: &[(usize, &str, &str)] = &[
    (0, "ar", "السلام عليكم، عندكم ايفون ١٦ برو ماكس ٢٥٦ جيجا؟"),
    (0, "ar", "كم سعر سماعات سوني WH-1000XM5؟"),
    (0, "ar", "الشاحن اللي اشتريته أمس ما يشتغل، أبغى أبدله"),
    (0, "ar", "متى يوصل طلبي رقم A-1042؟"),
    (0, "ar", "هل في توصيل لأبوظبي اليوم؟"),
    (0, "en", "Hi, do you have the Samsung S25 Ultra in stock?"),
    (0, "en", "My order hasn't arrived yet, it's been 3 days"),
    (0, "en", "Is the warranty on the MacBook Air international?"),
    (0, "en", "Can I pay with Tabby in 4 installments?"),
    (0, "en", "Do you deliver to Sharjah on Fridays?"),
    (0, "arabizi", "7abibi 3ndkom PS5 slim?"),
    (0, "arabizi", "salam, el charger ma yshta8el, ab8a abadlah"),
    (0, "arabizi", "kam se3r el airpods pro 2?"),
    (0, "arabizi", "mata yosal el order? 9ar lah 3 ayam"),
    (0, "mixed", "Hello، عندكم AirPods Pro 2 باللون الأبيض؟"),
    (
        0,
        "mixed",
        "السلام عليكم, my order A-2231 still not delivered",
    ),
    (0, "mixed", "ابغى اعرف عن الـ warranty حق اللابتوب"),
    (1, "ar", "عندكم عطر عود ملكي ١٠٠ مل؟"),
    (1, "ar", "أبغى هدية عطر لزوجتي بميزانية ٥٠٠ درهم"),
    (1, "ar", "هل العطور عندكم أصلية؟"),
    (1, "ar", "ممكن عينة قبل الشراء؟"),
    (1, "en", "Do you have Oud Al Layl 100ml?"),
    (1, "en", "Looking for a perfume gift set for Eid"),
    (1, "en", "Is the bakhoor back in stock?"),
    (1, "arabizi", "3ndkom 3oud malaki?"),
    (1, "arabizi", "abgha 3etr 7elw l zawjti"),
    (1, "arabizi", "el bakhoor 5ales wala mawjood?"),
    (1, "mixed", "Hi، ابغى perfume gift set للعيد"),
    (1, "mixed", "عندكم Dior Sauvage 200ml؟"),
];

/// How many customers per channel write again live; on Messenger and Instagram they are the
/// seeded customers with the first ids of [`returning_customer_id`], so they come with their
/// names (Meta's messaging webhooks carry only the sender's id).
const RETURNING_CUSTOMERS: u64 = 40;

/// The page-scoped id of the `n`th returning Messenger or Instagram customer.
fn returning_customer_id(n: u64) -> String {
    format!("70000000000{n:05}")
}

fn id(rng: &mut StdRng, prefix: &str) -> String {
    format!("{prefix}_{:016x}", rng.random::<u64>())
}

/// Seeds the demo workspace and starts the live generator (tied to the server's lifetime).
/// `per_minute = 0` leaves the generator off.
pub async fn start_demo(
    server: &mut RunningServer,
    seed_value: u64,
    per_minute: f64,
) -> Result<DemoInfo, ServerError> {
    let info = seed(&server.state, seed_value).await?;
    if let Some(task) = spawn_generator(server.state.clone(), server.url(), seed_value, per_minute)
    {
        server.attach(task);
    }
    Ok(info)
}
