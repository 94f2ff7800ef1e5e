//! Real keys from `ssh-keygen`, made in a temporary directory per test.
use std::path::PathBuf;
use std::process::Command;

/// A key pair on disk and what `ssh-keygen` says of it.
pub struct GeneratedKey {
    pub dir: PathBuf,
    pub private: PathBuf,
    pub public_line: String,
    pub sha256: String,
    pub md5: String,
}

impl Drop for GeneratedKey {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn fingerprint(path: &std::path::Path, hash: &str) -> String {
    let out = Command::new("ssh-keygen")
        .args(["-E", hash, "-lf"])
        .arg(path)
        .output()
        .expect("ssh-keygen runs");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    text.split(' ')
        .nth(1)
        .unwrap()
        .trim_start_matches("MD5:")
        .to_owned()
}

/// `ssh-keygen -t <kind> [-b bits]` with no passphrase.
pub fn keygen(kind: &str, bits: Option<u32>, comment: &str) -> GeneratedKey {
    let dir = std::env::temp_dir().join(format!("roster-key-{}", uuid()));
    std::fs::create_dir_all(&dir).unwrap();
    let private = dir.join("id");
    let mut cmd = Command::new("ssh-keygen");
    cmd.args(["-q", "-t", kind, "-N", "", "-C", comment, "-f"])
        .arg(&private);
    if let Some(bits) = bits {
        cmd.args(["-b", &bits.to_string()]);
    }
    assert!(cmd.status().expect("ssh-keygen runs").success());
    let public = dir.join("id.pub");
    let public_line = std::fs::read_to_string(&public).unwrap().trim().to_owned();
    GeneratedKey {
        sha256: fingerprint(&public, "sha256"),
        md5: fingerprint(&public, "md5"),
        dir,
        private,
        public_line,
    }
}

fn uuid() -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{SystemTime, UNIX_EPOCH};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
    format!(
        "{}-{}-{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}
