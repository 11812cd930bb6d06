//! The shared vocabulary of the zone: collections and their properties, parcel
//! statuses, units of area and the roles of people who write.
//!
//! Nothing here knows about HTTP or SQL; the import, store, index and API steps all
//! speak these types.

pub mod collection;
pub mod feature;
pub mod status;
pub mod units;

pub use collection::{Collection, GeometryKind, PropertyDef, PropertyKind};
pub use feature::{FeatureRecord, ValidFeature};
pub use status::ParcelStatus;
pub use units::{AreaMeasure, SQUARE_METRES_PER_MU};
