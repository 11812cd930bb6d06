//! Small parcels and cases for the tests of this module.

use super::{Acquisition, CaseKind, NewCase, ParcelFacts, ParcelRole};
use crate::domain::ParcelStatus;

/// A parcel with a code, zone, status and owner; ungraded, M1, in no open case.
pub fn parcel(code: &str, zone: &str, status: ParcelStatus, owner: Option<&str>) -> ParcelFacts {
    ParcelFacts {
        code: code.to_owned(),
        zone: Some(zone.to_owned()),
        status,
        owner: owner.map(str::to_owned),
        owner_grade: None,
        land_use: Some("M1".to_owned()),
        open_case: None,
    }
}

/// A zombie firm's parcel in the south.
pub fn zombie_land() -> ParcelFacts {
    parcel(
        "ETDZ-S-000123",
        "south",
        ParcelStatus::Zombie,
        Some("长春某铸造厂"),
    )
}

/// An active parcel in the south held by a firm that wants to move north.
pub fn firm_in_south() -> ParcelFacts {
    parcel(
        "ETDZ-S-000200",
        "south",
        ParcelStatus::Active,
        Some("富奥石川岛"),
    )
}

/// A free idle parcel in the northern zone.
pub fn free_north() -> ParcelFacts {
    parcel("ETDZ-N-000045", "north", ParcelStatus::Idle, None)
}

/// A reserved parcel in the south with no owner.
pub fn reserved_land() -> ParcelFacts {
    parcel("ETDZ-S-000300", "south", ParcelStatus::Reserved, None)
}

/// A parcel in active use by an above-scale firm.
pub fn active_firm() -> ParcelFacts {
    parcel(
        "ETDZ-S-000400",
        "south",
        ParcelStatus::Active,
        Some("丰田发动机"),
    )
}

/// A case of a kind with its parcels and nothing else filled in.
pub fn case(kind: CaseKind, parcels: Vec<(ParcelRole, ParcelFacts)>) -> NewCase {
    NewCase {
        kind,
        parcels,
        enterprise: None,
        planned_use: None,
        planned_output_wan: None,
        acquisition: None,
    }
}

/// A valid reserve case of a zombie firm's land, by recovery.
pub fn valid_reserve() -> NewCase {
    NewCase {
        acquisition: Some(Acquisition::Recovery),
        ..case(
            CaseKind::Reserve,
            vec![(ParcelRole::Subject, zombie_land())],
        )
    }
}

/// A valid relocation from the south to a free parcel in the north.
pub fn valid_relocation() -> NewCase {
    NewCase {
        enterprise: Some("富奥石川岛".to_owned()),
        ..case(
            CaseKind::Relocation,
            vec![
                (ParcelRole::Source, firm_in_south()),
                (ParcelRole::Target, free_north()),
            ],
        )
    }
}

/// A valid redevelopment of reserved land for business offices (B29).
pub fn valid_redevelopment() -> NewCase {
    NewCase {
        planned_use: Some("B29".to_owned()),
        ..case(
            CaseKind::Redevelopment,
            vec![(ParcelRole::Subject, reserved_land())],
        )
    }
}

/// A valid expansion in place with 80,000 万元 of planned new output.
pub fn valid_expansion() -> NewCase {
    NewCase {
        enterprise: Some("丰田发动机".to_owned()),
        planned_output_wan: Some(80_000.0),
        ..case(
            CaseKind::Expansion,
            vec![(ParcelRole::Subject, active_firm())],
        )
    }
}
