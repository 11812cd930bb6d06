//! Editing one feature at a time (OGC API – Features Part 4): create, replace, update
//! by JSON Merge Patch, retire, and revert to an earlier state from the log.
//!
//! Each edit is one workflow transaction, holding the writer lock for that transaction
//! only: the current state is read, the precondition (`If-Match` or
//! `If-Unmodified-Since`) is checked against it, the feature goes through the import's
//! checks (CRS, geometry, fields and code lists, zone), it is written with its event (the
//! actor, the state before and after) and, for parcels whose owner, zone or land
//! changed, the firms are regraded; all of it commits together or not at all. A parcel
//! held by an open reallocation case changes only through the case workflow.

use std::sync::Arc;

use geo::Geometry;
use serde_json::{json, Map, Value};

use super::WorkflowError;
use crate::crs::Crs;
use crate::domain::feature::{entity_tag, removes_feature, served_text, RETIRED, UPDATED_AT};
use crate::domain::grading::GradingConfig;
use crate::domain::layer::GeometryType;
use crate::domain::{Collection, FeatureRecord, Layer, ValidFeature};
use crate::import::{self, FieldMap, ImportOptions, ZoneLocator};
use crate::store::{FeatureWrite, Store, WorkflowTx};

/// Properties the service derives and a write never sets: the geodesic measures, what a
/// land-use code means, the write time, and the collection's properties the workflow
/// derives (a parcel's grade). A replacement drops them (it is a state read earlier); a
/// patch may repeat their current values, and a change to one is refused.
const DERIVED: &[&str] = &[
    "area_m2",
    "area_ha",
    "area_mu",
    "perimeter_m",
    "length_m",
    "length_km",
    "land_use_name",
    "land_use_name_en",
    "land_use_gb50137",
    "land_use_gbt21010",
    "land_use_tk2020",
    UPDATED_AT,
];

/// The version of a feature's state that a client names in a precondition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// The strong entity tag (quoted).
    pub etag: String,
    /// When the state was written (RFC 3339, as stored).
    pub updated_at: Option<String>,
}

impl Version {
    /// The version of a stored record.
    pub fn of(record: &FeatureRecord) -> Self {
        Self::of_served(
            &served_text(record),
            record.properties.get(UPDATED_AT).and_then(Value::as_str),
        )
    }

    /// The version of a feature served as `text` (its GeoJSON in CRS84), last written at
    /// `updated_at`.
    pub fn of_served(text: &str, updated_at: Option<&str>) -> Self {
        Self {
            etag: entity_tag(text),
            updated_at: updated_at.map(str::to_string),
        }
    }

    /// The write time in whole seconds since 1970 (HTTP dates have no fractions).
    pub fn modified_seconds(&self) -> Option<i64> {
        let t = self.updated_at.as_deref()?;
        time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
            .ok()
            .map(time::OffsetDateTime::unix_timestamp)
    }
}

/// What a write is conditional on (RFC 9110, section 13).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// Nothing: refused with 428 unless the setting accepts such writes.
    None,
    /// `If-Match`: the entity tags as sent (`*` matches any current state).
    IfMatch(Vec<String>),
    /// `If-Unmodified-Since`, in seconds since 1970.
    IfUnmodifiedSince(i64),
}

/// What an edit is.
#[derive(Debug, Clone)]
pub enum Change {
    /// A new feature (GeoJSON Feature in `crs`).
    Create {
        /// The feature.
        feature: Value,
        /// The CRS of its coordinates (`Content-Crs`).
        crs: Crs,
    },
    /// A whole new state for an existing feature.
    Replace {
        /// The feature.
        feature: Value,
        /// The CRS of its coordinates.
        crs: Crs,
    },
    /// A JSON Merge Patch (RFC 7396) of the feature's GeoJSON.
    Update {
        /// The patch.
        patch: Value,
        /// The CRS of a geometry in the patch.
        crs: Crs,
    },
    /// The feature leaves the collection; its history stays.
    Retire,
}

impl Change {
    fn verb(&self) -> &'static str {
        match self {
            Self::Create { .. } => "POST",
            Self::Replace { .. } => "PUT",
            Self::Update { .. } => "PATCH",
            Self::Retire => "DELETE",
        }
    }
}

/// What every edit needs besides the change itself.
#[derive(Clone)]
pub struct EditContext {
    /// The zones as they stand, for placing parcels.
    pub zones: Arc<ZoneLocator>,
    /// The grading to rerun when a parcel's owner, zone or land changes.
    pub grading: Option<Arc<GradingConfig>>,
    /// Whether a replace, update or retire must carry a precondition (HTTP 428).
    pub require_precondition: bool,
}

/// The current state was not the one the write was based on (HTTP 412): who changed it
/// last, and when.
#[derive(Debug, Clone)]
pub struct Stale {
    /// The sentence.
    pub detail: String,
    /// The current entity tag, when the feature exists.
    pub etag: Option<String>,
    /// The actor of the last change.
    pub changed_by: Option<String>,
    /// The time of the last change (RFC 3339).
    pub changed_at: Option<String>,
}

/// An edit's result.
#[derive(Debug, Clone)]
pub struct Edited {
    /// The feature's id.
    pub code: String,
    /// The feature as stored; `None` once retired.
    pub record: Option<FeatureRecord>,
}

/// Runs one edit of the feature `code` of `layer` (no code: a create whose body may
/// name one) as `actor`.
pub async fn edit(
    store: &dyn Store,
    ctx: &EditContext,
    layer: Layer,
    code: Option<&str>,
    change: Change,
    precondition: &Precondition,
    actor: &str,
) -> Result<Edited, WorkflowError> {
    let c = layer.collection();
    let verb = change.verb();
    let mut tx = store.begin_workflow(actor).await?;
    let current = match code {
        Some(code) => tx.features(c, &[code.to_string()]).await?.pop(),
        None => None,
    };
    if let Some(code) = code {
        if let Err(e) = check_precondition(
            layer,
            code,
            current.as_ref(),
            precondition,
            ctx.require_precondition,
            verb,
        ) {
            drop(tx);
            return Err(with_last_change(store, c, code, e).await);
        }
    }
    if let Some(cur) = &current {
        let serving = Layer::serving(c, &cur.geometry);
        if serving != layer {
            return Err(WorkflowError::NotFound(format!(
                "collection {layer} has no feature with id {:?}: it is in collection {serving}",
                cur.code
            )));
        }
        if c == Collection::Parcels {
            let held = super::cases::open_case_parcels(tx.as_mut()).await?;
            if let Some(case) = held.get(&cur.code) {
                return Err(WorkflowError::Conflict(format!(
                    "parcel {} is in open reallocation case {case}; while the case is open the parcel changes only through the case workflow (/reallocations/{case}), so the {verb} changed nothing",
                    cur.code
                )));
            }
        }
    }
    let why = format!("{verb} /collections/{layer}/items");
    let written = match change {
        Change::Create { feature, crs } => {
            let valid = check(ctx, layer, crs, feature).await?;
            let code = match valid.code.clone() {
                Some(code) => {
                    refuse_taken(store, tx.as_mut(), layer, &code).await?;
                    code
                }
                None => tx.next_code(c).await?,
            };
            let w = write_of(c, code, valid);
            Some(tx.write_feature(&w, "feature.created", Some(&why)).await?)
        }
        Change::Replace { feature, crs } => {
            let cur = existing(current.as_ref(), layer, code)?;
            let feature = without_derived(c, feature);
            let valid = check(ctx, layer, crs, with_id(feature, &cur.code)?).await?;
            let w = write_of(c, cur.code.clone(), valid);
            Some(tx.write_feature(&w, "feature.updated", Some(&why)).await?)
        }
        Change::Update { patch, crs } => {
            let cur = existing(current.as_ref(), layer, code)?;
            let (merged, crs) = merged(c, cur, patch, crs)?;
            let valid = check(ctx, layer, crs, merged).await?;
            let w = write_of(c, cur.code.clone(), valid);
            Some(tx.write_feature(&w, "feature.updated", Some(&why)).await?)
        }
        Change::Retire => {
            let cur = existing(current.as_ref(), layer, code)?;
            let after = json!({"retired_by": actor, "history": format!("/{}/{}/history", history_root(c), cur.code)});
            tx.delete_feature(c, &cur.code, RETIRED, Some(&why), after)
                .await?;
            None
        }
    };
    let code = written
        .as_ref()
        .map(|r| r.code.clone())
        .or_else(|| code.map(str::to_string))
        .unwrap_or_default();
    let mut written = written;
    if c == Collection::Parcels && holding_changed(current.as_ref(), written.as_ref()) {
        if let Some(config) = &ctx.grading {
            super::grading::regrade_in(tx.as_mut(), config, &format!("{verb} of parcel {code}"))
                .await?;
            // The answer is the state that commits: the regrade may have set the grade.
            if written.is_some() {
                written = tx.features(c, std::slice::from_ref(&code)).await?.pop();
            }
        }
    }
    tx.commit().await?;
    Ok(Edited {
        code,
        record: written,
    })
}

/// Restores the state feature `code` of `c` had right after event `event` of its
/// history, as a new event (`feature.reverted`); a retired feature comes back.
pub async fn revert(
    store: &dyn Store,
    ctx: &EditContext,
    c: Collection,
    code: &str,
    event: i64,
    actor: &str,
) -> Result<FeatureRecord, WorkflowError> {
    let events = store.feature_event_states(c, &[code.to_string()]).await?;
    if events.is_empty() {
        return Err(WorkflowError::NotFound(format!(
            "{c} has no feature {code} and no history of one"
        )));
    }
    let Some(at) = events.iter().position(|e| e.id == event) else {
        let ids: Vec<String> = events.iter().map(|e| e.id.to_string()).collect();
        return Err(WorkflowError::NotFound(format!(
            "event {event} is not in the history of {c} {code}; its events are {}",
            ids.join(", ")
        )));
    };
    let state = state_after(&events[..=at]).ok_or_else(|| {
        WorkflowError::Invalid(format!(
            "after event {event} ({}) {c} {code} did not exist; revert to an earlier event of its history",
            events[at].action
        ))
    })?;
    let mut tx = store.begin_workflow(actor).await?;
    let current = tx.features(c, &[code.to_string()]).await?.pop();
    let layer = Layer::serving(
        c,
        &geometry_of(&state).unwrap_or(Geometry::MultiPolygon(geo::MultiPolygon(vec![]))),
    );
    if c == Collection::Parcels {
        let held = super::cases::open_case_parcels(tx.as_mut()).await?;
        if let Some(case) = held.get(code) {
            return Err(WorkflowError::Conflict(format!(
                "parcel {code} is in open reallocation case {case}; it is reverted only once the case is closed"
            )));
        }
    }
    let mut properties = state
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let derived = derived_names(c);
    properties.retain(|k, _| !derived.contains(&k.as_str()));
    let feature = json!({"type": "Feature", "id": code, "properties": properties,
        "geometry": state.get("geometry").cloned().unwrap_or(Value::Null)});
    let valid = check(ctx, layer, Crs::Crs84, feature).await?;
    let w = write_of(c, code.to_string(), valid);
    let why = format!(
        "reverted to the state after event {event} ({})",
        events[at].action
    );
    let mut record = tx.write_feature(&w, "feature.reverted", Some(&why)).await?;
    if c == Collection::Parcels && holding_changed(current.as_ref(), Some(&record)) {
        if let Some(config) = &ctx.grading {
            super::grading::regrade_in(tx.as_mut(), config, &format!("revert of parcel {code}"))
                .await?;
            if let Some(regraded) = tx.features(c, &[code.to_string()]).await?.pop() {
                record = regraded;
            }
        }
    }
    tx.commit().await?;
    Ok(record)
}

/// The whole state a feature had after the last of `events` (its own, oldest first),
/// replaying single-property changes on the last whole state; `None` when the last
/// event removed it.
fn state_after(events: &[crate::store::EventState]) -> Option<Map<String, Value>> {
    let mut state: Option<Map<String, Value>> = None;
    for e in events {
        if removes_feature(&e.action) {
            state = None;
            continue;
        }
        let Some(after) = e
            .after
            .as_deref()
            .and_then(|t| serde_json::from_str::<Value>(t).ok())
        else {
            continue;
        };
        let Value::Object(after) = after else {
            continue;
        };
        if after.contains_key("geometry") {
            state = Some(after);
        } else if let (Some(s), Some(Value::Object(p))) = (state.as_mut(), after.get("properties"))
        {
            if let Some(Value::Object(props)) = s.get_mut("properties") {
                for (k, v) in p {
                    props.insert(k.clone(), v.clone());
                }
            }
        }
    }
    state
}

fn geometry_of(state: &Map<String, Value>) -> Option<Geometry<f64>> {
    let g: geojson::Geometry = serde_json::from_value(state.get("geometry")?.clone()).ok()?;
    Geometry::try_from(g).ok()
}

/// Where a collection's histories are served.
fn history_root(c: Collection) -> &'static str {
    match c {
        Collection::Parcels => "parcels",
        other => other.id(),
    }
}

/// RFC 9110 section 13.2.2: `If-Match` first, else `If-Unmodified-Since`; a write with
/// neither is refused when preconditions are required; a missing feature is a 404 unless
/// an `If-Match` named a state of it (then 412: nothing is created by PUT).
fn check_precondition(
    layer: Layer,
    code: &str,
    current: Option<&FeatureRecord>,
    precondition: &Precondition,
    required: bool,
    verb: &str,
) -> Result<(), WorkflowError> {
    let missing = || {
        WorkflowError::NotFound(format!(
            "collection {layer} has no feature with id {code:?}; create features with POST /collections/{layer}/items"
        ))
    };
    match precondition {
        Precondition::IfMatch(tags) => {
            let Some(cur) = current else {
                return Err(stale(format!(
                    "If-Match names a state of feature {code}, but collection {layer} has no such feature, so the {verb} changed nothing (PUT does not create features)"
                ), None));
            };
            let now = Version::of(cur);
            if tags.iter().any(|t| t == "*" || *t == now.etag) {
                Ok(())
            } else {
                Err(stale(
                    format!(
                        "feature {code} has changed since the state named by If-Match ({}): its entity tag is now {}, so the {verb} changed nothing; read it again and reapply the change",
                        tags.join(", "),
                        now.etag
                    ),
                    Some(now.etag),
                ))
            }
        }
        Precondition::IfUnmodifiedSince(since) => {
            let cur = current.ok_or_else(missing)?;
            let now = Version::of(cur);
            match now.modified_seconds() {
                Some(at) if at <= *since => Ok(()),
                _ => Err(stale(
                    format!(
                        "feature {code} was modified at {} after the If-Unmodified-Since time, so the {verb} changed nothing; read it again and reapply the change",
                        now.updated_at.as_deref().unwrap_or("an unknown time")
                    ),
                    Some(now.etag),
                )),
            }
        }
        Precondition::None => {
            current.ok_or_else(missing)?;
            if required {
                Err(WorkflowError::PreconditionRequired(format!(
                    "a {verb} of feature {code} must name the state it is based on: send If-Match with the ETag of its last GET (or If-Unmodified-Since with its Last-Modified); a server started with --require-precondition false accepts writes without one"
                )))
            } else {
                Ok(())
            }
        }
    }
}

fn stale(detail: String, etag: Option<String>) -> WorkflowError {
    WorkflowError::Stale(Box::new(Stale {
        detail,
        etag,
        changed_by: None,
        changed_at: None,
    }))
}

/// Adds who changed the feature last, and when, to a 412.
async fn with_last_change(
    store: &dyn Store,
    c: Collection,
    code: &str,
    e: WorkflowError,
) -> WorkflowError {
    let WorkflowError::Stale(mut s) = e else {
        return e;
    };
    if s.etag.is_some() {
        if let Ok(history) = store.feature_history(c, code).await {
            if let Some(last) = history.last() {
                s.changed_by = Some(last.actor.clone());
                s.changed_at = Some(last.occurred_at.clone());
                s.detail = format!(
                    "{} (last changed by {} at {})",
                    s.detail, last.actor, last.occurred_at
                );
            }
        }
    }
    WorkflowError::Stale(s)
}

fn existing<'a>(
    current: Option<&'a FeatureRecord>,
    layer: Layer,
    code: Option<&str>,
) -> Result<&'a FeatureRecord, WorkflowError> {
    current.ok_or_else(|| {
        WorkflowError::NotFound(format!(
            "collection {layer} has no feature with id {:?}",
            code.unwrap_or("")
        ))
    })
}

/// A create may name its id, but not one that is taken or that a retired feature had.
async fn refuse_taken(
    store: &dyn Store,
    tx: &mut dyn WorkflowTx,
    layer: Layer,
    code: &str,
) -> Result<(), WorkflowError> {
    let c = layer.collection();
    if !tx.features(c, &[code.to_string()]).await?.is_empty() {
        return Err(WorkflowError::Conflict(format!(
            "collection {layer} already has a feature with id {code:?}; change it with PUT or PATCH /collections/{layer}/items/{code}"
        )));
    }
    let history = store.feature_history(c, code).await?;
    if let Some(last) = history.last() {
        return Err(WorkflowError::Conflict(format!(
            "{c} {code} existed until {} ({} by {}); its id is not reused: restore it with `landreuse parcel revert {code} --to EVENT`, or create the feature without an id",
            last.occurred_at, last.action, last.actor
        )));
    }
    Ok(())
}

/// The served property names of `c` that a write never sets (`readOnly` in the
/// collection's feature schema).
pub fn derived_names(c: Collection) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = DERIVED.to_vec();
    names.extend(
        c.properties()
            .iter()
            .filter(|p| !p.imported)
            .map(|p| p.name),
    );
    names
}

/// Drops derived properties that repeat the current value; a different value is an
/// error naming the property.
fn strip_derived(
    c: Collection,
    current: &Map<String, Value>,
    props: &mut Map<String, Value>,
    what: &str,
) -> Result<(), WorkflowError> {
    for name in derived_names(c) {
        let Some(v) = props.remove(name) else {
            continue;
        };
        let now = current.get(name).unwrap_or(&Value::Null);
        if &v != now && !same_number(&v, now) {
            return Err(WorkflowError::Invalid(format!(
                "{what} sets property {name} to {v}, but {name} is {}, not written (it is {now} now); leave it out",
                if matches!(name, "area_m2" | "area_ha" | "area_mu" | "perimeter_m" | "length_m" | "length_km") {
                    "measured from the geometry on the ellipsoid: send a new geometry instead"
                } else if name == UPDATED_AT {
                    "the time of the last write"
                } else if name.starts_with("land_use_") {
                    "derived from land_use"
                } else {
                    "derived by the workflow"
                }
            )));
        }
    }
    Ok(())
}

fn same_number(a: &Value, b: &Value) -> bool {
    matches!((a.as_f64(), b.as_f64()), (Some(x), Some(y)) if (x - y).abs() <= 1e-9 * x.abs().max(1.0))
}

/// A replacement body without the derived properties: a whole state read earlier holds
/// them (QGIS puts back what it read, the measures and `updated_at` of that time), and
/// the write derives them anew.
fn without_derived(c: Collection, mut feature: Value) -> Value {
    if let Some(Value::Object(props)) = feature.get_mut("properties") {
        for name in derived_names(c) {
            props.remove(name);
        }
    }
    feature
}

/// A replacement keeps the URL's id: an id in the body must be the same.
fn with_id(mut feature: Value, code: &str) -> Result<Value, WorkflowError> {
    let Value::Object(obj) = &mut feature else {
        return Err(WorkflowError::BadRequest(
            "the body must be a GeoJSON Feature (a JSON object)".into(),
        ));
    };
    match obj.get("id") {
        None | Some(Value::Null) => {}
        Some(id)
            if id.as_str() == Some(code)
                || id.as_i64().is_some_and(|n| code.parse::<i64>() == Ok(n)) => {}
        Some(id) => {
            return Err(WorkflowError::BadRequest(format!(
                "the body's id {id} differs from the feature id {code:?} in the URL; a feature's id is not changed (create the feature anew with POST and retire this one with DELETE)"
            )))
        }
    }
    obj.insert("id".into(), Value::from(code));
    Ok(feature)
}

/// The feature after a JSON Merge Patch (RFC 7396) of its writable GeoJSON, with the
/// CRS its geometry is in: the patch's CRS when it brings a geometry, else CRS84.
fn merged(
    c: Collection,
    current: &FeatureRecord,
    patch: Value,
    crs: Crs,
) -> Result<(Value, Crs), WorkflowError> {
    let Value::Object(mut patch) = patch else {
        return Err(WorkflowError::BadRequest(
            "the body must be a JSON Merge Patch of the feature: a JSON object such as {\"properties\": {\"owner\": \"…\"}}".into(),
        ));
    };
    match patch.remove("type") {
        None => {}
        Some(Value::String(t)) if t == "Feature" => {}
        Some(other) => {
            return Err(WorkflowError::BadRequest(format!(
                "the patch sets type to {other}; a feature stays a \"Feature\""
            )))
        }
    }
    match patch.remove("id") {
        None => {}
        Some(id) if id.as_str() == Some(current.code.as_str()) => {}
        Some(id) => {
            return Err(WorkflowError::BadRequest(format!(
                "the patch changes the feature's id to {id}; the id of {:?} is not changed (its role is id)",
                current.code
            )))
        }
    }
    let mut props = current.properties.clone();
    let derived = derived_names(c);
    let current_props = props.clone();
    props.retain(|k, _| !derived.contains(&k.as_str()));
    let geometry_crs = match patch.get("geometry") {
        Some(Value::Null) => {
            return Err(WorkflowError::Invalid(format!(
                "the patch removes the geometry (\"geometry\": null); every feature of {c} has one, so nothing was written"
            )))
        }
        Some(_) => crs,
        None => Crs::Crs84,
    };
    let mut doc = json!({
        "type": "Feature",
        "id": current.code,
        "properties": Value::Object(props),
        "geometry": geojson::Geometry::from(&current.geometry),
    });
    if let Some(Value::Object(p)) = patch.get_mut("properties") {
        strip_derived(c, &current_props, p, "the patch")?;
    }
    merge_patch(&mut doc, Value::Object(patch));
    Ok((doc, geometry_crs))
}

/// RFC 7396: objects merge member by member, `null` removes, anything else replaces.
fn merge_patch(target: &mut Value, patch: Value) {
    let Value::Object(patch) = patch else {
        *target = patch;
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(t) = target {
        for (k, v) in patch {
            if v.is_null() {
                t.remove(&k);
            } else {
                merge_patch(t.entry(k).or_insert(Value::Null), v);
            }
        }
    }
}

/// The import's checks, on a blocking thread (PROJ), and the layer's one geometry type.
async fn check(
    ctx: &EditContext,
    layer: Layer,
    crs: Crs,
    feature: Value,
) -> Result<ValidFeature, WorkflowError> {
    if !feature.is_object() || feature.get("type").and_then(Value::as_str) != Some("Feature") {
        return Err(WorkflowError::BadRequest(
            "the body must be a GeoJSON Feature (type \"Feature\", geometry, properties)".into(),
        ));
    }
    let opts = ImportOptions {
        collection: layer.collection(),
        crs: Some(crs),
        axis_order: None,
        field_map: FieldMap::default(),
        skip_invalid: false,
        actor: String::new(),
        source_name: String::new(),
        zones: ctx.zones.clone(),
        regrade: None,
    };
    let valid = tokio::task::spawn_blocking(move || import::check_feature(&opts, crs, feature))
        .await
        .map_err(|e| WorkflowError::Invalid(format!("the feature's checks failed to run: {e}")))?
        .map_err(|reason| {
            // Reasons of the field and geometry checks start with a verb ("has …"); the
            // CRS checks' are sentences of their own.
            WorkflowError::Invalid(if reason.starts_with("the ") {
                reason
            } else {
                format!("the feature {reason}")
            })
        })?;
    let wanted: GeometryType = layer.geometry_type();
    if !wanted.holds(&valid.geometry) {
        return Err(WorkflowError::Invalid(format!(
            "collection {layer} holds {} geometries, and this feature's geometry is of another type; {}",
            wanted.name(),
            match layer {
                Layer::ProjectLines => "send areas to project_areas",
                Layer::ProjectAreas => "send lines to project_lines",
                _ => "send the type the collection's schema names",
            }
        )));
    }
    Ok(valid)
}

/// The store write of a checked feature: every imported property (absent ones null),
/// the geometry with its measures, the free attributes.
fn write_of(c: Collection, code: String, valid: ValidFeature) -> FeatureWrite {
    FeatureWrite {
        collection: c,
        code,
        set: valid.typed,
        geometry: Some((valid.geometry, valid.measures)),
        attributes: Some(valid.attributes),
    }
}

/// Whether a parcel's owner, zone or land changed (then the firms are regraded).
fn holding_changed(before: Option<&FeatureRecord>, after: Option<&FeatureRecord>) -> bool {
    let key = |r: Option<&FeatureRecord>| {
        r.map(|r| {
            (
                r.properties.get("owner").cloned(),
                r.properties.get("zone").cloned(),
                r.properties.get("area_m2").cloned(),
            )
        })
    };
    key(before) != key(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_patch_follows_rfc_7396_appendix_a() {
        // The examples of RFC 7396, appendix A.
        let cases = [
            (json!({"a":"b"}), json!({"a":"c"}), json!({"a":"c"})),
            (json!({"a":"b"}), json!({"b":"c"}), json!({"a":"b","b":"c"})),
            (json!({"a":"b"}), json!({"a":null}), json!({})),
            (
                json!({"a":"b","b":"c"}),
                json!({"a":null}),
                json!({"b":"c"}),
            ),
            (json!({"a":["b"]}), json!({"a":"c"}), json!({"a":"c"})),
            (json!({"a":"c"}), json!({"a":["b"]}), json!({"a":["b"]})),
            (
                json!({"a":{"b":"c"}}),
                json!({"a":{"b":"d","c":null}}),
                json!({"a":{"b":"d"}}),
            ),
            (json!({"a":[{"b":"c"}]}), json!({"a":[1]}), json!({"a":[1]})),
            (json!(["a", "b"]), json!(["c", "d"]), json!(["c", "d"])),
            (json!({"a":"b"}), json!(["c"]), json!(["c"])),
            (json!({"a":"foo"}), json!(null), json!(null)),
            (json!({"a":"foo"}), json!("bar"), json!("bar")),
            (json!({"e":null}), json!({"a":1}), json!({"e":null,"a":1})),
            (json!([1, 2]), json!({"a":"b","c":null}), json!({"a":"b"})),
            (
                json!({}),
                json!({"a":{"bb":{"ccc":null}}}),
                json!({"a":{"bb":{}}}),
            ),
        ];
        for (target, patch, want) in cases {
            let mut t = target.clone();
            merge_patch(&mut t, patch.clone());
            assert_eq!(t, want, "{target} patched with {patch}");
        }
    }

    fn event(id: i64, action: &str, after: Option<Value>) -> crate::store::EventState {
        crate::store::EventState {
            id,
            occurred_at: format!("2026-12-0{id}T00:00:00.000Z"),
            action: action.into(),
            collection: Some("parcels".into()),
            feature_code: Some("P1".into()),
            after: after.map(|v| v.to_string()),
        }
    }

    #[test]
    fn the_state_after_an_event_replays_property_changes_and_retirements() {
        let g = json!({"type": "MultiPolygon", "coordinates": []});
        let events = [
            event(
                1,
                "feature.created",
                Some(json!({"properties": {"owner": "A", "status": "in_use"}, "geometry": g})),
            ),
            event(
                2,
                "parcel.graded",
                Some(json!({"properties": {"grade": "D"}})),
            ),
            event(3, RETIRED, Some(json!({"retired_by": "gis"}))),
        ];
        let at2 = state_after(&events[..2]).expect("a state after event 2");
        assert_eq!(at2["properties"]["owner"], "A");
        assert_eq!(at2["properties"]["grade"], "D");
        assert!(state_after(&events[..3]).is_none(), "retired after event 3");
        assert!(state_after(&events[..1]).expect("state")["properties"]
            .get("grade")
            .is_none());
    }
}
