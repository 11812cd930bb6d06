use super::*;
use crate::domain::reallocation::test_support::*;
use crate::domain::reallocation::Acquisition;

/// The message of a case the rules refuse, checked to name the parcel.
fn refused(case: &NewCase, parcel: &str) -> String {
    let err = validate_new(case).expect_err("the case should be refused");
    let msg = err.to_string();
    assert!(msg.contains(parcel), "{msg:?} should name {parcel}");
    msg
}

fn set<F: FnOnce(&mut ParcelFacts)>(case: &mut NewCase, index: usize, change: F) {
    change(&mut case.parcels[index].1);
}

#[test]
fn a_valid_case_of_each_kind_passes() {
    for case in [
        valid_reserve(),
        valid_relocation(),
        valid_redevelopment(),
        valid_expansion(),
    ] {
        assert_eq!(validate_new(&case), Ok(()), "{:?}", case.kind);
    }
}

#[test]
fn a_case_without_parcels_is_refused() {
    let err = validate_new(&case(CaseKind::Expansion, vec![])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "an expansion case needs at least one parcel; none was given"
    );
}

#[test]
fn a_parcel_listed_twice_is_refused() {
    let mut case = valid_reserve();
    case.parcels.push(case.parcels[0].clone());
    let msg = refused(&case, "ETDZ-S-000123");
    assert_eq!(
        msg,
        "parcel ETDZ-S-000123 is listed twice; list each parcel of a case once"
    );
}

#[test]
fn a_relocation_whose_target_is_its_source_is_refused() {
    let mut case = valid_relocation();
    case.parcels[1].1 = firm_in_south();
    let msg = refused(&case, "ETDZ-S-000200");
    assert_eq!(
        msg,
        "parcel ETDZ-S-000200 is listed both as source and as target; a parcel plays one part in a case"
    );
}

#[test]
fn a_parcel_in_another_open_case_is_refused_naming_that_case() {
    for mut case in [
        valid_reserve(),
        valid_relocation(),
        valid_redevelopment(),
        valid_expansion(),
    ] {
        let last = case.parcels.len() - 1;
        set(&mut case, last, |p| p.open_case = Some(17));
        let code = case.parcels[last].1.code.clone();
        let err = validate_new(&case).unwrap_err();
        assert_eq!(
            err,
            RuleError::ParcelInOpenCase {
                parcel: code.clone(),
                case: 17
            }
        );
        assert_eq!(
            err.to_string(),
            format!("parcel {code} is already in open case 17; close or cancel that case first")
        );
    }
}

#[test]
fn a_reserve_takes_subject_parcels_only() {
    let mut case = valid_reserve();
    case.parcels[0].0 = ParcelRole::Target;
    let msg = refused(&case, "ETDZ-S-000123");
    assert_eq!(
        msg,
        "parcel ETDZ-S-000123 is given as target; a reserve case lists its parcels as subject (source and target are for relocations)"
    );
}

#[test]
fn a_reserve_takes_zombie_or_idle_land_or_land_of_a_d_grade_firm() {
    let mut idle = valid_reserve();
    set(&mut idle, 0, |p| p.status = ParcelStatus::Idle);
    assert_eq!(validate_new(&idle), Ok(()));

    let mut d_grade = valid_reserve();
    set(&mut d_grade, 0, |p| {
        p.status = ParcelStatus::Active;
        p.owner_grade = Some('D');
    });
    assert_eq!(validate_new(&d_grade), Ok(()));

    let mut c_grade = d_grade.clone();
    set(&mut c_grade, 0, |p| p.owner_grade = Some('C'));
    assert_eq!(
        refused(&c_grade, "ETDZ-S-000123"),
        "parcel ETDZ-S-000123 is active and its firm is graded C; only zombie or idle land, or land of a D-grade firm, can be taken into reserve"
    );

    let mut ungraded = d_grade;
    set(&mut ungraded, 0, |p| p.owner_grade = None);
    let msg = refused(&ungraded, "ETDZ-S-000123");
    assert!(msg.contains("is active and its firm is ungraded"), "{msg}");
}

#[test]
fn land_already_reserved_supplied_or_redeveloped_cannot_be_reserved_again() {
    for status in [
        ParcelStatus::Reserved,
        ParcelStatus::Supplied,
        ParcelStatus::Redeveloped,
    ] {
        let mut case = valid_reserve();
        set(&mut case, 0, |p| {
            p.status = status;
            p.owner_grade = Some('D');
        });
        assert_eq!(
            refused(&case, "ETDZ-S-000123"),
            format!("parcel ETDZ-S-000123 is already {status}; land already reserved, supplied or redeveloped cannot be taken into reserve again")
        );
    }
}

#[test]
fn a_reserve_needs_an_acquisition_method() {
    let mut case = valid_reserve();
    case.acquisition = None;
    assert_eq!(
        refused(&case, "ETDZ-S-000123"),
        "the reserve case of parcel ETDZ-S-000123 needs an acquisition method: recovery (收回), purchase (收购) or expropriation (征收)"
    );
    for &method in Acquisition::ALL {
        case.acquisition = Some(method);
        assert_eq!(validate_new(&case), Ok(()));
    }
}

#[test]
fn a_relocation_names_exactly_one_source_and_one_target() {
    let mut no_target = valid_relocation();
    no_target.parcels.pop();
    no_target.parcels.push((
        ParcelRole::Source,
        parcel(
            "ETDZ-S-000201",
            "south",
            ParcelStatus::Active,
            Some("富奥石川岛"),
        ),
    ));
    assert_eq!(
        refused(&no_target, "ETDZ-S-000201"),
        "a relocation names exactly one source parcel (the firm's, in the southern built-up area) and one target parcel (in the northern zone); got 2 sources (ETDZ-S-000200, ETDZ-S-000201) and no target"
    );

    let mut with_subject = valid_relocation();
    with_subject.parcels[0].0 = ParcelRole::Subject;
    let msg = refused(&with_subject, "ETDZ-S-000200");
    assert!(
        msg.starts_with("parcel ETDZ-S-000200 is given as subject; a relocation names"),
        "{msg}"
    );
}

#[test]
fn a_relocation_source_lies_in_the_south() {
    let mut case = valid_relocation();
    set(&mut case, 0, |p| p.zone = Some("north".into()));
    assert_eq!(
        refused(&case, "ETDZ-S-000200"),
        "relocation source ETDZ-S-000200 lies in zone north; a relocation moves a firm out of the southern built-up area (zone south)"
    );
    set(&mut case, 0, |p| p.zone = None);
    let msg = refused(&case, "ETDZ-S-000200");
    assert!(msg.contains("ETDZ-S-000200 has no zone;"), "{msg}");
}

#[test]
fn a_relocation_source_has_an_owner_who_is_the_enterprise() {
    let mut no_owner = valid_relocation();
    set(&mut no_owner, 0, |p| p.owner = Some("  ".into()));
    assert_eq!(
        refused(&no_owner, "ETDZ-S-000200"),
        "relocation source ETDZ-S-000200 has no owner; the source is the parcel of the firm that moves"
    );

    let mut other_firm = valid_relocation();
    other_firm.enterprise = Some("大陆汽车电子".into());
    assert_eq!(
        refused(&other_firm, "ETDZ-S-000200"),
        "enterprise 大陆汽车电子 does not hold relocation source ETDZ-S-000200, which is held by 富奥石川岛; name that firm or leave the enterprise out"
    );

    let mut unnamed = valid_relocation();
    unnamed.enterprise = None;
    assert_eq!(validate_new(&unnamed), Ok(()));
}

#[test]
fn a_relocation_target_lies_in_the_northern_zone_or_the_bonded_zone() {
    let mut bonded = valid_relocation();
    set(&mut bonded, 1, |p| p.zone = Some("Bonded".into()));
    assert_eq!(validate_new(&bonded), Ok(()));

    let mut south = valid_relocation();
    set(&mut south, 1, |p| p.zone = Some("south".into()));
    assert_eq!(
        refused(&south, "ETDZ-N-000045"),
        "relocation target ETDZ-N-000045 lies in zone south; the target must lie in the northern zone (north, or the Xinglong bonded zone: bonded)"
    );
}

#[test]
fn a_relocation_target_is_free_land() {
    let mut held = valid_relocation();
    set(&mut held, 1, |p| p.owner = Some("吉林某物流".into()));
    assert_eq!(
        refused(&held, "ETDZ-N-000045"),
        "relocation target ETDZ-N-000045 is held by 吉林某物流; the target must be free land with no owner"
    );

    let mut active = valid_relocation();
    set(&mut active, 1, |p| p.status = ParcelStatus::Active);
    assert_eq!(
        refused(&active, "ETDZ-N-000045"),
        "relocation target ETDZ-N-000045 is active; the target must be free land that is idle, reserved or vacated"
    );

    for status in [
        ParcelStatus::Idle,
        ParcelStatus::Reserved,
        ParcelStatus::Vacated,
    ] {
        let mut free = valid_relocation();
        set(&mut free, 1, |p| p.status = status);
        assert_eq!(validate_new(&free), Ok(()), "{status}");
    }
}

#[test]
fn redevelopment_supplies_reserved_or_vacated_land_only() {
    let mut vacated = valid_redevelopment();
    set(&mut vacated, 0, |p| p.status = ParcelStatus::Vacated);
    assert_eq!(validate_new(&vacated), Ok(()));

    let mut zombie = valid_redevelopment();
    zombie.parcels.push((ParcelRole::Subject, zombie_land()));
    assert_eq!(
        refused(&zombie, "ETDZ-S-000123"),
        "parcel ETDZ-S-000123 is zombie; redevelopment supplies land that is reserved or vacated, so take it into reserve first"
    );

    let mut as_source = valid_redevelopment();
    as_source.parcels[0].0 = ParcelRole::Source;
    let msg = refused(&as_source, "ETDZ-S-000300");
    assert!(
        msg.contains("a redevelopment case lists its parcels as subject"),
        "{msg}"
    );
}

#[test]
fn redevelopment_needs_a_planned_use() {
    let mut case = valid_redevelopment();
    case.planned_use = None;
    let msg = refused(&case, "ETDZ-S-000300");
    assert!(msg.starts_with("the redevelopment case of parcel ETDZ-S-000300 needs a planned use; redevelopment supplies land for"), "{msg}");
}

#[test]
fn redevelopment_for_industry_is_refused_naming_the_service_classes() {
    let mut case = valid_redevelopment();
    case.planned_use = Some("M1".into());
    let msg = refused(&case, "ETDZ-S-000300");
    assert!(msg.starts_with("planned use M1 (一类工业用地) of parcel ETDZ-S-000300 is not a service use; redevelopment supplies land for headquarters, commercial complexes and incubators, classes B1, B11"), "{msg}");
    for class in ["B2", "B29", "0505", "(incubators and offices are B29)"] {
        assert!(msg.contains(class), "{msg} should name {class}");
    }
    assert!(!msg.contains("A35"), "{msg}");
}

#[test]
fn redevelopment_with_an_unknown_code_is_refused_with_the_nearest_codes() {
    let mut case = valid_redevelopment();
    case.planned_use = Some("B7".into());
    let msg = refused(&case, "ETDZ-S-000300");
    assert!(msg.starts_with("land-use code \"B7\" is neither"), "{msg}");
    assert!(
        msg.ends_with("(planned use of parcel ETDZ-S-000300)"),
        "{msg}"
    );
}

#[test]
fn redevelopment_accepts_every_service_class() {
    for code in ["B1", "b14", "B2", "B21", "B29", "0501", "0505"] {
        let mut case = valid_redevelopment();
        case.planned_use = Some(code.into());
        assert_eq!(validate_new(&case), Ok(()), "{code}");
    }
    for code in ["A35", "R2", "B3", "0601"] {
        let mut case = valid_redevelopment();
        case.planned_use = Some(code.into());
        refused(&case, "ETDZ-S-000300");
    }
}

#[test]
fn an_expansion_names_exactly_one_parcel_with_an_owner() {
    let mut two = valid_expansion();
    two.parcels.push((ParcelRole::Subject, firm_in_south()));
    assert_eq!(
        refused(&two, "ETDZ-S-000200"),
        "an expansion case names exactly one parcel, the firm's own; got 2 (ETDZ-S-000400, ETDZ-S-000200)"
    );

    let mut no_owner = valid_expansion();
    set(&mut no_owner, 0, |p| p.owner = None);
    assert_eq!(
        refused(&no_owner, "ETDZ-S-000400"),
        "parcel ETDZ-S-000400 has no owner; expansion in place is for a firm on its own land"
    );

    let mut other_firm = valid_expansion();
    other_firm.enterprise = Some("大陆汽车电子".into());
    assert_eq!(
        refused(&other_firm, "ETDZ-S-000400"),
        "enterprise 大陆汽车电子 does not hold parcel ETDZ-S-000400, which is held by 丰田发动机; name that firm or leave the enterprise out"
    );
}

#[test]
fn an_expansion_is_of_a_parcel_in_active_use() {
    for status in [
        ParcelStatus::Expanding,
        ParcelStatus::Idle,
        ParcelStatus::Zombie,
    ] {
        let mut case = valid_expansion();
        set(&mut case, 0, |p| p.status = status);
        assert_eq!(
            refused(&case, "ETDZ-S-000400"),
            format!("parcel ETDZ-S-000400 is {status}; only a parcel in active use can expand in place (an expanding parcel is already in an expansion case)")
        );
    }
}

#[test]
fn an_expansion_needs_a_planned_new_output_above_zero() {
    let mut missing = valid_expansion();
    missing.planned_output_wan = None;
    assert_eq!(
        refused(&missing, "ETDZ-S-000400"),
        "the expansion case of parcel ETDZ-S-000400 needs the planned new output value in 万元"
    );
    for wan in [0.0, -5.0, f64::NAN] {
        let mut case = valid_expansion();
        case.planned_output_wan = Some(wan);
        let msg = refused(&case, "ETDZ-S-000400");
        assert!(msg.contains("must be more than 0 万元; got"), "{msg}");
    }
}
