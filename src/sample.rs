//! The illustrative sample zone in `geodata/`, loaded into an empty store at first start.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::domain::Collection;
use crate::import::{self, FieldMap, ImportError, ImportOptions, ZoneLocator};
use crate::store::{Enterprise, Store, StoreError};

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
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
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
/// import transaction. `report` is told what each step did.
pub async fn load(
    store: &dyn Store,
    dir: &Path,
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
    ] {
        let path = dir.join(file);
        let opts = ImportOptions {
            collection: c,
            crs: None,
            axis_order: None,
            field_map: FieldMap::default(),
            skip_invalid: false,
            actor: SAMPLE_ACTOR.into(),
            source_name: file.into(),
            zones: zones.clone(),
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
    Ok(())
}
