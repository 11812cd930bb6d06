//! What a case is made of: its parcels as the rules see them, a new case as requested,
//! the parcel changes a transition makes, and the errors of the rules.

use serde::{Deserialize, Serialize};

use super::stage::{allowed_next, transition_message};
use super::{CaseKind, Stage};
use crate::domain::ParcelStatus;

coded_enum! {
    /// The part a parcel plays in a case.
    pub enum ParcelRole ("parcel role") {
        /// The parcel a reserve, redevelopment or expansion case is about.
        Subject = "subject", "涉及地块";
        /// A relocating firm's parcel in the southern built-up area (迁出地块).
        Source = "source", "迁出地块";
        /// The parcel in the northern zone the firm moves to (迁入地块).
        Target = "target", "迁入地块";
    }
}

coded_enum! {
    /// How land is taken into the reserve (土地储备管理办法).
    pub enum Acquisition ("acquisition method") {
        /// Taking back allocated or idle land (收回).
        Recovery = "recovery", "收回";
        /// Buying land from its user (收购).
        Purchase = "purchase", "收购";
        /// Expropriation with compensation (征收).
        Expropriation = "expropriation", "征收";
    }
}

/// A parcel as the rules see it, read from the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParcelFacts {
    /// The parcel's code (`ETDZ-S-000123`).
    pub code: String,
    /// `south`, `north` or `bonded` (the bonded zone lies inside the northern zone).
    pub zone: Option<String>,
    /// What is happening on the parcel now.
    #[serde(with = "status_code")]
    pub status: ParcelStatus,
    /// The firm that holds the parcel, if any.
    pub owner: Option<String>,
    /// The owner's land-efficiency grade, `'A'`..`'D'`; `None` when ungraded or unknown.
    pub owner_grade: Option<char>,
    /// The parcel's land-use code (GB 50137 or GB/T 21010).
    pub land_use: Option<String>,
    /// The id of an open case that already holds the parcel.
    pub open_case: Option<i64>,
}

impl ParcelFacts {
    /// The owner's name, with an empty or blank owner read as none.
    pub(super) fn owner_name(&self) -> Option<&str> {
        non_blank(self.owner.as_deref())
    }

    /// The zone, trimmed and lower-cased; `None` when unknown.
    pub(super) fn zone_code(&self) -> Option<String> {
        non_blank(self.zone.as_deref()).map(str::to_ascii_lowercase)
    }
}

/// `Some(trimmed)` unless the text is missing or blank.
pub(super) fn non_blank(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

/// A case as requested, with its parcels' facts, before it is stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewCase {
    /// The kind of case.
    pub kind: CaseKind,
    /// The parcels and their roles: subjects, or one source and one target.
    pub parcels: Vec<(ParcelRole, ParcelFacts)>,
    /// The firm concerned: the one that relocates or expands.
    pub enterprise: Option<String>,
    /// Redevelopment: the land-use code the land is supplied for.
    pub planned_use: Option<String>,
    /// Expansion: the planned new output value, in 万元 (10,000 yuan).
    pub planned_output_wan: Option<f64>,
    /// Reserve: how the land is taken in.
    pub acquisition: Option<Acquisition>,
}

/// A change to one parcel when its case enters a stage; fields left `None` stay as they
/// are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParcelChange {
    /// The parcel's code.
    pub code: String,
    /// Its role in the case.
    pub role: ParcelRole,
    /// The new status.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "optional_status_code"
    )]
    pub status: Option<ParcelStatus>,
    /// What happens to the owner.
    #[serde(default, skip_serializing_if = "OwnerChange::keeps")]
    pub owner: OwnerChange,
    /// The new land-use code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub land_use: Option<String>,
}

/// Why a case cannot be created or moved; every message is a sentence naming the
/// parcel(s), the case and what would be allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// The case may not move from its stage to the one asked for (a conflict, HTTP 409).
    #[error("{}", transition_message(*.kind, *.from, *.to))]
    ForbiddenTransition {
        /// The kind of the case.
        kind: CaseKind,
        /// Its current stage.
        from: Stage,
        /// The stage asked for.
        to: Stage,
    },
    /// A parcel of a new case is already held by another open case (a conflict, HTTP 409).
    #[error("parcel {parcel} is already in open case {case}; close or cancel that case first")]
    ParcelInOpenCase {
        /// The parcel's code.
        parcel: String,
        /// The id of the open case holding it.
        case: i64,
    },
    /// The new case breaks a rule of its kind (HTTP 422).
    #[error("{0}")]
    Invalid(String),
}

impl RuleError {
    /// For a forbidden transition, the stages the case may move to instead.
    pub fn allowed_next(&self) -> Option<&'static [Stage]> {
        match self {
            Self::ForbiddenTransition { kind, from, .. } => Some(allowed_next(*kind, *from)),
            _ => None,
        }
    }
}

/// Serde for a [`ParcelStatus`] as its code.
mod status_code {
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    use crate::domain::ParcelStatus;

    #[allow(clippy::trivially_copy_pass_by_ref)] // serde's `with` hands over `&ParcelStatus`
    pub fn serialize<S: Serializer>(status: &ParcelStatus, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(status.code())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ParcelStatus, D::Error> {
        String::deserialize(d)?.parse().map_err(D::Error::custom)
    }
}

/// Serde for an optional [`ParcelStatus`] as its code.
mod optional_status_code {
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    use crate::domain::ParcelStatus;

    // serde's `with` hands over `&Option<_>`.
    #[allow(clippy::ref_option, clippy::trivially_copy_pass_by_ref)]
    pub fn serialize<S: Serializer>(
        status: &Option<ParcelStatus>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match status {
            Some(status) => s.serialize_str(status.code()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<ParcelStatus>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|code| code.parse().map_err(D::Error::custom))
            .transpose()
    }
}

/// What a case does to a parcel's owner. In a stored change, a missing `owner` keeps
/// it, `null` clears it (the land goes back to the reserve) and a name sets it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum OwnerChange {
    /// The owner stays.
    #[default]
    Keep,
    /// The parcel has no owner any more.
    Clear,
    /// The parcel goes to this firm.
    Set(String),
}

impl OwnerChange {
    /// Whether the owner stays as it is.
    pub fn keeps(&self) -> bool {
        *self == Self::Keep
    }

    /// The owner after the change, when it changes (`Some(None)`: no owner).
    pub fn new_owner(&self) -> Option<Option<&str>> {
        match self {
            Self::Keep => None,
            Self::Clear => Some(None),
            Self::Set(o) => Some(Some(o)),
        }
    }
}

impl Serialize for OwnerChange {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.new_owner().flatten().serialize(s)
    }
}

impl<'de> Deserialize<'de> for OwnerChange {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Option::<String>::deserialize(d)?.map_or(Self::Clear, Self::Set))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parcel_change_serialises_a_cleared_owner_as_null_and_leaves_out_what_stays() {
        let change = ParcelChange {
            code: "ETDZ-S-000123".into(),
            role: ParcelRole::Subject,
            status: Some(ParcelStatus::Reserved),
            owner: OwnerChange::Clear,
            land_use: None,
        };
        let json = serde_json::to_string(&change).unwrap();
        assert_eq!(
            json,
            r#"{"code":"ETDZ-S-000123","role":"subject","status":"reserved","owner":null}"#
        );
        assert_eq!(serde_json::from_str::<ParcelChange>(&json).unwrap(), change);

        let kept: ParcelChange =
            serde_json::from_str(r#"{"code":"ETDZ-N-000001","role":"target"}"#).unwrap();
        assert_eq!(
            (kept.status, kept.owner, kept.land_use),
            (None, OwnerChange::Keep, None)
        );
    }

    #[test]
    fn parcel_facts_read_a_status_code_and_refuse_an_unknown_one() {
        let json = r#"{"code":"P1","zone":"south","status":"zombie","owner":null,
            "owner_grade":"D","land_use":"M1","open_case":null}"#;
        let facts: ParcelFacts = serde_json::from_str(json).unwrap();
        assert_eq!(
            (facts.status, facts.owner_grade),
            (ParcelStatus::Zombie, Some('D'))
        );
        let err = serde_json::from_str::<ParcelFacts>(&json.replace("zombie", "closed"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown parcel status \"closed\""), "{err}");
    }

    #[test]
    fn acquisition_methods_have_their_codes_and_labels() {
        let pairs: Vec<_> = Acquisition::ALL
            .iter()
            .map(|a| (a.code(), a.label_zh()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("recovery", "收回"),
                ("purchase", "收购"),
                ("expropriation", "征收")
            ]
        );
        assert_eq!(
            "征收".parse::<Acquisition>(),
            Ok(Acquisition::Expropriation)
        );
    }

    #[test]
    fn a_forbidden_transition_carries_the_allowed_next_stages() {
        let err =
            super::super::check_transition(CaseKind::Reserve, Stage::Approved, Stage::Completed)
                .unwrap_err();
        assert_eq!(
            err.allowed_next(),
            Some(&[Stage::Vacating, Stage::Cancelled][..])
        );
        assert_eq!(RuleError::Invalid("x".into()).allowed_next(), None);
    }
}
