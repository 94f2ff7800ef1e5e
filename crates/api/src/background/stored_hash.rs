//! Checking a password against a stored hash of any supported format:
//! Roster's own bcrypt, or one imported with the user (§13; the formats are
//! `roster_domain::ImportedHash`'s). Called on the hashing pool only.
use password_hash::{PasswordHash, PasswordVerifier};

/// bcrypt reads at most 72 bytes of a password.
pub const BCRYPT_MAX_BYTES: usize = 72;

/// Whether `candidate` is the password `stored` was made from. A stored
/// text in no known format matches nothing.
pub fn matches(candidate: &[u8], stored: &str) -> bool {
    if stored.starts_with("$2") {
        // A longer candidate would match a stored password that is its first
        // 72 bytes: never a match (it is still checked, for the time).
        let ok = bcrypt::verify(candidate, stored).unwrap_or(false);
        return ok && candidate.len() <= BCRYPT_MAX_BYTES;
    }
    if let Some(rest) = stored.strip_prefix("pbkdf2_sha256$") {
        return django_pbkdf2(candidate, rest);
    }
    if let Some(rest) = stored
        .strip_prefix("$pbkdf2-sha256$")
        .filter(|r| r.starts_with(|c: char| c.is_ascii_digit()))
    {
        return passlib_pbkdf2(candidate, rest);
    }
    let phc = stored.strip_prefix("argon2").unwrap_or(stored);
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    match hash.algorithm.as_str() {
        "argon2id" | "argon2i" => argon2::Argon2::default()
            .verify_password(candidate, &hash)
            .is_ok(),
        "scrypt" => scrypt::Scrypt.verify_password(candidate, &hash).is_ok(),
        "pbkdf2-sha256" => pbkdf2::Pbkdf2.verify_password(candidate, &hash).is_ok(),
        _ => false,
    }
}

/// Django's `pbkdf2_sha256$<rounds>$<salt>$<base64>`: PBKDF2-HMAC-SHA256 of
/// 32 bytes, the salt taken as its text.
fn django_pbkdf2(candidate: &[u8], rest: &str) -> bool {
    use base64::Engine;
    let mut parts = rest.split('$');
    let (Some(rounds), Some(salt), Some(hash), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let (Ok(rounds), Ok(expected)) = (
        rounds.parse::<u32>(),
        base64::engine::general_purpose::STANDARD.decode(hash),
    ) else {
        return false;
    };
    let mut derived = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(candidate, salt.as_bytes(), rounds, &mut derived);
    expected.len() == derived.len() && constant_time_eq(&expected, &derived)
}

/// passlib's `<rounds>$<salt>$<checksum>`, both in its adapted base64; the
/// salt taken as its bytes.
fn passlib_pbkdf2(candidate: &[u8], rest: &str) -> bool {
    use roster_domain::passlib_ab64_decode as decode;
    let mut parts = rest.split('$');
    let (Some(rounds), Some(salt), Some(hash), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let (Ok(rounds), Some(salt), Some(expected)) = (rounds.parse::<u32>(), decode(salt), decode(hash)) else {
        return false;
    };
    let mut derived = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(candidate, &salt, rounds, &mut derived);
    expected.len() == derived.len() && constant_time_eq(&expected, &derived)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether `stored` is a hash Roster makes itself (bcrypt `$2b$`); any other
/// is replaced at the next successful sign-in.
pub fn is_roster_own(stored: &str) -> bool {
    stored.starts_with("$2b$")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roster_own_bcrypt_and_unknown_text() {
        let own = bcrypt::hash("correct-horse-battery", 4).unwrap();
        assert!(is_roster_own(&own));
        assert!(matches(b"correct-horse-battery", &own));
        assert!(!matches(b"wrong", &own));
        assert!(!matches(b"correct-horse-battery", "not a hash"));
        assert!(!is_roster_own("pbkdf2_sha256$1$s$x"));
    }

    #[test]
    fn django_pbkdf2_matches_its_own_derivation() {
        use base64::Engine;
        let mut derived = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<sha2::Sha256>(b"secret", b"salt", 1000, &mut derived);
        let stored = format!(
            "pbkdf2_sha256$1000$salt${}",
            base64::engine::general_purpose::STANDARD.encode(derived)
        );
        assert!(matches(b"secret", &stored));
        assert!(!matches(b"Secret", &stored));
    }
}
