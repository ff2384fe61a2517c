//! Reaching a server over TLS as libpq's `sslmode` asks, and every bad connection as one
//! clear line within seconds: TLS required but not offered, a certificate that does not
//! name the host, no root certificate for verify-full, nothing listening, a missing
//! database, a wrong user. The local test server has SSL on with a self-signed certificate
//! (`ssl_cert_file`), which serves as its own root.

mod common;

use common::cli::{Run, run_in};
use common::pg::{PgDb, with_database};
use std::io::{Read, Write};
use std::time::{Duration, Instant};

fn run(db: &str, args: &[&str]) -> (Run, Duration) {
    let dir = tempfile::tempdir().unwrap();
    let mut all = vec!["--db", db];
    all.extend_from_slice(args);
    let t = Instant::now();
    let r = run_in(dir.path(), &all);
    (r, t.elapsed())
}

/// The server's certificate file, which is also its root (self-signed).
fn server_cert(db: &PgDb) -> String {
    let mut c = db.client();
    let ssl: String = c.query_one("SHOW ssl", &[]).unwrap().get(0);
    assert_eq!(
        ssl, "on",
        "these tests need a server with ssl = on (the Debian package's default, with its snakeoil certificate)"
    );
    c.query_one("SHOW ssl_cert_file", &[]).unwrap().get(0)
}

/// `url` with `host` in place of its host, keeping user and database.
fn at_host(db: &PgDb, host: &str, query: &str) -> String {
    let url = with_database(&db.url, &db.name);
    let after = url.find("://").unwrap() + 3;
    let at = url[after..].find('@').map_or(after, |i| after + i + 1);
    let path = url[at..].find('/').map_or(url.len(), |i| at + i);
    let rest = &url[path..];
    let port = url[at..path].split_once(':').map_or("", |(_, p)| p);
    let port = if port.is_empty() {
        String::new()
    } else {
        format!(":{port}")
    };
    let sep = if rest.contains('?') { "&" } else { "?" };
    format!("{}{host}{port}{rest}{sep}{query}", &url[..at])
}

/// `host:port` of a URL (after the user info, before the database).
fn host_port(url: &str) -> String {
    let after = url.find("://").unwrap() + 3;
    let at = url[after..].find('@').map_or(after, |i| after + i + 1);
    let end = url[at..].find(['/', '?']).map_or(url.len(), |i| at + i);
    url[at..end].to_string()
}

#[test]
fn sslmode_require_and_verify_full_connect_and_a_wrong_host_is_refused() {
    let db = PgDb::migrated();
    let cert = server_cert(&db);
    let (r, _) = run(&at_host(&db, "localhost", "sslmode=require"), &["list"]);
    r.code(0);
    let full = format!("sslmode=verify-full&sslrootcert={cert}");
    let (r, _) = run(&at_host(&db, "localhost", &full), &["list"]);
    r.code(0);
    let ca = format!("sslmode=verify-ca&sslrootcert={cert}");
    let (r, _) = run(&at_host(&db, "127.0.0.1", &ca), &["list"]);
    r.code(0);
    // The certificate names localhost, not 127.0.0.1: verify-full must refuse.
    let (r, t) = run(&at_host(&db, "127.0.0.1", &full), &["list"]);
    r.one_line_error(1, &["certificate", "could not be verified"]);
    assert!(t < Duration::from_secs(10), "took {t:?}");
    let (r, _) = run(&at_host(&db, "localhost", "sslmode=verify-full"), &["list"]);
    r.one_line_error(1, &["sslrootcert"]);
    // A root that did not sign the server's certificate: verify-ca checks the chain.
    let dir = tempfile::tempdir().unwrap();
    let stranger = dir.path().join("stranger.crt");
    std::fs::write(&stranger, self_signed("stranger")).unwrap();
    let wrong = format!("sslmode=verify-ca&sslrootcert={}", stranger.display());
    let (r, _) = run(&at_host(&db, "localhost", &wrong), &["list"]);
    r.one_line_error(1, &["certificate", "could not be verified"]);
    // require with that root checks it too (libpq's rule); require alone checks nothing.
    let wrong = format!("sslmode=require&sslrootcert={}", stranger.display());
    let (r, _) = run(&at_host(&db, "localhost", &wrong), &["list"]);
    r.one_line_error(1, &["certificate", "could not be verified"]);
}

/// A PEM certificate for `name`, signed by its own new key.
fn self_signed(name: &str) -> Vec<u8> {
    use openssl::{asn1::Asn1Time, hash::MessageDigest, pkey::PKey, rsa::Rsa, x509};
    let key = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
    let mut subject = x509::X509NameBuilder::new().unwrap();
    subject.append_entry_by_text("CN", name).unwrap();
    let subject = subject.build();
    let mut cert = x509::X509Builder::new().unwrap();
    cert.set_version(2).unwrap();
    cert.set_subject_name(&subject).unwrap();
    cert.set_issuer_name(&subject).unwrap();
    cert.set_pubkey(&key).unwrap();
    cert.set_not_before(&Asn1Time::days_from_now(0).unwrap())
        .unwrap();
    cert.set_not_after(&Asn1Time::days_from_now(1).unwrap())
        .unwrap();
    cert.sign(&key, MessageDigest::sha256()).unwrap();
    cert.build().to_pem().unwrap()
}

/// A server that answers the TLS request with "no", as one with ssl = off does.
#[test]
fn tls_required_but_not_offered_is_one_line() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        if let Ok((mut s, _)) = listener.accept() {
            let mut request = [0u8; 8];
            if s.read_exact(&mut request).is_ok() {
                let _ = s.write_all(b"N");
            }
        }
    });
    let url = format!("postgres://postgres:s3cretpw@127.0.0.1:{port}/x?sslmode=require");
    let (r, t) = run(&url, &["list"]);
    let line = r.one_line_error(1, &["does not offer TLS"]);
    assert!(!line.contains("s3cretpw"), "{line}");
    assert!(t < Duration::from_secs(10), "took {t:?}");
    server.join().unwrap();
}

#[test]
fn bad_connections_are_one_clear_line_within_seconds() {
    let db = PgDb::migrated();
    // Nothing listens on port 1.
    let (r, t) = run("postgres://postgres:s3cretpw@127.0.0.1:1/x", &["list"]);
    let line = r.one_line_error(1, &["127.0.0.1:1", "connection refused"]);
    assert!(!line.contains("s3cretpw") && line.contains("***"), "{line}");
    assert!(t < Duration::from_secs(10), "took {t:?}");
    // A database that does not exist: say so, and how to make it.
    let missing = with_database(&db.url, &format!("{}_missing", db.name));
    let (r, _) = run(&missing, &["migrate"]);
    r.one_line_error(1, &["does not exist", "createdb"]);
    // A user the server does not know.
    let stranger = format!(
        "postgres://nobody_such_user:s3cretpw@{}/{}",
        host_port(&db.url),
        db.name
    );
    let (r, _) = run(&stranger, &["list"]);
    let line = r.one_line_error(1, &["nobody_such_user"]);
    assert!(!line.contains("s3cretpw"), "{line}");
}
