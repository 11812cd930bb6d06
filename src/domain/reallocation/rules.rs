//! The rules a new case must keep, per kind.

use super::case::non_blank;
use super::{or_list, CaseKind, NewCase, ParcelFacts, ParcelRole, RuleError};
use crate::domain::{landuse, ParcelStatus};

/// Checks a new case against the rules of its kind, returning the first rule it breaks.
///
/// 1. It lists at least one parcel, none twice, and none held by another open case.
/// 2. **reserve**: subject parcels only, each zombie or idle land or held by a D-grade
///    firm and not already reserved, supplied or redeveloped; an acquisition method.
/// 3. **relocation**: one source in the southern built-up area with an owner (the
///    enterprise, when given); one target in the northern zone (`north` or `bonded`) that
///    is free: no owner, and idle, reserved or vacated.
/// 4. **redevelopment**: subject parcels only, each reserved or vacated; a planned use
///    that is a service use (B1/B2 and their small classes, or GB/T 21010 0501–0505).
/// 5. **expansion**: one subject parcel in active use with an owner (the enterprise, when
///    given); a planned new output value above 0 万元.
pub fn validate_new(case: &NewCase) -> Result<(), RuleError> {
    check_parcel_list(case)?;
    match case.kind {
        CaseKind::Reserve => check_reserve(case),
        CaseKind::Relocation => check_relocation(case),
        CaseKind::Redevelopment => check_redevelopment(case),
        CaseKind::Expansion => check_expansion(case),
    }
}

fn invalid(message: String) -> RuleError {
    RuleError::Invalid(message)
}

/// The parcel codes of a case, for messages: "ETDZ-S-000001, ETDZ-S-000002".
fn codes(parcels: &[&ParcelFacts]) -> String {
    let codes: Vec<&str> = parcels.iter().map(|p| p.code.as_str()).collect();
    codes.join(", ")
}

fn with_role(case: &NewCase, role: ParcelRole) -> Vec<&ParcelFacts> {
    case.parcels
        .iter()
        .filter(|(r, _)| *r == role)
        .map(|(_, p)| p)
        .collect()
}

fn check_parcel_list(case: &NewCase) -> Result<(), RuleError> {
    if case.parcels.is_empty() {
        return Err(invalid(format!(
            "{} case needs at least one parcel; none was given",
            case.kind.with_article()
        )));
    }
    for (i, (role, parcel)) in case.parcels.iter().enumerate() {
        let earlier = case.parcels[..i]
            .iter()
            .find(|(_, p)| p.code == parcel.code);
        if let Some((first_role, _)) = earlier {
            return Err(invalid(if first_role == role {
                format!(
                    "parcel {} is listed twice; list each parcel of a case once",
                    parcel.code
                )
            } else {
                format!(
                    "parcel {} is listed both as {first_role} and as {role}; a parcel plays one part in a case",
                    parcel.code
                )
            }));
        }
    }
    match case
        .parcels
        .iter()
        .find_map(|(_, p)| Some((p, p.open_case?)))
    {
        Some((parcel, id)) => Err(RuleError::ParcelInOpenCase {
            parcel: parcel.code.clone(),
            case: id,
        }),
        None => Ok(()),
    }
}

/// Reserve, redevelopment and expansion cases name subject parcels only.
fn check_subjects_only(case: &NewCase) -> Result<(), RuleError> {
    match case.parcels.iter().find(|(role, _)| *role != ParcelRole::Subject) {
        Some((role, parcel)) => Err(invalid(format!(
            "parcel {} is given as {role}; {} case lists its parcels as subject (source and target are for relocations)",
            parcel.code,
            case.kind.with_article()
        ))),
        None => Ok(()),
    }
}

/// "its firm is graded B", "its firm is ungraded", "it has no owner".
fn grade_phrase(parcel: &ParcelFacts) -> String {
    match (parcel.owner_name(), parcel.owner_grade) {
        (_, Some(grade)) => format!("its firm is graded {grade}"),
        (Some(_), None) => "its firm is ungraded".to_owned(),
        (None, None) => "it has no owner".to_owned(),
    }
}

fn check_reserve(case: &NewCase) -> Result<(), RuleError> {
    check_subjects_only(case)?;
    for (_, parcel) in &case.parcels {
        let status = parcel.status;
        if matches!(
            status,
            ParcelStatus::Reserved | ParcelStatus::Supplied | ParcelStatus::Redeveloped
        ) {
            return Err(invalid(format!(
                "parcel {} is already {status}; land already reserved, supplied or redeveloped cannot be taken into reserve again",
                parcel.code
            )));
        }
        let d_grade = parcel.owner_grade.map(|g| g.to_ascii_uppercase()) == Some('D');
        if !(matches!(status, ParcelStatus::Zombie | ParcelStatus::Idle) || d_grade) {
            return Err(invalid(format!(
                "parcel {} is {status} and {}; only zombie or idle land, or land of a D-grade firm, can be taken into reserve",
                parcel.code,
                grade_phrase(parcel)
            )));
        }
    }
    if case.acquisition.is_none() {
        let subjects = with_role(case, ParcelRole::Subject);
        return Err(invalid(format!(
            "the reserve case of parcel {} needs an acquisition method: recovery (收回), purchase (收购) or expropriation (征收)",
            codes(&subjects)
        )));
    }
    Ok(())
}

/// "1 source", "no target", "2 sources (A, B)".
fn count_phrase(parcels: &[&ParcelFacts], role: ParcelRole) -> String {
    match parcels {
        [] => format!("no {role}"),
        [one] => format!("{role} {}", one.code),
        many => format!("{} {role}s ({})", many.len(), codes(many)),
    }
}

fn check_relocation(case: &NewCase) -> Result<(), RuleError> {
    if let Some(subject) = with_role(case, ParcelRole::Subject).first() {
        return Err(invalid(format!(
            "parcel {} is given as subject; a relocation names one source parcel (the firm's, in the southern built-up area) and one target parcel (in the northern zone)",
            subject.code
        )));
    }
    let sources = with_role(case, ParcelRole::Source);
    let targets = with_role(case, ParcelRole::Target);
    let ([source], [target]) = (sources.as_slice(), targets.as_slice()) else {
        return Err(invalid(format!(
            "a relocation names exactly one source parcel (the firm's, in the southern built-up area) and one target parcel (in the northern zone); got {} and {}",
            count_phrase(&sources, ParcelRole::Source),
            count_phrase(&targets, ParcelRole::Target)
        )));
    };
    check_relocation_source(source, case.enterprise.as_deref())?;
    check_relocation_target(target)
}

/// "lies in zone north", "has no zone".
fn zone_phrase(parcel: &ParcelFacts) -> String {
    match parcel.zone_code() {
        Some(zone) => format!("lies in zone {zone}"),
        None => "has no zone".to_owned(),
    }
}

fn check_relocation_source(
    source: &ParcelFacts,
    enterprise: Option<&str>,
) -> Result<(), RuleError> {
    if source.zone_code().as_deref() != Some("south") {
        return Err(invalid(format!(
            "relocation source {} {}; a relocation moves a firm out of the southern built-up area (zone south)",
            source.code,
            zone_phrase(source)
        )));
    }
    let Some(owner) = source.owner_name() else {
        return Err(invalid(format!(
            "relocation source {} has no owner; the source is the parcel of the firm that moves",
            source.code
        )));
    };
    check_enterprise_is_owner(
        enterprise,
        owner,
        &format!("relocation source {}", source.code),
    )
}

fn check_enterprise_is_owner(
    enterprise: Option<&str>,
    owner: &str,
    parcel: &str,
) -> Result<(), RuleError> {
    match non_blank(enterprise) {
        Some(firm) if firm != owner => Err(invalid(format!(
            "enterprise {firm} does not hold {parcel}, which is held by {owner}; name that firm or leave the enterprise out"
        ))),
        _ => Ok(()),
    }
}

fn check_relocation_target(target: &ParcelFacts) -> Result<(), RuleError> {
    if !matches!(target.zone_code().as_deref(), Some("north" | "bonded")) {
        return Err(invalid(format!(
            "relocation target {} {}; the target must lie in the northern zone (north, or the Xinglong bonded zone: bonded)",
            target.code,
            zone_phrase(target)
        )));
    }
    if let Some(owner) = target.owner_name() {
        return Err(invalid(format!(
            "relocation target {} is held by {owner}; the target must be free land with no owner",
            target.code
        )));
    }
    if !matches!(
        target.status,
        ParcelStatus::Idle | ParcelStatus::Reserved | ParcelStatus::Vacated
    ) {
        return Err(invalid(format!(
            "relocation target {} is {}; the target must be free land that is idle, reserved or vacated",
            target.code, target.status
        )));
    }
    Ok(())
}

fn check_redevelopment(case: &NewCase) -> Result<(), RuleError> {
    check_subjects_only(case)?;
    for (_, parcel) in &case.parcels {
        if !matches!(
            parcel.status,
            ParcelStatus::Reserved | ParcelStatus::Vacated
        ) {
            return Err(invalid(format!(
                "parcel {} is {}; redevelopment supplies land that is reserved or vacated, so take it into reserve first",
                parcel.code, parcel.status
            )));
        }
    }
    let parcels = codes(&with_role(case, ParcelRole::Subject));
    let Some(planned) = non_blank(case.planned_use.as_deref()) else {
        return Err(invalid(format!(
            "the redevelopment case of parcel {parcels} needs a planned use; {}",
            service_uses()
        )));
    };
    match landuse::lookup(planned) {
        None => Err(invalid(format!(
            "{} (planned use of parcel {parcels})",
            landuse::unknown_code_message(planned)
        ))),
        Some(class) if !landuse::is_service_use(class.code) => Err(invalid(format!(
            "planned use {} ({}) of parcel {parcels} is not a service use; {}",
            class.code,
            class.name_zh,
            service_uses()
        ))),
        Some(_) => Ok(()),
    }
}

/// The sentence naming the service uses redevelopment may supply land for.
fn service_uses() -> String {
    let classes: Vec<&str> = landuse::parcel_codes()
        .map(|c| c.code)
        .filter(|code| landuse::is_service_use(code))
        .collect();
    format!(
        "redevelopment supplies land for headquarters, commercial complexes and incubators, classes {} (incubators and offices are B29)",
        or_list(&classes)
    )
}

fn check_expansion(case: &NewCase) -> Result<(), RuleError> {
    check_subjects_only(case)?;
    let subjects = with_role(case, ParcelRole::Subject);
    let [parcel] = subjects.as_slice() else {
        return Err(invalid(format!(
            "an expansion case names exactly one parcel, the firm's own; got {} ({})",
            subjects.len(),
            codes(&subjects)
        )));
    };
    let Some(owner) = parcel.owner_name() else {
        return Err(invalid(format!(
            "parcel {} has no owner; expansion in place is for a firm on its own land",
            parcel.code
        )));
    };
    check_enterprise_is_owner(
        case.enterprise.as_deref(),
        owner,
        &format!("parcel {}", parcel.code),
    )?;
    if parcel.status != ParcelStatus::Active {
        return Err(invalid(format!(
            "parcel {} is {}; only a parcel in active use can expand in place (an expanding parcel is already in an expansion case)",
            parcel.code, parcel.status
        )));
    }
    match case.planned_output_wan {
        None => Err(invalid(format!(
            "the expansion case of parcel {} needs the planned new output value in 万元",
            parcel.code
        ))),
        Some(wan) if !(wan.is_finite() && wan > 0.0) => Err(invalid(format!(
            "the planned new output value of the expansion on parcel {} must be more than 0 万元; got {wan}",
            parcel.code
        ))),
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests;
