//! `stepup`: the command line on the same core as the desktop app.
//!
//! Errors are one clear line on stderr and a non-zero exit status. `--json`
//! prints machine-readable output on stdout.

use std::{
    io::{BufRead, IsTerminal, Write},
    path::PathBuf,
    sync::Arc,
};

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use stepup_protocol::{Channel, ConversationStatus, Preview};
use stepup_store::{
    AssigneeFilter, ConversationFilter, OsKeyring, SearchFilter, Secret, SecretStore,
};
use stepup_sync::{
    Clock, SyncEvent, SyncState, SystemClock,
    account::{AccountError, AccountRecord, Accounts, Session},
    client::ClientError,
    engine::{Engine, EngineConfig, SyncError},
};

#[derive(Debug, Parser)]
#[command(
    name = "stepup",
    version,
    about = "Stepup from the command line: sign in, sync, read, search, send, export."
)]
struct Cli {
    /// Where accounts and caches live (default: the app's data folder).
    #[arg(long, global = true, env = "STEPUP_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// The account to use (id or email); needed when several are signed in.
    #[arg(long, global = true, env = "STEPUP_ACCOUNT")]
    account: Option<String>,
    /// Machine-readable output.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Sign in (the password is prompted, or read from stdin when piped).
    Login {
        #[arg(long)]
        server: String,
        #[arg(long)]
        email: String,
        /// Protect the local cache with a passphrase instead of the system
        /// keyring (prompted, or from STEPUP_PASSPHRASE).
        #[arg(long)]
        passphrase: bool,
    },
    /// Sign out; with --wipe also delete the local cache and its key.
    Logout {
        #[arg(long)]
        wipe: bool,
    },
    /// The accounts signed in on this computer.
    Accounts,
    /// Bring the local cache up to date; --follow keeps following live changes.
    Sync {
        #[arg(long)]
        follow: bool,
        /// Keep this many days of messages in the cache (older ones are
        /// fetched again when needed).
        #[arg(long, default_value_t = 180)]
        retention_days: u64,
    },
    /// Conversations in the local cache, latest first.
    Conversations(ListArgs),
    /// One conversation with its messages.
    Show {
        conversation: String,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Send a text message (queued in the outbox, then sent).
    Send { conversation: String, text: String },
    /// Search messages, contact names and notes (Arabic-aware).
    Search {
        query: String,
        #[command(flatten)]
        filter: ListArgs,
    },
    /// A message's file: `stepup attachment save MESSAGE_ID --out FILE`.
    #[command(subcommand)]
    Attachment(AttachmentCommand),
    /// Write all local data of the account to a JSON file (only its owner may read it).
    Export {
        #[arg(long)]
        out: PathBuf,
        /// Encrypt it with a passphrase (STEPUP_EXPORT_PASSPHRASE, or asked): an age file that
        /// `age -d` opens.
        #[arg(long)]
        encrypt: bool,
    },
    /// Delete the account's local cache, attachments and key (and sign out).
    Wipe,
    /// Check the local cache: integrity, counts, sync position, outbox.
    Check,
    /// Team performance computed from the local cache (works offline): a summary, --csv
    /// (UTF-8 with BOM, for spreadsheets) or --json.
    Analytics(AnalyticsArgs),
}

#[derive(Debug, Subcommand)]
enum AttachmentCommand {
    /// Save a message's photo, voice note, video or document: from the encrypted cache, or
    /// downloaded into it. Never overwrites a file.
    Save {
        message: String,
        /// The file to write, or an existing folder to save it in under its own (cleaned) name.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Args)]
struct AnalyticsArgs {
    /// First day (YYYY-MM-DD, in the workspace's time zone); default: 6 days before --to.
    #[arg(long)]
    from: Option<String>,
    /// Last day, included (YYYY-MM-DD); default: today.
    #[arg(long)]
    to: Option<String>,
    /// Write CSV (UTF-8 with a byte-order mark) instead of the summary.
    #[arg(long, conflicts_with = "json")]
    csv: bool,
    #[arg(long, value_parser = parse_channel)]
    channel: Option<Channel>,
    /// A team id.
    #[arg(long)]
    team: Option<String>,
    /// An agent id (the assignee).
    #[arg(long)]
    agent: Option<String>,
    /// A label id.
    #[arg(long)]
    label: Option<String>,
    /// Country conventions (AE, SA, QA, KW, BH, OM); default: from the workspace's time zone.
    #[arg(long)]
    country: Option<String>,
    /// Label days with their Umm al-Qura Hijri date.
    #[arg(long)]
    hijri: bool,
    /// First-response target, in minutes.
    #[arg(long, default_value_t = 15)]
    first_response_target: u32,
    /// Resolution target, in hours.
    #[arg(long, default_value_t = 24)]
    resolution_target: u32,
    /// Language of the CSV headings (en or ar).
    #[arg(long, default_value = "en")]
    lang: String,
}

#[derive(Debug, Args)]
struct ListArgs {
    #[arg(long, value_parser = parse_channel)]
    channel: Option<Channel>,
    #[arg(long, value_parser = parse_status)]
    status: Option<ConversationStatus>,
    /// An agent id, `me`, or `unassigned`.
    #[arg(long)]
    assignee: Option<String>,
    #[arg(long)]
    label: Option<String>,
    #[arg(long, default_value_t = 50)]
    limit: u32,
}

fn parse_channel(s: &str) -> Result<Channel, String> {
    Channel::parse(s).ok_or_else(|| {
        let names: Vec<&str> = Channel::ALL.iter().map(|c| c.as_str()).collect();
        format!("no channel {s:?}: one of {}", names.join(", "))
    })
}

fn parse_status(s: &str) -> Result<ConversationStatus, String> {
    ConversationStatus::parse(s).ok_or_else(|| {
        let names: Vec<&str> = ConversationStatus::ALL.iter().map(|c| c.as_str()).collect();
        format!("no status {s:?}: one of {}", names.join(", "))
    })
}

/// A preview as one line of the terminal: its text; a file, a place or a card by its kind.
fn preview_line(p: Option<Preview>) -> String {
    let Some(p) = p else {
        return String::new();
    };
    let text = p.text.replace('\n', " ");
    match (p.kind.is_text(), text.is_empty()) {
        (true, _) => text,
        (false, true) => format!("[{}]", p.kind.as_str()),
        (false, false) => format!("[{}] {text}", p.kind.as_str()),
    }
}

fn main() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("STEPUP_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the runtime starts");
    let result = runtime.block_on(run(cli));
    // Let every task and database thread finish before the process exits.
    runtime.shutdown_timeout(std::time::Duration::from_secs(10));
    if let Err(err) = result {
        let mut line = format!("{err}");
        for cause in err.chain().skip(1) {
            line.push_str(&format!(": {cause}"));
        }
        eprintln!("error: {}", terminal_safe(&line));
        std::process::exit(1);
    }
}

fn print_json(value: &impl serde::Serialize) -> Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", json_terminal_safe(&text))?;
    Ok(())
}

/// JSON as a terminal shows it harmlessly, and still the same JSON: serde escapes only the C0
/// controls, so C1 controls (U+0080–U+009F, an 8-bit CSI among them) and bidi embeddings and
/// overrides are written as `\uXXXX` escapes too.
fn json_terminal_safe(json: &str) -> std::borrow::Cow<'_, str> {
    let risky = |c: char| matches!(c, '\u{80}'..='\u{9F}') || stepup_protocol::is_bidi_control(c);
    if !json.chars().any(risky) {
        return std::borrow::Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if risky(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out.into()
}

fn say(text: impl std::fmt::Display) {
    // Human output; a closed pipe is not an error worth a panic. Customers write much of it:
    // nothing they write may drive the terminal.
    let _ = writeln!(std::io::stdout(), "{}", terminal_safe(&text.to_string()));
}

/// Text as a terminal shows it harmlessly: control characters (escape sequences, bells, a
/// carriage return that overwrites the line, C1 controls) become U+FFFD, and the bidi embeddings
/// and overrides that could reorder what is shown are dropped. New lines and tabs stay.
fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let bidi = stepup_protocol::is_bidi_control;
    let unsafe_char = |c: char| (c.is_control() && c != '\n' && c != '\t') || bidi(c);
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars()
        .filter(|c| !bidi(*c))
        .map(|c| if unsafe_char(c) { '\u{FFFD}' } else { c })
        .collect::<String>()
        .into()
}

fn read_secret(prompt: &str) -> Result<Secret<String>> {
    if std::io::stdin().is_terminal() {
        Ok(Secret::new(
            rpassword::prompt_password(prompt).context("cannot read the password")?,
        ))
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from stdin")?;
        Ok(Secret::new(line.trim_end_matches(['\r', '\n']).to_owned()))
    }
}

fn env_passphrase() -> Option<Secret<String>> {
    std::env::var("STEPUP_PASSPHRASE")
        .ok()
        .filter(|p| !p.is_empty())
        .map(Secret::new)
}

struct Ctx {
    accounts: Accounts,
    account: Option<String>,
    json: bool,
    /// Every cache this run opened, closed before the process exits (on
    /// error paths too), so no database thread outlives `main`.
    opened: std::sync::Mutex<Vec<stepup_store::Store>>,
}

impl Ctx {
    fn pick(&self) -> Result<AccountRecord> {
        let list = self.accounts.list();
        match &self.account {
            Some(key) => Ok(self.accounts.find(key)?),
            None => match list.as_slice() {
                [] => bail!("no account is signed in; run `stepup login --server URL --email E`"),
                [one] => Ok(one.clone()),
                _ => bail!(
                    "several accounts are signed in; choose one with --account (see `stepup accounts`)"
                ),
            },
        }
    }

    fn passphrase_for(&self, record: &AccountRecord) -> Result<Option<Secret<String>>> {
        if !record.passphrase {
            return Ok(None);
        }
        match env_passphrase() {
            Some(p) => Ok(Some(p)),
            None => Ok(Some(read_secret("Passphrase for the local cache: ")?)),
        }
    }

    async fn session(&self) -> Result<Session> {
        let record = self.pick()?;
        let pass = self.passphrase_for(&record)?;
        let session = self.accounts.open(record.id.as_str(), pass).await?;
        self.keep(&session.store);
        Ok(session)
    }

    fn keep(&self, store: &stepup_store::Store) {
        self.opened
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(store.clone());
    }

    async fn close_all(&self) {
        let stores = std::mem::take(&mut *self.opened.lock().unwrap_or_else(|p| p.into_inner()));
        for store in stores {
            store.close().await;
        }
    }

    async fn cache(&self) -> Result<(AccountRecord, stepup_store::Store)> {
        let record = self.pick()?;
        let pass = self.passphrase_for(&record)?;
        let (record, store) = self.accounts.open_cache(record.id.as_str(), pass).await?;
        self.keep(&store);
        Ok((record, store))
    }
}

async fn run(cli: Cli) -> Result<()> {
    let data_dir = match cli.data_dir {
        Some(dir) => dir,
        None => stepup_sync::AppPaths::from_env()
            .context("no home folder to keep data in")?
            .data_dir()
            .to_path_buf(),
    };
    let secrets: Arc<dyn SecretStore> = Arc::new(OsKeyring::default());
    let ctx = Ctx {
        accounts: Accounts::new(data_dir, secrets),
        account: cli.account,
        json: cli.json,
        opened: std::sync::Mutex::new(Vec::new()),
    };
    let result = match command(&ctx, cli.command).await {
        Err(e) if revoked(&e) => erase_revoked(&ctx).await.and(Err(e)),
        other => other,
    };
    ctx.close_all().await;
    if !stepup_store::wait_for_database_threads(std::time::Duration::from_secs(5)).await {
        tracing::warn!("database threads still running at exit");
    }
    result
}

/// Whether the cloud answered with a verified order to erase this device.
fn revoked(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<ClientError>(),
            Some(ClientError::DeviceRevoked(_))
        ) || cause
            .downcast_ref::<SyncError>()
            .is_some_and(SyncError::revoked)
            || matches!(
                cause.downcast_ref::<AccountError>(),
                Some(AccountError::Client(ClientError::DeviceRevoked(_)))
            )
            || cause.is::<DeviceRevoked>()
    })
}

/// `sync --follow` ended on a verified order to erase this device.
#[derive(Debug)]
struct DeviceRevoked;

impl std::fmt::Display for DeviceRevoked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("this device was signed out by the workspace")
    }
}

impl std::error::Error for DeviceRevoked {}

/// Obeys an order to erase this device: the unsent messages are written to the export folder,
/// then the cache, its files and its keys are deleted.
async fn erase_revoked(ctx: &Ctx) -> Result<()> {
    ctx.close_all().await;
    let (record, store) = ctx.cache().await?;
    let dir = stepup_sync::AppPaths::from_env()
        .map(|p| p.export_dir().to_path_buf())
        .unwrap_or_else(|| ctx.accounts.data_dir().to_path_buf());
    ctx.opened.lock().unwrap_or_else(|p| p.into_inner()).clear();
    let erased = ctx
        .accounts
        .erase_revoked(&record, store, &dir, now_ms())
        .await?;
    eprintln!(
        "This device was signed out by the workspace: its local cache, files and keys were erased."
    );
    if let Some(file) = erased.unsent_file {
        eprintln!(
            "{} unsent message(s) were saved to {}",
            erased.unsent,
            file.display()
        );
    }
    Ok(())
}

async fn command(ctx: &Ctx, command: Command) -> Result<()> {
    match command {
        Command::Login {
            server,
            email,
            passphrase,
        } => login(ctx, &server, &email, passphrase).await,
        Command::Logout { wipe } => logout(ctx, wipe).await,
        Command::Accounts => {
            let list = ctx.accounts.list();
            if ctx.json {
                return print_json(&list);
            }
            if list.is_empty() {
                say("No accounts.");
            }
            for a in list {
                say(format!(
                    "{}  {}  {} ({:?})  {}",
                    a.id, a.email, a.name, a.role, a.server
                ));
            }
            Ok(())
        }
        Command::Sync {
            follow,
            retention_days,
        } => sync(ctx, follow, retention_days).await,
        Command::Conversations(args) => conversations(ctx, args).await,
        Command::Show {
            conversation,
            limit,
        } => show(ctx, &conversation, limit).await,
        Command::Send { conversation, text } => send(ctx, &conversation, &text).await,
        Command::Search { query, filter } => search(ctx, &query, filter).await,
        Command::Attachment(AttachmentCommand::Save { message, out }) => {
            save_attachment(ctx, &message, &out).await
        }
        Command::Export { out, encrypt } => export(ctx, &out, encrypt).await,
        Command::Wipe => wipe(ctx).await,
        Command::Check => check(ctx).await,
        Command::Analytics(args) => analytics(ctx, args).await,
    }
}

async fn analytics(ctx: &Ctx, args: AnalyticsArgs) -> Result<()> {
    use stepup_analytics::{Country, Filters, Query, Range, Targets};
    let (_, store) = ctx.cache().await?;
    let range = match (&args.from, &args.to) {
        (None, None) => Range::Last7,
        (from, to) => {
            let today = stepup_analytics::today(&store, now_ms()).await?;
            let to = to.clone().unwrap_or(today);
            let from = match from {
                Some(f) => f.clone(),
                None => stepup_analytics::days_before(&to, 6)?,
            };
            Range::Custom { from, to }
        }
    };
    let country = match &args.country {
        Some(c) => Some(
            Country::parse(c)
                .with_context(|| format!("unknown country {c}: use AE, SA, QA, KW, BH or OM"))?,
        ),
        None => None,
    };
    let query = Query {
        range,
        filters: Filters {
            channel: args.channel,
            team: args.team,
            agent: args.agent,
            label: args.label,
        },
        targets: Targets {
            first_response_minutes: args.first_response_target,
            resolution_hours: args.resolution_target,
        },
        country,
        digits: None,
        hijri: args.hijri,
    };
    let d = stepup_analytics::dashboard(&store, &query, now_ms()).await?;
    if ctx.json {
        return print_json(&d);
    }
    let locale = stepup_i18n::Locale::from_tag(&args.lang)
        .with_context(|| format!("unknown language {}: use en or ar", args.lang))?;
    let labels = CatalogLabels {
        catalog: stepup_i18n::Catalog::embedded(),
        locale,
    };
    if args.csv {
        let mut out = std::io::stdout().lock();
        out.write_all(stepup_analytics::csv::to_csv(&d, &labels).as_bytes())?;
        return Ok(());
    }
    use stepup_analytics::csv::Labels;
    say(format!(
        "{} → {} ({}, {})",
        d.days.first().map_or("", |d| d.date.as_str()),
        d.days.last().map_or("", |d| d.date.as_str()),
        d.time_zone,
        d.country.as_str()
    ));
    for f in &d.figures {
        let value = match (f.value, f.unit) {
            (None, _) => "-".to_owned(),
            (Some(v), stepup_analytics::Unit::Duration) => format!("{:.1} min", v / 60_000.0),
            (Some(v), stepup_analytics::Unit::Percent) => format!("{v:.1}%"),
            (Some(v), stepup_analytics::Unit::Score) => format!("{v:.2} / 5"),
            (Some(v), stepup_analytics::Unit::Count) => format!("{v:.0}"),
        };
        say(format!(
            "{:<34} {value}",
            stepup_i18n::strip_isolation(
                &labels.label(&format!("analytics-fig-{}", f.id.replace('_', "-")))
            )
        ));
    }
    Ok(())
}

/// CSV headings from the app's translations.
struct CatalogLabels {
    catalog: stepup_i18n::Catalog,
    locale: stepup_i18n::Locale,
}

impl stepup_analytics::csv::Labels for CatalogLabels {
    fn label(&self, id: &str) -> String {
        stepup_i18n::strip_isolation(&self.catalog.format(self.locale, id, None))
    }
}

fn now_ms() -> i64 {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

async fn login(ctx: &Ctx, server: &str, email: &str, with_passphrase: bool) -> Result<()> {
    let password = read_secret("Password: ")?;
    let passphrase = match (with_passphrase, env_passphrase()) {
        (_, Some(p)) => Some(p),
        (true, None) => Some(read_secret("New passphrase for the local cache: ")?),
        (false, None) => None,
    };
    let session = ctx
        .accounts
        .sign_in(server, email, &password, passphrase)
        .await?;
    if ctx.json {
        return print_json(&session.account);
    }
    say(format!(
        "Signed in as {} <{}> ({})",
        session.account.name, session.account.email, session.account.id
    ));
    Ok(())
}

async fn logout(ctx: &Ctx, wipe: bool) -> Result<()> {
    let record = ctx.pick()?;
    match ctx.session().await {
        Ok(session) => {
            let unsent = session.store.outbox().await?;
            if wipe && !unsent.is_empty() {
                eprintln!("{} unsent message(s) will be discarded:", unsent.len());
                for e in &unsent {
                    eprintln!("  {} in {}", e.local_id, e.conversation_id);
                }
            }
            ctx.accounts.sign_out(session, wipe).await?;
        }
        // A cache that cannot be opened can still be forgotten.
        Err(e) => {
            eprintln!("warning: {e}; signing out locally");
            ctx.accounts.forget(&record, wipe).await?;
        }
    }
    say(if wipe {
        "Signed out; the local cache and its key are deleted."
    } else {
        "Signed out."
    });
    Ok(())
}

async fn wipe(ctx: &Ctx) -> Result<()> {
    let record = ctx.pick()?;
    match ctx.cache().await {
        Ok((_, store)) => {
            let unsent = store.outbox().await?;
            if !unsent.is_empty() {
                eprintln!("{} unsent message(s) will be discarded:", unsent.len());
                for e in &unsent {
                    eprintln!("  {} in {}", e.local_id, e.conversation_id);
                }
            }
            store.close().await;
        }
        Err(e) => eprintln!("warning: {e}"),
    }
    ctx.accounts.forget(&record, true).await?;
    say("The local cache, its attachments and its key are deleted.");
    Ok(())
}

async fn sync(ctx: &Ctx, follow: bool, retention_days: u64) -> Result<()> {
    let session = ctx.session().await?;
    let config = EngineConfig {
        retention: std::time::Duration::from_secs(retention_days.saturating_mul(24 * 3600)),
        ..EngineConfig::default()
    };
    let engine = Engine::new(&session, Arc::new(SystemClock), config);
    let mut events = engine.subscribe();
    let tty = std::io::stderr().is_terminal();
    let progress = tokio::spawn(async move {
        while let Ok(ev) = events.recv().await {
            match ev {
                SyncEvent::State(SyncState::Bootstrapping { applied, total }) if tty => {
                    eprint!("\r{}", progress_line(applied, total));
                }
                SyncEvent::State(SyncState::Online { .. }) if tty => {
                    eprintln!("\rUp to date; following live changes.")
                }
                SyncEvent::State(SyncState::Offline { error, .. }) => {
                    eprintln!("\roffline: {error}; retrying")
                }
                SyncEvent::NewInbound { message } => {
                    let line = serde_json::json!({ "conversation_id": message.conversation_id, "message_id": message.id });
                    let _ = writeln!(std::io::stdout(), "{line}");
                }
                _ => {}
            }
        }
    });
    if follow {
        engine
            .run(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await;
        if engine.was_revoked() {
            progress.abort();
            return Err(DeviceRevoked.into());
        }
    } else {
        let applied = engine.catch_up().await?;
        let pruned = engine.apply_retention().await?;
        let sent = engine.flush_outbox().await.unwrap_or(0);
        if tty {
            eprint!("\r");
        }
        if ctx.json {
            print_json(&serde_json::json!({ "applied": applied, "sent": sent, "pruned": pruned }))?;
        } else {
            say(format!(
                "Up to date: {applied} change(s) applied, {sent} message(s) sent."
            ));
        }
    }
    progress.abort();
    session.store.close().await;
    Ok(())
}

/// The initial sync's progress: a bar when the total is known, a counter
/// otherwise (after resuming a snapshot part-way).
fn progress_line(applied: u64, total: Option<u64>) -> String {
    const WIDTH: u64 = 30;
    match total {
        Some(total) if total > 0 => {
            let done = applied.min(total);
            let filled = (done * WIDTH / total) as usize;
            format!(
                "Initial sync [{}{}] {:>3}%  {done}/{total} changes",
                "#".repeat(filled),
                "-".repeat(WIDTH as usize - filled),
                done * 100 / total
            )
        }
        _ => format!("Initial sync… {applied} changes"),
    }
}

fn list_filter(args: &ListArgs, me: &str) -> ConversationFilter {
    ConversationFilter {
        channel: args.channel,
        status: args.status,
        assignee: args.assignee.as_deref().map(|a| match a {
            "me" => AssigneeFilter::Agent(me.to_owned()),
            "unassigned" => AssigneeFilter::Nobody,
            agent => AssigneeFilter::Agent(agent.to_owned()),
        }),
        label: args.label.clone(),
        limit: args.limit,
        ..Default::default()
    }
}

async fn conversations(ctx: &Ctx, args: ListArgs) -> Result<()> {
    let (record, store) = ctx.cache().await?;
    let rows = store
        .conversations(&list_filter(&args, &record.agent_id))
        .await?;
    if ctx.json {
        return print_json(&rows);
    }
    for r in rows {
        let c = r.conversation;
        say(format!(
            "{}  {:<9} {:<8} {:>3}  {}  {}",
            c.id,
            c.channel.as_str(),
            c.status.as_str(),
            c.unread_count,
            r.contact_name.unwrap_or_default(),
            preview_line(c.preview)
        ));
    }
    Ok(())
}

async fn show(ctx: &Ctx, id: &str, limit: u32) -> Result<()> {
    let (_, store) = ctx.cache().await?;
    let conversation = store
        .conversation(id)
        .await?
        .with_context(|| format!("no conversation {id} in the local cache"))?;
    let contact = store.contact(&conversation.contact_id).await?;
    let messages = store.messages(id, None, limit).await?;
    let notes = store.notes(id).await?;
    let pending: Vec<_> = store
        .outbox()
        .await?
        .into_iter()
        .filter(|e| e.conversation_id == id)
        .collect();
    if ctx.json {
        return print_json(&serde_json::json!({
            "conversation": conversation, "contact": contact, "messages": messages, "notes": notes, "outbox": pending,
        }));
    }
    say(format!(
        "{} · {} · {:?}",
        contact.map(|c| c.name).unwrap_or_default(),
        conversation.channel.as_str(),
        conversation.status
    ));
    for m in messages {
        let who = if m.direction == stepup_protocol::Direction::Inbound {
            "<"
        } else {
            ">"
        };
        let text = stepup_store_text(&m.content);
        say(format!("{who} {}  {text}", m.id));
    }
    for e in pending {
        say(format!(
            "> {} ({:?}{})",
            e.local_id,
            e.state,
            e.error.map(|r| format!(": {r}")).unwrap_or_default()
        ));
    }
    Ok(())
}

fn stepup_store_text(content: &stepup_protocol::MessageContent) -> String {
    serde_json::to_value(content)
        .ok()
        .and_then(|v| {
            ["text", "rendered", "caption", "title", "name"]
                .iter()
                .find_map(|k| v.get(*k).and_then(|t| t.as_str()).map(str::to_owned))
                .or_else(|| {
                    v.get("type")
                        .and_then(|t| t.as_str())
                        .map(|t| format!("[{t}]"))
                })
        })
        .unwrap_or_default()
}

async fn send(ctx: &Ctx, conversation: &str, text: &str) -> Result<()> {
    let session = ctx.session().await?;
    if session.store.conversation(conversation).await?.is_none() {
        bail!("no conversation {conversation} in the local cache; run `stepup sync` first");
    }
    let engine = Engine::new(&session, Arc::new(SystemClock), EngineConfig::default());
    let entry = engine.send_text(conversation, text).await?;
    let result = engine.flush_outbox().await;
    let after = session.store.outbox_entry(&entry.local_id).await?;
    session.store.close().await;
    let (state, error) = match (&after, result) {
        (None, _) => ("sent", None),
        (Some(e), _) if e.state == stepup_store::OutboxState::Failed => ("failed", e.error.clone()),
        (Some(e), Err(err)) => (
            "queued",
            Some(e.error.clone().unwrap_or_else(|| err.to_string())),
        ),
        (Some(_), Ok(_)) => ("queued", None),
    };
    if ctx.json {
        print_json(
            &serde_json::json!({ "local_id": entry.local_id, "state": state, "error": error }),
        )?;
    } else {
        match state {
            "sent" => say("Sent."),
            "queued" => say(format!(
                "Queued; it will be sent when the server can be reached ({}).",
                error.clone().unwrap_or_default()
            )),
            _ => {}
        }
    }
    if state == "failed" {
        bail!("the message was not sent: {}", error.unwrap_or_default());
    }
    Ok(())
}

async fn save_attachment(ctx: &Ctx, message_id: &str, out: &std::path::Path) -> Result<()> {
    let session = ctx.session().await?;
    let message = session.store.message(message_id).await?.with_context(|| {
        format!("no message {message_id} in the local cache; run `stepup sync` first")
    })?;
    let stepup_protocol::MessageContent::Attachment { attachment, .. } = &message.content else {
        bail!("message {message_id} carries no file");
    };
    let Some(id) = attachment.attachment_id.as_deref() else {
        bail!("the file of message {message_id} is not available yet");
    };
    let engine = Engine::new(&session, Arc::new(SystemClock), EngineConfig::default());
    let file = engine.attachment(id).await?;
    let path = if out.is_dir() {
        let fallback = format!(
            "attachment-{}",
            stepup_sync::paths::safe_file_name(id, "file")
        );
        out.join(stepup_sync::paths::safe_file_name(
            attachment.filename.as_deref().unwrap_or(""),
            &fallback,
        ))
    } else {
        out.to_path_buf()
    };
    // Created new (an existing file is never replaced), and removed again if writing fails.
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    if let Err(e) = f.write_all(&file.bytes).and_then(|()| f.sync_all()) {
        drop(f);
        let _ = std::fs::remove_file(&path);
        return Err(e).with_context(|| format!("cannot write {}", path.display()));
    }
    // A customer sent it: the OS warns before opening it, as for a browser's download.
    let origin = format!(
        "{}/v1/attachments/{}",
        session.account.server,
        stepup_protocol::path_segment(id)
    );
    if let Err(e) = stepup_sync::paths::mark_downloaded(&path, &origin) {
        tracing::warn!(error = %e, "could not mark the saved file as downloaded");
    }
    if ctx.json {
        return print_json(&serde_json::json!({
            "path": path, "bytes": file.bytes.len(), "content_type": file.content_type,
        }));
    }
    say(format!(
        "Saved {} ({}, {} bytes).",
        path.display(),
        file.content_type,
        file.bytes.len()
    ));
    Ok(())
}

async fn search(ctx: &Ctx, query: &str, args: ListArgs) -> Result<()> {
    let (record, store) = ctx.cache().await?;
    let f = list_filter(&args, &record.agent_id);
    let filter = SearchFilter {
        channel: f.channel,
        status: f.status,
        assignee: f.assignee,
        label: f.label,
        from: None,
        to: None,
        limit: args.limit,
        within: None,
    };
    let hits = store.search(query, &filter).await?;
    if ctx.json {
        return print_json(&hits);
    }
    for h in hits {
        say(format!(
            "{:?} {} {}  {}",
            h.kind,
            h.id,
            h.conversation_id.unwrap_or_default(),
            h.snippet.marked()
        ));
    }
    Ok(())
}

async fn export(ctx: &Ctx, out: &std::path::Path, encrypt: bool) -> Result<()> {
    let (record, store) = ctx.cache().await?;
    stepup_sync::account::check_export(&record, &store).await?;
    let passphrase = if encrypt {
        let p = match std::env::var("STEPUP_EXPORT_PASSPHRASE")
            .ok()
            .filter(|p| !p.is_empty())
        {
            Some(p) => Secret::new(p),
            None => read_secret("Passphrase for the export: ")?,
        };
        stepup_store::check_new_passphrase(p.expose())?;
        Some(p)
    } else {
        None
    };
    let tmp = out.with_extension("partial");
    // Only its owner may read it: it holds the customers' messages.
    let file = stepup_store::private::create_file(&tmp)
        .with_context(|| format!("cannot create {}", tmp.display()))?;
    let writer = std::io::BufWriter::new(file);
    let n = match &passphrase {
        Some(p) => {
            let mut age = stepup_store::age::AgeWriter::new(
                writer,
                p,
                stepup_store::age::SCRYPT_LOG_N,
                &mut rand::rng(),
            )?;
            let n = store.export_json(&mut age, SystemClock.now_ms()).await?;
            age.finish()?.flush()?;
            n
        }
        None => {
            let mut writer = writer;
            let n = store.export_json(&mut writer, SystemClock.now_ms()).await?;
            writer.flush()?;
            n
        }
    };
    std::fs::rename(&tmp, out).with_context(|| format!("cannot write {}", out.display()))?;
    if ctx.json {
        print_json(&serde_json::json!({ "records": n, "path": out }))
    } else {
        say(format!("Exported {n} records to {}", out.display()));
        Ok(())
    }
}

async fn check(ctx: &Ctx) -> Result<()> {
    let (_, store) = ctx.cache().await?;
    store.integrity_check().await?;
    let counts: serde_json::Map<String, serde_json::Value> = store
        .counts()
        .await?
        .into_iter()
        .map(|(k, v)| (k, v.into()))
        .collect();
    let cursor = store.sync_cursor().await?;
    let cipher = store.cipher_version().await?;
    store.close().await;
    let report = serde_json::json!({
        "integrity": "ok", "counts": counts, "cursor": cursor.cursor, "bootstrapped": cursor.bootstrapped, "cipher": cipher,
    });
    if ctx.json {
        print_json(&report)
    } else {
        say(report.to_string());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{json_terminal_safe, progress_line, terminal_safe};

    #[test]
    fn customer_text_cannot_drive_the_terminal() {
        assert_eq!(
            terminal_safe("مرحبا Fatima\n\tطلب #4471"),
            "مرحبا Fatima\n\tطلب #4471"
        );
        assert_eq!(
            terminal_safe("Ali\u{1b}[2J\u{1b}]0;pwned\u{7}\rX\u{9b}31m"),
            "Ali\u{FFFD}[2J\u{FFFD}]0;pwned\u{FFFD}\u{FFFD}X\u{FFFD}31m"
        );
        assert_eq!(terminal_safe("Invoice\u{202E}fdp.exe"), "Invoicefdp.exe");
        // JSON output: serde escapes C0 controls; C1 controls and bidi overrides are escaped too,
        // and it is still the same JSON.
        let json =
            serde_json::to_string(&serde_json::json!({"name": "X\u{9b}31m\u{202E}fdp"})).unwrap();
        let safe = json_terminal_safe(&json);
        assert!(
            !safe.chars().any(|c| c == '\u{9b}' || c == '\u{202E}'),
            "{safe}"
        );
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back["name"], "X\u{9b}31m\u{202E}fdp");
    }

    #[test]
    fn the_progress_bar_fills_with_the_snapshot() {
        assert_eq!(
            progress_line(0, Some(200)),
            "Initial sync [------------------------------]   0%  0/200 changes"
        );
        assert_eq!(
            progress_line(100, Some(200)),
            "Initial sync [###############---------------]  50%  100/200 changes"
        );
        assert_eq!(
            progress_line(250, Some(200)),
            "Initial sync [##############################] 100%  200/200 changes"
        );
        assert_eq!(progress_line(42, None), "Initial sync… 42 changes");
    }
}
