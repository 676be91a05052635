//! The dashboard on hand-built caches (real SQLCipher files) with known answers: every figure,
//! filters, midnight and week boundaries in each Gulf time zone and weekend convention, Hijri
//! labels, digits and the CSV export.

use jiff::{civil::DateTime, tz::TimeZone};
use serde_json::{Value, json};
use stepup_analytics::{Country, Digits, Filters, Query, Range, Targets, dashboard};
use stepup_protocol::{Change, ChangeOp, EntityKind};
use stepup_store::{DbKey, Store};

const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;

/// Unix ms of a local time (`2026-03-04T10:00:00`) in `zone`.
fn at(zone: &str, local: &str) -> i64 {
    let tz = TimeZone::get(zone).unwrap();
    let dt: DateTime = local.parse().unwrap();
    tz.to_timestamp(dt).unwrap().as_millisecond()
}

/// A cache under construction.
struct Fixture {
    changes: Vec<Change>,
    messages: usize,
}

impl Fixture {
    fn new(zone: &str) -> Fixture {
        let mut f = Fixture {
            changes: Vec::new(),
            messages: 0,
        };
        f.entity(
            EntityKind::Workspace,
            "ws_1",
            json!({"id": "ws_1", "name": "Noor", "time_zone": zone}),
        );
        for (id, name, team) in [
            ("agt_a", "أمل Amal", "team_1"),
            ("agt_b", "Bilal", "team_2"),
        ] {
            f.entity(
                EntityKind::Agent,
                id,
                json!({"id": id, "workspace_id": "ws_1", "name": name, "email": format!("{id}@x.test"),
                       "role": "agent", "team_ids": [team], "presence": "online"}),
            );
        }
        f.entity(
            EntityKind::Team,
            "team_1",
            json!({"id": "team_1", "name": "Electronics"}),
        );
        f.entity(
            EntityKind::Team,
            "team_2",
            json!({"id": "team_2", "name": "Perfumes"}),
        );
        f.entity(
            EntityKind::Label,
            "lbl_vip",
            json!({"id": "lbl_vip", "name": "VIP", "color": "#b8860b"}),
        );
        f
    }

    fn entity(&mut self, entity: EntityKind, id: &str, data: Value) {
        self.changes.push(Change {
            seq: self.changes.len() as u64 + 1,
            at: 0,
            entity,
            id: id.to_owned(),
            op: ChangeOp::Upsert,
            data: Some(stepup_protocol::Entity::deserialize_kind(entity, data).unwrap()),
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn conversation(
        &mut self,
        id: &str,
        channel: &str,
        agent: Option<&str>,
        created_at: i64,
        resolved_at: Option<i64>,
        csat: Option<u8>,
        labels: &[&str],
        timeline: &[(i64, &str)],
    ) {
        let team = match agent {
            Some("agt_a") => Some("team_1"),
            Some(_) => Some("team_2"),
            None => None,
        };
        let last = timeline
            .iter()
            .filter(|(_, k)| !k.starts_with("event"))
            .map(|(t, _)| *t)
            .max()
            .unwrap_or(created_at);
        self.entity(
            EntityKind::Conversation,
            id,
            json!({
                "id": id, "contact_id": format!("ct_{id}"), "channel": channel,
                "status": if resolved_at.is_some() { "resolved" } else { "open" },
                "assignee_agent_id": agent, "assignee_team_id": team, "labels": labels,
                "priority": "normal", "created_at": created_at, "last_message_at": last,
                "unread_count": 0, "csat": csat, "resolved_at": resolved_at,
                "reply_window": {"free_text_until": null, "templates_allowed": false}
            }),
        );
        for (t, kind) in timeline {
            self.messages += 1;
            let mid = format!("msg_{}", self.messages);
            let (direction, origin, sender, content) = match *kind {
                "in" => (
                    "inbound",
                    "human",
                    None,
                    json!({"type": "text", "text": "مرحبا، عندكم عود؟"}),
                ),
                "bot" => (
                    "outbound",
                    "bot",
                    None,
                    json!({"type": "text", "text": "Welcome!"}),
                ),
                "ai" => (
                    "outbound",
                    "ai",
                    None,
                    json!({"type": "text", "text": "Yes, in stock."}),
                ),
                "event:resolved" | "event:assigned" => (
                    "outbound",
                    "system",
                    None,
                    json!({"type": "event", "event": {"kind": &kind[6..], "actor_agent_id": agent}}),
                ),
                agent_reply => (
                    "outbound",
                    "human",
                    Some(agent_reply.to_owned()),
                    json!({"type": "text", "text": "أهلاً! Yes."}),
                ),
            };
            self.entity(
                EntityKind::Message,
                &mid,
                json!({"id": mid, "conversation_id": id, "direction": direction, "origin": origin,
                       "sender_agent_id": sender, "content": content,
                       "status": if direction == "inbound" { "received" } else { "sent" },
                       "created_at": t}),
            );
        }
    }

    async fn store(self, dir: &std::path::Path) -> Store {
        let store = Store::open(&dir.join("cache.db"), &DbKey::from_bytes([7; 32]))
            .await
            .unwrap();
        let n = self.changes.len().to_string();
        store.apply_page(&self.changes, &n, true).await.unwrap();
        store
    }
}

fn query(range: Range) -> Query {
    Query {
        range,
        ..Query::default()
    }
}

fn value(d: &stepup_analytics::Dashboard, id: &str) -> Option<f64> {
    d.figure(id).unwrap().value
}

fn ids(d: &stepup_analytics::Dashboard, id: &str) -> Vec<String> {
    let mut ids = d.figure(id).unwrap().conversations.clone();
    ids.sort();
    ids
}

const DXB: &str = "Asia/Dubai";

/// One day in Dubai, Wednesday 4 March 2026, seen at 18:00.
async fn dubai_day(dir: &std::path::Path) -> (Store, i64) {
    let t = |s: &str| at(DXB, s);
    let mut f = Fixture::new(DXB);
    // Answered by Amal in 10 minutes (after a bot greeting), resolved in 2 h, CSAT 5.
    f.conversation(
        "c1",
        "whatsapp",
        Some("agt_a"),
        t("2026-03-04T09:00"),
        Some(t("2026-03-04T11:00")),
        Some(5),
        &["lbl_vip"],
        &[
            (t("2026-03-04T09:00"), "in"),
            (t("2026-03-04T09:00:02"), "bot"),
            (t("2026-03-04T09:01"), "event:assigned"),
            (t("2026-03-04T09:10"), "agt_a"),
            (t("2026-03-04T09:20"), "in"),
            (t("2026-03-04T09:25"), "agt_a"),
            (t("2026-03-04T11:00"), "event:resolved"),
        ],
    );
    // The AI answers in 30 s and nobody else does.
    f.conversation(
        "c2",
        "instagram",
        Some("agt_b"),
        t("2026-03-04T10:00"),
        None,
        None,
        &[],
        &[
            (t("2026-03-04T10:00"), "in"),
            (t("2026-03-04T10:00:30"), "ai"),
        ],
    );
    // Answered in 40 minutes (over the 15-minute target), resolved in 1 h, CSAT 3.
    f.conversation(
        "c3",
        "telegram",
        Some("agt_a"),
        t("2026-03-04T12:00"),
        Some(t("2026-03-04T13:00")),
        Some(3),
        &[],
        &[
            (t("2026-03-04T12:00"), "in"),
            (t("2026-03-04T12:40"), "agt_a"),
            (t("2026-03-04T13:00"), "event:resolved"),
        ],
    );
    // Yesterday's unanswered WhatsApp message: its window closed today at 09:00.
    f.conversation(
        "c4",
        "whatsapp",
        None,
        t("2026-03-03T09:00"),
        None,
        None,
        &[],
        &[(t("2026-03-03T09:00"), "in")],
    );
    // Opened one second before midnight, answered at midnight, resolved at 00:30 today.
    f.conversation(
        "c5",
        "webchat",
        Some("agt_b"),
        t("2026-03-03T23:59:59"),
        Some(t("2026-03-04T00:30")),
        None,
        &[],
        &[
            (t("2026-03-03T23:59:59"), "in"),
            (t("2026-03-04T00:00"), "agt_b"),
        ],
    );
    // Opened at midnight exactly; still unanswered.
    f.conversation(
        "c6",
        "messenger",
        Some("agt_b"),
        t("2026-03-04T00:00"),
        None,
        None,
        &[],
        &[(t("2026-03-04T00:00"), "in")],
    );
    (f.store(dir).await, t("2026-03-04T18:00"))
}

#[tokio::test]
async fn every_figure_of_a_known_day() {
    let dir = tempfile::tempdir().unwrap();
    let (store, now) = dubai_day(dir.path()).await;
    let d = dashboard(&store, &query(Range::Today), now).await.unwrap();
    assert_eq!(d.from, at(DXB, "2026-03-04T00:00"));
    assert_eq!(d.to, at(DXB, "2026-03-05T00:00"));
    assert_eq!(d.country, Country::AE);
    assert_eq!(d.digits, Digits::Latin);

    assert_eq!(value(&d, "opened"), Some(4.0));
    assert_eq!(ids(&d, "opened"), ["c1", "c2", "c3", "c6"]);
    assert_eq!(value(&d, "resolved"), Some(3.0));
    assert_eq!(ids(&d, "resolved"), ["c1", "c3", "c5"]);
    // Customer messages today (c5's came a second before midnight); replies by agents, the AI
    // and the bot; timeline events are not messages.
    assert_eq!(value(&d, "messages_in"), Some(5.0));
    assert_eq!(value(&d, "messages_out"), Some(6.0));
    assert_eq!(ids(&d, "messages_out"), ["c1", "c2", "c3", "c5"]);
    // First responses: 30 s (AI), 10 min (the bot's greeting does not count), 40 min.
    assert_eq!(value(&d, "first_response_median"), Some((10 * MIN) as f64));
    assert_eq!(value(&d, "first_response_p90"), Some((40 * MIN) as f64));
    assert_eq!(ids(&d, "first_response_median"), ["c1", "c2", "c3"]);
    // Resolutions: 30 min 1 s, 1 h, 2 h.
    assert_eq!(value(&d, "resolution_median"), Some(HOUR as f64));
    assert_eq!(value(&d, "resolution_p90"), Some((2 * HOUR) as f64));
    assert_eq!(value(&d, "window_closed"), Some(1.0));
    assert_eq!(ids(&d, "window_closed"), ["c4"]);
    assert_eq!(ids(&d, "sla_first_response"), ["c3", "c6"]);
    assert_eq!(value(&d, "sla_resolution"), Some(0.0));
    assert_eq!(value(&d, "csat"), Some(4.0));
    assert_eq!(d.csat.distribution, [0, 0, 1, 0, 1]);
    assert_eq!(ids(&d, "csat"), ["c1", "c3"]);
    assert_eq!(value(&d, "ai_share"), Some(33.33));
    assert_eq!(ids(&d, "ai_share"), ["c2"]);
    for f in &d.figures {
        assert_eq!(
            f.definition,
            format!("analytics-def-{}", f.id.replace('_', "-"))
        );
    }

    // Heatmap: the UAE's week starts on Monday, so Wednesday is the third row.
    assert_eq!(d.heatmap.weekdays, [1, 2, 3, 4, 5, 6, 7]);
    let wed = &d.heatmap.cells[2];
    assert_eq!((wed[0], wed[9], wed[10], wed[12]), (1, 2, 1, 1));
    assert_eq!(wed.iter().sum::<u32>(), 5);
    assert_eq!(d.heatmap.max, 2);

    let wa = d
        .channels
        .iter()
        .find(|c| c.channel == stepup_protocol::Channel::Whatsapp)
        .unwrap();
    assert_eq!(
        (wa.opened, wa.resolved, wa.messages_in, wa.messages_out),
        (1, 1, 2, 3)
    );
    assert_eq!(wa.median_first_response_ms, Some(10 * MIN));
    let mut behind = wa.conversations.clone();
    behind.sort();
    assert_eq!(behind, ["c1", "c4"]);
    assert_eq!(d.channels.len(), 5);

    // Leaderboard: Amal resolved two and replied three times; Bilal resolved c5.
    assert_eq!(d.agents.len(), 2);
    let amal = &d.agents[0];
    assert_eq!(amal.name, "أمل Amal");
    assert_eq!((amal.replies, amal.resolved), (3, 2));
    assert_eq!(amal.median_first_response_ms, Some(25 * MIN));
    assert_eq!(amal.csat_average, Some(4.0));
    let bilal = &d.agents[1];
    assert_eq!((bilal.replies, bilal.resolved), (1, 1));
    assert_eq!(bilal.median_first_response_ms, None);
    assert_eq!(bilal.conversations, ["c5"]);
    assert_eq!(d.teams.len(), 2);
    assert_eq!(d.labels[0].name, "VIP");

    // A stricter resolution target: c1 took 2 h; c2 and c6 are still open past it.
    let strict = Query {
        targets: Targets {
            first_response_minutes: 5,
            resolution_hours: 1,
        },
        ..query(Range::Today)
    };
    let d = dashboard(&store, &strict, now).await.unwrap();
    assert_eq!(ids(&d, "sla_resolution"), ["c1", "c2", "c6"]);
    assert_eq!(ids(&d, "sla_first_response"), ["c1", "c3", "c6"]);
    store.close().await;
}

#[tokio::test]
async fn filters_narrow_every_figure() {
    let dir = tempfile::tempdir().unwrap();
    let (store, now) = dubai_day(dir.path()).await;
    let with = |filters: Filters| Query {
        filters,
        ..query(Range::Today)
    };
    let d = dashboard(
        &store,
        &with(Filters {
            channel: Some(stepup_protocol::Channel::Whatsapp),
            ..Filters::default()
        }),
        now,
    )
    .await
    .unwrap();
    assert_eq!(ids(&d, "opened"), ["c1"]);
    assert_eq!(ids(&d, "window_closed"), ["c4"]);
    assert_eq!(value(&d, "messages_in"), Some(2.0));
    let d = dashboard(
        &store,
        &with(Filters {
            agent: Some("agt_b".into()),
            ..Filters::default()
        }),
        now,
    )
    .await
    .unwrap();
    assert_eq!(ids(&d, "opened"), ["c2", "c6"]);
    assert_eq!(ids(&d, "resolved"), ["c5"]);
    assert_eq!(value(&d, "ai_share"), Some(100.0));
    let d = dashboard(
        &store,
        &with(Filters {
            team: Some("team_1".into()),
            ..Filters::default()
        }),
        now,
    )
    .await
    .unwrap();
    assert_eq!(ids(&d, "opened"), ["c1", "c3"]);
    let d = dashboard(
        &store,
        &with(Filters {
            label: Some("lbl_vip".into()),
            ..Filters::default()
        }),
        now,
    )
    .await
    .unwrap();
    assert_eq!(ids(&d, "opened"), ["c1"]);
    assert_eq!(value(&d, "csat"), Some(5.0));
    assert_eq!(value(&d, "first_response_median"), Some((10 * MIN) as f64));
    store.close().await;
}

/// The same instant is after midnight in Dubai (+04) and before it in Riyadh (+03).
#[tokio::test]
async fn days_are_cut_in_the_workspace_zone() {
    let instant = at("UTC", "2026-03-03T20:30");
    let now = at("UTC", "2026-03-04T06:00");
    for (zone, opened_today, hour, weekday) in [
        (DXB, 1.0, 0usize, 3u8),
        ("Asia/Riyadh", 0.0, 23, 2),
        ("Asia/Muscat", 1.0, 0, 3),
        ("Asia/Qatar", 0.0, 23, 2),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut f = Fixture::new(zone);
        f.conversation(
            "c1",
            "telegram",
            None,
            instant,
            None,
            None,
            &[],
            &[(instant, "in")],
        );
        let store = f.store(dir.path()).await;
        let d = dashboard(&store, &query(Range::Today), now).await.unwrap();
        assert_eq!(value(&d, "opened"), Some(opened_today), "{zone}");
        let d = dashboard(&store, &query(Range::Last7), now).await.unwrap();
        assert_eq!(d.days.len(), 7);
        assert_eq!(d.days[6].date, "2026-03-04");
        let day = d.days.iter().find(|day| day.opened == 1).unwrap();
        assert_eq!(
            day.date,
            if opened_today == 1.0 {
                "2026-03-04"
            } else {
                "2026-03-03"
            },
            "{zone}"
        );
        assert_eq!(day.weekday, weekday);
        let row = d
            .heatmap
            .weekdays
            .iter()
            .position(|w| *w == weekday)
            .unwrap();
        assert_eq!(d.heatmap.cells[row][hour], 1, "{zone}");
        store.close().await;
    }
}

/// "This week" on Wednesday 4 March 2026 starts on Monday 2 March (AE), Sunday 1 March (SA)
/// or Saturday 28 February (QA, KW, BH, OM), at local midnight.
#[tokio::test]
async fn weeks_start_per_country_at_local_midnight() {
    let cases = [
        ("Asia/Dubai", None, 1, 3, 1u8, [6u8, 7]),
        ("Asia/Riyadh", None, 3, 4, 7, [5, 6]),
        ("Asia/Qatar", None, 5, 5, 6, [5, 6]),
        ("Asia/Kuwait", None, 5, 5, 6, [5, 6]),
        ("Asia/Bahrain", None, 5, 5, 6, [5, 6]),
        ("Asia/Muscat", None, 5, 5, 6, [5, 6]),
        // A Dubai workspace that follows Saudi conventions.
        ("Asia/Dubai", Some(Country::SA), 3, 4, 7, [5, 6]),
    ];
    for (zone, country, this_week, days, week_start, weekend) in cases {
        let dir = tempfile::tempdir().unwrap();
        let mut f = Fixture::new(zone);
        for (i, local) in [
            "2026-02-27T23:59:59", // Friday
            "2026-02-28T00:00:00", // Saturday
            "2026-02-28T23:59:59",
            "2026-03-01T00:00:00", // Sunday
            "2026-03-01T23:59:59",
            "2026-03-02T00:00:00", // Monday
        ]
        .iter()
        .enumerate()
        {
            let t = at(zone, local);
            f.conversation(
                &format!("c{i}"),
                "webchat",
                None,
                t,
                None,
                None,
                &[],
                &[(t, "in"), (t + MIN, "agt_a")],
            );
        }
        let store = f.store(dir.path()).await;
        let now = at(zone, "2026-03-04T12:00");
        let q = Query {
            country,
            ..query(Range::ThisWeek)
        };
        let d = dashboard(&store, &q, now).await.unwrap();
        assert_eq!(
            value(&d, "opened"),
            Some(f64::from(this_week)),
            "{zone} {country:?}"
        );
        assert_eq!(d.week_start, week_start);
        assert_eq!(d.weekend, weekend);
        assert_eq!(d.heatmap.weekdays[0], week_start);
        assert_eq!(d.days.len(), days);
        // Weekend days are flagged by the country's convention.
        let q = Query {
            country,
            ..query(Range::Last7)
        };
        let d = dashboard(&store, &q, now).await.unwrap();
        let flagged: Vec<&str> = d
            .days
            .iter()
            .filter(|d| d.weekend)
            .map(|d| d.date.as_str())
            .collect();
        if weekend == [6, 7] {
            assert_eq!(flagged, ["2026-02-28", "2026-03-01"]);
        } else {
            assert_eq!(flagged, ["2026-02-27", "2026-02-28"]);
        }
        // The week's first day starts at local midnight: one second earlier is the week before.
        let first = &d.days.iter().find(|d| d.weekday == week_start).unwrap();
        assert_eq!(first.opened, 1 + u32::from(week_start != 1), "{zone}");
        store.close().await;
    }
}

#[tokio::test]
async fn hijri_labels_digits_and_custom_ranges() {
    let dir = tempfile::tempdir().unwrap();
    let store = Fixture::new("Asia/Riyadh").store(dir.path()).await;
    let q = Query {
        range: Range::Custom {
            from: "2025-02-28".into(),
            to: "2025-03-01".into(),
        },
        hijri: true,
        ..Query::default()
    };
    let now = at("Asia/Riyadh", "2025-03-10T12:00");
    let d = dashboard(&store, &q, now).await.unwrap();
    assert_eq!(d.days.len(), 2);
    assert_eq!(d.days[1].hijri.unwrap().to_string(), "1446-09-01");
    assert_eq!(d.digits, Digits::ArabicIndic);
    assert_eq!(d.from, at("Asia/Riyadh", "2025-02-28T00:00"));
    assert_eq!(d.to, at("Asia/Riyadh", "2025-03-02T00:00"));
    // No surveys, no replies: nothing to measure rather than zero.
    assert_eq!(value(&d, "csat"), None);
    assert_eq!(value(&d, "first_response_median"), None);
    assert_eq!(value(&d, "ai_share"), None);
    let q = Query {
        digits: Some(Digits::Latin),
        ..q
    };
    assert_eq!(
        dashboard(&store, &q, now).await.unwrap().digits,
        Digits::Latin
    );
    let backwards = Query {
        range: Range::Custom {
            from: "2025-03-02".into(),
            to: "2025-03-01".into(),
        },
        ..Query::default()
    };
    assert!(dashboard(&store, &backwards, now).await.is_err());
    let nonsense = Query {
        range: Range::Custom {
            from: "yesterday".into(),
            to: "2025-03-01".into(),
        },
        ..Query::default()
    };
    assert!(dashboard(&store, &nonsense, now).await.is_err());
    store.close().await;
}

#[tokio::test]
async fn csv_has_a_bom_and_every_section() {
    let dir = tempfile::tempdir().unwrap();
    let (store, now) = dubai_day(dir.path()).await;
    let d = dashboard(&store, &query(Range::Today), now).await.unwrap();
    let csv = stepup_analytics::csv::to_csv(&d, &stepup_analytics::csv::Ids);
    assert!(csv.starts_with('\u{feff}'));
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines[0],
        "analytics-csv-figure,analytics-csv-value,analytics-csv-unit"
    );
    assert!(lines.contains(&"analytics-fig-opened,4,analytics-csv-count"));
    assert!(lines.contains(&"analytics-fig-first-response-median,10,analytics-csv-minutes"));
    assert!(lines.contains(&"analytics-fig-ai-share,33.33,analytics-csv-percent"));
    assert!(lines.contains(&"2026-03-04,,4,3,5"));
    assert!(lines.contains(&"أمل Amal,3,2,25,4"));
    assert!(lines.contains(&"channel-whatsapp,1,1,2,3,10"));
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("analytics-weekday-3,1,0,"))
    );
    store.close().await;
}

#[tokio::test]
async fn resolutions_by_the_assistant_alone_and_by_people() {
    let t = |s: &str| at(DXB, s);
    let mut f = Fixture::new(DXB);
    // The assistant answered and the conversation was resolved without a person's reply.
    f.conversation(
        "a1",
        "webchat",
        None,
        t("2026-03-04T09:00"),
        Some(t("2026-03-04T09:30")),
        None,
        &[],
        &[
            (t("2026-03-04T09:00"), "in"),
            (t("2026-03-04T09:00:20"), "ai"),
            (t("2026-03-04T09:30"), "event:resolved"),
        ],
    );
    // The assistant answered, then handed off; an agent finished it.
    f.conversation(
        "a2",
        "whatsapp",
        Some("agt_a"),
        t("2026-03-04T10:00"),
        Some(t("2026-03-04T11:00")),
        None,
        &[],
        &[
            (t("2026-03-04T10:00"), "in"),
            (t("2026-03-04T10:00:20"), "ai"),
            (t("2026-03-04T10:05"), "in"),
            (t("2026-03-04T10:20"), "agt_a"),
        ],
    );
    // People only.
    f.conversation(
        "a3",
        "telegram",
        Some("agt_b"),
        t("2026-03-04T12:00"),
        Some(t("2026-03-04T12:30")),
        None,
        &[],
        &[
            (t("2026-03-04T12:00"), "in"),
            (t("2026-03-04T12:10"), "agt_b"),
        ],
    );
    // Answered by the assistant, not resolved: in neither.
    f.conversation(
        "a4",
        "webchat",
        None,
        t("2026-03-04T13:00"),
        None,
        None,
        &[],
        &[
            (t("2026-03-04T13:00"), "in"),
            (t("2026-03-04T13:00:20"), "ai"),
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let store = f.store(dir.path()).await;
    let d = dashboard(&store, &query(Range::Today), t("2026-03-04T18:00"))
        .await
        .unwrap();
    assert_eq!(value(&d, "resolved"), Some(3.0));
    assert_eq!(value(&d, "resolved_by_ai"), Some(1.0));
    assert_eq!(ids(&d, "resolved_by_ai"), ["a1"]);
    assert_eq!(value(&d, "resolved_by_people"), Some(2.0));
    assert_eq!(ids(&d, "resolved_by_people"), ["a2", "a3"]);
    assert_eq!(ids(&d, "ai_share"), ["a1", "a4"]);
    // Closed before the test ends: exit handlers must not run under the cache's threads.
    store.close().await;
}
