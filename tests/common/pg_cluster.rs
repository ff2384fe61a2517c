//! A private PostgreSQL server for the tests that stop, restart or replicate a server: the
//! shared test server is used by other tests at the same time and is never restarted.
//! Built with the installed server binaries (`BATON_PG_BIN`, else the newest
//! `/usr/lib/postgresql/*/bin`) in a temporary directory, on a free port, and removed on
//! drop. Run as root, the server runs as the `postgres` user (it refuses root). Missing
//! binaries fail the test with what to install; nothing is skipped.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Cluster {
    bin: PathBuf,
    data: PathBuf,
    /// Removed on drop (holds `data`, the socket and the log).
    root: PathBuf,
    pub port: u16,
}

fn bin_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("BATON_PG_BIN") {
        return PathBuf::from(dir);
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin).unwrap_or_else(|| {
        panic!(
            "this test runs a private PostgreSQL server and needs its binaries (initdb, pg_ctl): \
             none under /usr/lib/postgresql/*/bin; install the server (`apt-get install \
             postgresql`, as .ci/run does) or set BATON_PG_BIN to the directory holding them"
        )
    })
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A server binary's command, as `postgres` when we are root.
fn command(bin: &Path, tool: &str, args: &[&str]) -> Command {
    let exe = bin.join(tool);
    let mut cmd = if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(&exe);
        c
    } else {
        Command::new(&exe)
    };
    cmd.args(args);
    cmd
}

/// Runs a server binary; panics with its output on failure.
fn run(bin: &Path, tool: &str, args: &[&str]) {
    let out = command(bin, tool, args)
        .output()
        .unwrap_or_else(|e| panic!("running {tool}: {e}"));
    assert!(
        out.status.success(),
        "{tool} {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn owned_dir(path: &Path) {
    std::fs::create_dir_all(path).unwrap();
    if is_root() {
        let ok = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(path)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "chown postgres {}", path.display());
    }
}

impl Cluster {
    /// A new server (trust authentication, user `postgres`), started.
    pub fn start() -> Cluster {
        let bin = bin_dir();
        let root = std::env::temp_dir().join(format!(
            "baton-cluster-{}-{}",
            std::process::id(),
            free_port()
        ));
        owned_dir(&root);
        let data = root.join("data");
        run(
            &bin,
            "initdb",
            &[
                "-D",
                data.to_str().unwrap(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
        );
        let c = Cluster {
            bin,
            data,
            root,
            port: free_port(),
        };
        c.up();
        c
    }

    /// A hot standby of `primary`, streaming from it, started.
    pub fn standby_of(primary: &Cluster) -> Cluster {
        let root = primary.root.with_extension("standby");
        owned_dir(&root);
        let data = root.join("data");
        run(
            &primary.bin,
            "pg_basebackup",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &primary.port.to_string(),
                "-U",
                "postgres",
                "-D",
                data.to_str().unwrap(),
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
                "--no-sync",
            ],
        );
        let c = Cluster {
            bin: primary.bin.clone(),
            data,
            root,
            port: free_port(),
        };
        c.up();
        c
    }

    pub fn url(&self, db: &str) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{}/{db}?sslmode=disable",
            self.port
        )
    }

    /// Starts the server and waits until it accepts connections.
    pub fn up(&self) {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c hot_standby=on",
            self.port,
            self.root.display()
        );
        let log = self.root.join("log");
        run(
            &self.bin,
            "pg_ctl",
            &[
                "-D",
                self.data.to_str().unwrap(),
                "-o",
                &opts,
                "-l",
                log.to_str().unwrap(),
                "-w",
                "-t",
                "60",
                "start",
            ],
        );
    }

    /// Stops the server as an administrator's restart does: every connection is closed.
    pub fn down(&self) {
        run(
            &self.bin,
            "pg_ctl",
            &[
                "-D",
                self.data.to_str().unwrap(),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
        );
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data.to_str().unwrap_or_default();
        let _ = command(
            &self.bin,
            "pg_ctl",
            &["-D", data, "-m", "immediate", "stop"],
        )
        .output();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}
