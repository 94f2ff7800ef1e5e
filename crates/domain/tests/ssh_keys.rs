//! SSH keys made by `ssh-keygen` (in `fixtures/keys`), with the fingerprints
//! `ssh-keygen -lf` and `ssh-keygen -E md5 -lf` printed for them
//! (`fixtures/keys/FINGERPRINTS`). The `sk-` keys were assembled from their
//! wire format, as no FIDO device was at hand, and fingerprinted the same way.
use roster_domain::SshPublicKey;
use std::path::Path;

fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keys")
}

#[test]
fn fingerprints_match_ssh_keygen() {
    let table = std::fs::read_to_string(fixtures().join("FINGERPRINTS")).unwrap();
    let mut accepted = 0;
    for line in table.lines() {
        let [file, sha256, md5] = line.split(' ').collect::<Vec<_>>()[..] else {
            panic!("bad fixture line {line:?}");
        };
        let text = std::fs::read_to_string(fixtures().join(file)).unwrap();
        match SshPublicKey::parse(&text) {
            Ok(key) => {
                assert_eq!(key.sha256_fingerprint(), sha256, "{file}");
                assert_eq!(key.md5_fingerprint(), md5, "{file}");
                assert_eq!(
                    key.as_str(),
                    text.trim(),
                    "{file}: the canonical line is the ssh-keygen line"
                );
                accepted += 1;
            }
            Err(e) => {
                assert_eq!(file, "k_rsab1024.pub", "only the short RSA key is refused: {e}");
                let key = SshPublicKey::parse_with_min_rsa(&text, 1024).unwrap();
                assert_eq!(key.sha256_fingerprint(), sha256);
            }
        }
    }
    assert_eq!(
        accepted, 7,
        "ed25519, ecdsa 256/384/521, rsa 2048 and both sk- types"
    );
}

#[test]
fn algorithms_are_named() {
    let read = |f: &str| SshPublicKey::parse(&std::fs::read_to_string(fixtures().join(f)).unwrap()).unwrap();
    assert_eq!(read("k_ed25519.pub").algorithm(), "ssh-ed25519");
    assert_eq!(read("k_ecdsab384.pub").algorithm(), "ecdsa-sha2-nistp384");
    assert_eq!(read("k_sked25519.pub").algorithm(), "sk-ssh-ed25519@openssh.com");
    assert_eq!(
        read("k_skecdsa.pub").algorithm(),
        "sk-ecdsa-sha2-nistp256@openssh.com"
    );
    assert_eq!(read("k_rsab2048.pub").algorithm(), "ssh-rsa");
}

#[test]
fn a_pasted_private_key_is_refused_with_a_clear_reason() {
    let private = std::fs::read_to_string(fixtures().join("pasted_private_key.txt")).unwrap();
    let err = SshPublicKey::parse(&private).unwrap_err();
    assert!(err.problem.to_string().contains("private key"), "{err}");
    let shown = format!("{err} {err:?}");
    let secret_line = private.lines().nth(1).unwrap();
    assert!(!shown.contains(secret_line), "the key material is never echoed");
}

#[test]
fn comments_and_surrounding_space_are_kept_tidy() {
    let text = std::fs::read_to_string(fixtures().join("k_ed25519.pub")).unwrap();
    let spaced = format!("   {}  \n", text.trim());
    assert_eq!(SshPublicKey::parse(&spaced).unwrap().as_str(), text.trim());
    let no_comment: String = text.split(' ').take(2).collect::<Vec<_>>().join(" ");
    assert_eq!(SshPublicKey::parse(&no_comment).unwrap().as_str(), no_comment);
}
