//! Connecting to a server from a libpq-style URL: TLS as `sslmode` asks (libpq's meanings,
//! including `verify-ca` and `verify-full` with `sslrootcert`), `PGPASSWORD` and the other
//! usual environment defaults, an `application_name` a DBA can recognise, and a connect
//! timeout so an unreachable server is an error within seconds, never a hang. Every failure
//! becomes one line that names the server without its password.

use super::tls::{Check, MakeTls};
use crate::store::error::StoreError;
use crate::store::target::PgUrl;
use postgres::config::SslMode;
use postgres::{Client, Config};
use std::sync::OnceLock;
use std::time::Duration;

/// Used when the URL sets no `connect_timeout`.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

static APPLICATION_NAME: OnceLock<String> = OnceLock::new();

/// Names this process's connections (`application_name`), e.g. `baton list`, unless the
/// URL sets its own. The first call wins.
pub fn set_application_name(name: &str) {
    let _ = APPLICATION_NAME.set(name.to_string());
}

/// How `sslmode` asks the certificate to be checked (libpq's rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verify {
    /// No TLS at all.
    Off,
    /// Encrypt, check nothing (prefer, require without a root certificate).
    Encrypt,
    /// Check the chain against the root certificate, not the host name (verify-ca, or
    /// require with `sslrootcert`).
    Chain,
    /// Check the chain and that the certificate names the host (verify-full).
    Full,
}

/// The parts of the URL baton handles itself, and the rest for the driver.
struct Parsed {
    config: Config,
    verify: Verify,
    root_cert: Option<String>,
}

fn parse(url: &PgUrl) -> Result<Parsed, String> {
    let raw = url.secret();
    let (base, query) = match raw.split_once('?') {
        Some((b, q)) => (b, q),
        None => (raw, ""),
    };
    let mut kept = Vec::new();
    let mut mode = None;
    let mut root_cert = None;
    for kv in query.split('&').filter(|kv| !kv.is_empty()) {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        match k {
            "sslmode" => mode = Some(v.to_string()),
            "sslrootcert" => root_cert = Some(percent_decode(v)),
            // Client certificates are not supported; say so rather than ignore them.
            "sslcert" | "sslkey" | "sslcrl" | "sslpassword" => {
                return Err(format!(
                    "the URL parameter {k} (client certificates) is not supported; connect with a password or trust"
                ));
            }
            _ => kept.push(kv),
        }
    }
    let cleaned = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    let mut config: Config = cleaned
        .parse()
        .map_err(|e: postgres::Error| format!("the URL is not a valid PostgreSQL URL ({e})"))?;
    let mode = mode
        .or_else(|| std::env::var("PGSSLMODE").ok())
        .unwrap_or_else(|| "prefer".into());
    let root_cert = root_cert.or_else(|| std::env::var("PGSSLROOTCERT").ok());
    let verify = match mode.as_str() {
        "disable" => Verify::Off,
        "allow" | "prefer" => Verify::Encrypt,
        "require" if root_cert.is_some() => Verify::Chain,
        "require" => Verify::Encrypt,
        "verify-ca" => Verify::Chain,
        "verify-full" => Verify::Full,
        other => {
            return Err(format!(
                "sslmode={other} is not one of disable, allow, prefer, require, verify-ca, verify-full"
            ));
        }
    };
    config.ssl_mode(match (verify, mode.as_str()) {
        (Verify::Off, _) => SslMode::Disable,
        (_, "allow" | "prefer") => SslMode::Prefer,
        _ => SslMode::Require,
    });
    fill_defaults(&mut config);
    Ok(Parsed {
        config,
        verify,
        root_cert,
    })
}

/// libpq's environment defaults for what the URL leaves out.
fn fill_defaults(config: &mut Config) {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    if config.get_password().is_none()
        && let Some(p) = env("PGPASSWORD")
    {
        config.password(p);
    }
    if config.get_user().is_none() {
        let user = env("PGUSER")
            .or_else(|| env("USER"))
            .unwrap_or_else(|| "postgres".into());
        config.user(&user);
    }
    if config.get_hosts().is_empty() {
        match env("PGHOST") {
            Some(h) => {
                config.host(&h);
            }
            None if std::path::Path::new("/var/run/postgresql").is_dir() => {
                config.host_path("/var/run/postgresql");
            }
            None => {
                config.host("localhost");
            }
        }
    }
    if config.get_ports().is_empty()
        && let Some(p) = env("PGPORT").and_then(|p| p.parse().ok())
    {
        config.port(p);
    }
    if config.get_dbname().is_none()
        && let Some(d) = env("PGDATABASE")
    {
        config.dbname(&d);
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    if config.get_application_name().is_none() {
        let name = APPLICATION_NAME.get().map_or("baton", String::as_str);
        config.application_name(name);
    }
}

fn tls(verify: Verify, root_cert: Option<&str>) -> Result<MakeTls, String> {
    match verify {
        Verify::Off | Verify::Encrypt => MakeTls::new(Check::Nothing, None),
        Verify::Chain | Verify::Full => {
            let file = root_cert.map(str::to_string).or_else(default_root_cert);
            let check = if verify == Verify::Full {
                Check::ChainAndHost
            } else {
                Check::Chain
            };
            MakeTls::new(check, file.as_deref())
        }
    }
}

/// libpq's default root certificate, `~/.postgresql/root.crt`, when it exists.
fn default_root_cert() -> Option<String> {
    let home = std::env::var("HOME").ok()?;
    let path = format!("{home}/.postgresql/root.crt");
    std::path::Path::new(&path).exists().then_some(path)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Opens a connection; every failure is one line naming the server (never the password).
pub fn connect(url: &PgUrl) -> Result<Client, StoreError> {
    let shown = url.redacted().to_string();
    let fail = |reason: String| StoreError::Connect {
        target: shown.clone(),
        reason,
    };
    let parsed = parse(url).map_err(&fail)?;
    let connector = tls(parsed.verify, parsed.root_cert.as_deref()).map_err(&fail)?;
    parsed
        .config
        .connect(connector)
        .map_err(|e| explain(e, &parsed.config, url))
}

/// Says why a connection failed, in the user's terms.
fn explain(e: postgres::Error, config: &Config, url: &PgUrl) -> StoreError {
    use postgres::error::SqlState;
    let target = url.redacted().to_string();
    let server = server_name(config);
    let user = config.get_user().unwrap_or("?").to_string();
    if let Some(db) = e.as_db_error() {
        let code = db.code();
        let reason = if *code == SqlState::INVALID_CATALOG_NAME {
            return StoreError::MissingDatabase {
                database: config.get_dbname().unwrap_or(&user).to_string(),
                server,
                url: target,
            };
        } else if *code == SqlState::INVALID_PASSWORD {
            format!(
                "the server refused the password for user '{user}'; check the password in the URL or PGPASSWORD"
            )
        } else if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION {
            format!("the server refused user '{user}': {}", db.message())
        } else if *code == SqlState::TOO_MANY_CONNECTIONS {
            "the server has no free connections (too many clients); try again shortly".into()
        } else if *code == SqlState::CANNOT_CONNECT_NOW {
            "the server is starting up or shutting down; try again shortly".into()
        } else {
            db.message().to_string()
        };
        return StoreError::Connect { target, reason };
    }
    let text = redact_secret(&chain(&e), config);
    let lower = text.to_ascii_lowercase();
    let reason = if lower.contains("server does not support tls") {
        "the server does not offer TLS, but sslmode requires it; enable ssl on the server or use sslmode=prefer".into()
    } else if lower.contains("certificate verify failed") || lower.contains("certificate") {
        format!(
            "the server's TLS certificate could not be verified ({text}); check sslrootcert and the host name"
        )
    } else if lower.contains("timed out") || lower.contains("timeout") {
        format!(
            "no answer from {server} within {}s; check the host and port, and that no firewall drops the connection",
            config.get_connect_timeout().map_or(5, Duration::as_secs)
        )
    } else if lower.contains("refused") {
        format!(
            "nothing is listening at {server} (connection refused); is PostgreSQL running there? check the host and port"
        )
    } else if lower.contains("password missing") || lower.contains("password") {
        format!("the server asks user '{user}' for a password; give it in the URL or PGPASSWORD")
    } else if lower.contains("failed to lookup")
        || lower.contains("name or service not known")
        || lower.contains("no such host")
        || lower.contains("resolve")
    {
        format!("the host name of {server} cannot be resolved; check the host in the URL")
    } else {
        text
    };
    StoreError::Connect { target, reason }
}

/// The error with its causes: the driver's own message is often only "error connecting
/// to server", with the reason one level down.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

fn server_name(config: &Config) -> String {
    use postgres::config::Host;
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!("{host}:{port}")
}

/// A driver message should never hold the password, but make sure.
fn redact_secret(text: &str, config: &Config) -> String {
    match config.get_password() {
        Some(p) if !p.is_empty() => {
            let p = String::from_utf8_lossy(p);
            text.replace(p.as_ref(), "***")
        }
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Target;

    fn url(s: &str) -> PgUrl {
        match Target::parse(s) {
            Target::Postgres(u) => u,
            Target::Sqlite(_) => panic!("not a URL: {s}"),
        }
    }

    #[test]
    fn sslmode_follows_libpq() {
        let p = parse(&url(
            "postgres://u@h/db?sslmode=verify-full&sslrootcert=/x.crt",
        ))
        .unwrap();
        assert_eq!(
            (p.verify, p.root_cert.as_deref()),
            (Verify::Full, Some("/x.crt"))
        );
        assert_eq!(p.config.get_ssl_mode(), SslMode::Require);
        let p = parse(&url(
            "postgres://u@h/db?sslmode=require&application_name=ops",
        ))
        .unwrap();
        assert_eq!(p.verify, Verify::Encrypt);
        assert_eq!(p.config.get_application_name(), Some("ops"));
        let p = parse(&url("postgres://u@h/db?sslmode=disable")).unwrap();
        assert_eq!(p.config.get_ssl_mode(), SslMode::Disable);
        let e = parse(&url("postgres://u@h/db?sslmode=sometimes"))
            .err()
            .unwrap();
        assert!(e.contains("sslmode=sometimes"), "{e}");
        let p = parse(&url("postgres://u@h/db?options=-csearch_path%3Dops")).unwrap();
        assert_eq!(p.config.get_options(), Some("-csearch_path=ops"));
    }

    #[test]
    fn a_bad_url_is_explained_without_its_password() {
        let Err(e) = connect(&url("postgres://u:s3cret@h:notaport/db")) else {
            panic!("a bad port must not connect");
        };
        let text = e.to_string();
        assert!(text.contains("not a valid PostgreSQL URL"), "{text}");
        assert!(!text.contains("s3cret"), "{text}");
    }
}
