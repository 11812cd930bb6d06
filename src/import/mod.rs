//! Step 1 of the data flow: GeoJSON in, validated CRS84 features out, written to the
//! store in one transaction.
//!
//! [`run_import`] runs the pipeline:
//! 1. [`source`] reads the input as a stream of features (FeatureCollection, Feature
//!    or GeoJSONSeq) on a blocking thread;
//! 2. the source CRS is settled: `--crs`, else the legacy `crs` member, else CRS84;
//! 3. [`fields`] maps source fields onto the collection's properties;
//! 4. [`geometry`] checks, transforms (PROJ, see [`crate::crs`]) and measures each geometry;
//! 5. valid features are written through one store transaction with an event each;
//!    an invalid feature stops all writing (unless `skip_invalid`) but every other
//!    feature is still checked, so the error lists every bad feature at once;
//! 6. the transaction commits only if nothing was wrong; otherwise it rolls back and
//!    the store is unchanged.

pub mod detect;
pub mod fields;
pub mod geometry;
mod reader;
pub mod source;
mod zones;

use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::io::Read;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

pub use crate::crs::{AxisOrder, Crs};
use crate::domain::grading::GradingConfig;
use crate::domain::{AreaMeasure, Collection, ValidFeature};
use crate::store::{ImportMeta, ImportSession, ImportTotals, Store, StoreError, WriteOutcome};
use crate::workflow::WorkflowError;
pub use fields::FieldMap;
pub use reader::check_feature;
use source::SourceError;
pub use zones::ZoneLocator;

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Target collection.
    pub collection: Collection,
    /// CRS of the coordinates, overriding the file's `crs` member.
    pub crs: Option<Crs>,
    /// Axis order of the source positions (default: easting/longitude first, as
    /// GeoJSON files are written).
    pub axis_order: Option<AxisOrder>,
    /// Explicit field renames.
    pub field_map: FieldMap,
    /// Import the valid features and report the others, instead of all-or-nothing.
    pub skip_invalid: bool,
    /// Who imports (token name).
    pub actor: String,
    /// File name or "upload", recorded with the import.
    pub source_name: String,
    /// Zones, to fill in a parcel's zone from its location when the source has none.
    pub zones: Arc<ZoneLocator>,
    /// The grading configuration, when the firms' grades follow an import of parcels:
    /// they are recomputed in the import's own transaction, so either both are stored
    /// or neither is.
    pub regrade: Option<Arc<GradingConfig>>,
}

/// A feature that could not be imported, and why.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct FeatureError {
    /// Position in the source, 0-based.
    pub index: usize,
    /// Its id, if it has one.
    pub id: Option<String>,
    /// What is wrong, as a sentence fragment ("has an exterior ring that is not closed").
    pub reason: String,
}

impl fmt::Display for FeatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.id {
            Some(id) => write!(f, "feature {} (id {id}) {}", self.index, self.reason),
            None => write!(f, "feature {} {}", self.index, self.reason),
        }
    }
}

/// A rejected feature with its source, for the rejects file.
#[derive(Debug, Clone)]
pub struct Reject {
    /// Why.
    pub error: FeatureError,
    /// The feature as it came (properties and geometry).
    pub feature: Box<Value>,
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The input could not be read as GeoJSON features.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The CRS is unknown or cannot be transformed.
    #[error("{0}")]
    Crs(String),
    /// The input holds no features.
    #[error("the input holds no features; nothing was imported")]
    NoFeatures,
    /// Some features are invalid; nothing was written.
    #[error("{}", invalid_message(*total, errors))]
    Invalid {
        /// Features read.
        total: usize,
        /// Every invalid feature.
        errors: Vec<FeatureError>,
    },
    /// The collection is not written by imports.
    #[error("the {0} collection is not imported: its features are made by the workflow")]
    NotImportable(String),
    /// Recomputing the grades in the import's transaction failed; it was rolled back.
    #[error("the firms' grades could not follow the import, so nothing was imported: {0}")]
    Grading(#[source] Box<WorkflowError>),
    /// The store failed; the transaction was rolled back.
    #[error("the import was rolled back: {0}")]
    Store(#[from] StoreError),
}

fn invalid_message(total: usize, errors: &[FeatureError]) -> String {
    const SHOWN: usize = 50;
    let mut msg = format!(
        "{} of {total} features are invalid, so nothing was imported (fix them, or import the valid ones with --skip-invalid):",
        errors.len()
    );
    for e in errors.iter().take(SHOWN) {
        msg.push_str("\n  ");
        msg.push_str(&e.to_string());
    }
    if errors.len() > SHOWN {
        let _ = write!(msg, "\n  … and {} more", errors.len() - SHOWN);
    }
    msg
}

/// What an import did.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ImportReport {
    /// Id of the import record.
    pub import_id: i64,
    /// Target collection.
    pub collection: String,
    /// The CRS the coordinates were read in.
    pub source_crs: String,
    /// Features read.
    pub features: usize,
    /// New features.
    pub inserted: u64,
    /// Features updated by external id.
    pub updated: u64,
    /// Features rejected (only with `skip_invalid`).
    pub rejected: u64,
    /// Geodesic area of the written features.
    pub total_area: AreaMeasure,
    /// The rejected features and why.
    pub rejects: Vec<FeatureError>,
    /// Codes of the written features, in source order (first 1,000).
    pub codes: Vec<String>,
    /// The rejected source features, for a rejects file.
    #[serde(skip)]
    pub rejected_features: Vec<Reject>,
}

/// What the reading thread tells the writing side.
enum Message {
    Start(Crs),
    Feature(Box<Result<ValidFeature, Reject>>),
    Fatal(ImportError),
}

/// Imports GeoJSON from `reader` into the store. See the module documentation for the
/// steps. On any error the store is left as it was.
pub async fn run_import<R: Read + Send + 'static>(
    store: &dyn Store,
    reader: R,
    opts: ImportOptions,
) -> Result<ImportReport, ImportError> {
    if !opts.collection.importable() {
        return Err(ImportError::NotImportable(opts.collection.id().into()));
    }
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Message>(512);
    let thread_opts = opts.clone();
    let reader_thread =
        tokio::task::spawn_blocking(move || reader::read_and_check(reader, &thread_opts, &tx));
    let mut run = Run::new(opts);
    while let Some(msg) = rx.recv().await {
        match msg {
            Message::Start(crs) => run.start(store, crs).await?,
            Message::Feature(item) => run.accept(*item).await?,
            Message::Fatal(e) => return Err(e),
        }
    }
    let features = match reader_thread.await {
        Ok(Ok(n)) => n,
        Ok(Err(e)) => return Err(e.into()),
        Err(join) => {
            return Err(ImportError::Crs(format!(
                "the import reader failed: {join}"
            )))
        }
    };
    run.finish(features).await
}

/// The writing side of an import.
struct Run {
    opts: ImportOptions,
    session: Option<Box<dyn ImportSession>>,
    source_crs: Option<Crs>,
    totals: ImportTotals,
    errors: Vec<FeatureError>,
    rejects: Vec<Reject>,
    seen: HashMap<String, usize>,
    codes: Vec<String>,
    pending: Vec<ValidFeature>,
}

/// Features written per store round trip.
const BATCH: usize = 400;

impl Run {
    fn new(opts: ImportOptions) -> Self {
        Self {
            opts,
            session: None,
            source_crs: None,
            totals: ImportTotals::default(),
            errors: Vec::new(),
            rejects: Vec::new(),
            seen: HashMap::new(),
            codes: Vec::new(),
            pending: Vec::with_capacity(BATCH),
        }
    }

    async fn start(&mut self, store: &dyn Store, crs: Crs) -> Result<(), ImportError> {
        let meta = ImportMeta {
            actor: self.opts.actor.clone(),
            source: self.opts.source_name.clone(),
            collection: self.opts.collection,
            source_crs: crs.to_string(),
        };
        self.session = Some(store.begin_import(meta).await?);
        self.source_crs = Some(crs);
        Ok(())
    }

    fn reject(&mut self, r: Reject) {
        self.errors.push(r.error.clone());
        self.rejects.push(r);
    }

    async fn accept(&mut self, item: Result<ValidFeature, Reject>) -> Result<(), ImportError> {
        let f = match item {
            Ok(f) => f,
            Err(r) => {
                self.reject(r);
                return Ok(());
            }
        };
        if let Some(code) = &f.code {
            if let Some(first) = self.seen.insert(code.clone(), f.index) {
                self.reject(Reject {
                    error: FeatureError {
                        index: f.index,
                        id: Some(code.clone()),
                        reason: format!("repeats the id of feature {first} in the same input"),
                    },
                    feature: Box::new(Value::Null),
                });
                return Ok(());
            }
        }
        if !self.errors.is_empty() && !self.opts.skip_invalid {
            return Ok(());
        }
        self.totals.total_area_m2 += f.measures.area_m2.unwrap_or(0.0);
        self.pending.push(f);
        if self.pending.len() >= BATCH {
            self.flush().await?;
        }
        Ok(())
    }

    /// Writes the pending features through the session.
    async fn flush(&mut self) -> Result<(), ImportError> {
        let Some(session) = self.session.as_mut() else {
            return Ok(());
        };
        let batch = std::mem::take(&mut self.pending);
        for outcome in session.write_batch(&batch).await? {
            let code = match outcome {
                WriteOutcome::Inserted(code) => {
                    self.totals.inserted += 1;
                    code
                }
                WriteOutcome::Updated(code) => {
                    self.totals.updated += 1;
                    code
                }
            };
            if self.codes.len() < 1000 {
                self.codes.push(code);
            }
        }
        Ok(())
    }

    async fn finish(mut self, features: usize) -> Result<ImportReport, ImportError> {
        if features == 0 {
            return Err(ImportError::NoFeatures);
        }
        if !self.errors.is_empty() && !self.opts.skip_invalid {
            return Err(ImportError::Invalid {
                total: features,
                errors: self.errors,
            });
        }
        self.totals.rejected = self.errors.len() as u64;
        self.flush().await?;
        let Some(session) = self.session.take() else {
            return Err(ImportError::NoFeatures);
        };
        let import_id = session.import_id();
        match &self.opts.regrade {
            Some(config) if self.opts.collection == Collection::Parcels => {
                let mut tx = session.finish(&self.totals).await?;
                let why = format!("import {import_id} ({})", self.opts.source_name);
                crate::workflow::grading::regrade_in(tx.as_mut(), config, &why)
                    .await
                    .map_err(|e| ImportError::Grading(Box::new(e)))?;
                tx.commit().await?;
            }
            _ => session.commit(&self.totals).await?,
        }
        Ok(ImportReport {
            import_id,
            collection: self.opts.collection.id().into(),
            source_crs: self.source_crs.map(|c| c.to_string()).unwrap_or_default(),
            features,
            inserted: self.totals.inserted,
            updated: self.totals.updated,
            rejected: self.totals.rejected,
            total_area: AreaMeasure::from_m2(self.totals.total_area_m2),
            rejects: self.errors,
            codes: self.codes,
            rejected_features: self.rejects,
        })
    }
}
