"""The account pages and the admin console in a real browser: Debian's
Chromium, headless, driven by Selenium through chromedriver, with axe-core
judging every page it opens (no serious or critical finding).

Run by the Rust test `compat::chromium_drives_the_console` as
`python chromium_console.py ROSTER_URL ADMIN_TOKEN MAILDIR AXE_JS [SCREENSHOTS]`:
the server sends its mail to a real SMTP server that writes MAILDIR; with
SCREENSHOTS, the main pages are saved there as PNG (`scripts/screenshots`).
Prints one line a step and `console: N passed, M failed`.
"""
import email
import email.policy
import mailbox
import os
import re
import secrets
import struct
import sys
import tempfile
import time
import traceback
import zlib

import pyotp
import requests
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.common.virtual_authenticator import VirtualAuthenticatorOptions
from selenium.webdriver.support.ui import WebDriverWait

URL, ADMIN_TOKEN, MAILDIR, AXE_JS = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3], sys.argv[4]
SHOTS = sys.argv[5] if len(sys.argv) > 5 else None
# Passkeys want a host name; the whole run uses one, so one cookie jar.
LOCAL = URL.replace("127.0.0.1", "localhost")
PASSWORD = "a-long-and-new-password"
ADMIN_PASSWORD = "correct-horse-battery"
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl console"
AXE = open(AXE_JS, encoding="utf-8").read()
# The pages docs/console.md shows (scripts/screenshots keeps them current).
SHOWN = {"sign_in", "sign_up_errors", "account_profile_saved", "account_two_factor_enrol", "account_tokens",
         "account_sessions", "account_phone", "admin_users", "admin_user", "admin_events", "admin_hooks"}
results = []
state = {"audited": set()}


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
            for key in ("driver", "admin_driver"):
                driver = state.get(key)
                if driver is not None:
                    print(f"  {key} at", driver.current_url, "\n", driver.page_source[:3000], flush=True)
        return fn
    return run


def browser():
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,900", "--force-prefers-reduced-motion"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    return driver


def click_and_wait(driver, button):
    button.click()

    # The next page replaces this one: wait for it before reading it.
    def gone(_):
        try:
            button.is_enabled()
            return False
        except WebDriverException:
            return True

    WebDriverWait(driver, 20).until(gone)


def fill(driver, fields):
    for name, value in fields.items():
        element = driver.find_element(By.ID, name)
        element.clear()
        element.send_keys(value)


def audit(driver, name):
    """axe-core on the page as it is: no serious or critical finding. The
    script is handed to the page by the driver, which the page's policy
    (no scripts but its own) does not govern."""
    driver.execute_script(AXE + "\nreturn true;")
    found = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        axe.run(document, {resultTypes: ["violations"]})
          .then((r) => done(r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
                                                       nodes: v.nodes.map((n) => n.html).slice(0, 3)}))))
          .catch((e) => done([{id: "axe-failed", impact: "critical", help: String(e), nodes: []}]));
    """)
    bad = [v for v in found if v["impact"] in ("serious", "critical")]
    assert not bad, f"axe on {name}: {bad}"
    state["audited"].add(name)
    if SHOTS and name in SHOWN:
        driver.save_screenshot(os.path.join(SHOTS, name + ".png"))


def api(method, path, token=ADMIN_TOKEN, **kw):
    r = requests.request(method, URL + path, headers={"PRIVATE-TOKEN": token}, timeout=30, **kw)
    assert r.status_code < 300, (r.status_code, r.text)
    return r.json() if r.text else None


def mail_to(address, within=30):
    deadline = time.time() + within
    while time.time() < deadline:
        if os.path.isdir(MAILDIR):
            for message in mailbox.Maildir(MAILDIR, factory=None, create=False):
                parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
                if address in parsed["To"]:
                    return parsed
        time.sleep(0.2)
    raise AssertionError(f"no mail to {address}")


def png(width, height):
    """A small real PNG, made here."""
    raw = b"".join(
        b"\x00" + bytes(v for x in range(width) for v in (x * 6 % 256, y * 6 % 256, 120))
        for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def wait_for_next_step(totp):
    """A code counts once: wait for the app's next one."""
    now = time.time()
    time.sleep(30 - now % 30 + 0.5)
    return totp.now()


@step("start Chromium; the sign-in page links to sign-up and the reset page")
def _():
    state["driver"] = driver = browser()
    state["name"] = "neo_" + secrets.token_hex(3)
    state["email"] = state["name"] + "@example.com"
    driver.get(LOCAL + "/-/sign_in")
    assert driver.find_element(By.ID, "sign-up-link").is_displayed()
    assert driver.find_element(By.ID, "forgot-password").is_displayed()
    audit(driver, "sign_in")


@step("sign up: the API's messages beside the fields, then the account")
def _():
    driver = state["driver"]
    click_and_wait(driver, driver.find_element(By.ID, "sign-up-link"))
    # On a page that puts the focus nowhere, the first Tab reaches the
    # skip link.
    ActionChains(driver).send_keys(Keys.TAB).perform()
    assert driver.switch_to.active_element.get_attribute("class") == "skip", \
        driver.switch_to.active_element.get_attribute("outerHTML")
    audit(driver, "sign_up")
    fill(driver, {"name": "Neo", "username": state["name"], "email": state["email"], "password": "short"})
    click_and_wait(driver, driver.find_element(By.ID, "sign-up"))
    error = driver.find_element(By.ID, "password-error")
    assert "Password" in error.text, error.text
    assert driver.find_element(By.ID, "password").get_attribute("aria-invalid") == "true"
    assert driver.find_element(By.ID, "username").get_attribute("value") == state["name"]
    audit(driver, "sign_up_errors")
    fill(driver, {"password": PASSWORD, "password_confirmation": PASSWORD})
    click_and_wait(driver, driver.find_element(By.ID, "sign-up"))
    assert "Account created" in driver.title, driver.title
    assert state["email"] in driver.page_source


@step("confirm from the mailed link (a real SMTP server)")
def _():
    driver = state["driver"]
    message = mail_to(state["email"])
    body = message.get_body(preferencelist=("plain", "html")).get_content()
    link = re.search(r"https?://\S+/-/confirm\?confirmation_token=[A-Za-z0-9_\-]+", body).group(0)
    driver.get(link.replace("127.0.0.1", "localhost"))
    audit(driver, "confirm")
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    assert "Address confirmed" in driver.page_source, driver.page_source[:800]


@step("sign in with the password: to the account pages; HttpOnly, SameSite=Lax cookies")
def _():
    driver = state["driver"]
    driver.get(LOCAL + "/-/sign_in")
    fill(driver, {"login": state["name"], "password": PASSWORD})
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    assert driver.current_url.endswith("/-/account"), driver.current_url
    for cookie in driver.get_cookies():
        assert cookie["httpOnly"] and cookie.get("sameSite") == "Lax", cookie
    audit(driver, "account_profile")


@step("change the profile and upload an avatar")
def _():
    driver = state["driver"]
    # A URL the browser takes and the API refuses (http and https only).
    fill(driver, {"website_url": "ftp://files.example.com"})
    click_and_wait(driver, driver.find_element(By.ID, "save-profile"))
    assert driver.find_element(By.ID, "website_url-error").is_displayed()
    fill(driver, {"name": "Neo Anderson", "bio": "Follows white rabbits.", "website_url": "example.org"})
    click_and_wait(driver, driver.find_element(By.ID, "save-profile"))
    assert "Your profile was saved." in driver.find_element(By.ID, "notice").text
    assert driver.find_element(By.ID, "name").get_attribute("value") == "Neo Anderson"
    path = os.path.join(tempfile.mkdtemp(), "avatar.png")
    with open(path, "wb") as f:
        f.write(png(40, 40))
    driver.find_element(By.ID, "avatar").send_keys(path)
    click_and_wait(driver, driver.find_element(By.ID, "upload-avatar"))
    image = driver.find_element(By.ID, "avatar-image")
    loaded = driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image)
    assert loaded == 40, loaded
    user = requests.get(URL + "/api/v4/users", params={"username": state["name"]}, timeout=30).json()[0]
    assert user["name"] == "Neo Anderson" and "/uploads/avatars/" in user["avatar_url"], user
    audit(driver, "account_profile_saved")


@step("add an SSH key")
def _():
    driver = state["driver"]
    driver.get(LOCAL + "/-/account/keys")
    audit(driver, "account_keys_empty")
    driver.find_element(By.ID, "key").send_keys(KEY)
    fill(driver, {"title": "laptop"})
    click_and_wait(driver, driver.find_element(By.ID, "add-key"))
    assert "The key was added." in driver.page_source
    keys = requests.get(URL + f"/api/v4/users/{state['name']}/keys", timeout=30).json()
    assert [k["title"] for k in keys] == ["laptop"], keys
    audit(driver, "account_keys")


@step("create a token: shown once, and it works")
def _():
    driver = state["driver"]
    driver.get(LOCAL + "/-/account/tokens")
    fill(driver, {"name": "scripts"})
    driver.find_element(By.ID, "scope-read_api").click()
    click_and_wait(driver, driver.find_element(By.ID, "create-token"))
    secret = driver.find_element(By.ID, "new-token").text.strip()
    audit(driver, "account_tokens")
    me = api("GET", "/api/v4/user", token=secret)
    assert me["username"] == state["name"], me
    driver.get(LOCAL + "/-/account/tokens")
    assert secret not in driver.page_source


@step("a form without its CSRF token is refused")
def _():
    driver = state["driver"]
    jar = {c["name"]: c["value"] for c in driver.get_cookies()}
    r = requests.post(LOCAL + "/-/account/keys", data={"key": KEY, "title": "forged"}, cookies=jar,
                      allow_redirects=False, timeout=30)
    assert r.status_code == 403, (r.status_code, r.text[:300])
    keys = requests.get(URL + f"/api/v4/users/{state['name']}/keys", timeout=30).json()
    assert len(keys) == 1, keys


@step("turn on an authenticator app (TOTP) and keep the recovery codes")
def _():
    driver = state["driver"]
    driver.get(LOCAL + "/-/account/two_factor")
    audit(driver, "account_two_factor_off")
    fill(driver, {"totp-password": PASSWORD})
    click_and_wait(driver, driver.find_element(By.ID, "begin-totp"))
    secret = driver.find_element(By.ID, "totp-secret").text.strip()
    qr = driver.find_element(By.CSS_SELECTOR, "img.qr")
    assert driver.execute_script("return arguments[0].naturalWidth", qr) > 100
    audit(driver, "account_two_factor_enrol")
    state["totp"] = pyotp.TOTP(secret)
    fill(driver, {"otp": state["totp"].now()})
    click_and_wait(driver, driver.find_element(By.ID, "confirm-totp"))
    codes = driver.find_elements(By.CSS_SELECTOR, "#recovery-codes li")
    assert len(codes) >= 8, driver.page_source[:800]
    audit(driver, "account_two_factor_on")


@step("sign out, and sign in again with the password and a TOTP code")
def _():
    driver = state["driver"]
    click_and_wait(driver, driver.find_element(By.ID, "sign-out"))
    assert driver.get_cookie("_roster_session") is None
    driver.get(LOCAL + "/-/account")
    assert "/-/sign_in" in driver.current_url, driver.current_url
    fill(driver, {"login": state["name"], "password": PASSWORD})
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    audit(driver, "sign_in_two_factor")
    fill(driver, {"otp": wait_for_next_step(state["totp"])})
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    assert driver.current_url.endswith("/-/account"), driver.current_url


@step("add a passkey from the page (a virtual authenticator), then sign in with it alone")
def _():
    driver = state["driver"]
    options = VirtualAuthenticatorOptions()
    options.protocol = VirtualAuthenticatorOptions.Protocol.CTAP2
    options.transport = VirtualAuthenticatorOptions.Transport.INTERNAL
    options.has_resident_key = True
    options.has_user_verification = True
    options.is_user_verified = True
    driver.add_virtual_authenticator(options)
    driver.get(LOCAL + "/-/account/two_factor")
    button = driver.find_element(By.ID, "add-passkey")
    assert button.is_displayed(), "the script shows the button"
    fill(driver, {"name": "Chromium passkey"})
    click_and_wait(driver, button)
    assert "The passkey was added." in driver.page_source, driver.page_source[:1500]
    assert "Chromium passkey" in driver.find_element(By.ID, "passkeys").text
    audit(driver, "account_two_factor_passkey")
    click_and_wait(driver, driver.find_element(By.ID, "sign-out"))
    driver.get(LOCAL + "/-/sign_in")
    click_and_wait(driver, driver.find_element(By.ID, "use-passkey"))
    assert driver.current_url.endswith("/-/account"), driver.current_url
    assert state["name"] in driver.find_element(By.CSS_SELECTOR, "header .who").text


@step("the other account pages: e-mails, password, sessions, privacy, groups, delete")
def _():
    driver = state["driver"]
    for name, path in [("account_emails", "/-/account/emails"), ("account_password", "/-/account/password"),
                       ("account_sessions", "/-/account/sessions"), ("account_privacy", "/-/account/privacy"),
                       ("account_groups", "/-/account/groups"), ("account_delete", "/-/account/delete")]:
        driver.get(LOCAL + path)
        assert driver.find_elements(By.TAG_NAME, "main") and driver.find_elements(By.TAG_NAME, "nav")
        assert driver.find_element(By.CSS_SELECTOR, ".sections a[aria-current=page]")
        audit(driver, name)
    driver.get(LOCAL + "/-/account/privacy")
    driver.find_element(By.ID, "private_profile").click()
    click_and_wait(driver, driver.find_element(By.ID, "save-privacy"))
    assert "Your privacy settings were saved." in driver.page_source
    me = requests.get(URL + "/api/v4/users", params={"username": state["name"]}, timeout=30).json()[0]
    assert "bio" not in me or not me["bio"], me


@step("readable on a phone: nothing wider than the screen")
def _():
    driver = state["driver"]
    driver.set_window_size(390, 844)
    try:
        for path in ("/-/account", "/-/account/keys", "/-/account/two_factor", "/-/account/sessions"):
            driver.get(LOCAL + path)
            wide = driver.execute_script(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert wide <= 1, f"{path} is {wide}px wider than the screen"
        audit(driver, "account_phone")
    finally:
        driver.set_window_size(1280, 900)


@step("the admin finds the user by search and blocks them; their session stops")
def _():
    admin = state["admin_driver"] = browser()
    me = api("GET", "/api/v4/user")
    admin.get(LOCAL + "/-/admin")
    assert "Page not found" in admin.title, "the console is not shown before signing in"
    admin.get(LOCAL + "/-/sign_in?return_to=%2F-%2Fadmin")
    fill(admin, {"login": me["username"], "password": ADMIN_PASSWORD})
    click_and_wait(admin, admin.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    assert admin.current_url.endswith("/-/admin"), admin.current_url
    audit(admin, "admin_overview")
    admin.find_element(By.LINK_TEXT, "Users").click()
    audit(admin, "admin_users")
    fill(admin, {"search": state["name"]})
    click_and_wait(admin, admin.find_element(By.ID, "filter-users"))
    rows = admin.find_elements(By.CSS_SELECTOR, "#users tbody tr")
    assert len(rows) == 1, admin.page_source[:1500]
    click_and_wait(admin, admin.find_element(By.LINK_TEXT, state["name"]))
    audit(admin, "admin_user")
    click_and_wait(admin, admin.find_element(By.ID, "action-block"))
    assert admin.find_element(By.ID, "user-state").text == "blocked"
    driver = state["driver"]
    driver.get(LOCAL + "/-/account")
    assert "/-/sign_in" in driver.current_url, driver.current_url


@step("the rest of the console: edit, new user, groups, applications, hooks, events")
def _():
    admin = state["admin_driver"]
    admin.find_element(By.ID, "edit-user").click()
    audit(admin, "admin_user_edit")
    for name, path in [("admin_user_new", "/-/admin/users/new"), ("admin_groups", "/-/admin/groups"),
                       ("admin_applications", "/-/admin/applications"), ("admin_hooks", "/-/admin/hooks"),
                       ("admin_events", "/-/admin/events")]:
        admin.get(LOCAL + path)
        audit(admin, name)
    admin.get(LOCAL + "/-/admin/events")
    fill(admin, {"event_name": "user_blocked"})
    click_and_wait(admin, admin.find_element(By.ID, "filter-events"))
    assert "user_blocked" in admin.find_element(By.ID, "events").text
    admin.get(LOCAL + "/-/admin/groups")
    fill(admin, {"name": "Console Crew", "path": "console-crew-" + secrets.token_hex(2)})
    click_and_wait(admin, admin.find_element(By.ID, "create-group"))
    assert "The group was created." in admin.page_source, admin.page_source[:1200]
    audit(admin, "admin_group")
    admin.get(LOCAL + "/-/admin/applications")
    fill(admin, {"name": "Wiki", "redirect_uri": "https://wiki.example.com/callback"})
    click_and_wait(admin, admin.find_element(By.ID, "create-application"))
    assert admin.find_element(By.ID, "new-client-secret").text.strip()
    audit(admin, "admin_applications_created")


@step("quit")
def _():
    for key in ("driver", "admin_driver"):
        if state.get(key) is not None:
            state[key].quit()


passed = sum(1 for _, e in results if e is None)
print(f"pages audited by axe-core: {len(state['audited'])}")
print(f"console: {passed} passed, {len(results) - passed} failed")
sys.exit(0 if passed == len(results) else 1)
