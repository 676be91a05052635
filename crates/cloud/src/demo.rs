//! The demo workspace: a Dubai electronics and perfume shop, seeded deterministically from a seed,
//! and a live generator that posts new inbound messages through the real webhook paths.
//!
//! The desktop app's demo mode calls [`start_demo`] on a server it started in-process.

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use sha2::{Digest, Sha256};
use stepup_protocol::{
    Attachment, AttachmentKind, AttachmentRef, CannedResponse, Channel, ChannelIdentity, Contact,
    Conversation, ConversationEvent, ConversationEventKind, ConversationStatus, Direction,
    EntityKind, Label, Message, MessageContent, MessageStatus, Note, Origin, Priority, Role, Team,
    Template, TemplateStatus,
};
use tokio::task::JoinHandle;

use crate::error::ServerError;
use crate::store::{self, Placement};
use crate::window::{DAY_MS, reply_window};
use crate::{AppState, RunningServer};

/// The setting naming the demo workspace, once seeded.
const DEMO_WORKSPACE: &str = "demo_workspace";

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

const STAFF: [(&str, &str, Role, usize); 7] = [
    ("Mona Al Falasi", "owner@noor.demo", Role::Admin, 9),
    ("Sara Haddad", "sara@noor.demo", Role::Supervisor, 9),
    ("Omar Khalil", "omar@noor.demo", Role::Agent, 0),
    ("Aisha Rahman", "aisha@noor.demo", Role::Agent, 0),
    ("Rashid Al Nuaimi", "rashid@noor.demo", Role::Agent, 0),
    ("Layla Mansour", "layla@noor.demo", Role::Agent, 1),
    ("Priya Nair", "priya@noor.demo", Role::Agent, 1),
];

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

const REPLIES_AR: [[&str; 3]; 2] = [
    [
        "أهلاً وسهلاً! نعم متوفر، السعر 4,999 درهم مع توصيل مجاني.",
        "نعتذر عن الإزعاج، راح نبدل لك الجهاز مجاناً خلال 24 ساعة.",
        "طلبك في الطريق وبيوصلك اليوم قبل الساعة 9 مساءً.",
    ],
    [
        "أهلاً وسهلاً! العطر متوفر في فرع دبي مول، السعر 350 درهم.",
        "عندنا طقم هدايا العيد بـ 480 درهم ويشمل تغليف مجاني.",
        "أكيد، العينات متوفرة في جميع فروعنا مجاناً.",
    ],
];
const REPLIES_EN: [[&str; 3]; 2] = [
    [
        "Hello! Yes, it's in stock at 4,999 AED with free delivery.",
        "Sorry about that! We'll replace it free of charge within 24 hours.",
        "Your order is out for delivery and will arrive today before 9 pm.",
    ],
    [
        "Hello! It's available at our Dubai Mall branch for 350 AED.",
        "Our Eid gift set is 480 AED and includes free gift wrapping.",
        "Of course, samples are free at all our branches.",
    ],
];
/// The automated greeting some channels send as soon as a customer writes.
const GREETINGS: [&str; 2] = [
    "أهلاً بك في نور! سيرد عليك أحد موظفينا خلال دقائق.",
    "Welcome to Noor! One of our team will be with you in a few minutes.",
];
/// Replies the AI assistant wrote and sent by itself.
const AI_REPLIES: [[&str; 2]; 2] = [
    [
        "مرحباً! التوصيل مجاني داخل دبي خلال 24 ساعة، ويمكنك تتبع طلبك من رابط الرسالة النصية.",
        "Hi! Delivery is free within Dubai in 24 hours; you can track your order from the SMS link.",
    ],
    [
        "مرحباً! جميع عطورنا أصلية ومتوفرة في فروعنا، والعينات مجانية.",
        "Hi! All our perfumes are original and in stock at our branches; samples are free.",
    ],
];
const FOLLOW_UPS: &[&str] = &[
    "شكراً",
    "Thanks!",
    "tamam, shukran",
    "👍",
    "تمام، بمر عليكم بكرة",
    "Perfect, I'll order now",
    "ok 7abibi",
];
const NOTES: &[&str] = &[
    "Customer is VIP, offer free gift wrapping",
    "Checked stock at Mall of the Emirates: 2 units left",
    "عميل دائم، أعطه خصم 10٪",
    "Asked the warehouse to prioritise this delivery",
    "@sara@noor.demo please approve the refund",
];

fn id(rng: &mut StdRng, prefix: &str) -> String {
    format!("{prefix}_{:016x}", rng.random::<u64>())
}

// -- Tiny generated media ---------------------------------------------------------------------

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A solid-colour PNG (stored deflate blocks, no compression library needed).
pub fn png(width: u32, height: u32, rgb: [u8; 3]) -> Vec<u8> {
    let mut row = vec![0u8];
    for _ in 0..width {
        row.extend_from_slice(&rgb);
    }
    let raw = row.repeat(height as usize);
    let mut z = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, b) in blocks.iter().enumerate() {
        z.push(u8::from(i + 1 == blocks.len()));
        let len = b.len() as u16;
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&(!len).to_le_bytes());
        z.extend_from_slice(b);
    }
    let (mut a, mut bsum) = (1u32, 0u32);
    for &x in &raw {
        a = (a + u32::from(x)) % 65_521;
        bsum = (bsum + a) % 65_521;
    }
    z.extend_from_slice(&((bsum << 16) | a).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], data: &[u8]| {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut c = kind.to_vec();
        c.extend_from_slice(data);
        out.extend_from_slice(&c);
        out.extend_from_slice(&crc32(&c).to_be_bytes());
    };
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(b"IHDR", &ihdr);
    chunk(b"IDAT", &z);
    chunk(b"IEND", &[]);
    out
}

/// A short 8 kHz mono WAV "voice note": a gliding tone.
pub fn voice_note(millis: u32, pitch: f64) -> Vec<u8> {
    let rate = 8_000u32;
    let n = rate * millis / 1000;
    let mut data = Vec::with_capacity(n as usize);
    for i in 0..n {
        let t = f64::from(i) / f64::from(rate);
        let env = (std::f64::consts::PI * f64::from(i) / f64::from(n)).sin();
        let v =
            128.0 + 90.0 * env * (2.0 * std::f64::consts::PI * pitch * (1.0 + 0.3 * t) * t).sin();
        data.push(v.clamp(0.0, 255.0) as u8);
    }
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(36 + n).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&8u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&data);
    out
}

// -- Seeding -----------------------------------------------------------------------------------

/// How many customers per channel write again live; on Messenger and Instagram they are the
/// seeded customers with the first ids of [`returning_customer_id`], so they come with their
/// names (Meta's messaging webhooks carry only the sender's id).
const RETURNING_CUSTOMERS: u64 = 40;

/// The page-scoped id of the `n`th returning Messenger or Instagram customer.
fn returning_customer_id(n: u64) -> String {
    format!("70000000000{n:05}")
}

fn external_id(rng: &mut StdRng, channel: Channel) -> String {
    match channel {
        Channel::Whatsapp => format!(
            "9715{}{:07}",
            rng.random_range(0..9),
            rng.random_range(0..10_000_000)
        ),
        Channel::Messenger | Channel::Instagram => format!(
            "{}",
            rng.random_range(1_000_000_000_000_000u64..9_999_999_999_999_999)
        ),
        Channel::Telegram => format!("{}", rng.random_range(100_000_000u64..999_999_999)),
        Channel::Tiktok => format!("conv-{:08x}", rng.random::<u32>()),
        Channel::Webchat => format!("vis_{:016x}", rng.random::<u64>()),
    }
}

/// Seeds the demo workspace (once per database) and makes it the webhook workspace.
/// Deterministic: the same seed and clock give the same workspace.
pub async fn seed(state: &AppState, seed: u64) -> Result<DemoInfo, ServerError> {
    let logins: Vec<DemoLogin> = STAFF
        .iter()
        .map(|(name, email, role, _)| DemoLogin {
            role: *role,
            name: (*name).to_owned(),
            email: (*email).to_owned(),
            password: DEMO_PASSWORD.to_owned(),
        })
        .collect();
    let existing = store::workspaces::setting(state.pool(), DEMO_WORKSPACE).await?;
    if let Some(ws) = existing {
        let n = store::conversations::count(state.pool(), &ws).await?;
        return Ok(DemoInfo {
            workspace_id: ws,
            logins,
            conversations: usize::try_from(n).unwrap_or(0),
        });
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let now = state.now();
    let ws_id = id(&mut rng, "ws");
    let ws = state
        .create_workspace_with_id(
            &ws_id,
            "Noor Electronics & Perfumes · نور للإلكترونيات والعطور",
            "Asia/Dubai",
        )
        .await?;
    state.set_webhook_workspace(&ws.id).await?;
    store::workspaces::set_setting(state.pool(), DEMO_WORKSPACE, &ws.id).await?;

    let teams = [
        Team {
            id: id(&mut rng, "team"),
            name: "Electronics · الإلكترونيات".into(),
        },
        Team {
            id: id(&mut rng, "team"),
            name: "Perfumes · العطور".into(),
        },
    ];
    let labels: Vec<Label> = [
        ("VIP", "#b8860b"),
        ("Order issue", "#c0392b"),
        ("Warranty", "#2980b9"),
        ("Delivery", "#16a085"),
        ("Wholesale", "#8e44ad"),
        ("Eid gift", "#d35400"),
    ]
    .iter()
    .map(|(n, c)| Label {
        id: id(&mut rng, "lbl"),
        name: (*n).into(),
        color: (*c).into(),
    })
    .collect();
    let canned: Vec<CannedResponse> = [
        (
            "hi",
            "ar",
            "ترحيب",
            "أهلاً وسهلاً بك في نور! كيف نقدر نساعدك اليوم؟",
        ),
        (
            "hi",
            "en",
            "Greeting",
            "Welcome to Noor! How can we help you today?",
        ),
        (
            "stock",
            "ar",
            "متوفر",
            "نعم متوفر، تقدر تطلبه من الموقع أو تزورنا في فرع دبي مول.",
        ),
        (
            "stock",
            "en",
            "In stock",
            "Yes, it's in stock. You can order online or visit our Dubai Mall branch.",
        ),
        (
            "delivery",
            "ar",
            "التوصيل",
            "التوصيل مجاني داخل دبي خلال 24 ساعة، ولباقي الإمارات خلال يومين.",
        ),
        (
            "delivery",
            "en",
            "Delivery",
            "Delivery is free within Dubai in 24 hours, and 2 days for the other emirates.",
        ),
        (
            "warranty",
            "ar",
            "الضمان",
            "جميع الأجهزة عليها ضمان سنتين من الوكيل.",
        ),
        (
            "warranty",
            "en",
            "Warranty",
            "All devices carry a 2-year agent warranty.",
        ),
        (
            "oud",
            "ar",
            "العود",
            "العود الملكي متوفر بحجم 50 مل بسعر 350 درهم و100 مل بسعر 620 درهم.",
        ),
        (
            "oud",
            "en",
            "Oud",
            "Royal Oud is available in 50 ml for 350 AED and 100 ml for 620 AED.",
        ),
        (
            "thanks",
            "ar",
            "شكر",
            "شكراً لتواصلك معنا! نتمنى لك يوماً سعيداً.",
        ),
        (
            "thanks",
            "en",
            "Thanks",
            "Thank you for contacting us! Have a great day.",
        ),
    ]
    .iter()
    .map(|(s, l, t, b)| CannedResponse {
        id: id(&mut rng, "can"),
        shortcut: (*s).into(),
        language: (*l).into(),
        title: (*t).into(),
        body: (*b).into(),
    })
    .collect();
    let templates: Vec<Template> = [
        (
            "order_ready",
            "ar",
            "UTILITY",
            "مرحباً {{1}}، طلبك رقم {{2}} جاهز للاستلام من فرع {{3}}.",
            TemplateStatus::Approved,
        ),
        (
            "order_ready",
            "en",
            "UTILITY",
            "Hello {{1}}, your order {{2}} is ready for pickup at our {{3}} branch.",
            TemplateStatus::Approved,
        ),
        (
            "delivery_update",
            "ar",
            "UTILITY",
            "طلبك {{1}} في الطريق وبيوصلك {{2}}.",
            TemplateStatus::Approved,
        ),
        (
            "delivery_update",
            "en",
            "UTILITY",
            "Your order {{1}} is on its way and will arrive {{2}}.",
            TemplateStatus::Approved,
        ),
        (
            "follow_up",
            "en",
            "UTILITY",
            "Hi {{1}}, we're following up on your question. Reply to continue the chat.",
            TemplateStatus::Approved,
        ),
        (
            "eid_offer",
            "ar",
            "MARKETING",
            "عيدكم مبارك! خصم {{1}}٪ على أطقم العطور حتى {{2}}.",
            TemplateStatus::Pending,
        ),
        (
            "eid_offer",
            "en",
            "MARKETING",
            "Eid Mubarak! {{1}}% off perfume gift sets until {{2}}.",
            TemplateStatus::Pending,
        ),
        (
            "csat_survey",
            "ar",
            "UTILITY",
            "كيف كانت تجربتك معنا؟ قيّمنا من 1 إلى 5.",
            TemplateStatus::Rejected,
        ),
    ]
    .iter()
    .map(|(n, l, c, b, s)| Template {
        id: id(&mut rng, "tpl"),
        channel: Channel::Whatsapp,
        name: (*n).into(),
        language: (*l).into(),
        category: (*c).into(),
        body: (*b).into(),
        status: *s,
    })
    .collect();

    let mut w = state.write(&ws.id).await?;
    for t in &teams {
        w.put(EntityKind::Team, &t.id, Placement::default(), t)
            .await?;
    }
    for l in &labels {
        w.put(EntityKind::Label, &l.id, Placement::default(), l)
            .await?;
    }
    for c in &canned {
        w.put(EntityKind::CannedResponse, &c.id, Placement::default(), c)
            .await?;
    }
    for t in &templates {
        w.put(EntityKind::Template, &t.id, Placement::default(), t)
            .await?;
    }
    state.commit(w).await?;

    let mut agents: Vec<(String, usize)> = Vec::new();
    for (name, email, role, team) in STAFF {
        let aid = id(&mut rng, "agt");
        let team_ids = if team < 2 {
            vec![teams[team].id.clone()]
        } else {
            vec![]
        };
        state
            .create_agent_with_id(&ws.id, &aid, name, email, DEMO_PASSWORD, role, team_ids)
            .await?;
        if role == Role::Agent {
            agents.push((aid, team));
        }
    }
    let supervisor_id = {
        let mut conn = state.pool().acquire().await?;
        store::auth::agent_with_email(&mut *conn, "sara@noor.demo").await?
    };

    let total = 320;
    for i in 0..total {
        let channel = Channel::ALL[i % 6];
        // Most conversations are older; a tail of recent ones keeps reply windows open.
        let age = if i % 10 == 0 {
            rng.random_range(0..20 * 3_600_000)
        } else {
            rng.random_range(0..90 * DAY_MS)
        };
        let start = now - age;
        seed_conversation(
            state,
            &ws.id,
            &mut rng,
            channel,
            (i / 6) as u64,
            start,
            now,
            &agents,
            &teams,
            &labels,
            &supervisor_id,
        )
        .await?;
    }
    tracing::info!(workspace = %ws.id, conversations = total, "demo workspace seeded");
    Ok(DemoInfo {
        workspace_id: ws.id,
        logins,
        conversations: total,
    })
}

#[allow(clippy::too_many_arguments)]
async fn seed_conversation(
    state: &AppState,
    ws: &str,
    rng: &mut StdRng,
    channel: Channel,
    serial: u64,
    start: i64,
    now: i64,
    agents: &[(String, usize)],
    teams: &[Team; 2],
    labels: &[Label],
    supervisor_id: &str,
) -> Result<(), ServerError> {
    let name = format!(
        "{} {}",
        FIRST[rng.random_range(0..FIRST.len())],
        LAST[rng.random_range(0..LAST.len())]
    );
    let mut ext = external_id(rng, channel);
    if matches!(channel, Channel::Messenger | Channel::Instagram) && serial < RETURNING_CUSTOMERS {
        ext = returning_customer_id(serial);
    }
    let (topic, lang, opener) = OPENERS[rng.random_range(0..OPENERS.len())];
    let contact = Contact {
        id: id(rng, "ct"),
        name: name.clone(),
        phone: (channel == Channel::Whatsapp).then(|| format!("+{ext}")),
        language: Some(if lang == "en" { "en" } else { "ar" }.into()),
        identities: vec![ChannelIdentity {
            channel,
            external_id: ext.clone(),
        }],
        created_at: start,
    };
    let conv_id = id(rng, "cnv");
    let mut w = state.write(ws).await?;
    w.put(
        EntityKind::Contact,
        &contact.id,
        Placement {
            parent_id: None,
            sort_at: start,
        },
        &contact,
    )
    .await?;
    w.set_lookup(
        "identity",
        &format!("{}:{ext}", channel.as_str()),
        &contact.id,
    )
    .await?;
    w.set_lookup(
        "conversation",
        &format!("{}:{}", channel.as_str(), contact.id),
        &conv_id,
    )
    .await?;

    let team = topic;
    let team_agents: Vec<&(String, usize)> = agents.iter().filter(|(_, t)| *t == team).collect();
    let assignee = if rng.random_bool(0.85) && !team_agents.is_empty() {
        Some(
            team_agents[rng.random_range(0..team_agents.len())]
                .0
                .clone(),
        )
    } else {
        None
    };
    let mut t = start;
    let mut messages: Vec<Message> = Vec::new();
    let mut last_inbound = start;
    let mut push = |rng: &mut StdRng,
                    t: i64,
                    direction: Direction,
                    content: MessageContent,
                    sender: Option<String>,
                    origin: Origin| {
        let outbound = direction == Direction::Outbound;
        let m = Message {
            id: id(rng, "msg"),
            conversation_id: conv_id.clone(),
            direction,
            sender_agent_id: sender,
            origin,
            content,
            reply_to_message_id: None,
            status: if outbound {
                [
                    MessageStatus::Read,
                    MessageStatus::Read,
                    MessageStatus::Delivered,
                    MessageStatus::Sent,
                ][rng.random_range(0..4)]
            } else {
                MessageStatus::Received
            },
            error: None,
            provider_message_id: Some(format!("demo.{:016x}", rng.random::<u64>())),
            created_at: t,
            edited_at: None,
        };
        messages.push(m);
    };
    push(
        rng,
        t,
        Direction::Inbound,
        MessageContent::Text {
            text: opener.into(),
        },
        None,
        Origin::Human,
    );
    let english = lang == "en";
    // WhatsApp, Instagram and Web Chat greet new customers automatically.
    if matches!(
        channel,
        Channel::Whatsapp | Channel::Instagram | Channel::Webchat
    ) && rng.random_bool(0.7)
    {
        let at = t + rng.random_range(1_000..5_000);
        push(
            rng,
            at,
            Direction::Outbound,
            MessageContent::Text {
                text: GREETINGS[usize::from(english)].into(),
            },
            None,
            Origin::Bot,
        );
    }
    // Some customers add a photo or a voice note.
    let media_roll = rng.random_range(0..10);
    if media_roll < 2 {
        t += rng.random_range(10_000..120_000);
        let (bytes, kind, ct, filename) = if media_roll == 0 {
            let rgb = [rng.random(), rng.random(), rng.random()];
            (
                png(32, 32, rgb),
                AttachmentKind::Image,
                "image/png",
                "photo.png",
            )
        } else {
            (
                voice_note(rng.random_range(600..1500), rng.random_range(180.0..320.0)),
                AttachmentKind::Voice,
                "audio/wav",
                "voice-note.wav",
            )
        };
        let att_id = id(rng, "att");
        let stored = Attachment {
            id: att_id.clone(),
            content_type: ct.into(),
            size: bytes.len() as u64,
            filename: filename.into(),
            sha256: hex::encode(Sha256::digest(&bytes)),
            created_at: t,
        };
        store::attachments::insert(w.conn(), ws, &stored, &bytes).await?;
        push(
            rng,
            t,
            Direction::Inbound,
            MessageContent::Attachment {
                attachment: AttachmentRef {
                    attachment_id: Some(att_id),
                    kind,
                    content_type: Some(ct.into()),
                    filename: Some(filename.into()),
                    provider_media_id: None,
                },
                caption: None,
            },
            None,
            Origin::Human,
        );
    }
    last_inbound = last_inbound.max(t);
    let exchanges = rng.random_range(1..=3);
    let replies = if lang == "en" {
        REPLIES_EN[topic]
    } else {
        REPLIES_AR[topic]
    };
    // The AI assistant answers some conversations by itself: all of them, or the first reply
    // before an agent takes over.
    let ai = match rng.random_range(0..10) {
        0 | 1 => 2,
        2 => 1,
        _ => 0,
    };
    for e in 0..exchanges {
        let by_ai = ai == 2 || (ai == 1 && e == 0);
        let reply_at = if by_ai {
            t + rng.random_range(5_000..30_000)
        } else {
            t + rng.random_range(60_000..3_600_000)
        };
        if reply_at >= now {
            break;
        }
        t = reply_at;
        let pick = (e + rng.random_range(0..3)) % 3;
        if by_ai {
            push(
                rng,
                t,
                Direction::Outbound,
                MessageContent::Text {
                    text: AI_REPLIES[topic][usize::from(english)].into(),
                },
                None,
                Origin::Ai,
            );
        } else {
            push(
                rng,
                t,
                Direction::Outbound,
                MessageContent::Text {
                    text: replies[pick].into(),
                },
                assignee.clone(),
                Origin::Human,
            );
        }
        let follow_at = t + rng.random_range(60_000..7_200_000);
        if follow_at >= now || rng.random_bool(0.3) {
            break;
        }
        t = follow_at;
        last_inbound = t;
        let pick = rng.random_range(0..FOLLOW_UPS.len());
        push(
            rng,
            t,
            Direction::Inbound,
            MessageContent::Text {
                text: FOLLOW_UPS[pick].into(),
            },
            None,
            Origin::Human,
        );
    }
    let recent = now - t < DAY_MS;
    let status = if recent {
        [
            ConversationStatus::Open,
            ConversationStatus::Open,
            ConversationStatus::Pending,
        ][rng.random_range(0..3)]
    } else {
        match rng.random_range(0..10) {
            0 => ConversationStatus::Pending,
            1 => ConversationStatus::Snoozed,
            2 => ConversationStatus::Open,
            _ => ConversationStatus::Resolved,
        }
    };
    let last = messages.last().map_or(start, |m| m.created_at);
    let unread = messages
        .iter()
        .rev()
        .take_while(|m| m.direction == Direction::Inbound)
        .count();
    let conv = Conversation {
        id: conv_id.clone(),
        contact_id: contact.id.clone(),
        channel,
        status,
        snoozed_until: (status == ConversationStatus::Snoozed)
            .then(|| now + rng.random_range(1..72) * 3_600_000),
        assignee_agent_id: assignee.clone(),
        assignee_team_id: Some(teams[team].id.clone()),
        labels: if rng.random_bool(0.4) {
            vec![labels[rng.random_range(0..labels.len())].id.clone()]
        } else {
            vec![]
        },
        priority: [
            Priority::Low,
            Priority::Normal,
            Priority::Normal,
            Priority::Normal,
            Priority::High,
            Priority::Urgent,
        ][rng.random_range(0..6)],
        created_at: start,
        last_message_at: last,
        last_inbound_at: Some(last_inbound),
        preview: messages.last().map(|m| m.content.preview()),
        read_up_to: if status == ConversationStatus::Resolved || unread == 0 {
            messages.last().map(|m| m.id.clone())
        } else {
            None
        },
        unread_count: if status == ConversationStatus::Resolved {
            0
        } else {
            u32::try_from(unread).unwrap_or(0)
        },
        reply_window: reply_window(channel, Some(last_inbound), start),
        csat: (status == ConversationStatus::Resolved && rng.random_bool(0.5))
            .then(|| [5u8, 5, 4, 4, 3, 2][rng.random_range(0..6)]),
        resolved_at: (status == ConversationStatus::Resolved)
            .then(|| (last + rng.random_range(60_000..86_400_000)).min(now)),
    };
    // The timeline: who the conversation was assigned to, and when it was resolved. Events are
    // system messages: they leave the last activity, the preview and the unread count alone.
    let event = |rng: &mut StdRng, at: i64, kind: ConversationEventKind| Message {
        id: id(rng, "msg"),
        conversation_id: conv_id.clone(),
        direction: Direction::Outbound,
        sender_agent_id: None,
        origin: Origin::System,
        content: MessageContent::Event {
            event: ConversationEvent {
                kind,
                actor_agent_id: Some(supervisor_id.to_owned()),
                agent_id: (kind == ConversationEventKind::Assigned)
                    .then(|| assignee.clone())
                    .flatten(),
                team_id: (kind == ConversationEventKind::Assigned).then(|| teams[team].id.clone()),
            },
        },
        reply_to_message_id: None,
        status: MessageStatus::Sent,
        error: None,
        provider_message_id: None,
        created_at: at,
        edited_at: None,
    };
    if assignee.is_some() {
        let at = (start + rng.random_range(20_000..300_000)).min(now);
        messages.push(event(rng, at, ConversationEventKind::Assigned));
    }
    if let Some(at) = conv.resolved_at {
        let mut resolved = event(rng, at, ConversationEventKind::Resolved);
        if let MessageContent::Event { event } = &mut resolved.content {
            event.actor_agent_id = assignee.clone().or(event.actor_agent_id.take());
        }
        messages.push(resolved);
    }
    for m in &messages {
        if let Some(p) = &m.provider_message_id {
            w.set_lookup("pmid", &format!("{}:{p}", channel.as_str()), &m.id)
                .await?;
        }
        w.put_message(m).await?;
    }
    if rng.random_bool(0.25) {
        let body = NOTES[rng.random_range(0..NOTES.len())];
        let note = Note {
            id: id(rng, "note"),
            conversation_id: conv_id.clone(),
            author_agent_id: assignee.clone().unwrap_or_else(|| supervisor_id.to_owned()),
            body: body.into(),
            mentions: if body.contains("@sara@noor.demo") {
                vec![supervisor_id.to_owned()]
            } else {
                vec![]
            },
            created_at: last,
        };
        w.put(
            EntityKind::Note,
            &note.id,
            Placement {
                parent_id: Some(&conv_id),
                sort_at: note.created_at,
            },
            &note,
        )
        .await?;
    }
    w.put_conversation(&conv).await?;
    state.commit(w).await?;
    Ok(())
}

// -- Live generator -----------------------------------------------------------------------------

/// One signed webhook request, ready to post.
#[derive(Debug, Clone)]
pub struct WebhookDelivery {
    pub path: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

/// Builds one signed webhook delivery for a channel. `None` when the channel's secret is not
/// configured (or for Web Chat, which has its own API).
pub fn webhook_delivery(
    state: &AppState,
    rng: &mut StdRng,
    channel: Channel,
    serial: u64,
) -> Option<WebhookDelivery> {
    let secrets = &state.config().secrets;
    let now = state.now();
    let (_, _, text) = OPENERS[rng.random_range(0..OPENERS.len())];
    let name = format!(
        "{} {}",
        FIRST[rng.random_range(0..FIRST.len())],
        LAST[rng.random_range(0..LAST.len())]
    );
    // A small pool of returning customers per channel.
    let who = rng.random_range(0..RETURNING_CUSTOMERS);
    match channel {
        Channel::Whatsapp | Channel::Messenger | Channel::Instagram => {
            let secret = secrets.meta_app_secret.as_ref()?;
            let body = if channel == Channel::Whatsapp {
                let wa = format!("97155{:07}", who);
                json!({"object": "whatsapp_business_account", "entry": [{"id": "demo-waba", "changes": [{"field": "messages", "value": {
                    "messaging_product": "whatsapp",
                    "metadata": {"display_phone_number": "971800666", "phone_number_id": "demo-phone"},
                    "contacts": [{"profile": {"name": name}, "wa_id": wa}],
                    "messages": [{"from": wa, "id": format!("wamid.live.{serial:x}.{:08x}", rng.random::<u32>()), "timestamp": (now / 1000).to_string(), "type": "text", "text": {"body": text}}]
                }}]}]})
            } else {
                let (object, prefix) = if channel == Channel::Messenger {
                    ("page", "m_")
                } else {
                    ("instagram", "aWdf")
                };
                json!({"object": object, "entry": [{"id": "demo-page", "time": now, "messaging": [{
                    "sender": {"id": returning_customer_id(who)}, "recipient": {"id": "demo-page"}, "timestamp": now,
                    "message": {"mid": format!("{prefix}live{serial:x}{:08x}", rng.random::<u32>()), "text": text}
                }]}]})
            };
            let bytes = serde_json::to_vec(&body).ok()?;
            let sig = crate::webhooks::meta_signature(secret.expose(), &bytes);
            Some(WebhookDelivery {
                path: format!("/webhooks/{}", channel.as_str()),
                headers: vec![("x-hub-signature-256", sig)],
                body: bytes,
            })
        }
        Channel::Telegram => {
            let secret = secrets.telegram_secret_token.as_ref()?;
            let chat = 500_000_000 + who;
            let body = json!({"update_id": 900_000_000u64 + serial * 1000 + rng.random_range(0..1000u64), "message": {
                "message_id": serial + 1, "from": {"id": chat, "is_bot": false, "first_name": name},
                "chat": {"id": chat, "type": "private"}, "date": now / 1000, "text": text}});
            let bytes = serde_json::to_vec(&body).ok()?;
            Some(WebhookDelivery {
                path: "/webhooks/telegram".into(),
                headers: vec![(
                    "x-telegram-bot-api-secret-token",
                    secret.expose().to_owned(),
                )],
                body: bytes,
            })
        }
        Channel::Tiktok => {
            let secret = secrets.tiktok_client_secret.as_ref()?;
            let content = json!({"conversation_id": format!("conv-live-{who}"), "message_id": format!("tt-live-{serial:x}-{:08x}", rng.random::<u32>()),
                "type": "text", "text": {"body": text}, "from_user": {"id": format!("user-{who}"), "display_name": name}, "timestamp": now});
            let body = json!({"client_key": "demo", "event": "im_receive_msg", "create_time": now / 1000, "user_openid": format!("demo-{who}"), "content": content.to_string()});
            let bytes = serde_json::to_vec(&body).ok()?;
            let sig = crate::webhooks::tiktok_signature(secret.expose(), now / 1000, &bytes);
            Some(WebhookDelivery {
                path: "/webhooks/tiktok".into(),
                headers: vec![("tiktok-signature", sig)],
                body: bytes,
            })
        }
        Channel::Webchat => None,
    }
}

/// Posts new inbound messages through the real webhook paths (and the Web Chat visitor API) of
/// the server at `base_url`, `per_minute` times a minute, until the task is aborted.
pub fn spawn_generator(
    state: AppState,
    base_url: String,
    seed: u64,
    per_minute: f64,
) -> Option<JoinHandle<()>> {
    if per_minute <= 0.0 || !per_minute.is_finite() {
        return None;
    }
    let every = Duration::from_secs_f64((60.0 / per_minute).max(0.01));
    Some(tokio::spawn(async move {
        let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed_11fe);
        let http = reqwest::Client::new();
        let mut visitor: Option<String> = None;
        let mut tick = tokio::time::interval(every);
        for serial in 0u64.. {
            tick.tick().await;
            // Replies the agents sent move on to delivered and read, as the providers report.
            for d in status_deliveries(&state).await {
                let mut req = http
                    .post(format!("{base_url}{}", d.path))
                    .header("content-type", "application/json")
                    .body(d.body);
                for (k, v) in d.headers {
                    req = req.header(k, v);
                }
                if let Err(e) = req.send().await {
                    tracing::warn!(error = %e.without_url(), "demo status delivery failed");
                }
            }
            let channel = Channel::ALL[rng.random_range(0..6)];
            let result = if channel == Channel::Webchat {
                webchat_message(&http, &base_url, &mut visitor, &mut rng, serial).await
            } else {
                match webhook_delivery(&state, &mut rng, channel, serial) {
                    Some(WebhookDelivery {
                        path,
                        headers,
                        body,
                    }) => {
                        let mut req = http
                            .post(format!("{base_url}{path}"))
                            .header("content-type", "application/json")
                            .body(body);
                        for (k, v) in headers {
                            req = req.header(k, v);
                        }
                        req.send().await.map(|r| r.status().as_u16())
                    }
                    None => continue,
                }
            };
            match result {
                Ok(s) if s < 300 => {
                    tracing::debug!(channel = channel.as_str(), "demo message posted")
                }
                Ok(s) => tracing::warn!(
                    channel = channel.as_str(),
                    status = s,
                    "demo webhook refused"
                ),
                Err(e) => {
                    tracing::warn!(error = %e.without_url(), "demo generator could not reach the server")
                }
            }
        }
    }))
}

/// Status webhooks that move recent outbound WhatsApp messages one step (sent → delivered →
/// read) and mark Messenger/Instagram ones delivered.
async fn status_deliveries(state: &AppState) -> Vec<WebhookDelivery> {
    let Some(secret) = state.config().secrets.meta_app_secret.clone() else {
        return Vec::new();
    };
    let Ok(Some(ws)) = state.webhook_workspace().await else {
        return Vec::new();
    };
    let since = state.now() - 6 * 3_600_000;
    let rows = match store::messages::awaiting_status(state.pool(), &ws, since).await {
        Ok(rows) => rows,
        Err(e) => {
            tracing::warn!(error = %e, "demo status query failed");
            return Vec::new();
        }
    };
    let now = state.now();
    rows.into_iter()
        .filter_map(|(pid, status, channel)| {
            let (path, body) = if channel == "whatsapp" {
                let next = if status == "sent" { "delivered" } else { "read" };
                (
                    "/webhooks/whatsapp",
                    json!({"object": "whatsapp_business_account", "entry": [{"id": "demo-waba", "changes": [{"field": "messages", "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "971800666", "phone_number_id": "demo-phone"},
                        "statuses": [{"id": pid, "status": next, "timestamp": (now / 1000).to_string()}]
                    }}]}]}),
                )
            } else {
                let (path, object) = if channel == "messenger" {
                    ("/webhooks/messenger", "page")
                } else {
                    ("/webhooks/instagram", "instagram")
                };
                (
                    path,
                    json!({"object": object, "entry": [{"id": "demo-page", "time": now, "messaging": [{
                        "sender": {"id": "demo-customer"}, "recipient": {"id": "demo-page"}, "timestamp": now,
                        "delivery": {"mids": [pid]}
                    }]}]}),
                )
            };
            let bytes = serde_json::to_vec(&body).ok()?;
            Some(WebhookDelivery {
                path: path.to_owned(),
                headers: vec![(
                    "x-hub-signature-256",
                    crate::webhooks::meta_signature(secret.expose(), &bytes),
                )],
                body: bytes,
            })
        })
        .collect()
}

async fn webchat_message(
    http: &reqwest::Client,
    base: &str,
    visitor: &mut Option<String>,
    rng: &mut StdRng,
    serial: u64,
) -> Result<u16, reqwest::Error> {
    if visitor.is_none() || rng.random_bool(0.2) {
        let r: serde_json::Value = http
            .post(format!("{base}/webchat/v1/sessions"))
            .json(&json!({"name": FIRST[rng.random_range(0..FIRST.len())]}))
            .send()
            .await?
            .json()
            .await?;
        *visitor = r["visitor_token"].as_str().map(str::to_owned);
    }
    let (_, _, text) = OPENERS[rng.random_range(0..OPENERS.len())];
    let r = http
        .post(format!("{base}/webchat/v1/messages"))
        .bearer_auth(visitor.as_deref().unwrap_or_default())
        .json(&json!({"client_message_id": format!("live-{serial}"), "text": text}))
        .send()
        .await?;
    Ok(r.status().as_u16())
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
