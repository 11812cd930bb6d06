//! The collections as the OGC API serves them: each holds one geometry type, so that
//! QGIS and GDAL type a layer once and every feature fits it.
//!
//! A served collection (a layer) is a stored collection, or, for the public projects,
//! the part of it with one geometry type: streets and lighting are lines
//! (`project_lines`), quarters, greening and landscaping are areas (`project_areas`).
//! Areas are always served as MultiPolygon and lines as MultiLineString, whether the
//! source wrote a single polygon or line or several.

use std::fmt;
use std::str::FromStr;

use geo::{Geometry, MultiLineString, MultiPolygon};

use super::collection::{Collection, GeometryKind};

/// The one geometry type of a served collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GeometryType {
    /// Land, zones, cases, school land, renovated quarters and green space.
    MultiPolygon,
    /// Roads, street renovation and lighting.
    MultiLineString,
}

impl GeometryType {
    /// The GeoJSON type name.
    pub fn name(self) -> &'static str {
        match self {
            Self::MultiPolygon => "MultiPolygon",
            Self::MultiLineString => "MultiLineString",
        }
    }

    /// The JSON Schema format of OGC API – Features Part 5 (`geometry-multipolygon`).
    pub fn schema_format(self) -> &'static str {
        match self {
            Self::MultiPolygon => "geometry-multipolygon",
            Self::MultiLineString => "geometry-multilinestring",
        }
    }

    /// Whether a geometry is of this type (a single polygon or line counts: it is
    /// served as a multi-geometry of one part).
    pub fn holds(self, g: &Geometry<f64>) -> bool {
        match self {
            Self::MultiPolygon => matches!(g, Geometry::Polygon(_) | Geometry::MultiPolygon(_)),
            Self::MultiLineString => {
                matches!(g, Geometry::LineString(_) | Geometry::MultiLineString(_))
            }
        }
    }
}

/// A polygon as a MultiPolygon of one part and a line as a MultiLineString of one part;
/// anything else unchanged.
pub fn as_multi(g: Geometry<f64>) -> Geometry<f64> {
    match g {
        Geometry::Polygon(p) => Geometry::MultiPolygon(MultiPolygon(vec![p])),
        Geometry::LineString(l) => Geometry::MultiLineString(MultiLineString(vec![l])),
        other => other,
    }
}

/// A collection as `/collections` lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layer {
    /// Land parcels.
    Parcels,
    /// Zones and sub-districts.
    Zones,
    /// Roads.
    Roads,
    /// Reallocation cases.
    Reallocations,
    /// Schools.
    Schools,
    /// Street renovation and lighting projects.
    ProjectLines,
    /// Quarter renovation, greening and landscaping projects.
    ProjectAreas,
}

/// The id public projects had when lines and areas were served together; its feature
/// URLs still resolve (to the layer holding each project).
pub const RETIRED_PROJECTS_ID: &str = "projects";

impl Layer {
    /// Every served collection, in the order `/collections` lists them.
    pub const ALL: [Layer; 7] = [
        Self::Parcels,
        Self::Zones,
        Self::Roads,
        Self::Reallocations,
        Self::Schools,
        Self::ProjectLines,
        Self::ProjectAreas,
    ];

    /// The stored collection it serves.
    pub fn collection(self) -> Collection {
        match self {
            Self::Parcels => Collection::Parcels,
            Self::Zones => Collection::Zones,
            Self::Roads => Collection::Roads,
            Self::Reallocations => Collection::Reallocations,
            Self::Schools => Collection::Schools,
            Self::ProjectLines | Self::ProjectAreas => Collection::Projects,
        }
    }

    /// The collection id in URLs.
    pub fn id(self) -> &'static str {
        match self {
            Self::ProjectLines => "project_lines",
            Self::ProjectAreas => "project_areas",
            other => other.collection().id(),
        }
    }

    /// Title for people (English and Chinese).
    pub fn title(self) -> &'static str {
        match self {
            Self::ProjectLines => "Public projects along streets 道路与亮化项目",
            Self::ProjectAreas => "Public projects on areas 小区、绿化与景观项目",
            other => other.collection().title(),
        }
    }

    /// A sentence on what it holds.
    pub fn description(self) -> &'static str {
        match self {
            Self::ProjectLines => "Street renovation and lighting projects (lines along the road, geodesic length) with status, budget and progress. The area projects are in project_areas.",
            Self::ProjectAreas => "Residential-quarter renovation, greening and landscaping projects (areas, geodesic area) with status, budget, households and progress. The street projects are in project_lines.",
            other => other.collection().description(),
        }
    }

    /// Its one geometry type.
    pub fn geometry_type(self) -> GeometryType {
        match self {
            Self::ProjectLines => GeometryType::MultiLineString,
            Self::ProjectAreas => GeometryType::MultiPolygon,
            other => match other.collection().geometry_kind() {
                GeometryKind::Linear => GeometryType::MultiLineString,
                _ => GeometryType::MultiPolygon,
            },
        }
    }

    /// The geometry type that selects its features from its stored collection, when it
    /// serves only part of it (the public projects).
    pub fn part(self) -> Option<GeometryType> {
        (self.collection().geometry_kind() == GeometryKind::Mixed).then(|| self.geometry_type())
    }

    /// The layer that serves a stored feature with this geometry.
    pub fn serving(c: Collection, g: &Geometry<f64>) -> Layer {
        match c {
            Collection::Parcels => Self::Parcels,
            Collection::Zones => Self::Zones,
            Collection::Roads => Self::Roads,
            Collection::Reallocations => Self::Reallocations,
            Collection::Schools => Self::Schools,
            Collection::Projects if GeometryType::MultiLineString.holds(g) => Self::ProjectLines,
            Collection::Projects => Self::ProjectAreas,
        }
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for Layer {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(l) = Self::ALL.into_iter().find(|l| l.id() == s) {
            return Ok(l);
        }
        let ids: Vec<&str> = Self::ALL.iter().map(|l| l.id()).collect();
        if s == RETIRED_PROJECTS_ID {
            return Err(format!(
                "collection \"projects\" is served as two collections, one geometry type each: project_lines (street renovation, lighting) and project_areas (quarters, greening, landscaping); its feature URLs /collections/projects/items/{{id}} still lead to them. The collections are {}",
                ids.join(", ")
            ));
        }
        Err(format!(
            "unknown collection {s:?}; the collections are {}",
            ids.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{line_string, polygon};

    #[test]
    fn each_layer_has_one_type_and_projects_split_by_it() {
        let line = Geometry::LineString(line_string![(x: 125.3, y: 43.9), (x: 125.31, y: 43.9)]);
        let area = Geometry::Polygon(polygon![
            (x: 125.3, y: 43.9),
            (x: 125.31, y: 43.9),
            (x: 125.31, y: 43.91),
            (x: 125.3, y: 43.9)
        ]);
        assert_eq!(
            Layer::serving(Collection::Projects, &line),
            Layer::ProjectLines
        );
        assert_eq!(
            Layer::serving(Collection::Projects, &area),
            Layer::ProjectAreas
        );
        assert_eq!(Layer::serving(Collection::Roads, &line), Layer::Roads);
        assert_eq!(
            Layer::ProjectLines.part(),
            Some(GeometryType::MultiLineString)
        );
        assert_eq!(Layer::Parcels.part(), None);
        assert_eq!(Layer::Roads.geometry_type(), GeometryType::MultiLineString);
        assert_eq!(Layer::Schools.geometry_type(), GeometryType::MultiPolygon);
        assert!(matches!(as_multi(area), Geometry::MultiPolygon(m) if m.0.len() == 1));
        assert!(matches!(as_multi(line), Geometry::MultiLineString(m) if m.0.len() == 1));
        for l in Layer::ALL {
            assert_eq!(l.id().parse::<Layer>(), Ok(l));
        }
        let retired = "projects".parse::<Layer>().unwrap_err();
        assert!(retired.contains("project_lines") && retired.contains("project_areas"));
    }
}
