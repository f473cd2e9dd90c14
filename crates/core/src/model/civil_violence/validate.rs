//! Validation of the `[civil_violence]` section.

use super::params::*;
use crate::scenario::Check;

/// Most lattice sites a scenario may ask for (about 32 bytes each in memory).
pub const MAX_SITES: u64 = 400_000_000;

/// Checks `[civil_violence]` and fills in its defaults (the variant's switches first).
pub(crate) fn validate(v: &mut Check<'_>, c: &mut RawCivilViolence) -> Option<CivilViolenceParams> {
    let time = &v.time().cloned();
    let before = v.problems.list.len();
    let mut ranges = Vec::new();
    let epstein = EpsteinParams::resolve(&mut c.params, "civil_violence", &mut ranges);
    for (path, message, help) in ranges {
        v.bad(&path, message, Some(help));
    }
    let switches = Switches::resolve(&mut c.switches);
    let sites = u64::from(epstein.width) * u64::from(epstein.height);
    if sites > MAX_SITES {
        v.bad(
            "civil_violence.width",
            format!("{} × {} = {sites} sites", epstein.width, epstein.height),
            Some(format!("allowed: at most {MAX_SITES} sites")),
        );
    }
    let reach = 2 * epstein.vision.max(epstein.cop_vision).floor() as u64 + 1;
    if u64::from(epstein.width.min(epstein.height)) < reach {
        v.bad(
            "civil_violence.width",
            format!(
                "a {} × {} lattice is smaller than a vision neighbourhood ({reach} sites across)",
                epstein.width, epstein.height
            ),
            Some(
                "width and height must be at least 2·vision + 1, so that no site is seen twice"
                    .into(),
            ),
        );
    }
    if epstein.citizen_density + epstein.cop_density > 1.0 {
        v.bad(
            "civil_violence.cop_density",
            format!(
                "citizen_density + cop_density = {} is more than 1",
                epstein.citizen_density + epstein.cop_density
            ),
            Some("at most one agent per site".into()),
        );
    }
    if switches.mode == Mode::Fast && switches.jailed == JailedAgents::Transparent {
        v.bad(
            "civil_violence.mode",
            "\"fast\" stores agents by site, one per site, and jailed = \"transparent\" lets several share a site".to_string(),
            Some("use mode = \"faithful\", or jailed = \"blocking\" or \"off_lattice\" with mode = \"fast\"".into()),
        );
    }
    if let Some(t) = time {
        for (i, &s) in switches.snapshots.iter().enumerate() {
            if s > t.steps {
                v.bad(
                    &format!("civil_violence.snapshots[{i}]"),
                    format!("step {s} is after the last step ({})", t.steps),
                    None,
                );
            }
        }
    }
    if v.problems.list.len() > before {
        return None;
    }
    Some(CivilViolenceParams { epstein, switches })
}
