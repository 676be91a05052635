//! `stepup-cloud workspace create | connect | connections`: a new shop, its first admin and its
//! channel connections, on the server's database. Secrets come from the environment or standard
//! input, never from the command line (other users of the machine can read that).

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use stepup_cloud::connections::{Credentials, NewConnection};
use stepup_cloud::secret::Secret;
use stepup_cloud::vault::ServerKey;
use stepup_cloud::{AppState, Config};
use stepup_protocol::{Channel, Role};

pub enum Command {
    CreateWorkspace {
        db: Db,
        name: String,
        time_zone: String,
        admin_email: String,
        admin_name: String,
    },
    Connect {
        db: Db,
        workspace: String,
        channel: Channel,
        account: String,
        name: Option<String>,
    },
    Connections {
        db: Db,
        workspace: String,
    },
}

/// The database an administration command works on: the SQLite database in `--data-dir`, or
/// the PostgreSQL database of `STEPUP_DATABASE_URL`.
pub enum Db {
    Dir(PathBuf),
    Url(Secret),
}

/// `STEPUP_DATABASE_URL`: a PostgreSQL database (`postgres://user@host:5432/stepup`). Its
/// password is best left to `PGPASSWORD` or `~/.pgpass`, out of the URL.
pub fn database_url_from_env() -> Option<Secret> {
    std::env::var("STEPUP_DATABASE_URL")
        .ok()
        .map(|u| u.trim().to_owned())
        .filter(|u| !u.is_empty())
        .map(Secret::new)
}

/// The server key (`STEPUP_CLOUD_KEY`) and public address (`STEPUP_PUBLIC_URL`) from the
/// environment.
pub fn server_settings() -> Result<(Option<ServerKey>, Option<String>), String> {
    let key = ServerKey::from_env().map_err(|e| e.to_string())?;
    let public = std::env::var("STEPUP_PUBLIC_URL")
        .ok()
        .map(|u| u.trim().trim_end_matches('/').to_owned())
        .filter(|u| !u.is_empty());
    if let Some(u) = &public
        && !u.starts_with("https://")
    {
        return Err(format!(
            "STEPUP_PUBLIC_URL must be an https:// address (providers call it): {u}"
        ));
    }
    Ok((key, public))
}

impl Command {
    /// `None` when `argv` is not an administration command (then it is the server's flags).
    pub fn parse(argv: &[String]) -> Option<Result<Command, String>> {
        let (verb, rest) = match argv {
            [w, c, rest @ ..] if w == "workspace" && c == "create" => ("workspace", rest),
            [c, rest @ ..] if c == "connect" || c == "connections" => (c.as_str(), rest),
            _ => return None,
        };
        Some(Self::parse_flags(verb, rest))
    }

    fn parse_flags(verb: &str, rest: &[String]) -> Result<Command, String> {
        let mut flags = std::collections::HashMap::new();
        let mut it = rest.iter();
        while let Some(flag) = it.next() {
            let name = flag
                .strip_prefix("--")
                .ok_or_else(|| format!("unexpected argument {flag}"))?;
            let value = it.next().ok_or_else(|| format!("--{name} needs a value"))?;
            flags.insert(name.to_owned(), value.clone());
        }
        let mut take = |name: &str| flags.remove(name);
        let need = |v: Option<String>, name: &str| v.ok_or_else(|| format!("--{name} is needed"));
        let db = match (take("data-dir"), database_url_from_env()) {
            (Some(dir), _) => Db::Dir(PathBuf::from(dir)),
            (None, Some(url)) => Db::Url(url),
            (None, None) => {
                return Err(
                    "--data-dir is needed (or STEPUP_DATABASE_URL, for PostgreSQL)".to_owned(),
                );
            }
        };
        let command = match verb {
            "workspace" => {
                let admin_email = need(take("admin-email"), "admin-email")?;
                Command::CreateWorkspace {
                    db,
                    name: need(take("name"), "name")?,
                    time_zone: take("time-zone").unwrap_or_else(|| "Asia/Dubai".into()),
                    admin_name: take("admin-name").unwrap_or_else(|| admin_email.clone()),
                    admin_email,
                }
            }
            "connect" => {
                let channel = need(take("channel"), "channel")?;
                Command::Connect {
                    db,
                    workspace: need(take("workspace"), "workspace")?,
                    channel: Channel::parse(&channel)
                        .ok_or_else(|| format!("unknown channel {channel}"))?,
                    account: take("account").unwrap_or_default(),
                    name: take("name"),
                }
            }
            _ => Command::Connections {
                db,
                workspace: need(take("workspace"), "workspace")?,
            },
        };
        match flags.keys().next() {
            Some(extra) => Err(format!("unknown flag --{extra}")),
            None => Ok(command),
        }
    }
}

fn env_secret(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

async fn state(db: Db) -> Result<AppState, String> {
    let (key, public_url) = server_settings()?;
    let mut config = Config::ephemeral();
    match db {
        Db::Dir(dir) => config.data_dir = Some(dir),
        Db::Url(url) => config.database_url = Some(url),
    }
    config.compaction_interval = None;
    config.outbound = stepup_cloud::OutboundConfig::from_env();
    config.server_key = key;
    config.public_url = public_url;
    AppState::new(config).await.map_err(|e| e.to_string())
}

async fn execute(command: Command) -> Result<(), String> {
    match command {
        Command::CreateWorkspace {
            db,
            name,
            time_zone,
            admin_email,
            admin_name,
        } => {
            let password = match env_secret("STEPUP_ADMIN_PASSWORD") {
                Some(p) => p,
                None => {
                    let mut line = String::new();
                    std::io::stdin()
                        .lock()
                        .read_line(&mut line)
                        .map_err(|e| e.to_string())?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            if password.chars().count() < 10 {
                return Err("the admin's password needs at least 10 characters".into());
            }
            let st = state(db).await?;
            let ws = st
                .create_workspace(&name, &time_zone)
                .await
                .map_err(|e| e.to_string())?;
            st.create_agent(
                &ws.id,
                &admin_name,
                &admin_email,
                &password,
                Role::Admin,
                vec![],
            )
            .await
            .map_err(|e| e.to_string())?;
            say(&ws.id);
        }
        Command::Connect {
            db,
            workspace,
            channel,
            account,
            name,
        } => {
            let credentials = Credentials {
                access_token: env_secret("STEPUP_CONNECT_ACCESS_TOKEN"),
                app_secret: env_secret("STEPUP_CONNECT_APP_SECRET"),
                bot_token: env_secret("STEPUP_CONNECT_BOT_TOKEN"),
                webhook_secret: None,
                client_secret: env_secret("STEPUP_CONNECT_CLIENT_SECRET"),
            };
            let st = state(db).await?;
            let c = st
                .connect(
                    &workspace,
                    NewConnection {
                        channel,
                        name: name.unwrap_or_else(|| {
                            format!("{} {account}", channel.as_str()).trim().to_owned()
                        }),
                        account_id: account,
                        credentials,
                    },
                )
                .await
                .map_err(|e| e.to_string())?;
            say(&c.id);
            if c.channel == Channel::Webchat {
                // What the shop puts on its website.
                let cloud = st.config().public_url.as_deref().unwrap_or("https://CLOUD");
                say(&format!(
                    "<script src=\"{cloud}/webchat/widget.js\" data-key=\"{}\" async></script>",
                    c.account_id
                ));
            }
        }
        Command::Connections { db, workspace } => {
            let st = state(db).await?;
            for c in st
                .connections(&workspace)
                .await
                .map_err(|e| e.to_string())?
            {
                say(&format!(
                    "{}\t{}\t{}\t{}",
                    c.id,
                    c.channel.as_str(),
                    c.account_id,
                    c.name
                ));
            }
        }
    }
    Ok(())
}

#[allow(clippy::print_stdout)]
fn say(line: &str) {
    println!("{line}");
}

pub async fn run(command: Command) -> ExitCode {
    match execute(command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stepup-cloud: {e}");
            ExitCode::FAILURE
        }
    }
}
