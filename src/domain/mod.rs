//! The shared vocabulary of the zone: collections and their properties, parcel
//! statuses, units of area and the roles of people who write.
//!
//! Nothing here knows about HTTP or SQL; the import, store, index and API steps all
//! speak these types.

pub mod collection;
pub mod feature;
pub mod grading;
pub mod landuse;
pub mod layer;
pub mod parcel_ops;
pub mod projects;
pub mod queryable;
pub mod reallocation;
pub mod reserve_priority;
pub mod status;
pub mod text;
pub mod units;

pub use collection::{Collection, GeometryKind, PropertyDef, PropertyKind, TextForm};
pub use feature::{FeatureRecord, ValidFeature};
pub use layer::{GeometryType, Layer};
pub use queryable::{Queryable, QueryableType};
pub use status::ParcelStatus;
pub use units::{AreaMeasure, SQUARE_METRES_PER_MU};

/// The development zone's extent in CRS84 (min lon, min lat, max lon, max lat): the
/// southern built-up area, the northern zone and the Xinglong bonded zone. Imports
/// refuse features that land far outside it (a wrong CRS or axis order).
pub const ZONE_EXTENT: [f64; 4] = [125.25, 43.78, 125.65, 44.05];
