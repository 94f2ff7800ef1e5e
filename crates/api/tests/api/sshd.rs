//! End to end with a real OpenSSH server: sshd asks `roster ssh
//! authorized-keys` for the keys of the login user, so a key registered through
//! the API lets `ssh` in, and a deleted or expired key does not.
//!
//! Needs root (sshd runs as root here, on a loopback port) and `sshd` from
//! Debian's `openssh-server`, which `scripts/test` installs when missing.
use crate::keygen::{keygen, GeneratedKey};
use reqwest::Method;
use roster_testkit::TestRoster;
use serde_json::json;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SSHD: &str = "/usr/sbin/sshd";

/// A private sshd on a loopback port, stopped and cleaned up on drop.
struct Sshd {
    child: Child,
    dir: PathBuf,
    port: u16,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The config lines `docs/ssh.md` shows, with this test's paths.
fn sshd_config(dir: &Path, port: u16, roster_url: &str) -> String {
    format!(
        "Port {port}\n\
         ListenAddress 127.0.0.1\n\
         HostKey {dir}/host_ed25519\n\
         PidFile {dir}/sshd.pid\n\
         AuthorizedKeysFile none\n\
         AuthorizedKeysCommand {dir}/roster ssh authorized-keys --url {roster_url} %u\n\
         AuthorizedKeysCommandUser nobody\n\
         PubkeyAuthentication yes\n\
         PasswordAuthentication no\n\
         KbdInteractiveAuthentication no\n\
         PermitRootLogin prohibit-password\n\
         UsePAM no\n\
         LogLevel VERBOSE\n",
        dir = dir.display()
    )
}

fn start_sshd(roster_url: &str) -> Sshd {
    assert!(
        Path::new(SSHD).exists(),
        "{SSHD} is missing: install openssh-server (scripts/test does)"
    );
    // sshd refuses an AuthorizedKeysCommand in a directory others can write
    // to, anywhere up the path (so not under /tmp): use a fresh one in /run.
    let dir = PathBuf::from(format!(
        "/run/roster-sshd-test-{}-{}",
        std::process::id(),
        free_port()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::create_dir_all("/run/sshd").unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_roster"), dir.join("roster")).unwrap();
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(dir.join("host_ed25519"))
        .status()
        .unwrap();
    assert!(status.success());
    let port = free_port();
    std::fs::write(dir.join("sshd_config"), sshd_config(&dir, port, roster_url)).unwrap();
    let child = Command::new(SSHD)
        .args(["-D", "-e", "-f"])
        .arg(dir.join("sshd_config"))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join("sshd.log")).unwrap())
        .spawn()
        .expect("sshd starts");
    let sshd = Sshd { child, dir, port };
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "sshd did not listen: {}", sshd.log());
        std::thread::sleep(Duration::from_millis(50));
    }
    sshd
}

impl Sshd {
    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("sshd.log")).unwrap_or_default()
    }

    /// Whether `ssh root@127.0.0.1 true` with `key` gets in.
    fn lets_in(&self, key: &GeneratedKey) -> bool {
        let status = Command::new("ssh")
            .args(["-F", "/dev/null", "-i"])
            .arg(&key.private)
            .args([
                "-p",
                &self.port.to_string(),
                "-o",
                "BatchMode=yes",
                "-o",
                "IdentitiesOnly=yes",
                "-o",
                "StrictHostKeyChecking=no",
                "-o",
                "UserKnownHostsFile=/dev/null",
                "-o",
                "ConnectTimeout=5",
                "-o",
                "LogLevel=ERROR",
                "root@127.0.0.1",
                "true",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("ssh runs");
        status.success()
    }
}

#[tokio::test]
async fn sshd_lets_in_registered_keys_only() {
    // The test kit's admin is named `root`, like the
    // system user sshd is asked about.
    let roster = TestRoster::spawn().await;
    assert_eq!(roster.admin.username, "root");
    let url = roster.url.clone();
    let sshd = tokio::task::spawn_blocking(move || start_sshd(&url))
        .await
        .unwrap();
    let key = keygen("ed25519", None, "e2e");
    let stranger = keygen("ed25519", None, "stranger");
    let added = roster
        .expect_json(
            roster
                .as_admin(Method::POST, "/api/v4/user/keys")
                .json(&json!({"title": "e2e", "key": key.public_line})),
            201,
        )
        .await;

    let check = |sshd: Sshd, key: GeneratedKey| async move {
        let (sshd, key, ok) = tokio::task::spawn_blocking(move || {
            let ok = sshd.lets_in(&key);
            (sshd, key, ok)
        })
        .await
        .unwrap();
        (sshd, key, ok)
    };

    let (sshd, key, ok) = check(sshd, key).await;
    assert!(ok, "a registered key gets in; sshd log:\n{}", sshd.log());
    let (sshd, stranger, ok) = check(sshd, stranger).await;
    assert!(!ok, "an unknown key does not");
    drop(stranger);

    let r = roster
        .as_admin(Method::DELETE, &format!("/api/v4/user/keys/{}", added["id"]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let (sshd, key, ok) = check(sshd, key).await;
    assert!(!ok, "a deleted key no longer gets in");
    drop(key);

    let expiring = keygen("ed25519", None, "expiring");
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(3)).to_rfc3339();
    roster
        .expect_json(
            roster
                .as_admin(Method::POST, "/api/v4/user/keys")
                .json(&json!({"title": "expiring", "key": expiring.public_line, "expires_at": soon})),
            201,
        )
        .await;
    let (sshd, expiring, ok) = check(sshd, expiring).await;
    assert!(ok, "an unexpired key gets in; sshd log:\n{}", sshd.log());
    tokio::time::sleep(Duration::from_millis(3500)).await;
    let (sshd, _expiring, ok) = check(sshd, expiring).await;
    assert!(!ok, "an expired key no longer gets in");
    drop(sshd);
}
