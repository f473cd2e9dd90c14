//! Chart primitives drawn as SVG text: line charts with bands, bars, heat maps.
//!
//! Written by hand because the charts are few and simple and must be byte-identical for
//! identical data, open offline and embed inline in the report. Every number is printed with a
//! fixed precision, so the same data always gives the same file.

use std::fmt::Write as _;

/// Line colours (Okabe–Ito, readable by colour-blind readers); the first line is black.
pub const COLOURS: [&str; 8] = [
    "#000000", "#E69F00", "#56B4E9", "#009E73", "#D55E00", "#0072B2", "#CC79A7", "#999999",
];

/// Most points drawn per line; longer series are thinned evenly (first and last kept).
pub const MAX_POINTS: usize = 5000;

const W: f64 = 760.0;
const H: f64 = 340.0;
const LEFT: f64 = 70.0;
/// The legend's column: room for "Young Communist League (a)" at 11 px.
const RIGHT: f64 = 200.0;
const TOP: f64 = 44.0;
const BOTTOM: f64 = 44.0;

/// Escapes text for XML.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// One line of a chart, with an optional band around it.
#[derive(Clone, Debug, Default)]
pub struct Line {
    /// Legend text.
    pub name: String,
    /// The series' column, written as the path's `data-name` for scripts and tests (the
    /// legend text when empty).
    pub column: String,
    /// (x, y) points.
    pub points: Vec<(f64, f64)>,
    /// (x, low, high) of a band drawn under the line; empty for none.
    pub band: Vec<(f64, f64, f64)>,
    /// Drawn dashed (a second arm).
    pub dashed: bool,
}

/// A line chart.
#[derive(Clone, Debug, Default)]
pub struct LineChart {
    /// Title above the plot.
    pub title: String,
    /// Label of the x axis.
    pub x_label: String,
    /// The unit of the value axis (`persons`), written above it; empty for none.
    pub y_label: String,
    /// The lines.
    pub lines: Vec<Line>,
    /// Text of x tick `x` (a date for dated runs); `None` prints the number.
    pub x_text: Option<Vec<(f64, String)>>,
    /// Colour of each line, by index into [`COLOURS`] (default: the line's position).
    pub colours: Vec<usize>,
    /// Draw points as dots instead of lines (scatter plots).
    pub dots: bool,
    /// Events to mark: a thin vertical line at x, its text shown on hover.
    pub marks: Vec<(f64, String)>,
}

/// "Nice" tick positions covering [lo, hi]: steps of 1, 2 or 5 × 10^k, about `n` of them.
pub fn ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater)
        || !lo.is_finite()
        || !hi.is_finite()
    {
        return vec![lo];
    }
    let raw = (hi - lo) / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let mut t = (lo / step).ceil() * step;
    let mut out = Vec::new();
    while t <= hi + step * 1e-9 {
        out.push(if t.abs() < step * 1e-9 { 0.0 } else { t });
        t += step;
    }
    out
}

/// A tick label: integers plainly, others with as few decimals as the step needs.
pub fn number(v: f64) -> String {
    if v == v.round() && v.abs() < 1e15 {
        let i = v as i64;
        if i.abs() >= 10_000 {
            // Thin spaces between thousands read better than 1e4.
            let s = i.abs().to_string();
            let mut out = String::new();
            for (k, ch) in s.chars().enumerate() {
                if k > 0 && (s.len() - k) % 3 == 0 {
                    out.push('\u{2009}');
                }
                out.push(ch);
            }
            return if i < 0 { format!("-{out}") } else { out };
        }
        return i.to_string();
    }
    // Below 0.01, three decimals would print neighbouring ticks alike (0.0015 and 0.002 both
    // as "0.002"): four significant digits instead.
    let decimals = if v.abs() < 0.01 {
        (3 - v.abs().log10().floor() as i32).clamp(3, 15) as usize
    } else {
        3
    };
    let s = format!("{v:.decimals$}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// About six ticks of an axis over [x0, x1]: every so many of the labels given (the dates of
/// a dated run's steps), or round numbers.
pub fn x_ticks(labels: Option<&[(f64, String)]>, x0: f64, x1: f64) -> Vec<(f64, String)> {
    match labels {
        Some(labels) => {
            let every = labels.len().div_ceil(6).max(1);
            labels.iter().step_by(every).cloned().collect()
        }
        None => ticks(x0, x1, 6)
            .into_iter()
            .map(|t| (t, number(t)))
            .collect(),
    }
}

fn thin<T: Clone>(v: &[T]) -> Vec<T> {
    if v.len() <= MAX_POINTS {
        return v.to_vec();
    }
    let last = v.len() - 1;
    (0..MAX_POINTS)
        .map(|i| v[i * last / (MAX_POINTS - 1)].clone())
        .collect()
}

impl LineChart {
    /// The SVG document.
    pub fn svg(&self) -> String {
        let xs = self.lines.iter().flat_map(|l| {
            l.points
                .iter()
                .map(|p| p.0)
                .chain(l.band.iter().map(|b| b.0))
        });
        let (x0, x1) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x), b.max(x))
        });
        let ys = self.lines.iter().flat_map(|l| {
            l.points
                .iter()
                .map(|p| p.1)
                .chain(l.band.iter().flat_map(|b| [b.1, b.2]))
        });
        let (y0, y1) = ys
            .filter(|y| y.is_finite())
            .fold((0.0f64, f64::NEG_INFINITY), |(a, b), y| {
                (a.min(y), b.max(y))
            });
        let (x0, x1) = if x0.is_finite() {
            (x0, if x1 > x0 { x1 } else { x0 + 1.0 })
        } else {
            (0.0, 1.0)
        };
        let y1 = if y1.is_finite() && y1 > y0 {
            y1 * 1.05
        } else {
            y0 + 1.0
        };
        let (pw, ph) = (W - LEFT - RIGHT, H - TOP - BOTTOM);
        let sx = |x: f64| LEFT + pw * (x - x0) / (x1 - x0);
        let sy = |y: f64| TOP + ph * (1.0 - (y - y0) / (y1 - y0));
        let mut s = header(&self.title);
        if !self.y_label.is_empty() {
            let _ = writeln!(
                s,
                r##"<text class="unit" x="{LEFT}" y="{y}" font-size="11" fill="#555">{u}</text>"##,
                y = TOP - 6.0,
                u = escape(&self.y_label)
            );
        }
        // Grid, ticks and axes.
        for t in ticks(y0, y1, 5) {
            let _ = writeln!(
                s,
                r##"<line x1="{LEFT}" y1="{y:.1}" x2="{xr}" y2="{y:.1}" stroke="#e4e4e4"/><text x="{tx}" y="{ty:.1}" text-anchor="end">{n}</text>"##,
                y = sy(t),
                xr = W - RIGHT,
                tx = LEFT - 6.0,
                ty = sy(t) + 4.0,
                n = escape(&number(t))
            );
        }
        for (t, label) in x_ticks(self.x_text.as_deref(), x0, x1) {
            let _ = writeln!(
                s,
                r##"<line x1="{x:.1}" y1="{yb}" x2="{x:.1}" y2="{yt}" stroke="#888"/><text x="{x:.1}" y="{ty}" text-anchor="middle">{l}</text>"##,
                x = sx(t),
                yb = H - BOTTOM,
                yt = H - BOTTOM + 5.0,
                ty = H - BOTTOM + 18.0,
                l = escape(&label)
            );
        }
        let _ = writeln!(
            s,
            r##"<rect x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" fill="none" stroke="#888"/><text x="{cx}" y="{ly}" text-anchor="middle">{xl}</text>"##,
            cx = LEFT + pw / 2.0,
            ly = H - 8.0,
            xl = escape(&self.x_label)
        );
        for (x, label) in self.marks.iter().filter(|(x, _)| (x0..=x1).contains(x)) {
            let _ = writeln!(
                s,
                r##"<line class="event-mark" x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{yb}" stroke="#b04040" stroke-width="1" stroke-dasharray="2 3"><title>{l}</title></line>"##,
                x = sx(*x),
                yb = H - BOTTOM,
                l = escape(label)
            );
        }
        for (i, line) in self.lines.iter().enumerate() {
            let c = self.colours.get(i).copied().unwrap_or(i);
            let colour = COLOURS[c % COLOURS.len()];
            // Beyond eight lines the colours come round again with another stroke (dotted,
            // then dash-dot), so that 14 regions are 14 distinct lines; a second arm is dashed.
            let dash = if line.dashed {
                r#" stroke-dasharray="6 4""#
            } else {
                match (c / COLOURS.len()) % 3 {
                    0 => "",
                    1 => r#" stroke-dasharray="1.5 2.5""#,
                    _ => r#" stroke-dasharray="8 3 2 3""#,
                }
            };
            let band = thin(&line.band);
            if !band.is_empty() {
                let mut d = String::new();
                for (k, (x, _, hi)) in band.iter().enumerate() {
                    let _ = write!(
                        d,
                        "{}{:.1},{:.1} ",
                        if k == 0 { "M" } else { "L" },
                        sx(*x),
                        sy(*hi)
                    );
                }
                for (x, lo, _) in band.iter().rev() {
                    let _ = write!(d, "L{:.1},{:.1} ", sx(*x), sy(*lo));
                }
                let _ = writeln!(
                    s,
                    r#"<path class="band" d="{}Z" fill="{colour}" fill-opacity="0.18" stroke="none"/>"#,
                    d.trim_end()
                );
            }
            let pts = thin(&line.points);
            if self.dots {
                for (x, y) in pts.iter().filter(|p| p.1.is_finite()) {
                    let _ = writeln!(
                        s,
                        r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{colour}" fill-opacity="0.6"/>"#,
                        sx(*x),
                        sy(*y)
                    );
                }
            } else if !pts.is_empty() {
                let mut d = String::new();
                for (k, (x, y)) in pts.iter().enumerate() {
                    let _ = write!(
                        d,
                        "{}{:.1},{:.1} ",
                        if k == 0 { "M" } else { "L" },
                        sx(*x),
                        sy(*y)
                    );
                }
                let _ = writeln!(
                    s,
                    r#"<path class="series" data-name="{}" d="{}" fill="none" stroke="{colour}" stroke-width="{}"{}/>"#,
                    escape(if line.column.is_empty() {
                        &line.name
                    } else {
                        &line.column
                    }),
                    d.trim_end(),
                    if i == 0 { 2.0 } else { 1.5 },
                    dash
                );
            }
            // The legend's rows close up to fit every line (14 regions and their total), down
            // to 11 px; below that the last row that fits says how many more there are.
            let avail = H - BOTTOM - TOP - 10.0;
            let n = self.lines.len();
            let gap = (avail / n.max(1) as f64).clamp(11.0, 18.0);
            let fit = ((avail / gap).floor() as usize + 1).max(1);
            let ly = TOP + 10.0 + gap * i as f64;
            if n > fit && i == fit - 1 {
                let _ = writeln!(
                    s,
                    r#"<text class="legend-more" x="{tx}" y="{ty}">and {more} more</text>"#,
                    tx = W - RIGHT + 36.0,
                    ty = ly + 4.0,
                    more = n - fit + 1
                );
            } else if i < fit {
                let _ = writeln!(
                    s,
                    r#"<line x1="{x1}" y1="{ly}" x2="{x2}" y2="{ly}" stroke="{colour}" stroke-width="3"{dash}/><text x="{tx}" y="{ty}" font-size="11">{n}<title>{full}</title></text>"#,
                    x1 = W - RIGHT + 10.0,
                    x2 = W - RIGHT + 30.0,
                    tx = W - RIGHT + 36.0,
                    ty = ly + 4.0,
                    // Cut to the legend's width; the whole name shows on hover.
                    n = escape(&fit_text(&line.name, RIGHT - 36.0 - 4.0, 11.0)),
                    full = escape(&line.name)
                );
            }
        }
        s.push_str("</svg>\n");
        s
    }
}

/// About how wide `s` is in pixels in a sans-serif font of `font_px` (DejaVu Sans, the widest
/// common default, so that the estimate errs on the wide side): narrow, wide and capital
/// letters apart, everything else as an average lower-case letter.
pub fn text_width(s: &str, font_px: f64) -> f64 {
    let em: f64 = s
        .chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | 'I' => 0.3,
            ' ' | 'f' | 't' | 'r' | '(' | ')' | '-' => 0.4,
            'm' | 'w' | 'M' | 'W' | '—' | '%' => 0.95,
            c if c.is_uppercase() => 0.72,
            c if c.is_ascii_digit() => 0.64,
            _ => 0.62,
        })
        .sum();
    em * font_px
}

/// `s`, cut with an ellipsis to at most `max_px` wide at `font_px` (see [`text_width`]).
fn fit_text(s: &str, max_px: f64, font_px: f64) -> String {
    if text_width(s, font_px) <= max_px {
        return s.to_string();
    }
    let mut t = String::new();
    for c in s.chars() {
        let mut next = t.clone();
        next.push(c);
        next.push('…');
        if text_width(&next, font_px) > max_px {
            break;
        }
        t.push(c);
    }
    t.push('…');
    t
}

fn header(title: &str) -> String {
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12" role="img">
<title>{t}</title>
<rect width="100%" height="100%" fill="white"/>
<text x="{LEFT}" y="22" font-size="15">{t}</text>
"#,
        t = escape(title)
    )
}

/// A heat map of `values[row][col]` (NaN = no value), with row and column labels.
pub fn heat_map(
    title: &str,
    x_name: &str,
    x_labels: &[String],
    y_name: &str,
    y_labels: &[String],
    values: &[Vec<f64>],
) -> String {
    let (pw, ph) = (W - LEFT - RIGHT, H - TOP - BOTTOM);
    let (nx, ny) = (x_labels.len().max(1) as f64, y_labels.len().max(1) as f64);
    let finite = values.iter().flatten().filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
        (a.min(v), b.max(v))
    });
    let mut s = header(title);
    for (r, row) in values.iter().enumerate() {
        for (c, &v) in row.iter().enumerate() {
            let (x, y) = (
                LEFT + pw * c as f64 / nx,
                TOP + ph * (ny - 1.0 - r as f64) / ny,
            );
            let fill = if v.is_finite() {
                colour_of(if hi > lo { (v - lo) / (hi - lo) } else { 0.5 })
            } else {
                "#eeeeee".into()
            };
            let _ = writeln!(
                s,
                r##"<rect class="cell" x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="{fill}" stroke="white"><title>{t}</title></rect>"##,
                w = pw / nx,
                h = ph / ny,
                t = escape(&number(v))
            );
            if nx * ny <= 100.0 && v.is_finite() {
                let _ = writeln!(
                    s,
                    r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="{}">{}</text>"##,
                    x + pw / nx / 2.0,
                    y + ph / ny / 2.0 + 4.0,
                    // Dark cells (the low end of the scale) get white text.
                    if hi > lo && (v - lo) / (hi - lo) < 0.45 {
                        "#fff"
                    } else {
                        "#222"
                    },
                    escape(&number((v * 100.0).round() / 100.0))
                );
            }
        }
    }
    for (c, l) in x_labels.iter().enumerate() {
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            LEFT + pw * (c as f64 + 0.5) / nx,
            H - BOTTOM + 16.0,
            escape(l)
        );
    }
    for (r, l) in y_labels.iter().enumerate() {
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            LEFT - 6.0,
            TOP + ph * (ny - 0.5 - r as f64) / ny + 4.0,
            escape(l)
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">columns: {} · rows: {}</text>"#,
        LEFT + pw / 2.0,
        H - 8.0,
        escape(x_name),
        escape(y_name)
    );
    // Colour scale.
    for k in 0..10 {
        let _ = writeln!(
            s,
            r#"<rect x="{x}" y="{:.1}" width="16" height="{:.1}" fill="{}"/>"#,
            TOP + ph * (9 - k) as f64 / 10.0,
            ph / 10.0,
            colour_of(k as f64 / 9.0),
            x = W - RIGHT + 16.0
        );
    }
    if lo.is_finite() {
        let _ = writeln!(
            s,
            r#"<text x="{x}" y="{:.1}">{}</text><text x="{x}" y="{:.1}">{}</text>"#,
            TOP + 10.0,
            escape(&number(hi)),
            TOP + ph,
            escape(&number(lo)),
            x = W - RIGHT + 38.0
        );
    }
    s.push_str("</svg>\n");
    s
}

/// Horizontal bars: (label, value).
pub fn bars(title: &str, items: &[(String, f64)]) -> String {
    let h = TOP + 22.0 * items.len() as f64 + 20.0;
    let max = items.iter().map(|i| i.1).fold(0.0f64, f64::max).max(1e-300);
    let left = 200.0;
    let pw = W - left - 90.0;
    let mut s = header(title).replacen(
        &format!("height=\"{H}\" viewBox=\"0 0 {W} {H}\""),
        &format!("height=\"{h}\" viewBox=\"0 0 {W} {h}\""),
        1,
    );
    for (k, (label, v)) in items.iter().enumerate() {
        let y = TOP + 22.0 * k as f64;
        let _ = writeln!(
            s,
            r##"<text x="{tx}" y="{ty:.1}" text-anchor="end">{l}</text><rect class="bar" x="{left}" y="{y:.1}" width="{w:.1}" height="16" fill="#0072B2"/><text x="{vx:.1}" y="{ty:.1}">{n}</text>"##,
            tx = left - 6.0,
            ty = y + 12.0,
            l = escape(&fit_text(label, left - 12.0, 12.0)),
            w = pw * v.max(0.0) / max,
            vx = left + pw * v.max(0.0) / max + 4.0,
            n = escape(&number((v * 1000.0).round() / 1000.0))
        );
    }
    s.push_str("</svg>\n");
    s
}

/// A sequential colour (viridis-like, 0 = dark blue, 1 = yellow) for `t` in [0, 1].
pub fn colour_of(t: f64) -> String {
    const STOPS: [[f64; 3]; 5] = [
        [68.0, 1.0, 84.0],
        [59.0, 82.0, 139.0],
        [33.0, 145.0, 140.0],
        [94.0, 201.0, 98.0],
        [253.0, 231.0, 37.0],
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * 4.0;
    let i = (x.floor() as usize).min(3);
    let f = x - i as f64;
    let c: Vec<u8> = (0..3)
        .map(|k| (STOPS[i][k] + f * (STOPS[i + 1][k] - STOPS[i][k])).round() as u8)
        .collect();
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(ticks(0.0, 100.0, 5), [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        assert_eq!(
            ticks(0.0, 1.0, 5),
            [0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        );
        assert_eq!(number(12345.0), "12\u{2009}345");
        assert_eq!(number(0.25), "0.25");
        // Small ticks keep what tells them apart.
        let small: Vec<String> = ticks(0.0005, 0.0025, 5)
            .iter()
            .map(|&t| number(t))
            .collect();
        let mut unique = small.clone();
        unique.dedup();
        assert_eq!(small, unique, "{small:?}");
        assert_eq!(number(0.0015), "0.0015");
        assert_eq!(number(0.001_234_56), "0.001235");
    }

    #[test]
    fn legend_text_is_cut_to_fit_its_column() {
        assert_eq!(fit_text("organized", 160.0, 11.0), "organized");
        let long = "Association for the Restoration of the Fatherland (a)";
        let cut = fit_text(long, 160.0, 11.0);
        assert!(
            cut.ends_with('…') && text_width(&cut, 11.0) <= 160.0,
            "{cut}"
        );
        assert!(long.starts_with(cut.trim_end_matches('…')));
        // Wide letters take more room than narrow ones.
        assert!(text_width("MMMM", 12.0) > text_width("iiii", 12.0) * 2.0);
    }

    #[test]
    fn a_line_has_one_point_per_value() {
        let chart = LineChart {
            title: "t <&>".into(),
            lines: vec![Line {
                name: "a".into(),
                points: (0..37).map(|i| (f64::from(i), f64::from(i * i))).collect(),
                ..Line::default()
            }],
            ..LineChart::default()
        };
        let svg = chart.svg();
        let path = svg.split("class=\"series\"").nth(1).unwrap();
        let d = path
            .split(" d=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert_eq!(d.split(' ').count(), 37);
        assert!(svg.contains("t &lt;&amp;&gt;"));
        assert_eq!(colour_of(0.0), "#440154");
        assert_eq!(colour_of(1.0), "#fde725");
    }

    #[test]
    fn fourteen_regions_are_fourteen_distinct_lines() {
        let chart = LineChart {
            lines: (0..15)
                .map(|k| Line {
                    name: format!("r{k}"),
                    points: vec![(0.0, f64::from(k)), (1.0, f64::from(k))],
                    ..Line::default()
                })
                .collect(),
            ..LineChart::default()
        };
        let svg = chart.svg();
        let styles: std::collections::BTreeSet<String> = svg
            .split("class=\"series\"")
            .skip(1)
            .map(|p| {
                let tag = &p[..p.find("/>").unwrap()];
                let stroke = tag
                    .split("stroke=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap();
                let dash = tag
                    .split("stroke-dasharray=\"")
                    .nth(1)
                    .map_or("", |d| d.split('"').next().unwrap());
                format!("{stroke} {dash}")
            })
            .collect();
        assert_eq!(styles.len(), 15, "{styles:?}");
        // And every line is in the legend.
        assert_eq!(svg.matches("<text x=\"596\"").count(), 15);
    }
}
