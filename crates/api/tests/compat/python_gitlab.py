"""Drives a running Roster with python-gitlab, the way GitLab API scripts do.

Usage: python python_gitlab.py URL ADMIN_TOKEN

Every step asserts what the client sees; the first failure raises and the
script exits non-zero. Prints one line per step and a closing
"N passed, 0 failed" line.
"""
import sys
import subprocess
import tempfile
import os

import gitlab

URL, TOKEN = sys.argv[1], sys.argv[2]
gl = gitlab.Gitlab(URL, private_token=TOKEN)
steps = []


def step(name):
    def wrap(fn):
        steps.append((name, fn))
        return fn
    return wrap


def new_key(comment):
    d = tempfile.mkdtemp()
    path = os.path.join(d, "id")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path], check=True)
    with open(path + ".pub") as f:
        return f.read().strip()


state = {}


@step("current user")
def current_user():
    gl.auth()
    assert gl.user.username == "root", gl.user.username
    assert gl.user.is_admin is True


@step("create users")
def create_users():
    for n in range(25):
        u = gl.users.create({
            "email": f"compat{n}@example.com",
            "username": f"compat{n}",
            "name": f"Compat User {n}",
            "password": "compat-password-1",
            "skip_confirmation": True,
        })
        assert u.id > 0 and u.username == f"compat{n}"
    state["alice"] = gl.users.list(username="compat0")[0]


@step("create errors")
def create_errors():
    try:
        gl.users.create({"email": "compat0@example.com", "username": "dup", "name": "Dup", "password": "compat-password-1"})
    except gitlab.exceptions.GitlabCreateError as e:
        assert e.response_code == 409, e.response_code
        assert "Email has already been taken" in str(e.error_message), e.error_message
    else:
        raise AssertionError("a duplicate address was accepted")


@step("list, search and paginate")
def list_users():
    page = gl.users.list(per_page=10, page=2)
    assert len(page) == 10, len(page)
    everyone = gl.users.list(iterator=True, per_page=7)
    names = [u.username for u in everyone]
    assert len(names) == 26 and len(set(names)) == 26, names
    assert everyone.total == 26, everyone.total
    found = gl.users.list(search="compat1")
    assert {u.username for u in found} >= {"compat1", "compat10"}, [u.username for u in found]
    keyset = list(gl.users.list(pagination="keyset", order_by="id", sort="asc", per_page=5, iterator=True))
    assert [u.username for u in keyset][:2] == ["root", "compat0"], [u.username for u in keyset][:2]
    assert len(keyset) == 26


@step("get and save")
def get_and_save():
    alice = gl.users.get(state["alice"].id)
    alice.bio = "Compat bio"
    alice.location = "Lyon"
    alice.save()
    again = gl.users.get(alice.id)
    assert again.bio == "Compat bio" and again.location == "Lyon", (again.bio, again.location)
    assert again.email == "compat0@example.com"


@step("block and unblock")
def block_unblock():
    alice = gl.users.get(state["alice"].id)
    assert alice.block() is True
    assert gl.users.get(alice.id).state == "blocked"
    assert alice.unblock() is True
    assert gl.users.get(alice.id).state == "active"
    assert alice.deactivate() is True
    assert alice.activate() is True


@step("ban and unban")
def ban_unban():
    alice = gl.users.get(state["alice"].id)
    assert alice.ban() is True
    assert gl.users.get(alice.id).state == "banned"
    try:
        alice.ban()
    except gitlab.exceptions.GitlabBanError as e:
        assert e.response_code == 403 and e.error_message == "You cannot ban banned users.", e
    else:
        raise AssertionError("banned twice")
    assert alice.unban() is True
    assert gl.users.get(alice.id).state == "active"


@step("approve and reject sign-ups")
def approve_reject():
    # Sign-ups wait for approval on this server (ROSTER_SIGNUP_APPROVAL).
    import requests
    waiting = []
    for name in ("pending0", "pending1"):
        r = requests.post(f"{URL}/api/v4/registrations", json={
            "email": f"{name}@example.com", "username": name, "name": name,
            "password": "compat-password-1", "password_confirmation": "compat-password-1",
        }, timeout=30)
        assert r.status_code == 201 and r.json()["state"] == "blocked_pending_approval", r.text
        waiting.append(gl.users.get(r.json()["id"]))
    assert waiting[0].approve() == {"message": "Success"}
    assert gl.users.get(waiting[0].id).state == "active"
    try:
        waiting[0].approve()
    except gitlab.exceptions.GitlabUserApproveError as e:
        assert e.response_code == 409, e
    else:
        raise AssertionError("approved twice")
    rejected = waiting[1].reject()
    assert rejected == {"message": "Success"}, rejected
    try:
        gl.users.get(waiting[1].id)
    except gitlab.exceptions.GitlabGetError as e:
        assert e.response_code == 404
    else:
        raise AssertionError("a rejected sign-up was kept")


@step("personal access tokens")
def tokens():
    alice = gl.users.get(state["alice"].id)
    pat = alice.personal_access_tokens.create({"name": "compat", "scopes": ["api", "read_user"]})
    assert pat.token.startswith("roster_pat_")
    state["alice_token"] = pat.token
    mine = gitlab.Gitlab(URL, private_token=pat.token)
    mine.auth()
    assert mine.user.username == "compat0"
    listed = gl.personal_access_tokens.list(user_id=alice.id)
    assert any(t.name == "compat" for t in listed)
    one = gl.personal_access_tokens.get(pat.id)
    assert one.active is True
    rotated = one.rotate()
    assert rotated["token"].startswith("roster_pat_")
    state["alice_token"] = rotated["token"]
    mine = gitlab.Gitlab(URL, private_token=state["alice_token"])
    mine.auth()


@step("token filters, impersonation tokens and sudo")
def impersonation_and_sudo():
    alice = gl.users.get(state["alice"].id)
    alice.personal_access_tokens.create({"name": "filtered", "scopes": ["read_api"], "description": "for the filters"})
    found = gl.personal_access_tokens.list(user_id=alice.id, search="FILTER", state="active")
    assert [t.name for t in found] == ["filtered"], found
    assert found[0].description == "for the filters"
    assert gl.personal_access_tokens.list(user_id=alice.id, revoked=True, get_all=True) != []  # the rotated one

    imp = alice.impersonationtokens.create({"name": "support", "scopes": ["api"]})
    assert imp.impersonation is True and imp.token.startswith("roster_pat_")
    as_alice = gitlab.Gitlab(URL, private_token=imp.token)
    as_alice.auth()
    assert as_alice.user.username == "compat0"
    assert [t.id for t in alice.impersonationtokens.list(state="active")] == [imp.id]
    assert alice.impersonationtokens.get(imp.id).name == "support"
    alice.impersonationtokens.delete(imp.id)
    assert alice.impersonationtokens.list(state="active") == []

    root = gl.users.get(gl.user.id)
    sudo_token = root.personal_access_tokens.create({"name": "sudo", "scopes": ["api", "sudo"]})
    admin = gitlab.Gitlab(URL, private_token=sudo_token.token)
    me = admin.http_get("/user", sudo="compat1")
    assert me["username"] == "compat1", me
    assert admin.users.list(username="compat2", sudo="compat1")[0].username == "compat2"


@step("ssh keys")
def keys():
    mine = gitlab.Gitlab(URL, private_token=state["alice_token"])
    mine.auth()
    line = new_key("compat@laptop")
    key = mine.user.keys.create({"title": "laptop", "key": line})
    assert key.fingerprint.startswith("SHA256:")
    assert [k.title for k in mine.user.keys.list()] == ["laptop"]
    admin_view = gl.users.get(state["alice"].id).keys.list()
    assert len(admin_view) == 1
    found = gl.keys.get(fingerprint=key.fingerprint)
    assert found.user["username"] == "compat0"
    key.delete()
    assert mine.user.keys.list() == []


@step("gpg keys")
def gpg_keys():
    data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "gpg")
    with open(os.path.join(data, "alice.asc")) as f:
        own_key = f.read()
    with open(os.path.join(data, "bob-rsa.asc")) as f:
        given_key = f.read()
    mine = gitlab.Gitlab(URL, private_token=state["alice_token"])
    mine.auth()
    added = mine.user.gpgkeys.create({"key": own_key})
    assert added.key == own_key.strip()
    assert [k.id for k in mine.user.gpgkeys.list()] == [added.id]
    assert mine.user.gpgkeys.get(added.id).key == own_key.strip()
    try:
        mine.user.gpgkeys.create({"key": "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nx\n-----END PGP PRIVATE KEY BLOCK-----"})
    except gitlab.exceptions.GitlabCreateError as e:
        assert e.response_code == 400 and "private key" in str(e.error_message), e
    else:
        raise AssertionError("a private key was taken")
    mine.user.gpgkeys.delete(added.id)
    assert mine.user.gpgkeys.list() == []

    bob = gl.users.list(username="compat1")[0]
    given = bob.gpgkeys.create({"key": given_key})
    assert [k.id for k in bob.gpgkeys.list()] == [given.id]
    assert bob.gpgkeys.get(given.id).id == given.id
    bob.gpgkeys.delete(given.id)
    assert bob.gpgkeys.list() == []


@step("e-mails")
def emails():
    alice = gl.users.get(state["alice"].id)
    e = alice.emails.create({"email": "compat0-alt@example.com", "skip_confirmation": True})
    assert e.email == "compat0-alt@example.com"
    assert [x.email for x in alice.emails.list()] == ["compat0-alt@example.com"]
    e.delete()
    assert alice.emails.list() == []
    mine = gitlab.Gitlab(URL, private_token=state["alice_token"])
    mine.auth()
    own = mine.user.emails.create({"email": "compat0-own@example.com"})
    assert own.confirmed_at is None
    assert [x.email for x in mine.user.emails.list()] == ["compat0-own@example.com"]


@step("follow")
def follow():
    mine = gitlab.Gitlab(URL, private_token=state["alice_token"])
    mine.auth()
    bob = gl.users.list(username="compat1")[0]
    target = mine.users.get(bob.id)
    target.follow()
    followers = [u.username for u in target.followers_users.list()]
    assert followers == ["compat0"], followers
    following = [u.username for u in mine.users.get(mine.user.id).following_users.list()]
    assert following == ["compat1"], following
    target.unfollow()
    assert target.followers_users.list() == []


@step("user status")
def user_status():
    mine = gitlab.Gitlab(URL, private_token=state["alice_token"])
    mine.auth()
    status = mine.user.status.get()
    assert status.emoji is None and status.availability == "not_set", status.attributes
    status.emoji = "coffee"
    status.message = "I crave coffee"
    status.save()
    seen = gl.users.get(mine.user.id).status.get()
    assert (seen.emoji, seen.message) == ("coffee", "I crave coffee"), seen.attributes
    busy = mine.user.status.update(new_data={"availability": "busy", "message": "heads down"})
    assert busy["availability"] == "busy" and busy["emoji"] == "speech_balloon", busy


@step("custom attributes")
def custom_attributes():
    alice = gl.users.get(state["alice"].id)
    attr = alice.customattributes.set("team", "compat")
    assert attr.value == "compat"
    assert alice.customattributes.get("team").value == "compat"
    found = gl.users.list(custom_attributes={"team": "compat"})
    assert [u.username for u in found] == ["compat0"], [u.username for u in found]
    alice.customattributes.delete("team")
    assert alice.customattributes.list() == []


@step("groups and subgroups")
def groups():
    acme = gl.groups.create({"name": "Acme", "path": "acme", "description": "The org"})
    assert acme.full_path == "acme" and acme.visibility == "private", acme.attributes
    team = gl.groups.create({"name": "Platform", "path": "platform", "parent_id": acme.id})
    assert team.full_path == "acme/platform", team.full_path
    assert [g.id for g in acme.subgroups.list()] == [team.id]
    assert [g.id for g in acme.descendant_groups.list()] == [team.id]
    assert gl.groups.get("acme/platform").id == team.id
    acme.description = "Changed"
    acme.save()
    assert gl.groups.get(acme.id).description == "Changed"
    assert {g.id for g in gl.groups.list(all_available=True)} >= {acme.id, team.id}
    state["acme"], state["team"] = acme, team


@step("members, inherited members and memberships")
def members():
    acme, team = state["acme"], state["team"]
    bob = gl.users.list(username="compat1")[0]
    member = acme.members.create({"user_id": bob.id, "access_level": gitlab.const.AccessLevel.DEVELOPER})
    assert member.access_level == 30 and member.username == "compat1"
    try:
        acme.members.create({"user_id": bob.id, "access_level": 30})
    except gitlab.exceptions.GitlabCreateError as e:
        assert e.response_code == 409, e.response_code
    else:
        raise AssertionError("a duplicate member was accepted")
    member = acme.members.get(bob.id)
    member.access_level = gitlab.const.AccessLevel.MAINTAINER
    member.save()
    assert acme.members.get(bob.id).access_level == 40
    inherited = {m.id: m.access_level for m in team.members_all.list(get_all=True)}
    assert inherited.get(bob.id) == 40, inherited
    assert bob.id not in {m.id for m in team.members.list()}
    held = gl.users.get(bob.id).memberships.list()
    assert [(m.source_id, m.source_type, m.access_level) for m in held] == [(acme.id, "Namespace", 40)], held
    acme.members.delete(bob.id)
    assert bob.id not in {m.id for m in acme.members.list()}


@step("invitations")
def invitations():
    acme = state["acme"]
    acme.invitations.create({"email": "invitee@example.com", "access_level": 30})
    listed = acme.invitations.list()
    assert [i.invite_email for i in listed] == ["invitee@example.com"], listed
    invitation = listed[0]
    invitation.access_level = 20
    invitation.save()
    assert acme.invitations.list()[0].access_level == 20
    try:
        acme.invitations.create({"email": "invitee@example.com", "access_level": 30})
    except gitlab.exceptions.GitlabInvitationError:
        pass
    else:
        raise AssertionError("a second invitation of one address was accepted")
    acme.invitations.delete("invitee@example.com")
    assert acme.invitations.list() == []


@step("group access tokens")
def access_tokens():
    acme = state["acme"]
    token = acme.access_tokens.create({"name": "org key", "scopes": ["read_api"]})
    assert token.token.startswith("roster_gat_") and token.access_level == 40, token.attributes
    as_org = gitlab.Gitlab(URL, private_token=token.token)
    assert {m.username for m in as_org.groups.get(acme.id).members.list()} >= {"root"}
    assert [t.id for t in acme.access_tokens.list()] == [token.id]
    acme.access_tokens.delete(token.id)
    try:
        as_org.groups.get(acme.id)
    except gitlab.exceptions.GitlabAuthenticationError:
        pass
    else:
        raise AssertionError("a revoked group token still worked")
    state["team"].delete()
    acme.delete()


@step("system hooks")
def system_hooks():
    hook = gl.hooks.create({"url": "https://hooks.roster.invalid/roster", "token": "t0ken", "signing_secret": "generate"})
    assert hook.url == "https://hooks.roster.invalid/roster" and hook.signing_secret.startswith("whsec_"), hook.attributes
    assert hook in gl.hooks.list()
    assert gl.hooks.get(hook.id).alert_status == "executable"
    # GitLab's PUT and test, which python-gitlab reaches through http_put/http_post.
    changed = gl.http_put(f"/hooks/{hook.id}", post_data={"events": ["user_create", "user_destroy"]})
    assert changed["events"] == ["user_create", "user_destroy"], changed
    sent = gl.http_post(f"/hooks/{hook.id}")
    assert sent["event_name"] == "project_create", sent
    log = gl.http_get(f"/hooks/{hook.id}/deliveries")
    assert log[0]["test"] is True, log
    hook.delete()
    assert hook not in gl.hooks.list()


@step("delete")
def delete():
    victim = gl.users.list(username="compat24")[0]
    victim.delete()
    try:
        gl.users.get(victim.id)
    except gitlab.exceptions.GitlabGetError as e:
        assert e.response_code == 404
    else:
        raise AssertionError("a deleted user was found")


passed = 0
for name, fn in steps:
    fn()
    passed += 1
    print(f"ok - {name}")
print(f"python-gitlab: {passed} passed, 0 failed")
