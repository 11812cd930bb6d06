//! landreuse — land-reuse GIS service for the Changchun Economic and Technological
//! Development Zone.
//!
//! The modules follow the data flow of the design brief:
//!
//! 1. [`import`] parses GeoJSON (files, uploads), detects the CRS and transforms it with
//!    [`crs`], and validates every feature;
//! 2. [`store`] writes land records with their event rows in one transaction (SQLite by
//!    default, or PostgreSQL) and is the source of truth;
//! 3. [`index`] keeps one in-memory R-tree per collection, bulk-loaded from the store and
//!    kept in step with the event log;
//! 4. [`api`] answers HTTP (OGC API – Features and the domain endpoints) from the index;
//!    its route table ([`api::routes`]) builds the router and the OpenAPI document, and
//!    [`auth`] checks who may write;
//! 5. [`workflow`] runs commands (grades, reallocation cases, splits and merges) through
//!    the rules of [`domain`], writing to the store with their events;
//! 6. [`report`] writes the land-reserve reports from the store, now or as of a date.
//!
//! [`domain`] holds the plain-Rust vocabulary and rules (no HTTP, no SQL) that every step
//! shares; [`service`] puts the steps together into a running server, [`cli`] is the
//! `landreuse` command line over them, and [`sample`] loads the illustrative zone from
//! `geodata/`.

pub mod api;
pub mod auth;
pub mod cli;
pub mod crs;
pub mod domain;
pub mod import;
pub mod index;
pub mod report;
pub mod sample;
pub mod service;
pub mod store;
pub mod workflow;
