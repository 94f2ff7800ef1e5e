"""The sign-in and consent pages in a real browser: Debian's Chromium,
headless, driven by Selenium through chromedriver.

Run by the Rust test `compat::chromium_signs_in_through_the_pages` as
`python chromium_pages.py ROSTER_URL ADMIN_TOKEN MAX_FAILED_SIGN_INS`. The
application's redirect URI is a page of Roster itself, so the browser lands
somewhere real with the code. Prints one line a step and
`chromium: N passed, M failed`.
"""
import secrets
import sys
import time
import traceback
from urllib.parse import parse_qs, urlencode, urlparse

import pyotp
import requests
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.virtual_authenticator import VirtualAuthenticatorOptions
from selenium.webdriver.support.ui import WebDriverWait

URL, ADMIN_TOKEN, MAX_FAILURES = sys.argv[1].rstrip("/"), sys.argv[2], int(sys.argv[3])
CALLBACK = URL + "/-/health"
PASSWORD = "correct-horse-battery"
results = []
state = {}


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
            driver = state.get("driver")
            if driver is not None:
                print("  at", driver.current_url, "\n", driver.page_source[:2000], flush=True)
        return fn
    return run


def admin(method, path, **kw):
    r = requests.request(method, URL + path, headers={"PRIVATE-TOKEN": ADMIN_TOKEN}, timeout=30, **kw)
    assert r.status_code < 300, (r.status_code, r.text)
    return r.json()


def user(prefix):
    name = prefix + "_" + secrets.token_hex(3)
    admin("POST", "/api/v4/users", json={
        "username": name, "email": f"{name}@example.com", "name": prefix.title(),
        "password": PASSWORD, "skip_confirmation": True,
    })
    return name


def authorize_url(client_id):
    return URL + "/oauth/authorize?" + urlencode({
        "response_type": "code", "client_id": client_id, "redirect_uri": CALLBACK,
        "scope": "openid profile", "state": "chromium-state", "nonce": secrets.token_hex(8),
    })


def sign_in(driver, login, password):
    driver.find_element(By.ID, "login").clear()
    driver.find_element(By.ID, "login").send_keys(login)
    driver.find_element(By.ID, "password").send_keys(password)
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))


def click_and_wait(driver, button):
    button.click()

    # The next page replaces this one: wait for it before reading it. While
    # the page is swapped, asking about the old button can fail in more
    # ways than "stale"; any of them means it is gone.
    def gone(_):
        try:
            button.is_enabled()
            return False
        except WebDriverException:
            return True

    WebDriverWait(driver, 15).until(gone)


@step("start Chromium")
def _():
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=390,844"):
        options.add_argument(arg)
    state["driver"] = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    state["driver"].set_page_load_timeout(30)
    state["alice"] = user("alice")
    state["bob"] = user("bob")
    app = admin("POST", "/api/v4/applications", json={
        "name": "Chromium Wiki", "redirect_uri": CALLBACK, "scopes": "openid profile", "confidential": True,
    })
    state["client_id"] = app["application_id"]


@step("the sign-in page: labelled fields, the application named")
def _():
    driver = state["driver"]
    driver.get(authorize_url(state["client_id"]))
    assert "/-/sign_in" in driver.current_url, driver.current_url
    assert driver.title.startswith("Sign in"), driver.title
    labels = {l.get_attribute("for") for l in driver.find_elements(By.TAG_NAME, "label")}
    assert {"login", "password"} <= labels, labels
    assert driver.find_elements(By.TAG_NAME, "main"), "a main landmark"
    assert "Chromium Wiki" in driver.page_source


@step("a wrong password is told, and nothing else")
def _():
    driver = state["driver"]
    sign_in(driver, state["alice"], "not-the-password")
    error = driver.find_element(By.ID, "sign-in-error")
    assert "Invalid username or password" in error.text, error.text
    assert driver.get_cookie("_roster_session") is None


@step("sign in, consent, and back to the application with the code")
def _():
    driver = state["driver"]
    sign_in(driver, state["alice"], PASSWORD)
    session = driver.get_cookie("_roster_session")
    assert session and session["httpOnly"] and session.get("sameSite") == "Lax", session
    assert "Chromium Wiki" in driver.page_source and "Authorize" in driver.title
    click_and_wait(driver, driver.find_element(By.ID, "allow"))
    landed = urlparse(driver.current_url)
    assert driver.current_url.startswith(CALLBACK), driver.current_url
    query = parse_qs(landed.query)
    assert query["state"] == ["chromium-state"] and query["code"][0], query


@step("a second request skips the pages")
def _():
    driver = state["driver"]
    driver.get(authorize_url(state["client_id"]))
    assert driver.current_url.startswith(CALLBACK) and "code=" in driver.current_url, driver.current_url


@step("sign out from the page")
def _():
    driver = state["driver"]
    driver.get(URL + "/-/sign_out")
    click_and_wait(driver, driver.find_element(By.ID, "confirm"))
    assert "signed out" in driver.page_source, driver.page_source[:500]
    assert driver.get_cookie("_roster_session") is None


@step("two-factor: the sign-in page asks for a code from the app (pyotp)")
def _():
    driver = state["driver"]
    carol = user("carol")
    token = requests.post(URL + "/oauth/token", json={
        "grant_type": "password", "username": carol, "password": PASSWORD,
    }, timeout=30).json()["access_token"]
    auth = {"Authorization": "Bearer " + token}
    started = requests.post(URL + "/api/v4/user/two_factor/totp", headers=auth,
                            json={"current_password": PASSWORD}, timeout=30).json()
    totp = pyotp.TOTP(started["secret"])
    # The step before now, then now: each code is accepted once.
    r = requests.post(URL + "/api/v4/user/two_factor/totp/confirm", headers=auth,
                      json={"otp": totp.at(time.time() - 30)}, timeout=30)
    assert r.status_code == 200, r.text
    driver.delete_all_cookies()
    driver.get(authorize_url(state["client_id"]))
    sign_in(driver, carol, PASSWORD)
    field = driver.find_element(By.ID, "otp")
    assert field.get_attribute("autocomplete") == "one-time-code"
    assert driver.get_cookie("_roster_session") is None
    field.send_keys("000000" if totp.now() != "000000" else "111111")
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    error = driver.find_element(By.ID, "two-factor-error")
    assert "wrong" in error.text, error.text
    driver.find_element(By.ID, "otp").send_keys(totp.now())
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    assert driver.get_cookie("_roster_session") is not None
    # On to the consent page of the authorization request.
    assert "Chromium Wiki" in driver.page_source, driver.page_source[:500]
    driver.delete_all_cookies()


@step("two-factor with a passkey: Chromium's virtual authenticator answers the page's script")
def _():
    driver = state["driver"]
    # WebAuthn needs a host name: the same server, as localhost.
    local = URL.replace("127.0.0.1", "localhost")
    erin = user("erin")
    token = requests.post(URL + "/oauth/token", json={
        "grant_type": "password", "username": erin, "password": PASSWORD,
    }, timeout=30).json()["access_token"]
    options = VirtualAuthenticatorOptions()
    options.protocol = VirtualAuthenticatorOptions.Protocol.CTAP2
    options.transport = VirtualAuthenticatorOptions.Transport.INTERNAL
    options.has_resident_key = True
    options.has_user_verification = True
    options.is_user_verified = True
    driver.add_virtual_authenticator(options)
    driver.delete_all_cookies()
    driver.get(local + "/-/sign_in")
    # The registration ceremony, run in a page of Roster's origin.
    status = driver.execute_async_script("""
        const [token, done] = arguments;
        const auth = {"Authorization": "Bearer " + token};
        (async () => {
          const o = await (await fetch("/api/v4/user/webauthn/registrations/options",
                                       {method: "POST", headers: auth})).json();
          const cred = await navigator.credentials.create(
              {publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(o.publicKey)});
          const r = await fetch("/api/v4/user/webauthn/registrations", {
              method: "POST", headers: Object.assign({"Content-Type": "application/json"}, auth),
              body: JSON.stringify({name: "Chromium", credential: cred.toJSON()})});
          done(r.status + " " + await r.text());
        })().catch((e) => done(String(e)));
    """, token)
    assert status.startswith("201 "), status
    sign_in(driver, erin, PASSWORD)
    button = driver.find_element(By.ID, "use-webauthn")
    assert button.is_displayed(), "the script shows the button"
    assert not driver.find_elements(By.ID, "otp"), "no code field without a TOTP app"
    assert driver.get_cookie("_roster_session") is None
    click_and_wait(driver, button)
    assert driver.get_cookie("_roster_session") is not None, driver.page_source[:500]
    assert driver.current_url.endswith("/-/account"), driver.current_url
    assert erin in driver.find_element(By.CSS_SELECTOR, "header .who").text, driver.page_source[:500]
    driver.delete_all_cookies()


@step("a passkey alone signs in: no user name, no password")
def _():
    driver = state["driver"]
    local = URL.replace("127.0.0.1", "localhost")
    driver.get(local + "/-/sign_in")
    button = driver.find_element(By.ID, "use-passkey")
    assert button.is_displayed(), "the script shows the passkey button"
    click_and_wait(driver, button)
    assert driver.get_cookie("_roster_session") is not None, driver.page_source[:500]
    assert driver.current_url.endswith("/-/account"), driver.current_url
    assert "erin_" in driver.find_element(By.CSS_SELECTOR, "header .who").text, driver.page_source[:500]
    driver.delete_all_cookies()


@step("a locked account is told so, even with the right password")
def _():
    driver = state["driver"]
    driver.get(authorize_url(state["client_id"]))
    for _ in range(MAX_FAILURES):
        sign_in(driver, state["bob"], "not-the-password")
    sign_in(driver, state["bob"], PASSWORD)
    error = driver.find_element(By.ID, "sign-in-error")
    assert "locked" in error.text, error.text
    assert driver.get_cookie("_roster_session") is None


driver = state.get("driver")
if driver is not None:
    driver.quit()
failed = [name for name, error in results if error]
print(f"chromium: {len(results) - len(failed)} passed, {len(failed)} failed")
sys.exit(1 if failed else 0)
