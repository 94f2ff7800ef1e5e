//! Mail delivery over SMTP to a real server: Python's `aiosmtpd` writing to a
//! maildir (installed into a virtual environment by `scripts/test`, which
//! points `ROSTER_TEST_PYTHON` at it).
use crate::life_cycle::link_param;
use reqwest::Method;
use roster_testkit::{TestRoster, TEST_PASSWORD};
use serde_json::json;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn python() -> String {
    let python = std::env::var("ROSTER_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = Command::new(&python)
        .args(["-c", "import aiosmtpd"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "{python} has no aiosmtpd: run the tests with scripts/test, which installs it"
    );
    python
}

/// A real SMTP server on a loopback port (aiosmtpd, a Maildir in `dir`), storing what it receives.
pub(crate) struct SmtpSink {
    child: Option<Child>,
    port: u16,
    pub(crate) dir: PathBuf,
    python: String,
}

impl SmtpSink {
    pub(crate) fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = std::env::temp_dir().join(format!("roster-smtp-{}-{port}", std::process::id()));
        let mut sink = Self {
            child: None,
            port,
            dir,
            python: python(),
        };
        sink.resume();
        sink
    }

    fn resume(&mut self) {
        let child = Command::new(&self.python)
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{}", self.port),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("aiosmtpd starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "aiosmtpd did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn pause(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub(crate) fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, raw.
    fn messages(&self) -> Vec<String> {
        let mut all = Vec::new();
        for sub in ["new", "cur"] {
            if let Ok(entries) = std::fs::read_dir(self.dir.join(sub)) {
                for entry in entries.flatten() {
                    all.push(std::fs::read_to_string(entry.path()).unwrap_or_default());
                }
            }
        }
        all
    }

    fn wait_for(&self, count: usize, within: Duration) -> Vec<String> {
        let deadline = Instant::now() + within;
        loop {
            let got = self.messages();
            if got.len() >= count || Instant::now() > deadline {
                return got;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.pause();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Undoes quoted-printable: soft line breaks and `=XX` escapes.
fn decode_qp(text: &str) -> String {
    let joined = text.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() + 1 {
            if let Some(hex) = joined.get(i + 1..i + 3) {
                if let Ok(b) = u8::from_str_radix(hex, 16) {
                    out.push(b);
                    i += 3;
                    continue;
                }
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn header<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    message
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
}

#[tokio::test]
async fn a_sign_up_mail_arrives_and_its_link_works_in_the_page() {
    let sink = tokio::task::spawn_blocking(SmtpSink::start).await.unwrap();
    let url = sink.url();
    let roster = TestRoster::spawn_with(move |s| {
        s.smtp_url = Some(url);
        s.mail_poll = Duration::from_millis(100);
        s.public_url = Some("http://roster.test".into());
    })
    .await;
    roster
        .expect_json(
            roster.request(Method::POST, "/api/v4/registrations").json(&json!({
                "email": "mailed@example.com", "username": "mailed", "name": "Mailed", "password": TEST_PASSWORD
            })),
            201,
        )
        .await;
    let (sink, got) = tokio::task::spawn_blocking(move || {
        let got = sink.wait_for(1, Duration::from_secs(20));
        (sink, got)
    })
    .await
    .unwrap();
    assert_eq!(got.len(), 1, "one message");
    let message = &got[0];
    assert_eq!(header(message, "To"), Some("mailed@example.com"));
    assert_eq!(header(message, "From"), Some("Roster <roster@localhost>"));
    assert_eq!(header(message, "Subject"), Some("Confirm your e-mail address"));
    assert!(
        message.contains("multipart/alternative")
            && message.contains("text/plain")
            && message.contains("text/html")
    );
    let text = decode_qp(message);
    assert!(
        text.contains("http://roster.test/-/confirm?confirmation_token="),
        "links use the public URL"
    );
    let token = link_param(&text, "confirmation_token");

    // Follow the link as a browser would: open the page, submit its form.
    let mut browser = crate::browser::Browser::new(&roster.url);
    let page = browser
        .get(&format!("/-/confirm?confirmation_token={token}"))
        .await;
    assert!(page.body.contains(&token));
    let r = crate::console::submit(
        &mut browser,
        &page,
        "/-/confirm",
        &[("confirmation_token", &token)],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let me = roster
        .expect_json(roster.as_admin(Method::GET, "/api/v4/users?username=mailed"), 200)
        .await;
    assert!(me[0]["confirmed_at"].is_string());
    drop(sink);
}

#[tokio::test]
async fn nothing_is_lost_while_the_smtp_server_is_down() {
    let mut sink = tokio::task::spawn_blocking(SmtpSink::start).await.unwrap();
    let url = sink.url();
    let roster = TestRoster::spawn_with(move |s| {
        s.smtp_url = Some(url);
        s.mail_poll = Duration::from_millis(100);
        s.mail_retry = Duration::from_millis(300);
    })
    .await;
    sink = tokio::task::spawn_blocking(move || {
        sink.pause();
        sink
    })
    .await
    .unwrap();

    let users = ["down1", "down2", "down3"];
    for name in users {
        roster
            .expect_json(
                roster.request(Method::POST, "/api/v4/registrations").json(&json!({
                    "email": format!("{name}@example.com"), "username": name, "name": name, "password": TEST_PASSWORD
                })),
                201,
            )
            .await;
    }
    // Let the sender fail a few times.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let got = tokio::task::spawn_blocking(move || {
        sink.resume();
        let got = sink.wait_for(3, Duration::from_secs(30));
        // Wait a little longer: nothing may arrive twice.
        std::thread::sleep(Duration::from_millis(1500));
        let after = sink.messages();
        assert_eq!(got.len(), after.len(), "no duplicates after delivery");
        after
    })
    .await
    .unwrap();
    assert_eq!(got.len(), 3, "every message arrives, once");
    let mut recipients: Vec<&str> = got.iter().filter_map(|m| header(m, "To")).collect();
    recipients.sort();
    assert_eq!(
        recipients,
        ["down1@example.com", "down2@example.com", "down3@example.com"]
    );
}

#[tokio::test]
async fn two_senders_on_one_database_send_each_message_once() {
    let sink = tokio::task::spawn_blocking(SmtpSink::start).await.unwrap();
    let db = roster_testkit::TestDatabase::create();
    let mut settings = TestRoster::test_settings(db.url());
    settings.smtp_url = Some(sink.url());
    settings.mail_poll = Duration::from_millis(20);
    let got = tokio::task::spawn_blocking(move || {
        let first = roster_api::app::open_database(&settings).unwrap();
        let second = roster_api::app::open_database(&settings).unwrap();
        {
            let mut conn = first.pool().get().unwrap();
            for n in 0..30 {
                let mail = roster_persistence::outbox::NewMail {
                    kind: "test".into(),
                    recipient: format!("n{n}@example.com"),
                    subject: format!("message {n}"),
                    body_text: "hello".into(),
                    body_html: "<p>hello</p>".into(),
                };
                roster_persistence::outbox::enqueue(&mut conn, &mail).unwrap();
            }
        }
        // Two nodes' senders (own pools, own lease owners) race for the same rows.
        let a = roster_api::background::mailer::Mailer::start(first.pool().clone(), &settings).unwrap();
        let b = roster_api::background::mailer::Mailer::start(second.pool().clone(), &settings).unwrap();
        let got = sink.wait_for(30, Duration::from_secs(30));
        std::thread::sleep(Duration::from_millis(500));
        a.stop();
        b.stop();
        let after = sink.messages();
        assert_eq!(got.len(), after.len());
        let pending = roster_persistence::outbox::pending_count(&mut first.pool().get().unwrap()).unwrap();
        assert_eq!(pending, 0);
        // The pools go before the database they point at.
        drop((first, second));
        drop(db);
        after
    })
    .await
    .unwrap();
    assert_eq!(got.len(), 30, "each message exactly once");
    let mut subjects: Vec<&str> = got.iter().filter_map(|m| header(m, "Subject")).collect();
    subjects.sort();
    subjects.dedup();
    assert_eq!(subjects.len(), 30);
}
