//! Supervisor analytics, computed on this computer from the encrypted cache: it reads only the
//! cache, so it works offline. No Tauri here: the app, the command line and the benchmark call
//! [`dashboard`] alike.
//!
//! Days are cut in the workspace's IANA time zone; weeks start and weekends fall per country
//! ([`calendar::Country`], from the project's own table). Each figure names its definition (a
//! Fluent message id, `analytics-def-…`) and carries the conversations behind it.
//!
//! Definitions (the tooltips say the same in English and Arabic):
//! - *opened*: conversations created in the range;
//! - *resolved*: conversations whose `resolved_at` falls in the range;
//! - *messages in / out*: customer messages / replies (agents, AI, bots) written in the range;
//!   timeline events are not messages;
//! - *first response time*: for conversations opened in the range, from the customer's first
//!   message to the first reply by an agent or the AI (automatic greetings do not count);
//! - *resolution time*: for conversations resolved in the range, from creation to resolution;
//! - *window closed unanswered*: conversations on a channel with a reply window (WhatsApp,
//!   Messenger, Instagram: 24 h; TikTok: 48 h) where the window closed in the range with the
//!   customer's last message unanswered;
//! - *SLA breaches*: first responses later than the target (or still missing once the target has
//!   passed), and resolutions slower than the target (or still open once it has passed);
//! - *CSAT*: survey scores (1–5) of conversations resolved in the range;
//! - *handled by AI*: of the conversations opened in the range that got a reply, those answered
//!   by the AI alone;
//! - *resolved by AI* / *resolved by people*: of the conversations resolved in the range, those
//!   where only the AI replied / where an agent replied (the AI's hand-offs end up here);
//! - *busiest hours*: customer messages by local weekday and hour.
//!
//! Medians of an even count are the mean of the two middle values; p90 is the nearest rank.

pub mod calendar;
pub mod csv;

use std::collections::{BTreeMap, HashMap};

use jiff::{
    Timestamp, ToSpan,
    civil::Date,
    tz::{TimeZone, TimeZoneDatabase},
};
use serde::{Deserialize, Serialize};
use stepup_protocol::Channel;
use stepup_store::{
    Store, StoreError,
    analytics::{AnalyticsConversation, AnalyticsScope, EntryKind},
};

pub use calendar::{Country, Digits, HijriDate};

#[derive(Debug, thiserror::Error)]
pub enum AnalyticsError {
    #[error("unknown time zone {0}")]
    TimeZone(String),
    #[error("invalid range: {0}")]
    Range(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub type Result<T, E = AnalyticsError> = std::result::Result<T, E>;

/// The period the dashboard covers, in the workspace's days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Range {
    /// From today's midnight.
    Today,
    /// Today and the 6 days before it.
    Last7,
    Last30,
    Last90,
    /// From the start of this week (per country).
    ThisWeek,
    /// Whole days, both included (`YYYY-MM-DD`).
    Custom {
        from: String,
        to: String,
    },
}

/// Which conversations count.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
pub struct Filters {
    #[ts(optional)]
    pub channel: Option<Channel>,
    /// Team id.
    #[ts(optional)]
    pub team: Option<String>,
    /// Agent id (the assignee).
    #[ts(optional)]
    pub agent: Option<String>,
    /// Label id.
    #[ts(optional)]
    pub label: Option<String>,
}

/// Service-level targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
pub struct Targets {
    pub first_response_minutes: u32,
    pub resolution_hours: u32,
}

impl Default for Targets {
    /// A first answer within 15 minutes, a resolution within 24 hours.
    fn default() -> Self {
        Targets {
            first_response_minutes: 15,
            resolution_hours: 24,
        }
    }
}

/// What the dashboard is asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
pub struct Query {
    pub range: Range,
    pub filters: Filters,
    pub targets: Targets,
    /// Overrides the country derived from the workspace's time zone.
    #[ts(optional)]
    pub country: Option<Country>,
    /// Overrides the country's default digits.
    #[ts(optional)]
    pub digits: Option<Digits>,
    /// Label days with their Umm al-Qura Hijri date too.
    pub hijri: bool,
}

impl Default for Query {
    fn default() -> Self {
        Query {
            range: Range::Last7,
            filters: Filters::default(),
            targets: Targets::default(),
            country: None,
            digits: None,
            hijri: false,
        }
    }
}

/// How a figure's value reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Count,
    /// Milliseconds.
    Duration,
    /// 0–100.
    Percent,
    /// CSAT, 1–5.
    Score,
}

/// One headline figure.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Figure {
    /// `opened`, `resolved`, `messages_in`, …; its title is `analytics-fig-<id>`.
    pub id: String,
    /// `None` when there is nothing to measure (no responses yet, no surveys).
    pub value: Option<f64>,
    pub unit: Unit,
    /// The Fluent id of its definition.
    pub definition: String,
    /// The conversations behind it.
    pub conversations: Vec<String>,
}

/// One day of the range.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Day {
    /// `YYYY-MM-DD`, in the workspace's time zone.
    pub date: String,
    /// ISO weekday, Monday 1 … Sunday 7.
    pub weekday: u8,
    pub weekend: bool,
    pub hijri: Option<HijriDate>,
    pub opened: u32,
    pub resolved: u32,
    pub messages_in: u32,
}

/// Customer messages by weekday and hour; rows in the country's week order.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Heatmap {
    /// ISO weekdays of the rows, from the week start.
    pub weekdays: Vec<u8>,
    /// `cells[row][hour]`, hours 0–23 local.
    pub cells: Vec<Vec<u32>>,
    pub max: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ChannelRow {
    pub channel: Channel,
    pub opened: u32,
    pub resolved: u32,
    pub messages_in: u32,
    pub messages_out: u32,
    #[ts(type = "number | null")]
    pub median_first_response_ms: Option<i64>,
    pub conversations: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AgentRow {
    pub agent_id: String,
    pub name: String,
    /// Replies the agent wrote in the range.
    pub replies: u32,
    /// Conversations resolved in the range, assigned to the agent.
    pub resolved: u32,
    /// Of the conversations opened in the range that the agent answered first.
    #[ts(type = "number | null")]
    pub median_first_response_ms: Option<i64>,
    pub csat_average: Option<f64>,
    pub conversations: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Csat {
    pub average: Option<f64>,
    /// Responses scoring 1, 2, 3, 4 and 5.
    pub distribution: [u32; 5],
    pub responses: u32,
}

/// A name for an id (team, label, agent) for the filter controls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Choice {
    pub id: String,
    pub name: String,
}

/// The computed dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    /// Unix ms, inclusive.
    #[ts(type = "number")]
    pub from: i64,
    /// Unix ms, exclusive.
    #[ts(type = "number")]
    pub to: i64,
    pub time_zone: String,
    pub country: Country,
    /// ISO weekday the week starts on.
    pub week_start: u8,
    /// ISO weekdays of the weekend.
    pub weekend: Vec<u8>,
    pub digits: Digits,
    pub targets: Targets,
    pub figures: Vec<Figure>,
    pub days: Vec<Day>,
    pub heatmap: Heatmap,
    pub channels: Vec<ChannelRow>,
    pub agents: Vec<AgentRow>,
    pub csat: Csat,
    pub teams: Vec<Choice>,
    pub labels: Vec<Choice>,
    pub agent_choices: Vec<Choice>,
}

impl Dashboard {
    pub fn figure(&self, id: &str) -> Option<&Figure> {
        self.figures.iter().find(|f| f.id == id)
    }
}

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;
const LONGEST_WINDOW: i64 = 48 * HOUR;

fn zone(name: &str) -> Result<TimeZone> {
    TimeZoneDatabase::bundled()
        .get(name)
        .map_err(|_| AnalyticsError::TimeZone(name.to_owned()))
}

fn midnight(date: Date, tz: &TimeZone) -> Result<i64> {
    tz.to_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
        .map(|t| t.as_millisecond())
        .map_err(|e| AnalyticsError::Range(e.to_string()))
}

fn local_date(ms: i64, tz: &TimeZone) -> Date {
    Timestamp::from_millisecond(ms)
        .map(|t| tz.to_datetime(t).date())
        .unwrap_or_default()
}

/// The first and last day (both included) of `range` when it is `now`.
pub fn range_days(
    range: &Range,
    now: i64,
    tz: &TimeZone,
    country: Country,
) -> Result<(Date, Date)> {
    let today = local_date(now, tz);
    let back = |days: i64| {
        today
            .checked_sub(days.days())
            .map_err(|e| AnalyticsError::Range(e.to_string()))
    };
    Ok(match range {
        Range::Today => (today, today),
        Range::Last7 => (back(6)?, today),
        Range::Last30 => (back(29)?, today),
        Range::Last90 => (back(89)?, today),
        Range::ThisWeek => {
            let since = today.weekday().since(country.week_start());
            (back(i64::from(since))?, today)
        }
        Range::Custom { from, to } => {
            let parse = |s: &str| {
                s.parse::<Date>()
                    .map_err(|_| AnalyticsError::Range(format!("{s} is not a YYYY-MM-DD date")))
            };
            let (from, to) = (parse(from)?, parse(to)?);
            if to < from {
                return Err(AnalyticsError::Range(
                    "the range ends before it starts".into(),
                ));
            }
            if from.until(to).map_or(0, |s| s.get_days()) > 366 {
                return Err(AnalyticsError::Range("a range is at most a year".into()));
            }
            (from, to)
        }
    })
}

/// Today's date (`YYYY-MM-DD`) in the workspace's time zone.
pub async fn today(store: &Store, now: i64) -> Result<String> {
    let zone_name = store
        .analytics_reference()
        .await?
        .time_zone
        .unwrap_or_else(|| "Asia/Dubai".to_owned());
    Ok(local_date(now, &zone(&zone_name)?).to_string())
}

/// The date `days` days before `date` (`YYYY-MM-DD`).
pub fn days_before(date: &str, days: i64) -> Result<String> {
    let d: Date = date
        .parse()
        .map_err(|_| AnalyticsError::Range(format!("{date} is not a YYYY-MM-DD date")))?;
    d.checked_sub(days.days())
        .map(|d| d.to_string())
        .map_err(|e| AnalyticsError::Range(e.to_string()))
}

/// Median (mean of the two middle values for an even count) of sorted values.
pub fn median(sorted: &[i64]) -> Option<i64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2),
    }
}

/// Nearest-rank percentile `p` (0–100) of sorted values.
pub fn percentile(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (u64::from(p) * sorted.len() as u64).div_ceil(100).max(1);
    sorted
        .get(usize::try_from(rank).unwrap_or(usize::MAX) - 1)
        .copied()
}

/// What one conversation contributes, computed once.
struct Facts<'a> {
    c: &'a AnalyticsConversation,
    opened: bool,
    resolved: bool,
    /// From the first customer message to the first reply, and who replied (agent index).
    first_response: Option<(i64, Option<u32>)>,
    first_inbound: Option<i64>,
    replied: bool,
    human_replied: bool,
    ai_replied: bool,
    /// A reply window closed unanswered within the range.
    window_closed: bool,
}

fn facts<'a>(c: &'a AnalyticsConversation, from: i64, to: i64, now: i64) -> Facts<'a> {
    let opened = (from..to).contains(&c.created_at);
    let resolved = c.resolved_at.is_some_and(|r| (from..to).contains(&r));
    let is_reply = |k: EntryKind| matches!(k, EntryKind::Human | EntryKind::Ai);
    let first_inbound = c
        .entries
        .iter()
        .find(|e| e.kind == EntryKind::Inbound)
        .map(|e| e.at);
    let first_response = first_inbound.and_then(|fi| {
        c.entries
            .iter()
            .find(|e| e.at >= fi && is_reply(e.kind))
            .map(|e| (e.at - fi, e.agent))
    });
    let replied = c.entries.iter().any(|e| is_reply(e.kind));
    let human_replied = c.entries.iter().any(|e| e.kind == EntryKind::Human);
    let ai_replied = c.entries.iter().any(|e| e.kind == EntryKind::Ai);
    // Reply windows: each run of customer messages opens a window from its last message; a
    // reply within the window answers it; a later one (or none) means it closed unanswered.
    let mut window_closed = false;
    if let Some(window) = c.channel.free_text_window_ms() {
        let closes_in_range = |at: i64| (from..to).contains(&at) && at <= now;
        let mut waiting: Option<i64> = None;
        for e in &c.entries {
            match e.kind {
                EntryKind::Inbound => waiting = Some(e.at),
                k if is_reply(k) => {
                    if let Some(last) = waiting.take()
                        && e.at > last + window
                        && closes_in_range(last + window)
                    {
                        window_closed = true;
                    }
                }
                _ => {}
            }
        }
        if let Some(last) = waiting
            && closes_in_range(last + window)
        {
            window_closed = true;
        }
    }
    Facts {
        c,
        opened,
        resolved,
        first_response,
        first_inbound,
        replied,
        human_replied,
        ai_replied,
        window_closed,
    }
}

/// Computes the dashboard from the cache at `now` (Unix ms).
pub async fn dashboard(store: &Store, query: &Query, now: i64) -> Result<Dashboard> {
    let reference = store.analytics_reference().await?;
    let time_zone = reference
        .time_zone
        .clone()
        .unwrap_or_else(|| "Asia/Dubai".to_owned());
    let tz = zone(&time_zone)?;
    let country = query
        .country
        .unwrap_or_else(|| Country::from_time_zone(&time_zone));
    let (first_day, last_day) = range_days(&query.range, now, &tz, country)?;
    let from = midnight(first_day, &tz)?;
    let to = midnight(
        last_day
            .tomorrow()
            .map_err(|e| AnalyticsError::Range(e.to_string()))?,
        &tz,
    )?;
    let scope = AnalyticsScope {
        active_since: from - LONGEST_WINDOW,
        created_before: to,
        entries_since: from - LONGEST_WINDOW,
        channel: query.filters.channel,
        team: query.filters.team.clone(),
        agent: query.filters.agent.clone(),
        label: query.filters.label.clone(),
    };
    let data = store.analytics_data(&scope).await?;
    let names: HashMap<&str, &str> = reference
        .agents
        .iter()
        .map(|a| (a.id.as_str(), a.name.as_str()))
        .collect();

    // Days of the range, and a quick way from an instant to its day.
    let mut days = Vec::new();
    let mut starts = Vec::new();
    let mut d = first_day;
    while d <= last_day {
        starts.push(midnight(d, &tz)?);
        days.push(Day {
            date: d.to_string(),
            weekday: calendar::iso_weekday(d.weekday()),
            weekend: country.is_weekend(d.weekday()),
            hijri: if query.hijri {
                HijriDate::from_gregorian(d)
            } else {
                None
            },
            opened: 0,
            resolved: 0,
            messages_in: 0,
        });
        d = d
            .tomorrow()
            .map_err(|e| AnalyticsError::Range(e.to_string()))?;
    }
    let day_of = |at: i64| -> Option<usize> {
        if !(from..to).contains(&at) {
            return None;
        }
        // Days are 24 hours but where the clocks change: guess, then step to the right one.
        let mut day = (((at - from) / DAY) as usize).min(starts.len() - 1);
        while day > 0 && starts[day] > at {
            day -= 1;
        }
        while day + 1 < starts.len() && starts[day + 1] <= at {
            day += 1;
        }
        Some(day)
    };
    let week = country.week();
    let mut row_of = [0usize; 8];
    for (i, w) in week.iter().enumerate() {
        row_of[usize::from(calendar::iso_weekday(*w))] = i;
    }
    let mut heat = vec![vec![0u32; 24]; 7];
    // Each day's UTC offset (taken at noon: none of the Gulf's zones changes it), and its row.
    let day_offsets: Vec<i64> = starts
        .iter()
        .map(|s| {
            Timestamp::from_millisecond(s + 12 * HOUR)
                .map(|t| i64::from(tz.to_offset(t).seconds()) * 1000)
                .unwrap_or(0)
        })
        .collect();
    let day_rows: Vec<usize> = days
        .iter()
        .map(|d| row_of[usize::from(d.weekday)])
        .collect();
    let local = |at: i64, day: usize| -> (usize, usize) {
        let hour = ((at + day_offsets[day]).rem_euclid(24 * HOUR) / HOUR) as usize;
        (day_rows[day], hour)
    };

    let facts: Vec<Facts<'_>> = data
        .conversations
        .iter()
        .map(|c| facts(c, from, to, now))
        .collect();

    let mut opened = Vec::new();
    let mut resolved = Vec::new();
    let mut resolved_by_ai = Vec::new();
    let mut resolved_by_people = Vec::new();
    let (mut messages_in, mut messages_out) = (0u32, 0u32);
    let (mut with_in, mut with_out) = (Vec::new(), Vec::new());
    let mut first_responses: Vec<i64> = Vec::new();
    let mut responded = Vec::new();
    let mut resolutions: Vec<i64> = Vec::new();
    let mut window_closed = Vec::new();
    let mut sla_first = Vec::new();
    let mut sla_resolution = Vec::new();
    let mut csat = Csat {
        average: None,
        distribution: [0; 5],
        responses: 0,
    };
    let mut csat_ids = Vec::new();
    let mut ai_only = Vec::new();
    let mut answered = 0u32;
    let first_target = i64::from(query.targets.first_response_minutes) * 60_000;
    let resolution_target = i64::from(query.targets.resolution_hours) * HOUR;

    struct ChannelAcc {
        row: ChannelRow,
        first: Vec<i64>,
    }
    // By name: the channels are listed alphabetically.
    let mut channels: BTreeMap<&'static str, ChannelAcc> = BTreeMap::new();
    let mut agents: BTreeMap<String, AgentAcc> = BTreeMap::new();

    for f in &facts {
        let c = f.c;
        let ch = channels
            .entry(c.channel.as_str())
            .or_insert_with(|| ChannelAcc {
                row: ChannelRow {
                    channel: c.channel,
                    opened: 0,
                    resolved: 0,
                    messages_in: 0,
                    messages_out: 0,
                    median_first_response_ms: None,
                    conversations: Vec::new(),
                },
                first: Vec::new(),
            });
        let mut involved = false;
        let (mut has_in, mut has_out) = (false, false);
        // Replies per agent (index, count): one or two agents per conversation.
        let mut replied_by: Vec<(u32, u32)> = Vec::new();
        for e in &c.entries {
            let Some(day) = day_of(e.at) else { continue };
            match e.kind {
                EntryKind::Inbound => {
                    messages_in += 1;
                    ch.row.messages_in += 1;
                    days[day].messages_in += 1;
                    let (row, hour) = local(e.at, day);
                    heat[row][hour] += 1;
                    has_in = true;
                }
                EntryKind::Human | EntryKind::Ai | EntryKind::Bot => {
                    messages_out += 1;
                    ch.row.messages_out += 1;
                    has_out = true;
                    if e.kind == EntryKind::Human
                        && let Some(a) = e.agent
                    {
                        match replied_by.iter_mut().find(|(i, _)| *i == a) {
                            Some((_, n)) => *n += 1,
                            None => replied_by.push((a, 1)),
                        }
                    }
                }
                EntryKind::System => {}
            }
        }
        if has_in {
            with_in.push(c.id.clone());
            involved = true;
        }
        if has_out {
            with_out.push(c.id.clone());
            involved = true;
        }
        for (a, n) in replied_by {
            let id = &data.agents[a as usize];
            let acc = agents.entry(id.clone()).or_default();
            acc.replies += n;
            acc.conversations.push(c.id.clone());
        }
        // The cloud's deadlines where the workspace has an SLA policy; the report's own
        // targets otherwise.
        let cloud_first = c.sla.as_ref().and_then(|s| s.first_response_missed(now));
        let cloud_resolution = c
            .sla
            .as_ref()
            .and_then(|s| s.resolution_missed(c.resolved_at, now));
        if f.opened {
            involved = true;
            opened.push(c.id.clone());
            ch.row.opened += 1;
            if let Some(day) = day_of(c.created_at) {
                days[day].opened += 1;
            }
            match f.first_response {
                Some((ms, by)) => {
                    first_responses.push(ms);
                    ch.first.push(ms);
                    responded.push(c.id.clone());
                    if cloud_first.unwrap_or(ms > first_target) {
                        sla_first.push(c.id.clone());
                    }
                    if let Some(a) = by {
                        let id = &data.agents[a as usize];
                        let acc = agents.entry(id.clone()).or_default();
                        acc.first.push(ms);
                    }
                }
                None => {
                    if cloud_first.unwrap_or_else(|| {
                        f.first_inbound.is_some_and(|fi| now - fi > first_target)
                    }) {
                        sla_first.push(c.id.clone());
                    }
                }
            }
            if f.replied {
                answered += 1;
                if !f.human_replied {
                    ai_only.push(c.id.clone());
                }
            }
            if c.resolved_at.is_none()
                && cloud_resolution.unwrap_or(now - c.created_at > resolution_target)
            {
                sla_resolution.push(c.id.clone());
            }
        }
        if f.resolved {
            involved = true;
            resolved.push(c.id.clone());
            if f.human_replied {
                resolved_by_people.push(c.id.clone());
            } else if f.ai_replied {
                resolved_by_ai.push(c.id.clone());
            }
            ch.row.resolved += 1;
            let at = c.resolved_at.unwrap_or_default();
            if let Some(day) = day_of(at) {
                days[day].resolved += 1;
            }
            let took = at - c.created_at;
            resolutions.push(took);
            if cloud_resolution.unwrap_or(took > resolution_target) {
                sla_resolution.push(c.id.clone());
            }
            if let Some(score) = c.csat.filter(|s| (1..=5).contains(s)) {
                csat.distribution[usize::from(score) - 1] += 1;
                csat.responses += 1;
                csat_ids.push(c.id.clone());
            }
            if let Some(a) = &c.assignee_agent_id {
                let acc = agents.entry(a.clone()).or_default();
                acc.resolved += 1;
                if let Some(score) = c.csat {
                    acc.csat.push(score);
                }
                // Conversations are visited one at a time: one already listed is the last.
                if acc.conversations.last() != Some(&c.id) {
                    acc.conversations.push(c.id.clone());
                }
            }
        }
        if f.window_closed {
            involved = true;
            window_closed.push(c.id.clone());
        }
        if involved {
            ch.row.conversations.push(c.id.clone());
        }
    }
    if csat.responses > 0 {
        let total: u32 = csat
            .distribution
            .iter()
            .enumerate()
            .map(|(i, n)| (i as u32 + 1) * n)
            .sum();
        csat.average = Some(round2(f64::from(total) / f64::from(csat.responses)));
    }
    first_responses.sort_unstable();
    resolutions.sort_unstable();
    let as_f64 = |v: Option<i64>| v.map(|v| v as f64);
    let count = |ids: &Vec<String>| Some(ids.len() as f64);
    let fig = |id: &str, value: Option<f64>, unit: Unit, conversations: Vec<String>| Figure {
        id: id.to_owned(),
        value,
        unit,
        definition: format!("analytics-def-{}", id.replace('_', "-")),
        conversations,
    };
    let figures = vec![
        fig("opened", count(&opened), Unit::Count, opened.clone()),
        fig("resolved", count(&resolved), Unit::Count, resolved.clone()),
        fig(
            "messages_in",
            Some(f64::from(messages_in)),
            Unit::Count,
            with_in,
        ),
        fig(
            "messages_out",
            Some(f64::from(messages_out)),
            Unit::Count,
            with_out,
        ),
        fig(
            "first_response_median",
            as_f64(median(&first_responses)),
            Unit::Duration,
            responded.clone(),
        ),
        fig(
            "first_response_p90",
            as_f64(percentile(&first_responses, 90)),
            Unit::Duration,
            responded,
        ),
        fig(
            "resolution_median",
            as_f64(median(&resolutions)),
            Unit::Duration,
            resolved.clone(),
        ),
        fig(
            "resolution_p90",
            as_f64(percentile(&resolutions, 90)),
            Unit::Duration,
            resolved,
        ),
        fig(
            "window_closed",
            count(&window_closed),
            Unit::Count,
            window_closed,
        ),
        fig(
            "sla_first_response",
            count(&sla_first),
            Unit::Count,
            sla_first,
        ),
        fig(
            "sla_resolution",
            count(&sla_resolution),
            Unit::Count,
            sla_resolution,
        ),
        fig("csat", csat.average, Unit::Score, csat_ids),
        fig(
            "ai_share",
            (answered > 0).then(|| round2(100.0 * ai_only.len() as f64 / f64::from(answered))),
            Unit::Percent,
            ai_only,
        ),
        fig(
            "resolved_by_ai",
            count(&resolved_by_ai),
            Unit::Count,
            resolved_by_ai,
        ),
        fig(
            "resolved_by_people",
            count(&resolved_by_people),
            Unit::Count,
            resolved_by_people,
        ),
    ];

    let channels = channels
        .into_values()
        .map(|mut acc| {
            acc.first.sort_unstable();
            acc.row.median_first_response_ms = median(&acc.first);
            acc.row
        })
        .filter(|r| !r.conversations.is_empty())
        .collect();
    let mut agent_rows: Vec<AgentRow> = agents
        .into_iter()
        .map(|(id, mut acc)| {
            acc.first.sort_unstable();
            AgentRow {
                name: names.get(id.as_str()).copied().unwrap_or(&id).to_owned(),
                agent_id: id,
                replies: acc.replies,
                resolved: acc.resolved,
                median_first_response_ms: median(&acc.first),
                csat_average: (!acc.csat.is_empty()).then(|| {
                    round2(
                        acc.csat.iter().map(|s| f64::from(*s)).sum::<f64>() / acc.csat.len() as f64,
                    )
                }),
                conversations: acc.conversations,
            }
        })
        .collect();
    agent_rows.sort_by(|a, b| {
        b.resolved
            .cmp(&a.resolved)
            .then(b.replies.cmp(&a.replies))
            .then(a.name.cmp(&b.name))
    });
    let max = heat.iter().flatten().copied().max().unwrap_or(0);
    let choices = |list: &[stepup_store::analytics::Named]| {
        list.iter()
            .map(|n| Choice {
                id: n.id.clone(),
                name: n.name.clone(),
            })
            .collect()
    };
    Ok(Dashboard {
        from,
        to,
        time_zone,
        country,
        week_start: calendar::iso_weekday(country.week_start()),
        weekend: country
            .weekend()
            .iter()
            .map(|w| calendar::iso_weekday(*w))
            .collect(),
        digits: query.digits.unwrap_or_else(|| country.default_digits()),
        targets: query.targets,
        figures,
        days,
        heatmap: Heatmap {
            weekdays: week.iter().map(|w| calendar::iso_weekday(*w)).collect(),
            cells: heat,
            max,
        },
        channels,
        agents: agent_rows,
        csat,
        teams: choices(&reference.teams),
        labels: choices(&reference.labels),
        agent_choices: choices(&reference.agents),
    })
}

#[derive(Default)]
struct AgentAcc {
    replies: u32,
    resolved: u32,
    first: Vec<i64>,
    csat: Vec<u8>,
    conversations: Vec<String>,
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}
