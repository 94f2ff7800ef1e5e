//! The system-hook deliverer: a thread of its own that takes the lease of a
//! hook with events waiting, posts them in order, and gives the lease back.
//! Several nodes on one database each run one; a hook's lease keeps its
//! events in order and sent by one node at a time. A delivery that fails is
//! tried again after a doubling wait (`ROSTER_HOOKS_RETRY_MS`, up to a
//! day), the hook's later events waiting behind it; after 40 failures in a
//! row the hook is disabled and a security event says so. An event is sent
//! at least once: a node that stops between sending and recording sends it
//! again, with the same `webhook-id`.
//!
//! Requests go only to public addresses unless `ROSTER_HOOKS_ALLOW_PRIVATE`
//! (server-side request forgery): the check is made on the addresses the
//! name resolves to at delivery time, by the client's own resolver, so a
//! name that later points inward is refused too. Redirects are not followed.
use crate::services::audit::Actor;
use crate::settings::Settings;
use roster_domain::{is_internal_address, SecretKey, WebhookSecret};
use roster_persistence::system_hooks::{self, Attempt, EventRow, HookRow};
use roster_persistence::{now, write_transaction, DbPool, RepoError};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A hook is disabled after this many failed deliveries in a row.
pub const FAILURES_BEFORE_DISABLING: i32 = 40;
/// The longest wait between two tries.
const MAX_RETRY: Duration = Duration::from_secs(24 * 3600);
/// How much longer than one delivery's time-out a lease lasts (it is
/// renewed with every event sent): a node that stops holds its hooks no
/// longer than that.
const LEASE_MARGIN: Duration = Duration::from_secs(5);
/// Events read from the outbox at once.
const BATCH: i64 = 200;
/// The most of a receiver's answer kept in the log.
const ERROR_TEXT: usize = 500;

/// Sends deliveries: the HTTP clients (one that checks TLS certificates,
/// one that does not) and the secret key that opens hooks' secrets. Each
/// runtime makes its own (a client's connections belong to the runtime
/// that opened them): the deliverer's thread, and the server's.
#[derive(Clone)]
pub struct Sender {
    verifying: reqwest::Client,
    trusting: reqwest::Client,
    secrets: SecretKey,
    allow_private: bool,
    instance: String,
}

impl Sender {
    /// Clients with the settings' time-out, no redirects, and the resolver
    /// that refuses internal addresses (unless allowed).
    pub fn new(settings: &Settings, secrets: SecretKey, public_url: &str) -> anyhow::Result<Self> {
        let client = |verify: bool| {
            let mut builder = reqwest::Client::builder()
                .timeout(settings.hooks_timeout)
                .connect_timeout(settings.hooks_timeout)
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(concat!("Roster/", env!("CARGO_PKG_VERSION")))
                .danger_accept_invalid_certs(!verify);
            if !settings.hooks_allow_private {
                builder = builder.dns_resolver(Arc::new(PublicOnly));
            }
            builder.build()
        };
        Ok(Self {
            verifying: client(true)?,
            trusting: client(false)?,
            secrets,
            allow_private: settings.hooks_allow_private,
            instance: public_url.to_owned(),
        })
    }

    /// Posts `payload` to `hook`: its token and, with a signing secret, the
    /// Standard Webhooks headers. What came of it.
    pub async fn send(&self, hook: &HookRow, webhook_id: &str, event_name: &str, payload: &str) -> Attempt {
        let started = Instant::now();
        let outcome = self.try_send(hook, webhook_id, payload).await;
        let duration_ms = started.elapsed().as_millis() as i64;
        match outcome {
            Ok((status, body)) => {
                let delivered = (200..300).contains(&status);
                if !delivered {
                    log::warn!(
                        "system hook {} ({event_name}): the receiver answered {status}",
                        hook.id
                    );
                }
                Attempt {
                    delivered,
                    response_code: Some(i32::from(status)),
                    duration_ms,
                    error: (!delivered).then(|| truncated(&body)),
                }
            }
            Err(e) => {
                log::warn!("system hook {} ({event_name}): {e:#}", hook.id);
                Attempt {
                    delivered: false,
                    response_code: None,
                    duration_ms,
                    error: Some(truncated(&format!("{e:#}"))),
                }
            }
        }
    }

    async fn try_send(
        &self,
        hook: &HookRow,
        webhook_id: &str,
        payload: &str,
    ) -> anyhow::Result<(u16, String)> {
        let url = reqwest::Url::parse(&hook.url)?;
        if !self.allow_private {
            // An address in the URL is not resolved, so the resolver does
            // not see it: it is checked here.
            let literal = match url.host() {
                Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
                Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
                _ => None,
            };
            if literal.is_some_and(is_internal_address) {
                anyhow::bail!(
                    "refused: {} is an internal address (ROSTER_HOOKS_ALLOW_PRIVATE is off)",
                    hook.url
                );
            }
        }
        let client = if hook.enable_ssl_verification {
            &self.verifying
        } else {
            &self.trusting
        };
        let mut request = client
            .post(url)
            .header("Content-Type", "application/json")
            .header("X-Gitlab-Event", "System Hook")
            .header("X-Gitlab-Instance", &self.instance)
            .header("X-Gitlab-Event-UUID", webhook_id)
            .header("Idempotency-Key", webhook_id);
        if let Some(sealed) = &hook.token_sealed {
            let token = String::from_utf8(self.secrets.open(sealed)?)?;
            request = request.header("X-Gitlab-Token", token);
        }
        if let Some(sealed) = &hook.signing_secret_sealed {
            let secret = WebhookSecret::parse(&String::from_utf8(self.secrets.open(sealed)?)?)
                .map_err(|e| anyhow::anyhow!("the stored signing secret: {e}"))?;
            let timestamp = chrono::Utc::now().timestamp();
            request = request
                .header("webhook-id", webhook_id)
                .header("webhook-timestamp", timestamp.to_string())
                .header(
                    "webhook-signature",
                    secret.signature(webhook_id, timestamp, payload.as_bytes()),
                );
        }
        let response = request.body(payload.to_owned()).send().await?;
        let status = response.status().as_u16();
        let body = response.text().await.unwrap_or_default();
        Ok((status, body))
    }
}

fn truncated(text: &str) -> String {
    match text.char_indices().nth(ERROR_TEXT) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// A resolver that refuses a name resolving to any internal address.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if let Some(internal) = addresses.iter().find(|a| is_internal_address(a.ip())) {
                let refusal = format!(
                    "refused: {host} resolves to the internal address {} (ROSTER_HOOKS_ALLOW_PRIVATE is off)",
                    internal.ip()
                );
                return Err(refusal.into());
            }
            Ok(Box::new(addresses.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// A running deliverer; stop it with [`HookDeliverer::stop`].
pub struct HookDeliverer {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl HookDeliverer {
    /// Starts the deliverer thread, with a runtime of its own for its
    /// requests.
    pub fn start(
        pool: DbPool,
        settings: &Settings,
        secrets: SecretKey,
        public_url: &str,
        metrics: DeliveryMetrics,
    ) -> anyhow::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let sender = Sender::new(settings, secrets, public_url)?;
        let (retry, poll) = (settings.hooks_retry, settings.hooks_poll);
        let lease = settings.hooks_timeout + LEASE_MARGIN;
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("roster-hooks".into())
            .spawn(move || {
                // Made, used and dropped on this thread, outside any other runtime.
                let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                    Ok(runtime) => runtime,
                    Err(e) => {
                        log::error!("system hooks: no runtime for deliveries: {e}");
                        return;
                    }
                };
                let worker = Worker {
                    pool,
                    sender,
                    owner: uuid::Uuid::new_v4().to_string(),
                    retry,
                    lease,
                    metrics,
                    runtime,
                };
                worker.run(poll, &flag);
            })?;
        Ok(Self {
            stop,
            thread: Some(thread),
        })
    }

    /// Stops the deliverer after the delivery in flight, and waits for it.
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for HookDeliverer {
    /// A deliverer dropped without [`HookDeliverer::stop`] (a server that
    /// ended some other way) stops after its delivery in flight.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Counts deliveries for `/-/metrics`.
#[derive(Clone)]
pub struct DeliveryMetrics {
    /// Deliveries by result (`delivered`, `failed`).
    pub deliveries: prometheus::IntCounterVec,
}

struct Worker {
    pool: DbPool,
    sender: Sender,
    owner: String,
    retry: Duration,
    lease: Duration,
    metrics: DeliveryMetrics,
    runtime: tokio::runtime::Runtime,
}

impl Worker {
    fn run(&self, poll: Duration, stop: &AtomicBool) {
        let mut last_prune = Instant::now();
        while !stop.load(Ordering::Relaxed) {
            let busy = match self.round(stop) {
                Ok(busy) => busy,
                Err(e) => {
                    log::warn!("system hooks: {e:#}");
                    false
                }
            };
            if last_prune.elapsed() > Duration::from_secs(60) {
                last_prune = Instant::now();
                if let Err(e) = self
                    .pool
                    .get()
                    .map_err(RepoError::from)
                    .and_then(|mut c| system_hooks::prune_events(&mut c))
                {
                    log::warn!("system hooks: pruning the outbox: {e:#}");
                }
            }
            if busy {
                continue;
            }
            let mut slept = Duration::ZERO;
            while slept < poll && !stop.load(Ordering::Relaxed) {
                let step = Duration::from_millis(20).min(poll - slept);
                std::thread::sleep(step);
                slept += step;
            }
        }
    }

    /// Delivers what one due hook has waiting; `true` when there was one.
    fn round(&self, stop: &AtomicBool) -> anyhow::Result<bool> {
        let mut conn = self.pool.get()?;
        let lease =
            |at: chrono::NaiveDateTime| at + chrono::Duration::milliseconds(self.lease.as_millis() as i64);
        let at = now();
        let Some(hook) = system_hooks::claim_due_hook(&mut conn, &self.owner, at, lease(at))? else {
            return Ok(false);
        };
        let outcome = self.deliver_waiting(&mut conn, &hook, stop);
        system_hooks::release(&mut conn, hook.id, &self.owner)?;
        outcome?;
        Ok(true)
    }

    /// Sends the hook's events in order until none is left, one fails, or
    /// the deliverer is stopped.
    fn deliver_waiting(
        &self,
        conn: &mut roster_persistence::DbConnection,
        hook: &HookRow,
        stop: &AtomicBool,
    ) -> anyhow::Result<()> {
        let mut cursor = hook.last_event_id;
        // Only the first event sent under this lease can have been tried
        // before (it failed, or a node stopped before recording it).
        let mut first = true;
        loop {
            let events = system_hooks::events_after(conn, cursor, BATCH)?;
            if events.is_empty() {
                return Ok(());
            }
            for event in events {
                if stop.load(Ordering::Relaxed) {
                    return Ok(());
                }
                if !hook.wants(&event.event_name) {
                    system_hooks::skip_to(conn, hook.id, &self.owner, event.id)?;
                    cursor = event.id;
                    continue;
                }
                if !self.deliver(conn, hook, &event, first)? {
                    return Ok(());
                }
                first = false;
                cursor = event.id;
            }
        }
    }

    /// One event to one hook; `false` when it failed (and waits for its
    /// retry).
    fn deliver(
        &self,
        conn: &mut roster_persistence::DbConnection,
        hook: &HookRow,
        event: &EventRow,
        first: bool,
    ) -> anyhow::Result<bool> {
        let logged = if first {
            system_hooks::find_event_delivery(conn, hook.id, event.id)?
        } else {
            None
        };
        let attempt = self.runtime.block_on(self.sender.send(
            hook,
            &event.webhook_id,
            &event.event_name,
            &event.payload,
        ));
        let result = if attempt.delivered { "delivered" } else { "failed" };
        self.metrics.deliveries.with_label_values(&[result]).inc();
        let at = now();
        let lease_until = at + chrono::Duration::milliseconds(self.lease.as_millis() as i64);
        // The log, the hook's place and its failures change together: one
        // transaction (and one commit) an event.
        write_transaction(conn, |conn| {
            match &logged {
                Some(row) => system_hooks::record_attempt(conn, row.id, &attempt)?,
                None => system_hooks::log_first_attempt(conn, hook.id, event, &attempt)?,
            }
            if attempt.delivered {
                system_hooks::advance(conn, hook.id, &self.owner, event.id, lease_until)?;
                return Ok::<_, RepoError>(());
            }
            let wait = backoff(self.retry, hook.recent_failures);
            let retry_at = at + chrono::Duration::milliseconds(wait.as_millis() as i64);
            let failures = system_hooks::note_failure(conn, hook.id, retry_at, FAILURES_BEFORE_DISABLING)?;
            if failures >= FAILURES_BEFORE_DISABLING {
                log::warn!(
                    "system hook {} disabled after {failures} failed deliveries in a row",
                    hook.id
                );
                Actor::default().record_hook(
                    conn,
                    "system_hook_disabled",
                    hook.id,
                    serde_json::json!({"url": hook.url, "failures": failures}),
                )?;
            }
            Ok(())
        })?;
        Ok(attempt.delivered)
    }
}

/// `retry`, doubled for each failure before this one, at most a day.
pub fn backoff(retry: Duration, failures_before: i32) -> Duration {
    let factor = 2u32.saturating_pow(failures_before.clamp(0, 30) as u32);
    retry.saturating_mul(factor).min(MAX_RETRY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_a_day() {
        let base = Duration::from_secs(60);
        assert_eq!(backoff(base, 0), Duration::from_secs(60));
        assert_eq!(backoff(base, 1), Duration::from_secs(120));
        assert_eq!(backoff(base, 4), Duration::from_secs(960));
        assert_eq!(backoff(base, 39), MAX_RETRY);
    }

    #[test]
    fn long_answers_are_cut() {
        assert_eq!(truncated("short"), "short");
        let long = "é".repeat(ERROR_TEXT + 10);
        assert_eq!(truncated(&long).chars().count(), ERROR_TEXT + 1);
    }
}
