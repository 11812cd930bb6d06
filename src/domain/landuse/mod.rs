//! Land-use classification codes: the three Chinese systems a parcel's use is written
//! in, and the crosswalk between them.
//!
//! Sits in the shared domain vocabulary. Import checks a parcel's `land_use` with
//! [`lookup`] and explains a bad one with [`unknown_code_message`]; the API expands a
//! `land_use=` filter with [`matching_codes`] and lists [`parcel_codes`] as queryables;
//! reports translate with [`to_gbt21010`], [`to_gb50137`], [`to_tk2020`] and pick
//! redevelopment uses with [`is_service_use`]. Pure tables and functions, no I/O.
//!
//! # The systems
//! - **GB 50137-2011** 《城市用地分类与规划建设用地标准》: planning codes of letters and
//!   digits — the urban construction land classes R A B M W S U G down to small classes
//!   (`M1`, `A33`, `B21`), and the town-and-country classes H and E (`H21`, `E2`).
//! - **GB/T 21010-2017** 《土地利用现状分类》: land-survey codes, two digits for the 12
//!   first-level classes (`06`) and four for the 73 second-level ones (`0601`).
//! - **2020 guide** 《国土空间调查、规划、用途管制用地用海分类指南（试行）》
//!   (自然资办发〔2020〕51号, [`LandUseSystem::Tk2020`]): two-, four- and six-digit codes
//!   (`10`, `1001`, `100101`), held where a city needs them.
//!
//! # How a bare code is resolved
//! A code is trimmed, full-width characters typed with a Chinese IME (`Ｍ１`) are folded
//! to ASCII and letters are upper-cased (`m1` → `M1`); it is then looked up in GB 50137
//! and, failing that, in GB/T 21010. The two cannot collide: one starts with a letter,
//! the other is all digits. Parcels carry codes of these two systems only.
//!
//! 2020 codes are never resolved from a bare string: their four-digit codes reuse GB/T
//! 21010 numbers, sometimes with the same meaning (`0701` 城镇住宅用地) and sometimes not
//! (`1001` is 铁路用地 in GB/T 21010 but 工业用地 in 2020), so a bare `1001` always means
//! GB/T 21010 railways. 2020 classes are reached explicitly, through
//! [`classes`]`(LandUseSystem::Tk2020)`, and as the output of [`to_tk2020`]. An unknown
//! code that is a 2020 code (`100101`) gets a hint naming the parcel code to use instead.
//!
//! # The crosswalk
//! - [`to_gbt21010`] and [`to_gb50137`] follow the **principal use**, as planners read the
//!   two standards side by side: `R2` → `0701` although R22's community facilities are
//!   not 城镇住宅用地, `0803` → `A3` although kindergartens are R12/R22 in GB 50137. A
//!   class whose members spread over unrelated classes maps to their common parent where
//!   there is one (`B1` → `05`, `A3` → `08`) and to nothing otherwise (`B9`, which holds
//!   funeral services and private clinics; `1201` 空闲地, which is construction land of
//!   undetermined use). A few children sit under a different major class than their
//!   parent's equivalent because the standards file them so (`A8` → `0902`,
//!   `A9` → `0904`, `U32` → `1109`, `0809` → `U`, `0810` → `G`, and GB/T 21010 puts fuel
//!   stations under retail, `B41` → `0501`).
//! - [`to_tk2020`] is strict: a code maps to the most specific 2020 class that holds all
//!   of it, and to nothing when its parts fall into different 2020 first-level classes
//!   (`A` → none: A7–A9 went to 15 特殊用地). `R1`/`R2` stop at `07`/`0701`, because the
//!   2020 guide redrew the 一类/二类 line of housing; `W1`–`W3` map to 110101–110103
//!   although state reserve depots, W in GB 50137, are the new class 1102.
//!
//! # Service uses
//! [`is_service_use`] marks the land 腾笼换鸟 redevelopment supplies for headquarters,
//! commercial complexes and innovation-incubator buildings: GB 50137 **B1 商业用地** and
//! **B2 商务用地** with their small classes, and the GB/T 21010 classes equivalent to them
//! (`0501`–`0505`). Incubators and enterprise R&D offices are B29 其他商务用地 (technical
//! service offices). A35 科研用地 is *not* a service use: it is land of public research
//! institutions (科研事业单位), allocated rather than supplied on the market.

mod tables;

use std::cmp::Reverse;
use std::collections::HashMap;
use std::sync::LazyLock;

use tables::Entry;

/// A land-use classification system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LandUseSystem {
    /// GB 50137-2011 城市用地分类与规划建设用地标准 (planning codes: `M1`, `A33`).
    Gb50137,
    /// GB/T 21010-2017 土地利用现状分类 (survey codes: `0601`, `0803`).
    Gbt21010,
    /// 国土空间调查、规划、用途管制用地用海分类指南（试行）, 2020 (`100101`).
    Tk2020,
}

impl LandUseSystem {
    /// The designation used in messages and documents: `GB 50137-2011`,
    /// `GB/T 21010-2017`, or `MNR 2020` for the Ministry of Natural Resources' guide.
    pub fn code(self) -> &'static str {
        match self {
            Self::Gb50137 => "GB 50137-2011",
            Self::Gbt21010 => "GB/T 21010-2017",
            Self::Tk2020 => "MNR 2020",
        }
    }

    fn table(self) -> &'static [Entry] {
        match self {
            Self::Gb50137 => tables::GB50137,
            Self::Gbt21010 => tables::GBT21010,
            Self::Tk2020 => tables::TK2020,
        }
    }

    fn index(self) -> usize {
        match self {
            Self::Gb50137 => 0,
            Self::Gbt21010 => 1,
            Self::Tk2020 => 2,
        }
    }
}

/// One class of a system, as the standard names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LandUseClass {
    /// The code in its canonical spelling (`M1`, `0601`, `100101`).
    pub code: &'static str,
    /// The system the code belongs to.
    pub system: LandUseSystem,
    /// The standard's Chinese name (`一类工业用地`).
    pub name_zh: &'static str,
    /// An English rendering of the name (`Class-1 industrial`).
    pub name_en: &'static str,
    /// The enclosing class in the same system; `None` for a major (first-level) class.
    pub parent: Option<&'static str>,
}

/// Per-system maps from canonical code to row, built on first use.
static INDEX: LazyLock<[HashMap<&'static str, &'static Entry>; 3]> = LazyLock::new(|| {
    [
        LandUseSystem::Gb50137,
        LandUseSystem::Gbt21010,
        LandUseSystem::Tk2020,
    ]
    .map(|system| system.table().iter().map(|e| (e.class.code, e)).collect())
});

/// The systems a parcel's code may be in, in the order a bare code is resolved.
const PARCEL_SYSTEMS: [LandUseSystem; 2] = [LandUseSystem::Gb50137, LandUseSystem::Gbt21010];

/// GB 50137 classes (with their small classes) that redevelopment supplies land for.
const SERVICE_CLASSES: [&str; 2] = ["B1", "B2"];

fn entry(system: LandUseSystem, code: &str) -> Option<&'static Entry> {
    INDEX[system.index()].get(code).copied()
}

/// Trims, folds full-width ASCII (Ｍ１, ０６０１) to ASCII and upper-cases letters.
fn normalise(code: &str) -> String {
    code.trim()
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn parcel_entry(code: &str) -> Option<&'static Entry> {
    let code = normalise(code);
    PARCEL_SYSTEMS
        .into_iter()
        .find_map(|system| entry(system, &code))
}

fn parcel_entries() -> impl Iterator<Item = &'static Entry> {
    PARCEL_SYSTEMS
        .into_iter()
        .flat_map(|system| system.table().iter())
}

/// The row and its ancestors in its own system, nearest first.
fn self_and_ancestors(e: &'static Entry) -> impl Iterator<Item = &'static Entry> {
    std::iter::successors(Some(e), |e| {
        e.class.parent.and_then(|p| entry(e.class.system, p))
    })
}

/// A parcel row's equivalent in the other parcel system (GB 50137 ↔ GB/T 21010).
fn equivalent(e: &'static Entry) -> Option<&'static Entry> {
    match e.class.system {
        LandUseSystem::Gb50137 => e.gbt21010.and_then(|c| entry(LandUseSystem::Gbt21010, c)),
        LandUseSystem::Gbt21010 => e.gb50137.and_then(|c| entry(LandUseSystem::Gb50137, c)),
        LandUseSystem::Tk2020 => None,
    }
}

/// A parcel's code (GB 50137 or GB/T 21010), case-insensitive for letters ("m1" -> M1), trimmed.
///
/// ```
/// use landreuse::domain::landuse::{lookup, LandUseSystem};
///
/// let class = lookup(" m1").unwrap();
/// assert_eq!((class.code, class.name_zh, class.parent), ("M1", "一类工业用地", Some("M")));
/// assert_eq!(lookup("0601").unwrap().system, LandUseSystem::Gbt21010);
/// assert!(lookup("100101").is_none()); // a 2020 code, not a parcel code
/// ```
pub fn lookup(code: &str) -> Option<&'static LandUseClass> {
    parcel_entry(code).map(|e| &e.class)
}

/// The canonical spelling (e.g. "m1" -> "M1").
pub fn canonical(code: &str) -> Option<&'static str> {
    lookup(code).map(|c| c.code)
}

/// Up to `n` known codes closest to an unknown one (same system shape first, then edit
/// distance, then shared prefix).
///
/// Remaining ties go to codes of the same length, then to the nearest number (so `M4`
/// gives `M3`, `M2`, `M1`), then to table order. Only parcel codes are suggested.
pub fn nearest(code: &str, n: usize) -> Vec<&'static str> {
    let query = normalise(code);
    let mut ranked: Vec<_> = parcel_entries()
        .map(|e| (closeness(&query, e.class.code), e.class.code))
        .collect();
    // A stable sort keeps table order among equals.
    ranked.sort_by_key(|(key, _)| *key);
    ranked.into_iter().take(n).map(|(_, code)| code).collect()
}

/// Sort key of a candidate for [`nearest`]; smaller is closer.
fn closeness(query: &str, candidate: &str) -> (bool, usize, Reverse<usize>, usize, u32) {
    let shared_prefix = query
        .chars()
        .zip(candidate.chars())
        .take_while(|(a, b)| a == b)
        .count();
    let number_gap = match (trailing_number(query), trailing_number(candidate)) {
        (Some(a), Some(b)) => a.abs_diff(b),
        _ => u32::MAX,
    };
    (
        Shape::of(query) != Shape::of(candidate),
        edit_distance(query, candidate),
        Reverse(shared_prefix),
        query.chars().count().abs_diff(candidate.chars().count()),
        number_gap,
    )
}

/// The outline of a code: GB 50137 codes start with a letter, GB/T 21010 codes are digits.
#[derive(PartialEq, Eq)]
enum Shape {
    Letters,
    Digits,
    Other,
}

impl Shape {
    fn of(code: &str) -> Self {
        if code.starts_with(|c: char| c.is_ascii_alphabetic()) {
            Self::Letters
        } else if !code.is_empty() && code.chars().all(|c| c.is_ascii_digit()) {
            Self::Digits
        } else {
            Self::Other
        }
    }
}

fn trailing_number(code: &str) -> Option<u32> {
    let digits = code.trim_start_matches(|c: char| !c.is_ascii_digit());
    digits.parse().ok()
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

/// Error sentence for an unknown code, naming the nearest known codes, e.g.
/// "land-use code \"M4\" is neither a GB 50137-2011 nor a GB/T 21010-2017 class; the nearest known codes are M3 (三类工业用地), M1 (…), M2 (…)"
///
/// A 2020 code gets a hint naming the parcel codes that map onto it.
pub fn unknown_code_message(code: &str) -> String {
    let query = normalise(code);
    let (gb, gbt) = (
        LandUseSystem::Gb50137.code(),
        LandUseSystem::Gbt21010.code(),
    );
    if query.is_empty() {
        return format!(
            "land-use code is empty; expected a {gb} class such as M1 or a {gbt} class such as 0601"
        );
    }
    let suggestions: Vec<String> = nearest(&query, 3)
        .into_iter()
        .filter_map(lookup)
        .map(|c| format!("{} ({})", c.code, c.name_zh))
        .collect();
    format!(
        "land-use code {code:?} is neither a {gb} nor a {gbt} class; the nearest known codes are {}{}",
        suggestions.join(", "),
        tk2020_hint(&query)
    )
}

/// "; 100101 is the MNR 2020 class 一类工业用地, which parcels do not carry (use M1)", or
/// nothing when the code is not a 2020 code either.
fn tk2020_hint(code: &str) -> String {
    let Some(tk) = entry(LandUseSystem::Tk2020, code) else {
        return String::new();
    };
    let instead: Vec<&str> = parcel_entries()
        .filter(|e| e.tk2020 == Some(tk.class.code))
        .map(|e| e.class.code)
        .collect();
    let instead = if instead.is_empty() {
        String::new()
    } else {
        format!(" (use {})", instead.join(" or "))
    };
    format!(
        "; {} is the {} class {}, which parcels do not carry{instead}",
        tk.class.code,
        LandUseSystem::Tk2020.code(),
        tk.class.name_zh
    )
}

/// The GB/T 21010-2017 class a code corresponds to (itself for a 21010 code; the crosswalk
/// for a 50137 code, e.g. M2 -> 0601, A33 -> 0803, B1 -> 05, R2 -> 0701, S1 -> 1004,
/// G1 -> 0810), None where there is none.
pub fn to_gbt21010(code: &str) -> Option<&'static str> {
    let e = parcel_entry(code)?;
    match e.class.system {
        LandUseSystem::Gbt21010 => Some(e.class.code),
        _ => e.gbt21010,
    }
}

/// The GB 50137 class a code corresponds to (itself for 50137; for a 21010 code the most
/// specific 50137 class covering it: 0601 -> M, 0701 -> R, 0803 -> A3, 1004 -> S1,
/// 0604 -> W; None for e.g. 1201 空闲地).
///
/// Farmland, forest and pasture map to E2 农林用地, the town-and-country class GB 50137
/// defines by exactly those GB/T 21010 classes.
pub fn to_gb50137(code: &str) -> Option<&'static str> {
    let e = parcel_entry(code)?;
    match e.class.system {
        LandUseSystem::Gb50137 => Some(e.class.code),
        _ => e.gb50137,
    }
}

/// The 2020 territorial-space class, only where the correspondence is one-to-one (M1 ->
/// 100101, A33 -> 080403, B1 -> 0901, B2 -> 0902, G1 -> 1401, S1 -> 1207, 0601 -> 1001,
/// 1201 -> 2301 …); None otherwise.
///
/// "One-to-one" means the whole class falls into that 2020 class, the most specific one
/// that holds it; the 2020 class may be wider (B1 -> 0901, which also holds B4's 090105).
pub fn to_tk2020(code: &str) -> Option<&'static str> {
    parcel_entry(code)?.tk2020
}

/// Every parcel code (GB 50137 and GB/T 21010, canonical spelling) that a filter value
/// selects, or None if the value is not a known code.
///
/// A parcel code P is selected by filter F when F is P itself, an ancestor of P in P's own
/// system, P's GB/T 21010 equivalent or an ancestor of it, or P's GB 50137 equivalent or an
/// ancestor of it. So `0601` selects M, M1–M3 and 0601; `M` selects M, M1–M3 and 0601;
/// `M1` selects M1 only (a plain 0601 parcel is not known to be M1); `06` selects 06,
/// 0601–0604, M*, W* and H5 (采矿用地, the equivalent of 0602 and 0603).
///
/// ```
/// use landreuse::domain::landuse::matching_codes;
///
/// assert_eq!(matching_codes("0601").unwrap(), ["M", "M1", "M2", "M3", "0601"]);
/// assert_eq!(matching_codes("m1").unwrap(), ["M1"]);
/// assert_eq!(matching_codes("M4"), None);
/// ```
pub fn matching_codes(filter: &str) -> Option<Vec<&'static str>> {
    let wanted = parcel_entry(filter)?;
    let selects = |p: &'static Entry| {
        self_and_ancestors(p)
            .chain(equivalent(p).into_iter().flat_map(self_and_ancestors))
            .any(|e| std::ptr::eq(e, wanted))
    };
    Some(
        parcel_entries()
            .filter(|p| selects(p))
            .map(|p| p.class.code)
            .collect(),
    )
}

/// All parcel codes (GB 50137 then GB/T 21010), for the queryables enum.
pub fn parcel_codes() -> impl Iterator<Item = &'static LandUseClass> {
    parcel_entries().map(|e| &e.class)
}

/// All classes of a system (for docs/tests).
pub fn classes(system: LandUseSystem) -> impl Iterator<Item = &'static LandUseClass> {
    system.table().iter().map(|e| &e.class)
}

/// Whether a code is a service use for redevelopment: B1 商业用地, B2 商务用地 and their
/// small classes (B29 holds incubators and technical-service offices), or a GB/T 21010
/// class equivalent to one of them (0501–0505). Not A35 科研用地, which is public research
/// institutions' allocated land; see the module documentation.
pub fn is_service_use(code: &str) -> bool {
    let Some(e) = parcel_entry(code) else {
        return false;
    };
    let planning = match e.class.system {
        LandUseSystem::Gb50137 => Some(e),
        _ => equivalent(e),
    };
    planning.is_some_and(|p| self_and_ancestors(p).any(|a| SERVICE_CLASSES.contains(&a.class.code)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::fmt::Write as _;

    const ALL_SYSTEMS: [LandUseSystem; 3] = [
        LandUseSystem::Gb50137,
        LandUseSystem::Gbt21010,
        LandUseSystem::Tk2020,
    ];

    fn sorted(mut codes: Vec<&'static str>) -> Vec<&'static str> {
        codes.sort_unstable();
        codes
    }

    #[test]
    fn every_parent_exists_in_its_own_system_and_prefixes_the_child_code() {
        for system in ALL_SYSTEMS {
            for class in classes(system) {
                if let Some(parent) = class.parent {
                    assert!(
                        entry(system, parent).is_some(),
                        "{}: parent {parent} missing",
                        class.code
                    );
                    assert!(
                        class.code.starts_with(parent),
                        "{} under {parent}",
                        class.code
                    );
                    assert!(
                        class.code.len() > parent.len(),
                        "{} under {parent}",
                        class.code
                    );
                }
            }
        }
    }

    #[test]
    fn no_code_is_listed_twice_within_a_system() {
        for system in ALL_SYSTEMS {
            let mut seen = HashSet::new();
            for class in classes(system) {
                assert!(
                    seen.insert(class.code),
                    "{} twice in {}",
                    class.code,
                    system.code()
                );
                assert_eq!(class.system, system);
            }
        }
    }

    #[test]
    fn the_standards_hold_the_expected_number_of_classes() {
        let count = |system, level: usize| {
            classes(system)
                .filter(|c| self_and_ancestors(entry(system, c.code).unwrap()).count() == level)
                .count()
        };
        assert_eq!(count(LandUseSystem::Gbt21010, 1), 12);
        assert_eq!(count(LandUseSystem::Gbt21010, 2), 73);
        assert_eq!(count(LandUseSystem::Tk2020, 1), 24);
        let urban_majors: Vec<_> = classes(LandUseSystem::Gb50137)
            .filter(|c| c.parent.is_none())
            .map(|c| c.code)
            .collect();
        assert_eq!(
            urban_majors,
            ["R", "A", "B", "M", "W", "S", "U", "G", "H", "E"]
        );
    }

    #[test]
    fn parcel_codes_of_the_two_systems_never_collide_and_2020_codes_stay_out() {
        let codes: Vec<_> = parcel_codes().map(|c| c.code).collect();
        assert_eq!(codes.len(), codes.iter().collect::<HashSet<_>>().len());
        assert!(parcel_codes().all(|c| c.system != LandUseSystem::Tk2020));
        assert_eq!(lookup("100101"), None);
        assert_eq!(lookup("1001").unwrap().name_zh, "铁路用地");
    }

    #[test]
    fn crosswalk_targets_exist_in_their_systems() {
        for e in parcel_entries() {
            let code = e.class.code;
            if let Some(t) = e.gbt21010 {
                assert!(entry(LandUseSystem::Gbt21010, t).is_some(), "{code} -> {t}");
            }
            if let Some(t) = e.gb50137 {
                assert!(entry(LandUseSystem::Gb50137, t).is_some(), "{code} -> {t}");
            }
            if let Some(t) = e.tk2020 {
                assert!(entry(LandUseSystem::Tk2020, t).is_some(), "{code} -> {t}");
            }
        }
    }

    /// A child's target lies within its nearest mapped ancestor's target, unless the
    /// standards file the child under another major class (listed in the module doc).
    fn check_nested(
        system: LandUseSystem,
        target_system: LandUseSystem,
        target: fn(&Entry) -> Option<&'static str>,
        exceptions: &[&str],
    ) {
        for e in system.table() {
            let Some(own) = target(e) else { continue };
            let Some(inherited) = self_and_ancestors(e).skip(1).find_map(target) else {
                continue;
            };
            let own_chain: Vec<_> = self_and_ancestors(entry(target_system, own).unwrap())
                .map(|a| a.class.code)
                .collect();
            let nested = own_chain.contains(&inherited);
            assert_eq!(
                nested,
                !exceptions.contains(&e.class.code),
                "{} -> {own}, parent -> {inherited}",
                e.class.code
            );
        }
    }

    #[test]
    fn crosswalk_of_a_child_stays_within_its_parents_crosswalk() {
        use LandUseSystem::{Gb50137, Gbt21010, Tk2020};
        check_nested(Gb50137, Gbt21010, |e| e.gbt21010, &["A8", "A9", "U32"]);
        check_nested(Gbt21010, Gb50137, |e| e.gb50137, &["0809", "0810"]);
        check_nested(Gb50137, Tk2020, |e| e.tk2020, &[]);
        check_nested(Gbt21010, Tk2020, |e| e.tk2020, &[]);
    }

    #[test]
    fn crosswalk_round_trip_returns_to_the_code_or_an_ancestor() {
        for e in parcel_entries() {
            let Some(there) = equivalent(e) else { continue };
            let Some(back) = equivalent(there) else {
                continue;
            };
            let lands_home = self_and_ancestors(e).any(|a| std::ptr::eq(a, back));
            // GB/T 21010 files fuel stations under retail; salt pans share H5 with mining.
            let expected = !["B41", "0603"].contains(&e.class.code);
            assert_eq!(
                lands_home, expected,
                "{} -> {} -> {}",
                e.class.code, there.class.code, back.class.code
            );
        }
    }

    #[test]
    fn every_land_use_code_in_the_sample_parcels_resolves() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/geodata/parcels.geojson");
        let text = std::fs::read_to_string(path).expect("sample parcels are readable");
        let json: serde_json::Value = serde_json::from_str(&text).expect("sample parcels are JSON");
        let used: HashSet<&str> = json["features"]
            .as_array()
            .expect("a FeatureCollection")
            .iter()
            .filter_map(|f| f["properties"]["land_use"].as_str())
            .collect();
        assert!(used.len() >= 10, "{used:?}");
        for code in used {
            assert_eq!(
                canonical(code),
                Some(code),
                "{}",
                unknown_code_message(code)
            );
        }
        for code in [
            "M1", "M2", "R2", "W1", "B2", "B1", "G1", "A33", "U1", "A5", "M3", "B9", "S1", "S4",
        ] {
            assert!(lookup(code).is_some(), "{code}");
        }
    }

    #[test]
    fn lookup_is_case_insensitive_trimmed_and_accepts_full_width_input() {
        assert_eq!(lookup("m1").map(|c| c.code), Some("M1"));
        assert_eq!(lookup("  a33\t").map(|c| c.name_zh), Some("中小学用地"));
        assert_eq!(canonical("Ｍ２"), Some("M2"));
        assert_eq!(canonical("\u{3000}０６０１"), Some("0601"));
        assert_eq!(lookup("M1").unwrap().parent, Some("M"));
        assert_eq!(lookup("0601").unwrap().system, LandUseSystem::Gbt21010);
        assert_eq!(lookup("M4"), None);
        assert_eq!(lookup(""), None);
    }

    #[test]
    fn crosswalk_gives_the_documented_examples() {
        let gbt = [
            ("M2", "0601"),
            ("A33", "0803"),
            ("B1", "05"),
            ("R2", "0701"),
            ("S1", "1004"),
            ("G1", "0810"),
            ("0601", "0601"),
        ];
        for (code, want) in gbt {
            assert_eq!(to_gbt21010(code), Some(want), "{code}");
        }
        let gb = [
            ("0601", "M"),
            ("0701", "R"),
            ("0803", "A3"),
            ("1004", "S1"),
            ("0604", "W"),
            ("m1", "M1"),
            ("0101", "E2"),
        ];
        for (code, want) in gb {
            assert_eq!(to_gb50137(code), Some(want), "{code}");
        }
        assert_eq!(to_gb50137("1201"), None);
        assert_eq!(to_gbt21010("B9"), None);
        let tk = [
            ("M1", "100101"),
            ("M2", "100102"),
            ("M3", "100103"),
            ("A33", "080403"),
            ("B1", "0901"),
            ("B2", "0902"),
            ("G1", "1401"),
            ("G2", "1402"),
            ("G3", "1403"),
            ("S1", "1207"),
            ("0601", "1001"),
            ("1201", "2301"),
        ];
        for (code, want) in tk {
            assert_eq!(to_tk2020(code), Some(want), "{code}");
        }
        assert_eq!(to_tk2020("A"), None);
        assert_eq!(to_tk2020("nonsense"), None);
    }

    #[test]
    fn filter_by_a_survey_class_selects_its_planning_classes() {
        assert_eq!(
            sorted(matching_codes("0601").unwrap()),
            ["0601", "M", "M1", "M2", "M3"]
        );
    }

    #[test]
    fn filter_by_a_planning_major_class_selects_its_survey_equivalent() {
        assert_eq!(
            sorted(matching_codes("m").unwrap()),
            ["0601", "M", "M1", "M2", "M3"]
        );
    }

    #[test]
    fn filter_by_a_small_class_does_not_select_the_coarser_survey_class() {
        assert_eq!(matching_codes("M1").unwrap(), ["M1"]);
    }

    #[test]
    fn filter_by_a_first_level_survey_class_selects_everything_under_it() {
        let got = sorted(matching_codes("06").unwrap());
        let want = sorted(vec![
            "06", "0601", "0602", "0603", "0604", "M", "M1", "M2", "M3", "W", "W1", "W2", "W3",
            "H5",
        ]);
        assert_eq!(got, want);
    }

    #[test]
    fn filter_examples_in_the_documentation_hold() {
        assert_eq!(
            sorted(matching_codes("B2").unwrap()),
            ["0505", "B2", "B21", "B22", "B29"]
        );
        assert_eq!(
            sorted(matching_codes("0803").unwrap()),
            ["0803", "A31", "A32", "A33", "A34"]
        );
    }

    #[test]
    fn filter_by_an_unknown_code_is_refused() {
        assert_eq!(matching_codes("M4"), None);
        assert_eq!(matching_codes("100101"), None);
    }

    #[test]
    fn nearest_codes_to_an_unknown_one_share_its_system_and_prefix() {
        let got = nearest("M4", 3);
        assert_eq!(got, ["M3", "M2", "M1"]);
        assert_eq!(nearest("0613", 1), ["0603"]);
        assert!(
            nearest("b23", 3).iter().all(|c| c.starts_with('B')),
            "{:?}",
            nearest("b23", 3)
        );
        assert_eq!(nearest("X", 0), Vec::<&str>::new());
    }

    #[test]
    fn unknown_code_message_names_the_code_and_the_nearest_codes() {
        let message = unknown_code_message("M4");
        assert_eq!(
            message,
            "land-use code \"M4\" is neither a GB 50137-2011 nor a GB/T 21010-2017 class; \
             the nearest known codes are M3 (三类工业用地), M2 (二类工业用地), M1 (一类工业用地)"
        );
        assert!(unknown_code_message("").contains("empty"));
    }

    #[test]
    fn unknown_code_message_points_a_2020_code_to_the_parcel_code() {
        let message = unknown_code_message("100101");
        assert!(message.contains("\"100101\""), "{message}");
        assert!(
            message.ends_with(
                "100101 is the MNR 2020 class 一类工业用地, which parcels do not carry (use M1)"
            ),
            "{message}"
        );
    }

    #[test]
    fn service_uses_are_commercial_and_business_office_land() {
        for code in ["B1", "B11", "B14", "B2", "b21", "B29", "0501", "0505"] {
            assert!(is_service_use(code), "{code}");
        }
        for code in [
            "B", "B3", "B41", "B9", "A35", "M1", "0507", "05", "1201", "nonsense",
        ] {
            assert!(!is_service_use(code), "{code}");
        }
    }

    /// The crosswalk tables of `docs/landuse.md`, generated from the tables here.
    fn crosswalk_markdown() -> String {
        let name =
            |system: LandUseSystem, code: Option<&str>| match code.and_then(|c| entry(system, c)) {
                Some(e) => format!("{} | {}", e.class.code, e.class.name_zh),
                None => "— | —".to_owned(),
            };
        let mut out = String::from(
            "| GB 50137-2011 | 名称 | GB/T 21010-2017 | 名称 | MNR 2020 | 名称 |\n|---|---|---|---|---|---|\n",
        );
        for e in tables::GB50137 {
            // Writing to a String cannot fail.
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                e.class.code,
                e.class.name_zh,
                name(LandUseSystem::Gbt21010, e.gbt21010),
                name(LandUseSystem::Tk2020, e.tk2020)
            );
        }
        out.push_str(
            "\n| GB/T 21010-2017 | 名称 | GB 50137-2011 | 名称 | MNR 2020 | 名称 |\n|---|---|---|---|---|---|\n",
        );
        for e in tables::GBT21010 {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                e.class.code,
                e.class.name_zh,
                name(LandUseSystem::Gb50137, e.gb50137),
                name(LandUseSystem::Tk2020, e.tk2020)
            );
        }
        out
    }

    const DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/landuse.md");
    const BEGIN: &str =
        "<!-- crosswalk:begin (generated: LANDREUSE_WRITE_DOCS=1 cargo test --lib documented_crosswalk) -->\n";
    const END: &str = "<!-- crosswalk:end -->";

    /// The crosswalk tables of docs/landuse.md are the tables of this module. With
    /// `LANDREUSE_WRITE_DOCS=1` the test writes them into the document instead of
    /// comparing.
    #[test]
    fn the_documented_crosswalk_matches_the_tables() {
        let doc = std::fs::read_to_string(DOC).expect("docs/landuse.md is readable");
        let (Some(start), Some(end)) = (doc.find(BEGIN), doc.find(END)) else {
            panic!("docs/landuse.md lacks the crosswalk markers");
        };
        let start = start + BEGIN.len();
        if std::env::var_os("LANDREUSE_WRITE_DOCS").is_some() {
            let updated = format!("{}{}{}", &doc[..start], crosswalk_markdown(), &doc[end..]);
            std::fs::write(DOC, updated).expect("docs/landuse.md is writable");
            return;
        }
        assert!(
            doc[start..end] == crosswalk_markdown(),
            "docs/landuse.md is stale: run LANDREUSE_WRITE_DOCS=1 cargo test --lib documented_crosswalk"
        );
    }
}
