//! The dashboard as CSV: UTF-8 with a byte-order mark, so spreadsheet programs read Arabic
//! names correctly. Sections (figures, days, channels, agents, heatmap) follow each other,
//! separated by an empty line. Values are plain (durations in minutes, Latin digits) so a
//! spreadsheet can compute with them; headings come from the caller, in its language.

use crate::{Dashboard, Unit};

/// The byte-order mark that starts the file.
pub const BOM: &str = "\u{feff}";

/// Column and section headings, in the reader's language.
pub trait Labels {
    /// A heading by Fluent id (`analytics-csv-…`, `analytics-fig-…`, `channel-…`).
    fn label(&self, id: &str) -> String;
}

/// Labels that are the ids themselves (tests, machine use).
#[derive(Debug, Clone, Copy, Default)]
pub struct Ids;

impl Labels for Ids {
    fn label(&self, id: &str) -> String {
        id.to_owned()
    }
}

fn field(value: &str) -> String {
    // Quote what needs it; a leading = + - @ would be a formula in a spreadsheet.
    let risky = value.starts_with(['=', '+', '-', '@']) && value.parse::<f64>().is_err();
    let value = if risky {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

fn line(out: &mut String, fields: &[String]) {
    let row: Vec<String> = fields.iter().map(|f| field(f)).collect();
    out.push_str(&row.join(","));
    out.push_str("\r\n");
}

fn number(v: Option<f64>) -> String {
    match v {
        None => String::new(),
        Some(v) if v.fract() == 0.0 => format!("{v:.0}"),
        Some(v) => format!("{v:.2}"),
    }
}

fn minutes(ms: Option<i64>) -> String {
    number(ms.map(|ms| (ms as f64 / 60_000.0 * 100.0).round() / 100.0))
}

/// The dashboard as CSV text, starting with the BOM.
pub fn to_csv(d: &Dashboard, labels: &dyn Labels) -> String {
    let l = |id: &str| labels.label(id);
    let mut out = String::from(BOM);
    line(
        &mut out,
        &[
            l("analytics-csv-figure"),
            l("analytics-csv-value"),
            l("analytics-csv-unit"),
        ],
    );
    for f in &d.figures {
        let (value, unit) = match f.unit {
            Unit::Duration => (minutes(f.value.map(|v| v as i64)), "analytics-csv-minutes"),
            Unit::Percent => (number(f.value), "analytics-csv-percent"),
            Unit::Score => (number(f.value), "analytics-csv-score"),
            Unit::Count => (number(f.value), "analytics-csv-count"),
        };
        line(
            &mut out,
            &[
                l(&format!("analytics-fig-{}", f.id.replace('_', "-"))),
                value,
                l(unit),
            ],
        );
    }
    out.push_str("\r\n");
    line(
        &mut out,
        &[
            l("analytics-csv-date"),
            l("analytics-csv-hijri"),
            l("analytics-fig-opened"),
            l("analytics-fig-resolved"),
            l("analytics-fig-messages-in"),
        ],
    );
    for day in &d.days {
        line(
            &mut out,
            &[
                day.date.clone(),
                day.hijri.map(|h| h.to_string()).unwrap_or_default(),
                day.opened.to_string(),
                day.resolved.to_string(),
                day.messages_in.to_string(),
            ],
        );
    }
    out.push_str("\r\n");
    line(
        &mut out,
        &[
            l("analytics-csv-channel"),
            l("analytics-fig-opened"),
            l("analytics-fig-resolved"),
            l("analytics-fig-messages-in"),
            l("analytics-fig-messages-out"),
            l("analytics-csv-first-response-minutes"),
        ],
    );
    for c in &d.channels {
        line(
            &mut out,
            &[
                l(&format!("channel-{}", c.channel)),
                c.opened.to_string(),
                c.resolved.to_string(),
                c.messages_in.to_string(),
                c.messages_out.to_string(),
                minutes(c.median_first_response_ms),
            ],
        );
    }
    out.push_str("\r\n");
    line(
        &mut out,
        &[
            l("analytics-csv-agent"),
            l("analytics-csv-replies"),
            l("analytics-fig-resolved"),
            l("analytics-csv-first-response-minutes"),
            l("analytics-fig-csat"),
        ],
    );
    for a in &d.agents {
        line(
            &mut out,
            &[
                a.name.clone(),
                a.replies.to_string(),
                a.resolved.to_string(),
                minutes(a.median_first_response_ms),
                number(a.csat_average),
            ],
        );
    }
    out.push_str("\r\n");
    let mut head = vec![l("analytics-csv-weekday")];
    head.extend((0..24).map(|h| format!("{h:02}")));
    line(&mut out, &head);
    for (row, weekday) in d.heatmap.weekdays.iter().enumerate() {
        let mut fields = vec![l(&format!("analytics-weekday-{weekday}"))];
        fields.extend(d.heatmap.cells[row].iter().map(u32::to_string));
        line(&mut out, &fields);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(field("نور, دبي"), "\"نور, دبي\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(field("-3"), "-3");
        assert_eq!(minutes(Some(90_000)), "1.50");
        assert_eq!(minutes(Some(120_000)), "2");
        assert_eq!(minutes(None), "");
    }
}
