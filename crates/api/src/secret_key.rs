//! The key that seals secrets at rest (§11): never in the database, so that
//! a copy of the database alone reveals no sealed secret. It is
//! `ROSTER_SECRET_KEY` when set; otherwise the file `ROSTER_SECRET_KEY_FILE`,
//! or by default a file beside the SQLite database (`<database>.key`), made
//! at first start (mode 0600) and read at every later one. Several nodes on
//! one PostgreSQL database must share the key: set it on each.
use crate::settings::Settings;
use anyhow::Context;
use roster_domain::SecretKey;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where the key file is when none is named: beside a SQLite database
/// file; `roster-secret.key` in the working directory for PostgreSQL; none
/// for an in-memory database (the key lives as long as the data).
pub fn default_file(database_url: &str) -> Option<PathBuf> {
    if database_url.starts_with("postgres") {
        return Some(PathBuf::from("roster-secret.key"));
    }
    let path = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .unwrap_or(database_url);
    let path = path.split('?').next().unwrap_or(path);
    if path.is_empty() || path.contains(":memory:") || path.starts_with("file::memory") {
        return None;
    }
    Some(PathBuf::from(format!("{path}.key")))
}

/// Reads the key file, or makes it with a new key when it does not exist.
fn read_or_make(path: &Path) -> anyhow::Result<SecretKey> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            SecretKey::from_base64(&text).with_context(|| format!("the secret key file {}", path.display()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = SecretKey::generate();
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            match options.open(path) {
                Ok(mut file) => {
                    writeln!(file, "{}", key.to_base64())
                        .with_context(|| format!("writing the secret key file {}", path.display()))?;
                    file.sync_all()?;
                    log::info!(
                        "made the secret key file {}; keep it with the database's backups",
                        path.display()
                    );
                    Ok(key)
                }
                // Another process made it first: use theirs.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read_or_make(path),
                Err(e) => Err(e).with_context(|| format!("making the secret key file {}", path.display())),
            }
        }
        Err(e) => Err(e).with_context(|| format!("reading the secret key file {}", path.display())),
    }
}

/// The key the settings name (see the module's documentation).
pub fn load(settings: &Settings) -> anyhow::Result<SecretKey> {
    if let Some(key) = &settings.secret_key {
        return Ok(key.clone());
    }
    match settings
        .secret_key_file
        .clone()
        .or_else(|| default_file(&settings.database_url))
    {
        Some(path) => read_or_make(&path),
        None => Ok(SecretKey::generate()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_file_sits_beside_the_database() {
        assert_eq!(
            default_file("sqlite:///var/lib/roster/roster.db"),
            Some("/var/lib/roster/roster.db.key".into())
        );
        assert_eq!(
            default_file("sqlite://roster.db?mode=rwc"),
            Some("roster.db.key".into())
        );
        assert_eq!(default_file("sqlite::memory:"), None);
        assert_eq!(
            default_file("postgres://db/roster"),
            Some("roster-secret.key".into())
        );
    }

    #[test]
    fn a_key_file_is_made_once_and_read_after() {
        let dir = std::env::temp_dir().join(format!("roster-key-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("db.key");
        let _ = std::fs::remove_file(&path);
        let made = read_or_make(&path).unwrap();
        let again = read_or_make(&path).unwrap();
        assert_eq!(again.open(&made.seal(b"x")).unwrap(), b"x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        std::fs::write(&path, "not a key").unwrap();
        assert!(read_or_make(&path).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_setting_wins_over_the_file() {
        let dir = std::env::temp_dir().join(format!("roster-key-load-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("roster.db");
        let mut settings = Settings {
            database_url: format!("sqlite://{}", db.display()),
            ..Settings::default()
        };
        let from_file = load(&settings).unwrap();
        assert!(dir.join("roster.db.key").exists(), "made beside the database");
        let given = SecretKey::generate();
        settings.secret_key = Some(given.clone());
        let used = load(&settings).unwrap();
        assert_eq!(used.open(&given.seal(b"y")).unwrap(), b"y");
        assert!(used.open(&from_file.seal(b"y")).is_err());
        settings.secret_key = None;
        settings.secret_key_file = Some(dir.join("elsewhere.key"));
        load(&settings).unwrap();
        assert!(dir.join("elsewhere.key").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
