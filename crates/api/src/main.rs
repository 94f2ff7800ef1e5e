//! `roster`: the Roster users service and its command line.
use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use roster_api::background::hashing::PasswordHasher;
use roster_api::cli::{dump, operator};
use roster_api::settings::Settings;
use roster_api::{app, services};
use roster_domain::{Password, Scopes, TokenExpiry};
use roster_persistence::users;
use std::io::Read;

/// Roster: a self-hosted users service with a GitLab-compatible API.
///
/// Settings come from the environment (DATABASE_URL, ROSTER_BIND, …); see
/// docs/configuration.md.
#[derive(Parser)]
#[command(name = "roster", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Apply pending migrations, then serve (the default).
    Serve,
    /// Apply pending migrations and exit; with --revert, undo the newest.
    Migrate {
        /// Revert the newest applied migrations instead (stop every node
        /// first; see docs/upgrading.md).
        #[arg(long)]
        revert: bool,
        /// How many to revert.
        #[arg(long, default_value_t = 1, requires = "revert")]
        steps: usize,
    },
    /// Manage admins.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Manage tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Print the OpenAPI document.
    Openapi,
    /// Helpers for SSH servers.
    #[command(subcommand)]
    Ssh(SshCommand),
    /// Manage the keys that sign ID tokens.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// List, block and unblock users.
    #[command(subcommand)]
    User(UserCommand),
    /// Read the mail outbox: what Roster sent or will send.
    #[command(subcommand)]
    Mail(MailCommand),
    /// Write every table to a file as JSON Lines (docs/deployment.md), as
    /// of one moment; secrets stay hashed or encrypted.
    Export {
        /// The file; standard output when left out.
        #[arg(long, short)]
        output: Option<std::path::PathBuf>,
    },
    /// Read an export into this database, which must hold no user; all of
    /// it or nothing. The export must be of this Roster's schema version.
    Import {
        /// The export; `-` for standard input.
        file: std::path::PathBuf,
    },
    /// Copy this database whole into another, empty one (SQLite to
    /// PostgreSQL, or back), then export both and compare each table's
    /// rows and checksum. Stop the deployment first.
    Copy {
        /// The database to copy into (a PostgreSQL URL or an SQLite path);
        /// it is created or migrated as needed, and must hold no user.
        #[arg(long)]
        to: String,
    },
    /// Tools for development and benchmarks.
    #[command(subcommand)]
    Dev(DevCommand),
    /// A throw-away Roster for the tests of other programs.
    #[command(subcommand)]
    Testkit(TestkitCommand),
}

#[derive(Subcommand)]
enum TestkitCommand {
    /// Start on 127.0.0.1 with a fresh temporary database and an admin, load
    /// the fixtures, then print one JSON line ({url, admin_token,
    /// admin_username, admin_password, database_url, pid, …what the fixtures
    /// made}). Stops and removes the database when standard input closes or
    /// on SIGTERM; give it a pipe as standard input. Mail is kept, readable
    /// at GET /-/testkit/mail. Other settings come from the environment
    /// (docs/configuration.md).
    Serve(TestkitServe),
}

#[derive(Args)]
struct TestkitServe {
    /// The port; 0 lets the system choose a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// A PostgreSQL server (postgres://…) to make the fresh database on,
    /// instead of a temporary SQLite file.
    #[arg(long)]
    database_url: Option<String>,
    /// A JSON file of users, groups and applications to load, written as the
    /// API's own request bodies (docs/testing.md).
    #[arg(long)]
    fixtures: Option<std::path::PathBuf>,
    /// bcrypt's cost for new passwords (4 is the fastest).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(4..=31))]
    bcrypt_cost: u32,
    /// Keep the rate limits on (they are off, since a test suite sends
    /// everything from one address).
    #[arg(long)]
    rate_limits: bool,
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Make a new signing key and retire the current one (which stays in
    /// the JWKS until the tokens it signed have expired). Prints the new key id.
    Rotate,
    /// Re-seal everything sealed with the secret key (TOTP seeds, signing
    /// keys, the recovery codes' key) with a new one, all or nothing. Stop
    /// the nodes first; afterwards, give every node the new key.
    Reseal {
        /// A file holding the new key, base64 of 32 bytes (`openssl rand -base64 32`).
        #[arg(long)]
        new_key_file: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum DevCommand {
    /// Add generated users (with addresses and SSH keys) to the database, in
    /// bulk, all with one password. The same arguments load the same data.
    Seed(SeedArgs),
    /// Register a trusted application and print its client id and secret
    /// (one line), then COUNT authorization codes for USERNAME, one a line
    /// (the code-exchange benchmark's supply).
    OidcCodes {
        /// Whose codes.
        #[arg(long)]
        username: String,
        /// How many.
        #[arg(long)]
        count: usize,
    },
    /// Print how many RS256 signatures a second this machine makes with the
    /// current signing key, on every core.
    SignRate {
        /// How long to measure.
        #[arg(long, default_value_t = 3)]
        seconds: u64,
    },
}

#[derive(Args)]
struct SeedArgs {
    /// How many users to add.
    #[arg(long)]
    users: u64,
    /// Read the users' password from standard input instead of using
    /// `seeded-user-password`.
    #[arg(long)]
    password_stdin: bool,
    /// The random seed; the same seed gives the same users.
    #[arg(long, default_value_t = 1)]
    random_seed: u64,
    /// Also make the organisation `bench-org`, with five levels of teams,
    /// whose members are the users numbered up to this.
    #[arg(long, default_value_t = 0)]
    organisation_members: i64,
}

#[derive(Subcommand)]
enum SshCommand {
    /// Print USERNAME's active keys from a Roster server, one authorized_keys
    /// line each, for sshd's AuthorizedKeysCommand. Prints nothing and exits
    /// non-zero for unknown users and on any error.
    AuthorizedKeys(AuthorizedKeysArgs),
}

#[derive(Args)]
struct AuthorizedKeysArgs {
    /// Base URL of the Roster server, e.g. http://127.0.0.1:8080
    #[arg(long)]
    url: String,
    /// Seconds to wait for the server.
    #[arg(long, default_value_t = 5)]
    timeout: u64,
    /// A file holding a token (an admin's, with read_user scope) so that keys
    /// of private profiles are served too.
    #[arg(long)]
    token_file: Option<std::path::PathBuf>,
    /// The login name sshd asks about (%u).
    username: String,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an active, confirmed admin. Without --password-stdin a password
    /// is generated and printed once.
    Create(AdminCreate),
    /// Set a new password for a user (a lost admin password, without mail).
    /// Lifts a lockout and ends the user's sessions. Without
    /// --password-stdin a password is generated and printed once.
    ResetPassword {
        /// Whose password.
        #[arg(long)]
        username: String,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Remove a user's second factors (TOTP, recovery codes, passkeys):
    /// the way back for an admin who lost theirs, which the API refuses.
    /// The user is told by mail.
    DisableTwoFactor {
        /// Whose factors.
        #[arg(long)]
        username: String,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Print users as JSON lines ({id, username, name, email, state,
    /// is_admin}), by id.
    List {
        /// Only users whose name, user name or e-mail address holds this.
        #[arg(long)]
        search: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
    /// Block a user: their tokens stop working and their sessions end.
    Block {
        /// The user name.
        username: String,
    },
    /// Unblock a user.
    Unblock {
        /// The user name.
        username: String,
    },
}

#[derive(Subcommand)]
enum MailCommand {
    /// Print queued and sent messages, newest first, with their text (how to
    /// get a confirmation or reset link without SMTP).
    List {
        /// Only messages to this address.
        #[arg(long)]
        to: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
}

#[derive(Args)]
struct AdminCreate {
    #[arg(long)]
    username: String,
    #[arg(long)]
    email: String,
    /// Read the password from standard input instead of generating one.
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a personal access token and print only the token.
    Create(TokenCreate),
    /// Print personal access tokens as JSON lines ({id, username, name,
    /// scopes, revoked, expires_at, last_used_at}), newest first.
    List {
        /// Only this user's.
        #[arg(long)]
        username: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
    /// Revoke a personal access token by id.
    Revoke {
        /// The token's id.
        id: i64,
    },
}

#[derive(Args)]
struct TokenCreate {
    #[arg(long)]
    username: String,
    #[arg(long)]
    name: String,
    /// Comma-separated scopes: api, read_api, read_user, and sudo for admins.
    #[arg(long, default_value = "api")]
    scopes: String,
    /// Expiry date, YYYY-MM-DD (default: a year from today).
    #[arg(long)]
    expires_at: Option<String>,
}

fn main() {
    let cli = Cli::parse();
    // A testkit instance shares its terminal with a test runner: only
    // warnings, unless RUST_LOG asks for more.
    let level = match cli.command {
        Some(Command::Testkit(_)) => "warn",
        _ => "info",
    };
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or(level)).init();
    if let Err(e) = run(cli) {
        eprintln!("roster: {e:#}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Ssh(SshCommand::AuthorizedKeys(args)) = command {
        authorized_keys(args)
    }
    if let Command::Openapi = command {
        return print_openapi();
    }
    run_with_settings(command, Settings::from_env()?)
}

fn run_with_settings(command: Command, settings: Settings) -> anyhow::Result<()> {
    match command {
        Command::Serve => actix_web::rt::System::new().block_on(app::serve(settings)),
        Command::Migrate { revert: false, .. } => {
            app::open_connection(&settings)?;
            println!("migrations applied");
            Ok(())
        }
        Command::Export { output } => {
            let mut conn = app::connect_only(&settings)?;
            let summary = match &output {
                Some(path) => {
                    let file = std::fs::File::create(path)
                        .with_context(|| format!("creating {}", path.display()))?;
                    dump::export(&mut conn, file)?
                }
                None => dump::export(&mut conn, std::io::stdout().lock())?,
            };
            let rows: u64 = summary.iter().map(|t| t.rows).sum();
            eprintln!("exported {} tables, {rows} rows", summary.len());
            Ok(())
        }
        Command::Import { file } => {
            let mut conn = app::open_connection(&settings)?;
            let summary = if file.as_os_str() == "-" {
                dump::import(
                    &mut conn,
                    std::io::BufReader::with_capacity(1 << 16, std::io::stdin()),
                )?
            } else {
                let input =
                    std::fs::File::open(&file).with_context(|| format!("opening {}", file.display()))?;
                dump::import(&mut conn, std::io::BufReader::with_capacity(1 << 16, input))?
            };
            let rows: u64 = summary.iter().map(|t| t.rows).sum();
            eprintln!("imported {} tables, {rows} rows", summary.len());
            Ok(())
        }
        Command::Copy { to } => {
            let mut source = app::connect_only(&settings)?;
            let target_settings = Settings {
                database_url: to,
                ..settings
            };
            let mut target = app::open_connection(&target_settings)?;
            let report = dump::copy(&mut source, &mut target)?;
            print!("{}", report.render());
            if !report.identical() {
                anyhow::bail!("the copy differs from the source");
            }
            let rows: u64 = report.source.iter().map(|t| t.rows).sum();
            println!(
                "copied {} tables, {rows} rows: the copy's export is identical to the source's",
                report.source.len()
            );
            Ok(())
        }
        Command::Migrate { revert: true, steps } => {
            let mut conn = app::connect_only(&settings)?;
            let reverted = roster_persistence::migrations::revert_last(&mut conn, steps)?;
            if reverted.is_empty() {
                println!("no migration to revert");
            }
            for version in reverted {
                println!("reverted {version}");
            }
            Ok(())
        }
        Command::Admin(AdminCommand::Create(args)) => admin_create(&settings, args),
        Command::Admin(AdminCommand::ResetPassword {
            username,
            password_stdin,
        }) => admin_reset_password(&settings, &username, password_stdin),
        Command::Admin(AdminCommand::DisableTwoFactor { username }) => {
            let mut conn = app::open_connection(&settings)?;
            if operator::disable_two_factor(&mut conn, &username)? {
                eprintln!("removed the second factors of {username}");
            } else {
                eprintln!("{username} had no second factor");
            }
            Ok(())
        }
        Command::Token(TokenCommand::Create(args)) => token_create(&settings, args),
        Command::Token(TokenCommand::List { username, limit }) => {
            let mut conn = app::open_connection(&settings)?;
            for (pat, owner) in operator::list_tokens(&mut conn, username.as_deref(), limit.clamp(1, 10_000))?
            {
                println!("{}", operator::token_line(&pat, &owner));
            }
            Ok(())
        }
        Command::Token(TokenCommand::Revoke { id }) => {
            let mut conn = app::open_connection(&settings)?;
            if !operator::revoke_token(&mut conn, id)? {
                anyhow::bail!("no active token with id {id}");
            }
            eprintln!("revoked token {id}");
            Ok(())
        }
        Command::User(UserCommand::List { search, limit }) => {
            let mut conn = app::open_connection(&settings)?;
            for user in operator::list_users(&mut conn, search, limit.clamp(1, 10_000))? {
                println!("{}", operator::user_line(&user));
            }
            Ok(())
        }
        Command::User(UserCommand::Block { username }) => {
            user_state(&settings, &username, roster_domain::Transition::Block, "blocked")
        }
        Command::User(UserCommand::Unblock { username }) => user_state(
            &settings,
            &username,
            roster_domain::Transition::Unblock,
            "unblocked",
        ),
        Command::Mail(MailCommand::List { to, limit }) => {
            let mut conn = app::open_connection(&settings)?;
            for mail in operator::list_mail(&mut conn, to.as_deref(), limit.clamp(1, 10_000))? {
                let status = match (mail.sent_at, &mail.last_error) {
                    (Some(at), _) => format!("sent {}", roster_api::views::time(at)),
                    (None, Some(error)) => {
                        format!("queued, {} failed attempts, last: {error}", mail.attempts)
                    }
                    (None, None) => "queued".to_owned(),
                };
                println!(
                    "--- #{} {} to {} ({}, {status})\nSubject: {}\n\n{}\n",
                    mail.id,
                    roster_api::views::time(mail.created_at),
                    mail.recipient,
                    mail.kind,
                    mail.subject,
                    mail.body_text.trim_end()
                );
            }
            Ok(())
        }
        Command::Ssh(SshCommand::AuthorizedKeys(args)) => authorized_keys(args),
        Command::Openapi => print_openapi(),
        Command::Dev(DevCommand::Seed(args)) => dev_seed(&settings, args),
        Command::Testkit(TestkitCommand::Serve(args)) => roster_api::cli::testkit::serve(
            settings,
            roster_api::cli::testkit::ServeOptions {
                port: args.port,
                database_url: args.database_url,
                fixtures: args.fixtures,
                bcrypt_cost: args.bcrypt_cost,
                rate_limits: args.rate_limits,
            },
        ),
        Command::Dev(DevCommand::OidcCodes { username, count }) => {
            use std::io::Write;
            let mut conn = app::open_connection(&settings)?;
            let made = roster_api::cli::dev_oidc::make_codes(&mut conn, &username, count)?;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            writeln!(out, "{} {}", made.client_id, made.secret)?;
            for code in made.codes {
                writeln!(out, "{code}")?;
            }
            Ok(())
        }
        Command::Dev(DevCommand::SignRate { seconds }) => {
            let secrets = roster_api::secret_key::load(&settings)?;
            let mut conn = app::open_connection(&settings)?;
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
            let rate = roster_api::cli::dev_oidc::sign_rate(
                &mut conn,
                &secrets,
                threads,
                std::time::Duration::from_secs(seconds),
            )?;
            println!("{rate:.0}");
            Ok(())
        }
        Command::Keys(KeysCommand::Rotate) => {
            let secrets = roster_api::secret_key::load(&settings)?;
            let mut conn = app::open_connection(&settings)?;
            let kid = services::signing_keys::rotate(&mut conn, &secrets)?;
            println!("{kid}");
            Ok(())
        }
        Command::Keys(KeysCommand::Reseal { new_key_file }) => {
            let text = std::fs::read_to_string(&new_key_file)
                .with_context(|| format!("reading {}", new_key_file.display()))?;
            let new = roster_domain::SecretKey::from_base64(&text)
                .with_context(|| format!("the new key in {}", new_key_file.display()))?;
            let current = roster_api::secret_key::load(&settings)?;
            let mut conn = app::open_connection(&settings)?;
            let moved = operator::reseal(&mut conn, &current, &new)?;
            eprintln!(
                "re-sealed {moved} values with the new key; now give every node the new key, then start them"
            );
            Ok(())
        }
    }
}

fn print_openapi() -> anyhow::Result<()> {
    use std::io::Write;
    let text = roster_api::openapi::document().to_pretty_json()?;
    let mut out = std::io::stdout().lock();
    // A closed pipe (`roster openapi | head`) is not an error worth a panic.
    let _ = writeln!(out, "{text}");
    Ok(())
}

/// `roster ssh authorized-keys`: needs no settings or database, and must not
/// fail because of unrelated environment variables on the SSH server.
fn authorized_keys(args: AuthorizedKeysArgs) -> ! {
    use std::io::Write;
    let token = match &args.token_file {
        None => None,
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => Some(text.trim().to_owned()),
            Err(e) => {
                eprintln!("roster: cannot read {}: {e}", path.display());
                std::process::exit(2);
            }
        },
    };
    let timeout = std::time::Duration::from_secs(args.timeout);
    match roster_api::cli::authorized_keys::fetch(&args.url, &args.username, token.as_deref(), timeout) {
        Ok(lines) => {
            let mut out = std::io::stdout().lock();
            if out.write_all(lines.as_bytes()).and_then(|_| out.flush()).is_err() {
                std::process::exit(3);
            }
            std::process::exit(0)
        }
        Err(e) => {
            eprintln!("roster: no keys for {}: {e}", args.username);
            std::process::exit(match e {
                roster_api::cli::authorized_keys::FetchError::UnknownUser => 1,
                _ => 2,
            })
        }
    }
}

fn read_password_stdin() -> anyhow::Result<Password> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .context("reading the password")?;
    Ok(Password::parse(text.trim_end_matches(['\n', '\r']))?)
}

fn dev_seed(settings: &Settings, args: SeedArgs) -> anyhow::Result<()> {
    use roster_api::cli::dev_seed;
    let password = if args.password_stdin {
        read_password_stdin()?
    } else {
        Password::parse(dev_seed::DEFAULT_PASSWORD)?
    };
    let mut conn = app::open_connection(settings)?;
    let hash = PasswordHasher::single(settings.bcrypt_cost)?.hash_now(&password)?;
    let report = dev_seed::seed_users(&mut conn, args.users, &hash, args.random_seed, |done| {
        if done % 100_000 == 0 {
            eprintln!("seeded {done} users");
        }
    })?;
    eprintln!(
        "added {} users, {} e-mail addresses and {} SSH keys in {:.1} s",
        report.users,
        report.emails,
        report.keys,
        report.elapsed.as_secs_f64()
    );
    if args.organisation_members > 0 {
        let org = dev_seed::seed_organisation(&mut conn, args.organisation_members, 5)?;
        eprintln!(
            "made bench-org (id {}) with {} members and five levels of teams (the deepest, id {})",
            org.id, org.members, org.deepest_team
        );
    }
    Ok(())
}

fn admin_create(settings: &Settings, args: AdminCreate) -> anyhow::Result<()> {
    let mut conn = app::open_connection(settings)?;
    let (password, generated) = if args.password_stdin {
        (read_password_stdin()?, false)
    } else {
        (services::users::random_password(), true)
    };
    let hasher = PasswordHasher::single(settings.bcrypt_cost)?;
    let user = services::users::create_admin_now(&mut conn, &hasher, &args.username, &args.email, &password)
        .map_err(|e| match e.downcast_ref::<roster_persistence::RepoError>() {
            Some(roster_persistence::RepoError::Taken(t)) => anyhow::anyhow!("{t:?} is already taken"),
            _ => e,
        })?;
    eprintln!("created admin {} (id {})", user.username, user.id);
    if generated {
        println!("{}", password.expose());
    }
    Ok(())
}

fn admin_reset_password(settings: &Settings, username: &str, password_stdin: bool) -> anyhow::Result<()> {
    let mut conn = app::open_connection(settings)?;
    let (password, generated) = if password_stdin {
        (read_password_stdin()?, false)
    } else {
        (services::users::random_password(), true)
    };
    let hasher = PasswordHasher::single(settings.bcrypt_cost)?;
    let user = operator::reset_password(&mut conn, &hasher, username, &password)?;
    eprintln!(
        "set a new password for {} (id {}); their sessions ended",
        user.username, user.id
    );
    if generated {
        println!("{}", password.expose());
    }
    Ok(())
}

fn user_state(
    settings: &Settings,
    username: &str,
    t: roster_domain::Transition,
    done: &str,
) -> anyhow::Result<()> {
    let mut conn = app::open_connection(settings)?;
    match operator::change_state(&mut conn, username, t)? {
        operator::Changed::Yes => eprintln!("{username} is {done}"),
        operator::Changed::AlreadySo => eprintln!("{username} was {done} already"),
    }
    Ok(())
}

fn token_create(settings: &Settings, args: TokenCreate) -> anyhow::Result<()> {
    let today = roster_persistence::today();
    let scopes = Scopes::parse_joined(&args.scopes)?;
    let expires = match &args.expires_at {
        Some(d) => TokenExpiry::parse(d, today)?,
        None => TokenExpiry::days_after(today, TokenExpiry::MAX_DAYS as u64),
    };
    let mut conn = app::open_connection(settings)?;
    let user = users::find_by_username(&mut conn, &args.username)?
        .with_context(|| format!("no user named {}", args.username))?;
    if scopes.contains(roster_domain::Scope::Sudo) && !user.is_admin {
        anyhow::bail!("sudo is for admins' tokens only");
    }
    let (_, secret) = services::tokens::issue_pat(&mut conn, user.id, &args.name, &scopes, Some(expires))?;
    println!("{}", secret.expose());
    Ok(())
}
