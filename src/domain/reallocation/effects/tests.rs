use super::*;
use crate::domain::reallocation::test_support::*;
use crate::domain::reallocation::{allowed_next, NewCase};

type Original = Vec<(String, ParcelStatus, Option<String>)>;

/// The parcels' status and owner when the case was created.
fn original_of(case: &NewCase) -> Original {
    case.parcels
        .iter()
        .map(|(_, p)| (p.code.clone(), p.status, p.owner.clone()))
        .collect()
}

/// The case's parcels after the changes are written, as the store would.
fn apply(parcels: &mut [(ParcelRole, ParcelFacts)], changes: &[ParcelChange]) {
    for change in changes {
        let (_, parcel) = parcels
            .iter_mut()
            .find(|(_, p)| p.code == change.code)
            .expect("a change names a parcel of the case");
        if let Some(status) = change.status {
            parcel.status = status;
        }
        if let Some(owner) = change.owner.new_owner() {
            parcel.owner = owner.map(str::to_owned);
        }
        if let Some(land_use) = &change.land_use {
            parcel.land_use = Some(land_use.clone());
        }
    }
}

/// Moves a new case through `path` (checking each move), returning the changes of each
/// step and the parcels at the end.
fn walk(
    case: &NewCase,
    path: &[Stage],
) -> (Vec<Vec<ParcelChange>>, Vec<(ParcelRole, ParcelFacts)>) {
    let original = original_of(case);
    let mut parcels = case.parcels.clone();
    let mut from = crate::domain::reallocation::first_stage(case.kind);
    let mut steps = Vec::new();
    for &to in path {
        assert!(allowed_next(case.kind, from).contains(&to), "{from}→{to}");
        let changes = effects(
            case.kind,
            to,
            &parcels,
            case.enterprise.as_deref(),
            case.planned_use.as_deref(),
            &original,
        );
        apply(&mut parcels, &changes);
        steps.push(changes);
        from = to;
    }
    (steps, parcels)
}

fn status_change(code: &str, role: ParcelRole, status: ParcelStatus) -> ParcelChange {
    ParcelChange {
        code: code.to_owned(),
        role,
        status: Some(status),
        owner: OwnerChange::Keep,
        land_use: None,
    }
}

#[test]
fn a_reserve_vacates_then_takes_the_land_back_into_reserve() {
    use Stage::{Approved, Completed, InReserve, Vacating};
    let (steps, parcels) = walk(
        &valid_reserve(),
        &[Approved, Vacating, InReserve, Completed],
    );
    let code = "ETDZ-S-000123";
    assert_eq!(steps[0], []);
    assert_eq!(
        steps[1],
        [status_change(
            code,
            ParcelRole::Subject,
            ParcelStatus::Relocating
        )]
    );
    assert_eq!(
        steps[2],
        [ParcelChange {
            owner: OwnerChange::Clear,
            ..status_change(code, ParcelRole::Subject, ParcelStatus::Reserved)
        }]
    );
    assert_eq!(steps[3], [], "completed leaves the land reserved");
    assert_eq!(
        (parcels[0].1.status, &parcels[0].1.owner),
        (ParcelStatus::Reserved, &None)
    );
}

#[test]
fn a_relocation_reserves_the_southern_parcel_and_hands_the_northern_one_to_the_firm() {
    use Stage::{Approved, Completed, InReserve, Supplied, Vacating};
    let case = valid_relocation();
    let (steps, parcels) = walk(&case, &[Approved, Vacating, InReserve, Supplied, Completed]);
    let (south, north) = ("ETDZ-S-000200", "ETDZ-N-000045");
    assert_eq!(steps[0], []);
    assert_eq!(
        steps[1],
        [status_change(
            south,
            ParcelRole::Source,
            ParcelStatus::Relocating
        )]
    );
    assert_eq!(
        steps[2],
        [ParcelChange {
            owner: OwnerChange::Clear,
            ..status_change(south, ParcelRole::Source, ParcelStatus::Reserved)
        }]
    );
    assert_eq!(
        steps[3],
        [ParcelChange {
            owner: OwnerChange::Set("富奥石川岛".into()),
            ..status_change(north, ParcelRole::Target, ParcelStatus::Supplied)
        }]
    );
    assert_eq!(
        steps[4],
        [status_change(
            north,
            ParcelRole::Target,
            ParcelStatus::Active
        )]
    );
    assert_eq!(
        (parcels[0].1.status, parcels[0].1.owner.as_deref()),
        (ParcelStatus::Reserved, None)
    );
    assert_eq!(
        (parcels[1].1.status, parcels[1].1.owner.as_deref()),
        (ParcelStatus::Active, Some("富奥石川岛"))
    );
}

#[test]
fn a_relocation_without_an_enterprise_supplies_the_target_to_the_sources_original_owner() {
    use Stage::{Approved, InReserve, Supplied, Vacating};
    let mut case = valid_relocation();
    case.enterprise = None;
    let (steps, _) = walk(&case, &[Approved, Vacating, InReserve, Supplied]);
    assert_eq!(steps[3][0].owner, OwnerChange::Set("富奥石川岛".into()));
}

#[test]
fn a_redevelopment_supplies_the_land_for_its_planned_use_then_is_redeveloped() {
    use Stage::{Approved, Completed, Supplied};
    let mut case = valid_redevelopment();
    case.planned_use = Some("b29".into());
    let (steps, parcels) = walk(&case, &[Approved, Supplied, Completed]);
    let code = "ETDZ-S-000300";
    assert_eq!(steps[0], []);
    assert_eq!(
        steps[1],
        [ParcelChange {
            land_use: Some("B29".into()),
            ..status_change(code, ParcelRole::Subject, ParcelStatus::Supplied)
        }]
    );
    assert_eq!(
        steps[2],
        [status_change(
            code,
            ParcelRole::Subject,
            ParcelStatus::Redeveloped
        )]
    );
    assert_eq!(parcels[0].1.land_use.as_deref(), Some("B29"));
}

#[test]
fn every_subject_of_a_redevelopment_follows_the_case() {
    let mut case = valid_redevelopment();
    case.parcels.push((
        ParcelRole::Subject,
        parcel("ETDZ-S-000301", "south", ParcelStatus::Vacated, None),
    ));
    let (steps, _) = walk(&case, &[Stage::Approved, Stage::Supplied]);
    let codes: Vec<_> = steps[1]
        .iter()
        .map(|c| (c.code.as_str(), c.status))
        .collect();
    assert_eq!(
        codes,
        [
            ("ETDZ-S-000300", Some(ParcelStatus::Supplied)),
            ("ETDZ-S-000301", Some(ParcelStatus::Supplied))
        ]
    );
}

#[test]
fn an_expansion_marks_the_parcel_expanding_then_active_again() {
    let (steps, parcels) = walk(&valid_expansion(), &[Stage::Started, Stage::Completed]);
    let code = "ETDZ-S-000400";
    assert_eq!(
        steps[0],
        [status_change(
            code,
            ParcelRole::Subject,
            ParcelStatus::Expanding
        )]
    );
    assert_eq!(
        steps[1],
        [status_change(
            code,
            ParcelRole::Subject,
            ParcelStatus::Active
        )]
    );
    assert_eq!(parcels[0].1.owner.as_deref(), Some("丰田发动机"));
}

#[test]
fn a_cancelled_reserve_gives_the_land_back_its_status_and_owner() {
    let case = valid_reserve();
    let (steps, parcels) = walk(&case, &[Stage::Approved, Stage::Vacating, Stage::Cancelled]);
    assert_eq!(
        steps[2],
        [status_change(
            "ETDZ-S-000123",
            ParcelRole::Subject,
            ParcelStatus::Zombie
        )]
    );
    assert_eq!(parcels, case.parcels);
}

#[test]
fn a_cancelled_relocation_restores_both_parcels_and_the_cleared_owner() {
    let case = valid_relocation();
    let original = original_of(&case);
    // The parcels as they would be had the source been taken in and the target supplied.
    let mut parcels = case.parcels.clone();
    parcels[0].1.status = ParcelStatus::Reserved;
    parcels[0].1.owner = None;
    parcels[1].1.status = ParcelStatus::Supplied;
    parcels[1].1.owner = Some("富奥石川岛".into());
    let changes = effects(
        CaseKind::Relocation,
        Stage::Cancelled,
        &parcels,
        None,
        None,
        &original,
    );
    assert_eq!(
        changes,
        [
            ParcelChange {
                owner: OwnerChange::Set("富奥石川岛".into()),
                ..status_change("ETDZ-S-000200", ParcelRole::Source, ParcelStatus::Active)
            },
            ParcelChange {
                owner: OwnerChange::Clear,
                ..status_change("ETDZ-N-000045", ParcelRole::Target, ParcelStatus::Idle)
            },
        ]
    );
    apply(&mut parcels, &changes);
    assert_eq!(parcels, case.parcels);
}

#[test]
fn a_cancelled_expansion_returns_the_parcel_to_active_use() {
    let (steps, _) = walk(&valid_expansion(), &[Stage::Started, Stage::Cancelled]);
    assert_eq!(
        steps[1],
        [status_change(
            "ETDZ-S-000400",
            ParcelRole::Subject,
            ParcelStatus::Active
        )]
    );
}

#[test]
fn a_rejected_or_early_cancelled_case_changes_nothing_it_did_not_change() {
    for case in [valid_reserve(), valid_relocation(), valid_redevelopment()] {
        for end in [Stage::Rejected, Stage::Cancelled] {
            let (steps, parcels) = walk(&case, &[end]);
            assert_eq!(steps[0], [], "{:?} {end}", case.kind);
            assert_eq!(parcels, case.parcels);
        }
    }
}

#[test]
fn proposal_approval_and_intention_change_no_parcel() {
    for case in [
        valid_reserve(),
        valid_relocation(),
        valid_redevelopment(),
        valid_expansion(),
    ] {
        for stage in [Stage::Proposed, Stage::Approved, Stage::Intention] {
            let changes = effects(
                case.kind,
                stage,
                &case.parcels,
                None,
                Some("B29"),
                &original_of(&case),
            );
            assert_eq!(changes, [], "{:?} {stage}", case.kind);
        }
    }
}

#[test]
fn a_change_leaves_out_what_is_already_so() {
    // A reserve of idle land with no owner: taking it in only changes the status.
    let mut case = valid_reserve();
    case.parcels[0].1.owner = None;
    let changes = effects(
        CaseKind::Reserve,
        Stage::InReserve,
        &case.parcels,
        None,
        None,
        &[],
    );
    assert_eq!(
        changes,
        [status_change(
            "ETDZ-S-000123",
            ParcelRole::Subject,
            ParcelStatus::Reserved
        )]
    );
}
