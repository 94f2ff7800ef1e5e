//! Micro-benchmarks of the domain code on the request path: parsing what
//! users send (addresses, user names, SSH keys) and digesting a token, which
//! every authenticated request does once. Run with
//! `cargo bench -p roster-domain`; figures are in docs/performance.md.
use criterion::{criterion_group, criterion_main, Criterion};
use roster_domain::{EmailAddress, SshPublicKey, TokenDigest, TokenKind, TokenSecret, Username};
use std::hint::black_box;

const ED25519: &str = include_str!("../tests/fixtures/keys/k_ed25519.pub");
const RSA_2048: &str = include_str!("../tests/fixtures/keys/k_rsab2048.pub");
const ECDSA_P256: &str = include_str!("../tests/fixtures/keys/k_ecdsab256.pub");

fn parsing(c: &mut Criterion) {
    c.bench_function("email: parse a valid address", |b| {
        b.iter(|| EmailAddress::parse(black_box("Jane.Doe+roster@Mail.Example.COM")))
    });
    c.bench_function("email: refuse an invalid address", |b| {
        b.iter(|| EmailAddress::parse(black_box("jane.doe@@example..com")))
    });
    c.bench_function("username: parse a valid name", |b| {
        b.iter(|| Username::parse(black_box("jane.doe-42")))
    });
    c.bench_function("username: refuse a reserved name", |b| {
        b.iter(|| Username::parse(black_box("api")))
    });
    c.bench_function("ssh key: parse and fingerprint Ed25519", |b| {
        b.iter(|| SshPublicKey::parse(black_box(ED25519)))
    });
    c.bench_function("ssh key: parse and fingerprint ECDSA P-256", |b| {
        b.iter(|| SshPublicKey::parse(black_box(ECDSA_P256)))
    });
    c.bench_function("ssh key: parse and fingerprint RSA 2048", |b| {
        b.iter(|| SshPublicKey::parse(black_box(RSA_2048)))
    });
}

fn tokens(c: &mut Criterion) {
    let secret = TokenSecret::generate(TokenKind::Personal);
    let presented = secret.expose().to_owned();
    c.bench_function("token: SHA-256 digest of a presented token", |b| {
        b.iter(|| TokenDigest::of(black_box(&presented)))
    });
    c.bench_function("token: recognise the kind of a presented token", |b| {
        b.iter(|| TokenKind::of(black_box(&presented)))
    });
    c.bench_function("token: generate a new secret", |b| {
        b.iter(|| TokenSecret::generate(black_box(TokenKind::Personal)))
    });
}

criterion_group!(benches, parsing, tokens);
criterion_main!(benches);
