//! Saving and restoring a model's changing state, for checkpoints.
//!
//! A model's fields are of two sorts: what the scenario fixes (parameters, tables derived from
//! them, the seed) and what the run changes (people's states, counts, queues). Only the second
//! is saved; restoring builds the model from its scenario as usual, then puts the saved state
//! back. So a checkpoint restored under a changed scenario (a branch: `--from` with `--set`)
//! continues the same people under the new parameters. Each model lists its changing fields
//! once, in a [`saved_state!`] invocation beside its struct; the resume-equality tests fail if
//! a field is missing from the list.

/// Why a model's saved state could not be read back.
#[derive(Debug, thiserror::Error)]
#[error("the model's saved state cannot be read: {0}")]
pub struct StateError(pub String);

impl From<postcard::Error> for StateError {
    fn from(e: postcard::Error) -> StateError {
        StateError(e.to_string())
    }
}

/// Implements `save_state` and `restore_state` for a model from the list of its changing
/// fields with their types.
macro_rules! saved_state {
    ($model:ty { $($field:ident : $ty:ty),* $(,)? }) => {
        impl $model {
            /// The changing state, encoded.
            pub(crate) fn save_state(&self) -> Vec<u8> {
                #[derive(serde::Serialize)]
                struct Saved<'a> {
                    $($field: &'a $ty,)*
                }
                postcard::to_stdvec(&Saved { $($field: &self.$field,)* })
                    .expect("plain data always encodes")
            }

            /// Puts back a state encoded by `save_state`.
            pub(crate) fn restore_state(
                &mut self,
                bytes: &[u8],
            ) -> Result<(), $crate::model::state::StateError> {
                #[derive(serde::Deserialize)]
                struct Saved {
                    $($field: $ty,)*
                }
                let s: Saved = postcard::from_bytes(bytes)?;
                $(self.$field = s.$field;)*
                Ok(())
            }
        }
    };
}

pub(crate) use saved_state;
