//! Splitting reserved land into lots and merging adjacent parcels (see
//! [`crate::domain::parcel_ops`]).
