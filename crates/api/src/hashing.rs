//! Password hashing on its own bounded pool of threads: never on the async
//! workers, never on the pool that runs database calls, so a storm of sign-ins
//! cannot starve other requests.
use crate::error::ApiError;
use roster_domain::Password;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

/// Counters about the hashing pool, for metrics.
#[derive(Debug, Default)]
pub struct HashStats {
    /// Jobs waiting or running.
    pub in_flight: AtomicUsize,
    /// Jobs finished.
    pub completed: AtomicUsize,
    /// Total time spent hashing, in microseconds.
    pub busy_micros: AtomicUsize,
}

/// Hashes and verifies passwords with bcrypt on dedicated threads.
#[derive(Clone)]
pub struct PasswordHasher {
    jobs: SyncSender<Job>,
    cost: u32,
    stats: Arc<HashStats>,
    // A hash of a random password, verified against when the user is unknown
    // so that "no such user" costs the same time as "wrong password".
    decoy: Arc<String>,
}

impl PasswordHasher {
    /// Starts `workers` threads with room for `queue` waiting jobs.
    pub fn start(cost: u32, workers: usize, queue: usize) -> anyhow::Result<Self> {
        let (jobs, rx) = sync_channel::<Job>(queue.max(1));
        let rx = Arc::new(Mutex::new(rx));
        for n in 0..workers.max(1) {
            let rx = Arc::clone(&rx);
            std::thread::Builder::new()
                .name(format!("roster-hash-{n}"))
                .spawn(move || worker(rx))?;
        }
        let decoy_secret = roster_domain::TokenSecret::generate(roster_domain::TokenKind::Personal);
        let decoy = bcrypt::hash(decoy_secret.expose(), cost)?;
        Ok(Self {
            jobs,
            cost,
            stats: Arc::default(),
            decoy: Arc::new(decoy),
        })
    }

    /// The pool's counters.
    pub fn stats(&self) -> &HashStats {
        &self.stats
    }

    async fn submit<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
        let (tx, rx) = oneshot::channel();
        let stats = Arc::clone(&self.stats);
        stats.in_flight.fetch_add(1, Ordering::Relaxed);
        let job: Job = Box::new(move || {
            let started = Instant::now();
            let out = f();
            let micros = started.elapsed().as_micros().min(usize::MAX as u128) as usize;
            stats.busy_micros.fetch_add(micros, Ordering::Relaxed);
            stats.completed.fetch_add(1, Ordering::Relaxed);
            stats.in_flight.fetch_sub(1, Ordering::Relaxed);
            let _ = tx.send(out);
        });
        match self.jobs.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                self.stats.in_flight.fetch_sub(1, Ordering::Relaxed);
                return Err(ApiError::Unavailable("password hashing queue is full".into()));
            }
            Err(TrySendError::Disconnected(_)) => {
                self.stats.in_flight.fetch_sub(1, Ordering::Relaxed);
                return Err(ApiError::Internal(anyhow::anyhow!("hashing pool stopped")));
            }
        }
        rx.await
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("hashing job was dropped")))
    }

    /// Hashes a new password.
    pub async fn hash(&self, password: Password) -> Result<String, ApiError> {
        let cost = self.cost;
        self.submit(move || bcrypt::hash(password.expose(), cost))
            .await?
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("bcrypt: {e}")))
    }

    /// Checks `candidate` against `hash`; with no hash (unknown user), checks it
    /// against a decoy so that the answer takes the same time, and is `false`.
    pub async fn verify(&self, candidate: String, hash: Option<String>) -> Result<bool, ApiError> {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.decoy.as_str().to_owned());
        let ok = self
            .submit(move || bcrypt::verify(candidate.as_bytes(), &hash).unwrap_or(false))
            .await?;
        Ok(known && ok)
    }

    /// Hashes on the calling thread (for the command line, outside the server).
    pub fn hash_now(&self, password: &Password) -> anyhow::Result<String> {
        Ok(bcrypt::hash(password.expose(), self.cost)?)
    }
}

fn worker(rx: Arc<Mutex<Receiver<Job>>>) {
    loop {
        let job = {
            let Ok(guard) = rx.lock() else { return };
            match guard.recv_timeout(Duration::from_secs(3600)) {
                Ok(job) => job,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => continue,
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
            }
        };
        job();
    }
}
