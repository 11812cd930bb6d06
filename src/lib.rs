//! landreuse — land-reuse GIS service for the Changchun Economic and Technological
//! Development Zone.
//!
//! The modules follow the data flow of the design brief:
//!
//! 1. [`import`] parses GeoJSON (files, uploads), detects and transforms the CRS and
//!    validates every feature;
//! 2. [`store`] writes land records with their event rows in one transaction (SQLite by
//!    default) and is the source of truth;
//! 3. [`index`] keeps one in-memory R-tree per collection, bulk-loaded from the store and
//!    kept in step with the event log;
//! 4. [`api`] answers OGC API – Features requests from the index.
//!
//! [`domain`] holds the plain-Rust vocabulary (collections, parcel statuses, units, roles)
//! that every step shares; [`sample`] loads the illustrative zone from `geodata/`.

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
