"""Python's authlib, an OAuth 2 / OpenID Connect client, against Roster.

Run by the Rust test `compat::authlib_signs_in_with_roster` as
`python authlib_oidc.py ROSTER_URL ADMIN_TOKEN`. The browser's part (the
sign-in and consent pages) is played with `requests`, reading the pages'
forms; everything a relying party does is authlib's: PKCE, both client
authentication methods, the token exchange, ID-token validation against the
JWKS (signature, iss, aud, exp, nonce, at_hash), userinfo, refresh,
introspection (RFC 7662) and revocation (RFC 7009). Prints one line a step
and `authlib: N passed, M failed`.
"""
import html
import re
import secrets
import sys
import traceback
from urllib.parse import parse_qs, urljoin, urlparse

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, JsonWebToken
from authlib.oidc.core import CodeIDToken

URL, ADMIN_TOKEN = sys.argv[1].rstrip("/"), sys.argv[2]
CALLBACK = "http://127.0.0.1:9/callback"
PASSWORD = "correct-horse-battery"
results = []
state = {}


def step(name):
    def run(fn):
        try:
            fn()
            results.append((name, None))
            print(f"ok - {name}", flush=True)
        except Exception as e:  # one failure must not hide the rest
            results.append((name, e))
            print(f"not ok - {name}: {e!r}", flush=True)
            traceback.print_exc()
        return fn
    return run


def admin(method, path, **kw):
    r = requests.request(method, URL + path, headers={"PRIVATE-TOKEN": ADMIN_TOKEN}, timeout=30, **kw)
    assert r.status_code < 300, (r.status_code, r.text)
    return r.json()


def hidden_fields(page):
    return {
        html.unescape(name): html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)"', page)
    }


def browse_to_code(browser, authorization_url, login):
    """Plays the browser from the authorization URL to the code's redirect."""
    r = browser.get(authorization_url, allow_redirects=False, timeout=30)
    for _ in range(6):
        if r.status_code == 302 and r.headers["Location"].startswith(CALLBACK):
            return r.headers["Location"]
        if r.status_code == 303 and "/-/sign_in" in r.headers["Location"]:
            page = browser.get(urljoin(URL, r.headers["Location"]), timeout=30)
            form = hidden_fields(page.text)
            form.update(login=login, password=PASSWORD)
            r = browser.post(URL + "/-/sign_in", data=form, allow_redirects=False, timeout=30)
            assert r.status_code == 303, (r.status_code, r.text)
            r = browser.get(urljoin(URL, r.headers["Location"]), allow_redirects=False, timeout=30)
        elif r.status_code == 200 and 'name="decision"' in r.text:
            form = hidden_fields(r.text)
            form["decision"] = "allow"
            r = browser.post(URL + "/oauth/authorize", data=form, allow_redirects=False, timeout=30)
        else:
            raise AssertionError(f"unexpected answer {r.status_code}: {r.headers} {r.text[:500]}")
    raise AssertionError("too many steps")


@step("set up a user and two applications")
def _():
    name = "authlib_" + secrets.token_hex(4)
    admin("POST", "/api/v4/users", json={
        "username": name, "email": f"{name}@example.com", "name": "Authlib Tester",
        "password": PASSWORD, "skip_confirmation": True,
    })
    state["login"] = name
    for kind, confidential in (("confidential", True), ("public", False)):
        app = admin("POST", "/api/v4/applications", json={
            "name": f"Authlib {kind}", "redirect_uri": CALLBACK,
            "scopes": "openid profile email read_user", "confidential": confidential,
        })
        state[kind] = (app["application_id"], app["secret"])
    state["meta"] = requests.get(URL + "/.well-known/openid-configuration", timeout=30).json()
    assert state["meta"]["issuer"] == URL


def code_flow(auth_method, client_kind, browser):
    meta = state["meta"]
    client_id, secret = state[client_kind]
    session = OAuth2Session(
        client_id, secret if client_kind == "confidential" else None,
        scope="openid profile email read_user", redirect_uri=CALLBACK,
        code_challenge_method="S256", token_endpoint_auth_method=auth_method,
    )
    verifier = generate_token(64)
    nonce = generate_token(20)
    uri, st = session.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce)
    location = browse_to_code(browser, uri, state["login"])
    query = parse_qs(urlparse(location).query)
    assert query["state"] == [st] and query["iss"] == [URL], location
    token = session.fetch_token(
        meta["token_endpoint"], authorization_response=location, code_verifier=verifier)
    return session, token, nonce, client_id


def validate_id_token(token, nonce, client_id):
    jwks = JsonWebKey.import_key_set(requests.get(state["meta"]["jwks_uri"], timeout=30).json())
    claims = JsonWebToken(["RS256"]).decode(
        token["id_token"], jwks, claims_cls=CodeIDToken,
        claims_options={"iss": {"essential": True, "value": URL}},
        claims_params={"nonce": nonce, "client_id": client_id, "access_token": token["access_token"]},
    )
    claims.validate()  # exp, iat, aud, nonce, at_hash
    return claims


@step("code flow with PKCE and client_secret_basic")
def _():
    state["browser"] = requests.Session()
    state["flow"] = code_flow("client_secret_basic", "confidential", state["browser"])


@step("the ID token validates against the JWKS")
def _():
    session, token, nonce, client_id = state["flow"]
    claims = validate_id_token(token, nonce, client_id)
    assert claims["preferred_username"] == state["login"], claims
    assert claims["email"] == state["login"] + "@example.com"
    assert claims["email_verified"] is True
    assert isinstance(claims["groups_direct"], list)


@step("a forged ID token does not validate")
def _():
    session, token, nonce, client_id = state["flow"]
    head, payload, signature = token["id_token"].split(".")
    forged = ".".join([head, payload[:-4] + ("AAAA" if not payload.endswith("AAAA") else "BBBB"), signature])
    try:
        validate_id_token(dict(token, id_token=forged), nonce, client_id)
    except Exception:
        return
    raise AssertionError("a forged token validated")


@step("userinfo")
def _():
    session, token, _, _ = state["flow"]
    info = session.get(state["meta"]["userinfo_endpoint"], timeout=30).json()
    assert info["preferred_username"] == state["login"], info
    assert info["email"] == state["login"] + "@example.com"
    assert isinstance(info["groups"], list)


@step("the API with the read_user scope")
def _():
    session, _, _, _ = state["flow"]
    me = session.get(URL + "/api/v4/user", timeout=30).json()
    assert me["username"] == state["login"], me


@step("refresh")
def _():
    session, token, _, _ = state["flow"]
    fresh = session.refresh_token(state["meta"]["token_endpoint"], refresh_token=token["refresh_token"])
    assert fresh["access_token"] != token["access_token"]
    assert fresh.get("id_token")
    state["fresh"] = fresh


@step("introspection of an active and a revoked token")
def _():
    session, _, _, client_id = state["flow"]
    access = state["fresh"]["access_token"]
    meta = state["meta"]
    described = session.introspect_token(meta["introspection_endpoint"], token=access).json()
    assert described["active"] is True and described["client_id"] == client_id, described
    assert described["username"] == state["login"]
    revoked = session.revoke_token(meta["revocation_endpoint"], token=access)
    assert revoked.status_code == 200, revoked.text
    after = session.introspect_token(meta["introspection_endpoint"], token=access).json()
    assert after == {"active": False}, after


@step("client_secret_post, with consent remembered")
def _():
    session, token, nonce, client_id = code_flow("client_secret_post", "confidential", state["browser"])
    validate_id_token(token, nonce, client_id)


@step("a public client with PKCE only")
def _():
    session, token, nonce, client_id = code_flow("none", "public", requests.Session())
    validate_id_token(token, nonce, client_id)


@step("a wrong client secret is invalid_client")
def _():
    client_id, _ = state["confidential"]
    session = OAuth2Session(client_id, "roster_oas_wrong", token_endpoint_auth_method="client_secret_basic")
    try:
        session.fetch_token(state["meta"]["token_endpoint"], grant_type="password",
                            username=state["login"], password=PASSWORD)
    except Exception as e:
        assert "invalid_client" in str(e), e
        return
    raise AssertionError("accepted a wrong secret")


@step("the password grant with the application's credentials (seed 004)")
def _():
    client_id, secret = state["confidential"]
    session = OAuth2Session(client_id, secret, scope="read_user")
    token = session.fetch_token(state["meta"]["token_endpoint"], grant_type="password",
                                username=state["login"], password=PASSWORD)
    assert token["scope"] == "read_user", token


failed = [name for name, error in results if error]
print(f"authlib: {len(results) - len(failed)} passed, {len(failed)} failed")
sys.exit(1 if failed else 0)
