//! The routes, one module per resource; each exposes `configure`.
use crate::http::error::ApiError;
use actix_web::{web, HttpRequest};

pub mod account;
pub mod account_pages;
pub mod activities;
pub mod admin_pages;
pub mod applications;
pub mod audit;
pub mod authorize;
pub mod custom_attributes;
pub mod device;
pub mod emails;
pub mod gpg_keys;
pub mod groups;
pub mod hooks;
pub mod keys;
pub mod oauth;
pub mod oidc;
pub mod ops;
pub mod pages;
pub mod service_accounts;
pub mod sessions;
pub mod sign_in;
pub mod social;
pub mod status;
pub mod testkit;
pub mod tokens;
pub mod two_factor;
pub mod users;
pub mod webauthn;

/// Registers one path with its methods; any other method gets a JSON 405 with
/// `Allow`. `GET` routes answer `HEAD` too. `body_limit = N;` before the
/// methods raises the body size limit for this path (uploads).
#[macro_export]
macro_rules! endpoint {
    ($cfg:expr, $path:expr, body_limit = $limit:expr; $($method:ident => $handler:expr),+ $(,)?) => {{
        let resource = actix_web::web::resource($path).app_data(actix_web::web::PayloadConfig::new($limit));
        $crate::endpoint!(@build $crate::routes::record, $crate::routes::refuse_method, $cfg, $path, resource, $($method => $handler),+);
    }};
    ($cfg:expr, $path:expr, $($method:ident => $handler:expr),+ $(,)?) => {{
        let resource = actix_web::web::resource($path);
        $crate::endpoint!(@build $crate::routes::record, $crate::routes::refuse_method, $cfg, $path, resource, $($method => $handler),+);
    }};
    (@build $record:path, $refuse:path, $cfg:expr, $path:expr, $resource:expr, $($method:ident => $handler:expr),+) => {{
        let allow: Vec<&'static str> = vec![$(stringify!($method)),+];
        let mut allow_header = allow.clone();
        if allow.contains(&"GET") {
            allow_header.push("HEAD");
        }
        let allow_header = allow_header.join(", ");
        let mut resource = $resource;
        $( $record(stringify!($method), $path); )+
        $(
            resource = resource.route(
                actix_web::web::method(actix_web::http::Method::$method).to($handler),
            );
            if stringify!($method) == "GET" {
                resource = resource.route(actix_web::web::head().to($handler));
            }
        )+
        $cfg.service(resource.default_service(actix_web::web::to(move |req: actix_web::HttpRequest| {
            $refuse(req, allow_header.clone())
        })));
    }};
}

/// Registers one page of the account pages or the admin console, as
/// [`endpoint!`] does a route of the API; pages are HTML for people, so
/// they are listed apart ([`pages`]) and not in the OpenAPI document.
#[macro_export]
macro_rules! page {
    ($cfg:expr, $path:expr, body_limit = $limit:expr; $($method:ident => $handler:expr),+ $(,)?) => {{
        let resource = actix_web::web::resource($path).app_data(actix_web::web::PayloadConfig::new($limit));
        $crate::endpoint!(@build $crate::routes::record_page, $crate::http::page::refuse_method, $cfg, $path, resource, $($method => $handler),+);
    }};
    ($cfg:expr, $path:expr, $($method:ident => $handler:expr),+ $(,)?) => {{
        let resource = actix_web::web::resource($path);
        $crate::endpoint!(@build $crate::routes::record_page, $crate::http::page::refuse_method, $cfg, $path, resource, $($method => $handler),+);
    }};
}

/// Every `(method, path)` registered with [`page!`]; filled when the app
/// is configured. Read by the tests that walk every page.
static PAGES: std::sync::Mutex<std::collections::BTreeSet<(&'static str, &'static str)>> =
    std::sync::Mutex::new(std::collections::BTreeSet::new());

/// Notes a registered page (called by [`page!`]).
pub fn record_page(method: &'static str, path: &'static str) {
    if let Ok(mut set) = PAGES.lock() {
        set.insert((method, path));
    }
}

/// The pages registered so far.
pub fn pages() -> Vec<(&'static str, &'static str)> {
    PAGES
        .lock()
        .map(|set| set.iter().copied().collect())
        .unwrap_or_default()
}

/// Every `(method, path)` registered with [`endpoint!`] (paths inside
/// `/api/v4` without that prefix). Read by the OpenAPI coverage test; filled
/// when the app is configured.
static REGISTERED: std::sync::Mutex<std::collections::BTreeSet<(&'static str, &'static str)>> =
    std::sync::Mutex::new(std::collections::BTreeSet::new());

/// Notes a registered route (called by [`endpoint!`]).
pub fn record(method: &'static str, path: &'static str) {
    if let Ok(mut set) = REGISTERED.lock() {
        set.insert((method, path));
    }
}

/// The routes registered so far.
pub fn registered() -> Vec<(&'static str, &'static str)> {
    REGISTERED
        .lock()
        .map(|set| set.iter().copied().collect())
        .unwrap_or_default()
}

/// Reads an id from the path; anything but a positive integer is "not found".
pub fn path_id(req: &HttpRequest, name: &str, what: &'static str) -> Result<i64, ApiError> {
    req.match_info()
        .get(name)
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|id| *id > 0)
        .ok_or(ApiError::NotFound(what))
}

/// Every route of the API.
pub fn configure(cfg: &mut web::ServiceConfig) {
    // Before the `/api/v4` scope, which would answer 404 for these paths.
    record("GET", "/api/v4/openapi.json");
    cfg.service(
        utoipa_swagger_ui::SwaggerUi::new("/api/v4/docs/{_:.*}")
            .url("/api/v4/openapi.json", crate::openapi::document()),
    );
    // The contract names the page without its slash; the page's assets are
    // relative to `/api/v4/docs/`, so send the browser there.
    cfg.route(
        "/api/v4/docs",
        web::get().to(|| async {
            actix_web::HttpResponse::PermanentRedirect()
                .insert_header((actix_web::http::header::LOCATION, "docs/"))
                .finish()
        }),
    );
    ops::configure(cfg);
    pages::configure(cfg);
    oauth::configure(cfg);
    sign_in::configure(cfg);
    account_pages::configure(cfg);
    admin_pages::configure(cfg);
    authorize::configure(cfg);
    device::configure(cfg);
    oidc::configure(cfg);
    cfg.service(
        web::scope("/api/v4")
            .configure(activities::configure)
            .configure(users::configure)
            .configure(tokens::configure)
            .configure(keys::configure)
            .configure(gpg_keys::configure)
            .configure(emails::configure)
            .configure(account::configure)
            .configure(audit::configure)
            .configure(social::configure)
            .configure(custom_attributes::configure)
            .configure(status::configure)
            .configure(groups::configure)
            .configure(hooks::configure)
            .configure(applications::configure)
            .configure(oidc::configure_api)
            .configure(sessions::configure)
            .configure(service_accounts::configure)
            .configure(two_factor::configure)
            .configure(webauthn::configure)
            .default_service(web::to(not_found)),
    );
    keys::configure_top_level(cfg);
    gpg_keys::configure_top_level(cfg);
    social::configure_top_level(cfg);
}

/// The 404 for any unknown path: JSON (§1), but for a browser asking for a
/// page in the console's areas, which gets the page of a 404.
pub async fn not_found(req: actix_web::HttpRequest) -> Result<actix_web::HttpResponse, actix_web::Error> {
    if crate::http::page::is_console_path(req.path()) && crate::http::page::wants_html(&req) {
        Err(crate::http::page::PageExit::NotFound.into())
    } else {
        Err(ApiError::NotFound("").into())
    }
}

/// The answer to a route asked for with a method it does not take (the
/// `endpoint!` macro's): a JSON `405` with `Allow`.
pub async fn refuse_method(
    _req: actix_web::HttpRequest,
    allow: String,
) -> Result<actix_web::HttpResponse, actix_web::Error> {
    Err(ApiError::MethodNotAllowed(allow).into())
}
