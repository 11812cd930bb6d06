//! Who may write: bearer tokens with a role, stored as SHA-256 hashes.
//!
//! The token's name is the actor recorded in the event log.

use std::fmt;
use std::str::FromStr;

use rand::RngCore;
use sha2::{Digest, Sha256};

/// What a token holder may do. Each role includes the rights of the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Reads only (useful when reading is closed).
    Viewer,
    /// Runs the reallocation workflow.
    Planner,
    /// Imports survey data.
    Gis,
    /// Everything, including tokens.
    Admin,
}

impl Role {
    /// Every role, lowest first.
    pub const ALL: [Role; 4] = [Self::Viewer, Self::Planner, Self::Gis, Self::Admin];

    /// The stored and typed name of the role.
    pub fn code(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Planner => "planner",
            Self::Gis => "gis",
            Self::Admin => "admin",
        }
    }

    /// Whether a holder of this role may do what `needed` allows. GIS staff do not run
    /// the planners' workflow, and planners do not import: only admin holds both.
    pub fn permits(self, needed: Role) -> bool {
        match (self, needed) {
            (Self::Admin, _) | (_, Self::Viewer) => true,
            (have, need) => have == need,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .copied()
            .find(|r| r.code() == s)
            .ok_or_else(|| {
                format!("unknown role {s:?}; the roles are viewer, planner, gis and admin")
            })
    }
}

/// A new random secret: `lr_` and 64 hex digits (256 bits).
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("lr_{}", hex::encode(bytes))
}

/// The hex SHA-256 of a secret, as stored.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_permits_everything_and_gis_does_not_run_the_workflow() {
        assert!(Role::Admin.permits(Role::Gis));
        assert!(Role::Gis.permits(Role::Gis));
        assert!(Role::Gis.permits(Role::Viewer));
        assert!(!Role::Gis.permits(Role::Planner));
        assert!(!Role::Viewer.permits(Role::Gis));
    }

    #[test]
    fn secrets_are_random_and_hashes_stable() {
        let a = new_secret();
        assert_ne!(a, new_secret());
        assert_eq!(hash_secret(&a), hash_secret(&a));
        assert_eq!(hash_secret(&a).len(), 64);
    }
}
