//! Coordinate reference systems: the ones landreuse reads on import and writes on
//! output (OGC API – Features Part 2), their names and axis orders, and their
//! transformations with PROJ.
//!
//! Geometry is stored in CRS84 (longitude, latitude on WGS84; CGCS2000 differs from it
//! by centimetres here, so the two are treated as one datum).
//!
//! Axis order is the trap of Chinese survey data, so it is explicit everywhere:
//! - *authority order* is what the EPSG registry defines: latitude first for EPSG:4326
//!   and 4490, northing first for the Gauss-Kruger CRSs 4551 and 4530, easting first for
//!   3857, longitude first for CRS84. The OGC API writes coordinates in this order when
//!   a client asks for `crs=`, as Part 2 requires.
//! - *GIS order* (easting/longitude first) is what GeoJSON files carry whatever their
//!   CRS, as `ogr2ogr` writes them, so import reads GIS order unless told otherwise.

pub mod gcj02;
mod transform;

use std::fmt;

pub use transform::{Reprojector, ToCrs84};

/// A coordinate reference system landreuse knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Crs {
    /// OGC CRS84: WGS84 longitude/latitude, the GeoJSON default and the storage CRS.
    Crs84,
    /// An EPSG code from [`SUPPORTED_EPSG`].
    Epsg(u32),
    /// GCJ-02, the offset datum of AMap (高德) and Tencent maps: import only.
    Gcj02,
}

/// The order of the two horizontal axes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AxisOrder {
    /// Longitude or easting first.
    EastNorth,
    /// Latitude or northing first.
    NorthEast,
}

impl AxisOrder {
    /// Parses `east-north` (also `lon-lat`, `xy`) or `north-east` (`lat-lon`, `yx`).
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "east-north" | "lon-lat" | "xy" | "en" => Ok(Self::EastNorth),
            "north-east" | "lat-lon" | "yx" | "ne" => Ok(Self::NorthEast),
            other => Err(format!(
                "axis order {other:?} is not known; use east-north (longitude or easting first, as GeoJSON files are written) or north-east (latitude or northing first)"
            )),
        }
    }

    /// The option value that selects this order.
    pub fn code(self) -> &'static str {
        match self {
            Self::EastNorth => "east-north",
            Self::NorthEast => "north-east",
        }
    }
}

/// The EPSG codes landreuse reads and writes, with what they are.
pub const SUPPORTED_EPSG: &[(u32, &str)] = &[
    (4326, "WGS 84"),
    (4490, "CGCS2000 geographic"),
    (4530, "CGCS2000 3-degree Gauss-Kruger zone 42"),
    (4551, "CGCS2000 3-degree Gauss-Kruger CM 126E"),
    (3857, "WGS 84 / Pseudo-Mercator"),
];

const OGC_CRS84_URI: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
const EPSG_URI_PREFIX: &str = "http://www.opengis.net/def/crs/EPSG/0/";

impl Crs {
    /// The CRSs the OGC API can write (`crs=`) and read boxes in (`bbox-crs=`).
    pub const OUTPUT: [Crs; 6] = [
        Crs::Crs84,
        Crs::Epsg(4326),
        Crs::Epsg(4490),
        Crs::Epsg(4530),
        Crs::Epsg(4551),
        Crs::Epsg(3857),
    ];

    /// Parses the ways GIS tools name a CRS: `CRS84`, `EPSG:4551`, `4551`, OGC URNs
    /// (`urn:ogc:def:crs:EPSG::4551`), OGC URIs
    /// (`http://www.opengis.net/def/crs/EPSG/0/4551`) and `GCJ02`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let upper = t.to_ascii_uppercase();
        if upper == "CRS84" || upper.ends_with(":CRS84") || upper.ends_with("/CRS84") {
            return Ok(Self::Crs84);
        }
        if matches!(upper.as_str(), "GCJ02" | "GCJ-02" | "GCJ_02") {
            return Ok(Self::Gcj02);
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
                Self::import_list()
            )),
        }
    }

    /// Parses the value of `crs=` or `bbox-crs=`: an OGC URI of an output CRS (the
    /// shorter spellings of [`Crs::parse`] are accepted too).
    pub fn parse_output(text: &str, parameter: &str) -> Result<Self, String> {
        match Self::parse(text) {
            Ok(c) if Self::OUTPUT.contains(&c) => Ok(c),
            _ => Err(format!(
                "{parameter}={text} is not a CRS this server supports; use one of {}",
                Self::OUTPUT
                    .iter()
                    .map(|c| c.uri())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    /// The CRSs accepted on import, as a sentence fragment for error messages.
    pub fn import_list() -> String {
        let mut parts = vec!["CRS84 (OGC:CRS84)".to_string()];
        parts.extend(
            SUPPORTED_EPSG
                .iter()
                .map(|(c, name)| format!("EPSG:{c} ({name})")),
        );
        parts.push("GCJ02 (AMap/Tencent offset coordinates)".into());
        parts.join(", ")
    }

    /// The OGC URI of the CRS.
    pub fn uri(self) -> String {
        match self {
            Self::Crs84 => OGC_CRS84_URI.into(),
            Self::Epsg(c) => format!("{EPSG_URI_PREFIX}{c}"),
            Self::Gcj02 => "GCJ02".into(),
        }
    }

    /// The axis order the authority (EPSG, OGC) defines.
    pub fn authority_axis_order(self) -> AxisOrder {
        match self {
            Self::Crs84 | Self::Gcj02 | Self::Epsg(3857) => AxisOrder::EastNorth,
            Self::Epsg(_) => AxisOrder::NorthEast,
        }
    }

    /// Whether coordinates are degrees (not metres).
    pub fn is_geographic(self) -> bool {
        matches!(self, Self::Crs84 | Self::Gcj02 | Self::Epsg(4326 | 4490))
    }

    /// Whether the CRS is CRS84 up to axis order (WGS84 or CGCS2000 degrees), so that
    /// no PROJ transformation is needed.
    pub fn is_crs84_datum(self) -> bool {
        matches!(self, Self::Crs84 | Self::Epsg(4326 | 4490))
    }

    /// The lon/lat box where coordinates of the CRS are meaningful (its EPSG area of
    /// use): min lon, min lat, max lon, max lat.
    pub fn area_of_use(self) -> [f64; 4] {
        match self {
            // China, 124°30'E to 127°30'E (the 3-degree Gauss-Kruger zone of CM 126°E).
            Self::Epsg(4530 | 4551) => [124.5, 40.85, 127.5, 53.57],
            Self::Epsg(3857) => [-180.0, -85.06, 180.0, 85.06],
            Self::Gcj02 => [73.0, 3.0, 136.0, 54.0],
            _ => [-180.0, -90.0, 180.0, 90.0],
        }
    }

    /// A name for people.
    pub fn title(self) -> &'static str {
        match self {
            Self::Crs84 => "WGS 84 longitude/latitude (OGC CRS84)",
            Self::Gcj02 => "GCJ-02 (AMap/Tencent offset coordinates)",
            Self::Epsg(c) => SUPPORTED_EPSG
                .iter()
                .find(|(s, _)| *s == c)
                .map_or("EPSG", |(_, n)| *n),
        }
    }

    /// The identifier PROJ understands.
    pub(crate) fn proj_id(self) -> String {
        match self {
            Self::Crs84 | Self::Gcj02 => "OGC:CRS84".into(),
            Self::Epsg(c) => format!("EPSG:{c}"),
        }
    }
}

impl fmt::Display for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Crs84 => f.write_str("CRS84"),
            Self::Epsg(c) => write!(f, "EPSG:{c}"),
            Self::Gcj02 => f.write_str("GCJ02"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_ways_gis_tools_name_a_crs() {
        assert_eq!(Crs::parse("EPSG:4551"), Ok(Crs::Epsg(4551)));
        assert_eq!(
            Crs::parse("urn:ogc:def:crs:EPSG::4490"),
            Ok(Crs::Epsg(4490))
        );
        assert_eq!(
            Crs::parse("http://www.opengis.net/def/crs/EPSG/0/3857"),
            Ok(Crs::Epsg(3857))
        );
        assert_eq!(Crs::parse("urn:ogc:def:crs:OGC:1.3:CRS84"), Ok(Crs::Crs84));
        assert_eq!(Crs::parse(OGC_CRS84_URI), Ok(Crs::Crs84));
        assert_eq!(Crs::parse("4530"), Ok(Crs::Epsg(4530)));
        assert_eq!(Crs::parse("gcj-02"), Ok(Crs::Gcj02));
    }

    #[test]
    fn an_unknown_crs_names_the_supported_list() {
        let err = Crs::parse("EPSG:2385").unwrap_err();
        assert!(err.contains("EPSG:2385"), "{err}");
        assert!(err.contains("EPSG:4551"), "{err}");
        let err = Crs::parse_output("GCJ02", "crs").unwrap_err();
        assert!(err.contains("crs=GCJ02"), "{err}");
        assert!(
            err.contains("http://www.opengis.net/def/crs/EPSG/0/4530"),
            "{err}"
        );
    }

    #[test]
    fn every_output_crs_round_trips_through_its_uri() {
        for c in Crs::OUTPUT {
            assert_eq!(Crs::parse_output(&c.uri(), "crs"), Ok(c));
        }
    }

    #[test]
    fn axis_orders_follow_the_registry() {
        assert_eq!(Crs::Crs84.authority_axis_order(), AxisOrder::EastNorth);
        assert_eq!(Crs::Epsg(4326).authority_axis_order(), AxisOrder::NorthEast);
        assert_eq!(Crs::Epsg(4490).authority_axis_order(), AxisOrder::NorthEast);
        assert_eq!(Crs::Epsg(4551).authority_axis_order(), AxisOrder::NorthEast);
        assert_eq!(Crs::Epsg(4530).authority_axis_order(), AxisOrder::NorthEast);
        assert_eq!(Crs::Epsg(3857).authority_axis_order(), AxisOrder::EastNorth);
        assert_eq!(AxisOrder::parse("lat-lon"), Ok(AxisOrder::NorthEast));
        assert!(AxisOrder::parse("sideways").is_err());
    }
}
