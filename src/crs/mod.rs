//! Source coordinate reference systems and their transformation to CRS84 with PROJ.
//!
//! GeoJSON written by `ogr2ogr` keeps the traditional GIS order (longitude/easting
//! first) whatever the CRS's authority order, so transformations are built with PROJ's
//! "normalised for visualisation" axis order.

use std::fmt;

/// A CRS landreuse accepts on import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceCrs {
    /// OGC CRS84: WGS84 lon/lat, the GeoJSON default and the storage CRS.
    Crs84,
    /// An EPSG code from the supported list.
    Epsg(u32),
}

/// The EPSG codes accepted on import, with what they are.
pub const SUPPORTED_EPSG: &[(u32, &str)] = &[
    (4326, "WGS 84"),
    (4490, "CGCS2000 geographic"),
    (4551, "CGCS2000 3-degree Gauss-Kruger CM 126E"),
    (4530, "CGCS2000 3-degree Gauss-Kruger zone 42"),
    (3857, "WGS 84 / Pseudo-Mercator"),
];

impl SourceCrs {
    /// Parses `CRS84`, `EPSG:4551`, `4551`, OGC URNs (`urn:ogc:def:crs:EPSG::4551`) and
    /// OGC URIs (`http://www.opengis.net/def/crs/EPSG/0/4551`).
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let upper = t.to_ascii_uppercase();
        if upper == "CRS84"
            || upper.ends_with(":CRS84")
            || upper.ends_with("/CRS84")
            || upper == "OGC:CRS84"
        {
            return Ok(Self::Crs84);
        }
        let code = upper
            .rsplit([':', '/'])
            .next()
            .filter(|_| upper.contains("EPSG") || upper.chars().all(|c| c.is_ascii_digit()))
            .and_then(|c| c.parse::<u32>().ok());
        match code {
            Some(c) if SUPPORTED_EPSG.iter().any(|(s, _)| *s == c) => Ok(Self::Epsg(c)),
            _ => Err(format!(
                "unknown or unsupported CRS {t:?}; landreuse imports {}",
                Self::supported_list()
            )),
        }
    }

    /// The supported CRSs as a sentence fragment for error messages.
    pub fn supported_list() -> String {
        let mut parts = vec!["CRS84 (OGC:CRS84)".to_string()];
        parts.extend(
            SUPPORTED_EPSG
                .iter()
                .map(|(c, name)| format!("EPSG:{c} ({name})")),
        );
        parts.join(", ")
    }

    /// Whether coordinates are already CRS84 in GeoJSON order.
    pub fn is_lon_lat_wgs84(self) -> bool {
        matches!(self, Self::Crs84 | Self::Epsg(4326))
    }

    /// The identifier PROJ understands.
    pub fn proj_id(self) -> String {
        match self {
            Self::Crs84 => "OGC:CRS84".into(),
            Self::Epsg(c) => format!("EPSG:{c}"),
        }
    }
}

impl fmt::Display for SourceCrs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Crs84 => f.write_str("CRS84"),
            Self::Epsg(c) => write!(f, "EPSG:{c}"),
        }
    }
}

/// A transformation of source coordinates to CRS84 lon/lat. Not `Send` (PROJ contexts
/// are per thread): build it on the thread that uses it.
pub enum ToCrs84 {
    /// Already CRS84.
    Identity,
    /// Through PROJ.
    Proj(Box<proj::Proj>),
}

impl ToCrs84 {
    /// Builds the transformation from `source`.
    pub fn new(source: SourceCrs) -> Result<Self, String> {
        if source.is_lon_lat_wgs84() {
            return Ok(Self::Identity);
        }
        proj::Proj::new_known_crs(&source.proj_id(), "OGC:CRS84", None)
            .map(|p| Self::Proj(Box::new(p)))
            .map_err(|e| format!("PROJ cannot transform {source} to CRS84: {e}"))
    }

    /// Transforms one (x, y) position given in GeoJSON order.
    pub fn apply(&self, x: f64, y: f64) -> Result<(f64, f64), String> {
        match self {
            Self::Identity => Ok((x, y)),
            Self::Proj(p) => p
                .convert((x, y))
                .map_err(|e| format!("position ({x}, {y}) cannot be transformed: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_ways_gis_tools_name_a_crs() {
        assert_eq!(SourceCrs::parse("EPSG:4551"), Ok(SourceCrs::Epsg(4551)));
        assert_eq!(
            SourceCrs::parse("urn:ogc:def:crs:EPSG::4490"),
            Ok(SourceCrs::Epsg(4490))
        );
        assert_eq!(
            SourceCrs::parse("http://www.opengis.net/def/crs/EPSG/0/3857"),
            Ok(SourceCrs::Epsg(3857))
        );
        assert_eq!(
            SourceCrs::parse("urn:ogc:def:crs:OGC:1.3:CRS84"),
            Ok(SourceCrs::Crs84)
        );
        assert_eq!(SourceCrs::parse("4530"), Ok(SourceCrs::Epsg(4530)));
    }

    #[test]
    fn an_unknown_crs_names_the_supported_list() {
        let err = SourceCrs::parse("EPSG:2385").unwrap_err();
        assert!(err.contains("EPSG:2385"), "{err}");
        assert!(err.contains("EPSG:4551"), "{err}");
    }
}
