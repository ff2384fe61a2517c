//! The config file, `$XDG_CONFIG_HOME/baton/config.toml` (else `~/.config/baton/config.toml`;
//! `--config PATH` or `BATON_CONFIG` name another). It supplies defaults only: a flag or an
//! environment variable always wins over it, and it wins over the built-in default.
//!
//! A missing default file is fine; a missing file that was named explicitly is an error.
//! Unknown keys and bad values are errors that name the key and the file.

use super::exit::{CliError, CliResult};
use crate::model::Status;
use crate::tui::ThemeName;
use std::path::{Path, PathBuf};

/// What the config file says; `None` where it says nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// The file that was read, if any.
    pub source: Option<PathBuf>,
    pub db: Option<String>,
    pub poll_ms: Option<u64>,
    /// Wait for pushed changes (false: poll every `poll_ms`).
    pub push: Option<bool>,
    /// Announce newly stuck or failed workflows in the dashboard.
    pub notify: Option<bool>,
    pub handoff_timeout: Option<i64>,
    pub phase_timeout: Option<i64>,
    pub theme: Option<ThemeName>,
    /// How long finished workflows are kept: what `baton prune` removes without --before.
    pub retention: Option<crate::model::since::Since>,
    /// `[views]`: named saved filters, in file order.
    pub views: Vec<(String, String)>,
}

/// The keys a config file may hold, as listed in errors.
const KEYS: &str =
    "db, poll_ms, push, notify, handoff_timeout, phase_timeout, theme, retention, [views]";
/// `poll_ms`'s range, the same as `--poll-ms`.
pub const POLL_MS: std::ops::RangeInclusive<u64> = 10..=60_000;
/// Names a saved view may not take: the dashboard's built-in views.
const BUILT_IN_VIEWS: [&str; 7] = [
    "all",
    "running",
    "stuck",
    "failed",
    "paused",
    "completed",
    "cancelled",
];
/// The `key:` tokens a filter understands (see the dashboard's `/` filter).
const FILTER_KEYS: [&str; 5] = ["status", "phase", "role", "project", "is"];

/// Where the config file is looked for, and whether it must exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// `--config` or `BATON_CONFIG`: it must exist.
    Explicit(PathBuf),
    /// The XDG default: read when present.
    Default(PathBuf),
    /// No config directory can be found (no `XDG_CONFIG_HOME`, no `HOME`).
    Nowhere,
}

/// Picks the file: `explicit` (from `--config` / `BATON_CONFIG`), else
/// `$XDG_CONFIG_HOME/baton/config.toml`, else `$HOME/.config/baton/config.toml`.
pub fn locate(explicit: Option<&Path>, xdg: Option<&str>, home: Option<&str>) -> Location {
    if let Some(p) = explicit {
        return Location::Explicit(p.to_path_buf());
    }
    // The XDG spec ignores a relative XDG_CONFIG_HOME.
    let base = match (xdg.filter(|x| Path::new(x).is_absolute()), home) {
        (Some(x), _) => PathBuf::from(x),
        (None, Some(h)) if !h.is_empty() => Path::new(h).join(".config"),
        _ => return Location::Nowhere,
    };
    Location::Default(base.join("baton").join("config.toml"))
}

/// Finds and reads the config file for this process.
pub fn load(explicit: Option<&Path>) -> CliResult<Config> {
    let xdg = std::env::var("XDG_CONFIG_HOME").ok();
    let home = std::env::var("HOME").ok();
    match locate(explicit, xdg.as_deref(), home.as_deref()) {
        Location::Nowhere => Ok(Config::default()),
        // No file there, or a directory on the way this user may not enter (HOME left
        // pointing at another user's, as `sudo -u` and `setpriv` do): no config. A file
        // that is there but cannot be read is an error.
        Location::Default(path) => match std::fs::metadata(&path) {
            Err(_) => Ok(Config::default()),
            Ok(_) => match std::fs::read_to_string(&path) {
                Err(e) => Err(unreadable(&path, &e)),
                Ok(text) => parse(&text, &path),
            },
        },
        Location::Explicit(path) => match std::fs::read_to_string(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(CliError::usage(format!(
                "config file {} does not exist (named by --config or BATON_CONFIG); create it or name another",
                path.display()
            ))),
            Err(e) => Err(unreadable(&path, &e)),
            Ok(text) => parse(&text, &path),
        },
    }
}

fn unreadable(path: &Path, e: &std::io::Error) -> CliError {
    CliError::usage(format!(
        "cannot read config file {}: {e}; fix its permissions or set BATON_CONFIG to another file",
        path.display()
    ))
}

/// Parses the text of the config file at `path` (named in every error).
pub fn parse(text: &str, path: &Path) -> CliResult<Config> {
    let file = path.display();
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        let at = e.span().map_or(String::new(), |s| {
            format!(" at line {}", text[..s.start].matches('\n').count() + 1)
        });
        CliError::usage(format!(
            "config file {file} is not valid TOML{at}: {}",
            e.message().trim()
        ))
    })?;
    let bad = |key: &str, want: &str, got: &toml::Value| {
        CliError::usage(format!(
            "config file {file}: `{key}` must be {want}, not {got}"
        ))
    };
    let mut c = Config {
        source: Some(path.to_path_buf()),
        ..Config::default()
    };
    for (key, value) in &table {
        match key.as_str() {
            "db" => match value.as_str() {
                Some(s) if !s.trim().is_empty() => c.db = Some(s.to_string()),
                _ => {
                    return Err(bad(
                        key,
                        "a SQLite path or postgres:// URL in quotes",
                        value,
                    ));
                }
            },
            "poll_ms" => match value.as_integer() {
                Some(n) if n >= 0 && POLL_MS.contains(&(n as u64)) => c.poll_ms = Some(n as u64),
                _ => {
                    return Err(bad(
                        key,
                        "a whole number of milliseconds from 10 to 60000",
                        value,
                    ));
                }
            },
            "push" | "notify" => match value.as_bool() {
                Some(b) if key == "push" => c.push = Some(b),
                Some(b) => c.notify = Some(b),
                None => return Err(bad(key, "true or false", value)),
            },
            "handoff_timeout" | "phase_timeout" => match value.as_integer() {
                Some(n) if n >= 0 => {
                    if key == "handoff_timeout" {
                        c.handoff_timeout = Some(n);
                    } else {
                        c.phase_timeout = Some(n);
                    }
                }
                _ => return Err(bad(key, "a whole number of seconds (0 or more)", value)),
            },
            "retention" => match value.as_str().map(crate::model::since::parse_since) {
                Some(Ok(since @ crate::model::since::Since::Ago(_))) => c.retention = Some(since),
                _ => {
                    return Err(bad(
                        key,
                        "how long to keep finished workflows, in quotes: \"90d\", \"12w\"",
                        value,
                    ));
                }
            },
            "theme" => match value.as_str().and_then(ThemeName::parse) {
                Some(t) => c.theme = Some(t),
                None => return Err(bad(key, "\"dark\", \"light\" or \"none\"", value)),
            },
            "views" => {
                let Some(views) = value.as_table() else {
                    return Err(bad(
                        key,
                        "a table of named filters ([views] then name = \"filter\")",
                        value,
                    ));
                };
                for (name, expr) in views {
                    let Some(expr) = expr.as_str() else {
                        return Err(bad(
                            &format!("views.{name}"),
                            "a filter in quotes, e.g. \"status:failed project:shop\"",
                            expr,
                        ));
                    };
                    check_view(name, expr).map_err(|why| {
                        CliError::usage(format!("config file {file}: `views.{name}`: {why}"))
                    })?;
                    c.views.push((name.clone(), expr.to_string()));
                }
            }
            other => {
                return Err(CliError::usage(format!(
                    "config file {file}: unknown key `{other}`; the keys are {KEYS}"
                )));
            }
        }
    }
    Ok(c)
}

/// A saved view: a name that does not shadow a built-in view, and a filter whose `key:`
/// tokens and statuses exist.
fn check_view(name: &str, expr: &str) -> Result<(), String> {
    if BUILT_IN_VIEWS.contains(&name.to_ascii_lowercase().as_str()) {
        return Err(format!(
            "'{name}' is a built-in view ({}); choose another name",
            BUILT_IN_VIEWS.join(", ")
        ));
    }
    if expr.trim().is_empty() {
        return Err("the filter is empty; give terms such as \"status:failed\"".into());
    }
    for token in expr.split_whitespace() {
        let Some((key, value)) = token.split_once(':') else {
            continue;
        };
        let key = key.to_ascii_lowercase();
        // Free text may hold a colon (`shop-7:rc`); only a word before it is a key.
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphabetic()) {
            continue;
        }
        if !FILTER_KEYS.contains(&key.as_str()) {
            return Err(format!(
                "unknown filter key '{key}:' in \"{expr}\"; the keys are {}, and the word stuck",
                FILTER_KEYS.map(|k| format!("{k}:")).join(" ")
            ));
        }
        if key == "status" && Status::from_user(value).is_none() {
            let valid: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
            return Err(format!(
                "unknown status '{value}' in \"{expr}\"; valid statuses are {}",
                valid.join(", ")
            ));
        }
        if key == "is" && !value.eq_ignore_ascii_case("stuck") {
            return Err(format!(
                "'is:{value}' in \"{expr}\" is not a filter; only is:stuck is"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> CliResult<Config> {
        parse(text, Path::new("/etc/x/config.toml"))
    }

    fn err(text: &str) -> String {
        p(text).expect_err(text).message
    }

    #[test]
    fn every_key_is_read() {
        let c = p(r#"
db = "postgres://ops@db/builds"
poll_ms = 250
push = false
notify = true
handoff_timeout = 60
phase_timeout = 900
theme = "light"

[views]
mine = "project:shop status:failed"
slow = "stuck phase:testing"
"#)
        .unwrap();
        assert_eq!(c.db.as_deref(), Some("postgres://ops@db/builds"));
        assert_eq!(c.poll_ms, Some(250));
        assert_eq!((c.push, c.notify), (Some(false), Some(true)));
        assert_eq!((c.handoff_timeout, c.phase_timeout), (Some(60), Some(900)));
        assert_eq!(c.theme, Some(ThemeName::Light));
        assert_eq!(
            c.views,
            vec![
                ("mine".to_string(), "project:shop status:failed".to_string()),
                ("slow".to_string(), "stuck phase:testing".to_string()),
            ]
        );
        assert_eq!(
            p("").unwrap().source.as_deref(),
            Some(Path::new("/etc/x/config.toml"))
        );
    }

    #[test]
    fn unknown_keys_and_bad_values_name_the_key_and_the_file() {
        for (text, needles) in [
            ("dbb = 'x'", &["unknown key `dbb`", "db, poll_ms"][..]),
            (
                "poll_ms = 'fast'",
                &["`poll_ms`", "10 to 60000", "\"fast\""],
            ),
            ("poll_ms = 5", &["`poll_ms`"]),
            ("notify = 'yes'", &["`notify`", "true or false"]),
            ("push = 1", &["`push`", "true or false"]),
            ("handoff_timeout = -1", &["`handoff_timeout`", "seconds"]),
            ("phase_timeout = 1.5", &["`phase_timeout`"]),
            (
                "theme = 'pink'",
                &["`theme`", "\"dark\", \"light\" or \"none\""],
            ),
            ("db = ''", &["`db`"]),
            ("views = 3", &["`views`", "table"]),
            ("[views]\nx = 3", &["`views.x`"]),
            (
                "[views]\nx = 'status:bogus'",
                &["`views.x`", "unknown status 'bogus'"],
            ),
            (
                "[views]\nx = 'colour:red'",
                &["`views.x`", "unknown filter key 'colour:'"],
            ),
            (
                "[views]\nstuck = 'phase:coding'",
                &["`views.stuck`", "built-in view"],
            ),
            ("[views]\nx = '  '", &["empty"]),
            ("poll_ms = \n", &["not valid TOML at line 1"]),
        ] {
            let e = err(text);
            assert!(e.contains("/etc/x/config.toml"), "{e}");
            for n in needles {
                assert!(e.contains(n), "{text:?}: {e:?} lacks {n:?}");
            }
            assert!(!e.contains('\n'), "one line: {e:?}");
        }
        // Free text with a colon is not a key.
        assert!(p("[views]\nb = 'shop-7:rc stuck is:stuck'").is_ok());
    }

    #[test]
    fn location_prefers_explicit_then_xdg_then_home() {
        let e = Path::new("/x/c.toml");
        assert_eq!(
            locate(Some(e), Some("/xdg"), Some("/home/a")),
            Location::Explicit(e.into())
        );
        assert_eq!(
            locate(None, Some("/xdg"), Some("/home/a")),
            Location::Default("/xdg/baton/config.toml".into())
        );
        // A relative XDG_CONFIG_HOME is ignored, as the spec says.
        assert_eq!(
            locate(None, Some("rel"), Some("/home/a")),
            Location::Default("/home/a/.config/baton/config.toml".into())
        );
        assert_eq!(locate(None, None, None), Location::Nowhere);
    }
}
