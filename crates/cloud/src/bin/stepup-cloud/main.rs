//! `stepup-cloud --listen ADDR (--data-dir DIR | --database-url postgres://…) [--tls-cert FILE --tls-key FILE] [--updates-dir DIR] [--demo [--seed N] [--rate R]]`
//!
//! Administration, on the database in `--data-dir` or `STEPUP_DATABASE_URL` (the server may be
//! running):
//! `stepup-cloud workspace create`, `stepup-cloud connect`, `stepup-cloud connections`.

mod admin;

use std::net::SocketAddr;
use std::path::PathBuf;

use stepup_cloud::{ChannelSecrets, Config, Server};

#[derive(Debug)]
struct Args {
    listen: SocketAddr,
    data_dir: Option<PathBuf>,
    database_url: Option<stepup_cloud::secret::Secret>,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
    updates_dir: Option<PathBuf>,
    demo: bool,
    seed: u64,
    rate: f64,
}

const USAGE: &str =
    "usage: stepup-cloud [--listen ADDR] [--data-dir DIR | --database-url URL]
                    [--tls-cert FILE --tls-key FILE]
                    [--updates-dir DIR] [--demo [--seed N] [--rate MSGS_PER_MIN]]
       stepup-cloud workspace create --data-dir DIR --name NAME --admin-email EMAIL
                    [--admin-name NAME] [--time-zone Asia/Dubai]
       stepup-cloud connect --data-dir DIR --workspace WS --channel CHANNEL [--account ID] [--name NAME]
       stepup-cloud connections --data-dir DIR --workspace WS

  --listen ADDR     address to listen on (default 127.0.0.1:8080; port 0 picks a free one)
  --data-dir DIR    where the SQLite database lives (default: in memory)
  --database-url URL
                    a PostgreSQL database instead (postgres://user@host:5432/stepup; default:
                    STEPUP_DATABASE_URL). Any number of servers may share it. It is created
                    if missing and migrated at start; keep its password in PGPASSWORD or
                    ~/.pgpass, not in the URL. The administration commands below use
                    STEPUP_DATABASE_URL when --data-dir is not given.
  --tls-cert FILE   serve HTTPS and WSS with this PEM certificate chain (leaf first)
  --tls-key FILE    the certificate's PEM private key
                    (without them it serves plain HTTP: for loopback, or behind a proxy that ends TLS)
  --updates-dir DIR the desktop app's signed releases, offered as updates under
                    /v1/desktop/updates (one folder per version with its release.json;
                    default: STEPUP_UPDATES_DIR, else none)

  Secrets never go on the command line: the admin's password comes from STEPUP_ADMIN_PASSWORD
  or standard input; a connection's credentials from STEPUP_CONNECT_ACCESS_TOKEN,
  STEPUP_CONNECT_APP_SECRET, STEPUP_CONNECT_BOT_TOKEN and STEPUP_CONNECT_CLIENT_SECRET, sealed
  under STEPUP_CLOUD_KEY (64 hex digits). STEPUP_PUBLIC_URL is where providers reach this server
  (a connected Telegram bot's webhook is set there). STEPUP_TRUSTED_PROXY is the address of a
  reverse proxy in front of this server, whose X-Forwarded-For is then believed for per-address
  limits (sign-ins, new Web Chat visitors). `connect --channel webchat` makes the shop's
  widget key (or takes --account KEY) and prints the <script> tag for its website.
  --demo            seed the demo workspace and run the live message generator
  --seed N          demo seed (default 7)
  --rate R          live generator: inbound messages per minute, 0 = off (default 6)";

fn parse() -> Result<Args, String> {
    let mut args = Args {
        listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
        data_dir: None,
        database_url: None,
        tls_cert: None,
        tls_key: None,
        updates_dir: std::env::var_os("STEPUP_UPDATES_DIR")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from),
        demo: false,
        seed: 7,
        rate: 6.0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match a.as_str() {
            "--listen" => {
                args.listen = value("--listen")?
                    .parse()
                    .map_err(|e| format!("--listen: {e}"))?
            }
            "--data-dir" => args.data_dir = Some(PathBuf::from(value("--data-dir")?)),
            "--database-url" => {
                args.database_url =
                    Some(stepup_cloud::secret::Secret::new(value("--database-url")?))
            }
            "--tls-cert" => args.tls_cert = Some(PathBuf::from(value("--tls-cert")?)),
            "--tls-key" => args.tls_key = Some(PathBuf::from(value("--tls-key")?)),
            "--updates-dir" => args.updates_dir = Some(PathBuf::from(value("--updates-dir")?)),
            "--demo" => args.demo = true,
            "--seed" => {
                args.seed = value("--seed")?
                    .parse()
                    .map_err(|e| format!("--seed: {e}"))?
            }
            "--rate" => {
                args.rate = value("--rate")?
                    .parse()
                    .map_err(|e| format!("--rate: {e}"))?
            }
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    match (&args.data_dir, &args.database_url) {
        (Some(_), Some(_)) => return Err("--data-dir and --database-url: one or the other".into()),
        // An explicit --data-dir wins over the environment's database.
        (None, None) => args.database_url = admin::database_url_from_env(),
        _ => {}
    }
    if args.tls_cert.is_some() != args.tls_key.is_some() {
        return Err("--tls-cert and --tls-key go together".into());
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if let Some(command) = admin::Command::parse(&argv) {
        return match command {
            Ok(command) => admin::run(command).await,
            Err(e) => {
                eprintln!("{e}\n{USAGE}");
                std::process::ExitCode::from(2)
            }
        };
    }
    let args = match parse() {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("{e}");
            }
            eprintln!("{USAGE}");
            return std::process::ExitCode::from(2);
        }
    };
    let mut config = Config::ephemeral();
    config.listen = args.listen;
    config.data_dir = args.data_dir;
    config.database_url = args.database_url;
    config.updates_dir = args.updates_dir;
    if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
        match stepup_cloud::tls::server_config_from_files(cert, key) {
            Ok(tls) => config.tls = Some(tls),
            Err(e) => {
                eprintln!("stepup-cloud: TLS: {e}");
                return std::process::ExitCode::FAILURE;
            }
        }
    }
    config.secrets = ChannelSecrets::from_env();
    config.outbound = stepup_cloud::OutboundConfig::from_env();
    config.media_allow_private_hosts =
        std::env::var("STEPUP_MEDIA_ALLOW_PRIVATE_HOSTS").is_ok_and(|v| v == "1");
    config.model_allow_private_hosts =
        std::env::var("STEPUP_MODEL_ALLOW_PRIVATE_HOSTS").is_ok_and(|v| v == "1");
    if let Some(v) = std::env::var("STEPUP_TRUSTED_PROXY")
        .ok()
        .filter(|v| !v.is_empty())
    {
        match v.trim().parse() {
            Ok(ip) => config.trusted_proxy = Some(ip),
            Err(_) => {
                eprintln!("stepup-cloud: STEPUP_TRUSTED_PROXY must be an IP address: {v}");
                return std::process::ExitCode::FAILURE;
            }
        }
    }
    match admin::server_settings() {
        Ok((key, public_url)) => {
            config.server_key = key;
            config.public_url = public_url;
        }
        Err(e) => {
            eprintln!("stepup-cloud: {e}");
            return std::process::ExitCode::FAILURE;
        }
    }
    if args.demo {
        config.secrets = config.secrets.with_demo_defaults();
    }
    let server = match Server::start(config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("stepup-cloud: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let mut server = server;
    if args.demo {
        match stepup_cloud::demo::start_demo(&mut server, args.seed, args.rate).await {
            Ok(info) => {
                eprintln!("demo workspace: {}", info.workspace_id);
                for l in &info.logins {
                    eprintln!(
                        "  {:<11} {:<28} password: {}",
                        format!("{:?}", l.role).to_lowercase(),
                        l.email,
                        l.password
                    );
                }
            }
            Err(e) => {
                eprintln!("stepup-cloud: demo seed failed: {e}");
                return std::process::ExitCode::FAILURE;
            }
        }
    }
    // The one line a launcher reads.
    #[allow(clippy::print_stdout)]
    {
        println!("listening on {}", server.url());
    }
    let _ = tokio::signal::ctrl_c().await;
    server.shutdown().await;
    std::process::ExitCode::SUCCESS
}
