//! The rules of the browser flows of OAuth 2 and OpenID Connect that need
//! no storage: PKCE (RFC 7636), `prompt` and `max_age` (OIDC Core §3.1.2.1),
//! `at_hash` (OIDC Core §3.1.3.6) and the device grant's user codes (RFC
//! 8628 §6.1).
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

fn unreserved(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// An S256 code challenge: the base64url SHA-256 of a verifier (43
/// characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeChallenge(String);

impl CodeChallenge {
    /// Parses a challenge sent with `code_challenge_method=S256`.
    pub fn parse(value: &str) -> Option<Self> {
        (value.len() == 43 && unreserved(value)).then(|| Self(value.to_owned()))
    }

    /// The challenge as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `verifier` (43 to 128 unreserved characters, RFC 7636 §4.1)
    /// is the one this challenge was made from.
    pub fn is_met_by(stored: &str, verifier: &str) -> bool {
        (43..=128).contains(&verifier.len())
            && unreserved(verifier)
            && URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == stored
    }
}

/// What `prompt` asks for. `none` stands alone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Prompt {
    /// Show no page: answer at once, or with an error.
    pub none: bool,
    /// Ask for the password again, even with a session.
    pub login: bool,
    /// Ask for consent again, even when it was given.
    pub consent: bool,
}

impl Prompt {
    /// Parses the space-separated values; `None` for an unknown value or
    /// `none` with another one.
    pub fn parse(value: &str) -> Option<Self> {
        let mut prompt = Self::default();
        for part in value.split(' ').filter(|p| !p.is_empty()) {
            match part {
                "none" => prompt.none = true,
                "login" => prompt.login = true,
                "consent" => prompt.consent = true,
                // Roster has one account per browser session.
                "select_account" => {}
                _ => return None,
            }
        }
        if prompt.none && (prompt.login || prompt.consent) {
            return None;
        }
        Some(prompt)
    }
}

/// `max_age`: seconds since the person last signed in, at most.
pub fn parse_max_age(value: &str) -> Option<i64> {
    value.parse::<u32>().ok().map(i64::from)
}

/// The `at_hash` of an access token for an RS256 ID token: the base64url
/// of the left half of its SHA-256.
pub fn at_hash(access_token: &str) -> String {
    let digest = Sha256::digest(access_token.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..16])
}

/// The letters of device-grant user codes: consonants only, so that no
/// word forms and nothing is mistaken for a digit (RFC 8628 §6.1).
const USER_CODE_LETTERS: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";

/// A device-grant user code, `XXXX-XXXX` (about 34 bits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserCode(String);

impl UserCode {
    /// A new random code.
    pub fn generate() -> Self {
        use rand::Rng;
        let mut rng = rand::rng();
        let mut code = String::with_capacity(9);
        for i in 0..8 {
            if i == 4 {
                code.push('-');
            }
            code.push(USER_CODE_LETTERS[rng.random_range(0..USER_CODE_LETTERS.len())] as char);
        }
        Self(code)
    }

    /// Reads a code as a person typed it: any case, with or without the
    /// dash or spaces.
    pub fn parse(typed: &str) -> Option<Self> {
        let letters: String = typed
            .chars()
            .filter(|c| !matches!(c, '-' | ' '))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if letters.len() != 8 || !letters.bytes().all(|b| USER_CODE_LETTERS.contains(&b)) {
            return None;
        }
        Some(Self(format!("{}-{}", &letters[..4], &letters[4..])))
    }

    /// The code, `XXXX-XXXX`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_s256_follows_rfc_7636_appendix_b() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = CodeChallenge::parse("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM").unwrap();
        assert!(CodeChallenge::is_met_by(challenge.as_str(), verifier));
        assert!(!CodeChallenge::is_met_by(
            challenge.as_str(),
            &verifier.replace('d', "e")
        ));
        assert!(!CodeChallenge::is_met_by(challenge.as_str(), "short"));
        assert!(CodeChallenge::parse("too-short").is_none());
        assert!(CodeChallenge::parse(&"a+".repeat(22)[..43]).is_none());
    }

    #[test]
    fn prompts() {
        assert_eq!(Prompt::parse("").unwrap(), Prompt::default());
        let p = Prompt::parse("login consent").unwrap();
        assert!(p.login && p.consent && !p.none);
        assert!(Prompt::parse("none").unwrap().none);
        assert!(Prompt::parse("none login").is_none());
        assert!(Prompt::parse("sometimes").is_none());
        assert_eq!(parse_max_age("0"), Some(0));
        assert_eq!(parse_max_age("-1"), None);
        assert_eq!(parse_max_age("x"), None);
    }

    #[test]
    fn at_hash_is_the_left_half() {
        // OIDC Core appendix A.3's access token and at_hash.
        assert_eq!(
            at_hash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
    }

    #[test]
    fn user_codes_read_as_typed() {
        let code = UserCode::generate();
        assert_eq!(code.as_str().len(), 9);
        assert_eq!(
            UserCode::parse(&code.as_str().to_lowercase().replace('-', " ")),
            Some(code)
        );
        assert!(UserCode::parse("AEIO-UAEI").is_none());
        assert!(UserCode::parse("BCDF-GHJ").is_none());
    }
}
