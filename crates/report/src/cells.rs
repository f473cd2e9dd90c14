//! Region shapes for maps: the scenario's real shapes, or schematic cells.
//!
//! A schematic cell is the part of the land nearer to the region's point than to any other
//! region's (a Voronoi cell), at most `cell_radius` from it, clipped to the land its region
//! lies on (`land`, or `abroad_land` for regions abroad). Cells of one kind of land cover it
//! without overlapping. The clipping is `geo`'s boolean operations.

use geo::{Area, BooleanOps, Coord, LineString, MultiPolygon, Polygon};
use mobilize_core::scenario::map::{Feature, MapSpec, Polygon as Rings};

/// A region for the map: its point and whether it is abroad.
#[derive(Clone, Debug)]
pub struct Site {
    /// The point (x to the east, y to the north).
    pub x: f64,
    /// North coordinate.
    pub y: f64,
    /// Outside the ruled country (its cell is clipped to `abroad_land`).
    pub abroad: bool,
}

fn polygon(rings: &Rings) -> Polygon<f64> {
    let ring = |r: &Vec<[f64; 2]>| {
        LineString::from(r.iter().map(|&[x, y]| Coord { x, y }).collect::<Vec<_>>())
    };
    let mut it = rings.iter();
    let outer = it
        .next()
        .map(ring)
        .unwrap_or_else(|| LineString::new(vec![]));
    Polygon::new(outer, it.map(ring).collect())
}

/// The features named in `names` (all if empty) as one shape.
pub fn land(outline: &[Feature], names: &[String]) -> MultiPolygon<f64> {
    let mut out = MultiPolygon::new(vec![]);
    for f in outline {
        if names.is_empty() || names.contains(&f.name) {
            let mp = MultiPolygon::new(f.polygons.iter().map(polygon).collect());
            out = out.union(&mp);
        }
    }
    out
}

/// A shape given as rings.
pub fn shape(polys: &[Rings]) -> MultiPolygon<f64> {
    MultiPolygon::new(polys.iter().map(polygon).collect())
}

/// The half-plane of points nearer to `a` than to `b`, as a rectangle far larger than `span`.
fn nearer(a: (f64, f64), b: (f64, f64), span: f64) -> MultiPolygon<f64> {
    let (mx, my) = ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len = (dx * dx + dy * dy).sqrt().max(1e-12);
    // Unit normal towards b, and the bisector's direction.
    let (nx, ny) = (dx / len, dy / len);
    let (tx, ty) = (-ny, nx);
    let big = span * 10.0;
    let p = |s: f64, t: f64| Coord {
        x: mx + nx * s + tx * t,
        y: my + ny * s + ty * t,
    };
    MultiPolygon::new(vec![Polygon::new(
        LineString::from(vec![
            p(0.0, -big),
            p(0.0, big),
            p(-big, big),
            p(-big, -big),
            p(0.0, -big),
        ]),
        vec![],
    )])
}

/// A disc of radius `r` around `c`, as a 64-gon.
fn disc(c: (f64, f64), r: f64) -> MultiPolygon<f64> {
    let mut pts: Vec<Coord<f64>> = (0..64)
        .map(|k| {
            let a = f64::from(k) / 64.0 * std::f64::consts::TAU;
            Coord {
                x: c.0 + r * a.cos(),
                y: c.1 + r * a.sin(),
            }
        })
        .collect();
    pts.push(pts[0]);
    MultiPolygon::new(vec![Polygon::new(LineString::from(pts), vec![])])
}

/// Each region's shape: its real one if the map gives shapes, else its schematic cell.
pub fn regions(sites: &[Site], spec: &MapSpec) -> Vec<MultiPolygon<f64>> {
    if !spec.shapes.is_empty() {
        return spec
            .shapes
            .iter()
            .map(|s| {
                s.as_deref()
                    .map(shape)
                    .unwrap_or_else(|| MultiPolygon::new(vec![]))
            })
            .collect();
    }
    let home = land(&spec.outline, &spec.land);
    let abroad_names = if spec.abroad_land.is_empty() {
        &spec.land
    } else {
        &spec.abroad_land
    };
    let abroad = land(&spec.outline, abroad_names);
    let span = {
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for s in sites {
            x0 = x0.min(s.x);
            x1 = x1.max(s.x);
            y0 = y0.min(s.y);
            y1 = y1.max(s.y);
        }
        for f in &spec.outline {
            for p in &f.polygons {
                for &[x, y] in p.iter().flatten() {
                    x0 = x0.min(x);
                    x1 = x1.max(x);
                    y0 = y0.min(y);
                    y1 = y1.max(y);
                }
            }
        }
        ((x1 - x0).max(y1 - y0)).max(1e-9)
    };
    sites
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let base = if s.abroad { &abroad } else { &home };
            let mut cell = base.clone();
            // Only sites on the same land compete for it.
            for (j, t) in sites.iter().enumerate() {
                if j != i && t.abroad == s.abroad && (t.x, t.y) != (s.x, s.y) {
                    cell = cell.intersection(&nearer((s.x, s.y), (t.x, t.y), span));
                }
            }
            if let Some(r) = spec.cell_radius {
                cell = cell.intersection(&disc((s.x, s.y), r));
            }
            cell
        })
        .collect()
}

/// The area of a shape.
pub fn area(m: &MultiPolygon<f64>) -> f64 {
    m.unsigned_area()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(name: &str, x0: f64, y0: f64, x1: f64, y1: f64) -> Feature {
        Feature {
            name: name.into(),
            polygons: vec![vec![vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]],
        }
    }

    fn site(x: f64, y: f64) -> Site {
        Site {
            x,
            y,
            abroad: false,
        }
    }

    #[test]
    fn schematic_cells_cover_the_outline_without_overlap() {
        // An L-shaped land (a square with a bite out of it) and five points.
        let spec = MapSpec {
            outline: vec![
                square("land", 0.0, 0.0, 10.0, 10.0),
                square("sea", 20.0, 20.0, 30.0, 30.0),
            ],
            land: vec!["land".into()],
            ..MapSpec::default()
        };
        let sites = [
            site(1.0, 1.0),
            site(8.0, 2.0),
            site(2.0, 8.0),
            site(5.0, 5.0),
            site(9.0, 9.0),
        ];
        let cells = regions(&sites, &spec);
        let total: f64 = cells.iter().map(area).sum();
        assert!((total - 100.0).abs() < 1e-6, "{total}");
        for i in 0..cells.len() {
            assert!(area(&cells[i]) > 1.0);
            for j in i + 1..cells.len() {
                let overlap = area(&cells[i].intersection(&cells[j]));
                assert!(overlap < 1e-6, "{i} and {j} overlap by {overlap}");
            }
        }
        // Each point lies in its own cell.
        use geo::Contains;
        for (s, c) in sites.iter().zip(&cells) {
            assert!(c.contains(&geo::Point::new(s.x, s.y)));
        }
    }

    #[test]
    fn a_radius_bounds_the_cells_and_regions_abroad_get_their_own_land() {
        let spec = MapSpec {
            outline: vec![
                square("home", 0.0, 0.0, 10.0, 10.0),
                square("away", 10.0, 0.0, 20.0, 10.0),
            ],
            land: vec!["home".into()],
            abroad_land: vec!["away".into()],
            cell_radius: Some(2.0),
            ..MapSpec::default()
        };
        let sites = [
            site(5.0, 5.0),
            Site {
                x: 15.0,
                y: 5.0,
                abroad: true,
            },
        ];
        let cells = regions(&sites, &spec);
        let disc = std::f64::consts::PI * 4.0;
        for c in &cells {
            assert!((area(c) - disc).abs() < 0.1, "{}", area(c));
        }
        use geo::BoundingRect;
        assert!(cells[1].bounding_rect().unwrap().min().x >= 10.0);
    }
}
