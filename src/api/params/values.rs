//! The typed values of query parameters. Each reads the whole text of one parameter
//! and refuses anything else: `10abc` is not a number, `125.4,abc,43.8` is not a point.
//! Their error messages say what was expected; [`super::read`] adds the parameter's
//! name and value.

use std::borrow::Cow;
use std::fmt;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

/// Reads a parameter's text and parses it with `parse`.
fn from_text<'de, D, T>(d: D, parse: fn(&str) -> Result<T, String>) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    struct Text;
    impl Visitor<'_> for Text {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("text")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_string())
        }
    }
    let text = d.deserialize_str(Text)?;
    parse(&text).map_err(de::Error::custom)
}

macro_rules! inline_schema {
    ($ty:ty, $name:literal, $schema:tt) => {
        impl JsonSchema for $ty {
            fn inline_schema() -> bool {
                true
            }
            fn schema_name() -> Cow<'static, str> {
                $name.into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!($schema)
            }
        }
    };
}

/// A whole number of 0 or more (`limit`, `offset`, `k`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Whole(pub u64);

impl<'de> Deserialize<'de> for Whole {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        from_text(d, |s| {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err("expected a whole number (digits only, e.g. 10)".into());
            }
            s.parse::<u64>()
                .map(Whole)
                .map_err(|_| "expected a whole number small enough to count with".into())
        })
    }
}
inline_schema!(Whole, "Whole", {"type": "integer", "minimum": 0});

impl Whole {
    /// The number as a count, saturating on 32-bit machines.
    pub fn count(self) -> usize {
        usize::try_from(self.0).unwrap_or(usize::MAX)
    }
}

/// A finite decimal number (distances, radii).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Number(pub f64);

/// Parses a finite decimal number, refusing trailing text, `inf` and `NaN`.
pub fn finite_number(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let looks_decimal = !t.is_empty()
        && t.bytes()
            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b));
    match t.parse::<f64>() {
        Ok(v) if looks_decimal && v.is_finite() => Ok(v),
        _ => Err(format!("{s:?} is not a finite decimal number")),
    }
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        from_text(d, |s| {
            finite_number(s)
                .map(Number)
                .map_err(|_| "expected a decimal number (e.g. 500 or 12.5)".into())
        })
    }
}
inline_schema!(Number, "Number", {"type": "number"});

/// `true` or `false`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flag(pub bool);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        from_text(d, |s| match s {
            "true" => Ok(Flag(true)),
            "false" => Ok(Flag(false)),
            _ => Err("expected true or false".into()),
        })
    }
}
inline_schema!(Flag, "Flag", {"type": "boolean"});

/// A position `lon,lat` in CRS84.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LonLat {
    /// Longitude, degrees.
    pub lon: f64,
    /// Latitude, degrees.
    pub lat: f64,
}

impl<'de> Deserialize<'de> for LonLat {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        from_text(d, |s| {
            let expected = "expected lon,lat in CRS84: two numbers, e.g. 125.403,43.862";
            let parts: Vec<&str> = s.split(',').collect();
            let [lon, lat] = parts.as_slice() else {
                return Err(expected.into());
            };
            let (Ok(lon), Ok(lat)) = (finite_number(lon), finite_number(lat)) else {
                return Err(expected.into());
            };
            if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
                return Err(format!(
                    "{expected}, with the longitude in -180..180 and the latitude in -90..90"
                ));
            }
            Ok(LonLat { lon, lat })
        })
    }
}
inline_schema!(LonLat, "LonLat", {
    "type": "array", "minItems": 2, "maxItems": 2,
    "items": {"type": "number"},
    "example": [125.403, 43.862]
});

/// Output format of a resource (`f`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON (GeoJSON for features).
    Json,
    /// A page for people.
    Html,
}

impl Format {
    /// The `f` value of this format.
    pub fn code(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Html => "html",
        }
    }
}

impl<'de> Deserialize<'de> for Format {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        from_text(d, |s| match s {
            "json" | "geojson" => Ok(Format::Json),
            "html" => Ok(Format::Html),
            _ => Err("expected json or html".into()),
        })
    }
}
inline_schema!(Format, "Format", {"type": "string", "enum": ["json", "html"]});

/// The encoding of `filter` (`filter-lang`, OGC API – Features Part 3). `cql-text` is
/// read as CQL2 text: GDAL's OAPIF driver (3.12 and later too) sends that name and
/// pushes filters to the server only when the OpenAPI document lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FilterLanguage(pub crate::index::filter::FilterLang);

impl<'de> Deserialize<'de> for FilterLanguage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use crate::index::filter::FilterLang;
        from_text(d, |s| match s {
            "cql2-text" | "cql-text" => Ok(FilterLanguage(FilterLang::Cql2Text)),
            "cql2-json" => Ok(FilterLanguage(FilterLang::Cql2Json)),
            _ => Err("expected cql2-text or cql2-json".into()),
        })
    }
}
inline_schema!(FilterLanguage, "FilterLanguage", {
    "type": "string", "enum": ["cql2-text", "cql2-json", "cql-text"], "default": "cql2-text"
});

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse<T: for<'de> Deserialize<'de>>(s: &str) -> Result<T, String> {
        serde_json::from_value(json!(s)).map_err(|e| e.to_string())
    }

    #[test]
    fn numbers_with_trailing_text_are_refused() {
        assert_eq!(parse::<Whole>("10").unwrap(), Whole(10));
        assert!(parse::<Whole>("10abc").is_err());
        assert!(parse::<Whole>("-1").is_err());
        assert!(parse::<Whole>("").is_err());
        assert!(parse::<Number>("12.5").is_ok());
        assert!(parse::<Number>("12.5m").is_err());
        assert!(parse::<Number>("inf").is_err());
        assert!(parse::<Number>("NaN").is_err());
    }

    #[test]
    fn a_point_is_exactly_two_numbers() {
        let p = parse::<LonLat>("125.4,43.8").unwrap();
        assert_eq!((p.lon, p.lat), (125.4, 43.8));
        let err = parse::<LonLat>("125.4,abc,43.8").unwrap_err();
        assert!(err.contains("lon,lat"), "{err}");
        assert!(parse::<LonLat>("125.4").is_err());
        assert!(parse::<LonLat>("225.4,43.8").is_err());
    }

    #[test]
    fn flags_and_formats_take_only_their_words() {
        assert_eq!(parse::<Flag>("true").unwrap(), Flag(true));
        assert!(parse::<Flag>("yes").is_err());
        assert_eq!(parse::<Format>("geojson").unwrap(), Format::Json);
        assert!(parse::<Format>("AAA").unwrap_err().contains("json or html"));
    }
}
