//! One module per subcommand.

pub mod calibrate;
pub mod compare;
pub mod ensemble;
pub mod experiment;
pub mod merge;
pub mod report;
pub mod resume;
pub mod run;
pub mod scenarios;
pub mod score;
pub mod serve;
pub mod sweep;
pub mod validate;
