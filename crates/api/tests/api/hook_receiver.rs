//! A real system-hook receiver for the hook tests: `tests/compat/hook_receiver.py`,
//! which verifies signatures with the Standard Webhooks reference library
//! and logs each delivery as a JSON line.
use serde_json::Value;
use std::io::BufRead;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The receiver of `tests/compat/hook_receiver.py`, killed when dropped.
pub struct Receiver {
    child: Child,
    pub port: u16,
    log: PathBuf,
}

impl Receiver {
    pub fn start(
        port: u16,
        secret: Option<&str>,
        fail_while: Option<&PathBuf>,
        log: Option<PathBuf>,
    ) -> Self {
        let python = std::env::var("ROSTER_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/compat/hook_receiver.py");
        let log = log.unwrap_or_else(|| {
            std::env::temp_dir().join(format!("roster-hooks-{}.jsonl", uuid::Uuid::new_v4()))
        });
        let mut command = Command::new(&python);
        command
            .arg(script)
            .args(["--log", log.to_str().unwrap(), "--port", &port.to_string()])
            .stdout(Stdio::piped());
        if let Some(secret) = secret {
            command.args(["--secret", secret]);
        }
        if let Some(flag) = fail_while {
            command.args(["--fail-while", flag.to_str().unwrap()]);
        }
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("{python} {script}: {e} (scripts/test installs standardwebhooks)"));
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("the receiver did not start: {line:?}"));
        Self { child, port, log }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/roster", self.port)
    }

    pub fn received(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// Waits until `n` deliveries arrived (or panics after 20 s).
    pub fn wait_for(&self, n: usize) -> Vec<Value> {
        let started = Instant::now();
        loop {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{} of {n} deliveries arrived: {got:#?}",
                got.len()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}
