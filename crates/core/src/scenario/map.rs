//! `[map]`: how regions are drawn, never what happens to them.
//!
//! A scenario may give its regions' real shapes (`shapes`: a GeoJSON file, one feature per
//! region matched by its `name` property), or an outline of the land (`outline`: GeoJSON
//! countries) to which schematic cells around each region's point (`x`, `y`) are clipped by
//! the reports. The files are read when the scenario is validated from a folder, or from the
//! files built in with the built-in scenarios; a scenario given as text (a checkpoint's) keeps
//! its `[map]` unread, because nothing the model computes depends on it.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::decode::join;
use super::raw::RawMap;
use super::{Check, Region};

/// A ring of (x, y) points, the last equal to the first.
pub type Ring = Vec<[f64; 2]>;
/// A polygon: its outer ring, then its holes.
pub type Polygon = Vec<Ring>;

/// A named feature of a GeoJSON file: its polygons.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Feature {
    /// The feature's `name` property.
    pub name: String,
    /// Its polygons (a MultiPolygon's parts).
    pub polygons: Vec<Polygon>,
}

/// The map of a scenario, as validated.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MapSpec {
    /// The land (drawn as the background; schematic cells are clipped to it).
    #[serde(default)]
    pub outline: Vec<Feature>,
    /// Outline features the home regions' cells are clipped to (empty: all).
    #[serde(default)]
    pub land: Vec<String>,
    /// Outline features the cells of regions abroad are clipped to (empty: `land`).
    #[serde(default)]
    pub abroad_land: Vec<String>,
    /// Farthest a schematic cell reaches from its point (map units).
    #[serde(default)]
    pub cell_radius: Option<f64>,
    /// Each region's real shape, in region order, when `shapes` is given.
    #[serde(default)]
    pub shapes: Vec<Option<Vec<Polygon>>>,
    /// The credit line of the map data.
    #[serde(default)]
    pub credit: Option<String>,
}

impl MapSpec {
    /// Whether the regions are drawn as schematic cells (no real shapes given).
    pub fn schematic(&self) -> bool {
        self.shapes.is_empty()
    }
}

/// Largest map file read (16 MiB) and most points in one (a million).
const MAX_BYTES: usize = 16 << 20;
const MAX_POINTS: usize = 1_000_000;

/// The features of a GeoJSON document, or what is wrong with it.
fn features(bytes: &[u8], shown: &str) -> Result<Vec<Feature>, String> {
    use serde_json::Value;
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| {
        format!(
            "{shown}: not JSON (line {}, column {}: {e})",
            e.line(),
            e.column()
        )
    })?;
    let list = match (doc.get("type").and_then(Value::as_str), doc.get("features")) {
        (Some("FeatureCollection"), Some(Value::Array(list))) => list,
        _ => return Err(format!("{shown}: not a GeoJSON FeatureCollection")),
    };
    let mut out = Vec::new();
    let mut points = 0usize;
    for (k, f) in list.iter().enumerate() {
        let name = f
            .get("properties")
            .and_then(|p| p.get("name"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let at = |what: &str| {
            format!(
                "{shown}: feature {k}{}: {what}",
                name.as_ref()
                    .map(|n| format!(" (`{}`)", super::excerpt(n, 60)))
                    .unwrap_or_default()
            )
        };
        let geometry = f.get("geometry").unwrap_or(&Value::Null);
        let kind = geometry.get("type").and_then(Value::as_str).unwrap_or("");
        let coords = geometry.get("coordinates");
        let polygons: Vec<&Value> = match (kind, coords) {
            ("Polygon", Some(c)) => vec![c],
            ("MultiPolygon", Some(Value::Array(parts))) => parts.iter().collect(),
            // Lines (rivers) and points are not land: passed over.
            ("LineString" | "MultiLineString" | "Point" | "MultiPoint", _) => continue,
            _ => return Err(at("its geometry is not a Polygon or MultiPolygon")),
        };
        let Some(name) = name.clone() else {
            return Err(at("no `name` property"));
        };
        let mut parsed = Vec::new();
        for poly in polygons {
            let Value::Array(rings) = poly else {
                return Err(at("a polygon is not a list of rings"));
            };
            let mut polygon = Vec::new();
            for ring in rings {
                let Value::Array(pts) = ring else {
                    return Err(at("a ring is not a list of points"));
                };
                let mut r = Vec::with_capacity(pts.len());
                for p in pts {
                    let xy = p.as_array().filter(|a| a.len() >= 2).and_then(|a| {
                        Some([a[0].as_f64()?, a[1].as_f64()?])
                            .filter(|v| v.iter().all(|c| c.is_finite()))
                    });
                    match xy {
                        Some(v) => r.push(v),
                        None => return Err(at("a point is not two finite numbers")),
                    }
                }
                if r.len() < 4 {
                    return Err(at("a ring has fewer than 4 points"));
                }
                points += r.len();
                if points > MAX_POINTS {
                    return Err(format!("{shown}: more than {MAX_POINTS} points"));
                }
                polygon.push(r);
            }
            if !polygon.is_empty() {
                parsed.push(polygon);
            }
        }
        out.push(Feature {
            name,
            polygons: parsed,
        });
    }
    Ok(out)
}

impl Check<'_> {
    /// The bytes of the file a scenario names at `field`: from its folder, or built in with
    /// the built-in scenarios. `None` with no problem for a scenario given as text.
    fn map_file(&mut self, field: &str, path: &str) -> Option<Result<Vec<u8>, String>> {
        if self.base_dir().is_none() {
            return super::embedded::file(path).map(|b| Ok(b.to_vec()));
        }
        let full = self.scenario_file(field, path, false)?;
        Some(
            crate::files::read_regular(&full, MAX_BYTES as u64)
                .map_err(|e| format!("cannot read `{}`: {e}", full.display())),
        )
    }

    /// Checks `[map]`; returns the map, or `None` (no map, a problem, or files not readable
    /// from a scenario given as text). Warnings (a shape no region uses) go to `warnings`.
    pub(crate) fn check_map(
        &mut self,
        raw: Option<&mut RawMap>,
        regions: &[Region],
        warnings: &mut Vec<String>,
    ) -> Option<Arc<MapSpec>> {
        let m = raw?;
        let mut spec = MapSpec {
            land: m.land.clone().unwrap_or_default(),
            abroad_land: m.abroad_land.clone().unwrap_or_default(),
            cell_radius: m.cell_radius,
            credit: m.credit.clone(),
            ..MapSpec::default()
        };
        if let Some(r) = m.cell_radius {
            if !(r > 0.0 && r.is_finite()) {
                self.bad(
                    "map.cell_radius",
                    format!("{r} is not allowed"),
                    Some("allowed: a positive distance in the map's units".into()),
                );
            }
        }
        let mut ok = true;
        if let Some(path) = m.outline.clone() {
            match self.map_file("map.outline", &path) {
                None => ok = false,
                Some(Err(e)) => {
                    self.bad("map.outline", e, None);
                    ok = false;
                }
                Some(Ok(bytes)) => match features(&bytes, &path) {
                    Err(e) => {
                        self.bad("map.outline", e, None);
                        ok = false;
                    }
                    Ok(f) => spec.outline = f,
                },
            }
        }
        let names: Vec<&str> = spec.outline.iter().map(|f| f.name.as_str()).collect();
        for (key, list) in [("land", &spec.land), ("abroad_land", &spec.abroad_land)] {
            for (i, n) in list.iter().enumerate() {
                if ok && !names.contains(&n.as_str()) {
                    self.bad(
                        &format!("map.{key}[{i}]"),
                        format!("`{n}` is not a feature of the outline"),
                        Some(super::decode::allowed_help(n, &names)),
                    );
                }
            }
        }
        if let Some(path) = m.shapes.clone() {
            match self.map_file("map.shapes", &path) {
                None => ok = false,
                Some(Err(e)) => {
                    self.bad("map.shapes", e, None);
                    ok = false;
                }
                Some(Ok(bytes)) => {
                    match features(&bytes, &path) {
                        Err(e) => {
                            self.bad("map.shapes", e, None);
                            ok = false;
                        }
                        Ok(features) => {
                            let mut shapes = vec![None; regions.len()];
                            for f in &features {
                                match regions.iter().position(|r| r.name == f.name) {
                                Some(k) => shapes[k] = Some(f.polygons.clone()),
                                None => warnings.push(format!(
                                    "{path}: the shape `{}` is no region of the scenario; it is not drawn",
                                    super::excerpt(&f.name, 60)
                                )),
                            }
                            }
                            for (k, r) in regions.iter().enumerate() {
                                if shapes[k].is_none() {
                                    self.bad_each(
                                    &join("map", "shapes"),
                                    format!("{path} has no shape for region `{}`", r.name),
                                    Some("each region needs a feature whose `name` is the region's".into()),
                                );
                                }
                            }
                            spec.shapes = shapes;
                        }
                    }
                }
            }
        } else if m.outline.is_some() && ok {
            for (k, r) in regions.iter().enumerate() {
                if r.position.is_none() {
                    self.bad(
                        &format!("regions[{k}].x"),
                        format!(
                            "region `{}` has no point (x, y) for its schematic cell",
                            r.name
                        ),
                        Some(
                            "give x and y in the outline's units (e.g. longitude and latitude)"
                                .into(),
                        ),
                    );
                }
            }
        }
        ok.then(|| Arc::new(spec))
    }
}

#[cfg(test)]
mod tests {
    use crate::scenario::{Scenario, Source};

    fn folder(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("mobilize-map-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn square(name: &str, x: f64) -> String {
        format!(
            r#"{{"type":"Feature","properties":{{"name":"{name}"}},"geometry":{{"type":"Polygon","coordinates":[[[{x},0],[{x1},0],[{x1},1],[{x},1],[{x},0]]]}}}}"#,
            x1 = x + 1.0
        )
    }

    fn load(dir: &std::path::Path, map: &str) -> Result<Scenario, crate::scenario::ScenarioError> {
        let text = format!(
            "name = \"m\"\nmodel = \"threshold\"\n{map}\n\
             [[regions]]\nname = \"east\"\npopulation = 10\nx = 1.5\ny = 0.5\n\
             [[regions]]\nname = \"west\"\npopulation = 10\nx = 0.5\ny = 0.5\n\
             [threshold.distribution]\nkind = \"uniform\"\nmin = 0\nmax = 5\n"
        );
        Scenario::load(
            &Source {
                name: "m.toml".into(),
                text,
                base_dir: Some(dir.to_path_buf()),
            },
            &[],
        )
    }

    #[test]
    fn shapes_are_matched_to_regions_by_name() {
        let dir = folder("shapes");
        let doc = |features: &[String]| {
            format!(
                r#"{{"type":"FeatureCollection","features":[{}]}}"#,
                features.join(",")
            )
        };
        std::fs::write(
            dir.join("s.geojson"),
            doc(&[
                square("west", 0.0),
                square("east", 1.0),
                square("north", 5.0),
            ]),
        )
        .unwrap();
        let s = load(&dir, "[map]\nshapes = \"s.geojson\"").unwrap();
        let m = s.map.as_ref().unwrap();
        assert!(!m.schematic());
        assert_eq!(m.shapes[0].as_ref().unwrap()[0][0][0], [1.0, 0.0]);
        assert_eq!(m.shapes[1].as_ref().unwrap()[0][0][0], [0.0, 0.0]);
        // A feature without a region is a warning.
        assert_eq!(s.warnings.len(), 1);
        assert!(
            s.warnings[0].contains("`north` is no region"),
            "{:?}",
            s.warnings
        );
        // A region without a feature is an error naming it.
        std::fs::write(dir.join("s.geojson"), doc(&[square("west", 0.0)])).unwrap();
        let e = load(&dir, "[map]\nshapes = \"s.geojson\"").unwrap_err();
        assert_eq!(e.problems.len(), 1, "{e}");
        assert_eq!(e.problems[0].path, "map.shapes");
        assert!(
            e.problems[0].message.contains("no shape for region `east`"),
            "{e}"
        );
        // A broken file is located.
        std::fs::write(
            dir.join("s.geojson"),
            "{\"type\": \"FeatureCollection\", \"features\": [\n{",
        )
        .unwrap();
        let e = load(&dir, "[map]\nshapes = \"s.geojson\"").unwrap_err();
        assert!(e.problems[0].message.contains("not JSON (line 2"), "{e}");
    }

    #[test]
    fn an_outline_needs_points_and_known_land() {
        let dir = folder("outline");
        std::fs::write(
            dir.join("o.geojson"),
            format!(
                r#"{{"type":"FeatureCollection","features":[{}]}}"#,
                square("land", 0.0)
            ),
        )
        .unwrap();
        let s = load(
            &dir,
            "[map]\noutline = \"o.geojson\"\nland = [\"land\"]\ncredit = \"x\"",
        )
        .unwrap();
        assert!(s.map.as_ref().unwrap().schematic());
        let e = load(&dir, "[map]\noutline = \"o.geojson\"\nland = [\"lnd\"]").unwrap_err();
        assert!(
            e.problems[0].message.contains("`lnd` is not a feature"),
            "{e}"
        );
        assert!(e.problems[0]
            .help
            .as_deref()
            .unwrap()
            .starts_with("did you mean `land`?"));
        // A scenario given as text keeps its [map] unread (nothing it computes depends on it).
        let text = "name = \"m\"\nmodel = \"threshold\"\n[map]\noutline = \"o.geojson\"\n\
            [[regions]]\nname = \"a\"\npopulation = 10\n\
            [threshold.distribution]\nkind = \"uniform\"\nmin = 0\nmax = 5\n";
        let s = Scenario::load(&Source::text("t.toml", text), &[]).unwrap();
        assert!(s.map.is_none());
        assert!(s.resolved_toml().contains("outline = \"o.geojson\""));
    }
}
