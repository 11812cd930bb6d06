//! One operation of the API as the route table declares it: what the router routes and
//! what the OpenAPI document says, in one value.

use axum::http::Method;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::Value;

use crate::auth::Role;

/// Makes a schema, given the document's generator.
pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

/// The schema of a body.
#[derive(Clone, Copy)]
pub enum BodySchema {
    /// A Rust type's schema (a `$ref` into the components when it is not inline).
    Type(SchemaFn),
    /// A shared schema of `components/schemas` written by hand (GeoJSON, problem …).
    Component(&'static str),
    /// Text (HTML, CSV).
    Text,
}

/// The schema of a Rust type, for [`BodySchema::Type`].
pub fn schema_of<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

/// One media type of a body and its schema.
#[derive(Clone, Copy)]
pub struct Content {
    /// The media type.
    pub media: &'static str,
    /// Its schema.
    pub schema: BodySchema,
}

/// A declared response.
#[derive(Clone)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// What it means.
    pub description: String,
    /// Its bodies; empty for none.
    pub content: Vec<Content>,
    /// Response headers it carries, with what they say.
    pub headers: Vec<(&'static str, &'static str)>,
}

/// A parameter in the path or a header.
#[derive(Clone, Copy)]
pub struct NamedParam {
    /// Its name.
    pub name: &'static str,
    /// What it is.
    pub description: &'static str,
    /// Whether it must be given.
    pub required: bool,
}

/// One routed operation.
#[derive(Clone)]
pub struct Operation {
    /// The HTTP method.
    pub method: Method,
    /// The path as the router and OpenAPI write it (`/collections/{collectionId}/items`).
    /// A path with `{collectionId}` is documented once per collection.
    pub path: &'static str,
    /// The operationId (`{collection}` is replaced per collection).
    pub id: &'static str,
    /// One line for people.
    pub summary: &'static str,
    /// More, when a line is not enough.
    pub description: Option<&'static str>,
    /// The group it belongs to.
    pub tag: &'static str,
    /// The schema of its query struct (see [`crate::api::params::Params`]).
    pub query: Option<SchemaFn>,
    /// Whether the collection's queryables are further query parameters.
    pub queryables: bool,
    /// Path parameters other than `collectionId`.
    pub path_params: Vec<NamedParam>,
    /// Header parameters.
    pub header_params: Vec<NamedParam>,
    /// The request body's media types; empty for none.
    pub body: Vec<Content>,
    /// The responses besides the ones every operation has (400, and 401/403/404 where
    /// they apply).
    pub replies: Vec<Reply>,
    /// The role a write needs; `None` for reads.
    pub role: Option<Role>,
    /// A write of features (Part 4): documented only for the collections it edits, with
    /// the roles that edit each.
    pub edits_features: bool,
}

impl Operation {
    /// An operation with nothing declared yet.
    pub fn new(
        method: Method,
        path: &'static str,
        id: &'static str,
        summary: &'static str,
    ) -> Self {
        Self {
            method,
            path,
            id,
            summary,
            description: None,
            tag: "domain",
            query: None,
            queryables: false,
            path_params: Vec::new(),
            header_params: Vec::new(),
            body: Vec::new(),
            replies: Vec::new(),
            role: None,
            edits_features: false,
        }
    }

    /// Sets the longer description.
    #[must_use]
    pub fn describe(mut self, text: &'static str) -> Self {
        self.description = Some(text);
        self
    }

    /// Sets the tag.
    #[must_use]
    pub fn tag(mut self, tag: &'static str) -> Self {
        self.tag = tag;
        self
    }

    /// The query is read into `T`.
    #[must_use]
    pub fn query<T: JsonSchema>(mut self) -> Self {
        self.query = Some(T::json_schema);
        self
    }

    /// The collection's queryables are parameters too.
    #[must_use]
    pub fn with_queryables(mut self) -> Self {
        self.queryables = true;
        self
    }

    /// A path parameter.
    #[must_use]
    pub fn path_param(mut self, name: &'static str, description: &'static str) -> Self {
        self.path_params.push(NamedParam {
            name,
            description,
            required: true,
        });
        self
    }

    /// A header parameter.
    #[must_use]
    pub fn header(mut self, name: &'static str, description: &'static str, required: bool) -> Self {
        self.header_params.push(NamedParam {
            name,
            description,
            required,
        });
        self
    }

    /// A JSON request body of type `T`.
    #[must_use]
    pub fn json_body<T: JsonSchema>(self) -> Self {
        self.body("application/json", BodySchema::Type(schema_of::<T>))
    }

    /// A request body in `media`.
    #[must_use]
    pub fn body(mut self, media: &'static str, schema: BodySchema) -> Self {
        self.body.push(Content { media, schema });
        self
    }

    /// A response with bodies.
    #[must_use]
    pub fn reply(mut self, status: u16, description: &str, content: &[Content]) -> Self {
        self.replies.push(Reply {
            status,
            description: description.to_string(),
            content: content.to_vec(),
            headers: Vec::new(),
        });
        self
    }

    /// A JSON response of type `T`.
    #[must_use]
    pub fn json_reply<T: JsonSchema>(self, status: u16, description: &str) -> Self {
        self.reply(
            status,
            description,
            &[Content {
                media: "application/json",
                schema: BodySchema::Type(schema_of::<T>),
            }],
        )
    }

    /// A problem+json response.
    #[must_use]
    pub fn problem(self, status: u16, description: &str) -> Self {
        self.reply(status, description, &[problem()])
    }

    /// A header of the last declared response.
    #[must_use]
    pub fn reply_header(mut self, name: &'static str, description: &'static str) -> Self {
        if let Some(last) = self.replies.last_mut() {
            last.headers.push((name, description));
        }
        self
    }

    /// A write of features: needs a token of a role that edits the collection (see
    /// [`crate::api::routes`]); not documented for read-only collections.
    #[must_use]
    pub fn edits_features(mut self) -> Self {
        self.role = Some(Role::Gis);
        self.edits_features = true;
        self
    }

    /// Writes need a token with `role`.
    #[must_use]
    pub fn needs(mut self, role: Role) -> Self {
        self.role = Some(role);
        self
    }
}

/// `application/problem+json` with the shared problem schema.
pub fn problem() -> Content {
    Content {
        media: "application/problem+json",
        schema: BodySchema::Component("problem"),
    }
}

/// A body in `media` with a shared schema.
pub fn component(media: &'static str, name: &'static str) -> Content {
    Content {
        media,
        schema: BodySchema::Component(name),
    }
}

/// An HTML page.
pub fn html() -> Content {
    Content {
        media: "text/html",
        schema: BodySchema::Text,
    }
}

/// A JSON body of type `T`.
pub fn json_of<T: JsonSchema>() -> Content {
    Content {
        media: "application/json",
        schema: BodySchema::Type(schema_of::<T>),
    }
}

/// Turns a schema of a hand-written component into its `$ref`.
pub fn component_ref(name: &str) -> Value {
    serde_json::json!({"$ref": format!("#/components/schemas/{name}")})
}
