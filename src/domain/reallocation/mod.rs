//! The 腾笼换鸟 reallocation cases as a pure state machine: which stages a case of each
//! kind passes through, which rules a new case must keep, and how its parcels follow it.
//!
//! Sits in the domain, between a workflow command and the store: the store and API call
//! [`validate_new`] when a case is created, and at each transition [`check_transition`]
//! and then [`effects`], writing the parcel changes with the case's event in one
//! transaction. No I/O, no SQL, no HTTP here.
//!
//! # Kinds
//! - **reserve** (收储): zombie or idle land, or the land of a D-grade firm, is taken into
//!   the land reserve by recovery (收回), purchase (收购) or expropriation (征收).
//! - **relocation** (搬迁): a firm moves from its parcel in the southern built-up area
//!   (zone `south`) to a free parcel in the northern zone (`north`, or the Xinglong
//!   bonded zone `bonded` inside it); the southern parcel goes into the reserve.
//! - **redevelopment** (再开发): reserved or vacated land is supplied for a service use
//!   (headquarters, commercial complexes, incubators: B1/B2 and their small classes).
//! - **expansion** (存量扩能): a firm expands on its own land.
//!
//! # Stages and transitions
//! The stages follow the land reserve procedure (plan → intake → site preparation and
//! custody → supply). *rejected*, *cancelled* and *completed* are ends.
//!
//! | kind          | from       | may move to                    |
//! |---------------|------------|--------------------------------|
//! | reserve       | proposed   | approved, rejected, cancelled  |
//! |               | approved   | vacating, cancelled            |
//! |               | vacating   | in_reserve, cancelled          |
//! |               | in_reserve | completed                      |
//! | relocation    | proposed   | approved, rejected, cancelled  |
//! |               | approved   | vacating, cancelled            |
//! |               | vacating   | in_reserve, cancelled          |
//! |               | in_reserve | supplied                       |
//! |               | supplied   | completed                      |
//! | redevelopment | proposed   | approved, rejected, cancelled  |
//! |               | approved   | supplied, cancelled            |
//! |               | supplied   | completed                      |
//! | expansion     | intention  | started, cancelled             |
//! |               | started    | completed, cancelled           |
//!
//! A case starts at *proposed*, an expansion at *intention* ([`first_stage`]).
//!
//! # How parcels follow the case
//! When a case enters a stage, [`effects`] gives the parcel changes:
//!
//! | kind          | case enters  | parcel  | status becomes | owner             | land use    |
//! |---------------|--------------|---------|----------------|-------------------|-------------|
//! | reserve       | vacating     | subject | relocating     |                   |             |
//! |               | in_reserve   | subject | reserved       | cleared           |             |
//! |               | completed    | —       | (stays reserved) |                 |             |
//! | relocation    | vacating     | source  | relocating     |                   |             |
//! |               | in_reserve   | source  | reserved       | cleared           |             |
//! |               | supplied     | target  | supplied       | the moving firm   |             |
//! |               | completed    | target  | active         |                   |             |
//! | redevelopment | supplied     | subject | supplied       |                   | planned use |
//! |               | completed    | subject | redeveloped    |                   |             |
//! | expansion     | started      | subject | expanding      |                   |             |
//! |               | completed    | subject | active         |                   |             |
//! | any           | rejected, cancelled | every parcel | as at case creation | as at case creation | |
//! | any           | proposed, approved, intention | — | no change |           |             |
//!
//! A change lists only what differs from the parcel now, and a parcel with nothing to
//! change is left out. The moving firm is the case's enterprise, else the source's owner
//! at case creation. Land use never needs restoring: a redevelopment cannot be cancelled
//! once supplied.
//!
//! # Errors
//! Every [`RuleError`] is a sentence naming the parcel(s), the case where one is involved,
//! and what would be allowed. [`RuleError::ForbiddenTransition`] and
//! [`RuleError::ParcelInOpenCase`] are conflicts with the state of the records (HTTP 409);
//! [`RuleError::Invalid`] is a request that can never be accepted as sent (HTTP 422).

/// A closed vocabulary of the workflow with a stored code and a Chinese label.
///
/// Generates `ALL`, `code()`, `label_zh()`, `codes()`, `Display`, serde as the code, and a
/// `FromStr` that accepts the code (any case, `-` or a space for `_`) or the label and
/// otherwise answers with a sentence listing the codes.
macro_rules! coded_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($what:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal, $zh:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $code)] $variant, )+
        }

        impl $name {
            /// Every value, in the order the API lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code stored and served.
            pub fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)+
                }
            }

            /// The Chinese label used in documents and reports.
            pub fn label_zh(self) -> &'static str {
                match self {
                    $($name::$variant => $zh,)+
                }
            }

            /// All codes, for error messages and schemas.
            pub fn codes() -> Vec<&'static str> {
                Self::ALL.iter().map(|v| v.code()).collect()
            }
        }

        impl schemars::JsonSchema for $name {
            fn inline_schema() -> bool {
                true
            }
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({"type": "string", "enum": Self::codes()})
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;

            /// Accepts the code (any case; `in-reserve` for `in_reserve`) or the Chinese label.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let t = s.trim();
                let folded = t.replace(['-', ' '], "_");
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.code().eq_ignore_ascii_case(&folded) || v.label_zh() == t)
                    .ok_or_else(|| {
                        format!(
                            "unknown {} {t:?}; expected one of {}",
                            $what,
                            Self::codes().join(", ")
                        )
                    })
            }
        }
    };
}

mod case;
mod effects;
mod expansion;
mod rules;
mod stage;
#[cfg(test)]
mod test_support;

pub use case::{
    Acquisition, NewCase, OwnerChange, ParcelChange, ParcelFacts, ParcelRole, RuleError,
};
pub use effects::effects;
pub use expansion::{expansion_totals, ExpansionTotals};
pub use rules::validate_new;
pub use stage::{allowed_next, check_transition, first_stage, stages, CaseKind, Stage};

/// "a, b or c": the way messages list alternatives.
fn or_list<T: std::fmt::Display>(items: &[T]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => {
            let init: Vec<String> = init.iter().map(ToString::to_string).collect();
            format!("{} or {last}", init.join(", "))
        }
    }
}
