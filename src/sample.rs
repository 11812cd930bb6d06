//! The illustrative sample zone in `geodata/`, loaded into an empty store at first start.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::domain::grading::GradingConfig;
use crate::domain::Collection;
use crate::import::{self, FieldMap, ImportError, ImportOptions, ZoneLocator};
use crate::store::{Enterprise, Store, StoreError};
use crate::workflow::cases::{self, CaseParcel, OpenCase};
use crate::workflow::grading::regrade;
use crate::workflow::WorkflowError;
use serde::Deserialize;

/// The actor recorded for the sample load.
pub const SAMPLE_ACTOR: &str = "sample-zone";

/// Why the sample zone could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    /// A sample file is missing or unreadable.
    #[error("sample file {path} cannot be read: {reason}")]
    File {
        /// Which file.
        path: String,
        /// Why.
        reason: String,
    },
    /// A sample file did not import.
    #[error("sample file {path} did not import: {source}")]
    Import {
        /// Which file.
        path: String,
        /// The import error.
        source: ImportError,
    },
    /// A sample reallocation case breaks a rule of the workflow.
    #[error("sample case {index} of {path} cannot be loaded: {source}")]
    Case {
        /// Which file.
        path: String,
        /// Position of the case in the file (0-based).
        index: usize,
        /// What the workflow said.
        source: WorkflowError,
    },
    /// Grading the sample firms failed.
    #[error("grading the sample firms failed: {0}")]
    Grading(WorkflowError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A transition of a sample case.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SampleTransition {
    to: String,
    #[serde(default)]
    reason: Option<String>,
}

/// A reallocation case of `geodata/reallocations.json`: opened, then moved through its
/// transitions in order.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SampleCase {
    kind: String,
    parcels: Vec<CaseParcel>,
    #[serde(default)]
    enterprise: Option<String>,
    #[serde(default)]
    planned_use: Option<String>,
    #[serde(default)]
    acquisition: Option<String>,
    #[serde(default)]
    planned_output_wan: Option<f64>,
    #[serde(default)]
    reason: Option<String>,
    actor: String,
    #[serde(default)]
    transitions: Vec<SampleTransition>,
}

/// Grades the sample firms, then opens and moves the sample cases of
/// `reallocations.json` (if the directory has one) through the workflow, so the sample
/// history is made by the same rules as a planner's.
async fn load_cases(
    store: &dyn Store,
    dir: &Path,
    grading: &GradingConfig,
    report: &mut dyn FnMut(String),
) -> Result<(), SampleError> {
    let summary = regrade(store, SAMPLE_ACTOR, grading, "sample zone loaded")
        .await
        .map_err(SampleError::Grading)?;
    report(format!(
        "grades of {} firms: {:?}",
        summary.firms.values().sum::<usize>(),
        summary.firms
    ));
    let path = dir.join("reallocations.json");
    if !path.exists() {
        return Ok(());
    }
    let list: Vec<SampleCase> = serde_json::from_reader(std::io::BufReader::new(open(&path)?))
        .map_err(|e| SampleError::File {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
    let fail = |index: usize, source: WorkflowError| SampleError::Case {
        path: path.display().to_string(),
        index,
        source,
    };
    for (index, c) in list.iter().enumerate() {
        let req = OpenCase {
            kind: c.kind.clone(),
            parcels: c.parcels.clone(),
            enterprise: c.enterprise.clone(),
            planned_use: c.planned_use.clone(),
            acquisition: c.acquisition.clone(),
            planned_output_wan: c.planned_output_wan,
            reason: c.reason.clone(),
        };
        let case = cases::open(store, &c.actor, &req)
            .await
            .map_err(|e| fail(index, e))?;
        for (version, t) in (1..).zip(&c.transitions) {
            cases::transition(
                store,
                &c.actor,
                &case.code,
                version,
                &t.to,
                t.reason.as_deref(),
                None,
            )
            .await
            .map_err(|e| fail(index, e))?;
        }
    }
    report(format!(
        "{} reallocation cases from {}",
        list.len(),
        path.display()
    ));
    // Land changed hands in the cases: grade once more, for all of them.
    regrade(store, SAMPLE_ACTOR, grading, "sample cases loaded")
        .await
        .map_err(SampleError::Grading)?;
    Ok(())
}

/// Where the sample data is: `LANDREUSE_GEODATA`, else `./geodata`, else the
/// `geodata/` of the source tree this binary was built from.
pub fn default_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("LANDREUSE_GEODATA") {
        return PathBuf::from(dir);
    }
    let here = PathBuf::from("geodata");
    if here.join("parcels.geojson").exists() {
        return here;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("geodata")
}

/// Whether nothing has been stored yet.
pub async fn store_is_empty(store: &dyn Store) -> Result<bool, StoreError> {
    for c in Collection::ALL {
        if store.feature_count(c).await? > 0 {
            return Ok(false);
        }
    }
    Ok(store.enterprise_count().await? == 0)
}

fn open(path: &Path) -> Result<std::fs::File, SampleError> {
    std::fs::File::open(path).map_err(|e| SampleError::File {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}

/// Loads enterprises, zones, roads and parcels from `dir`, each file in its own
/// import transaction, then grades the firms and loads the sample cases. `report` is told what each step did.
pub async fn load(
    store: &dyn Store,
    dir: &Path,
    grading: &GradingConfig,
    report: &mut dyn FnMut(String),
) -> Result<(), SampleError> {
    let path = dir.join("enterprises.json");
    let list: Vec<Enterprise> = serde_json::from_reader(std::io::BufReader::new(open(&path)?))
        .map_err(|e| SampleError::File {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
    let n = store.upsert_enterprises(&list, SAMPLE_ACTOR).await?;
    report(format!("{n} enterprises from {}", path.display()));
    let mut zones = Arc::new(ZoneLocator::default());
    for (file, c) in [
        ("zones.geojson", Collection::Zones),
        ("roads.geojson", Collection::Roads),
        ("parcels.geojson", Collection::Parcels),
        ("schools.geojson", Collection::Schools),
        ("projects.geojson", Collection::Projects),
    ] {
        let path = dir.join(file);
        if matches!(c, Collection::Schools | Collection::Projects) && !path.exists() {
            continue; // the public projects are optional in a sample directory
        }
        let opts = ImportOptions {
            collection: c,
            crs: None,
            axis_order: None,
            field_map: FieldMap::default(),
            skip_invalid: false,
            actor: SAMPLE_ACTOR.into(),
            source_name: file.into(),
            zones: zones.clone(),
            regrade: None,
        };
        let r = import::run_import(store, open(&path)?, opts)
            .await
            .map_err(|source| SampleError::Import {
                path: path.display().to_string(),
                source,
            })?;
        let area = if r.total_area.m2 > 0.0 {
            format!(" ({:.1} ha)", r.total_area.ha)
        } else {
            String::new()
        };
        report(format!(
            "{} {c} from {}{area}",
            r.inserted + r.updated,
            path.display()
        ));
        if c == Collection::Zones {
            zones = Arc::new(ZoneLocator::new(&store.load_features(c).await?));
        }
    }
    load_cases(store, dir, grading, report).await
}
