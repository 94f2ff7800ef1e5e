//! `/-/account/two_factor` and `/-/account/passkeys`: an authenticator
//! app, passkeys and security keys, recovery codes, turning it all off.
//! The API's rules hold: setting up an app, new recovery codes and turning
//! off ask for the password every time; a passkey asks again after ten
//! minutes.
use super::done;
use crate::http::error::ApiError;
use crate::http::input::parse;
use crate::http::page::{checked_form, FormState, PageResult, Person};
use crate::http::params::Params;
use crate::inputs::account::CurrentPassword;
use crate::inputs::two_factor::{
    DisableTwoFactor, RecoveryCodesRequest, TotpConfirmation, TotpEnrolment, WebauthnRegistration,
};
use crate::routes::path_id;
use crate::services::{two_factor, webauthn};
use crate::state::AppState;
use crate::views::account_pages::{TotpEnrolmentView, TwoFactorPage};
use crate::views::pages::render;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use base64::Engine;
use roster_domain::RecoveryCode;
use roster_persistence::two_factor as stored;

const PAGE: &str = "/-/account/two_factor";

/// What the page shows beyond the stored state.
#[derive(Default)]
struct Shown {
    enrolment: Option<TotpEnrolmentView>,
    recovery_codes: Option<Vec<String>>,
    form: FormState,
    passkey_form: FormState,
    codes_form: FormState,
    disable_form: FormState,
}

impl Shown {
    fn has_errors(&self) -> bool {
        [
            &self.form,
            &self.passkey_form,
            &self.codes_form,
            &self.disable_form,
        ]
        .iter()
        .any(|f| f.has_errors())
    }
}

async fn show(state: &AppState, person: &Person, shown: Shown) -> PageResult {
    let user = person.user().clone();
    let id = user.id;
    let totp = state.db.run(move |conn| stored::find_totp(conn, id)).await?;
    let passkeys = webauthn::list(state, &person.caller).await?;
    let status = if shown.has_errors() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let must_enrol = !user.two_factor_enabled && state.settings.require_two_factor.applies_to(user.is_admin);
    Ok(person.browser.page(
        status,
        render(&TwoFactorPage {
            title: "Two-factor authentication and passkeys",
            nav: person.nav("two_factor"),
            must_enrol,
            enabled: user.two_factor_enabled,
            totp: totp.as_ref().is_some_and(|t| t.confirmed_at.is_some()),
            totp_pending: totp.as_ref().is_some_and(|t| t.confirmed_at.is_none())
                && shown.enrolment.is_none(),
            enrolment: shown.enrolment,
            recovery_codes: shown.recovery_codes,
            passkeys,
            form: shown.form,
            passkey_form: shown.passkey_form,
            codes_form: shown.codes_form,
            disable_form: shown.disable_form,
            recent: person.checked_recently(),
        }),
    ))
}

fn exposed(codes: Vec<RecoveryCode>) -> Option<Vec<String>> {
    Some(codes.iter().map(|c| c.expose().to_owned()).collect())
}

/// The `otpauth://` URI as an SVG QR code in a `data:` URI (the policy
/// allows `data:` images, and nothing leaves the server).
fn qr_data_uri(uri: &str) -> Result<String, ApiError> {
    let code = qrcode::QrCode::new(uri.as_bytes())
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("QR code: {e}")))?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build();
    Ok(format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    ))
}

/// `GET /-/account/two_factor`.
pub async fn page(state: web::Data<AppState>, person: Person) -> PageResult {
    show(&state, &person, Shown::default()).await
}

/// `POST /-/account/two_factor/totp`: a new key, shown with its QR code.
pub async fn begin_totp(
    state: web::Data<AppState>,
    person: Person,
    params: Result<Params, ApiError>,
) -> PageResult {
    let params = checked_form(&person.browser, params)?;
    let begun = match parse::<TotpEnrolment>(&params) {
        Ok(input) => two_factor::begin_totp(&state, &person.caller, input.current_password).await,
        Err(e) => Err(e),
    };
    let shown = match begun {
        Ok(enrolment) => Shown {
            enrolment: Some(TotpEnrolmentView {
                qr_data_uri: qr_data_uri(&enrolment.otpauth_uri)?,
                secret: enrolment.secret,
            }),
            ..Shown::default()
        },
        Err(e) => Shown {
            form: FormState::new().with_error(e).for_fields(&["current_password"]),
            ..Shown::default()
        },
    };
    show(&state, &person, shown).await
}

/// `POST /-/account/two_factor/totp/confirm`: the first code turns it on;
/// the recovery codes are shown once.
pub async fn confirm_totp(
    state: web::Data<AppState>,
    person: Person,
    params: Result<Params, ApiError>,
) -> PageResult {
    let params = checked_form(&person.browser, params)?;
    let confirmed = match parse::<TotpConfirmation>(&params) {
        Ok(input) => two_factor::confirm_totp(&state, &person.caller, input.otp).await,
        Err(e) => Err(e),
    };
    let shown = match confirmed {
        Ok(codes) => Shown {
            recovery_codes: exposed(codes),
            ..Shown::default()
        },
        Err(e) => Shown {
            form: FormState::new().with_error(e).for_fields(&["otp"]),
            ..Shown::default()
        },
    };
    let mut person = person;
    if shown.recovery_codes.is_some() {
        person.caller.user.two_factor_enabled = true;
        person.notice = Some("Two-factor authentication is on.");
    }
    show(&state, &person, shown).await
}

/// `POST /-/account/two_factor/recovery_codes`.
pub async fn new_codes(
    state: web::Data<AppState>,
    person: Person,
    params: Result<Params, ApiError>,
) -> PageResult {
    let params = checked_form(&person.browser, params)?;
    let made = match parse::<RecoveryCodesRequest>(&params) {
        Ok(input) => {
            two_factor::regenerate_recovery_codes(&state, &person.caller, input.current_password, input.otp)
                .await
        }
        Err(e) => Err(e),
    };
    let shown = match made {
        Ok(codes) => Shown {
            recovery_codes: exposed(codes),
            ..Shown::default()
        },
        Err(e) => Shown {
            codes_form: FormState::new().with_error(e).for_fields(&["otp"]),
            ..Shown::default()
        },
    };
    show(&state, &person, shown).await
}

/// `POST /-/account/two_factor/disable`.
pub async fn disable(
    state: web::Data<AppState>,
    person: Person,
    params: Result<Params, ApiError>,
) -> PageResult {
    let mut params = checked_form(&person.browser, params)?;
    params.drop_empty(&["otp"]);
    let turned_off = match parse::<DisableTwoFactor>(&params) {
        Ok(input) => two_factor::disable(&state, &person.caller, input.current_password, input.otp).await,
        Err(e) => Err(e),
    };
    match turned_off {
        Ok(()) => Ok(done(&person, PAGE, "two_factor_off")),
        Err(e) => {
            let shown = Shown {
                disable_form: FormState::new()
                    .with_error(e)
                    .for_fields(&["current_password", "otp"]),
                ..Shown::default()
            };
            show(&state, &person, shown).await
        }
    }
}

/// `POST /-/account/passkeys/options`: the creation options for the page's
/// script (CSRF-checked like every form).
pub async fn passkey_options(
    state: web::Data<AppState>,
    person: Person,
    params: Result<Params, ApiError>,
) -> Result<HttpResponse, crate::http::page::PageExit> {
    checked_form(&person.browser, params)?;
    let options = webauthn::registration_options(&state, &person.caller).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(options))
}

/// `POST /-/account/passkeys`: the authenticator's answer (the script puts
/// it in `credential`) under the name typed.
pub async fn add_passkey(
    state: web::Data<AppState>,
    person: Person,
    params: Result<Params, ApiError>,
) -> PageResult {
    let params = checked_form(&person.browser, params)?;
    let added = async {
        person.confirm_password(&state, &params).await?;
        let credential = params.text("credential").unwrap_or_default();
        let credential: serde_json::Value = serde_json::from_str(&credential).map_err(|_| {
            ApiError::field(
                "credential",
                "was not sent by your browser; add the passkey again",
            )
        })?;
        let mut object = serde_json::Map::new();
        object.insert("name".into(), params.text("name").unwrap_or_default().into());
        object.insert("credential".into(), credential);
        let input = parse::<WebauthnRegistration>(&Params::from_object(object)?)?;
        webauthn::register(&state, &person.caller, input.name, input.credential).await
    }
    .await;
    match added {
        Ok(_) => Ok(done(&person, PAGE, "passkey")),
        Err(e) => {
            let shown = Shown {
                passkey_form: FormState::from_params(&params)
                    .with_error(e)
                    .for_fields(&["name", "current_password"]),
                ..Shown::default()
            };
            show(&state, &person, shown).await
        }
    }
}

/// `POST /-/account/passkeys/:id/delete`, with the password (the API's rule).
pub async fn remove_passkey(
    req: HttpRequest,
    state: web::Data<AppState>,
    person: Person,
    params: Result<Params, ApiError>,
) -> PageResult {
    let params = checked_form(&person.browser, params)?;
    let id = path_id(&req, "id", "WebAuthn Registration")?;
    let removed = match parse::<CurrentPassword>(&params) {
        Ok(input) => webauthn::delete(&state, &person.caller, id, input.current_password).await,
        Err(e) => Err(e),
    };
    match removed {
        Ok(()) => Ok(done(&person, PAGE, "passkey_removed")),
        Err(ApiError::NotFound(what)) => Err(ApiError::NotFound(what).into()),
        Err(e) => {
            let shown = Shown {
                passkey_form: FormState::new().with_error(e).for_fields(&[]),
                ..Shown::default()
            };
            show(&state, &person, shown).await
        }
    }
}
