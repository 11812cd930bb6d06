//! The reading side of an import: parses the source on a blocking thread (where the
//! PROJ transformation lives; PROJ contexts are per thread), settles the CRS, checks
//! every feature and hands the results to the writing side in order.

use std::io::Read;
use std::sync::Arc;

use super::source::{self, RawFeature, SourceError, SourceItem};
use super::{detect, fields, geometry};
use super::{
    Crs, FeatureError, FieldMap, ImportError, ImportOptions, Message, Reject, ZoneLocator,
};
use crate::crs::{self, AxisOrder};
use crate::domain::{Collection, ValidFeature};

/// The reading side: runs on a blocking thread, where the PROJ transformation lives.
pub(super) fn read_and_check<R: Read>(
    reader: R,
    opts: &ImportOptions,
    tx: &tokio::sync::mpsc::Sender<Message>,
) -> Result<usize, SourceError> {
    let mut checker: Option<Checker> = None;
    let mut declared = opts.crs;
    let mut sink = |item: SourceItem| -> bool {
        match item {
            SourceItem::Crs(name) => {
                if opts.crs.is_some() {
                    return true;
                }
                match Crs::parse(&name) {
                    Ok(c) if checker.is_none() => {
                        declared = Some(c);
                        true
                    }
                    Ok(_) => {
                        let _ = tx.blocking_send(Message::Fatal(ImportError::Crs(
                            "the crs member comes after the first feature, where it can no longer be applied; put it before the features, or name the CRS separately (`landreuse import --crs`, or the crs parameter of POST /imports)"
                                .into(),
                        )));
                        false
                    }
                    Err(e) => {
                        let _ = tx.blocking_send(Message::Fatal(ImportError::Crs(format!(
                            "the file's crs member: {e}"
                        ))));
                        false
                    }
                }
            }
            SourceItem::Feature(raw) => {
                if checker.is_none() {
                    let crs = declared.unwrap_or(Crs::Crs84);
                    let axis = opts.axis_order.unwrap_or(AxisOrder::EastNorth);
                    if let Some((a, b)) = first_position(&raw.geometry) {
                        if let Err(e) = detect::check_declared(crs, axis, raw.index, a, b) {
                            let _ = tx.blocking_send(Message::Fatal(ImportError::Crs(e)));
                            return false;
                        }
                    }
                    match Checker::new(opts, crs) {
                        Ok(c) => checker = Some(c),
                        Err(e) => {
                            let _ = tx.blocking_send(Message::Fatal(e));
                            return false;
                        }
                    }
                    if tx.blocking_send(Message::Start(crs)).is_err() {
                        return false;
                    }
                }
                let Some(c) = checker.as_ref() else {
                    return false;
                };
                tx.blocking_send(Message::Feature(Box::new(c.check(&raw))))
                    .is_ok()
            }
        }
    };
    source::read_source(reader, &mut sink)
}

/// Checks one GeoJSON Feature as an import of `opts.collection` would (a single-feature
/// write): coordinates in `crs`, in its authority axis order, the zone-prefix and axis checks, the
/// geometry, the fields and their code lists, the zone a parcel lies in. Runs PROJ, so it
/// belongs on a blocking thread. The error is the reason alone (no feature index).
pub fn check_feature(
    opts: &ImportOptions,
    crs: Crs,
    feature: serde_json::Value,
) -> Result<ValidFeature, String> {
    let raw = source::raw_feature(0, feature);
    if let Some((a, b)) = first_position(&raw.geometry) {
        detect::check_content_crs(crs, a, b)?;
    }
    let axis = crs.authority_axis_order();
    let opts = ImportOptions {
        axis_order: Some(axis),
        ..opts.clone()
    };
    let checker = Checker::new(&opts, crs).map_err(|e| e.to_string())?;
    checker.check_parts(&raw).map_err(|e| e.reason)
}

/// Checks features against one source CRS and collection.
struct Checker {
    collection: Collection,
    field_map: FieldMap,
    transform: crs::ToCrs84,
    zones: Arc<ZoneLocator>,
}

impl Checker {
    fn new(opts: &ImportOptions, crs: Crs) -> Result<Self, ImportError> {
        Ok(Self {
            collection: opts.collection,
            field_map: opts.field_map.clone(),
            transform: crs::ToCrs84::new(crs, opts.axis_order.unwrap_or(AxisOrder::EastNorth))
                .map_err(ImportError::Crs)?,
            zones: opts.zones.clone(),
        })
    }

    fn check(&self, raw: &RawFeature) -> Result<ValidFeature, Reject> {
        // The source feature is kept only when it is rejected (for the rejects file).
        self.check_parts(raw).map_err(|error| Reject {
            error,
            feature: Box::new(serde_json::json!({
                "type": "Feature",
                "id": raw.id,
                "properties": raw.properties,
                "geometry": raw.geometry,
            })),
        })
    }

    fn check_parts(&self, raw: &RawFeature) -> Result<ValidFeature, FeatureError> {
        let fail = |id: Option<String>, reason: String| FeatureError {
            index: raw.index,
            id,
            reason,
        };
        if let Some(p) = &raw.problem {
            return Err(fail(raw.id.clone(), p.clone()));
        }
        if raw.id.as_deref().is_some_and(|id| id.contains('\0')) {
            return Err(fail(
                None,
                "has a NUL character (\\u0000) in its id; no store keeps it, remove it".into(),
            ));
        }
        let mapped =
            fields::map_properties(self.collection, raw.properties.clone(), &self.field_map)
                .map_err(|e| fail(raw.id.clone(), e))?;
        let code = mapped.code.or_else(|| raw.id.clone());
        let (geometry, measures) = geometry::prepare_geometry(
            &raw.geometry,
            self.collection.geometry_kind(),
            &self.transform,
        )
        .map_err(|e| fail(code.clone(), e))?;
        if self.collection == Collection::Projects {
            crate::domain::projects::check_geometry(
                mapped.typed.get("kind").and_then(|v| v.as_str()),
                &geometry,
            )
            .map_err(|e| fail(code.clone(), e))?;
        }
        let envelope = geo::BoundingRect::bounding_rect(&geometry)
            .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y]);
        if let Some(envelope) = envelope {
            detect::check_extent(envelope, first_position(&raw.geometry))
                .map_err(|e| fail(code.clone(), e))?;
        }
        let mut typed = mapped.typed;
        if self.collection == Collection::Parcels {
            self.zones.fill_in(&mut typed, &geometry);
        }
        Ok(ValidFeature {
            index: raw.index,
            code,
            typed,
            attributes: mapped.attributes,
            geometry,
            measures,
        })
    }
}

/// The first position of a source geometry, as the two numbers written.
fn first_position(geometry: &serde_json::Value) -> Option<(f64, f64)> {
    let mut v = geometry.get("coordinates")?;
    while let Some(first) = v.as_array().and_then(|a| a.first()) {
        if let (Some(a), Some(b)) = (first.as_f64(), v.get(1).and_then(serde_json::Value::as_f64)) {
            return Some((a, b));
        }
        v = first;
    }
    None
}
