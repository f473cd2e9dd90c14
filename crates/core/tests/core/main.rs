//! The core's integration tests, in one binary (one link, not ten): validation against
//! published results (Granovetter, Centola and Macy, Epstein), the resistance model's
//! scientific checks, property tests of the invariants, and scenario reading.

mod centola_macy;
mod civil_violence;
mod figures;
mod granovetter;
mod invariants;
mod resistance;
mod robustness;
mod scenario;
mod weighted_ties;
