//! Regions as a map: a circle per region at the position the scenario gives (x to the east,
//! y to the north, e.g. longitude and latitude), its area proportional to the population, its
//! colour the value of a series; in the report a slider (and a play button) walks through time.

use std::fmt::Write as _;

use crate::svg::{colour_of, escape, number};

/// A region on the map.
#[derive(Clone, Debug)]
pub struct Place {
    /// Name.
    pub name: String,
    /// East coordinate.
    pub x: f64,
    /// North coordinate.
    pub y: f64,
    /// Persons (sets the circle's area).
    pub population: f64,
}

/// One moment of the map: a label (date or step) and a value per region.
#[derive(Clone, Debug)]
pub struct Frame {
    /// Shown beside the slider.
    pub label: String,
    /// One value per place.
    pub values: Vec<f64>,
}

/// Most frames kept for the slider; longer runs are thinned evenly (the last kept).
pub const MAX_FRAMES: usize = 400;

const W: f64 = 560.0;
const H: f64 = 520.0;
const PAD: f64 = 60.0;

/// The map at its last frame as an SVG document; circles carry ids `<id>-r<k>` for the
/// report's slider.
pub fn svg(id: &str, title: &str, places: &[Place], frames: &[Frame], max: f64) -> String {
    let (x0, x1) = places
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            (a.min(p.x), b.max(p.x))
        });
    let (y0, y1) = places
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            (a.min(p.y), b.max(p.y))
        });
    let span = (x1 - x0).max(y1 - y0).max(1e-9);
    let scale = (W.min(H - 40.0) - 2.0 * PAD) / span;
    let sx = |x: f64| PAD + (x - x0) * scale + ((W - 2.0 * PAD) - (x1 - x0) * scale) / 2.0;
    let sy = |y: f64| 40.0 + PAD + (y1 - y) * scale;
    let pmax = places.iter().map(|p| p.population).fold(1.0f64, f64::max);
    let last = frames.last();
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12" role="img">
<title>{t}</title>
<rect width="100%" height="100%" fill="white"/>
<text x="16" y="24" font-size="15">{t}</text>
<text id="{id}-when" x="16" y="44">{when}</text>
"#,
        t = escape(title),
        when = escape(last.map_or("", |f| f.label.as_str()))
    );
    for (k, p) in places.iter().enumerate() {
        let v = last.map_or(f64::NAN, |f| f.values[k]);
        let r = 6.0 + 34.0 * (p.population / pmax).sqrt();
        let _ = writeln!(
            s,
            r##"<circle id="{id}-r{k}" class="region" cx="{cx:.1}" cy="{cy:.1}" r="{r:.1}" fill="{fill}" fill-opacity="0.85" stroke="#333"><title>{n}: {v}</title></circle><text x="{cx:.1}" y="{ty:.1}" text-anchor="middle" font-size="10">{n}</text>"##,
            cx = sx(p.x),
            cy = sy(p.y),
            fill = colour_of(v / max),
            n = escape(&p.name),
            v = escape(&number((v * 1000.0).round() / 1000.0)),
            ty = sy(p.y) + r + 11.0
        );
    }
    for k in 0..10 {
        let _ = writeln!(
            s,
            r#"<rect x="{:.1}" y="{:.1}" width="20" height="12" fill="{}"/>"#,
            W - 150.0 + 12.0 * f64::from(k),
            H - 30.0,
            colour_of(f64::from(k) / 9.0)
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="end">0</text><text x="{:.1}" y="{:.1}">{}</text>"#,
        W - 154.0,
        H - 20.0,
        W - 20.0 + 12.0,
        H - 20.0,
        escape(&number((max * 1000.0).round() / 1000.0))
    );
    s.push_str("</svg>\n");
    s
}

/// The frames and names as JSON for the slider script (`<` and `&` escaped so that the text
/// can sit inside a `<script>` element).
pub fn data_json(places: &[Place], frames: &[Frame], max: f64) -> String {
    let json = serde_json::json!({
        "regions": places.iter().map(|p| &p.name).collect::<Vec<_>>(),
        "max": max,
        "frames": frames.iter().map(|f| serde_json::json!({
            "label": f.label,
            "values": f.values.iter().map(|v| if v.is_finite() { serde_json::json!(v) } else { serde_json::Value::Null }).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });
    json.to_string()
        .replace('<', "\\u003c")
        .replace('&', "\\u0026")
}

/// Keeps at most [`MAX_FRAMES`] of `n` indices, evenly, the last included.
pub fn frame_indices(n: usize) -> Vec<usize> {
    if n <= MAX_FRAMES {
        return (0..n).collect();
    }
    (0..MAX_FRAMES)
        .map(|i| i * (n - 1) / (MAX_FRAMES - 1))
        .collect()
}
