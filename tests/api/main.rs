//! HTTP tests of the service: OGC API – Features, imports and tokens, each against its
//! own server on port 0 with a fresh database.

// Test code: a failed unwrap or expect is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;
mod contract;
mod crs;
mod edit;
mod filter;
mod follow;
mod helpers;
mod import_checks;
mod imports;
mod landuse;
mod ogc;
mod projects;
mod reports;
mod tokens;
mod workflow;
