//! How a case's parcels follow it from stage to stage (the table in the module doc).

use super::case::non_blank;
use super::{CaseKind, OwnerChange, ParcelChange, ParcelFacts, ParcelRole, Stage};
use crate::domain::{landuse, ParcelStatus};

/// What happens to the owner of the parcels a stage touches.
#[derive(Clone, Copy)]
enum OwnerEffect {
    Keep,
    Clear,
    /// The moving firm takes the parcel.
    Firm,
}

/// The change a stage makes to the parcels of one role.
#[derive(Clone, Copy)]
struct StageEffect {
    role: ParcelRole,
    status: ParcelStatus,
    owner: OwnerEffect,
    /// Whether the land use becomes the planned use.
    planned_use: bool,
}

/// The forward effect of entering `to`; `None` where parcels do not change.
fn stage_effect(kind: CaseKind, to: Stage) -> Option<StageEffect> {
    use CaseKind::{Expansion, Redevelopment, Relocation, Reserve};
    use ParcelRole::{Source, Subject, Target};
    let set = |role, status| StageEffect {
        role,
        status,
        owner: OwnerEffect::Keep,
        planned_use: false,
    };
    let effect = match (kind, to) {
        (Reserve, Stage::Vacating) => set(Subject, ParcelStatus::Relocating),
        (Reserve, Stage::InReserve) => StageEffect {
            owner: OwnerEffect::Clear,
            ..set(Subject, ParcelStatus::Reserved)
        },
        (Relocation, Stage::Vacating) => set(Source, ParcelStatus::Relocating),
        (Relocation, Stage::InReserve) => StageEffect {
            owner: OwnerEffect::Clear,
            ..set(Source, ParcelStatus::Reserved)
        },
        (Relocation, Stage::Supplied) => StageEffect {
            owner: OwnerEffect::Firm,
            ..set(Target, ParcelStatus::Supplied)
        },
        (Relocation, Stage::Completed) => set(Target, ParcelStatus::Active),
        (Redevelopment, Stage::Supplied) => StageEffect {
            planned_use: true,
            ..set(Subject, ParcelStatus::Supplied)
        },
        (Redevelopment, Stage::Completed) => set(Subject, ParcelStatus::Redeveloped),
        (Expansion, Stage::Started) => set(Subject, ParcelStatus::Expanding),
        (Expansion, Stage::Completed) => set(Subject, ParcelStatus::Active),
        _ => return None,
    };
    Some(effect)
}

/// The parcel changes when a case of `kind` enters `to`, to be written with the
/// transition's event.
///
/// `parcels` are the case's parcels as they are now; `original` holds each parcel's code,
/// status and owner when the case was created. A change lists only fields that differ
/// from now, and parcels with nothing to change are left out. Call
/// [`check_transition`](super::check_transition) first: this function does not check
/// that the move is allowed.
///
/// ```
/// use landreuse::domain::reallocation::{effects, CaseKind, OwnerChange, ParcelFacts, ParcelRole, Stage};
/// use landreuse::domain::ParcelStatus;
///
/// let zombie = ParcelFacts {
///     code: "ETDZ-S-000123".into(),
///     zone: Some("south".into()),
///     status: ParcelStatus::Relocating,
///     owner: Some("长春某铸造厂".into()),
///     owner_grade: Some('D'),
///     land_use: Some("M2".into()),
///     open_case: Some(17),
/// };
/// let changes = effects(
///     CaseKind::Reserve, Stage::InReserve, &[(ParcelRole::Subject, zombie)], None, None, &[],
/// );
/// assert_eq!(changes[0].status, Some(ParcelStatus::Reserved));
/// assert_eq!(changes[0].owner, OwnerChange::Clear); // the land is taken back
/// ```
pub fn effects(
    kind: CaseKind,
    to: Stage,
    parcels: &[(ParcelRole, ParcelFacts)],
    enterprise: Option<&str>,
    planned_use: Option<&str>,
    original: &[(String, ParcelStatus, Option<String>)],
) -> Vec<ParcelChange> {
    if matches!(to, Stage::Rejected | Stage::Cancelled) {
        return restore(parcels, original);
    }
    let Some(effect) = stage_effect(kind, to) else {
        return Vec::new();
    };
    let owner = match effect.owner {
        OwnerEffect::Keep => OwnerChange::Keep,
        OwnerEffect::Clear => OwnerChange::Clear,
        OwnerEffect::Firm => {
            moving_firm(parcels, enterprise, original).map_or(OwnerChange::Keep, OwnerChange::Set)
        }
    };
    let land_use = planned_use
        .filter(|_| effect.planned_use)
        .and_then(|code| non_blank(Some(code)))
        .map(|code| landuse::canonical(code).unwrap_or(code).to_owned());
    parcels
        .iter()
        .filter(|(role, _)| *role == effect.role)
        .filter_map(|(role, parcel)| {
            change(
                parcel,
                *role,
                Some(effect.status),
                owner.clone(),
                land_use.clone(),
            )
        })
        .collect()
}

/// The firm a relocation supplies its target to: the case's enterprise, else the owner of
/// the source when the case was created (it has been cleared by then), else its owner now.
fn moving_firm(
    parcels: &[(ParcelRole, ParcelFacts)],
    enterprise: Option<&str>,
    original: &[(String, ParcelStatus, Option<String>)],
) -> Option<String> {
    if let Some(firm) = non_blank(enterprise) {
        return Some(firm.to_owned());
    }
    let (_, source) = parcels
        .iter()
        .find(|(role, _)| *role == ParcelRole::Source)?;
    original
        .iter()
        .find(|(code, _, _)| *code == source.code)
        .and_then(|(_, _, owner)| non_blank(owner.as_deref()))
        .or_else(|| source.owner_name())
        .map(str::to_owned)
}

/// Every parcel back to its status and owner at case creation.
fn restore(
    parcels: &[(ParcelRole, ParcelFacts)],
    original: &[(String, ParcelStatus, Option<String>)],
) -> Vec<ParcelChange> {
    parcels
        .iter()
        .filter_map(|(role, parcel)| {
            let (_, status, owner) = original.iter().find(|(code, _, _)| *code == parcel.code)?;
            let owner = owner.clone().map_or(OwnerChange::Clear, OwnerChange::Set);
            change(parcel, *role, Some(*status), owner, None)
        })
        .collect()
}

/// The change that brings `parcel` to the given values, keeping only what differs;
/// `None` when nothing does.
fn change(
    parcel: &ParcelFacts,
    role: ParcelRole,
    status: Option<ParcelStatus>,
    owner: OwnerChange,
    land_use: Option<String>,
) -> Option<ParcelChange> {
    let owner = match owner.new_owner() {
        Some(new) if new == parcel.owner.as_deref() => OwnerChange::Keep,
        _ => owner,
    };
    let change = ParcelChange {
        code: parcel.code.clone(),
        role,
        status: status.filter(|s| *s != parcel.status),
        owner,
        land_use: land_use.filter(|u| Some(u) != parcel.land_use.as_ref()),
    };
    let changes_something =
        change.status.is_some() || !change.owner.keeps() || change.land_use.is_some();
    changes_something.then_some(change)
}

#[cfg(test)]
mod tests;
