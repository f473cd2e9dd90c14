//! Validation of the `[resistance]` section: parameter ranges, organization kinds and the
//! geography the operations plan needs.

use super::events::Action;
use super::params::*;
use crate::calendar::Date;
use crate::population::{AGE_BANDS, OCCUPATIONS, SEXES};
use crate::scenario::decode::join;
use crate::scenario::{Check, Event, Region, TimeSpan};

/// Checks `[resistance]` against the scenario's regions, time and timeline, and fills in
/// its defaults.
pub(crate) fn validate(c: &mut Check<'_>, r: &mut RawResistance) -> Option<ResistanceParams> {
    let regions = c.regions().to_vec();
    let regions = &regions[..];
    let time = &c.time().cloned();
    let events = c.events().to_vec();
    let events = &events[..];
    let scale = c.scale();
    let before = c.problems.list.len();
    let mut ranges = Vec::new();
    let people = PeopleParams::resolve(
        r.people.get_or_insert_with(Default::default),
        "resistance.people",
        &mut ranges,
    );
    let outreach = OutreachParams::resolve(
        r.outreach.get_or_insert_with(Default::default),
        "resistance.outreach",
        &mut ranges,
    );
    let contributions = ContributionParams::resolve(
        r.contributions.get_or_insert_with(Default::default),
        "resistance.contributions",
        &mut ranges,
    );
    let training = TrainingParams::resolve(
        r.training.get_or_insert_with(Default::default),
        "resistance.training",
        &mut ranges,
    );
    let repression = RepressionParams::resolve(
        r.repression.get_or_insert_with(Default::default),
        "resistance.repression",
        &mut ranges,
    );
    let combat = CombatParams::resolve(
        r.combat.get_or_insert_with(Default::default),
        "resistance.combat",
        &mut ranges,
    );
    let uprising = UprisingParams::resolve(
        r.uprising.get_or_insert_with(Default::default),
        "resistance.uprising",
        &mut ranges,
    );
    let control = ControlParams::resolve(
        r.control.get_or_insert_with(Default::default),
        "resistance.control",
        &mut ranges,
    );
    let committees = CommitteeParams::resolve(
        r.committees.get_or_insert_with(Default::default),
        "resistance.committees",
        &mut ranges,
    );
    let demobilization = DemobilizationParams::resolve(
        r.demobilization.get_or_insert_with(Default::default),
        "resistance.demobilization",
        &mut ranges,
    );
    let mut policing = PolicingParams::resolve(
        r.policing.get_or_insert_with(Default::default),
        "resistance.policing",
        &mut ranges,
    );
    let loyalty = LoyaltyParams::resolve(
        r.loyalty.get_or_insert_with(Default::default),
        "resistance.loyalty",
        &mut ranges,
    );
    let concession = ConcessionParams::resolve(
        r.concession.get_or_insert_with(Default::default),
        "resistance.concession",
        &mut ranges,
    );
    for (path, message, help) in ranges {
        c.bad(&path, message, Some(help));
    }
    if repression.jail_min > repression.jail_max {
        c.bad(
            "resistance.repression.jail_max",
            format!(
                "jail_max ({}) is below jail_min ({})",
                repression.jail_max, repression.jail_min
            ),
            Some("jail terms are drawn between jail_min and jail_max".into()),
        );
    }
    if policing.crowd_jail_min > policing.crowd_jail_max {
        c.bad(
            "resistance.policing.crowd_jail_max",
            format!(
                "crowd_jail_max ({}) is below crowd_jail_min ({})",
                policing.crowd_jail_max, policing.crowd_jail_min
            ),
            Some("detentions are drawn between crowd_jail_min and crowd_jail_max".into()),
        );
    }
    policing.jail_capacity *= scale;
    let who_rises = who_rises(c, r);
    if control.recapture < control.liberation {
        c.bad(
            "resistance.control.recapture",
            "recapture is below liberation",
            Some("a region is liberated below `liberation` and lost again above `recapture`; recapture must be at least liberation".into()),
        );
    }

    let names: Vec<Option<String>> = regions.iter().map(|g| Some(g.name.clone())).collect();
    let find = |n: &str| names.iter().position(|m| m.as_deref() == Some(n));
    let leadership_name = r
        .leadership
        .get_or_insert_with(|| regions.first().map(|g| g.name.clone()).unwrap_or_default())
        .clone();
    let leadership = match find(&leadership_name) {
        Some(k) => k as u16,
        None => {
            c.unknown_region("resistance.leadership", &leadership_name, &names);
            0
        }
    };
    let capital = match r.capital.clone() {
        None => None,
        Some(n) => match find(&n) {
            Some(k) if regions[k].abroad => {
                c.bad(
                    "resistance.capital",
                    format!("the capital `{n}` is marked `abroad`"),
                    Some("the capital must be a region of the ruled country".into()),
                );
                None
            }
            Some(k) => Some(k as u16),
            None => {
                c.unknown_region("resistance.capital", &n, &names);
                None
            }
        },
    };
    let organizations = *r.organizations.get_or_insert(true);
    let stop_at_collapse = *r.stop_at_collapse.get_or_insert(true);
    let report_dates = report_dates(c, r, time);
    let initial_cadres = *r.initial_cadres.get_or_insert(100.0);
    c.range(
        "resistance.initial_cadres",
        initial_cadres,
        0.0,
        1e8,
        "persons",
    );
    let initial_fighters = *r.initial_fighters.get_or_insert(0.0);
    c.range(
        "resistance.initial_fighters",
        initial_fighters,
        0.0,
        1e8,
        "persons",
    );
    if !regions.iter().any(|g| !g.abroad) && !regions.is_empty() {
        c.bad(
            "regions",
            "every region is marked `abroad`",
            Some("the resistance model needs at least one region of the ruled country".into()),
        );
    }

    let kinds = kinds(c, r, regions, time);
    plan_reaches(c, events, regions);

    if c.problems.list.len() > before {
        return None;
    }
    Some(ResistanceParams {
        organizations,
        leadership,
        capital,
        initial_cadres: initial_cadres * scale,
        initial_fighters: initial_fighters * scale,
        stop_at_collapse,
        report_dates,
        people,
        outreach,
        contributions,
        training,
        repression,
        combat,
        uprising,
        control,
        demobilization,
        policing,
        loyalty,
        concession,
        who_rises,
        committees,
        kinds,
    })
}

/// `[resistance.who_rises]`: by default youths and adults of every sex and occupation
/// (children do not rise).
fn who_rises(c: &mut Check<'_>, r: &mut RawResistance) -> WhoRises {
    let path = "resistance.who_rises";
    let raw = r.who_rises.get_or_insert_with(Default::default);
    raw.ages
        .get_or_insert_with(|| vec!["youth".to_string(), "adult".to_string()]);
    let w = WhoRises {
        ages: categories_of(c, path, "ages", &mut raw.ages, &AGE_BANDS),
        sexes: categories_of(c, path, "sexes", &mut raw.sexes, &SEXES),
        occupations: categories_of(c, path, "occupations", &mut raw.occupations, &OCCUPATIONS),
    };
    if !w.ages.iter().any(|&a| a)
        || !w.sexes.iter().any(|&a| a)
        || !w.occupations.iter().any(|&a| a)
    {
        c.bad(
            path,
            "no one may rise",
            Some("ages, sexes and occupations must each name at least one category".into()),
        );
    }
    w
}

/// `report_dates`: dates within the run, on a dated scenario; at most 16.
fn report_dates(
    c: &mut Check<'_>,
    r: &RawResistance,
    time: &Option<TimeSpan>,
) -> Vec<(String, u32)> {
    let Some(dates) = &r.report_dates else {
        return Vec::new();
    };
    let path = "resistance.report_dates";
    if dates.len() > 16 {
        c.bad(
            path,
            format!("{} dates", dates.len()),
            Some("allowed: at most 16".into()),
        );
        return Vec::new();
    }
    let Some((start, t)) = time.as_ref().and_then(|t| t.start.map(|s| (s, t))) else {
        // Without a valid `[time]` (already reported) the dates cannot be checked.
        if !dates.is_empty() && time.is_some() {
            c.bad(path, "`report_dates` needs `time.start`", None);
        }
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, d) in dates.iter().enumerate() {
        let at = format!("{path}[{k}]");
        match Date::parse(d) {
            None => c.bad(
                &at,
                format!("`{d}` is not a date"),
                Some("write YYYY-MM-DD".into()),
            ),
            Some(day) => {
                let days = day.days_since(start);
                let step = (days.max(0) as f64 / t.step_days).floor() as u32;
                if days < 0 || step > t.steps {
                    c.bad(
                        &at,
                        format!("{d} is outside the run"),
                        Some(format!(
                            "allowed: {start} to {}",
                            t.date_of(t.steps).map_or(String::new(), |e| e.to_string())
                        )),
                    );
                } else if !out.iter().any(|(o, _)| o == &day.to_string()) {
                    out.push((day.to_string(), step));
                }
            }
        }
    }
    out.sort_by_key(|&(_, s)| s);
    out
}

fn kinds(
    c: &mut Check<'_>,
    r: &mut RawResistance,
    regions: &[Region],
    time: &Option<TimeSpan>,
) -> Vec<Kind> {
    let raw = r.kinds.get_or_insert_with(|| {
        vec![RawKind {
            name: Some("association".into()),
            ..Default::default()
        }]
    });
    if raw.is_empty() {
        c.bad(
            "resistance.kinds",
            "the list of organization kinds is empty",
            Some(
                "add a [[resistance.kinds]] table, or set resistance.organizations = false".into(),
            ),
        );
    }
    if raw.len() > 250 {
        c.bad(
            "resistance.kinds",
            format!("{} organization kinds", raw.len()),
            Some("allowed: at most 250".into()),
        );
        return Vec::new();
    }
    let mut out = Vec::new();
    let names: Vec<Option<String>> = raw.iter().map(|k| k.name.clone()).collect();
    for (i, k) in raw.iter_mut().enumerate() {
        let path = format!("resistance.kinds[{i}]");
        let name = k.name.clone().unwrap_or_default();
        let ok_name = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-".contains(c));
        if k.name.is_some() && !ok_name {
            c.bad(
                &join(&path, "name"),
                format!("`{name}` cannot name a column"),
                Some(
                    "allowed: letters, digits, `_`, `-`; give the kind a `label` for its display name"
                        .into(),
                ),
            );
        }
        if k.name.is_some() && names[..i].iter().any(|n| n.as_deref() == Some(&name)) {
            c.bad(
                &join(&path, "name"),
                format!("kind `{name}` is listed twice"),
                None,
            );
        }
        let ages = categories_of(c, &path, "ages", &mut k.ages, &AGE_BANDS);
        let sexes = categories_of(c, &path, "sexes", &mut k.sexes, &SEXES);
        let occupations = categories_of(c, &path, "occupations", &mut k.occupations, &OCCUPATIONS);
        let weight = *k.weight.get_or_insert(1.0);
        c.range(&join(&path, "weight"), weight, 0.0, 1e6, "");
        let cell_size = *k.cell_size.get_or_insert(10);
        if !(2..=100_000).contains(&cell_size) {
            c.bad(
                &join(&path, "cell_size"),
                format!("{cell_size} is out of range"),
                Some("allowed: 2 to 100000 members".into()),
            );
        }
        let exposure = *k.exposure.get_or_insert(1.0);
        c.range(&join(&path, "exposure"), exposure, 0.0, 1000.0, "");
        let paramilitary = *k.paramilitary.get_or_insert(false);
        let cadres_only = *k.cadres_only.get_or_insert(false);
        let opens = k
            .opens
            .as_deref()
            .map_or(0, |d| step_of(c, &join(&path, "opens"), d, time));
        let open = k.open.unwrap_or(false);
        let banned = k
            .banned
            .as_deref()
            .map(|d| step_of(c, &join(&path, "banned"), d, time));
        let banned_exposure = k.banned_exposure.unwrap_or(5.0 * exposure);
        if let Some(e) = k.banned_exposure {
            c.range(&join(&path, "banned_exposure"), e, 0.0, 1000.0, "");
        }
        for (field, given) in [
            ("banned", k.banned.is_some()),
            ("banned_exposure", k.banned_exposure.is_some()),
        ] {
            if given && !open {
                c.bad(
                    &join(&path, field),
                    format!("`{field}` applies to an open organization"),
                    Some("add `open = true` to the kind, or remove the field".into()),
                );
            }
        }
        // Attributes are drawn independently, so a kind admits somebody in a region
        // exactly when each of its three lists holds a category with a positive share.
        let anyone = regions.iter().any(|g| {
            let s = &g.shares;
            g.population > 0
                && (0..3).any(|a| ages[a] && s.age[a] > 0.0)
                && (0..2).any(|x| sexes[x] && s.sex[x] > 0.0)
                && (0..4).any(|o| occupations[o] && s.occupation[o] > 0.0)
        });
        // With no one at all (a scale that rounds every region to nobody), that one problem is
        // said of the population, not again of every kind.
        if !anyone && regions.iter().any(|g| g.population > 0) {
            c.bad(
                &path,
                format!("no one is eligible for kind `{name}`"),
                Some("its ages, sexes and occupations must each include a category with a positive share in some region".into()),
            );
        }
        c.label(&join(&path, "label"), k.label.as_deref());
        out.push(Kind {
            label: k.label.clone().unwrap_or_else(|| name.clone()),
            name,
            ages,
            sexes,
            occupations,
            weight,
            cell_size,
            exposure,
            paramilitary,
            cadres_only,
            opens,
            open,
            banned,
            banned_exposure,
        });
    }
    out
}

/// The step of date `d` (`YYYY-MM-DD`) in the scenario's time, for a kind's field at `path`
/// (0 with a problem noted, where it is not a date or the scenario has no start date).
fn step_of(c: &mut Check<'_>, path: &str, d: &str, time: &Option<TimeSpan>) -> u32 {
    match (Date::parse(d), time.as_ref().and_then(|t| t.start)) {
        (None, _) => {
            c.bad(
                path,
                format!("`{d}` is not a date"),
                Some("write YYYY-MM-DD".into()),
            );
            0
        }
        (Some(_), None) => {
            if time.is_some() {
                let key = path.rsplit('.').next().unwrap_or(path);
                c.bad(path, format!("`{key}` needs `time.start`"), None);
            }
            0
        }
        (Some(day), Some(start)) => {
            let step_days = time.as_ref().map_or(1.0, |t| t.step_days);
            (day.days_since(start).max(0) as f64 / step_days).floor() as u32
        }
    }
}

/// Reads a list of category names into flags; absent means all.
fn categories_of<const N: usize>(
    c: &mut Check<'_>,
    path: &str,
    key: &str,
    list: &mut Option<Vec<String>>,
    allowed: &[&str; N],
) -> [bool; N] {
    let list = list.get_or_insert_with(|| allowed.iter().map(|s| s.to_string()).collect());
    let mut flags = [false; N];
    for (j, name) in list.iter().enumerate() {
        match allowed.iter().position(|a| a == name) {
            Some(k) => flags[k] = true,
            None => c.bad(
                &format!("{path}.{key}[{j}]"),
                format!("unknown category `{name}`"),
                Some(format!("allowed: {}", allowed.join(", "))),
            ),
        }
    }
    flags
}

/// Every region of the ruled country must be reachable over neighbours from where an
/// offensive enters, or the plan could never liberate it.
fn plan_reaches(c: &mut Check<'_>, events: &[Event], regions: &[Region]) {
    let n = regions.len();
    let mut adjacent = vec![Vec::new(); n];
    for (i, g) in regions.iter().enumerate() {
        for &j in &g.neighbours {
            adjacent[i].push(j as usize);
            adjacent[j as usize].push(i);
        }
    }
    for e in events {
        // Only the main force follows the plan; an outside army goes where it goes.
        let Action::FinalOffensive {
            regions: entries, ..
        } = crate::model::data::<Action>(&e.action)
        else {
            continue;
        };
        let mut seen = vec![false; n];
        let mut queue: Vec<usize> = entries.iter().map(|&r| r as usize).collect();
        for &q in &queue {
            seen[q] = true;
        }
        while let Some(i) = queue.pop() {
            for &j in &adjacent[i] {
                if !seen[j] {
                    seen[j] = true;
                    queue.push(j);
                }
            }
        }
        for (i, g) in regions.iter().enumerate() {
            if !seen[i] && !g.abroad && g.population > 0 {
                let entry: Vec<&str> = entries
                    .iter()
                    .map(|&r| regions[r as usize].name.as_str())
                    .collect();
                c.bad(
                    &format!("regions[{i}].neighbours"),
                    format!(
                        "the final offensive cannot reach region `{}` from {}",
                        g.name,
                        entry.join(", ")
                    ),
                    Some("the plan moves only between neighbours: give this region (or the regions on the way) neighbours that connect it".into()),
                );
            }
        }
        return;
    }
}
