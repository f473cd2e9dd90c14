//! The report page: one HTML file with its styles, charts and the slider script inline, so
//! that it opens offline, by double-click, years later. Charts are also written beside it as
//! `charts/*.svg` for papers and slides.

use std::fmt::Write as _;
use std::path::Path;

use crate::svg::escape;
use crate::ReportError;

/// A report being assembled.
#[derive(Default)]
pub struct Page {
    title: String,
    body: String,
    charts: Vec<(String, String)>,
    maps: usize,
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}\
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:2em;border-bottom:1px solid #ddd}\
table{border-collapse:collapse;margin:1em 0}td,th{padding:.25em .8em;border-bottom:1px solid #eee;text-align:right}\
td:first-child,th:first-child{text-align:left}.lead{font-size:1.1em}.muted{color:#666}.warning{color:#8a4b00;border-left:3px solid #d55e00;padding-left:.5em}\
figure{margin:1em 0}svg{max-width:100%;height:auto}.map{display:inline-block;vertical-align:top;margin-right:1em}\
.controls{margin:.3em 0}.controls input{width:360px;vertical-align:middle}img.lattice{image-rendering:pixelated;width:300px;margin:0 .5em .5em 0;border:1px solid #ccc}";

const SCRIPT: &str = r#"
function mobilizeColour(t) {
  var s = [[68,1,84],[59,82,139],[33,145,140],[94,201,98],[253,231,37]];
  if (!(t >= 0)) { t = 0; }
  if (t > 1) { t = 1; }
  var x = t * 4, i = Math.min(3, Math.floor(x)), f = x - i, c = [0, 0, 0];
  for (var k = 0; k !== 3; k++) { c[k] = Math.round(s[i][k] + f * (s[i + 1][k] - s[i][k])); }
  return 'rgb(' + c.join(',') + ')';
}
document.querySelectorAll('input[data-map]').forEach(function (input) {
  var id = input.getAttribute('data-map');
  var data = JSON.parse(document.getElementById(id + '-data').textContent);
  var when = document.getElementById(id + '-when');
  // A map with a menu: the series chosen replaces the data, its title and its legend's maximum.
  var menu = document.querySelector('select[data-map="' + id + '"]');
  if (menu) {
    menu.addEventListener('change', function () {
      data = JSON.parse(document.getElementById(menu.value).textContent);
      var svg = document.getElementById(id + '-r0').ownerSVGElement;
      svg.querySelector('text.map-title').textContent = data.title;
      svg.querySelector('text.legend-max').textContent = String(Math.round(data.max * 1000) / 1000);
      show(+input.value);
    });
  }
  function show(k) {
    var f = data.frames[k];
    data.regions.forEach(function (name, r) {
      var c = document.getElementById(id + '-r' + r);
      var v = f.values[r];
      c.setAttribute('fill', mobilizeColour(v / data.max));
      c.querySelector('title').textContent = name + ': ' + (v === null ? 'n/a' : Math.round(v * 1000) / 1000);
    });
    when.textContent = f.label;
  }
  input.addEventListener('input', function () { show(+input.value); });
  var play = document.getElementById(id + '-play'), timer = null;
  play.addEventListener('click', function () {
    if (timer) { clearInterval(timer); timer = null; play.textContent = 'play'; return; }
    if (+input.value === data.frames.length - 1) { input.value = 0; }
    play.textContent = 'pause';
    timer = setInterval(function () {
      var k = +input.value + 1;
      if (k === data.frames.length) { clearInterval(timer); timer = null; play.textContent = 'play'; return; }
      input.value = k; show(k);
    }, 60);
  });
  show(+input.value);
});
"#;

impl Page {
    /// A page titled `title`.
    pub fn new(title: &str) -> Page {
        Page {
            title: title.to_string(),
            ..Page::default()
        }
    }

    /// Appends raw HTML (already escaped).
    pub fn html(&mut self, html: &str) {
        self.body.push_str(html);
        self.body.push('\n');
    }

    /// A paragraph of text.
    pub fn text(&mut self, class: &str, text: &str) {
        let _ = writeln!(self.body, r#"<p class="{class}">{}</p>"#, escape(text));
    }

    /// A section heading.
    pub fn heading(&mut self, text: &str) {
        let _ = writeln!(self.body, "<h2>{}</h2>", escape(text));
    }

    /// A chart, inline and as `charts/<stem>.svg`.
    pub fn chart(&mut self, stem: &str, svg: String) {
        let _ = writeln!(self.body, "<figure>{}</figure>", svg.trim_end());
        self.charts.push((stem.to_string(), svg));
    }

    /// A map with its slider; `svg` from [`crate::map::svg`] with the same `id`.
    pub fn map(&mut self, id: &str, stem: &str, svg: String, data_json: &str, frames: usize) {
        self.maps += 1;
        let _ = writeln!(
            self.body,
            r#"<div class="map">{svg}<div class="controls"><button type="button" id="{id}-play">play</button> <input type="range" data-map="{id}" min="0" max="{max}" value="{max}" aria-label="time"/></div><script type="application/json" id="{id}-data">{data_json}</script></div>"#,
            svg = svg.trim_end(),
            max = frames.saturating_sub(1)
        );
        self.charts.push((stem.to_string(), svg));
    }

    /// A map whose menu picks the series it shows: `entries` are (menu text, data JSON of
    /// [`crate::map::menu_json`]), the first drawn in `svg`.
    pub fn map_menu(&mut self, id: &str, svg: String, entries: &[(String, String)], frames: usize) {
        let Some((_, first)) = entries.first() else {
            return;
        };
        let mut menu = format!(r#"<select data-map="{id}" aria-label="series">"#);
        let mut data = String::new();
        for (k, (text, json)) in entries.iter().enumerate() {
            // The first series' data is the map's own (`{id}-data`).
            let key = if k == 0 {
                format!("{id}-data")
            } else {
                format!("{id}-data-{k}")
            };
            let _ = write!(menu, r#"<option value="{key}">{}</option>"#, escape(text));
            if k > 0 {
                let _ = write!(
                    data,
                    r#"<script type="application/json" id="{key}">{json}</script>"#
                );
            }
        }
        menu.push_str("</select>");
        self.html(&menu);
        self.map(id, id, svg, first, frames);
        self.html(&data);
    }

    /// A table of text cells (escaped here).
    pub fn table(&mut self, head: &[&str], rows: &[Vec<String>]) {
        let mut t = String::from("<table><thead><tr>");
        for h in head {
            let _ = write!(t, "<th>{}</th>", escape(h));
        }
        t.push_str("</tr></thead><tbody>");
        for r in rows {
            t.push_str("<tr>");
            for c in r {
                let _ = write!(t, "<td>{}</td>", escape(c));
            }
            t.push_str("</tr>");
        }
        t.push_str("</tbody></table>");
        self.html(&t);
    }

    /// The whole document.
    pub fn document(&self) -> String {
        let script = if self.maps > 0 {
            format!("<script>//<![CDATA[{SCRIPT}//]]></script>\n")
        } else {
            String::new()
        };
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<meta name=\"generator\" content=\"mobilize {}\"/>\n<title>{t}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{t}</h1>\n{}{script}</body>\n</html>\n",
            env!("CARGO_PKG_VERSION"),
            self.body,
            t = escape(&self.title)
        )
    }

    /// Writes `report.html` and `charts/*.svg` into `dir` (each through a temporary file), after
    /// removing charts left by an earlier build.
    pub fn write(&self, dir: &Path) -> Result<(), ReportError> {
        let charts = dir.join(mobilize_output::layout::CHARTS);
        let io = |path: &Path, e: std::io::Error| ReportError::Write {
            path: path.to_path_buf(),
            reason: e.to_string(),
        };
        if charts.exists() {
            std::fs::remove_dir_all(&charts).map_err(|e| io(&charts, e))?;
        }
        std::fs::create_dir_all(&charts).map_err(|e| io(&charts, e))?;
        for (stem, svg) in &self.charts {
            write_atomic(&charts.join(format!("{stem}.svg")), svg.as_bytes())?;
        }
        write_atomic(
            &dir.join(mobilize_output::layout::REPORT),
            self.document().as_bytes(),
        )
    }
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    mobilize_core::files::write_atomic(path, bytes).map_err(|e| ReportError::Write {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}
