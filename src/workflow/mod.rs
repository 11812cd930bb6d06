//! Step 5 of the data flow: workflow commands. Each command reads the current state in
//! a workflow transaction, asks the domain rules (plain Rust in [`crate::domain`]) what
//! may happen, and writes the changes with their events in the same transaction; the
//! index follows the events.
//!
//! - [`grading`]: land-efficiency (亩均效益) grades of firms and their parcels;
//! - [`cases`]: reallocation cases (收储, 搬迁, 再开发, 存量扩能) and their stages;
//! - [`parcels`]: splitting reserved land into lots and merging adjacent parcels;
//! - [`enterprises`]: creating and correcting firms' figures;
//! - [`features`]: editing one feature at a time (OGC API – Features Part 4), with
//!   optimistic locking, and reverting a feature to an earlier state of its history.

pub mod cases;
pub mod enterprises;
pub mod features;
pub mod grading;
pub mod parcels;

use crate::domain::reallocation::RuleError;
use crate::store::StoreError;

/// Why a workflow command changed nothing. Every message is a sentence a planner can
/// act on.
#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    /// What the command names does not exist (HTTP 404).
    #[error("{0}")]
    NotFound(String),
    /// The request itself is malformed (HTTP 400).
    #[error("{0}")]
    BadRequest(String),
    /// The command conflicts with the current state: a stale version, a forbidden
    /// transition, a parcel in another open case (HTTP 409).
    #[error("{0}")]
    Conflict(String),
    /// The command breaks a rule of the programme (HTTP 422).
    #[error("{0}")]
    Invalid(String),
    /// The write was based on a state that is no longer the current one (HTTP 412).
    #[error("{}", .0.detail)]
    Stale(Box<features::Stale>),
    /// A write that must name the state it is based on did not (HTTP 428).
    #[error("{0}")]
    PreconditionRequired(String),
    /// The store failed; the transaction was rolled back.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<RuleError> for WorkflowError {
    fn from(e: RuleError) -> Self {
        match e {
            RuleError::Invalid(m) => Self::Invalid(m),
            other => Self::Conflict(other.to_string()),
        }
    }
}
