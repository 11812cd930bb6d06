//! `/api`: the OpenAPI 3.0 document, written from the route table (see
//! [`crate::api::routes`]), so every routed operation is in it with the parameters its
//! strict query struct reads and the schemas of its bodies.
//!
//! 1. Each operation's query struct gives its query parameters (its JSON Schema's
//!    properties, in OpenAPI 3.0 form by schemars);
//! 2. a path with `{collectionId}` is written once per collection, with the
//!    collection's queryables as parameters of its items;
//! 3. request bodies are read as schemars' deserialize contract, responses as its
//!    serialize contract; both land in `components/schemas` beside the hand-written
//!    standard schemas (GeoJSON, links, problem).

pub mod operation;
mod schemas;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use schemars::generate::SchemaSettings;
use schemars::{Schema, SchemaGenerator};
use serde_json::{json, Map, Value};

use super::params::{self, Format, FormatQuery, Params};
use super::{base_url, html, typed, ApiError, AppState};
use crate::domain::{Collection, Layer};
use operation::{BodySchema, Content, NamedParam, Operation, Reply};

/// The media type of the document.
pub const OPENAPI_MEDIA: &str = "application/vnd.oai.openapi+json;version=3.0";

/// `GET /api`
pub async fn document(
    State(state): State<AppState>,
    Params(q): Params<FormatQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let base = base_url(&state.settings, &headers);
    let examples = Examples::of(&state).await?;
    let doc = definition(
        &super::routes::operations(),
        &base,
        state.settings.read_open,
        &examples,
    );
    Ok(match params::format(q.f, &headers) {
        Format::Json => typed(doc.to_string(), OPENAPI_MEDIA),
        Format::Html => html::document_page(&base, "API definition", &doc),
    })
}

/// Example values of path parameters, taken from what is stored: a client trying the
/// document (Swagger UI, schemathesis) reaches real features.
#[derive(Debug, Default)]
pub struct Examples {
    /// The first feature code of each collection.
    features: Vec<(Layer, String)>,
    /// The first enterprise id.
    enterprise: Option<String>,
}

impl Examples {
    async fn of(state: &AppState) -> Result<Self, ApiError> {
        let features = Layer::ALL
            .iter()
            .filter_map(|l| {
                let index = state.index.read(l.collection());
                index
                    .all()
                    .iter()
                    .find(|f| l.part().is_none_or(|t| t.holds(&f.geometry)))
                    .map(|f| (*l, f.code.to_string()))
            })
            .collect();
        let enterprise = state
            .store
            .enterprises()
            .await?
            .first()
            .map(|e| e.id.to_string());
        Ok(Self {
            features,
            enterprise,
        })
    }

    fn feature(&self, c: Collection) -> Option<&str> {
        self.features
            .iter()
            .find(|(k, _)| k.collection() == c)
            .map(|(_, code)| code.as_str())
    }

    fn in_layer(&self, layer: Layer) -> Option<&str> {
        self.features
            .iter()
            .find(|(k, _)| *k == layer)
            .map(|(_, code)| code.as_str())
    }

    /// The example of path parameter `name`, in collection `c` where the path names one.
    fn of_param(&self, name: &str, layer: Option<Layer>) -> Option<&str> {
        match name {
            "featureId" => layer.and_then(|l| self.in_layer(l)),
            "caseId" => self.feature(Collection::Reallocations),
            "parcelId" => self.feature(Collection::Parcels),
            "projectId" => self.feature(Collection::Projects),
            "enterpriseId" => self.enterprise.as_deref(),
            _ => None,
        }
    }
}

/// The generators: requests are read (deserialize contract), responses written.
struct Generators {
    read: SchemaGenerator,
    write: SchemaGenerator,
    /// `components/parameters`.
    parameters: Map<String, Value>,
}

impl Generators {
    fn new() -> Self {
        Self {
            read: SchemaSettings::openapi3()
                .for_deserialize()
                .into_generator(),
            write: SchemaSettings::openapi3().for_serialize().into_generator(),
            parameters: Map::new(),
        }
    }
}

/// A schema with schemars' OpenAPI 3.0 transforms applied.
fn transformed(g: &mut SchemaGenerator, mut schema: Schema) -> Value {
    for t in g.transforms_mut() {
        t.transform(&mut schema);
    }
    schema.to_value()
}

fn body_schema(g: &mut SchemaGenerator, s: BodySchema) -> Value {
    match s {
        BodySchema::Type(make) => {
            let schema = make(g);
            transformed(g, schema)
        }
        BodySchema::Component(name) => operation::component_ref(name),
        BodySchema::Text => json!({"type": "string"}),
    }
}

fn content(g: &mut SchemaGenerator, content: &[Content]) -> Value {
    let map: Map<String, Value> = content
        .iter()
        .map(|c| {
            (
                c.media.to_string(),
                json!({"schema": body_schema(g, c.schema)}),
            )
        })
        .collect();
    Value::Object(map)
}

/// The parameters of OGC API – Features that clients look up by reference
/// (`#/components/parameters/limit`: QGIS reads its maximum and default there).
const SHARED_PARAMETERS: &[&str] = &[
    "f", "bbox", "bbox-crs", "crs", "limit", "offset", "datetime",
];

/// Puts the standard parameters of OGC operations into `components/parameters` and
/// refers to them.
fn share_parameters(
    op: &Operation,
    params: Vec<Value>,
    shared: &mut Map<String, Value>,
) -> Vec<Value> {
    if op.tag != OGC_TAG {
        return params;
    }
    params
        .into_iter()
        .map(|p| match p["name"].as_str() {
            Some(name) if SHARED_PARAMETERS.contains(&name) => {
                shared.entry(name.to_string()).or_insert(p.clone());
                json!({"$ref": format!("#/components/parameters/{name}")})
            }
            _ => p,
        })
        .collect()
}

/// The tag of the OGC API – Features operations.
pub const OGC_TAG: &str = "OGC API – Features";

/// The query parameters of an operation, from its query struct's schema.
fn query_parameters(g: &mut SchemaGenerator, op: &Operation) -> Vec<Value> {
    let Some(make) = op.query else {
        return Vec::new();
    };
    let schema = make(g);
    let schema = transformed(g, schema);
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(props) = schema["properties"].as_object() else {
        return Vec::new();
    };
    props
        .iter()
        .map(|(name, prop)| {
            let mut prop = prop.clone();
            let description = prop
                .as_object_mut()
                .and_then(|o| o.remove("description"))
                .unwrap_or_else(|| json!(""));
            let mut p = json!({"name": name, "in": "query",
                "required": required.contains(&name.as_str()),
                "description": description, "schema": prop});
            if p["schema"]["type"] == "array" {
                p["style"] = json!("form");
                p["explode"] = json!(false);
            }
            p
        })
        .collect()
}

fn queryable_parameters(layer: Layer) -> Vec<Value> {
    let c = layer.collection();
    layer
        .filterables()
        .into_iter()
        .map(|p| {
            let mut schema = json!({});
            crate::api::queryables::add_type(&mut schema, &p);
            let what = if p.kind == crate::domain::QueryableType::StringArray {
                // A list property is matched by one of its elements.
                schema = json!({"type": "string"});
                format!("Only features whose {} list holds this value.", p.name)
            } else {
                format!("Only features whose {} equals this value.", p.name)
            };
            if let Some(values) = c.allowed_values(&p.name) {
                schema["enum"] = json!(values);
            }
            json!({"name": p.name, "in": "query", "required": false, "style": "form", "explode": false,
                   "description": format!("{what} {}", p.description),
                   "schema": schema})
        })
        .collect()
}

fn named(
    params: &[NamedParam],
    place: &str,
    example: &dyn Fn(&str) -> Option<String>,
) -> Vec<Value> {
    params
        .iter()
        .map(|p| {
            let mut o = json!({"name": p.name, "in": place, "required": p.required,
               "description": p.description, "schema": {"type": "string"}});
            if let Some(e) = example(p.name) {
                o["example"] = json!(e);
            }
            o
        })
        .collect()
}

fn reply_object(g: &mut SchemaGenerator, r: &Reply) -> Value {
    let mut o = json!({"description": r.description});
    if !r.content.is_empty() {
        o["content"] = content(g, &r.content);
    }
    if !r.headers.is_empty() {
        let headers: Map<String, Value> = r
            .headers
            .iter()
            .map(|(n, d)| {
                (
                    (*n).to_string(),
                    json!({"description": d, "schema": {"type": "string"}}),
                )
            })
            .collect();
        o["headers"] = Value::Object(headers);
    }
    o
}

fn problem_reply(description: &str) -> Value {
    json!({"description": description, "content": {"application/problem+json":
        {"schema": operation::component_ref("problem")}}})
}

/// The responses every operation has besides its own: a 400 for a refused parameter or
/// body, a 404 where the path names something, 401/403 where a token is needed.
fn common_replies(
    op: &Operation,
    layer: Option<Layer>,
    has_path_params: bool,
    read_open: bool,
    out: &mut Map<String, Value>,
) {
    let mut add = |status: &str, text: &str| {
        out.entry(status.to_string())
            .or_insert_with(|| problem_reply(text));
    };
    add(
        "400",
        "A parameter or the body is refused; the detail names it and what was expected.",
    );
    if has_path_params {
        add("404", "The path names nothing that exists.");
    }
    if op.role.is_some() || !read_open {
        add("401", "No valid bearer token.");
        add(
            "429",
            "Too many refused tokens from this address in the last minute; Retry-After says when to try again.",
        );
    }
    match (op.role, layer) {
        (Some(_), Some(l)) if op.edits_features => {
            let text = format!(
                "The token's role does not edit this collection (it needs {}).",
                super::edit::editing_roles(l)
            );
            add("403", &text);
        }
        (Some(role), _) => {
            let text = format!("The token's role does not include {role}.");
            add("403", &text);
        }
        (None, _) => {}
    }
    add(
        "500",
        "The server failed; the detail gives the request id that names it in the log.",
    );
}

/// One operation object, for collection `c` where the path names one.
fn operation_object(
    g: &mut Generators,
    op: &Operation,
    c: Option<Layer>,
    read_open: bool,
    examples: &Examples,
) -> Value {
    let mut parameters = Vec::new();
    if let Some(c) = c {
        parameters.push(
            json!({"name": "collectionId", "in": "path", "required": true,
            "description": "The collection.", "schema": {"type": "string", "enum": [c.id()]}}),
        );
    }
    let example = |name: &str| {
        let for_school = op.path.starts_with("/schools") && name == "projectId";
        let c = if for_school { Some(Layer::Schools) } else { c };
        match (for_school, c) {
            (true, Some(l)) => examples.in_layer(l).map(str::to_string),
            _ => examples.of_param(name, c).map(str::to_string),
        }
    };
    parameters.extend(named(&op.path_params, "path", &example));
    let query = query_parameters(&mut g.read, op);
    parameters.extend(share_parameters(op, query, &mut g.parameters));
    if let (true, Some(c)) = (op.queryables, c) {
        parameters.extend(queryable_parameters(c));
    }
    parameters.extend(named(&op.header_params, "header", &|_| None));
    let mut responses = Map::new();
    for r in &op.replies {
        responses.insert(r.status.to_string(), reply_object(&mut g.write, r));
    }
    let has_path_params = c.is_some() || !op.path_params.is_empty();
    common_replies(op, c, has_path_params, read_open, &mut responses);
    let id = match c {
        Some(c) => op.id.replace("{collection}", c.id()),
        None => op.id.to_string(),
    };
    let mut o = json!({"summary": op.summary, "operationId": id, "tags": [op.tag],
        "parameters": parameters, "responses": responses});
    if let Some(d) = op.description {
        o["description"] = json!(d);
    }
    if !op.body.is_empty() {
        o["requestBody"] = json!({"required": true, "content": content(&mut g.read, &op.body)});
    }
    if op.role.is_some() || !read_open {
        o["security"] = json!([{"bearer": []}]);
    }
    o
}

/// The OpenAPI 3.0 document of `operations`, served at `base`.
pub fn definition(
    operations: &[Operation],
    base: &str,
    read_open: bool,
    examples: &Examples,
) -> Value {
    let mut g = Generators::new();
    let mut paths: Map<String, Value> = Map::new();
    for op in operations {
        let method = op.method.as_str().to_ascii_lowercase();
        let per_collection: Vec<Option<Layer>> = if op.path.contains("{collectionId}") {
            Layer::ALL
                .iter()
                .copied()
                .filter(|l| !op.edits_features || *l != Layer::Reallocations)
                .map(Some)
                .collect()
        } else {
            vec![None]
        };
        for c in per_collection {
            let path = match c {
                Some(c) => op.path.replace("{collectionId}", c.id()),
                None => op.path.to_string(),
            };
            let o = operation_object(&mut g, op, c, read_open, examples);
            paths
                .entry(path)
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .map(|m| m.insert(method.clone(), o));
        }
    }
    let mut components = schemas::components();
    for (name, schema) in g
        .read
        .take_definitions(true)
        .into_iter()
        .chain(g.write.take_definitions(true))
    {
        components[name] = schema;
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "landreuse — Changchun ETDZ land reuse",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "OGC API – Features (Part 1: core, GeoJSON, HTML, OpenAPI 3.0; Part 2: CRS by reference; Part 3: queryables) for the land parcels, zones, roads, schools and projects of the Changchun Economic and Technological Development Zone, and the domain endpoints of the land-reuse programme: reallocation cases, imports, analysis, enterprises and the land-reserve report.",
            "license": {"name": "MIT OR Apache-2.0"}
        },
        "servers": [{"url": base}],
        "paths": paths,
        "components": {
            "schemas": components,
            "parameters": g.parameters,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                "description": "A token from `landreuse token create --role ROLE --name NAME` (roles: viewer, planner, gis, admin)."}}
        },
    })
}
