//! `roster dev seed`: generates realistic users (names, addresses, cities,
//! employers, SSH keys) from a fixed random seed, so that every run with the
//! same arguments loads the same data and benchmark runs can be compared.
use anyhow::Context;
use base64::Engine;
use chrono::{Duration, NaiveDateTime};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use roster_domain::SshPublicKey;
use roster_persistence::seed::{self, SeedKey, SeedUser};
use roster_persistence::DbConnection;
use std::time::Instant;

/// The password every seeded user has, unless another is given.
pub const DEFAULT_PASSWORD: &str = "seeded-user-password";

const FIRST_NAMES: &[&str] = &[
    "Ada",
    "Alan",
    "Amara",
    "Ana",
    "Andrei",
    "Aoife",
    "Arjun",
    "Astrid",
    "Ayesha",
    "Beatriz",
    "Bjorn",
    "Bruno",
    "Camille",
    "Carlos",
    "Chen",
    "Chiara",
    "Chloe",
    "Daniel",
    "Dmitri",
    "Elena",
    "Elif",
    "Emeka",
    "Emma",
    "Erik",
    "Fatima",
    "Felix",
    "Fiona",
    "Grace",
    "Hana",
    "Hannah",
    "Hiro",
    "Ibrahim",
    "Ines",
    "Ingrid",
    "Isaac",
    "Ivan",
    "Jamal",
    "Jana",
    "Javier",
    "Jin",
    "Joao",
    "Jonas",
    "Julia",
    "Kai",
    "Kamala",
    "Karim",
    "Katarzyna",
    "Kenji",
    "Kofi",
    "Lars",
    "Laura",
    "Leila",
    "Liam",
    "Lina",
    "Lucas",
    "Lucia",
    "Mai",
    "Malik",
    "Marco",
    "Maria",
    "Marta",
    "Mateo",
    "Mei",
    "Mia",
    "Miguel",
    "Mira",
    "Nadia",
    "Naveen",
    "Nia",
    "Nikolai",
    "Noah",
    "Nora",
    "Olga",
    "Omar",
    "Oscar",
    "Priya",
    "Rafael",
    "Rania",
    "Ravi",
    "Rosa",
    "Ruth",
    "Sakura",
    "Samir",
    "Sara",
    "Sean",
    "Sofia",
    "Sven",
    "Tariq",
    "Thabo",
    "Tomas",
    "Uma",
    "Valentina",
    "Victor",
    "Wei",
    "Yara",
    "Yusuf",
    "Zainab",
    "Zofia",
];

const LAST_NAMES: &[&str] = &[
    "Abara",
    "Adeyemi",
    "Ahmed",
    "Alvarez",
    "Andersson",
    "Bakker",
    "Banda",
    "Becker",
    "Bianchi",
    "Brown",
    "Castro",
    "Chen",
    "Costa",
    "Cruz",
    "Da Silva",
    "Dubois",
    "Dvorak",
    "Eriksen",
    "Fernandez",
    "Fischer",
    "Fontaine",
    "Garcia",
    "Gonzalez",
    "Gupta",
    "Haddad",
    "Hansen",
    "Hernandez",
    "Hoffmann",
    "Horvat",
    "Hussain",
    "Ibrahim",
    "Ivanova",
    "Jansen",
    "Jensen",
    "Johansson",
    "Kaur",
    "Khan",
    "Kim",
    "Kowalski",
    "Kumar",
    "Larsen",
    "Laurent",
    "Lee",
    "Lindqvist",
    "Lopez",
    "Mahlangu",
    "Martin",
    "Mensah",
    "Meyer",
    "Moreau",
    "Muller",
    "Murphy",
    "Nakamura",
    "Nguyen",
    "Nielsen",
    "Novak",
    "Nowak",
    "Okafor",
    "Okonkwo",
    "Olsen",
    "Oliveira",
    "Park",
    "Patel",
    "Pereira",
    "Petrov",
    "Popescu",
    "Quispe",
    "Ramirez",
    "Reyes",
    "Rossi",
    "Russo",
    "Sato",
    "Schmidt",
    "Schneider",
    "Silva",
    "Singh",
    "Smith",
    "Sokolov",
    "Suzuki",
    "Tanaka",
    "Taylor",
    "Teixeira",
    "Thompson",
    "Tran",
    "Van Dijk",
    "Vasquez",
    "Virtanen",
    "Wagner",
    "Walsh",
    "Wang",
    "Weber",
    "Williams",
    "Wilson",
    "Wojcik",
    "Yamamoto",
    "Yilmaz",
    "Zhang",
    "Zhou",
    "Zimmermann",
    "Zulu",
];

const CITIES: &[&str] = &[
    "Accra",
    "Amsterdam",
    "Austin",
    "Bangalore",
    "Berlin",
    "Bogota",
    "Cape Town",
    "Dublin",
    "Helsinki",
    "Istanbul",
    "Jakarta",
    "Kyiv",
    "Lagos",
    "Lima",
    "Lisbon",
    "London",
    "Madrid",
    "Manila",
    "Melbourne",
    "Mexico City",
    "Montreal",
    "Nairobi",
    "Osaka",
    "Paris",
    "Prague",
    "Sao Paulo",
    "Seoul",
    "Stockholm",
    "Taipei",
    "Tokyo",
    "Toronto",
    "Warsaw",
    "",
];

const ORGANIZATIONS: &[&str] = &[
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Stark Industries",
    "Wayne Enterprises",
    "Soylent",
    "Cyberdyne",
    "Tyrell",
    "Aperture",
    "Black Mesa",
    "Vandelay",
    "Wonka",
    "",
];

const JOB_TITLES: &[&str] = &[
    "Engineer",
    "Senior Engineer",
    "Designer",
    "Product Manager",
    "Data Scientist",
    "SRE",
    "Support",
    "Researcher",
    "Student",
    "Founder",
    "",
];

const DOMAINS: &[&str] = &[
    "example.com",
    "example.org",
    "example.net",
    "mail.example",
    "corp.example",
];

/// What a run of the seeder did.
#[derive(Debug, Clone, Copy)]
pub struct SeedReport {
    /// Users added.
    pub users: u64,
    /// Addresses added, primaries included.
    pub emails: u64,
    /// SSH keys added.
    pub keys: u64,
    /// Wall-clock time.
    pub elapsed: std::time::Duration,
}

fn pick<'a>(rng: &mut StdRng, list: &[&'a str]) -> &'a str {
    list[rng.random_range(0..list.len())]
}

fn slug(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// An Ed25519 public key from 32 random bytes, parsed and fingerprinted by the
/// same code the API uses.
fn ed25519_key(rng: &mut StdRng, comment: &str) -> anyhow::Result<SeedKey> {
    let mut blob = Vec::with_capacity(51);
    blob.extend_from_slice(&11u32.to_be_bytes());
    blob.extend_from_slice(b"ssh-ed25519");
    blob.extend_from_slice(&32u32.to_be_bytes());
    let mut point = [0u8; 32];
    rng.fill(&mut point);
    blob.extend_from_slice(&point);
    let text = format!(
        "ssh-ed25519 {} {comment}",
        base64::engine::general_purpose::STANDARD.encode(&blob)
    );
    let key = SshPublicKey::parse(&text).map_err(|e| anyhow::anyhow!("generated key refused: {e}"))?;
    Ok(SeedKey {
        title: format!("{comment} laptop"),
        key: key.as_str().to_owned(),
        algorithm: key.algorithm().to_owned(),
        fingerprint_sha256: key.sha256_fingerprint().to_owned(),
        fingerprint_md5: key.md5_fingerprint().to_owned(),
    })
}

/// User number `n` (numbers are unique per database, so names are too).
fn user(rng: &mut StdRng, n: u64, created_at: NaiveDateTime) -> anyhow::Result<SeedUser> {
    let first = pick(rng, FIRST_NAMES);
    let last = pick(rng, LAST_NAMES);
    let username = format!("{}.{}{n}", slug(first), slug(last));
    let domain = pick(rng, DOMAINS);
    let email = format!("{username}@{domain}");
    let secondary_email =
        (rng.random_range(0..4) == 0).then(|| format!("{}{n}@personal.example", slug(first)));
    let key = if rng.random_bool(0.5) {
        Some(ed25519_key(rng, &username)?)
    } else {
        None
    };
    let last_activity_on = rng
        .random_bool(0.8)
        .then(|| (created_at + Duration::days(rng.random_range(0..365))).date());
    Ok(SeedUser {
        name: format!("{first} {last}"),
        first_name: first.to_owned(),
        last_name: last.to_owned(),
        location: pick(rng, CITIES).to_owned(),
        organization: pick(rng, ORGANIZATIONS).to_owned(),
        job_title: pick(rng, JOB_TITLES).to_owned(),
        state: if rng.random_range(0..50) == 0 {
            "blocked"
        } else {
            "active"
        },
        created_at,
        last_activity_on,
        secondary_email,
        key,
        username,
        email,
    })
}

/// Adds `count` users, all with the password hashed as `password_hash`,
/// calling `progress` with the running total after each batch. Numbering
/// starts after the users already there, so runs can be repeated to grow a
/// database. The data depends only on `random_seed` and that starting number.
pub fn seed_users(
    conn: &mut DbConnection,
    count: u64,
    password_hash: &str,
    random_seed: u64,
    mut progress: impl FnMut(u64),
) -> anyhow::Result<SeedReport> {
    let started = Instant::now();
    seed::tune_for_bulk_load(conn)?;
    let first = seed::count_users(conn)? as u64 + 1;
    let mut rng = StdRng::seed_from_u64(random_seed ^ first);
    // Accounts made over the last five years, in id order.
    let span_secs = 5 * 365 * 24 * 3600;
    let origin = roster_persistence::now() - Duration::seconds(span_secs);
    let step = span_secs as f64 / count.max(1) as f64;
    let mut report = SeedReport {
        users: 0,
        emails: 0,
        keys: 0,
        elapsed: std::time::Duration::ZERO,
    };
    let mut batch = Vec::with_capacity(seed::ROWS_PER_STATEMENT);
    for i in 0..count {
        let created_at = origin + Duration::seconds((i as f64 * step) as i64);
        batch.push(user(&mut rng, first + i, created_at)?);
        if batch.len() == seed::ROWS_PER_STATEMENT || i + 1 == count {
            seed::insert_batch(conn, password_hash, &batch)
                .with_context(|| format!("inserting users up to number {}", first + i))?;
            report.users += batch.len() as u64;
            report.emails += batch
                .iter()
                .map(|u| 1 + u64::from(u.secondary_email.is_some()))
                .sum::<u64>();
            report.keys += batch.iter().filter(|u| u.key.is_some()).count() as u64;
            batch.clear();
            progress(report.users);
        }
    }
    seed::finish_bulk_load(conn)?;
    report.elapsed = started.elapsed();
    Ok(report)
}

/// The organisation `dev seed --organisation-members` makes.
#[derive(Debug, Clone)]
pub struct SeededOrganisation {
    /// The top-level group.
    pub id: i64,
    /// The deepest team.
    pub deepest_team: i64,
    /// The organisation's members.
    pub members: usize,
}

/// Makes the organisation `bench-org` with `levels` of nested teams below
/// it; the users numbered up to `members` join the organisation, and the
/// first 50 join every team too.
pub fn seed_organisation(
    conn: &mut DbConnection,
    members: i64,
    levels: usize,
) -> anyhow::Result<SeededOrganisation> {
    use roster_persistence::groups::{create_group, NewGroup};
    let group = |name: &str, path: &str| NewGroup {
        name: name.to_owned(),
        path: path.to_owned(),
        description: String::new(),
        visibility: "private".into(),
        avatar: None,
    };
    let org = create_group(conn, None, &group("Bench Org", "bench-org"))?;
    let count = seed::add_members_in_bulk(conn, org.id, members)?;
    let mut parent = org.clone();
    for level in 1..=levels {
        parent = create_group(
            conn,
            Some(&parent),
            &group(&format!("Team {level}"), &format!("team-{level}")),
        )?;
        seed::add_members_in_bulk(conn, parent.id, 50)?;
    }
    seed::finish_bulk_load(conn)?;
    Ok(SeededOrganisation {
        id: org.id,
        deepest_team: parent.id,
        members: count,
    })
}
