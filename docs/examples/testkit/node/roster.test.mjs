// A real Roster for this test file: `roster testkit serve` with the fixtures
// of ../fixtures.json, started before the tests and stopped after them.
// Run with `node --test`. ROSTER_BIN names the binary (default: `roster` on
// the PATH); ROSTER_TESTKIT_DATABASE_URL, when set, names a PostgreSQL server.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

const fixtures = fileURLToPath(new URL("../fixtures.json", import.meta.url));
let server;
let roster;

before(async () => {
  const args = ["testkit", "serve", "--fixtures", fixtures];
  if (process.env.ROSTER_TESTKIT_DATABASE_URL) {
    args.push("--database-url", process.env.ROSTER_TESTKIT_DATABASE_URL);
  }
  // Standard input stays a pipe held by this process: when it closes (at
  // the end, or because the test runner died), Roster stops and cleans up.
  server = spawn(process.env.ROSTER_BIN ?? "roster", args, {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: server.stdout });
  const [line] = await once(lines, "line");
  roster = JSON.parse(line);
});

after(async () => {
  const exited = once(server, "exit");
  server.stdin.end();
  await exited;
});

async function api(path, token = roster.admin_token) {
  const response = await fetch(`${roster.url}/api/v4${path}`, {
    headers: { "PRIVATE-TOKEN": token },
  });
  assert.equal(response.status, 200, `${path}: ${await response.clone().text()}`);
  return response.json();
}

test("the admin token works", async () => {
  const me = await api("/user");
  assert.equal(me.username, roster.admin_username);
});

test("a fixture user's token acts as that user", async () => {
  const alice = roster.users[0];
  const me = await api("/user", alice.personal_access_tokens[0].token);
  assert.equal(me.id, alice.id);
});

test("the subgroup has its member", async () => {
  const backend = roster.groups[0];
  assert.equal(backend.full_path, "acme/backend");
  // The admin who made the group is its first owner, as in GitLab.
  const members = await api(`/groups/${backend.id}/members`);
  assert.deepEqual(members.map((m) => m.username).sort(), ["bob", "root"]);
});

test("the application's secret is handed back", () => {
  const [shop] = roster.applications;
  assert.match(shop.secret, /^roster_oas_/);
});

test("mail is captured", async () => {
  const response = await fetch(`${roster.url}/-/testkit/mail?to=bob@example.com`);
  const [mail] = await response.json();
  assert.equal(mail.kind, "confirm_email");
});
