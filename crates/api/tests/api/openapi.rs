//! §7 the OpenAPI document: served, printed, browsable offline, and in step
//! with the routes actually registered.
use roster_testkit::TestRoster;
use serde_json::Value;
use std::collections::BTreeSet;

/// Paths registered inside the `/api/v4` scope are recorded without it.
fn full_path(path: &str) -> String {
    let top_level = ["/-/", "/oauth/", "/uploads/", "/api/v4/", "/.well-known/"]
        .iter()
        .any(|p| path.starts_with(p))
        || path == "/{username}.keys"
        || path == "/{username}.gpg";
    if top_level {
        path.to_owned()
    } else {
        format!("/api/v4{path}")
    }
}

#[tokio::test]
async fn the_document_names_exactly_the_registered_routes() {
    let roster = TestRoster::spawn().await;
    let doc: Value = roster.expect_json(roster.get("/api/v4/openapi.json"), 200).await;
    assert_eq!(doc["openapi"], "3.1.0");
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| (method.to_uppercase(), path.clone()))
        })
        .collect();
    // Configuring an app records every route registered with `endpoint!`.
    let _ = actix_web::App::new().configure(roster_api::routes::configure);
    let registered: BTreeSet<(String, String)> = roster_api::routes::registered()
        .into_iter()
        .map(|(method, path)| (method.to_owned(), full_path(path)))
        .collect();
    let undocumented: Vec<_> = registered.difference(&documented).collect();
    let phantom: Vec<_> = documented.difference(&registered).collect();
    assert!(
        undocumented.is_empty(),
        "registered but not documented: {undocumented:?}"
    );
    assert!(phantom.is_empty(), "documented but not registered: {phantom:?}");
    assert!(documented.len() >= 70);

    // Every response schema reference resolves.
    let text = doc.to_string();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for part in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = part.split('"').next().unwrap();
        assert!(schemas.contains_key(name), "unresolved schema {name}");
    }
    let user = &schemas["UserAdmin"];
    assert!(user.to_string().contains("current_sign_in_ip"), "{user}");
}

#[tokio::test]
async fn the_command_prints_the_same_document() {
    let roster = TestRoster::spawn().await;
    let served: Value = roster.expect_json(roster.get("/api/v4/openapi.json"), 200).await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_roster"))
        .arg("openapi")
        .output()
        .unwrap();
    assert!(out.status.success());
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed, served);
}

#[tokio::test]
async fn the_docs_page_is_served_from_the_binary() {
    let roster = TestRoster::spawn().await;
    let r = roster.get("/api/v4/docs/").send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = r.text().await.unwrap();
    assert!(html.to_lowercase().contains("swagger"), "{html}");
    assert!(
        !html.contains("cdn.") && !html.contains("unpkg.com"),
        "no CDN: {html}"
    );
    let init = roster
        .get("/api/v4/docs/swagger-initializer.js")
        .send()
        .await
        .unwrap();
    assert_eq!(init.status(), 200);
    assert!(init.text().await.unwrap().contains("/api/v4/openapi.json"));
    let css = roster.get("/api/v4/docs/swagger-ui.css").send().await.unwrap();
    assert_eq!(css.status(), 200);
}

/// Each typed input's reader asks for exactly the parameters its schema
/// documents: a field read but not documented, or documented but never
/// read, fails here.
#[test]
fn typed_inputs_read_exactly_what_their_schemas_document() {
    let mut typed = 0;
    for route in roster_api::openapi::ROUTES {
        let Some(spec) = route.request else { continue };
        typed += 1;
        let mut read = (spec.names_read)();
        read.sort();
        let mut documented = roster_api::http::input::properties_of(&(spec.schema)());
        documented.sort();
        assert_eq!(
            read, documented,
            "{} {}: read vs documented",
            route.method, route.path
        );
        let mut required = (spec.names_required)();
        required.sort();
        let mut documented_required = roster_api::http::input::required_of(&(spec.schema)());
        documented_required.sort();
        assert_eq!(
            required, documented_required,
            "{} {}: read as required vs documented as required",
            route.method, route.path
        );
    }
    assert!(typed > 0, "no typed input found");
}

/// A JSON body's field that takes `null` takes it whatever else its schema
/// says (an `enum` must list `null` itself), and a form's fields never do (a
/// form cannot say null): found by the contract fuzz, which sent `null` for
/// `gender` where the document's `enum` refused it.
#[test]
fn nullable_fields_list_null_in_their_enums_and_form_fields_never_take_null() {
    let doc = serde_json::to_value(roster_api::openapi::document()).unwrap();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let mut checked = 0;
    for (name, schema) in schemas {
        let Some(properties) = schema["properties"].as_object() else {
            continue;
        };
        for (field, property) in properties {
            let Some(values) = property["enum"].as_array() else {
                continue;
            };
            let takes_null = property["type"]
                .as_array()
                .is_some_and(|types| types.iter().any(|t| t == "null"));
            let lists_null = values.iter().any(Value::is_null);
            checked += 1;
            if name.ends_with("Form") {
                assert!(!takes_null && !lists_null, "{name}.{field} takes null in a form");
            } else {
                assert_eq!(takes_null, lists_null, "{name}.{field}: type vs enum on null");
            }
        }
    }
    assert!(checked > 4, "no enum found");
}
