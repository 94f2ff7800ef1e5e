"""WebAuthn through the API with a software authenticator: ES256, EdDSA and
RS256 credentials registered, then each one proving the second factor of a
sign-in through the mfa grant.

The authenticator signs with the `cryptography` package and writes its
keys and attestation objects with python-fido2's COSE and CBOR, as a
platform authenticator that verifies its user would. Run by the Rust test
`compat::a_software_authenticator_registers_and_signs_in` as
`python webauthn_client.py ROSTER_URL ADMIN_TOKEN`. The browser origin is
`http://localhost:PORT`: WebAuthn refuses IP addresses, and Roster takes a
loopback public URL for `localhost` (and takes the public URL's own origin,
`http://127.0.0.1:PORT`, too). Prints one line a step and
`webauthn: N passed, M failed`.
"""
import base64
import hashlib
import json
import os
import secrets
import struct
import sys
import traceback
from urllib.parse import urlparse

import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from fido2 import cbor
from fido2.cose import ES256, EdDSA, RS256

URL, ADMIN_TOKEN = sys.argv[1].rstrip("/"), sys.argv[2]
ORIGIN = "http://localhost:%d" % urlparse(URL).port
OWN_ORIGIN = "%s://%s" % (urlparse(URL).scheme, urlparse(URL).netloc)
PASSWORD = "correct-horse-battery"
MFA = "urn:roster:params:oauth:grant-type:mfa"
results = []
state = {}


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sha256(data):
    return hashlib.sha256(data).digest()


class SoftAuthenticator:
    """An authenticator in software: one key a credential. `keyring` is
    where its keys are kept; authenticators that share one stand for the
    several devices of one person (each refuses to register again where it
    already holds an excluded credential)."""

    def __init__(self, keyring=None):
        self.keyring = {} if keyring is None else keyring
        self.own = set()

    def create(self, options, origin, alg):
        pk = options["publicKey"]
        if alg == -7:
            key = ec.generate_private_key(ec.SECP256R1())
            cose = ES256.from_cryptography_key(key.public_key())
        elif alg == -8:
            key = ed25519.Ed25519PrivateKey.generate()
            cose = EdDSA.from_cryptography_key(key.public_key())
        else:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            cose = RS256.from_cryptography_key(key.public_key())
        excluded = {c["id"] for c in pk.get("excludeCredentials", [])}
        assert not excluded & self.own, "an excluded credential is on this authenticator"
        cred_id = os.urandom(32)
        self.own.add(b64(cred_id))
        self.keyring[b64(cred_id)] = {
            "alg": alg, "key": key, "user": pk["user"]["id"], "rp": pk["rp"]["id"], "count": 0,
        }
        client_data = json.dumps({
            "type": "webauthn.create", "challenge": pk["challenge"], "origin": origin, "crossOrigin": False,
        }).encode()
        # User present, user verified, attested credential data.
        auth_data = (sha256(pk["rp"]["id"].encode()) + bytes([0x45]) + struct.pack(">I", 0)
                     + bytes(16) + struct.pack(">H", len(cred_id)) + cred_id + cbor.encode(cose))
        attestation = cbor.encode({"fmt": "none", "attStmt": {}, "authData": auth_data})
        spki = key.public_key().public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)
        return {
            "id": b64(cred_id), "rawId": b64(cred_id), "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {"credProps": {"rk": True}},
            "response": {
                "clientDataJSON": b64(client_data), "attestationObject": b64(attestation),
                "authenticatorData": b64(auth_data), "publicKey": b64(spki), "publicKeyAlgorithm": alg,
                "transports": ["internal"],
            },
        }

    def get(self, options, origin, cred_id, flags=0x05, tamper=False):
        pk = options["publicKey"]
        allowed = [c["id"] for c in pk.get("allowCredentials", [])]
        assert cred_id in allowed, (cred_id, allowed)
        cred = self.keyring[cred_id]
        cred["count"] += 1
        auth_data = sha256(pk["rpId"].encode()) + bytes([flags]) + struct.pack(">I", cred["count"])
        client_data = json.dumps({
            "type": "webauthn.get", "challenge": pk["challenge"], "origin": origin, "crossOrigin": False,
        }).encode()
        signed = auth_data + sha256(client_data)
        key = cred["key"]
        if cred["alg"] == -7:
            signature = key.sign(signed, ec.ECDSA(hashes.SHA256()))
        elif cred["alg"] == -8:
            signature = key.sign(signed)
        else:
            signature = key.sign(signed, padding.PKCS1v15(), hashes.SHA256())
        if tamper:
            signature = bytes([signature[0] ^ 1]) + signature[1:]
        return json.dumps({
            "id": cred_id, "rawId": cred_id, "type": "public-key", "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": b64(client_data), "authenticatorData": b64(auth_data),
                "signature": b64(signature), "userHandle": cred["user"],
            },
        })


def step(name):
    def run(fn):
        try:
            fn()
            results.append((name, None))
            print(f"ok - {name}", flush=True)
        except Exception as e:
            results.append((name, e))
            print(f"not ok - {name}: {e!r}", flush=True)
            traceback.print_exc()
        return fn
    return run


def call(method, path, token=None, expect=None, **kw):
    headers = {"Authorization": "Bearer " + token} if token else {}
    r = requests.request(method, URL + path, headers=headers, timeout=30, **kw)
    if expect is not None:
        assert r.status_code == expect, (method, path, r.status_code, r.text)
    return r


def password_step():
    r = call("POST", "/oauth/token", expect=403, json={
        "grant_type": "password", "username": state["name"], "password": PASSWORD,
    })
    body = r.json()
    assert body["error"] == "mfa_required", body
    return body


@step("a user and a token")
def _():
    name = "wa_" + secrets.token_hex(3)
    r = requests.post(URL + "/api/v4/users", headers={"PRIVATE-TOKEN": ADMIN_TOKEN}, timeout=30, json={
        "username": name, "email": f"{name}@example.com", "name": "Web Authn",
        "password": PASSWORD, "skip_confirmation": True,
    })
    assert r.status_code == 201, r.text
    state["name"] = name
    state["token"] = call("POST", "/oauth/token", expect=200, json={
        "grant_type": "password", "username": name, "password": PASSWORD,
    }).json()["access_token"]
    state["keyring"] = {}
    state["ids"] = {}


@step("registration options: localhost, ES256 + EdDSA + RS256, a discoverable key preferred")
def _():
    options = call("POST", "/api/v4/user/webauthn/registrations/options", state["token"], expect=200).json()
    pk = options["publicKey"]
    assert pk["rp"]["id"] == "localhost", pk["rp"]
    assert {p["alg"] for p in pk["pubKeyCredParams"]} == {-7, -8, -257}, pk["pubKeyCredParams"]
    assert pk["authenticatorSelection"]["residentKey"] == "preferred", pk["authenticatorSelection"]
    assert len(unb64(pk["challenge"])) >= 16
    assert pk["user"]["name"] == state["name"]
    state["first_options"] = options


@step("register one credential of each algorithm")
def _():
    for alg, label in ((-7, "ES256"), (-8, "EdDSA"), (-257, "RS256")):
        auth = SoftAuthenticator(state["keyring"])
        options = state.pop("first_options", None) or call(
            "POST", "/api/v4/user/webauthn/registrations/options", state["token"], expect=200).json()
        credential = auth.create(options, OWN_ORIGIN if alg == -8 else ORIGIN, alg)
        made = call("POST", "/api/v4/user/webauthn/registrations", state["token"], expect=201,
                    json={"name": f"{label} key", "credential": credential}).json()
        assert made["name"] == f"{label} key" and made["last_used_at"] is None, made
        state["ids"][label] = (made["id"], credential["id"])
        state.setdefault("last", (options, credential))
    listed = call("GET", "/api/v4/user/webauthn/registrations", state["token"], expect=200).json()
    assert [c["name"] for c in listed] == ["ES256 key", "EdDSA key", "RS256 key"], listed
    me = call("GET", "/api/v4/user", state["token"], expect=200).json()
    assert me["two_factor_enabled"] is True, me


@step("the same options cannot be answered twice, nor from another origin")
def _():
    assert "last" in state, "nothing was registered"
    options, credential = state["last"]
    r = call("POST", "/api/v4/user/webauthn/registrations", state["token"], expect=400,
             json={"name": "again", "credential": credential})
    assert "credential" in r.json()["message"], r.text
    options = call("POST", "/api/v4/user/webauthn/registrations/options", state["token"], expect=200).json()
    # The new options exclude the three registered credentials.
    excluded = {c["id"] for c in options["publicKey"]["excludeCredentials"]}
    assert excluded == {cid for _, cid in state["ids"].values()}, excluded
    stranger = SoftAuthenticator().create(options, "http://evil.example", -7)
    call("POST", "/api/v4/user/webauthn/registrations", state["token"], expect=400,
         json={"name": "phish", "credential": stranger})


@step("each credential proves the second factor through the mfa grant")
def _():
    auth = SoftAuthenticator(state["keyring"])
    assert len(state["ids"]) == 3, state["ids"]
    for label, (_, cred_id) in state["ids"].items():
        challenge = password_step()
        assert "webauthn" in challenge["mfa_methods"], challenge
        options = call("POST", "/oauth/mfa/webauthn/options", expect=200,
                       json={"mfa_token": challenge["mfa_token"]}).json()
        pk = options["publicKey"]
        assert pk["rpId"] == "localhost"
        assert {c["id"] for c in pk["allowCredentials"]} == {c for _, c in state["ids"].values()}
        # One credential answers from the public URL's own address.
        origin = OWN_ORIGIN if label == "EdDSA" else ORIGIN
        assertion = auth.get(options, origin, cred_id)
        tokens = call("POST", "/oauth/token", expect=200, data={
            "grant_type": MFA, "mfa_token": challenge["mfa_token"], "webauthn_assertion": assertion,
        }).json()
        me = call("GET", "/api/v4/user", tokens["access_token"], expect=200).json()
        assert me["username"] == state["name"], label
    listed = call("GET", "/api/v4/user/webauthn/registrations", state["token"], expect=200).json()
    assert all(c["last_used_at"] for c in listed), listed


@step("a forged, misdirected or replayed assertion is refused")
def _():
    auth = SoftAuthenticator(state["keyring"])
    _, cred_id = state["ids"]["ES256"]
    for kind in ("tampered", "origin", "replay"):
        challenge = password_step()
        options = call("POST", "/oauth/mfa/webauthn/options", expect=200,
                       json={"mfa_token": challenge["mfa_token"]}).json()
        if kind == "tampered":
            assertion = auth.get(options, ORIGIN, cred_id, tamper=True)
        elif kind == "origin":
            assertion = auth.get(options, "http://evil.example", cred_id)
        else:
            assertion = state["replayable"]
        r = call("POST", "/oauth/token", expect=400, json={
            "grant_type": MFA, "mfa_token": challenge["mfa_token"], "webauthn_assertion": assertion,
        })
        assert r.json()["error"] == "invalid_grant", r.text
        if kind == "tampered":
            # A good assertion (for new options: the refused answer spent
            # the last ones), kept to be replayed against a later sign-in.
            options = call("POST", "/oauth/mfa/webauthn/options", expect=200,
                           json={"mfa_token": challenge["mfa_token"]}).json()
            state["replayable"] = auth.get(options, ORIGIN, cred_id)
            call("POST", "/oauth/token", expect=200, json={
                "grant_type": MFA, "mfa_token": challenge["mfa_token"],
                "webauthn_assertion": state["replayable"],
            })


@step("deleting needs the password; the last credential turns two-factor off")
def _():
    ids = [i for i, _ in state["ids"].values()]
    assert len(ids) == 3, ids
    path = "/api/v4/user/webauthn/registrations/%d"
    call("DELETE", path % ids[0], state["token"], expect=400, json={})
    call("DELETE", path % ids[0], state["token"], expect=400, json={"current_password": "wrong-one-1"})
    call("DELETE", path % 999999, state["token"], expect=404, json={"current_password": PASSWORD})
    for i in ids:
        call("DELETE", path % i, state["token"], expect=204, json={"current_password": PASSWORD})
    me = call("GET", "/api/v4/user", state["token"], expect=200).json()
    assert me["two_factor_enabled"] is False, me
    call("POST", "/oauth/token", expect=200, json={
        "grant_type": "password", "username": state["name"], "password": PASSWORD,
    })


failed = [name for name, error in results if error]
print(f"webauthn: {len(results) - len(failed)} passed, {len(failed)} failed")
sys.exit(1 if failed else 0)
