//! Prometheus metrics: requests by route template and status, latency
//! histograms, the password-hash pool, the database pool and the mail outbox.
use crate::background::hashing::HashStats;
use prometheus::{Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder};
use std::sync::atomic::Ordering;

/// The metrics one process keeps.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    /// System-hook deliveries this process made, by result.
    pub hook_deliveries: IntCounterVec,
}

impl Metrics {
    /// A fresh registry with Roster's request metrics (refused only if the
    /// definitions below were wrong, which the start-up of every test finds).
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "roster_http_requests_total",
                "HTTP requests by route template, method and status",
            ),
            &["route", "method", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "roster_http_request_duration_seconds",
                "HTTP request latency by route template",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            ]),
            &["route", "method"],
        )?;
        let hook_deliveries = IntCounterVec::new(
            Opts::new(
                "roster_hook_deliveries_total",
                "System-hook deliveries this process made, by result (delivered, failed)",
            ),
            &["result"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(hook_deliveries.clone()))?;
        Ok(Self {
            registry,
            requests,
            latency,
            hook_deliveries,
        })
    }

    /// Records one finished request.
    pub fn observe(&self, route: &str, method: &str, status: u16, seconds: f64) {
        self.requests
            .with_label_values(&[route, method, &status.to_string()])
            .inc();
        self.latency.with_label_values(&[route, method]).observe(seconds);
    }

    /// The Prometheus text of the request metrics.
    fn encode_requests(&self) -> String {
        let mut out = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}

fn gauge(out: &mut String, name: &str, help: &str, kind: &str, samples: &[(&str, f64)]) {
    out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} {kind}\n"));
    for (labels, value) in samples {
        if labels.is_empty() {
            out.push_str(&format!("{name} {value}\n"));
        } else {
            out.push_str(&format!("{name}{{{labels}}} {value}\n"));
        }
    }
}

/// What is read from the process when the metrics are scraped.
pub struct Readings<'a> {
    /// Requests being answered.
    pub in_flight: usize,
    /// The password-hash pool's counters.
    pub hash: &'a HashStats,
    /// Database connections checked out.
    pub pool_in_use: u32,
    /// Database connections idle in the pool.
    pub pool_idle: u32,
    /// Mail not yet sent; `None` when the database did not answer.
    pub outbox_pending: Option<i64>,
    /// System-hook events not yet delivered, over every enabled hook;
    /// `None` when the database did not answer.
    pub hook_backlog: Option<i64>,
}

/// The whole exposition: the request metrics plus `readings`.
pub fn render(metrics: &Metrics, readings: &Readings<'_>) -> String {
    let mut out = metrics.encode_requests();
    let hash = readings.hash;
    gauge(
        &mut out,
        "roster_http_requests_in_flight",
        "HTTP requests being answered, this one included",
        "gauge",
        &[("", readings.in_flight as f64)],
    );
    gauge(
        &mut out,
        "roster_password_hash_in_flight",
        "Password hash jobs queued or running",
        "gauge",
        &[("", hash.in_flight.load(Ordering::Relaxed) as f64)],
    );
    gauge(
        &mut out,
        "roster_password_hash_total",
        "Password hash jobs finished",
        "counter",
        &[("", hash.completed.load(Ordering::Relaxed) as f64)],
    );
    gauge(
        &mut out,
        "roster_password_hash_seconds_total",
        "Time spent hashing passwords",
        "counter",
        &[("", hash.busy_micros.load(Ordering::Relaxed) as f64 / 1e6)],
    );
    let idle = f64::from(readings.pool_idle);
    let in_use = f64::from(readings.pool_in_use);
    gauge(
        &mut out,
        "roster_db_pool_connections",
        "Database connections by state",
        "gauge",
        &[("state=\"in_use\"", in_use), ("state=\"idle\"", idle)],
    );
    if let Some(pending) = readings.outbox_pending {
        gauge(
            &mut out,
            "roster_mail_outbox_pending",
            "Mail messages not yet sent",
            "gauge",
            &[("", pending as f64)],
        );
    }
    if let Some(backlog) = readings.hook_backlog {
        gauge(
            &mut out,
            "roster_hook_events_pending",
            "System-hook events not yet delivered, summed over the enabled hooks",
            "gauge",
            &[("", backlog as f64)],
        );
    }
    out
}
