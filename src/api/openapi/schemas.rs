//! The shared schemas of the document that are standards rather than Rust types:
//! GeoJSON, OGC links and resources, problem+json (RFC 9457).

use serde_json::{json, Value};

/// `components/schemas` written by hand.
pub fn components() -> Value {
    let links = json!({"type": "array", "items": {"$ref": "#/components/schemas/link"}});
    json!({
        "link": {"type": "object", "required": ["href"], "properties": {
            "href": {"type": "string"}, "rel": {"type": "string"}, "type": {"type": "string"},
            "title": {"type": "string"}, "hreflang": {"type": "string"}}},
        "landingPage": {"type": "object", "required": ["links"], "properties": {
            "title": {"type": "string"}, "description": {"type": "string"}, "links": links}},
        "confClasses": {"type": "object", "required": ["conformsTo"], "properties": {
            "conformsTo": {"type": "array", "items": {"type": "string"}}, "links": links}},
        "extent": {"type": "object", "properties": {"spatial": {"type": "object", "properties": {
            "bbox": {"type": "array", "items": {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}}},
            "crs": {"type": "string"}}}}},
        "collection": {"type": "object", "required": ["id", "links"], "properties": {
            "id": {"type": "string"}, "title": {"type": "string"}, "description": {"type": "string"},
            "links": links, "extent": {"$ref": "#/components/schemas/extent"},
            "itemType": {"type": "string"}, "crs": {"type": "array", "items": {"type": "string"}},
            "storageCrs": {"type": "string"}}},
        "collections": {"type": "object", "required": ["links", "collections"], "properties": {
            "links": links, "collections": {"type": "array", "items": {"$ref": "#/components/schemas/collection"}}}},
        "position": {"type": "array", "minItems": 2, "maxItems": 3, "items": {"type": "number"}},
        "geometryGeoJSON": {"type": "object", "required": ["type", "coordinates"], "properties": {
            "type": {"type": "string", "enum": ["Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"]},
            "coordinates": {"type": "array"}}},
        "polygonGeoJSON": {"type": "object", "required": ["type", "coordinates"], "properties": {
            "type": {"type": "string", "enum": ["Polygon", "MultiPolygon"]},
            "coordinates": {"type": "array", "minItems": 1, "items": {"type": "array"}}}},
        "featureGeoJSON": {"type": "object", "required": ["type", "geometry", "properties"], "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
            "geometry": {"allOf": [{"$ref": "#/components/schemas/geometryGeoJSON"}], "nullable": true},
            "properties": {"type": "object", "nullable": true},
            "links": links}},
        "featureCollectionGeoJSON": {"type": "object", "required": ["type", "features"], "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "features": {"type": "array", "items": {"$ref": "#/components/schemas/featureGeoJSON"}},
            "links": links, "timeStamp": {"type": "string", "format": "date-time"},
            "numberMatched": {"type": "integer", "minimum": 0},
            "numberReturned": {"type": "integer", "minimum": 0}}},
        "problem": {"type": "object", "required": ["type", "title", "status", "detail"], "properties": {
            "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
            "detail": {"type": "string"},
            "request_id": {"type": "string", "description": "Names the request in the server's log."},
            "errors": {"type": "array", "items": {"type": "object"}},
            "etag": {"type": "string", "nullable": true, "description": "On a 412: the feature's current entity tag."},
            "changed_by": {"type": "string", "nullable": true, "description": "On a 412: who changed the feature last."},
            "changed_at": {"type": "string", "nullable": true, "format": "date-time", "description": "On a 412: when it was changed last."}}},
        "queryables": {"type": "object", "required": ["type", "properties"], "properties": {
            "$schema": {"type": "string"}, "$id": {"type": "string"}, "type": {"type": "string"},
            "title": {"type": "string"}, "properties": {"type": "object"},
            "additionalProperties": {"type": "boolean"}}},
        "openapi": {"type": "object", "required": ["openapi", "info", "paths"], "properties": {
            "openapi": {"type": "string"}, "info": {"type": "object"}, "paths": {"type": "object"},
            "components": {"type": "object"}}}
    })
}
