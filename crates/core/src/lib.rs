//! # mobilize-core
//!
//! The simulator as a library: no printing, no file writing, no command-line parsing.
//!
//! - [`scenario`] reads a TOML scenario into a validated [`scenario::Scenario`], reporting
//!   every problem with its path, line and column;
//! - [`rng`] names the random generator (Philox4x32-10) and keys every stream by
//!   `(seed, purpose, step, agent)`;
//! - [`population`] synthesizes people as columns, [`network`] their ties as CSR;
//! - [`engine::Sim`] runs the step loop of a [`model::Model`] and reports to
//!   [`observe::Observer`]s.
//!
//! ```
//! use mobilize_core::{engine::Sim, observe::Recorder, scenario::{embedded, Scenario}};
//! let scenario = Scenario::load(&embedded::source("granovetter-uniform").unwrap(), &[])?;
//! let mut recorder = Recorder::default();
//! let outcome = Sim::new(scenario).run(&mut [&mut recorder]).unwrap();
//! // Thresholds 0, 1, ..., 99: one more person acts at each step, the last at step 100.
//! assert_eq!(outcome.figures[0], ("final_active".to_string(), 100.0));
//! assert_eq!(outcome.figures[2], ("last_change_step".to_string(), 100.0));
//! # Ok::<(), mobilize_core::scenario::ScenarioError>(())
//! ```

pub mod calendar;
pub mod engine;
pub mod files;
pub mod model;
pub mod network;
pub mod observe;
pub mod population;
pub mod prefetch;
pub mod rng;
pub mod scenario;
pub mod stats;
pub mod text;
pub mod world;
