//! Property tests: no parser panics on any input, and what a parser accepts
//! it accepts again in its normalised form (parsing is idempotent).
use proptest::prelude::*;
use roster_domain::*;

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn usernames(s in ".{0,300}") {
        if let Ok(name) = Username::parse(&s) {
            prop_assert_eq!(Username::parse(name.as_str()).unwrap(), name);
        }
    }

    #[test]
    fn emails(s in ".{0,300}", local in "[a-zA-Z0-9._%+-]{1,20}", domain in "[a-z0-9-]{1,20}\\.[a-z]{2,6}") {
        if let Ok(e) = EmailAddress::parse(&s) {
            prop_assert_eq!(EmailAddress::parse(e.as_str()).unwrap(), e);
        }
        let built = format!("{local}@{domain}");
        if let Ok(e) = EmailAddress::parse(&built) {
            prop_assert_eq!(e.as_str(), built.to_lowercase());
        }
    }

    #[test]
    fn phones(s in "[+0-9 ().a-z-]{0,40}") {
        if let Ok(p) = PhoneNumber::parse(&s) {
            prop_assert!(p.as_str().starts_with('+'));
            prop_assert_eq!(PhoneNumber::parse(p.as_str()).unwrap(), p);
        }
    }

    #[test]
    fn profile_fields(s in ".{0,400}") {
        let _ = Name::parse("name", &s);
        let _ = ProfileText::parse("bio", &s, 255);
        let _ = Gender::parse(&s);
        let _ = Birthday::parse(&s, today());
        let _ = TokenExpiry::parse(&s, today());
        let _ = Password::parse(&s);
        let _ = Scope::parse(&s);
        let _ = Scopes::parse_joined(&s);
        let _ = KeyUsage::parse(&s);
        let _ = Fingerprint::parse(&s);
        if let Ok(tz) = TimeZone::parse(&s) {
            prop_assert_eq!(TimeZone::parse(tz.as_str()).unwrap(), tz);
        }
        if let Ok(url) = WebUrl::parse("website_url", &s) {
            prop_assert_eq!(WebUrl::parse("website_url", url.as_str()).unwrap(), url);
        }
    }

    #[test]
    fn statuses(s in ".{0,200}", name in "[a-z0-9_+-]{1,70}") {
        let _ = Availability::parse(&s);
        let _ = ClearStatusAfter::parse(&s);
        for value in [s.as_str(), name.as_str()] {
            if let Ok(Some(emoji)) = StatusEmoji::parse(value) {
                prop_assert_eq!(StatusEmoji::parse(emoji.as_str()).unwrap(), Some(emoji));
            }
            if let Ok(Some(message)) = StatusMessage::parse(value) {
                prop_assert_eq!(StatusMessage::parse(message.as_str()).unwrap(), Some(message));
            }
        }
    }

    #[test]
    fn birthdays(y in 1800i32..2100, m in 0u32..14, d in 0u32..33) {
        let _ = Birthday::parse(&format!("{y:04}-{m:02}-{d:02}"), today());
    }

    #[test]
    fn ssh_keys(s in ".{0,600}", blob in proptest::collection::vec(any::<u8>(), 0..300), kind in prop::sample::select(vec![
        "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "sk-ssh-ed25519@openssh.com", "ssh-dss", "nonsense",
    ])) {
        let _ = SshPublicKey::parse(&s);
        use base64::Engine;
        let line = format!("{kind} {} comment", base64::engine::general_purpose::STANDARD.encode(&blob));
        if let Ok(key) = SshPublicKey::parse(&line) {
            prop_assert_eq!(SshPublicKey::parse(key.as_str()).unwrap(), key);
        }
    }

    #[test]
    fn gpg_keys(s in ".{0,600}", blob in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = GpgPublicKey::parse(&s);
        use base64::Engine;
        // Armored random packets: the armor is right, what it holds is not.
        let body = base64::engine::general_purpose::STANDARD.encode(&blob);
        let armored = format!("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n{body}\n-----END PGP PUBLIC KEY BLOCK-----");
        if let Ok(key) = GpgPublicKey::parse(&armored) {
            prop_assert_eq!(GpgPublicKey::parse(key.armored()).unwrap(), key);
        }
    }

    #[test]
    fn avatars(s in ".{0,2000}", bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let _ = AvatarUpload::from_base64(&s);
        use base64::Engine;
        let _ = AvatarUpload::from_base64(&base64::engine::general_purpose::STANDARD.encode(&bytes));
        let _ = AvatarUpload::from_base64(&format!("data:image/png;base64,{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes)));
        if let Ok(upload) = AvatarUpload::from_bytes(bytes.clone()) {
            prop_assert_eq!(ImageKind::sniff(&bytes), Some(upload.kind()));
        }
    }
}

// Parse, format, parse: what a parser accepted, written in its normalised
// form, is accepted again as the same value.
proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn birthdays_parse_their_normalised_form(
        y in 1850i32..2100, m in 0u32..14, d in 0u32..33,
        suffix in prop::sample::select(vec!["", " 00:00:00", "T00:00:00"]),
        pad in "[ \t]{0,2}",
    ) {
        let text = format!("{pad}{y:04}-{m:02}-{d:02}{suffix}{pad}");
        if let Ok(birthday) = Birthday::parse(&text, today()) {
            let normal = birthday.date().format("%Y-%m-%d").to_string();
            prop_assert_eq!(normal.len(), 10);
            prop_assert_eq!(Birthday::parse(&normal, today()).unwrap(), birthday);
        }
    }

    #[test]
    fn scopes_parse_their_normalised_form(
        names in proptest::collection::vec(
            prop::sample::select(vec!["api", "read_api", "read_user", " api ", "", "nonsense"]),
            0..6,
        ),
        separator in prop::sample::select(vec![" ", ",", ", ", "  "]),
    ) {
        let joined = names.join(separator);
        if let Ok(scopes) = Scopes::parse_joined(&joined) {
            prop_assert_eq!(Scopes::parse_joined(&scopes.joined()).unwrap(), scopes.clone());
            prop_assert_eq!(Scopes::parse(&scopes.names()).unwrap(), scopes.clone());
            let mut sorted = scopes.names();
            sorted.sort_unstable();
            sorted.dedup();
            prop_assert_eq!(sorted, scopes.names());
        }
        if let Ok(scopes) = Scopes::parse(&names) {
            prop_assert_eq!(Scopes::parse_joined(&scopes.joined()).unwrap(), scopes);
        }
    }

    #[test]
    fn fingerprints_parse_their_normalised_form(
        sha in "[ ]?SHA256:[A-Za-z0-9+/]{0,66}[ ]?",
        md5 in "[ ]?(MD5:)?[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){14,16}[ ]?",
        any in ".{0,80}",
    ) {
        for text in [sha.as_str(), md5.as_str(), any.as_str()] {
            if let Ok(fingerprint) = Fingerprint::parse(text) {
                let normal = match &fingerprint {
                    Fingerprint::Sha256(s) | Fingerprint::Md5(s) => s.clone(),
                };
                prop_assert_eq!(Fingerprint::parse(&normal).unwrap(), fingerprint.clone());
                if let Fingerprint::Md5(hex) = &fingerprint {
                    prop_assert_eq!(hex.to_ascii_lowercase(), hex.clone());
                    prop_assert_eq!(Fingerprint::parse(&format!("MD5:{hex}")).unwrap(), fingerprint);
                }
            }
        }
    }

    #[test]
    fn avatars_parse_their_normalised_form(
        signature in prop::sample::select(vec![
            b"\x89PNG\r\n\x1a\n".to_vec(),
            vec![0xFF, 0xD8, 0xFF],
            b"GIF89a".to_vec(),
            b"GIF87a".to_vec(),
            b"RIFF\0\0\0\0WEBP".to_vec(),
            b"nothing".to_vec(),
        ]),
        rest in proptest::collection::vec(any::<u8>(), 0..600),
        url_safe in any::<bool>(),
        data_url in any::<bool>(),
    ) {
        use base64::Engine;
        let bytes = [signature, rest].concat();
        let encoded = if url_safe {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes)
        } else {
            base64::engine::general_purpose::STANDARD.encode(&bytes)
        };
        let text = if data_url { format!("data:image/gif;base64,{encoded}") } else { encoded };
        match AvatarUpload::from_base64(&text) {
            Ok(upload) => {
                // The normalised form is the bytes: read again, as bytes or as
                // base64, they make the same upload.
                prop_assert_eq!(upload.bytes(), &bytes[..]);
                prop_assert_eq!(AvatarUpload::from_bytes(upload.bytes().to_vec()).unwrap(), upload.clone());
                let again = base64::engine::general_purpose::STANDARD.encode(upload.bytes());
                prop_assert_eq!(AvatarUpload::from_base64(&again).unwrap(), upload);
            }
            Err(_) => prop_assert!(ImageKind::sniff(&bytes).is_none()),
        }
    }
}
