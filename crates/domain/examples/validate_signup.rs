//! Validates a sign-up form the way Roster does, without Roster.
//!
//! Run with `cargo run -p roster-domain --example validate_signup --features serde`.
use roster_domain::{Birthday, EmailAddress, FieldError, Password, PhoneNumber, Username};
use serde::Deserialize;

#[derive(Deserialize)]
struct SignUp {
    username: Username,
    email: EmailAddress,
    password: String,
    phone: Option<String>,
    birthday: Option<String>,
}

fn check(form: &SignUp) -> Result<(), FieldError> {
    let password = Password::parse(&form.password)?;
    password.ensure_differs_from(form.username.as_str(), form.email.as_str())?;
    if let Some(phone) = &form.phone {
        PhoneNumber::parse(phone)?;
    }
    if let Some(day) = &form.birthday {
        Birthday::parse(day, chrono::Utc::now().date_naive())?;
    }
    Ok(())
}

fn main() {
    let forms = [
        r#"{"username": "ada", "email": "Ada@Example.com", "password": "analytical-engine", "phone": "+44 20 7946 0000"}"#,
        r#"{"username": "ada", "email": "ada@example.com", "password": "short"}"#,
        r#"{"username": "api", "email": "ada@example.com", "password": "analytical-engine"}"#,
        r#"{"username": "ada", "email": "ada@example.com", "password": "analytical-engine", "birthday": "2999-01-01"}"#,
    ];
    for json in forms {
        match serde_json::from_str::<SignUp>(json) {
            Ok(form) => match check(&form) {
                Ok(()) => println!("ok: {} <{}>", form.username, form.email),
                Err(e) => println!("refused: {e}"),
            },
            Err(e) => println!("refused: {e}"),
        }
    }
}
