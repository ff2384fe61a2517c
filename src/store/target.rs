//! What `--db` names: a SQLite file or a PostgreSQL server. The URL keeps its password for
//! connecting, but everything that shows a target (errors, the header, `--json`) goes
//! through [`Display`](std::fmt::Display), which redacts it.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Clone, PartialEq, Eq)]
pub enum Target {
    Sqlite(PathBuf),
    Postgres(PgUrl),
}

/// A `postgres://` or `postgresql://` URL in libpq's form.
#[derive(Clone, PartialEq, Eq)]
pub struct PgUrl {
    url: String,
    shown: String,
}

const REDACTED: &str = "***";

impl PgUrl {
    /// The URL as given, password included: only for connecting.
    pub fn secret(&self) -> &str {
        &self.url
    }

    /// The URL with any password replaced by `***`.
    pub fn redacted(&self) -> &str {
        &self.shown
    }
}

impl Target {
    /// A URL starting `postgres://` or `postgresql://` names a server; anything else is a
    /// file path.
    pub fn parse(db: &str) -> Target {
        let lower = db.get(..13).unwrap_or(db).to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            Target::Postgres(PgUrl {
                url: db.to_string(),
                shown: redact(db),
            })
        } else {
            Target::Sqlite(PathBuf::from(db))
        }
    }

    /// The file, for a SQLite target.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Target::Sqlite(p) => Some(p),
            Target::Postgres(_) => None,
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Target::Postgres(_))
    }
}

/// Replaces the password in the user-info part and any `password=` query parameter.
pub fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_string();
    };
    let (head, rest) = url.split_at(scheme_end);
    let (before_query, query) = match rest.find('?') {
        Some(q) => (&rest[..q], Some(&rest[q + 1..])),
        None => (rest, None),
    };
    // The last '@' before the query ends the user info, even if a raw '/' or '@' sits in
    // the password: better to hide too much than to print a secret.
    let mut out = String::from(head);
    match before_query.rfind('@') {
        Some(at) => {
            let userinfo = &before_query[..at];
            match userinfo.find(':') {
                Some(colon) => {
                    out.push_str(&userinfo[..colon]);
                    out.push(':');
                    out.push_str(REDACTED);
                }
                None => out.push_str(userinfo),
            }
            out.push_str(&before_query[at..]);
        }
        None => out.push_str(before_query),
    }
    if let Some(q) = query {
        out.push('?');
        let parts: Vec<String> = q
            .split('&')
            .map(|kv| match kv.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}={REDACTED}"),
                _ => kv.to_string(),
            })
            .collect();
        out.push_str(&parts.join("&"));
    }
    out
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Sqlite(p) => write!(f, "{}", p.display()),
            Target::Postgres(u) => f.write_str(u.redacted()),
        }
    }
}

/// Debug shows the redacted form too, so a `{:?}` in a panic or log never leaks.
impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Sqlite(p) => write!(f, "Sqlite({p:?})"),
            Target::Postgres(u) => write!(f, "Postgres({:?})", u.redacted()),
        }
    }
}

impl fmt::Debug for PgUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.shown)
    }
}

impl From<&Path> for Target {
    fn from(p: &Path) -> Target {
        Target::Sqlite(p.to_path_buf())
    }
}

impl From<PathBuf> for Target {
    fn from(p: PathBuf) -> Target {
        Target::Sqlite(p)
    }
}

impl From<&PathBuf> for Target {
    fn from(p: &PathBuf) -> Target {
        Target::Sqlite(p.clone())
    }
}

impl From<&Target> for Target {
    fn from(t: &Target) -> Target {
        t.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_servers_and_everything_else_is_a_file() {
        assert!(Target::parse("postgres://h/db").is_postgres());
        assert!(Target::parse("PostgreSQL://h/db").is_postgres());
        assert_eq!(
            Target::parse("./baton.db").path(),
            Some(Path::new("./baton.db"))
        );
        assert!(!Target::parse("postgres.db").is_postgres());
    }

    #[test]
    fn passwords_never_show() {
        for (url, shown) in [
            (
                "postgres://u:s3cret@h:5432/db",
                "postgres://u:***@h:5432/db",
            ),
            ("postgres://u@h/db", "postgres://u@h/db"),
            (
                "postgres://h/db?password=s3cret&sslmode=require",
                "postgres://h/db?password=***&sslmode=require",
            ),
            ("postgresql://u:p@ss/w@rd@h/db", "postgresql://u:***@h/db"),
            (
                "postgres://u:s3cret@h/db?application_name=x",
                "postgres://u:***@h/db?application_name=x",
            ),
        ] {
            let t = Target::parse(url);
            assert_eq!(t.to_string(), shown);
            assert!(!format!("{t:?}").contains("s3cret"));
            assert!(!t.to_string().contains("rd@"), "{t}");
        }
    }
}
