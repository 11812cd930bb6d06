//! `landreuse report land-reserve`: the land reserve committee's report, written to a file
//! with progress on the terminal.

use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use super::StoreArgs;
use crate::domain::reserve_priority::PriorityConfig;
use crate::report::{self, pdf, ReportFormat, ReportRequest};

/// Reports for the land reserve committee.
#[derive(Debug, Subcommand)]
pub enum ReportAction {
    /// The land-reserve decision report (土地储备决策报告): summary by zone, ranked reserve
    /// candidates, the reserve pool, the reallocation ledger and public services, with
    /// maps and charts.
    LandReserve(LandReserveArgs),
}

/// Where the priority settings of reserve candidates are.
#[derive(Debug, Args)]
pub struct PriorityArgs {
    /// Priority of reserve candidates (default: config/reserve_priority.toml when it
    /// exists, else the built-in copy of it).
    #[arg(long, env = "LANDREUSE_RESERVE_PRIORITY")]
    reserve_priority: Option<PathBuf>,
}

impl PriorityArgs {
    /// Reads and validates the configuration.
    pub fn load(&self) -> Result<PriorityConfig, String> {
        super::load_settings(
            self.reserve_priority.as_deref(),
            "config/reserve_priority.toml",
            "the reserve priority settings",
            PriorityConfig::from_toml,
        )
    }
}

/// Options of `report land-reserve`.
#[derive(Debug, Args)]
pub struct LandReserveArgs {
    #[command(flatten)]
    store: StoreArgs,
    #[command(flatten)]
    priority: PriorityArgs,
    /// html (self-contained, A4), csv (every figure with its parcel ids), json, or pdf
    /// (printed by headless Chromium).
    #[arg(long, default_value = "html")]
    format: String,
    /// The file to write (`-` writes standard output; not for pdf).
    #[arg(long)]
    out: PathBuf,
    /// Only this zone: south, north or bonded.
    #[arg(long)]
    zone: Option<String>,
    /// Only this sub-district (its code, e.g. linhe).
    #[arg(long)]
    subdistrict: Option<String>,
    /// Only parcels meeting this box: minlon,minlat,maxlon,maxlat (CRS84).
    #[arg(long, allow_hyphen_values = true)]
    bbox: Option<String>,
    /// Only parcels meeting the polygon in this GeoJSON file (CRS84).
    #[arg(long)]
    area: Option<PathBuf>,
    /// The data as it stood at this date (YYYY-MM-DD, end of the day in China Standard
    /// Time) or time (RFC 3339), replayed from the event log.
    #[arg(long)]
    as_of: Option<String>,
    /// The programme's targets (default: targets.json of the sample directory).
    #[arg(long, env = "LANDREUSE_TARGETS")]
    targets: Option<PathBuf>,
}

/// Runs a report command.
pub async fn run(action: ReportAction) -> Result<(), String> {
    match action {
        ReportAction::LandReserve(args) => land_reserve(args).await,
    }
}

async fn land_reserve(args: LandReserveArgs) -> Result<(), String> {
    let started = Instant::now();
    let format: ReportFormat = args.format.parse()?;
    if format == ReportFormat::Pdf && args.out.as_os_str() == "-" {
        return Err("a PDF cannot go to standard output; name a file with --out".into());
    }
    if format == ReportFormat::Pdf {
        pdf::chromium()?;
    }
    let area = args
        .area
        .as_ref()
        .map(|p| {
            std::fs::read_to_string(p)
                .map_err(|e| format!("cannot read the area {}: {e}", p.display()))
        })
        .transpose()?;
    let request = ReportRequest::parse(
        args.zone.as_deref(),
        args.subdistrict.as_deref(),
        args.bbox.as_deref(),
        area.as_deref(),
        args.as_of.as_deref(),
    )
    .map_err(|e| match &args.area {
        Some(p) if area.is_some() && e.starts_with("the area") => format!("{}: {e}", p.display()),
        _ => e,
    })?;
    let config = args.priority.load()?;
    let targets = super::load_targets(args.targets.as_deref())?;
    let store = args.store.open().await?;

    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(
            "{msg} {bar:40.cyan/blue} {pos}/{len} ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(match &request.as_of {
        Some(t) => format!("replaying the event log up to {t}: events"),
        None => "reading parcels".into(),
    });
    let generated = report::land_reserve(
        store.as_ref(),
        &request,
        &config,
        &targets,
        &mut |read, total| {
            if total > 0 {
                bar.set_length(total);
            } else {
                bar.set_length(read);
            }
            bar.set_position(read);
        },
    )
    .await;
    store.close().await;
    let generated = generated.map_err(|e| e.to_string())?;
    bar.finish_and_clear();
    eprintln!(
        "read {} parcels in scope, {} cases; writing {format}",
        generated.input.parcels.len(),
        generated.input.cases.len()
    );
    let r = &generated.report;
    match format {
        ReportFormat::Pdf => {
            let html = report::html::render(r, &generated.input);
            eprintln!("printing the PDF with headless Chromium");
            pdf::render(&html, &pdf::Output::Pdf(&args.out))?;
        }
        other => {
            let text = match other {
                ReportFormat::Html => report::html::render(r, &generated.input),
                ReportFormat::Csv => report::csv::render(r)
                    .map_err(|e| format!("cannot write the report as CSV: {e}"))?,
                _ => serde_json::to_string_pretty(r).map_err(|e| e.to_string())?,
            };
            if args.out.as_os_str() == "-" {
                use std::io::Write;
                std::io::stdout()
                    .write_all(text.as_bytes())
                    .map_err(|e| format!("cannot write the report: {e}"))?;
            } else {
                std::fs::write(&args.out, text)
                    .map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;
            }
        }
    }
    let total = r.summary.last();
    eprintln!(
        "land-reserve report{}: {} parcels, {} candidates, {} parcels in the reserve pool; \
         written to {} in {:.1} s",
        r.as_of
            .as_deref()
            .map(|t| format!(" as of {t}"))
            .unwrap_or_default(),
        total.map_or(0, |t| t.land.parcels),
        r.candidates.ranked.len(),
        r.reserve_pool.total.parcels,
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
