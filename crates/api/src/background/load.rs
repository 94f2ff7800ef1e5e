//! How many requests the server is answering right now, so that password
//! hashing can yield cores to them (see `hashing`).
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Requests in flight, counted by the outermost middleware.
#[derive(Debug, Default)]
pub struct RequestLoad {
    in_flight: AtomicUsize,
}

impl RequestLoad {
    /// Counts one request until the returned guard is dropped (also when the
    /// client goes away and the request future is dropped unfinished).
    pub fn enter(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(Arc::clone(self))
    }

    /// Requests being answered now.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::Relaxed)
    }
}

/// One request being answered.
pub struct InFlight(Arc<RequestLoad>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_requests_until_their_guards_drop() {
        let load = Arc::new(RequestLoad::default());
        let first = load.enter();
        let second = load.enter();
        assert_eq!(load.in_flight(), 2);
        drop(first);
        assert_eq!(load.in_flight(), 1);
        drop(second);
        assert_eq!(load.in_flight(), 0);
    }
}
