//! What deserves a notification, and when. Pure and synchronous: the time is
//! passed in ([`Now`]), so tests drive it with a fake clock.
//!
//! Notified: a new customer message in a conversation assigned to me, or
//! unassigned in one of my teams (or in no team: the shared queue; an agent
//! in no team hears every unassigned conversation); a
//! conversation newly assigned to me; an @mention of me in a note; one of my
//! messages that failed. Never: my own messages, the conversation open in a
//! focused window, muted conversations (messages and mentions), Do Not
//! Disturb (the switch or the daily schedule), anything during the initial
//! sync, anything while notifications are off.
//!
//! Customer messages are grouped: the first of a burst shows at once, later
//! ones update that same notification ("5 new messages from 3 customers") at
//! most once per [`PolicyConfig::min_interval_ms`]. A burst ends after
//! [`PolicyConfig::burst_gap_ms`] of quiet, or when the agent looks at the app.

use std::collections::{BTreeSet, HashSet};

use stepup_protocol::Preview;

/// The signed-in agent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Me {
    pub agent_id: String,
    pub team_ids: Vec<String>,
}

/// A daily quiet period in local time, minutes after midnight. It may wrap
/// midnight (22:00 → 07:00); equal ends mean no quiet period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DndSchedule {
    pub start_minute: u16,
    pub end_minute: u16,
}

impl DndSchedule {
    pub fn contains(&self, minute_of_day: u16) -> bool {
        let (s, e, m) = (self.start_minute, self.end_minute, minute_of_day);
        match s.cmp(&e) {
            std::cmp::Ordering::Equal => false,
            std::cmp::Ordering::Less => s <= m && m < e,
            std::cmp::Ordering::Greater => m >= s || m < e,
        }
    }
}

/// The agent's notification settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefs {
    pub enabled: bool,
    pub hide_previews: bool,
    /// Show what customers wrote in conversations assigned to nobody (the shared queue, where
    /// an anonymous Web Chat visitor can write anything): off unless chosen.
    pub previews_unassigned: bool,
    pub sound: bool,
    pub dnd: bool,
    pub dnd_schedule: Option<DndSchedule>,
    pub muted: HashSet<String>,
}

impl Default for Prefs {
    fn default() -> Self {
        Prefs {
            enabled: true,
            hide_previews: false,
            previews_unassigned: false,
            sound: true,
            dnd: false,
            dnd_schedule: None,
            muted: HashSet::new(),
        }
    }
}

/// Which conversation the agent is looking at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Focus {
    /// A window of the app has the keyboard focus.
    pub window_focused: bool,
    /// The conversation open in that window.
    pub conversation: Option<String>,
}

/// The current time: UTC for intervals, the local offset for the schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Now {
    pub utc_ms: i64,
    pub local_offset_minutes: i32,
}

impl Now {
    pub fn utc(utc_ms: i64) -> Now {
        Now {
            utc_ms,
            local_offset_minutes: 0,
        }
    }

    fn local_minute_of_day(&self) -> u16 {
        let minutes = self.utc_ms.div_euclid(60_000) + i64::from(self.local_offset_minutes);
        u16::try_from(minutes.rem_euclid(24 * 60)).unwrap_or(0)
    }
}

/// A customer message, resolved against the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbound {
    pub conversation_id: String,
    pub contact_id: String,
    pub contact_name: String,
    /// The message's kind and the start of its text.
    pub preview: Preview,
    pub assignee_agent_id: Option<String>,
    pub assignee_team_id: Option<String>,
    /// Set when an agent wrote it (never for customer messages).
    pub sender_agent_id: Option<String>,
}

/// Something that may deserve a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Inbound(Inbound),
    Assigned {
        conversation_id: String,
        contact_name: String,
        /// Who assigned it, when known.
        by_agent_id: Option<String>,
    },
    Mention {
        conversation_id: String,
        contact_name: String,
        author_agent_id: String,
        author_name: String,
        mentions: Vec<String>,
    },
    SendFailed {
        conversation_id: String,
        contact_name: String,
    },
}

impl Event {
    pub fn conversation_id(&self) -> &str {
        match self {
            Event::Inbound(m) => &m.conversation_id,
            Event::Assigned {
                conversation_id, ..
            }
            | Event::Mention {
                conversation_id, ..
            }
            | Event::SendFailed {
                conversation_id, ..
            } => conversation_id,
        }
    }
}

/// Why an event shows nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    Disabled,
    InitialSync,
    Own,
    NotMine,
    Focused,
    Muted,
    DoNotDisturb,
    /// Part of a burst whose notification is updated later.
    Grouped,
}

/// What a notification says, before translation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// `count` customer messages from `customers` customers; the latest
    /// from `contact_name`, with its text unless previews are hidden.
    Messages {
        count: u32,
        customers: u32,
        contact_name: String,
        preview: Option<Preview>,
    },
    Assigned {
        contact_name: String,
    },
    Mention {
        contact_name: String,
        author_name: String,
    },
    SendFailed {
        contact_name: String,
    },
}

/// Which notification on screen a notice replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    /// The one notification of the current burst of customer messages.
    Messages,
    /// A notification of its own.
    Single(u64),
}

/// A notification to show (or to update, for [`Slot::Messages`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub slot: Slot,
    /// The conversation it opens.
    pub conversation_id: String,
    pub content: Content,
    pub sound: bool,
    /// Updates the burst notification already on screen (else a new one).
    pub update: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct PolicyConfig {
    /// At most one update of the burst notification per this interval.
    pub min_interval_ms: i64,
    /// A burst ends after this long without a new message.
    pub burst_gap_ms: i64,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        PolicyConfig {
            min_interval_ms: 3_000,
            burst_gap_ms: 120_000,
        }
    }
}

#[derive(Debug, Clone)]
struct Burst {
    last_event_at: i64,
    messages: u32,
    customers: BTreeSet<String>,
    latest: Inbound,
    /// Messages not yet reflected on screen.
    dirty: bool,
    /// Its notification is on screen (later ones update it, silently).
    shown: bool,
}

#[derive(Debug, Clone)]
pub struct Policy {
    cfg: PolicyConfig,
    me: Me,
    prefs: Prefs,
    focus: Focus,
    initial_sync: bool,
    burst: Option<Burst>,
    /// When the burst notification was last shown or updated.
    last_shown_at: Option<i64>,
    next_single: u64,
}

impl Policy {
    /// A new policy starts in the initial sync: call
    /// [`Policy::set_initial_sync`] with `false` once the cache is bootstrapped.
    pub fn new(cfg: PolicyConfig, me: Me) -> Policy {
        Policy {
            cfg,
            me,
            prefs: Prefs::default(),
            focus: Focus::default(),
            initial_sync: true,
            burst: None,
            last_shown_at: None,
            next_single: 0,
        }
    }

    pub fn me(&self) -> &Me {
        &self.me
    }

    pub fn set_me(&mut self, me: Me) {
        self.me = me;
    }

    pub fn prefs(&self) -> &Prefs {
        &self.prefs
    }

    pub fn set_prefs(&mut self, prefs: Prefs) {
        self.prefs = prefs;
    }

    /// Looking at the app ends the current burst: the next message starts a
    /// new notification.
    pub fn set_focus(&mut self, focus: Focus) {
        if focus.window_focused {
            self.burst = None;
        }
        self.focus = focus;
    }

    pub fn initial_sync(&self) -> bool {
        self.initial_sync
    }

    pub fn set_initial_sync(&mut self, initial: bool) {
        self.initial_sync = initial;
    }

    /// The agent saw the notifications (clicked one, opened the app).
    pub fn reset_burst(&mut self) {
        self.burst = None;
    }

    /// Decides about one event: a notice to show now, or why not.
    pub fn offer(&mut self, event: Event, now: Now) -> Result<Notice, Skip> {
        if !self.prefs.enabled {
            return Err(Skip::Disabled);
        }
        if self.initial_sync {
            return Err(Skip::InitialSync);
        }
        let conversation_id = event.conversation_id().to_owned();
        let me = self.me.agent_id.as_str();
        match &event {
            Event::Inbound(m) => {
                if m.sender_agent_id.as_deref() == Some(me) {
                    return Err(Skip::Own);
                }
                let mine = match (&m.assignee_agent_id, &m.assignee_team_id) {
                    (Some(agent), _) => agent == me,
                    (None, None) => true,
                    // An agent in no team sees the whole queue.
                    (None, Some(team)) => {
                        self.me.team_ids.is_empty() || self.me.team_ids.contains(team)
                    }
                };
                if !mine {
                    return Err(Skip::NotMine);
                }
            }
            Event::Assigned { by_agent_id, .. } => {
                if by_agent_id.as_deref() == Some(me) {
                    return Err(Skip::Own);
                }
            }
            Event::Mention {
                author_agent_id,
                mentions,
                ..
            } => {
                if author_agent_id == me {
                    return Err(Skip::Own);
                }
                if !mentions.iter().any(|m| m == me) {
                    return Err(Skip::NotMine);
                }
            }
            Event::SendFailed { .. } => {}
        }
        if self.focus.window_focused
            && self.focus.conversation.as_deref() == Some(conversation_id.as_str())
        {
            return Err(Skip::Focused);
        }
        let mutable = matches!(event, Event::Inbound(_) | Event::Mention { .. });
        if mutable && self.prefs.muted.contains(&conversation_id) {
            return Err(Skip::Muted);
        }
        if self.prefs.dnd
            || self
                .prefs
                .dnd_schedule
                .is_some_and(|s| s.contains(now.local_minute_of_day()))
        {
            return Err(Skip::DoNotDisturb);
        }
        let t = now.utc_ms;
        let single = |content, next: &mut u64| {
            *next += 1;
            Notice {
                slot: Slot::Single(*next),
                conversation_id: conversation_id.clone(),
                content,
                sound: self.prefs.sound,
                update: false,
            }
        };
        match event {
            Event::Inbound(m) => self.add_to_burst(m, t),
            Event::Assigned { contact_name, .. } => Ok(single(
                Content::Assigned { contact_name },
                &mut self.next_single,
            )),
            Event::Mention {
                contact_name,
                author_name,
                ..
            } => Ok(single(
                Content::Mention {
                    contact_name,
                    author_name,
                },
                &mut self.next_single,
            )),
            Event::SendFailed { contact_name, .. } => Ok(single(
                Content::SendFailed { contact_name },
                &mut self.next_single,
            )),
        }
    }

    fn add_to_burst(&mut self, m: Inbound, t: i64) -> Result<Notice, Skip> {
        match &mut self.burst {
            Some(b) if t - b.last_event_at <= self.cfg.burst_gap_ms => {
                b.messages += 1;
                b.customers.insert(m.contact_id.clone());
                b.latest = m;
                b.last_event_at = t;
                b.dirty = true;
            }
            _ => {
                self.burst = Some(Burst {
                    last_event_at: t,
                    messages: 1,
                    customers: BTreeSet::from([m.contact_id.clone()]),
                    latest: m,
                    dirty: true,
                    shown: false,
                });
            }
        }
        if self.rate_allows(t) {
            Ok(self.show_burst(t))
        } else {
            Err(Skip::Grouped)
        }
    }

    fn rate_allows(&self, t: i64) -> bool {
        self.last_shown_at
            .is_none_or(|last| t - last >= self.cfg.min_interval_ms)
    }

    fn show_burst(&mut self, t: i64) -> Notice {
        let b = self.burst.as_mut().expect("a burst is running");
        let hide = self.prefs.hide_previews
            || (b.latest.assignee_agent_id.is_none() && !self.prefs.previews_unassigned);
        let fresh = !b.shown;
        let sound = fresh && self.prefs.sound;
        b.dirty = false;
        b.shown = true;
        self.last_shown_at = Some(t);
        Notice {
            slot: Slot::Messages,
            conversation_id: b.latest.conversation_id.clone(),
            content: Content::Messages {
                count: b.messages,
                customers: u32::try_from(b.customers.len()).unwrap_or(u32::MAX),
                contact_name: b.latest.contact_name.clone(),
                preview: (!hide).then(|| b.latest.preview.clone()),
            },
            sound,
            update: !fresh,
        }
    }

    /// When [`Policy::due`] has something to show, if ever.
    pub fn next_due_at(&self) -> Option<i64> {
        self.burst.as_ref().filter(|b| b.dirty)?;
        Some(
            self.last_shown_at
                .map_or(i64::MIN, |last| last + self.cfg.min_interval_ms),
        )
    }

    /// The burst notification updated with the messages grouped since it
    /// was last shown, once the rate limit allows.
    pub fn due(&mut self, now: Now) -> Option<Notice> {
        let at = self.next_due_at()?;
        if now.utc_ms < at {
            return None;
        }
        if !self.prefs.enabled
            || self.prefs.dnd
            || self
                .prefs
                .dnd_schedule
                .is_some_and(|s| s.contains(now.local_minute_of_day()))
        {
            self.burst = None;
            return None;
        }
        Some(self.show_burst(now.utc_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stepup_protocol::MessageKind;

    /// A clock the test moves by hand.
    #[derive(Debug)]
    struct FakeClock(i64);

    impl FakeClock {
        fn now(&self) -> Now {
            Now::utc(self.0)
        }
        fn advance(&mut self, ms: i64) -> Now {
            self.0 += ms;
            self.now()
        }
    }

    fn me() -> Me {
        Me {
            agent_id: "agt_me".into(),
            team_ids: vec!["team_sales".into()],
        }
    }

    fn ready() -> Policy {
        let mut p = Policy::new(PolicyConfig::default(), me());
        p.set_initial_sync(false);
        p
    }

    fn inbound(conv: &str, contact: &str, assignee: Option<&str>, team: Option<&str>) -> Event {
        Event::Inbound(Inbound {
            conversation_id: conv.into(),
            contact_id: format!("ct_{contact}"),
            contact_name: contact.into(),
            preview: Preview {
                kind: MessageKind::Text,
                text: format!("hello from {contact}"),
            },
            assignee_agent_id: assignee.map(Into::into),
            assignee_team_id: team.map(Into::into),
            sender_agent_id: None,
        })
    }

    fn messages(n: &Notice) -> (u32, u32, String, Option<String>) {
        match &n.content {
            Content::Messages {
                count,
                customers,
                contact_name,
                preview,
            } => (
                *count,
                *customers,
                contact_name.clone(),
                preview.as_ref().map(|p| p.text.clone()),
            ),
            other => panic!("not a messages notice: {other:?}"),
        }
    }

    #[test]
    fn mine_and_my_teams_queue_notify_others_do_not() {
        let mut clock = FakeClock(1_000_000);
        let mut p = ready();
        let n = p
            .offer(inbound("c1", "Fatima", Some("agt_me"), None), clock.now())
            .unwrap();
        assert_eq!(n.slot, Slot::Messages);
        assert_eq!(n.conversation_id, "c1");
        assert!(n.sound);
        assert_eq!(
            messages(&n),
            (1, 1, "Fatima".into(), Some("hello from Fatima".into()))
        );
        p.reset_burst();
        let t = clock.advance(10_000);
        assert!(
            p.offer(inbound("c2", "Ahmed", None, Some("team_sales")), t)
                .is_ok()
        );
        p.reset_burst();
        let t = clock.advance(10_000);
        assert!(p.offer(inbound("c3", "Reem", None, None), t).is_ok());
        let t = clock.advance(10_000);
        assert_eq!(
            p.offer(inbound("c4", "Omar", Some("agt_other"), None), t),
            Err(Skip::NotMine)
        );
        assert_eq!(
            p.offer(inbound("c5", "Hessa", None, Some("team_support")), t),
            Err(Skip::NotMine)
        );
        // An agent in no team (a supervisor) hears the whole unassigned queue.
        p.set_me(Me {
            agent_id: "agt_me".into(),
            team_ids: vec![],
        });
        assert!(
            p.offer(inbound("c5", "Hessa", None, Some("team_support")), t)
                .is_ok()
        );
    }

    #[test]
    fn nothing_during_the_initial_sync_or_when_disabled() {
        let clock = FakeClock(0);
        let mut p = Policy::new(PolicyConfig::default(), me());
        assert_eq!(
            p.offer(inbound("c1", "Fatima", None, None), clock.now()),
            Err(Skip::InitialSync)
        );
        p.set_initial_sync(false);
        p.set_prefs(Prefs {
            enabled: false,
            ..Prefs::default()
        });
        assert_eq!(
            p.offer(inbound("c1", "Fatima", None, None), clock.now()),
            Err(Skip::Disabled)
        );
    }

    #[test]
    fn own_messages_mentions_and_assignments_are_silent() {
        let clock = FakeClock(0);
        let mut p = ready();
        let Event::Inbound(mut m) = inbound("c1", "Fatima", Some("agt_me"), None) else {
            unreachable!()
        };
        m.sender_agent_id = Some("agt_me".into());
        assert_eq!(p.offer(Event::Inbound(m), clock.now()), Err(Skip::Own));
        let mention = |author: &str, mentions: &[&str]| Event::Mention {
            conversation_id: "c1".into(),
            contact_name: "Fatima".into(),
            author_agent_id: author.into(),
            author_name: "Sara".into(),
            mentions: mentions.iter().map(|s| (*s).to_owned()).collect(),
        };
        assert_eq!(
            p.offer(mention("agt_me", &["agt_me"]), clock.now()),
            Err(Skip::Own)
        );
        assert_eq!(
            p.offer(mention("agt_sara", &["agt_omar"]), clock.now()),
            Err(Skip::NotMine)
        );
        let n = p
            .offer(mention("agt_sara", &["agt_omar", "agt_me"]), clock.now())
            .unwrap();
        assert_eq!(
            n.content,
            Content::Mention {
                contact_name: "Fatima".into(),
                author_name: "Sara".into()
            }
        );
        assert_eq!(
            p.offer(
                Event::Assigned {
                    conversation_id: "c1".into(),
                    contact_name: "Fatima".into(),
                    by_agent_id: Some("agt_me".into())
                },
                clock.now()
            ),
            Err(Skip::Own)
        );
        let n = p
            .offer(
                Event::Assigned {
                    conversation_id: "c1".into(),
                    contact_name: "Fatima".into(),
                    by_agent_id: None,
                },
                clock.now(),
            )
            .unwrap();
        assert!(matches!(n.slot, Slot::Single(_)));
    }

    #[test]
    fn the_conversation_open_in_a_focused_window_is_silent() {
        let mut clock = FakeClock(0);
        let mut p = ready();
        p.set_focus(Focus {
            window_focused: true,
            conversation: Some("c1".into()),
        });
        assert_eq!(
            p.offer(inbound("c1", "Fatima", None, None), clock.now()),
            Err(Skip::Focused)
        );
        // Another conversation still notifies.
        assert!(
            p.offer(inbound("c2", "Ahmed", None, None), clock.now())
                .is_ok()
        );
        // The same conversation behind another app's window notifies.
        p.set_focus(Focus {
            window_focused: false,
            conversation: Some("c1".into()),
        });
        let t = clock.advance(200_000);
        assert!(p.offer(inbound("c1", "Fatima", None, None), t).is_ok());
    }

    #[test]
    fn muted_conversations_are_silent_but_failures_still_show() {
        let clock = FakeClock(0);
        let mut p = ready();
        p.set_prefs(Prefs {
            muted: HashSet::from(["c1".to_owned()]),
            ..Prefs::default()
        });
        assert_eq!(
            p.offer(inbound("c1", "Fatima", None, None), clock.now()),
            Err(Skip::Muted)
        );
        assert!(
            p.offer(
                Event::SendFailed {
                    conversation_id: "c1".into(),
                    contact_name: "Fatima".into()
                },
                clock.now()
            )
            .is_ok()
        );
    }

    #[test]
    fn do_not_disturb_switch_and_schedule() {
        let mut p = ready();
        p.set_prefs(Prefs {
            dnd: true,
            ..Prefs::default()
        });
        assert_eq!(
            p.offer(inbound("c1", "Fatima", None, None), Now::utc(0)),
            Err(Skip::DoNotDisturb)
        );
        // 22:00 → 07:00 local time, in Dubai (UTC+4).
        p.set_prefs(Prefs {
            dnd_schedule: Some(DndSchedule {
                start_minute: 22 * 60,
                end_minute: 7 * 60,
            }),
            ..Prefs::default()
        });
        let dubai = |h: i64, m: i64| Now {
            utc_ms: ((h - 4) * 60 + m) * 60_000 + 10 * 86_400_000,
            local_offset_minutes: 240,
        };
        assert_eq!(
            p.offer(inbound("c1", "Fatima", None, None), dubai(23, 30)),
            Err(Skip::DoNotDisturb)
        );
        assert_eq!(
            p.offer(inbound("c1", "Fatima", None, None), dubai(6, 59)),
            Err(Skip::DoNotDisturb)
        );
        assert!(
            p.offer(inbound("c1", "Fatima", None, None), dubai(7, 0))
                .is_ok()
        );
        assert!(
            !DndSchedule {
                start_minute: 60,
                end_minute: 60
            }
            .contains(60)
        );
        assert!(
            DndSchedule {
                start_minute: 60,
                end_minute: 120
            }
            .contains(60)
        );
    }

    #[test]
    fn bursts_are_grouped_and_rate_limited() {
        let mut clock = FakeClock(5_000_000);
        let mut p = ready();
        p.set_prefs(Prefs {
            previews_unassigned: true,
            ..Prefs::default()
        });
        // The first message shows at once, with a sound.
        let first = p
            .offer(inbound("c1", "Fatima", None, None), clock.now())
            .unwrap();
        assert_eq!(messages(&first).0, 1);
        assert!(first.sound);
        // Four more within the interval, from three customers in all: grouped.
        for (conv, who) in [
            ("c2", "Ahmed"),
            ("c1", "Fatima"),
            ("c3", "Reem"),
            ("c2", "Ahmed"),
        ] {
            let t = clock.advance(300);
            assert_eq!(
                p.offer(inbound(conv, who, None, None), t),
                Err(Skip::Grouped)
            );
        }
        assert_eq!(p.next_due_at(), Some(5_000_000 + 3_000));
        assert_eq!(p.due(clock.now()), None, "not before the interval");
        let t = clock.advance(3_000 - 1_200);
        let update = p.due(t).expect("the grouped update");
        assert_eq!(update.slot, Slot::Messages);
        assert!(!update.sound, "updates are silent");
        assert_eq!(
            messages(&update),
            (5, 3, "Ahmed".into(), Some("hello from Ahmed".into()))
        );
        assert_eq!(p.due(clock.advance(10_000)), None, "nothing new");
        // The same burst goes on: the next message updates it at once.
        let t = clock.advance(1_000);
        let n = p.offer(inbound("c4", "Hamad", None, None), t).unwrap();
        assert_eq!(messages(&n).0, 6);
        // After a quiet gap a new burst starts from one, with a sound.
        let t = clock.advance(PolicyConfig::default().burst_gap_ms + 1);
        let n = p.offer(inbound("c4", "Hamad", None, None), t).unwrap();
        assert_eq!(
            messages(&n),
            (1, 1, "Hamad".into(), Some("hello from Hamad".into()))
        );
        assert!(n.sound);
    }

    #[test]
    fn focusing_the_window_ends_the_burst() {
        let mut clock = FakeClock(0);
        let mut p = ready();
        p.offer(inbound("c1", "Fatima", None, None), clock.now())
            .unwrap();
        let t = clock.advance(100);
        assert_eq!(
            p.offer(inbound("c1", "Fatima", None, None), t),
            Err(Skip::Grouped)
        );
        p.set_focus(Focus {
            window_focused: true,
            conversation: None,
        });
        assert_eq!(p.next_due_at(), None);
        p.set_focus(Focus::default());
        // Still rate-limited, but counting from one again.
        let t = clock.advance(100);
        assert_eq!(
            p.offer(inbound("c2", "Ahmed", None, None), t),
            Err(Skip::Grouped)
        );
        let n = p.due(clock.advance(3_000)).unwrap();
        assert_eq!(messages(&n).0, 1);
        assert!(n.sound && !n.update, "a new burst shown late is still new");
    }

    #[test]
    fn hidden_previews_and_no_sound() {
        let clock = FakeClock(0);
        let mut p = ready();
        p.set_prefs(Prefs {
            hide_previews: true,
            sound: false,
            ..Prefs::default()
        });
        let n = p
            .offer(inbound("c1", "Fatima", None, None), clock.now())
            .unwrap();
        assert_eq!(messages(&n).3, None);
        assert!(!n.sound);
    }

    #[test]
    fn the_shared_queue_shows_no_preview_unless_chosen() {
        let mut clock = FakeClock(0);
        let mut p = ready();
        // Unassigned (the shared queue, Web Chat's anonymous visitors): who, not what.
        let n = p
            .offer(
                inbound("c1", "Website visitor 2c10", None, None),
                clock.now(),
            )
            .unwrap();
        assert_eq!(messages(&n).3, None);
        // Assigned to me: the preview shows.
        let t = clock.advance(60_000);
        let n = p
            .offer(inbound("c2", "Fatima", Some("agt_me"), None), t)
            .unwrap();
        assert!(messages(&n).3.is_some());
        // Chosen: the queue's previews show too.
        p.set_prefs(Prefs {
            previews_unassigned: true,
            ..Prefs::default()
        });
        let t = clock.advance(60_000);
        let n = p
            .offer(inbound("c3", "Website visitor 9f1e", None, None), t)
            .unwrap();
        assert!(messages(&n).3.is_some());
    }

    #[test]
    fn dnd_drops_a_pending_update() {
        let mut clock = FakeClock(0);
        let mut p = ready();
        p.offer(inbound("c1", "Fatima", None, None), clock.now())
            .unwrap();
        let t = clock.advance(100);
        assert_eq!(
            p.offer(inbound("c1", "Fatima", None, None), t),
            Err(Skip::Grouped)
        );
        p.set_prefs(Prefs {
            dnd: true,
            ..Prefs::default()
        });
        assert_eq!(p.due(clock.advance(5_000)), None);
        assert_eq!(p.next_due_at(), None);
    }
}
