//! The seeded workspace: teams, labels, canned responses, templates, the staff and 320
//! conversations across the six channels.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use stepup_protocol::{
    CannedResponse, Channel, EntityKind, Label, Role, Team, Template, TemplateStatus,
};

use super::conversations::seed_conversation;
use super::{DEMO_PASSWORD, DemoInfo, DemoLogin, id};
use crate::error::ServerError;
use crate::state::AppState;
use crate::store::{self, Placement};
use crate::window::DAY_MS;

/// The setting naming the demo workspace, once seeded.
const DEMO_WORKSPACE: &str = "demo_workspace";

const STAFF: [(&str, &str, Role, usize); 7] = [
    ("Mona Al Falasi", "owner@noor.demo", Role::Admin, 9),
    ("Sara Haddad", "sara@noor.demo", Role::Supervisor, 9),
    ("Omar Khalil", "omar@noor.demo", Role::Agent, 0),
    ("Aisha Rahman", "aisha@noor.demo", Role::Agent, 0),
    ("Rashid Al Nuaimi", "rashid@noor.demo", Role::Agent, 0),
    ("Layla Mansour", "layla@noor.demo", Role::Agent, 1),
    ("Priya Nair", "priya@noor.demo", Role::Agent, 1),
];

/// Seeds the demo workspace (once per database) and makes it the webhook workspace.
/// Deterministic: the same seed and clock give the same workspace.
/// The demo shop's targets: a first answer within 30 minutes, resolution within a day.
pub const DEMO_SLA: stepup_protocol::SlaPolicy = stepup_protocol::SlaPolicy {
    first_response_minutes: Some(30),
    resolution_minutes: Some(24 * 60),
    business_hours_only: false,
};

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
    crate::hours::set_sla_policy(state, &ws.id, &DEMO_SLA).await?;
    // The assistant answers the website's visitors from the canned responses (the demo has no
    // model, so nothing leaves it) and hands them to the team when it cannot.
    crate::assistant::set_settings(
        state,
        &ws.id,
        stepup_protocol::AssistantSettings {
            auto_reply_channels: vec![stepup_protocol::Channel::Webchat],
            ..Default::default()
        },
    )
    .await?;

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
    // A follow-up broadcast to the customers who wrote in the last week, sent by the
    // supervisor (simulated: the demo has no WhatsApp account).
    if let Some(template) = templates
        .iter()
        .find(|t| t.name == "follow_up" && t.status == TemplateStatus::Approved)
    {
        let broadcast_id = id(&mut rng, "bc");
        crate::broadcasts::create_with_id(
            state,
            &ws.id,
            &supervisor_id,
            stepup_protocol::NewBroadcast {
                name: "Weekly follow-up · متابعة الأسبوع".into(),
                template_id: template.id.clone(),
                params: vec![stepup_protocol::TemplateParam::ContactName],
                audience: stepup_protocol::Audience {
                    last_contact_after: Some(now - 7 * DAY_MS),
                    ..Default::default()
                },
                send_at: None,
            },
            broadcast_id,
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
