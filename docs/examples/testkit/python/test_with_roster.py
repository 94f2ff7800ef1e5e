"""Tests against the Roster the `roster` fixture started, with python-gitlab
(Roster speaks GitLab's Users API) and plain HTTP for the testkit's mail."""
import gitlab
import requests


def test_the_admin_token_works(roster):
    gl = gitlab.Gitlab(roster["url"], private_token=roster["admin_token"])
    gl.auth()
    assert gl.user.username == roster["admin_username"]


def test_fixture_users_exist_with_their_keys(roster):
    gl = gitlab.Gitlab(roster["url"], private_token=roster["admin_token"])
    [alice] = gl.users.list(username="alice")
    assert alice.name == "Alice Liddell"
    assert [k.title for k in alice.keys.list()] == ["laptop"]


def test_a_fixture_token_acts_as_its_user(roster):
    alice = roster["users"][0]
    token = alice["personal_access_tokens"][0]["token"]
    gl = gitlab.Gitlab(roster["url"], private_token=token)
    gl.auth()
    assert gl.user.id == alice["id"]


def test_groups_and_members(roster):
    backend = roster["groups"][0]
    assert backend["full_path"] == "acme/backend"
    assert [m["username"] for m in backend["members"]] == ["bob"]


def test_the_mail_is_captured(roster):
    # bob was created without skip_confirmation: he was sent a link.
    mail = requests.get(f"{roster['url']}/-/testkit/mail", params={"to": "bob@example.com"}, timeout=10).json()
    assert mail[0]["kind"] == "confirm_email"
    assert f"{roster['url']}/" in mail[0]["text"]


def test_a_new_user_through_the_api(roster):
    gl = gitlab.Gitlab(roster["url"], private_token=roster["admin_token"])
    carol = gl.users.create(
        {"username": "carol", "email": "carol@example.com", "name": "Carol", "password": "correct-horse-battery"}
    )
    assert gl.users.get(carol.id).username == "carol"
