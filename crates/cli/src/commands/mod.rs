//! One module per subcommand.

pub mod run;
pub mod scenarios;
pub mod validate;
