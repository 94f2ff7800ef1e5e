//! Roster as a process of its own, for tests that kill it, restart it, read
//! its log or run several on one database.
use roster_testkit::TestDatabase;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `roster serve`, killed when dropped.
pub struct Node {
    /// The process.
    pub child: Child,
    /// Its base URL.
    pub url: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The `roster` binary on `db`, with a fast bcrypt; callers add their own
/// settings (a later `env` wins).
pub fn roster_command(db: &TestDatabase) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_roster"));
    cmd.env("DATABASE_URL", db.url()).env("ROSTER_BCRYPT_COST", "4");
    cmd
}

/// Runs `cmd serve` on a free port, its log going to `log`, and waits until
/// it answers ready.
pub async fn serve(mut cmd: Command, log: Stdio) -> Node {
    let port = free_port();
    let child = cmd
        .arg("serve")
        .env("ROSTER_BIND", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let node = Node {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while reqwest::get(format!("{}/-/readiness", node.url))
        .await
        .map(|r| r.status() != 200)
        .unwrap_or(true)
    {
        assert!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    node
}
