//! The mail sender: a thread of its own that delivers due outbox messages
//! over SMTP (`ROSTER_SMTP_URL`) with `lettre`, retrying failures with a
//! doubling delay. Each message is leased before it is sent, so several
//! Roster nodes on one database never send the same message twice (short of a
//! crash between sending and recording it, when it is sent again). With no
//! SMTP configured, messages are logged (kind, recipient, subject — never the
//! body, which holds secret links) and marked sent.
use crate::settings::Settings;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{Message, SmtpTransport, Transport};
use roster_persistence::outbox::{self, OutboxRow};
use roster_persistence::{now, DbPool};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// How long a lease on a message lasts: longer than one delivery can take.
const LEASE: Duration = Duration::from_secs(120);
/// Messages leased per round.
const BATCH: i64 = 20;
/// The longest wait between two tries of one message.
const MAX_RETRY: Duration = Duration::from_secs(3600);

/// Where mail goes.
enum Delivery {
    Smtp(Box<SmtpTransport>, Mailbox),
    Log,
}

/// A running sender; stop it with [`Mailer::stop`].
pub struct Mailer {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Mailer {
    /// Starts the sender thread.
    pub fn start(pool: DbPool, settings: &Settings) -> anyhow::Result<Self> {
        let delivery = match &settings.smtp_url {
            None => Delivery::Log,
            Some(url) => {
                let transport = SmtpTransport::from_url(url)
                    .map_err(|e| anyhow::anyhow!("ROSTER_SMTP_URL: {e}"))?
                    .timeout(Some(Duration::from_secs(10)))
                    .build();
                let from: Mailbox = settings
                    .mail_from
                    .parse()
                    .map_err(|e| anyhow::anyhow!("ROSTER_MAIL_FROM: {e}"))?;
                Delivery::Smtp(Box::new(transport), from)
            }
        };
        let stop = Arc::new(AtomicBool::new(false));
        let owner = uuid::Uuid::new_v4().to_string();
        let (poll, retry) = (settings.mail_poll, settings.mail_retry);
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("roster-mailer".into())
            .spawn(move || run(pool, delivery, owner, poll, retry, flag))?;
        Ok(Self {
            stop,
            thread: Some(thread),
        })
    }

    /// Stops the sender after its current round.
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(
    pool: DbPool,
    delivery: Delivery,
    owner: String,
    poll: Duration,
    retry: Duration,
    stop: Arc<AtomicBool>,
) {
    while !stop.load(Ordering::Relaxed) {
        if let Err(e) = round(&pool, &delivery, &owner, retry) {
            log::warn!("mail sender: {e:#}");
        }
        // Sleep in small steps so that a stop is noticed quickly.
        let mut slept = Duration::ZERO;
        while slept < poll && !stop.load(Ordering::Relaxed) {
            let step = Duration::from_millis(50).min(poll - slept);
            std::thread::sleep(step);
            slept += step;
        }
    }
}

fn round(pool: &DbPool, delivery: &Delivery, owner: &str, retry: Duration) -> anyhow::Result<()> {
    let mut conn = pool.get()?;
    let lease_until = now() + chrono::Duration::seconds(LEASE.as_secs() as i64);
    let due = outbox::claim_due(&mut conn, owner, lease_until, BATCH)?;
    for message in due {
        match deliver(delivery, &message) {
            Ok(()) => outbox::mark_sent(&mut conn, message.id)?,
            Err(e) => {
                let wait = backoff(retry, message.attempts);
                log::warn!(
                    "mail {} ({}) to {} failed (attempt {}), retrying in {}s: {e:#}",
                    message.id,
                    message.kind,
                    message.recipient,
                    message.attempts + 1,
                    wait.as_secs()
                );
                let next = now() + chrono::Duration::milliseconds(wait.as_millis() as i64);
                outbox::mark_failed(&mut conn, message.id, &format!("{e:#}"), next)?;
            }
        }
    }
    Ok(())
}

/// `retry`, doubled for each earlier failure, at most an hour.
fn backoff(retry: Duration, attempts: i32) -> Duration {
    let factor = 2u32.saturating_pow(attempts.clamp(0, 20) as u32);
    retry.saturating_mul(factor).min(MAX_RETRY)
}

fn deliver(delivery: &Delivery, message: &OutboxRow) -> anyhow::Result<()> {
    match delivery {
        Delivery::Log => {
            log::info!(
                "mail (no SMTP configured): {} to {}: {:?}",
                message.kind,
                message.recipient,
                message.subject
            );
            Ok(())
        }
        Delivery::Smtp(transport, from) => {
            let to: Mailbox = message.recipient.parse()?;
            let email = Message::builder()
                .from(from.clone())
                .to(to)
                .subject(&message.subject)
                .multipart(
                    MultiPart::alternative()
                        .singlepart(
                            SinglePart::builder()
                                .header(ContentType::TEXT_PLAIN)
                                .header(ContentTransferEncoding::QuotedPrintable)
                                .body(message.body_text.clone()),
                        )
                        .singlepart(
                            SinglePart::builder()
                                .header(ContentType::TEXT_HTML)
                                .header(ContentTransferEncoding::QuotedPrintable)
                                .body(message.body_html.clone()),
                        ),
                )?;
            transport.send(&email)?;
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        let base = Duration::from_secs(30);
        assert_eq!(backoff(base, 0), Duration::from_secs(30));
        assert_eq!(backoff(base, 1), Duration::from_secs(60));
        assert_eq!(backoff(base, 3), Duration::from_secs(240));
        assert_eq!(backoff(base, 50), MAX_RETRY);
    }
}
