//! Issuing personal access tokens.
use roster_domain::{Scopes, TokenExpiry, TokenKind, TokenSecret};
use roster_persistence::personal_tokens::{self, NewPat, PatRow};
use roster_persistence::{DbConnection, RepoError};

/// Stores a new token for `user_id` and gives back its row and secret.
pub fn issue_pat(
    conn: &mut DbConnection,
    user_id: i64,
    name: &str,
    scopes: &Scopes,
    expires_at: Option<TokenExpiry>,
) -> Result<(PatRow, TokenSecret), RepoError> {
    let secret = TokenSecret::generate(TokenKind::Personal);
    let digest = secret.digest();
    let row = personal_tokens::create_pat(
        conn,
        &NewPat {
            user_id,
            name,
            token_digest: digest.as_str(),
            scopes: &scopes.joined(),
            expires_at: expires_at.map(TokenExpiry::date),
            previous_id: None,
            created_at: roster_persistence::now(),
        },
    )?;
    Ok((row, secret))
}
