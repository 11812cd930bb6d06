//! Parcel statuses in the 腾笼换鸟 programme.

use std::fmt;
use std::str::FromStr;

/// What is happening on a parcel now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParcelStatus {
    /// In productive use by its owner (在用).
    Active,
    /// Owned but unused (闲置).
    Idle,
    /// Held by a zombie firm with no real output (僵尸企业用地).
    Zombie,
    /// The owner is expanding in place (存量扩能).
    Expanding,
    /// Taken into the land reserve (收储).
    Reserved,
    /// The owner is moving to the northern zone (搬迁中).
    Relocating,
    /// Vacated after a relocation (已腾退).
    Vacated,
    /// Redeveloped for a service use (已再开发).
    Redeveloped,
    /// Supplied from the reserve to a new user (已供应).
    Supplied,
}

impl ParcelStatus {
    /// Every status, in the order the API lists them.
    pub const ALL: [ParcelStatus; 9] = [
        Self::Active,
        Self::Idle,
        Self::Zombie,
        Self::Expanding,
        Self::Reserved,
        Self::Relocating,
        Self::Vacated,
        Self::Redeveloped,
        Self::Supplied,
    ];

    /// The code stored and served (`active`, `idle` …).
    pub fn code(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Idle => "idle",
            Self::Zombie => "zombie",
            Self::Expanding => "expanding",
            Self::Reserved => "reserved",
            Self::Relocating => "relocating",
            Self::Vacated => "vacated",
            Self::Redeveloped => "redeveloped",
            Self::Supplied => "supplied",
        }
    }

    /// The Chinese label used on survey sheets.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Active => "在用",
            Self::Idle => "闲置",
            Self::Zombie => "僵尸",
            Self::Expanding => "扩能",
            Self::Reserved => "储备",
            Self::Relocating => "搬迁中",
            Self::Vacated => "已腾退",
            Self::Redeveloped => "已再开发",
            Self::Supplied => "已供应",
        }
    }

    /// All codes, for error messages and schemas.
    pub fn codes() -> Vec<&'static str> {
        Self::ALL.iter().map(|s| s.code()).collect()
    }
}

impl fmt::Display for ParcelStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for ParcelStatus {
    type Err = String;

    /// Accepts the code (any case) or the Chinese label.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|st| st.code().eq_ignore_ascii_case(t) || st.label_zh() == t)
            .ok_or_else(|| {
                format!(
                    "unknown parcel status {t:?}; expected one of {}",
                    Self::codes().join(", ")
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_parses_code_and_chinese_label() {
        assert_eq!("Zombie".parse::<ParcelStatus>(), Ok(ParcelStatus::Zombie));
        assert_eq!("闲置".parse::<ParcelStatus>(), Ok(ParcelStatus::Idle));
        let err = "closed".parse::<ParcelStatus>().unwrap_err();
        assert!(err.contains("expected one of active, idle"), "{err}");
    }
}
