//! The engine's contract: a run stepped by hand is the run; pauses, changes by value, copies
//! and observers that stop or fail behave as documented.

use std::ops::ControlFlow;

use super::*;
use crate::observe::{Flow, Recorder, GO_ON};
use crate::scenario::{embedded, Override};

fn two_valleys(sets: &[&str]) -> Scenario {
    let o: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    Scenario::load(&embedded::source("two-valleys").expect("embedded"), &o).unwrap()
}

fn whole(s: Scenario) -> Recorder {
    let mut rec = Recorder::default();
    Sim::new(s).run(&mut [&mut rec]).unwrap();
    rec
}

/// Steps `sim` until step `until` is computed (or the run is over); the outcome if over.
fn step_to(sim: &mut Sim, rec: &mut Recorder, until: u32) -> Option<Outcome> {
    let mut control = RunControl {
        keep_history: true,
        ..RunControl::default()
    };
    loop {
        if sim.step_reached().is_some_and(|s| s >= until) {
            return None;
        }
        if let Some(reason) = sim.step_with(&mut [rec], &mut control).unwrap() {
            return Some(sim.finish(&mut [rec], reason).unwrap());
        }
    }
}

#[test]
fn a_run_stepped_one_step_at_a_time_is_the_run() {
    let s = two_valleys(&[]);
    let expected = whole(s.clone());
    let mut sim = Sim::new(s);
    let mut rec = Recorder::default();
    let mut calls = 0;
    let outcome = loop {
        calls += 1;
        if let Some(o) = step_to(&mut sim, &mut rec, calls) {
            break o;
        }
    };
    assert_eq!(rec, expected);
    assert_eq!(Some(&outcome), expected.outcome.as_ref());
    assert!(
        calls > 100,
        "the run was stepped step by step ({calls} calls)"
    );
}

#[test]
fn a_change_by_value_mid_run_is_a_branch_from_a_checkpoint() {
    let s = two_valleys(&[]);
    let changed = two_valleys(&["resistance.repression.detection=0.02"]);
    // Paused at step 40, changed, continued.
    let mut sim = Sim::new(s.clone());
    let mut rec = Recorder::default();
    assert!(step_to(&mut sim, &mut rec, 40).is_none());
    let saved = sim.checkpoint();
    sim.set_scenario(changed.clone()).unwrap();
    step_to(&mut sim, &mut rec, u32::MAX).expect("over");
    // The same from the checkpoint, as `run --from` does.
    let mut branch = Recorder::default();
    Sim::resume(&s, changed, saved)
        .unwrap()
        .run(&mut [&mut branch])
        .unwrap();
    assert_eq!(rec, branch);
    assert_ne!(rec.rows, whole(s).rows, "the change acted");
}

#[test]
fn a_copy_whose_observers_saw_the_past_is_not_told_it_again() {
    let s = two_valleys(&[]);
    let expected = whole(s.clone());
    let mut sim = Sim::new(s.clone());
    let mut rec = Recorder::default();
    step_to(&mut sim, &mut rec, 25);
    let copy = Sim::resume_in(sim.world().clone(), s, sim.checkpoint()).unwrap();
    let mut copy = copy.already_told();
    let mut rec2 = rec.clone();
    rec2.columns.clear(); // a copied observer is not started again
    step_to(&mut copy, &mut rec2, u32::MAX).expect("over");
    assert!(rec2.columns.is_empty());
    rec2.columns = expected.columns.clone();
    assert_eq!(rec2, expected);
}

/// Stops the run after a step, or fails at it.
struct StopAt {
    at: u32,
    fail: bool,
}

impl Observer for StopAt {
    fn step(&mut self, record: &StepRecord<'_>) -> Flow {
        if record.step < self.at {
            GO_ON
        } else if self.fail {
            Err(ObserverError::new(std::io::Error::other("disk full")))
        } else {
            Ok(ControlFlow::Break(()))
        }
    }
}

#[test]
fn an_observer_stops_a_run_as_from_outside_and_the_run_resumes() {
    let s = two_valleys(&[]);
    let expected = whole(s.clone());
    let mut saved = Vec::new();
    let mut keep = |c: &Checkpoint| saved.push(c.clone());
    let mut rec = Recorder::default();
    let mut stop = StopAt {
        at: 30,
        fail: false,
    };
    let outcome = Sim::new(s.clone())
        .run_with(
            &mut [&mut rec, &mut stop],
            RunControl {
                on_checkpoint: Some(&mut keep),
                ..RunControl::default()
            },
        )
        .unwrap();
    assert_eq!(outcome.reason, StopReason::Interrupted);
    assert_eq!(outcome.last_step, 30);
    assert_eq!(rec.rows.len(), 31);
    let checkpoint = saved.pop().expect("a checkpoint at the stop");
    assert_eq!(checkpoint.step, 30);
    let mut resumed = Recorder::default();
    Sim::resume(&s, s.clone(), checkpoint)
        .unwrap()
        .run(&mut [&mut resumed])
        .unwrap();
    assert_eq!(resumed, expected);
}

#[test]
fn an_observer_that_fails_ends_the_run_with_its_error() {
    let mut rec = Recorder::default();
    let mut fail = StopAt { at: 12, fail: true };
    let err = Sim::new(two_valleys(&[]))
        .run(&mut [&mut rec, &mut fail])
        .unwrap_err();
    assert_eq!(rec.rows.len(), 13, "stopped at the failing step");
    assert!(rec.outcome.is_none(), "no outcome after a failure");
    let io = err
        .downcast::<std::io::Error>()
        .expect("the observer's own error");
    assert_eq!(io.to_string(), "disk full");
}

#[test]
fn a_run_reached_to_its_last_step_is_over_without_another_step() {
    let s = two_valleys(&[]);
    let outcome = whole(s.clone()).outcome.expect("over");
    let mut sim = Sim::new(s);
    let mut rec = Recorder::default();
    assert!(step_to(&mut sim, &mut rec, outcome.last_step).is_none());
    assert_eq!(sim.over(&RunControl::default()), Some(outcome.reason));
    assert_eq!(sim.step_reached(), Some(outcome.last_step));
}

/// A world kept and handed to another point of a design is the world that point would have
/// built: the runs are the same, and the kept world is reused only for the same regions,
/// network and seed (a model rate changed: reused; a seed or a region's size changed: built).
#[test]
fn a_run_in_a_kept_world_is_the_run_that_built_its_own() {
    let worlds = crate::world::WorldCache::new(4);
    let a = two_valleys(&["resistance.repression.detection=0.02"]);
    let b = two_valleys(&["resistance.outreach.member_contacts=0.3"]);
    let wa = worlds.world(&a);
    let wb = worlds.world(&b);
    assert!(
        std::sync::Arc::ptr_eq(&wa.network, &wb.network),
        "a model rate does not change the world: kept"
    );
    let mut rec = Recorder::default();
    Sim::in_world(b.clone(), wb).run(&mut [&mut rec]).unwrap();
    assert_eq!(rec.rows, whole(b).rows);
    let c = two_valleys(&["seed=99"]);
    assert!(!std::sync::Arc::ptr_eq(
        &worlds.world(&c).network,
        &wa.network
    ));
    let d = two_valleys(&["scale=0.5"]);
    let wd = worlds.world(&d);
    assert_eq!(wd.people.len(), World::of(&d).people.len());
    assert_ne!(wd.people.len(), wa.people.len());
    // Bounded: four kept at most; the oldest goes first.
    for seed in 100..110 {
        worlds.world(&two_valleys(&[&format!("seed={seed}")]));
    }
    assert!(!std::sync::Arc::ptr_eq(
        &worlds.world(&a).network,
        &wa.network
    ));
}
