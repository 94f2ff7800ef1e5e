//! System hooks (§14): made, changed and removed by admins, each change
//! with its security event; a test event and a redelivery, sent at once and
//! logged. Delivering the outbox is the background deliverer's
//! (`background/hooks.rs`).
use crate::http::error::ApiError;
use crate::inputs::hooks::{CreateHook, HookSettings, SigningSecretChoice, UpdateHook};
use crate::services::audit::Actor;
use crate::state::AppState;
use roster_domain::{is_internal_address, FieldError, HookUrl, Problem, WebhookSecret};
use roster_persistence::system_hooks::{self, DeliveryRow, HookChanges, HookRow, NewHook};
use roster_persistence::write_transaction;
use serde_json::{json, Value};

const HOOK: &str = "Hook";
const DELIVERY: &str = "Delivery";

/// A hook as saved, with a signing secret just generated (shown once).
pub struct Saved {
    /// The hook.
    pub row: HookRow,
    /// The secret made by `signing_secret=generate`.
    pub generated: Option<String>,
}

/// Refuses a hook to this machine or the local network, unless the
/// server allows it: an address given, or a name that resolves to one now
/// (the deliverer checks again at every delivery, since names change).
async fn check_destination(state: &AppState, url: &HookUrl) -> Result<(), ApiError> {
    if state.settings.hooks_allow_private {
        return Ok(());
    }
    let refuse = || {
        ApiError::from(FieldError::new(
            "url",
            Problem::InvalidBecause(
                "is an internal address (loopback, link-local or private); the server refuses it unless ROSTER_HOOKS_ALLOW_PRIVATE=true",
            ),
        ))
    };
    if let Some(address) = url.address() {
        return if is_internal_address(address) {
            Err(refuse())
        } else {
            Ok(())
        };
    }
    // A name that does not resolve yet is taken: deliveries wait for it.
    if let Ok(addresses) = tokio::net::lookup_host((url.host(), url.port())).await {
        if addresses.into_iter().any(|a| is_internal_address(a.ip())) {
            return Err(refuse());
        }
    }
    Ok(())
}

/// The sealed token, the sealed secret, and a secret just generated, from
/// what the request said of them.
fn sealed_secrets(
    state: &AppState,
    settings: &HookSettings,
) -> (Option<Option<String>>, Option<Option<String>>, Option<String>) {
    let token = settings.token.as_ref().map(|t| {
        t.as_ref()
            .filter(|t| !t.is_empty())
            .map(|t| state.secrets.seal(t.as_bytes()))
    });
    let mut generated = None;
    let secret = settings.signing_secret.as_ref().map(|choice| match choice {
        SigningSecretChoice::Remove => None,
        SigningSecretChoice::Given(secret) => Some(state.secrets.seal(secret.expose().as_bytes())),
        SigningSecretChoice::Generate => {
            let secret = WebhookSecret::generate();
            let sealed = state.secrets.seal(secret.expose().as_bytes());
            generated = Some(secret.expose().to_owned());
            Some(sealed)
        }
    });
    (token, secret, generated)
}

fn joined(events: &Option<Vec<String>>) -> Option<String> {
    events.as_ref().map(|e| e.join(" "))
}

/// `POST /hooks`.
pub async fn create(state: &AppState, actor: Actor, input: CreateHook) -> Result<Saved, ApiError> {
    check_destination(state, &input.url).await?;
    let settings = input.settings;
    let (token, secret, generated) = sealed_secrets(state, &settings);
    let [push, tag_push, merge_requests, repository_update] = settings.flags;
    let new = NewHook {
        url: input.url.as_str().to_owned(),
        name: settings.name.flatten(),
        description: settings.description.flatten(),
        token_sealed: token.flatten(),
        signing_secret_sealed: secret.flatten(),
        push_events: push.unwrap_or(false),
        tag_push_events: tag_push.unwrap_or(false),
        merge_requests_events: merge_requests.unwrap_or(false),
        repository_update_events: repository_update.unwrap_or(true),
        enable_ssl_verification: settings.enable_ssl_verification.unwrap_or(true),
        events: settings.events.and_then(|e| joined(&e)),
    };
    let row = state
        .db
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let row = system_hooks::create_hook(conn, &new)?;
                actor.record_hook(conn, "system_hook_created", row.id, json!({"url": row.url}))?;
                Ok(row)
            })
        })
        .await?;
    Ok(Saved { row, generated })
}

/// `PUT /hooks/:id`; `None` when there is no such hook. A new address
/// without a new token drops the old token (as GitLab does), so that it is
/// never sent where it was not meant to go.
pub async fn update(
    state: &AppState,
    actor: Actor,
    id: i64,
    input: UpdateHook,
) -> Result<Option<Saved>, ApiError> {
    if let Some(url) = &input.url {
        check_destination(state, url).await?;
    }
    let settings = input.settings;
    let (mut token, secret, generated) = sealed_secrets(state, &settings);
    if input.url.is_some() && token.is_none() {
        token = Some(None);
    }
    let [push, tag_push, merge_requests, repository_update] = settings.flags;
    let changes = HookChanges {
        url: input.url.map(|u| u.as_str().to_owned()),
        name: settings.name,
        description: settings.description,
        token_sealed: token,
        signing_secret_sealed: secret,
        push_events: push,
        tag_push_events: tag_push,
        merge_requests_events: merge_requests,
        repository_update_events: repository_update,
        enable_ssl_verification: settings.enable_ssl_verification,
        events: settings.events.map(|e| joined(&e)),
    };
    let row = state
        .db
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let Some(before) = system_hooks::find_hook(conn, id)? else {
                    return Ok(None);
                };
                let row = system_hooks::update_hook(conn, id, &changes)?;
                if let Some(row) = &row {
                    let details = json!({"url": row.url, "enabled_again": before.disabled_at.is_some()});
                    actor.record_hook(conn, "system_hook_updated", id, details)?;
                }
                Ok(row)
            })
        })
        .await?;
    Ok(row.map(|row| Saved { row, generated }))
}

/// `DELETE /hooks/:id`: the hook and its delivery log; `false` when absent.
pub async fn delete(state: &AppState, actor: Actor, id: i64) -> Result<bool, ApiError> {
    state
        .db
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let Some(hook) = system_hooks::find_hook(conn, id)? else {
                    return Ok(false);
                };
                system_hooks::delete_hook(conn, id)?;
                actor.record_hook(conn, "system_hook_deleted", id, json!({"url": hook.url}))?;
                Ok(true)
            })
        })
        .await
}

/// The hook `id`, or `404 Hook Not Found`.
pub async fn find(state: &AppState, id: i64) -> Result<HookRow, ApiError> {
    state
        .db
        .run(move |conn| system_hooks::find_hook(conn, id))
        .await?
        .ok_or(ApiError::NotFound(HOOK))
}

/// GitLab's sample system-hook event, which its test endpoint sends.
fn test_payload() -> Value {
    json!({
        "event_name": "project_create",
        "name": "Ruby",
        "path": "ruby",
        "project_id": 1,
        "owner_name": "Someone",
        "owner_email": "example@gitlabhq.com",
    })
}

/// `POST /hooks/:id`: sends GitLab's sample event at once (whatever the
/// hook's filter), logs it as a test delivery (never retried), and answers
/// the data sent.
pub async fn test(state: &AppState, id: i64) -> Result<Value, ApiError> {
    let hook = find(state, id).await?;
    let payload = test_payload();
    let body = payload.to_string();
    let webhook_id = format!("msg_{}", uuid::Uuid::new_v4().simple());
    let delivery = {
        let (body, webhook_id) = (body.clone(), webhook_id.clone());
        state
            .db
            .run(move |conn| {
                system_hooks::insert_delivery(conn, id, None, &webhook_id, "project_create", &body, true)
            })
            .await?
    };
    send_and_record(state, hook, delivery).await?;
    Ok(payload)
}

/// `POST /hooks/:id/deliveries/:delivery_id/redeliver`: the logged body,
/// with its original `webhook-id`, sent again at once; the delivery as
/// logged afterwards.
pub async fn redeliver(state: &AppState, id: i64, delivery_id: i64) -> Result<DeliveryRow, ApiError> {
    let hook = find(state, id).await?;
    let delivery = state
        .db
        .run(move |conn| system_hooks::find_delivery(conn, id, delivery_id))
        .await?
        .ok_or(ApiError::NotFound(DELIVERY))?;
    send_and_record(state, hook, delivery).await
}

/// Sends a logged delivery on the blocking pool and records the try.
async fn send_and_record(
    state: &AppState,
    hook: HookRow,
    delivery: DeliveryRow,
) -> Result<DeliveryRow, ApiError> {
    let attempt = state
        .hook_sender
        .send(
            &hook,
            &delivery.webhook_id,
            &delivery.event_name,
            &delivery.payload,
        )
        .await;
    let result = if attempt.delivered { "delivered" } else { "failed" };
    state.metrics.hook_deliveries.with_label_values(&[result]).inc();
    let (hook_id, delivery_id) = (delivery.hook_id, delivery.id);
    state
        .db
        .run(move |conn| {
            system_hooks::record_attempt(conn, delivery_id, &attempt)?;
            system_hooks::find_delivery(conn, hook_id, delivery_id)
        })
        .await?
        .ok_or(ApiError::NotFound(DELIVERY))
}
