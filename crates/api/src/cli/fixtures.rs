//! `roster testkit serve --fixtures FILE`: users, e-mails, keys, tokens,
//! groups with members and OAuth applications, given as the API's own
//! request bodies and loaded by sending those requests to the server that
//! was just started, with the admin's token. A fixture is therefore checked
//! and refused exactly as the request would be, and nothing is written by a
//! second path beside the API's services.
use anyhow::{anyhow, Context};
use reqwest::blocking::Client;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::time::Duration;

/// The fixture file: every list is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixtures {
    /// `POST /users` bodies, each with optional `emails`, `keys` and
    /// `personal_access_tokens` (bodies of those routes).
    #[serde(default)]
    users: Vec<UserFixture>,
    /// `POST /groups` bodies, each with optional `parent_path` and `members`.
    #[serde(default)]
    groups: Vec<GroupFixture>,
    /// `POST /applications` bodies.
    #[serde(default)]
    applications: Vec<Map<String, Value>>,
}

#[derive(Debug, Deserialize)]
struct UserFixture {
    #[serde(default)]
    emails: Vec<Map<String, Value>>,
    #[serde(default)]
    keys: Vec<Map<String, Value>>,
    #[serde(default)]
    personal_access_tokens: Vec<Map<String, Value>>,
    #[serde(flatten)]
    body: Map<String, Value>,
}

#[derive(Debug, Deserialize)]
struct GroupFixture {
    /// The `path` (or full path) of another group of the file, or of a group
    /// that exists: this one becomes its subgroup.
    parent_path: Option<String>,
    #[serde(default)]
    members: Vec<MemberFixture>,
    #[serde(flatten)]
    body: Map<String, Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberFixture {
    username: String,
    access_level: Value,
}

impl Fixtures {
    /// Reads and parses a fixture file; a syntax or shape error names the
    /// file, the line and the column.
    pub fn read(path: &std::path::Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        serde_json::from_str(&text).with_context(|| format!("{} is not a fixture file", path.display()))
    }
}

/// What the fixtures made: the API's answers, under the file's keys, with
/// each nested list answered in place. Added to the `testkit serve` line.
pub type Loaded = Map<String, Value>;

/// Sends every fixture to the server at `base_url` as `admin_token`.
pub fn load(base_url: &str, admin_token: &str, fixtures: Fixtures) -> anyhow::Result<Loaded> {
    let api = Api {
        client: Client::builder().timeout(Duration::from_secs(60)).build()?,
        base: format!("{base_url}/api/v4"),
        token: admin_token.to_owned(),
    };
    let mut loaded = Loaded::new();
    let mut user_ids = HashMap::new();
    if !fixtures.users.is_empty() {
        let mut made = Vec::new();
        for (n, user) in fixtures.users.into_iter().enumerate() {
            let (id, answer) = load_user(&api, user).with_context(|| format!("fixtures: users[{n}]"))?;
            if let Some(name) = answer.get("username").and_then(Value::as_str) {
                user_ids.insert(name.to_owned(), id);
            }
            made.push(answer);
        }
        loaded.insert("users".into(), Value::Array(made));
    }
    if !fixtures.groups.is_empty() {
        loaded.insert(
            "groups".into(),
            Value::Array(load_groups(&api, fixtures.groups, &mut user_ids)?),
        );
    }
    if !fixtures.applications.is_empty() {
        let mut made = Vec::new();
        for (n, body) in fixtures.applications.into_iter().enumerate() {
            made.push(
                api.post("/applications", &body)
                    .with_context(|| format!("fixtures: applications[{n}]"))?,
            );
        }
        loaded.insert("applications".into(), Value::Array(made));
    }
    Ok(loaded)
}

fn load_user(api: &Api, user: UserFixture) -> anyhow::Result<(i64, Value)> {
    let mut answer = api.post("/users", &user.body)?;
    let id = id_of(&answer)?;
    let nested = [
        ("emails", user.emails),
        ("keys", user.keys),
        ("personal_access_tokens", user.personal_access_tokens),
    ];
    for (key, bodies) in nested {
        if bodies.is_empty() {
            continue;
        }
        let mut made = Vec::new();
        for (n, body) in bodies.iter().enumerate() {
            made.push(
                api.post(&format!("/users/{id}/{key}"), body)
                    .with_context(|| format!("{key}[{n}]"))?,
            );
        }
        if let Some(object) = answer.as_object_mut() {
            object.insert(key.into(), Value::Array(made));
        }
    }
    Ok((id, answer))
}

/// Creates the groups parents first, whatever their order in the file. A
/// `parent_path` that no group of the file has as its `path` names a group
/// already in the database.
fn load_groups(
    api: &Api,
    groups: Vec<GroupFixture>,
    user_ids: &mut HashMap<String, i64>,
) -> anyhow::Result<Vec<Value>> {
    let mut made: Vec<Option<Value>> = groups.iter().map(|_| None).collect();
    // A made group's `path` and `full_path`, both naming its id.
    let mut group_ids: HashMap<String, i64> = HashMap::new();
    let mut pending: Vec<(usize, GroupFixture)> = groups.into_iter().enumerate().collect();
    while !pending.is_empty() {
        let in_file: Vec<String> = pending
            .iter()
            .filter_map(|(_, g)| g.body.get("path").and_then(Value::as_str).map(str::to_owned))
            .collect();
        let before = pending.len();
        let mut waiting = Vec::new();
        for (n, group) in pending {
            let parent_id = match &group.parent_path {
                None => None,
                Some(parent) => match group_ids.get(parent) {
                    Some(id) => Some(*id),
                    None if in_file.contains(parent) => {
                        waiting.push((n, group));
                        continue;
                    }
                    None => {
                        Some(existing_group(api, parent).with_context(|| format!("fixtures: groups[{n}]"))?)
                    }
                },
            };
            let answer = load_group(api, group, parent_id, user_ids)
                .with_context(|| format!("fixtures: groups[{n}]"))?;
            for key in ["path", "full_path"] {
                if let Some(name) = answer.get(key).and_then(Value::as_str) {
                    group_ids.insert(name.to_owned(), id_of(&answer)?);
                }
            }
            made[n] = Some(answer);
        }
        if waiting.len() == before {
            let names: Vec<_> = waiting
                .iter()
                .filter_map(|(_, g)| g.parent_path.clone())
                .collect();
            return Err(anyhow!(
                "fixtures: groups: the parents {names:?} wait for each other"
            ));
        }
        pending = waiting;
    }
    Ok(made.into_iter().flatten().collect())
}

fn load_group(
    api: &Api,
    group: GroupFixture,
    parent_id: Option<i64>,
    user_ids: &mut HashMap<String, i64>,
) -> anyhow::Result<Value> {
    let mut body = group.body;
    if let Some(parent_id) = parent_id {
        body.insert("parent_id".into(), parent_id.into());
    }
    let mut answer = api.post("/groups", &body)?;
    let id = id_of(&answer)?;
    if group.members.is_empty() {
        return Ok(answer);
    }
    let mut members = Vec::new();
    for (n, member) in group.members.into_iter().enumerate() {
        let user_id = match user_ids.get(&member.username) {
            Some(id) => *id,
            None => {
                let id = existing_user(api, &member.username).with_context(|| format!("members[{n}]"))?;
                user_ids.insert(member.username.clone(), id);
                id
            }
        };
        let mut body = Map::new();
        body.insert("user_id".into(), user_id.into());
        body.insert("access_level".into(), member.access_level);
        members.push(
            api.post(&format!("/groups/{id}/members"), &body)
                .with_context(|| format!("members[{n}] ({})", member.username))?,
        );
    }
    if let Some(object) = answer.as_object_mut() {
        object.insert("members".into(), Value::Array(members));
    }
    Ok(answer)
}

fn existing_user(api: &Api, username: &str) -> anyhow::Result<i64> {
    let found = api.get("/users", &[("username", username)])?;
    found
        .as_array()
        .and_then(|users| users.first())
        .map(id_of)
        .transpose()?
        .ok_or_else(|| anyhow!("no user named {username:?} in the file or the database"))
}

fn existing_group(api: &Api, full_path: &str) -> anyhow::Result<i64> {
    let encoded: String = url::form_urlencoded::byte_serialize(full_path.as_bytes()).collect();
    api.get(&format!("/groups/{encoded}"), &[])
        .and_then(|group| id_of(&group))
        .with_context(|| format!("the parent group {full_path:?}"))
}

fn id_of(answer: &Value) -> anyhow::Result<i64> {
    answer
        .get("id")
        .and_then(Value::as_i64)
        .ok_or_else(|| anyhow!("the answer has no id: {answer}"))
}

/// The API, as the admin.
struct Api {
    client: Client,
    base: String,
    token: String,
}

impl Api {
    fn post(&self, path: &str, body: &Map<String, Value>) -> anyhow::Result<Value> {
        let request = self.client.post(format!("{}{path}", self.base)).json(body);
        self.send(request, "POST", path)
    }

    fn get(&self, path: &str, query: &[(&str, &str)]) -> anyhow::Result<Value> {
        let request = self.client.get(format!("{}{path}", self.base)).query(query);
        self.send(request, "GET", path)
    }

    fn send(
        &self,
        request: reqwest::blocking::RequestBuilder,
        method: &str,
        path: &str,
    ) -> anyhow::Result<Value> {
        let response = request.header("PRIVATE-TOKEN", &self.token).send()?;
        let status = response.status();
        let text = response.text()?;
        if !status.is_success() {
            return Err(anyhow!("{method} /api/v4{path} answered {status}: {text}"));
        }
        serde_json::from_str(&text).with_context(|| format!("{method} /api/v4{path} answered {text}"))
    }
}
