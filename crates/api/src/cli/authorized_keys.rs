//! `roster ssh authorized-keys`: fetches a user's keys from a Roster server
//! for sshd's `AuthorizedKeysCommand`. It prints every line or none: any
//! doubt (unknown user, network error, a line that is not a public key) means
//! empty output and a non-zero exit, so sshd never sees a partial or wrong list.
use roster_domain::SshPublicKey;
use std::time::Duration;

/// Why no keys were printed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The name cannot be a Roster user (sshd passes any login name).
    #[error("{0:?} is not a valid user name")]
    BadUsername(String),
    /// The server does not know the user.
    #[error("no such user")]
    UnknownUser,
    /// The server answered something else than 200 or 404.
    #[error("the server answered {0}")]
    Status(u16),
    /// The server could not be reached or did not answer in time.
    #[error("request failed: {0}")]
    Network(#[from] reqwest::Error),
    /// A line of the answer is not a public key.
    #[error("the answer holds a line that is not a public key")]
    BadLine,
}

/// Fetches `GET {base_url}/{username}.keys` (with `token`, when given, so
/// that private profiles' keys are served) and checks every line.
pub fn fetch(
    base_url: &str,
    username: &str,
    token: Option<&str>,
    timeout: Duration,
) -> Result<String, FetchError> {
    let username =
        roster_domain::Username::parse(username).map_err(|_| FetchError::BadUsername(username.to_owned()))?;
    let client = reqwest::blocking::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let url = format!("{}/{}.keys", base_url.trim_end_matches('/'), username.as_str());
    let mut request = client.get(url);
    if let Some(token) = token {
        request = request.header("PRIVATE-TOKEN", token);
    }
    let response = request.send()?;
    match response.status().as_u16() {
        200 => {}
        404 => return Err(FetchError::UnknownUser),
        other => return Err(FetchError::Status(other)),
    }
    let body = response.text()?;
    // Accept any RSA size the server accepted: the server applies its policy.
    let all_keys = body
        .lines()
        .filter(|l| !l.trim().is_empty())
        .all(|l| SshPublicKey::parse_with_min_rsa(l, 1024).is_ok());
    if !all_keys {
        return Err(FetchError::BadLine);
    }
    Ok(body)
}
