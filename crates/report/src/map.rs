//! Regions as a map: a circle per region at the position the scenario gives (x to the east,
//! y to the north, e.g. longitude and latitude), its area proportional to the population, its
//! colour the value of a series; in the report a slider (and a play button) walks through time.

use std::fmt::Write as _;

use crate::svg::{colour_of, escape, number};

/// A region on the map.
#[derive(Clone, Debug)]
pub struct Place {
    /// Name (as in the columns).
    pub name: String,
    /// What the map writes: the region's label, or its name.
    pub label: String,
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

/// A map's size (pixels) and the room above and below it (title, note): the report's and the
/// dashboard's, which draw the same map, so that labels placed apart here stay apart there.
pub const SIZE: (f64, f64) = (W, H);
/// Room above a map for its title, its date and the legend (pixels).
pub const TOP: f64 = 56.0;
/// Room below a map for its note (pixels).
pub const BOTTOM: f64 = 28.0;
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
<text class="map-title" x="16" y="24" font-size="15">{t}</text>
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
            n = escape(&p.label),
            v = escape(&number((v * 1000.0).round() / 1000.0)),
            ty = sy(p.y) + r + 11.0
        );
    }
    legend(&mut s, max, H - 30.0);
    s.push_str("</svg>\n");
    s
}

/// The colour legend: ten boxes whose top edge is at `y`, 0 left of them and the maximum
/// above their right end (right-aligned, so a long number never runs off the edge).
fn legend(s: &mut String, max: f64, y: f64) {
    for k in 0..10 {
        let _ = writeln!(
            s,
            r#"<rect x="{:.1}" y="{:.1}" width="12" height="12" fill="{}"/>"#,
            W - 130.0 + 12.0 * f64::from(k),
            y,
            colour_of(f64::from(k) / 9.0)
        );
    }
    let _ = writeln!(
        s,
        r#"<text class="legend-min" x="{:.1}" y="{:.1}" text-anchor="end">0</text><text class="legend-max" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
        W - 134.0,
        y + 10.0,
        W - 10.0,
        y - 4.0,
        escape(&number((max * 1000.0).round() / 1000.0))
    );
}

/// Region shapes for a run's maps, in place order: real shapes, or schematic cells around
/// the regions' points clipped to the outline (see [`crate::cells`]).
pub struct Geography {
    /// One shape per place.
    pub shapes: Vec<geo::MultiPolygon<f64>>,
    /// The land drawn behind them.
    pub background: geo::MultiPolygon<f64>,
    /// What the shapes are, and the data's credit.
    pub note: String,
}

/// A map's shapes projected into a picture: SVG path data for each region and for the land
/// behind them, and where each region's label goes. The report draws it, and the dashboard
/// receives it, so both show the same map.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Projected {
    /// Width and height of the picture (pixels).
    pub size: (f64, f64),
    /// One path per place, in place order.
    pub regions: Vec<String>,
    /// The land drawn behind them.
    pub background: String,
    /// Each place's label position (its point), in place order.
    pub labels: Vec<(f64, f64)>,
    /// What the shapes are, and the data's credit.
    pub note: String,
}

/// Projects `g` into a `w` × `h` picture, leaving `top` and `bottom` pixels free for a title
/// and a note: longitude and latitude are drawn with a degree east `cos(latitude)` of a degree
/// north, anything else as it is.
pub fn project(
    places: &[Place],
    g: &Geography,
    (w, h): (f64, f64),
    top: f64,
    bottom: f64,
) -> Projected {
    use geo::BoundingRect;
    let mut all: Vec<geo::Rect<f64>> = g.shapes.iter().filter_map(|m| m.bounding_rect()).collect();
    all.extend(
        places
            .iter()
            .map(|p| geo::Rect::new((p.x, p.y), (p.x, p.y))),
    );
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for r in &all {
        x0 = x0.min(r.min().x);
        y0 = y0.min(r.min().y);
        x1 = x1.max(r.max().x);
        y1 = y1.max(r.max().y);
    }
    let aspect = if y0 >= -90.0 && y1 <= 90.0 {
        ((y0 + y1) / 2.0).to_radians().cos().max(0.2)
    } else {
        1.0
    };
    let scale = ((w - 2.0 * 20.0) / ((x1 - x0) * aspect).max(1e-9))
        .min((h - top - bottom) / (y1 - y0).max(1e-9));
    let ox = (w - (x1 - x0) * aspect * scale) / 2.0;
    let sx = |x: f64| ox + (x - x0) * aspect * scale;
    let sy = |y: f64| top + (y1 - y) * scale;
    let path = |m: &geo::MultiPolygon<f64>| {
        let mut d = String::new();
        for p in m {
            for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                for (k, c) in ring.coords().enumerate() {
                    let _ = write!(
                        d,
                        "{}{:.1} {:.1}",
                        if k == 0 { "M" } else { "L" },
                        sx(c.x),
                        sy(c.y)
                    );
                }
                d.push('Z');
            }
        }
        d
    };
    Projected {
        size: (w, h),
        regions: g.shapes.iter().map(path).collect(),
        background: path(&g.background),
        labels: places.iter().map(|p| (sx(p.x), sy(p.y))).collect(),
        note: g.note.clone(),
    }
}

/// The map at its last frame with each region drawn as a shape (its real one, or a schematic
/// cell), over the land of the outline; shapes carry ids `<id>-r<k>` as the circles do.
/// The note under it says what the shapes are ("schematic provinces", a credit line).
pub fn svg_shapes(
    id: &str,
    title: &str,
    places: &[Place],
    g: &Geography,
    frames: &[Frame],
    max: f64,
) -> String {
    let p = project(places, g, SIZE, TOP, BOTTOM);
    let note = p.note.as_str();
    let last = frames.last();
    let mut s = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12" role="img">
<title>{t}</title>
<defs><clipPath id="{id}-view"><rect x="0" y="0" width="{W}" height="{H}"/></clipPath></defs>
<rect width="100%" height="100%" fill="#f4f7fa"/>
<path d="{bg}" fill="#e4e4e0" stroke="#b8b8b0" stroke-width="0.6" clip-path="url(#{id}-view)"/>
<text class="map-title" x="16" y="24" font-size="15">{t}</text>
<text id="{id}-when" x="16" y="44">{when}</text>
"##,
        t = escape(title),
        bg = p.background,
        when = escape(last.map_or("", |f| f.label.as_str()))
    );
    for (k, (place, d)) in places.iter().zip(&p.regions).enumerate() {
        let v = last.map_or(f64::NAN, |f| f.values[k]);
        let _ = writeln!(
            s,
            r##"<path id="{id}-r{k}" class="region" d="{d}" fill="{fill}" fill-rule="evenodd" stroke="#555" stroke-width="0.7"><title>{n}: {v}</title></path>"##,
            fill = colour_of(v / max),
            n = escape(&place.label),
            v = escape(&number((v * 1000.0).round() / 1000.0)),
        );
    }
    for (place, (x, y)) in places.iter().zip(&p.labels) {
        let _ = writeln!(
            s,
            r##"<text class="region-label" x="{x:.1}" y="{:.1}" text-anchor="middle" font-size="10" paint-order="stroke" stroke="white" stroke-width="2.5">{}</text>"##,
            y + 3.0,
            escape(&place.label)
        );
    }
    legend(&mut s, max, 30.0);
    let _ = writeln!(
        s,
        r##"<text class="map-note" x="16" y="{:.1}" font-size="10" fill="#555">{}</text>"##,
        H - 12.0,
        escape(note)
    );
    s.push_str("</svg>\n");
    s
}

/// The frames and names as JSON for the slider script (`<` and `&` escaped so that the text
/// can sit inside a `<script>` element).
pub fn data_json(places: &[Place], frames: &[Frame], max: f64) -> String {
    json_of(places, frames, max, None, |v| serde_json::json!(v))
}

/// [`data_json`] for one series of the map whose menu picks any per-region series: with its
/// title, and values to six decimals (shares of a region's people, or fractions: a millionth
/// is far below a colour step), so that thirty series fit in a report.
pub fn menu_json(places: &[Place], frames: &[Frame], max: f64, title: &str) -> String {
    json_of(places, frames, max, Some(title), |v| {
        serde_json::json!((v * 1e6).round() / 1e6)
    })
}

fn json_of(
    places: &[Place],
    frames: &[Frame],
    max: f64,
    title: Option<&str>,
    value: impl Fn(f64) -> serde_json::Value,
) -> String {
    let mut json = serde_json::json!({
        "regions": places.iter().map(|p| &p.name).collect::<Vec<_>>(),
        "max": max,
        "frames": frames.iter().map(|f| serde_json::json!({
            "label": f.label,
            "values": f.values.iter().map(|&v| if v.is_finite() { value(v) } else { serde_json::Value::Null }).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });
    if let Some(t) = title {
        json["title"] = serde_json::json!(t);
    }
    json.to_string()
        .replace('<', "\\u003c")
        .replace('&', "\\u0026")
}

/// Keeps at most [`MAX_FRAMES`] of `n` indices, evenly, the last included.
pub fn frame_indices(n: usize) -> Vec<usize> {
    frame_indices_with(n, None)
}

/// [`frame_indices`], with every index of `focus` (first, last; the decisive period) kept
/// when it takes at most half the frames: the slider then moves day by day there.
pub fn frame_indices_with(n: usize, focus: Option<(usize, usize)>) -> Vec<usize> {
    if n <= MAX_FRAMES {
        return (0..n).collect();
    }
    let Some((a, b)) = focus.filter(|&(a, b)| a <= b && b < n && b - a < MAX_FRAMES / 2) else {
        return (0..MAX_FRAMES)
            .map(|i| i * (n - 1) / (MAX_FRAMES - 1))
            .collect();
    };
    let budget = MAX_FRAMES - (b - a + 1);
    let mut out: Vec<usize> = (0..budget)
        .map(|i| i * (n - 1) / (budget - 1).max(1))
        .collect();
    out.extend(a..=b);
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_decisive_period_gets_a_frame_per_step() {
        let idx = frame_indices_with(3389, Some((3380, 3388)));
        assert!(idx.len() <= MAX_FRAMES);
        assert!((3380..=3388).all(|k| idx.contains(&k)));
        assert_eq!(*idx.last().unwrap(), 3388);
        assert_eq!(idx[0], 0);
        assert_eq!(
            frame_indices_with(100, Some((3, 5))),
            (0..100).collect::<Vec<_>>()
        );
        assert_eq!(frame_indices_with(5000, None).len(), MAX_FRAMES);
    }
}
