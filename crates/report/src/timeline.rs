//! The event log as a timeline: a row per kind of event, a tick per step at which one
//! happened, the count of each kind beside its name.

use std::fmt::Write as _;

use crate::data::Table;
use crate::svg::{escape, x_ticks, COLOURS};

/// Most kinds drawn (the most frequent); the rest are counted in a last line.
const MAX_KINDS: usize = 18;

/// The timeline of `events` (an `events.csv`) over steps 0..=`last_step`, or `None` when the
/// log is empty; `dates` (the date of each step of a dated run) make the axis one of dates.
pub fn svg(events: &Table, last_step: f64, dates: Option<&[(f64, String)]>) -> Option<String> {
    window(events, 0.0, last_step, dates, "Event timeline")
}

/// The events from step `first` to step `last` only, on an axis of those steps: the decisive
/// days of a long run, whose events the whole run's timeline draws as one pixel column.
pub fn window(
    events: &Table,
    first: f64,
    last_step: f64,
    dates: Option<&[(f64, String)]>,
    title: &str,
) -> Option<String> {
    let (steps, kinds): (Vec<f64>, Vec<String>) = events
        .numbers("step")?
        .into_iter()
        .zip(events.texts("kind")?)
        .filter(|(st, _)| *st >= first && *st <= last_step)
        .unzip();
    if steps.is_empty() {
        return None;
    }
    let mut order: Vec<(String, usize)> = Vec::new();
    for k in &kinds {
        match order.iter_mut().find(|(n, _)| n == k) {
            Some(e) => e.1 += 1,
            None => order.push((k.clone(), 1)),
        }
    }
    let mut shown = order.clone();
    shown.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    shown.truncate(MAX_KINDS);
    order.retain(|(n, _)| shown.iter().any(|(m, _)| m == n));
    // Room on the right for half a date label under the last tick.
    let (w, left, right) = (760.0, 190.0, 45.0);
    let h = 50.0 + 20.0 * order.len() as f64 + 30.0;
    let pw = w - left - right;
    let last = last_step.max(first + 1.0);
    let sx = |s: f64| left + pw * (s - first) / (last - first);
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12" role="img">
<title>{title}</title>
<rect width="100%" height="100%" fill="white"/>
<text x="16" y="22" font-size="15">{title}</text>
"#,
        title = escape(title)
    );
    for (row, (kind, count)) in order.iter().enumerate() {
        let y = 44.0 + 20.0 * row as f64;
        let colour = COLOURS[(row + 1) % COLOURS.len()];
        let _ = writeln!(
            s,
            r##"<text x="{tx}" y="{ty:.1}" text-anchor="end">{k} ({c})</text><line x1="{left}" y1="{y:.1}" x2="{x2}" y2="{y:.1}" stroke="#eee"/>"##,
            tx = left - 8.0,
            ty = y + 4.0,
            // `crowd_policing` reads as "crowd policing".
            k = escape(&kind.replace('_', " ")),
            c = count,
            x2 = w - right
        );
        // One tick per pixel column at most: a thousand arrests in a week draw as one mark.
        let mut last_px = -1i64;
        let mut d = String::new();
        for (st, k) in steps.iter().zip(&kinds) {
            if k != kind || !st.is_finite() {
                continue;
            }
            let px = sx(*st).round() as i64;
            if px != last_px {
                let _ = write!(d, "M{px},{:.1} v12 ", y - 6.0);
                last_px = px;
            }
        }
        let _ = writeln!(
            s,
            r#"<path class="events" d="{}" stroke="{colour}" stroke-width="2"/>"#,
            d.trim_end()
        );
    }
    let axis = 44.0 + 20.0 * order.len() as f64;
    for (t, label) in x_ticks(dates, first, last) {
        let _ = writeln!(
            s,
            r##"<line x1="{x:.1}" y1="{axis}" x2="{x:.1}" y2="{y2}" stroke="#888"/><text x="{x:.1}" y="{ty}" text-anchor="middle">{n}</text>"##,
            x = sx(t),
            y2 = axis + 5.0,
            ty = axis + 18.0,
            n = escape(&label)
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
        left + pw / 2.0,
        h - 4.0,
        if dates.is_some() { "date" } else { "step" }
    );
    s.push_str("</svg>\n");
    Some(s)
}
