//! The command line: `landreuse serve | import | case | parcel | grade | report | token`.

mod report;
mod workflow;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use crate::api::ApiSettings;
use crate::auth::{self, Role};
use crate::domain::Collection;
use crate::import::{self, AxisOrder, Crs, FieldMap, ImportOptions, ImportReport, ZoneLocator};
use crate::service::{self, ServiceConfig};
use crate::store::{self, Store, StoreLocation};

/// landreuse: land parcels, reallocations and reports for the Changchun ETDZ.
#[derive(Debug, Parser)]
#[command(name = "landreuse", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    /// How log lines are written to standard error: text for people, json (one object
    /// a line, with the request id of each request) for log collectors.
    #[arg(long, global = true, env = "LANDREUSE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

/// The form of log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    /// One readable line per event.
    Text,
    /// One JSON object per event.
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the OGC API – Features and the domain API (the sample zone on an empty store).
    Serve(ServeArgs),
    /// Import a GeoJSON FeatureCollection or newline-delimited GeoJSON file.
    Import(ImportArgs),
    /// Copy a whole store (every parcel, zone, road, enterprise, import, event and token)
    /// into an empty one: SQLite to PostgreSQL and back.
    MigrateStore {
        /// Source: a SQLite data directory or a postgres:// URL.
        #[arg(long)]
        from: String,
        /// Target (must be empty): a SQLite data directory or a postgres:// URL.
        #[arg(long)]
        to: String,
    },
    /// Write a consistent copy of the store to a new file while it serves and takes
    /// writes (SQLite: VACUUM INTO; PostgreSQL: pg_dump in one snapshot).
    Backup {
        #[command(flatten)]
        store: StoreArgs,
        /// The new file.
        #[arg(long)]
        to: PathBuf,
    },
    /// Restore a backup into an empty store.
    Restore {
        #[command(flatten)]
        store: StoreArgs,
        /// The backup file (`landreuse backup --to FILE`).
        #[arg(long)]
        from: PathBuf,
    },
    /// Reallocation cases (腾笼换鸟): open, move along their stages, list, show.
    Case {
        #[command(subcommand)]
        action: workflow::CaseAction,
    },
    /// Split reserved land into lots, or merge adjacent reserved parcels.
    Parcel {
        #[command(subcommand)]
        action: workflow::ParcelAction,
    },
    /// Recompute the land-efficiency (亩均效益) grades of every firm and its parcels.
    Grade(workflow::GradeArgs),
    /// Reports for the land reserve committee (HTML, CSV, JSON, PDF).
    Report {
        #[command(subcommand)]
        action: report::ReportAction,
    },
    /// Manage the bearer tokens of people who write.
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
}

#[derive(Debug, Args)]
pub(crate) struct StoreArgs {
    /// Directory holding the SQLite database (created if missing).
    #[arg(long, env = "LANDREUSE_DATA_DIR", default_value = "data")]
    data_dir: PathBuf,
    /// PostgreSQL + PostGIS instead of SQLite (postgres://user:password@host:port/db).
    #[arg(long, env = "DATABASE_URL")]
    database_url: Option<String>,
}

impl StoreArgs {
    fn location(&self) -> StoreLocation {
        StoreLocation::choose(self.database_url.as_deref(), &self.data_dir)
    }

    pub(crate) async fn open(&self) -> Result<Arc<dyn Store>, String> {
        let location = self.location();
        location
            .open()
            .await
            .map_err(|e| format!("cannot open the store ({location}): {e}"))
    }
}

#[derive(Debug, Args)]
struct ServeArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// Address to listen on.
    #[arg(long, env = "LANDREUSE_BIND", default_value = "127.0.0.1:8080")]
    bind: String,
    /// Directory of the sample zone loaded into an empty store (default: ./geodata).
    #[arg(long, env = "LANDREUSE_GEODATA")]
    geodata: Option<PathBuf>,
    /// Start with an empty store instead of loading the sample zone.
    #[arg(long)]
    no_sample: bool,
    /// Whether reading needs no token (`false`: every request needs a viewer token).
    #[arg(long, env = "LANDREUSE_READ_OPEN", default_value_t = true, action = clap::ArgAction::Set)]
    read_open: bool,
    /// Largest upload accepted by POST /imports, in MB.
    #[arg(long, env = "LANDREUSE_MAX_UPLOAD_MB", default_value_t = 256)]
    max_upload_mb: usize,
    /// Public base URL used in links (when behind a proxy).
    #[arg(long, env = "LANDREUSE_PUBLIC_URL")]
    public_url: Option<String>,
    #[command(flatten)]
    grading: workflow::GradingArgs,
    #[command(flatten)]
    priority: report::PriorityArgs,
    /// The programme's targets for public projects (default: targets.json of the sample
    /// directory, when it has one).
    #[arg(long, env = "LANDREUSE_TARGETS")]
    targets: Option<PathBuf>,
    /// The built web map (`npm run build` in web/): served at `/` to browsers.
    #[arg(long, env = "LANDREUSE_WEB_DIR", default_value = "web/dist")]
    web_dir: PathBuf,
    /// Reports, coverage analyses and imports that may run at once (each on its own
    /// blocking thread); more wait their turn.
    #[arg(long, env = "LANDREUSE_HEAVY_JOBS", default_value_t = 2)]
    heavy_jobs: usize,
    /// Whether a PUT, PATCH or DELETE of a feature must carry If-Match or
    /// If-Unmodified-Since (else 428 Precondition Required). `false` accepts writes
    /// without one, for clients that never send one (QGIS); the event log keeps every
    /// state before, and `landreuse parcel revert` restores one.
    #[arg(long, env = "LANDREUSE_REQUIRE_PRECONDITION", default_value_t = true, action = clap::ArgAction::Set)]
    require_precondition: bool,
    /// Refused tokens one client address may send in a minute; past it, its requests with
    /// a token are answered 429 for the rest of the minute (0: no limit).
    #[arg(long, env = "LANDREUSE_AUTH_FAILURES_PER_MINUTE", default_value_t = 30)]
    auth_failures_per_minute: u32,
    /// Connections served at once; one more is answered 503 and closed.
    #[arg(long, env = "LANDREUSE_MAX_CONNECTIONS", default_value_t = 900)]
    max_connections: usize,
    /// Seconds a request head may take to arrive; also how long an idle keep-alive
    /// connection is kept.
    #[arg(long, env = "LANDREUSE_HEADER_READ_TIMEOUT", default_value_t = 10)]
    header_read_timeout: u64,
    /// Seconds a request body may take to arrive.
    #[arg(long, env = "LANDREUSE_BODY_TIMEOUT", default_value_t = 120)]
    body_timeout: u64,
    /// Seconds a request may take to be answered (then 503).
    #[arg(long, env = "LANDREUSE_REQUEST_TIMEOUT", default_value_t = 600)]
    request_timeout: u64,
    /// Seconds the requests in flight get to finish after SIGTERM or Ctrl-C.
    #[arg(long, env = "LANDREUSE_SHUTDOWN_TIMEOUT", default_value_t = 30)]
    shutdown_timeout: u64,
}

#[derive(Debug, Args)]
struct ImportArgs {
    /// The GeoJSON file (`-` reads standard input).
    file: PathBuf,
    #[command(flatten)]
    store: StoreArgs,
    #[command(flatten)]
    grading: workflow::GradingArgs,
    /// Target collection: parcels, zones or roads.
    #[arg(long, default_value = "parcels")]
    collection: String,
    /// CRS of the coordinates (CRS84, EPSG:4326, 4490, 4551, 4530, 3857, or GCJ02 for
    /// AMap/Tencent coordinates); default the file's crs member, else CRS84.
    #[arg(long)]
    crs: Option<String>,
    /// Axis order of the positions: east-north (longitude or easting first, as GeoJSON
    /// files are written; the default) or north-east (latitude or northing first).
    #[arg(long)]
    axis_order: Option<String>,
    /// Field renames, target=source, comma-separated (land_use=GB_Code,owner=QLRMC).
    #[arg(long)]
    map: Option<String>,
    /// Import the valid features and write the invalid ones to the rejects file.
    #[arg(long)]
    skip_invalid: bool,
    /// Where --skip-invalid writes rejected features (default FILE.rejects.geojson).
    #[arg(long)]
    rejects: Option<PathBuf>,
    /// Actor recorded in the event log (default cli:$USER).
    #[arg(long)]
    actor: Option<String>,
}

#[derive(Debug, Subcommand)]
enum TokenAction {
    /// Create a token and print it once (only its hash is stored).
    Create {
        #[command(flatten)]
        store: StoreArgs,
        /// viewer, planner, gis or admin.
        #[arg(long)]
        role: String,
        /// Holder's name, recorded as the actor of their writes.
        #[arg(long)]
        name: String,
        /// How long it is accepted: days, weeks or hours (`90d`, `12w`, `8h`); default
        /// until revoked.
        #[arg(long)]
        expires: Option<String>,
    },
    /// List the tokens: id, holder, role, when made, when they expire or were revoked
    /// (never their secrets).
    List {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Revoke a token by its holder's name or its id: every replica refuses it from the
    /// next request on.
    Revoke {
        #[command(flatten)]
        store: StoreArgs,
        /// The holder's name or the token's id (see `token list`).
        token: String,
    },
}

/// The expiry time of a token made now that lasts `text` (`90d`, `12w`, `8h`).
fn expiry(text: &str) -> Result<String, String> {
    let t = text.trim();
    let (n, unit) = t.split_at(t.len().saturating_sub(1));
    let n: i64 = n
        .parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("--expires {text:?} is not a duration; write a whole number of days, weeks or hours, such as 90d, 12w or 8h"))?;
    let span = match unit {
        "d" => time::Duration::days(n),
        "w" => time::Duration::weeks(n),
        "h" => time::Duration::hours(n),
        _ => {
            return Err(format!(
            "--expires {text:?} has no unit; write d (days), w (weeks) or h (hours), such as 90d"
        ))
        }
    };
    let at = time::OffsetDateTime::now_utc()
        .checked_add(span)
        .ok_or_else(|| format!("--expires {text:?} is too far away"))?;
    at.format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| format!("--expires {text:?}: {e}"))
}

/// Parses the command line, runs the command and turns errors into sentences.
pub async fn run() -> ExitCode {
    let cli = Cli::parse();
    let filter = || {
        tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| "landreuse=info,tower_http=info".into())
    };
    let log = tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Text => log.init(),
        LogFormat::Json => log.json().init(),
    }
    let result = match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Import(args) => import_file(args).await,
        Command::Token { action } => token(action).await,
        Command::MigrateStore { from, to } => migrate_store(&from, &to).await,
        Command::Backup { store, to } => backup(&store.location(), &to).await,
        Command::Restore { store, from } => restore(&from, &store.location()).await,
        Command::Case { action } => workflow::case(action).await,
        Command::Grade(args) => workflow::grade(args).await,
        Command::Report { action } => report::run(action).await,
        Command::Parcel { action } => workflow::parcel(action).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: ServeArgs) -> Result<(), String> {
    let config = ServiceConfig {
        store: args.store.location(),
        sample_dir: (!args.no_sample)
            .then(|| args.geodata.unwrap_or_else(crate::sample::default_dir)),
        api: ApiSettings {
            read_open: args.read_open,
            max_upload_bytes: args.max_upload_mb.saturating_mul(1024 * 1024),
            public_url: args.public_url,
            web_dir: args
                .web_dir
                .join("index.html")
                .is_file()
                .then_some(args.web_dir.clone()),
            heavy_jobs: args.heavy_jobs,
            require_precondition: args.require_precondition,
            auth_failures_per_minute: args.auth_failures_per_minute,
            limits: crate::api::listen::HttpLimits {
                max_connections: args.max_connections,
                header_read_timeout: Duration::from_secs(args.header_read_timeout.max(1)),
                body_timeout: Duration::from_secs(args.body_timeout.max(1)),
                request_timeout: Duration::from_secs(args.request_timeout.max(1)),
                shutdown_timeout: Duration::from_secs(args.shutdown_timeout),
            },
        },
        follow_every: Duration::from_millis(500),
        grading: args.grading.load()?,
        priority: args.priority.load()?,
        targets: load_targets(args.targets.as_deref())?,
    };
    // Bind first: a taken port is reported at once, not after the index is built, and
    // clients that connect while it builds wait in the backlog instead of being refused.
    let listener = tokio::net::TcpListener::bind(&args.bind)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.bind))?;
    let state = service::open(&config).await.map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    // Before the address line: tests and scripts read up to it and may stop reading.
    match &config.api.web_dir {
        Some(dir) => eprintln!("web map from {} at http://{addr}/", dir.display()),
        None => eprintln!(
            "no web map: {} has no index.html (build it with `npm ci && npm run build` in web/)",
            args.web_dir.display()
        ),
    }
    eprintln!(
        "landreuse serving {} parcels on http://{addr}/ ({})",
        state.index.read(Collection::Parcels).len(),
        config.store
    );
    // SIGTERM (systemd, docker stop) or Ctrl-C: stop accepting, let requests in flight
    // finish within --shutdown-timeout, then close the store.
    let shutdown = async {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        let terminated = async {
            match term.as_mut() {
                Some(t) => {
                    t.recv().await;
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = terminated => {}
        }
        tracing::info!("shutting down: no new connections; requests in flight finish");
    };
    service::serve(state, listener, config.follow_every, shutdown)
        .await
        .map_err(|e| e.to_string())
}

/// Reads the targets file: the one given, else the sample directory's, else none.
/// Reads a settings file: the one named, else `default` when it exists (relative to the
/// working directory), else the built-in copy (`T::default()`, the shipped file).
pub(crate) fn load_settings<T: Default>(
    named: Option<&Path>,
    default: &str,
    what: &str,
    parse: fn(&str) -> Result<T, String>,
) -> Result<T, String> {
    let path = named
        .map(Path::to_path_buf)
        .or_else(|| Some(PathBuf::from(default)).filter(|p| p.exists()));
    let Some(p) = path else {
        return Ok(T::default());
    };
    let text = std::fs::read_to_string(&p)
        .map_err(|e| format!("cannot read {what} {}: {e}", p.display()))?;
    parse(&text).map_err(|e| format!("{what} {} is wrong: {e}", p.display()))
}

fn load_targets(path: Option<&Path>) -> Result<Vec<crate::domain::projects::Target>, String> {
    let path = if let Some(p) = path {
        p.to_path_buf()
    } else {
        let p = crate::sample::default_dir().join("targets.json");
        if !p.exists() {
            return Ok(Vec::new());
        }
        p
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read the targets {}: {e}", path.display()))?;
    crate::domain::projects::parse_targets(&text).map_err(|e| format!("{}: {e}", path.display()))
}

async fn import_file(args: ImportArgs) -> Result<(), String> {
    let collection: Collection = args.collection.parse()?;
    let crs = args.crs.as_deref().map(Crs::parse).transpose()?;
    let axis_order = args
        .axis_order
        .as_deref()
        .map(AxisOrder::parse)
        .transpose()?;
    let field_map = FieldMap::parse(args.map.as_deref().unwrap_or(""), collection)?;
    let store = args.store.open().await?;
    let zones = ZoneLocator::new(
        &store
            .load_features(Collection::Zones)
            .await
            .map_err(|e| e.to_string())?,
    );
    let opts = ImportOptions {
        collection,
        crs,
        axis_order,
        field_map,
        skip_invalid: args.skip_invalid,
        actor: args.actor.unwrap_or_else(|| {
            format!(
                "cli:{}",
                std::env::var("USER").unwrap_or_else(|_| "unknown".into())
            )
        }),
        source_name: args.file.display().to_string(),
        zones: Arc::new(zones),
        // Land changed: the firms' grades follow, in the import's transaction.
        regrade: Some(Arc::new(args.grading.load()?)),
    };
    let (reader, bar) = open_with_progress(&args.file)?;
    let result = import::run_import(store.as_ref(), reader, opts).await;
    store.close().await;
    bar.finish_and_clear();
    let report = result.map_err(|e| e.to_string())?;
    if !report.rejected_features.is_empty() {
        let path = args.rejects.unwrap_or_else(|| rejects_path(&args.file));
        write_rejects(&path, &report)?;
        eprintln!("rejected features written to {}", path.display());
    }
    print_summary(&report);
    Ok(())
}

fn open_with_progress(path: &Path) -> Result<(Box<dyn std::io::Read + Send>, ProgressBar), String> {
    if path.as_os_str() == "-" {
        let bar = ProgressBar::new_spinner();
        return Ok((Box::new(bar.wrap_read(std::io::stdin())), bar));
    }
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let size = file.metadata().map_or(0, |m| m.len());
    let bar = ProgressBar::new(size);
    bar.set_style(
        ProgressStyle::with_template(
            "importing {bar:40.cyan/blue} {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    Ok((Box::new(bar.wrap_read(file)), bar))
}

fn rejects_path(file: &Path) -> PathBuf {
    let name = file
        .file_name()
        .map_or_else(|| "stdin".into(), |n| n.to_string_lossy().into_owned());
    file.with_file_name(format!("{name}.rejects.geojson"))
}

fn write_rejects(path: &Path, report: &ImportReport) -> Result<(), String> {
    let features: Vec<serde_json::Value> = report
        .rejected_features
        .iter()
        .map(|r| {
            let mut f = (*r.feature).clone();
            if let Some(props) = f.get_mut("properties").and_then(|p| p.as_object_mut()) {
                props.insert("reject_reason".into(), r.error.to_string().into());
            }
            f
        })
        .collect();
    let fc = serde_json::json!({"type": "FeatureCollection", "features": features});
    std::fs::write(path, fc.to_string())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn print_summary(r: &ImportReport) {
    println!(
        "import {} into {} ({}): {} features read, {} inserted, {} updated, {} rejected; total area {:.2} m² = {:.4} ha = {:.2} mu",
        r.import_id, r.collection, r.source_crs, r.features, r.inserted, r.updated, r.rejected,
        r.total_area.m2, r.total_area.ha, r.total_area.mu
    );
    for e in &r.rejects {
        println!("  rejected: {e}");
    }
}

async fn backup(from: &StoreLocation, to: &Path) -> Result<(), String> {
    let bar = ProgressBar::new_spinner();
    bar.set_message(format!("backing up {from} to {}", to.display()));
    bar.enable_steady_tick(Duration::from_millis(120));
    let done = store::backup::backup(from, to).await;
    bar.finish_and_clear();
    let b = done.map_err(|e| format!("no backup was written: {e}"))?;
    println!(
        "backed up {from} to {} ({}): the event log up to event {}",
        b.file.display(),
        b.format,
        b.last_event_id
    );
    Ok(())
}

async fn restore(from: &Path, to: &StoreLocation) -> Result<(), String> {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} restoring {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let last = store::backup::restore(from, to, &mut |table, n| {
        bar.set_message(format!("{table}: {n} rows"));
        bar.tick();
    })
    .await;
    bar.finish_and_clear();
    let last = last.map_err(|e| format!("nothing was restored: {e}"))?;
    println!(
        "restored {} into {to}: the event log up to event {last}",
        from.display()
    );
    Ok(())
}

async fn migrate_store(from: &str, to: &str) -> Result<(), String> {
    let (from, to) = (StoreLocation::parse(from), StoreLocation::parse(to));
    if from == to {
        return Err(format!("--from and --to are the same store ({from})"));
    }
    let source = from
        .open()
        .await
        .map_err(|e| format!("cannot open the source ({from}): {e}"))?;
    let target = to
        .open()
        .await
        .map_err(|e| format!("cannot open the target ({to}): {e}"))?;
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} copying {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let copied = store::migrate(source.as_ref(), target.as_ref(), &mut |table, n| {
        bar.set_message(format!("{table}: {n} rows"));
        bar.tick();
    })
    .await
    .map_err(|e| format!("nothing was copied: {e}"));
    source.close().await;
    target.close().await;
    let copied = copied?;
    bar.finish_and_clear();
    let summary: Vec<String> = copied.iter().map(|(t, n)| format!("{n} {t}")).collect();
    println!("copied {from} to {to}: {}", summary.join(", "));
    Ok(())
}

async fn token(action: TokenAction) -> Result<(), String> {
    match action {
        TokenAction::Create {
            store,
            role,
            name,
            expires,
        } => {
            let role: Role = role.parse()?;
            let name = name.trim().to_string();
            if name.is_empty() {
                return Err("a token needs a non-empty --name: it is recorded as the actor".into());
            }
            let expires_at = expires.as_deref().map(expiry).transpose()?;
            let s = store.open().await?;
            let secret = auth::new_secret();
            let created = s
                .create_token(
                    &name,
                    role,
                    &auth::hash_secret(&secret),
                    expires_at.as_deref(),
                )
                .await;
            s.close().await;
            created.map_err(|e| e.to_string())?;
            match &expires_at {
                Some(at) => eprintln!(
                    "token for {name} ({role}), accepted until {at}; it is shown once, keep it safe:"
                ),
                None => eprintln!(
                    "token for {name} ({role}), accepted until revoked; it is shown once, keep it safe:"
                ),
            }
            println!("{secret}");
            Ok(())
        }
        TokenAction::List { store } => {
            let s = store.open().await?;
            let tokens = s.tokens().await;
            s.close().await;
            let tokens = tokens.map_err(|e| e.to_string())?;
            if tokens.is_empty() {
                eprintln!("no tokens yet; create one with `landreuse token create --role ROLE --name NAME`");
                return Ok(());
            }
            println!(
                "{:>4}  {:<24}  {:<8}  {:<24}  state",
                "id", "holder", "role", "created"
            );
            for t in tokens {
                let state = match (&t.revoked_at, &t.expires_at) {
                    (Some(at), _) => format!("revoked at {at}"),
                    (None, Some(at)) => format!("expires at {at}"),
                    (None, None) => "until revoked".to_string(),
                };
                println!(
                    "{:>4}  {:<24}  {:<8}  {:<24}  {state}",
                    t.id,
                    t.name,
                    t.role.code(),
                    t.created_at
                );
            }
            Ok(())
        }
        TokenAction::Revoke { store, token } => {
            let s = store.open().await?;
            let revoked = s.revoke_token(&token).await;
            s.close().await;
            let t = revoked.map_err(|e| e.to_string())?;
            println!(
                "token {} of {} ({}) revoked at {}; every replica refuses it from its next request",
                t.id,
                t.name,
                t.role,
                t.revoked_at.unwrap_or_default()
            );
            Ok(())
        }
    }
}
