//! Workflow commands for scripted batch work: reallocation cases and grading.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde_json::Value;

use super::StoreArgs;
use crate::domain::grading::GradingConfig;
use crate::domain::Collection;
use crate::workflow::cases::{self, CaseParcel, OpenCase};
use crate::workflow::features;
use crate::workflow::grading::regrade;
use crate::workflow::parcels::{self, Lot};

/// Where the grading configuration comes from.
#[derive(Debug, Args)]
pub struct GradingArgs {
    /// Land-efficiency grading configuration (default: config/grading.toml when it
    /// exists, else the built-in copy of it).
    #[arg(long, env = "LANDREUSE_GRADING")]
    grading: Option<PathBuf>,
}

impl GradingArgs {
    /// Reads and validates the configuration.
    pub fn load(&self) -> Result<GradingConfig, String> {
        super::load_settings(
            self.grading.as_deref(),
            "config/grading.toml",
            "the grading configuration",
            GradingConfig::from_toml,
        )
    }
}

/// What `landreuse parcel` does.
#[derive(Debug, Subcommand)]
pub enum ParcelAction {
    /// Split a reserved parcel into lots given as a GeoJSON FeatureCollection (CRS84):
    /// each feature's id (or parcel_id) is the lot's code.
    Split {
        #[command(flatten)]
        store: StoreArgs,
        /// The parcel to split.
        code: String,
        /// The lots.
        #[arg(long)]
        lots: PathBuf,
        /// Why.
        #[arg(long)]
        reason: Option<String>,
        /// Actor recorded in the event log (default cli:$USER).
        #[arg(long)]
        actor: Option<String>,
    },
    /// Merge adjacent reserved parcels into one.
    Merge {
        #[command(flatten)]
        store: StoreArgs,
        /// The parcels to merge.
        #[arg(required = true, num_args = 2..)]
        codes: Vec<String>,
        /// Code of the merged parcel (default FIRST-M).
        #[arg(long)]
        into: Option<String>,
        /// Why.
        #[arg(long)]
        reason: Option<String>,
        /// Actor recorded in the event log (default cli:$USER).
        #[arg(long)]
        actor: Option<String>,
    },
    /// Restore the state a feature had right after one event of its history (see
    /// `GET /parcels/{id}/history`), as a new event; a retired feature comes back.
    Revert {
        #[command(flatten)]
        store: StoreArgs,
        #[command(flatten)]
        grading: GradingArgs,
        /// The feature's id.
        code: String,
        /// The event whose state to restore.
        #[arg(long = "to", value_name = "EVENT")]
        to: i64,
        /// The feature's collection: parcels, zones, roads, schools or projects.
        #[arg(long, default_value = "parcels")]
        collection: String,
        /// Actor recorded in the event log (default cli:$USER).
        #[arg(long)]
        actor: Option<String>,
    },
}

async fn revert(
    store: &dyn crate::store::Store,
    c: Collection,
    code: &str,
    to: i64,
    who: &str,
    config: GradingConfig,
) -> Result<crate::domain::FeatureRecord, String> {
    let zones = store
        .load_features(Collection::Zones)
        .await
        .map_err(|e| e.to_string())?;
    let ctx = features::EditContext {
        zones: std::sync::Arc::new(crate::import::ZoneLocator::new(&zones)),
        grading: Some(std::sync::Arc::new(config)),
        require_precondition: false,
    };
    features::revert(store, &ctx, c, code, to, who)
        .await
        .map_err(|e| e.to_string())
}

/// Reads the lots of a split from a GeoJSON FeatureCollection.
fn read_lots(path: &std::path::Path) -> Result<Vec<Lot>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the lots {}: {e}", path.display()))?;
    let fc: Value = serde_json::from_str(&text)
        .map_err(|e| format!("the lots {} are not JSON: {e}", path.display()))?;
    let features = fc["features"].as_array().ok_or_else(|| {
        format!(
            "the lots {} are not a GeoJSON FeatureCollection",
            path.display()
        )
    })?;
    Ok(features
        .iter()
        .map(|f| Lot {
            code: f["id"]
                .as_str()
                .or_else(|| f["properties"]["parcel_id"].as_str())
                .map(str::to_string),
            geometry: f["geometry"].clone(),
        })
        .collect())
}

/// `landreuse parcel …`
pub async fn parcel(action: ParcelAction) -> Result<(), String> {
    match action {
        ParcelAction::Split {
            store,
            code,
            lots,
            reason,
            actor: who,
        } => {
            let lots = read_lots(&lots)?;
            let store = store.open().await?;
            let result =
                parcels::split(store.as_ref(), &actor(who), &code, &lots, reason.as_deref()).await;
            store.close().await;
            let made = result.map_err(|e| e.to_string())?;
            let codes: Vec<&str> = made.iter().map(|l| l.code.as_str()).collect();
            println!("{code} split into {}", codes.join(", "));
        }
        ParcelAction::Merge {
            store,
            codes,
            into,
            reason,
            actor: who,
        } => {
            let store = store.open().await?;
            let result = parcels::merge(
                store.as_ref(),
                &actor(who),
                &codes,
                into.as_deref(),
                reason.as_deref(),
            )
            .await;
            store.close().await;
            let merged = result.map_err(|e| e.to_string())?;
            println!("{} merged into {}", codes.join(", "), merged.code);
        }
        ParcelAction::Revert {
            store,
            grading,
            code,
            to,
            collection,
            actor: who,
        } => {
            let c: Collection = collection.parse().map_err(|e: String| e)?;
            if !c.importable() {
                return Err(format!(
                    "the {c} collection changes only through its workflow; nothing to revert"
                ));
            }
            let config = grading.load()?;
            let store = store.open().await?;
            let result = revert(store.as_ref(), c, &code, to, &actor(who), config).await;
            store.close().await;
            let record = result?;
            println!(
                "{c} {code} reverted to its state after event {to} (as a new event; it was last written at {})",
                record
                    .properties
                    .get("updated_at")
                    .and_then(Value::as_str)
                    .unwrap_or("now")
            );
        }
    }
    Ok(())
}

/// `landreuse grade`
#[derive(Debug, Args)]
pub struct GradeArgs {
    #[command(flatten)]
    store: StoreArgs,
    #[command(flatten)]
    grading: GradingArgs,
    /// Actor recorded in the event log (default cli:$USER).
    #[arg(long)]
    actor: Option<String>,
}

/// What `landreuse case` does.
#[derive(Debug, Subcommand)]
pub enum CaseAction {
    /// Open a case; prints its code and version.
    Open {
        #[command(flatten)]
        store: StoreArgs,
        /// reserve, relocation, redevelopment or expansion.
        #[arg(long)]
        kind: String,
        /// A parcel and its role: CODE (a subject) or CODE:source / CODE:target; repeat.
        #[arg(long = "parcel", required = true)]
        parcels: Vec<String>,
        /// The firm relocating or expanding.
        #[arg(long)]
        enterprise: Option<String>,
        /// Land-use code the land is supplied for (redevelopment: B1, B2, B29 …).
        #[arg(long)]
        planned_use: Option<String>,
        /// recovery (收回), purchase (收购) or expropriation (征收) (reserve).
        #[arg(long)]
        acquisition: Option<String>,
        /// Planned new output value, 万元 (expansion).
        #[arg(long)]
        planned_output_wan: Option<f64>,
        /// Why.
        #[arg(long)]
        reason: Option<String>,
        /// Actor recorded in the event log (default cli:$USER).
        #[arg(long)]
        actor: Option<String>,
    },
    /// Move a case to its next stage; --version must be the version you read.
    Move {
        #[command(flatten)]
        store: StoreArgs,
        #[command(flatten)]
        grading: GradingArgs,
        /// Case code (RC-00012).
        code: String,
        /// The stage to move to.
        #[arg(long)]
        to: String,
        /// The case version the decision was taken on.
        #[arg(long)]
        version: i64,
        /// Why.
        #[arg(long)]
        reason: Option<String>,
        /// Actor recorded in the event log (default cli:$USER).
        #[arg(long)]
        actor: Option<String>,
    },
    /// List cases, one per line (code, kind, stage, version, zone, parcels).
    List {
        #[command(flatten)]
        store: StoreArgs,
        /// Only this kind.
        #[arg(long)]
        kind: Option<String>,
        /// Only this stage.
        #[arg(long)]
        stage: Option<String>,
    },
    /// Show a case with its history, as JSON.
    Show {
        #[command(flatten)]
        store: StoreArgs,
        /// Case code.
        code: String,
    },
}

fn actor(given: Option<String>) -> String {
    given.unwrap_or_else(|| {
        format!(
            "cli:{}",
            std::env::var("USER").unwrap_or_else(|_| "unknown".into())
        )
    })
}

fn prop<'a>(p: &'a serde_json::Map<String, Value>, k: &str) -> &'a str {
    p.get(k).and_then(Value::as_str).unwrap_or("")
}

/// `landreuse case …`
pub async fn case(action: CaseAction) -> Result<(), String> {
    match action {
        CaseAction::Open {
            store,
            kind,
            parcels,
            enterprise,
            planned_use,
            acquisition,
            planned_output_wan,
            reason,
            actor: who,
        } => {
            let store = store.open().await?;
            let req = OpenCase {
                kind,
                parcels: parcels
                    .iter()
                    .map(|p| match p.split_once(':') {
                        Some((code, role)) => CaseParcel {
                            code: code.to_string(),
                            role: Some(role.to_string()),
                        },
                        None => CaseParcel {
                            code: p.clone(),
                            role: None,
                        },
                    })
                    .collect(),
                enterprise,
                planned_use,
                acquisition,
                planned_output_wan,
                reason,
            };
            let result = cases::open(store.as_ref(), &actor(who), &req).await;
            store.close().await;
            let case = result.map_err(|e| e.to_string())?;
            println!(
                "opened {} ({}, stage {}, version 1)",
                case.code,
                prop(&case.properties, "kind"),
                prop(&case.properties, "stage")
            );
            Ok(())
        }
        CaseAction::Move {
            store,
            grading,
            code,
            to,
            version,
            reason,
            actor: who,
        } => {
            let config = grading.load()?;
            let store = store.open().await?;
            let result = cases::transition(
                store.as_ref(),
                &actor(who),
                &code,
                version,
                &to,
                reason.as_deref(),
                Some(&config),
            )
            .await;
            store.close().await;
            let case = result.map_err(|e| e.to_string())?;
            println!(
                "{} is now {} (version {})",
                case.code,
                prop(&case.properties, "stage"),
                case.properties
                    .get("version")
                    .and_then(Value::as_i64)
                    .unwrap_or(0)
            );
            Ok(())
        }
        CaseAction::List { store, kind, stage } => {
            let store = store.open().await?;
            let all = store.load_features(Collection::Reallocations).await;
            store.close().await;
            let all = all.map_err(|e| e.to_string())?;
            let totals =
                crate::domain::reallocation::expansion_totals(all.iter().filter_map(|c| {
                    let p = &c.properties;
                    (prop(p, "kind") == "expansion")
                        .then(|| {
                            (
                                prop(p, "stage").parse().ok(),
                                p.get("planned_output_wan")
                                    .and_then(Value::as_f64)
                                    .unwrap_or(0.0),
                            )
                        })
                        .and_then(|(s, v)| Some((s?, v)))
                }));
            eprintln!(
                "存量扩能 expansion in place: {} firms at intention, {} started (planned new output {:.0} 万元), {} completed",
                totals.intention, totals.started, totals.planned_output_wan_started, totals.completed
            );
            for c in all {
                let p = &c.properties;
                if kind.as_deref().is_some_and(|k| k != prop(p, "kind"))
                    || stage.as_deref().is_some_and(|s| s != prop(p, "stage"))
                {
                    continue;
                }
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    c.code,
                    prop(p, "kind"),
                    prop(p, "stage"),
                    p.get("version").and_then(Value::as_i64).unwrap_or(0),
                    prop(p, "zone"),
                    prop(p, "parcels")
                );
            }
            Ok(())
        }
        CaseAction::Show { store, code } => {
            let store = store.open().await?;
            let found = store
                .features_by_codes(Collection::Reallocations, std::slice::from_ref(&code))
                .await;
            let history = store
                .feature_history(Collection::Reallocations, &code)
                .await;
            store.close().await;
            let case = found
                .map_err(|e| e.to_string())?
                .pop()
                .ok_or_else(|| format!("there is no reallocation case {code}"))?;
            let body = serde_json::json!({
                "id": case.code,
                "properties": case.properties,
                "events": history.map_err(|e| e.to_string())?,
            });
            println!(
                "{}",
                serde_json::to_string_pretty(&body).unwrap_or_default()
            );
            Ok(())
        }
    }
}

/// `landreuse grade`
pub async fn grade(args: GradeArgs) -> Result<(), String> {
    let config = args.grading.load()?;
    let store = args.store.open().await?;
    let result = regrade(
        store.as_ref(),
        &actor(args.actor),
        &config,
        "landreuse grade",
    )
    .await;
    store.close().await;
    let summary = result.map_err(|e| e.to_string())?;
    let firms: Vec<String> = summary
        .firms
        .iter()
        .map(|(g, n)| format!("{g} {n}"))
        .collect();
    println!(
        "graded firms: {}; {} parcel grades changed",
        firms.join(", "),
        summary.parcels_changed
    );
    Ok(())
}
