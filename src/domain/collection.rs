//! The feature collections landreuse serves and the typed properties of each.
//!
//! A collection's typed properties are stored as columns (so they can be indexed and
//! filtered); anything else a source file carries is kept as free attributes.

use std::fmt;
use std::str::FromStr;

use super::status::ParcelStatus;

/// The value type of a typed property.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PropertyKind {
    /// Free text.
    Text,
    /// A real number.
    Real,
    /// A whole number.
    Integer,
}

/// What a text property holds, where it is more than free text: filters compare dates
/// as dates and test lists element by element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextForm {
    /// Free text or a code.
    Free,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// An instant, RFC 3339.
    Timestamp,
    /// Codes separated by commas (the parcels a school or a case occupies).
    CodeList,
}

/// One typed property of a collection.
#[derive(Debug, Clone, Copy)]
pub struct PropertyDef {
    /// Property (and column) name.
    pub name: &'static str,
    /// Value type.
    pub kind: PropertyKind,
    /// What a text value holds.
    pub form: TextForm,
    /// Whether items can be filtered on it by equality (`?status=idle`).
    pub queryable: bool,
    /// Human description, shown in the OpenAPI document.
    pub description: &'static str,
    /// Whether imports write it; a derived property (a grade, a case's stage) is
    /// written only by the workflow.
    pub imported: bool,
}

const fn text(name: &'static str, queryable: bool, description: &'static str) -> PropertyDef {
    PropertyDef {
        name,
        kind: PropertyKind::Text,
        form: TextForm::Free,
        queryable,
        description,
        imported: true,
    }
}

/// A text property holding a date, an instant or a list of codes.
const fn formed(form: TextForm, name: &'static str, description: &'static str) -> PropertyDef {
    PropertyDef {
        form,
        ..text(name, false, description)
    }
}

const fn real(name: &'static str, description: &'static str) -> PropertyDef {
    PropertyDef {
        name,
        kind: PropertyKind::Real,
        form: TextForm::Free,
        queryable: false,
        description,
        imported: true,
    }
}

const fn whole(name: &'static str, description: &'static str) -> PropertyDef {
    PropertyDef {
        name,
        kind: PropertyKind::Integer,
        form: TextForm::Free,
        queryable: false,
        description,
        imported: true,
    }
}

/// A property the workflow derives; imports never write it.
const fn derived(def: PropertyDef) -> PropertyDef {
    PropertyDef {
        imported: false,
        ..def
    }
}

const fn integer(name: &'static str, description: &'static str) -> PropertyDef {
    PropertyDef {
        name,
        kind: PropertyKind::Integer,
        form: TextForm::Free,
        queryable: false,
        description,
        imported: false,
    }
}

/// Which geometries a collection holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeometryKind {
    /// Polygon or MultiPolygon (land).
    Areal,
    /// LineString or MultiLineString (roads).
    Linear,
    /// Either (public projects: streets and lighting are lines, quarters and greening
    /// are areas).
    Mixed,
}

/// A feature collection of the zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Collection {
    /// Land parcels (宗地).
    Parcels,
    /// Zones and sub-districts (园区、街道).
    Zones,
    /// The named road network (道路).
    Roads,
    /// Reallocation cases (腾笼换鸟): their geometry is that of the parcels involved.
    Reallocations,
    /// Schools: existing ones and the programme's new and expanded ones (学校).
    Schools,
    /// Public projects: street and quarter renovation, greening, lighting, landscaping.
    Projects,
}

const PARCEL_PROPERTIES: &[PropertyDef] = &[
    text(
        "zone",
        true,
        "Zone code: south (南部建成区), north (北区) or bonded (兴隆综合保税区).",
    ),
    text(
        "subdistrict",
        true,
        "Code of the sub-district (街道) holding the parcel.",
    ),
    text(
        "land_use",
        true,
        "Land-use code (GB 50137-2011 such as M1, B1, R2; or GB/T 21010-2017).",
    ),
    text(
        "status",
        true,
        "Parcel status in the reallocation programme.",
    ),
    text("owner", true, "Name of the owner enterprise (权利人)."),
    real(
        "output_value_wan",
        "Annual output value on the parcel, 万元.",
    ),
    real("tax_wan", "Annual tax paid from the parcel, 万元."),
    derived(text(
        "grade",
        true,
        "Land-efficiency (亩均效益) grade of the owner: A priority, B support, C upgrade, D restrict, or ungraded.",
    )),
];

const PROJECT_STATUS: &str = "planned, under_construction or completed.";

const SCHOOL_PROPERTIES: &[PropertyDef] = &[
    text("name", true, "Chinese name."),
    text("name_en", false, "English name."),
    text(
        "kind",
        true,
        "new (新建), expansion (改扩建) or existing (现有).",
    ),
    text(
        "level",
        true,
        "primary (小学), middle (初中) or nine_year (九年一贯制).",
    ),
    whole("classes", "Classes (班)."),
    whole("seats", "Seats (学位)."),
    real("investment_wan", "Investment, 万元."),
    text("status", true, PROJECT_STATUS),
    formed(
        TextForm::Date,
        "start_date",
        "Construction start (YYYY-MM-DD).",
    ),
    formed(
        TextForm::Date,
        "completion_date",
        "Completion, planned or actual (YYYY-MM-DD).",
    ),
    real("percent_complete", "Percent complete, 0–100."),
    real("budget_wan", "Budget, 万元."),
    formed(
        TextForm::CodeList,
        "parcels",
        "Codes of the parcels it occupies, comma-separated.",
    ),
];

const PROJECT_PROPERTIES: &[PropertyDef] = &[
    text("name", true, "Chinese name."),
    text("name_en", false, "English name."),
    text(
        "kind",
        true,
        "street_renovation (道路改造), quarter_renovation (老旧小区改造), greening (绿化), lighting (亮化) or landscaping (景观).",
    ),
    text("status", true, PROJECT_STATUS),
    formed(TextForm::Date, "start_date", "Construction start (YYYY-MM-DD)."),
    formed(TextForm::Date, "completion_date", "Completion, planned or actual (YYYY-MM-DD)."),
    real("percent_complete", "Percent complete, 0–100."),
    real("budget_wan", "Budget, 万元."),
    whole("households", "Households of a renovated quarter (户)."),
    text("road", true, "The road a street renovation or lighting project runs along."),
    formed(TextForm::CodeList, "parcels", "Codes of the parcels it occupies, comma-separated."),
];

const REALLOCATION_PROPERTIES: &[PropertyDef] = &[
    derived(text(
        "kind",
        true,
        "reserve 收储, relocation 搬迁, redevelopment 再开发 or expansion 存量扩能.",
    )),
    derived(text(
        "stage",
        true,
        "Stage of the land reserve procedure: proposed, approved, vacating, in_reserve, supplied, completed, rejected, cancelled (expansion: intention, started, completed, cancelled).",
    )),
    integer("version", "Case version: send it as If-Match with a transition."),
    derived(text("zone", true, "Zone of the parcels (of the source, for a relocation).")),
    derived(text("enterprise", true, "The firm relocating or expanding.")),
    derived(text("planned_use", false, "Land-use code the land is supplied for (redevelopment).")),
    derived(text("acquisition", false, "How reserve land is taken in: recovery 收回, purchase 收购 or expropriation 征收.")),
    derived(real("planned_output_wan", "Planned new output value (expansion), 万元.")),
    derived(formed(TextForm::CodeList, "parcels", "Codes of the parcels involved, comma-separated.")),
    derived(formed(TextForm::Timestamp, "opened_at", "When the case was opened (RFC 3339).")),
    derived(formed(TextForm::Timestamp, "stage_since", "When the case entered its stage (RFC 3339).")),
];

const ZONE_PROPERTIES: &[PropertyDef] = &[
    text("name", true, "Chinese name."),
    text("name_en", false, "English name."),
    text("kind", true, "zone or subdistrict."),
    text("parent", true, "Code of the enclosing zone, if any."),
];

const ROAD_PROPERTIES: &[PropertyDef] = &[
    text("name", true, "Chinese name."),
    text("name_en", false, "English name."),
    text(
        "class",
        true,
        "Road class: expressway, arterial, secondary or branch.",
    ),
];

impl Collection {
    /// Every collection, in the order `/collections` lists them.
    pub const ALL: [Collection; 6] = [
        Self::Parcels,
        Self::Zones,
        Self::Roads,
        Self::Reallocations,
        Self::Schools,
        Self::Projects,
    ];

    /// The collection id in URLs.
    pub fn id(self) -> &'static str {
        match self {
            Self::Parcels => "parcels",
            Self::Zones => "zones",
            Self::Roads => "roads",
            Self::Reallocations => "reallocations",
            Self::Schools => "schools",
            Self::Projects => "projects",
        }
    }

    /// Whether GeoJSON imports may write the collection (cases are opened through the
    /// workflow, never imported).
    pub fn importable(self) -> bool {
        self != Self::Reallocations
    }

    /// Title for people (English and Chinese).
    pub fn title(self) -> &'static str {
        match self {
            Self::Parcels => "Land parcels 宗地",
            Self::Zones => "Zones and sub-districts 园区与街道",
            Self::Roads => "Roads 道路",
            Self::Reallocations => "Reallocation cases 腾笼换鸟",
            Self::Schools => "Schools 学校",
            Self::Projects => "Public projects 公共项目",
        }
    }

    /// A sentence on what the collection holds.
    pub fn description(self) -> &'static str {
        match self {
            Self::Parcels => "Land parcels of the southern built-up area, the northern zone and the Xinglong bonded zone, with owner enterprise, land-use code, status, output and tax, and geodesic area in m², ha and mu.",
            Self::Zones => "The southern built-up area, the northern zone, the Xinglong comprehensive bonded zone and the sub-districts.",
            Self::Roads => "The named road network of the zone.",
            Self::Reallocations => "Reallocation cases of the 腾笼换鸟 programme (land reserve, relocation south to north, redevelopment, expansion in place) with their stage; the geometry is that of the parcels involved.",
            Self::Schools => "The zone's schools and the programme's new and expanded schools, with level, classes, seats, investment, status and school land (geodesic area).",
            Self::Projects => "Street and residential-quarter renovation, greening, lighting and landscaping projects with status, budget and progress; streets and lighting are lines (geodesic length), the others areas.",
        }
    }

    /// The typed properties stored as columns.
    pub fn properties(self) -> &'static [PropertyDef] {
        match self {
            Self::Parcels => PARCEL_PROPERTIES,
            Self::Zones => ZONE_PROPERTIES,
            Self::Roads => ROAD_PROPERTIES,
            Self::Reallocations => REALLOCATION_PROPERTIES,
            Self::Schools => SCHOOL_PROPERTIES,
            Self::Projects => PROJECT_PROPERTIES,
        }
    }

    /// The typed properties that accept equality filters.
    pub fn queryables(self) -> impl Iterator<Item = &'static PropertyDef> {
        self.properties().iter().filter(|p| p.queryable)
    }

    /// Looks up a typed property by name.
    pub fn property(self, name: &str) -> Option<&'static PropertyDef> {
        self.properties().iter().find(|p| p.name == name)
    }

    /// The fixed list of values a property accepts, where there is one.
    pub fn allowed_values(self, property: &str) -> Option<Vec<&'static str>> {
        match (self, property) {
            (Self::Parcels, "status") => Some(ParcelStatus::codes()),
            (Self::Parcels | Self::Reallocations, "zone") => Some(vec!["south", "north", "bonded"]),
            (Self::Zones, "kind") => Some(vec!["zone", "subdistrict"]),
            (Self::Roads, "class") => Some(vec!["expressway", "arterial", "secondary", "branch"]),
            (Self::Parcels, "grade") => Some(vec!["A", "B", "C", "D", "ungraded"]),
            (Self::Schools, "kind") => Some(vec!["new", "expansion", "existing"]),
            (Self::Schools, "level") => Some(vec!["primary", "middle", "nine_year"]),
            (Self::Schools | Self::Projects, "status") => {
                Some(vec!["planned", "under_construction", "completed"])
            }
            (Self::Projects, "kind") => Some(vec![
                "street_renovation",
                "quarter_renovation",
                "greening",
                "lighting",
                "landscaping",
            ]),
            (Self::Reallocations, "kind") => {
                Some(vec!["reserve", "relocation", "redevelopment", "expansion"])
            }
            (Self::Reallocations, "stage") => Some(vec![
                "proposed",
                "approved",
                "vacating",
                "in_reserve",
                "supplied",
                "completed",
                "rejected",
                "cancelled",
                "intention",
                "started",
            ]),
            _ => None,
        }
    }

    /// Which geometry types the collection holds.
    pub fn geometry_kind(self) -> GeometryKind {
        match self {
            Self::Parcels | Self::Zones | Self::Reallocations | Self::Schools => {
                GeometryKind::Areal
            }
            Self::Projects => GeometryKind::Mixed,
            Self::Roads => GeometryKind::Linear,
        }
    }

    /// Prefix of generated feature codes for features imported without an id.
    pub fn code_prefix(self) -> &'static str {
        match self {
            Self::Parcels => "P",
            Self::Zones => "Z",
            Self::Roads => "R",
            Self::Reallocations => "RC-",
            Self::Schools => "SCH-",
            Self::Projects => "PRJ-",
        }
    }
}

impl fmt::Display for Collection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for Collection {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .copied()
            .find(|c| c.id() == s)
            .ok_or_else(|| {
                format!("unknown collection {s:?}; the collections are parcels, zones, roads, reallocations, schools and projects")
            })
    }
}
