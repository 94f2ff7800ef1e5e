//! Health and readiness.
use crate::background::metrics::{render, Readings};
use crate::endpoint;
use crate::state::AppState;
use crate::views::Status;
use actix_web::{web, HttpResponse};

/// `GET /-/health`: the process is up.
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(Status {
        status: "ok",
        checks: None,
        message: None,
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// `GET /-/readiness`: the database answers.
pub async fn readiness(state: web::Data<AppState>) -> HttpResponse {
    let pool = state.db.pool().clone();
    let checked = web::block(move || -> Result<(), String> {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        roster_persistence::ping(&mut conn).map_err(|e| e.to_string())
    })
    .await;
    let failure = match checked {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(e),
        Err(e) => Some(e.to_string()),
    };
    match failure {
        None => HttpResponse::Ok().json(Status {
            status: "ok",
            checks: Some([("database", "ok")].into()),
            message: None,
            version: env!("CARGO_PKG_VERSION"),
        }),
        Some(reason) => {
            log::warn!("readiness: database check failed: {reason}");
            HttpResponse::ServiceUnavailable().json(Status {
                status: "failed",
                checks: Some([("database", "failed")].into()),
                message: Some("the database does not answer"),
                version: env!("CARGO_PKG_VERSION"),
            })
        }
    }
}

/// `GET /-/metrics`: Prometheus text.
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let pool = state.db.pool().state();
    let outbox_pending = state.db.run(roster_persistence::outbox::pending_count).await.ok();
    let hook_backlog = state.db.run(roster_persistence::system_hooks::backlog).await.ok();
    let readings = Readings {
        in_flight: state.load.in_flight(),
        hash: state.hasher.stats(),
        pool_in_use: pool.connections - pool.idle_connections,
        pool_idle: pool.idle_connections,
        outbox_pending,
        hook_backlog,
    };
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(render(&state.metrics, &readings))
}

/// Registers the operations routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    endpoint!(cfg, "/-/health", GET => health);
    endpoint!(cfg, "/-/readiness", GET => readiness);
    endpoint!(cfg, "/-/metrics", GET => metrics);
}
