//! Case kinds, stages and the transition table of each kind.

use super::{or_list, RuleError};

coded_enum! {
    /// The kind of a reallocation case.
    pub enum CaseKind ("case kind") {
        /// Land taken into the land reserve (收储).
        Reserve = "reserve", "收储";
        /// A firm moves from the southern built-up area to the northern zone (搬迁).
        Relocation = "relocation", "搬迁";
        /// Reserved or vacated land supplied for a service use (再开发).
        Redevelopment = "redevelopment", "再开发";
        /// A firm expands on its own land (存量扩能).
        Expansion = "expansion", "存量扩能";
    }
}

impl CaseKind {
    /// The kind with its indefinite article, for sentences: "a reserve", "an expansion".
    pub(super) fn with_article(self) -> String {
        let article = if self == Self::Expansion { "an" } else { "a" };
        format!("{article} {}", self.code())
    }
}

coded_enum! {
    /// The stage of a reallocation case.
    pub enum Stage ("case stage") {
        /// Put forward, awaiting a decision (plan, 计划).
        Proposed = "proposed", "拟议";
        /// Approved by the land reserve committee.
        Approved = "approved", "已批准";
        /// The land is being vacated (收回/收购/征收, 腾退).
        Vacating = "vacating", "腾退中";
        /// Held in the reserve: site preparation and custody (前期开发, 管护).
        InReserve = "in_reserve", "储备中";
        /// Supplied to its new user (供应).
        Supplied = "supplied", "已供应";
        /// Finished.
        Completed = "completed", "已完成";
        /// Refused at the proposal stage.
        Rejected = "rejected", "已驳回";
        /// Withdrawn before completion.
        Cancelled = "cancelled", "已撤销";
        /// An expansion a firm intends (意向).
        Intention = "intention", "意向";
        /// An expansion under way (已开工).
        Started = "started", "已开工";
    }
}

impl Stage {
    /// Whether a case in this stage is still open (not completed, rejected or cancelled);
    /// an open case holds its parcels.
    pub fn is_open(self) -> bool {
        !matches!(self, Self::Completed | Self::Rejected | Self::Cancelled)
    }
}

/// The stage a new case of this kind starts in: *proposed*, or *intention* for an
/// expansion.
pub fn first_stage(kind: CaseKind) -> Stage {
    match kind {
        CaseKind::Expansion => Stage::Intention,
        CaseKind::Reserve | CaseKind::Relocation | CaseKind::Redevelopment => Stage::Proposed,
    }
}

/// Every stage a case of this kind can be in, in workflow order.
pub fn stages(kind: CaseKind) -> &'static [Stage] {
    use Stage::{
        Approved, Cancelled, Completed, InReserve, Intention, Proposed, Rejected, Started,
        Supplied, Vacating,
    };
    match kind {
        CaseKind::Reserve => &[
            Proposed, Approved, Vacating, InReserve, Completed, Rejected, Cancelled,
        ],
        CaseKind::Relocation => &[
            Proposed, Approved, Vacating, InReserve, Supplied, Completed, Rejected, Cancelled,
        ],
        CaseKind::Redevelopment => &[Proposed, Approved, Supplied, Completed, Rejected, Cancelled],
        CaseKind::Expansion => &[Intention, Started, Completed, Cancelled],
    }
}

/// The stages a case of this kind may move to from `from`; empty for an end stage and
/// for a stage the kind does not have.
///
/// ```
/// use landreuse::domain::reallocation::{allowed_next, CaseKind, Stage};
///
/// assert_eq!(
///     allowed_next(CaseKind::Relocation, Stage::Approved),
///     [Stage::Vacating, Stage::Cancelled]
/// );
/// assert!(allowed_next(CaseKind::Reserve, Stage::Completed).is_empty());
/// ```
pub fn allowed_next(kind: CaseKind, from: Stage) -> &'static [Stage] {
    use CaseKind::{Expansion, Redevelopment, Relocation, Reserve};
    use Stage::{
        Approved, Cancelled, Completed, InReserve, Intention, Proposed, Rejected, Started,
        Supplied, Vacating,
    };
    match (kind, from) {
        (Reserve | Relocation | Redevelopment, Proposed) => &[Approved, Rejected, Cancelled],
        (Reserve | Relocation, Approved) => &[Vacating, Cancelled],
        (Reserve | Relocation, Vacating) => &[InReserve, Cancelled],
        (Relocation, InReserve) => &[Supplied],
        (Redevelopment, Approved) => &[Supplied, Cancelled],
        // The last step: reserved land is held, relocated or redeveloped land supplied.
        (Reserve, InReserve) | (Relocation | Redevelopment, Supplied) => &[Completed],
        (Expansion, Intention) => &[Started, Cancelled],
        (Expansion, Started) => &[Completed, Cancelled],
        _ => &[],
    }
}

/// Whether a case of this kind may move from `from` to `to`; the error names the stages
/// it may move to instead.
///
/// ```
/// use landreuse::domain::reallocation::{check_transition, CaseKind, Stage};
///
/// assert!(check_transition(CaseKind::Reserve, Stage::Approved, Stage::Vacating).is_ok());
/// let err = check_transition(CaseKind::Relocation, Stage::Approved, Stage::Supplied);
/// assert_eq!(
///     err.unwrap_err().to_string(),
///     "a relocation case in stage approved can move to vacating or cancelled, not supplied"
/// );
/// ```
pub fn check_transition(kind: CaseKind, from: Stage, to: Stage) -> Result<(), RuleError> {
    if allowed_next(kind, from).contains(&to) {
        Ok(())
    } else {
        Err(RuleError::ForbiddenTransition { kind, from, to })
    }
}

/// The sentence of a [`RuleError::ForbiddenTransition`].
pub(super) fn transition_message(kind: CaseKind, from: Stage, to: Stage) -> String {
    let case = kind.with_article();
    if !stages(kind).contains(&from) {
        return format!(
            "{case} case has no stage {from}; its stages are {}",
            or_list(stages(kind))
        );
    }
    match allowed_next(kind, from) {
        [] => format!("{case} case is {from}; it can move no further (asked to move to {to})"),
        next => format!(
            "{case} case in stage {from} can move to {}, not {to}",
            or_list(next)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The transition table of the issue, written out independently of `allowed_next`.
    const TABLE: &[(&str, &str, &[&str])] = &[
        (
            "reserve",
            "proposed",
            &["approved", "rejected", "cancelled"],
        ),
        ("reserve", "approved", &["vacating", "cancelled"]),
        ("reserve", "vacating", &["in_reserve", "cancelled"]),
        ("reserve", "in_reserve", &["completed"]),
        (
            "relocation",
            "proposed",
            &["approved", "rejected", "cancelled"],
        ),
        ("relocation", "approved", &["vacating", "cancelled"]),
        ("relocation", "vacating", &["in_reserve", "cancelled"]),
        ("relocation", "in_reserve", &["supplied"]),
        ("relocation", "supplied", &["completed"]),
        (
            "redevelopment",
            "proposed",
            &["approved", "rejected", "cancelled"],
        ),
        ("redevelopment", "approved", &["supplied", "cancelled"]),
        ("redevelopment", "supplied", &["completed"]),
        ("expansion", "intention", &["started", "cancelled"]),
        ("expansion", "started", &["completed", "cancelled"]),
    ];

    fn table_next(kind: CaseKind, from: Stage) -> Vec<&'static str> {
        TABLE
            .iter()
            .find(|(k, f, _)| *k == kind.code() && *f == from.code())
            .map(|(_, _, next)| next.to_vec())
            .unwrap_or_default()
    }

    #[test]
    fn every_allowed_transition_of_every_kind_passes() {
        for (kind, from, next) in TABLE {
            let (kind, from): (CaseKind, Stage) = (kind.parse().unwrap(), from.parse().unwrap());
            for to in *next {
                let to: Stage = to.parse().unwrap();
                assert_eq!(
                    check_transition(kind, from, to),
                    Ok(()),
                    "{kind} {from}→{to}"
                );
            }
        }
    }

    #[test]
    fn allowed_next_is_exactly_the_table() {
        for &kind in CaseKind::ALL {
            for &from in Stage::ALL {
                let codes: Vec<_> = allowed_next(kind, from).iter().map(|s| s.code()).collect();
                assert_eq!(codes, table_next(kind, from), "{kind} from {from}");
            }
        }
    }

    #[test]
    fn every_forbidden_transition_fails_naming_the_allowed_next_stages() {
        for &kind in CaseKind::ALL {
            for &from in Stage::ALL {
                let next = table_next(kind, from);
                for &to in Stage::ALL {
                    if next.contains(&to.code()) {
                        continue;
                    }
                    let err = check_transition(kind, from, to).unwrap_err();
                    let msg = err.to_string();
                    assert_eq!(err, RuleError::ForbiddenTransition { kind, from, to });
                    assert!(msg.contains(kind.code()), "{msg}");
                    for stage in &next {
                        assert!(msg.contains(stage), "{msg} should name {stage}");
                    }
                    if !next.is_empty() {
                        assert!(msg.ends_with(&format!(", not {to}")), "{msg}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_forbidden_move_reads_as_a_sentence() {
        let msg = |k, f, t| check_transition(k, f, t).unwrap_err().to_string();
        assert_eq!(
            msg(CaseKind::Relocation, Stage::Approved, Stage::Supplied),
            "a relocation case in stage approved can move to vacating or cancelled, not supplied"
        );
        assert_eq!(
            msg(CaseKind::Reserve, Stage::Proposed, Stage::Vacating),
            "a reserve case in stage proposed can move to approved, rejected or cancelled, not vacating"
        );
        assert_eq!(
            msg(CaseKind::Relocation, Stage::Completed, Stage::Cancelled),
            "a relocation case is completed; it can move no further (asked to move to cancelled)"
        );
        assert_eq!(
            msg(CaseKind::Expansion, Stage::Proposed, Stage::Started),
            "an expansion case has no stage proposed; its stages are intention, started, completed or cancelled"
        );
    }

    #[test]
    fn a_case_starts_at_proposed_and_an_expansion_at_intention() {
        assert_eq!(first_stage(CaseKind::Reserve), Stage::Proposed);
        assert_eq!(first_stage(CaseKind::Relocation), Stage::Proposed);
        assert_eq!(first_stage(CaseKind::Redevelopment), Stage::Proposed);
        assert_eq!(first_stage(CaseKind::Expansion), Stage::Intention);
        for &kind in CaseKind::ALL {
            assert!(stages(kind).contains(&first_stage(kind)));
        }
    }

    #[test]
    fn every_stage_a_transition_reaches_belongs_to_the_kind_and_only_ends_are_closed() {
        for &kind in CaseKind::ALL {
            for &from in stages(kind) {
                for to in allowed_next(kind, from) {
                    assert!(stages(kind).contains(to), "{kind}: {from}→{to}");
                }
                assert_eq!(
                    from.is_open(),
                    !allowed_next(kind, from).is_empty(),
                    "{kind} {from}"
                );
            }
        }
    }

    #[test]
    fn codes_labels_and_serde_agree() {
        for &stage in Stage::ALL {
            assert_eq!(stage.code().parse::<Stage>(), Ok(stage));
            assert_eq!(stage.label_zh().parse::<Stage>(), Ok(stage));
            let json = serde_json::to_string(&stage).unwrap();
            assert_eq!(json, format!("\"{}\"", stage.code()));
            assert_eq!(serde_json::from_str::<Stage>(&json).unwrap(), stage);
        }
        for &kind in CaseKind::ALL {
            assert_eq!(kind.label_zh().parse::<CaseKind>(), Ok(kind));
            assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{kind}\""));
        }
        assert_eq!("In-Reserve".parse::<Stage>(), Ok(Stage::InReserve));
        assert_eq!("存量扩能".parse::<CaseKind>(), Ok(CaseKind::Expansion));
    }

    #[test]
    fn an_unknown_kind_is_answered_with_the_list_of_kinds() {
        let err = "transfer".parse::<CaseKind>().unwrap_err();
        assert_eq!(
            err,
            "unknown case kind \"transfer\"; expected one of reserve, relocation, redevelopment, expansion"
        );
        let err = "done".parse::<Stage>().unwrap_err();
        assert!(
            err.starts_with("unknown case stage \"done\"; expected one of proposed"),
            "{err}"
        );
    }
}
