//! Password hashing on its own bounded pool of threads: never on the async
//! workers, never on the pool that runs database calls, so a storm of sign-ins
//! cannot starve other requests.
//!
//! The pool is adaptive. bcrypt is pure CPU: with every core hashing, the
//! requests that only read (GET /user and the like) wait for a core behind
//! it. So while other requests are being answered, at most
//! `under_load` hashes run at once; when nothing else is asking, all `workers`
//! do, and sign-ins get the whole machine.
use crate::background::load::RequestLoad;
use crate::http::error::ApiError;
use roster_domain::Password;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
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

/// How big the hashing pool is.
#[derive(Debug, Clone, Copy)]
pub struct HashPoolSize {
    /// Threads, and hashes at once while nothing else is being answered.
    pub workers: usize,
    /// Hashes at once while other requests are being answered.
    pub under_load: usize,
    /// Jobs that may wait for a thread before callers get 503.
    pub queue: usize,
}

impl HashPoolSize {
    /// One thread, one waiting job: for the command line.
    pub const SINGLE: Self = Self {
        workers: 1,
        under_load: 1,
        queue: 1,
    };
}

/// Requests other than those waiting for a hash that make the machine count
/// as busy. One is not enough: a sign-in whose hash just finished is still
/// being answered for a moment, and a lone request gets a core from the
/// kernel's scheduler anyway.
const OTHER_REQUESTS_THAT_MAKE_A_LOAD: usize = 2;

/// How often a thread holding a job looks again whether it may start.
const GATE_RECHECK: Duration = Duration::from_millis(2);

/// Lets a hash start only while fewer than the allowed number are running.
struct Gate {
    running: Mutex<usize>,
    freed: Condvar,
    size: HashPoolSize,
    load: Arc<RequestLoad>,
    stats: Arc<HashStats>,
}

impl Gate {
    fn allowed_now(&self) -> usize {
        let hashing = self.stats.in_flight.load(Ordering::Relaxed);
        let others = self.load.in_flight().saturating_sub(hashing);
        if others >= OTHER_REQUESTS_THAT_MAKE_A_LOAD {
            self.size.under_load
        } else {
            self.size.workers
        }
    }

    fn lock(&self) -> MutexGuard<'_, usize> {
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until this thread may hash, then counts it as running. The load
    /// can change while a thread waits, hence the timed re-check.
    fn run<T>(&self, job: impl FnOnce() -> T) -> T {
        let mut running = self.lock();
        while *running >= self.allowed_now() {
            running = self
                .freed
                .wait_timeout(running, GATE_RECHECK)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        *running += 1;
        drop(running);
        let out = job();
        *self.lock() -= 1;
        self.freed.notify_one();
        out
    }
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
    /// Starts the pool's threads; `load` tells them whether other requests
    /// are waiting for a core.
    pub fn start(cost: u32, size: HashPoolSize, load: Arc<RequestLoad>) -> anyhow::Result<Self> {
        let workers = size.workers.max(1);
        let size = HashPoolSize {
            workers,
            under_load: size.under_load.clamp(1, workers),
            queue: size.queue.max(1),
        };
        let (jobs, rx) = sync_channel::<Job>(size.queue);
        let rx = Arc::new(Mutex::new(rx));
        let stats = Arc::new(HashStats::default());
        let gate = Arc::new(Gate {
            running: Mutex::new(0),
            freed: Condvar::new(),
            size,
            load,
            stats: Arc::clone(&stats),
        });
        for n in 0..workers {
            let rx = Arc::clone(&rx);
            let gate = Arc::clone(&gate);
            std::thread::Builder::new()
                .name(format!("roster-hash-{n}"))
                .spawn(move || worker(&rx, &gate))?;
        }
        let decoy_secret = roster_domain::TokenSecret::generate(roster_domain::TokenKind::Personal);
        let decoy = bcrypt::hash(decoy_secret.expose(), cost)?;
        Ok(Self {
            jobs,
            cost,
            stats,
            decoy: Arc::new(decoy),
        })
    }

    /// A pool of one thread that no request load holds back: for the
    /// command line and test set-up.
    pub fn single(cost: u32) -> anyhow::Result<Self> {
        Self::start(cost, HashPoolSize::SINGLE, Arc::default())
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

    /// Checks `candidate` against `hash` (Roster's bcrypt, or an imported
    /// hash of any supported format); with no hash (unknown user), checks it
    /// against a decoy so that the answer takes the same time, and is `false`.
    pub async fn verify(&self, candidate: String, hash: Option<String>) -> Result<bool, ApiError> {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.decoy.as_str().to_owned());
        let ok = self
            .submit(move || crate::background::stored_hash::matches(candidate.as_bytes(), &hash))
            .await?;
        Ok(known && ok)
    }

    /// Roster's own hash of a password that was just checked against an
    /// imported hash; `None` when bcrypt cannot hold it (over 72 bytes: the
    /// imported hash then stays).
    pub async fn rehash(&self, candidate: String) -> Result<Option<String>, ApiError> {
        if candidate.len() > crate::background::stored_hash::BCRYPT_MAX_BYTES {
            return Ok(None);
        }
        let cost = self.cost;
        self.submit(move || bcrypt::hash(candidate.as_bytes(), cost))
            .await?
            .map(Some)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("bcrypt: {e}")))
    }

    /// Hashes on the calling thread (for the command line, outside the server).
    pub fn hash_now(&self, password: &Password) -> anyhow::Result<String> {
        Ok(bcrypt::hash(password.expose(), self.cost)?)
    }
}

fn worker(rx: &Mutex<Receiver<Job>>, gate: &Gate) {
    loop {
        let job = {
            let Ok(guard) = rx.lock() else { return };
            match guard.recv_timeout(Duration::from_secs(3600)) {
                Ok(job) => job,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => continue,
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
            }
        };
        gate.run(job);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    fn gate(load: &Arc<RequestLoad>) -> Arc<Gate> {
        Arc::new(Gate {
            running: Mutex::new(0),
            freed: Condvar::new(),
            size: HashPoolSize {
                workers: 2,
                under_load: 1,
                queue: 4,
            },
            load: Arc::clone(load),
            stats: Arc::default(),
        })
    }

    /// Runs two jobs on two threads; each waits (up to two seconds) for the
    /// other to be running too. Returns how many ran at the same time.
    fn most_at_once(gate: &Arc<Gate>) -> usize {
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let (gate, running, most) = (Arc::clone(gate), Arc::clone(&running), Arc::clone(&most));
                std::thread::spawn(move || {
                    gate.run(|| {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        let until = Instant::now() + Duration::from_secs(2);
                        while running.load(Ordering::SeqCst) < 2 && Instant::now() < until {
                            std::thread::sleep(Duration::from_millis(1));
                        }
                        most.fetch_max(running.load(Ordering::SeqCst), Ordering::SeqCst);
                        running.fetch_sub(1, Ordering::SeqCst);
                    });
                })
            })
            .collect();
        for thread in threads {
            thread.join().expect("job thread");
        }
        most.load(Ordering::SeqCst)
    }

    #[test]
    fn every_worker_hashes_while_nothing_else_is_asked() {
        let load = Arc::new(RequestLoad::default());
        let _one_request = load.enter();
        assert_eq!(most_at_once(&gate(&load)), 2);
    }

    #[test]
    fn hashes_yield_cores_while_other_requests_are_answered() {
        let load = Arc::new(RequestLoad::default());
        let _requests: Vec<_> = (0..OTHER_REQUESTS_THAT_MAKE_A_LOAD)
            .map(|_| load.enter())
            .collect();
        assert_eq!(most_at_once(&gate(&load)), 1);
    }

    #[test]
    fn requests_waiting_for_a_hash_are_not_a_load() {
        let load = Arc::new(RequestLoad::default());
        let gate = gate(&load);
        let _sign_ins: Vec<_> = (0..4).map(|_| load.enter()).collect();
        gate.stats.in_flight.store(4, Ordering::Relaxed);
        assert_eq!(most_at_once(&gate), 2);
    }
}
