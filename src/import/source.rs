//! Reading GeoJSON sources as a stream of features: a FeatureCollection (as `ogr2ogr -f
//! GeoJSON` writes it, legacy `crs` member included), a single Feature, or
//! newline-delimited GeoJSON (GeoJSONSeq, RFC 8142 record separators allowed).
//!
//! Features are handed over one at a time, so a file of any size is read in bounded
//! memory.

use std::fmt;
use std::io::{self, Read};

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// One feature as it came from the source, before any checking beyond its shape.
#[derive(Debug, Clone)]
pub struct RawFeature {
    /// Position in the source, 0-based.
    pub index: usize,
    /// The feature's `id`, as text.
    pub id: Option<String>,
    /// The `properties` object (empty when null).
    pub properties: Map<String, Value>,
    /// The `geometry` member as written.
    pub geometry: Value,
    /// Why the feature object itself is malformed, if it is.
    pub problem: Option<String>,
}

/// What the reader reports, in source order.
#[derive(Debug)]
pub enum SourceItem {
    /// The legacy `crs` member named this CRS.
    Crs(String),
    /// The next feature.
    Feature(RawFeature),
}

/// Why a source cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// Nothing but whitespace.
    #[error("the input is empty: expected a GeoJSON FeatureCollection or newline-delimited GeoJSON features")]
    Empty,
    /// Not JSON, or JSON cut short.
    #[error("the input is not valid JSON: {0}")]
    Malformed(String),
    /// JSON, but not GeoJSON features.
    #[error("{0}")]
    NotFeatures(String),
    /// The reader could not be read.
    #[error("the input could not be read: {0}")]
    Io(String),
    /// The consumer stopped reading (the import was aborted).
    #[error("the import was aborted")]
    Aborted,
}

/// Replaces RFC 8142 record separators (0x1E) by spaces so that GeoJSON text
/// sequences read as whitespace-separated JSON values.
struct RecordSeparators<R>(R);

impl<R: Read> Read for RecordSeparators<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.0.read(buf)?;
        for b in &mut buf[..n] {
            if *b == 0x1E {
                *b = b' ';
            }
        }
        Ok(n)
    }
}

const ABORTED: &str = "\u{0}landreuse-import-aborted";

/// Reads every feature of `reader`, calling `sink` for each item in order. `sink`
/// returns `false` to stop reading. Returns the number of features read.
pub fn read_source<R: Read>(
    reader: R,
    sink: &mut dyn FnMut(SourceItem) -> bool,
) -> Result<usize, SourceError> {
    let reader = io::BufReader::with_capacity(1 << 16, RecordSeparators(reader));
    let mut de = serde_json::Deserializer::from_reader(reader);
    let mut count = 0usize;
    let mut values = 0usize;
    while de.end().is_err() {
        TopLevel {
            sink,
            count: &mut count,
        }
        .deserialize(&mut de)
        .map_err(|e| classify(&e))?;
        values += 1;
    }
    if values == 0 {
        return Err(SourceError::Empty);
    }
    Ok(count)
}

fn classify(e: &serde_json::Error) -> SourceError {
    let text = e.to_string();
    if text.contains(ABORTED) {
        SourceError::Aborted
    } else if e.is_io() {
        SourceError::Io(text)
    } else if e.is_data() {
        SourceError::NotFeatures(text)
    } else {
        SourceError::Malformed(text)
    }
}

/// One top-level JSON value: a FeatureCollection or a Feature.
struct TopLevel<'a> {
    sink: &'a mut dyn FnMut(SourceItem) -> bool,
    count: &'a mut usize,
}

impl<'de> DeserializeSeed<'de> for TopLevel<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TopLevel<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GeoJSON FeatureCollection or Feature object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        use serde::de::Error;
        let mut kind: Option<String> = None;
        let mut feature = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "type" => kind = Some(map.next_value()?),
                "crs" => {
                    let crs: Value = map.next_value()?;
                    if let Some(name) = legacy_crs_name(&crs) {
                        if !(self.sink)(SourceItem::Crs(name)) {
                            return Err(A::Error::custom(ABORTED));
                        }
                    }
                }
                "features" => map.next_value_seed(Features {
                    sink: &mut *self.sink,
                    count: &mut *self.count,
                })?,
                "id" | "properties" | "geometry" => {
                    feature.insert(key, map.next_value()?);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        match kind.as_deref() {
            Some("FeatureCollection") => Ok(()),
            Some("Feature") => {
                feature.insert("type".into(), Value::from("Feature"));
                let raw = raw_feature(*self.count, Value::Object(feature));
                *self.count += 1;
                if (self.sink)(SourceItem::Feature(raw)) {
                    Ok(())
                } else {
                    Err(A::Error::custom(ABORTED))
                }
            }
            Some(other) => Err(A::Error::custom(format!(
                "the top-level GeoJSON object is a {other}; landreuse imports a FeatureCollection or Features (one per line)"
            ))),
            None => Err(A::Error::custom(
                "the top-level JSON object has no \"type\"; expected a GeoJSON FeatureCollection",
            )),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _seq: A) -> Result<(), A::Error> {
        Err(serde::de::Error::custom(
            "the input is a JSON array; expected a GeoJSON FeatureCollection object",
        ))
    }
}

/// The `features` array, read one element at a time.
struct Features<'a> {
    sink: &'a mut dyn FnMut(SourceItem) -> bool,
    count: &'a mut usize,
}

impl<'de> DeserializeSeed<'de> for Features<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Features<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("the \"features\" array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(value) = seq.next_element::<Value>()? {
            let raw = raw_feature(*self.count, value);
            *self.count += 1;
            if !(self.sink)(SourceItem::Feature(raw)) {
                return Err(serde::de::Error::custom(ABORTED));
            }
        }
        Ok(())
    }
}

/// The CRS name of a legacy `{"type": "name", "properties": {"name": …}}` member.
fn legacy_crs_name(crs: &Value) -> Option<String> {
    crs.get("properties")?
        .get("name")?
        .as_str()
        .map(str::to_string)
}

/// Splits a feature object into its parts, noting what is malformed.
pub(super) fn raw_feature(index: usize, value: Value) -> RawFeature {
    let mut raw = RawFeature {
        index,
        id: None,
        properties: Map::new(),
        geometry: Value::Null,
        problem: None,
    };
    let Value::Object(mut obj) = value else {
        raw.problem = Some("is not a JSON object".into());
        return raw;
    };
    match obj.get("type").and_then(Value::as_str) {
        Some("Feature") => {}
        Some(other) => raw.problem = Some(format!("has type {other:?}, expected \"Feature\"")),
        None => raw.problem = Some("has no \"type\": \"Feature\" member".into()),
    }
    raw.id = match obj.remove("id") {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    match obj.remove("properties") {
        Some(Value::Object(p)) => raw.properties = p,
        Some(Value::Null) | None => {}
        Some(_) => raw.problem = Some("has \"properties\" that is not an object".into()),
    }
    raw.geometry = obj.remove("geometry").unwrap_or(Value::Null);
    raw
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(text: &str) -> Result<Vec<SourceItem>, SourceError> {
        let mut items = Vec::new();
        read_source(text.as_bytes(), &mut |i| {
            items.push(i);
            true
        })?;
        Ok(items)
    }

    #[test]
    fn reads_a_collection_with_a_legacy_crs_member() {
        let items = read_all(
            r#"{"type":"FeatureCollection","name":"zd","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4551"}},
            "features":[{"type":"Feature","properties":{"ZDDM":"A"},"geometry":null},
                        {"type":"Feature","id":7,"properties":null,"geometry":null}]}"#,
        )
        .unwrap();
        assert!(matches!(&items[0], SourceItem::Crs(n) if n == "urn:ogc:def:crs:EPSG::4551"));
        assert!(
            matches!(&items[2], SourceItem::Feature(f) if f.id.as_deref() == Some("7") && f.index == 1)
        );
    }

    #[test]
    fn reads_newline_delimited_features_with_record_separators() {
        let text = "\u{1e}{\"type\":\"Feature\",\"properties\":{},\"geometry\":null}\n\u{1e}{\"type\":\"Feature\",\"properties\":{},\"geometry\":null}\n";
        assert_eq!(read_all(text).unwrap().len(), 2);
    }

    #[test]
    fn empty_and_malformed_inputs_are_errors() {
        assert!(matches!(read_all("  \n"), Err(SourceError::Empty)));
        let err =
            read_all(r#"{"type":"FeatureCollection","features":[{"type":"Feature",}"#).unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
        let err = read_all(r#"{"type":"Topology"}"#).unwrap_err();
        assert!(err.to_string().contains("Topology"), "{err}");
    }
}
