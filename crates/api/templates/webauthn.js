// Roster's WebAuthn ceremonies on its pages: the only script they run.
// Registration: a button with `data-webauthn-register` (hidden until this
// script shows it) fetches creation options from that path with the form's
// CSRF token, asks the authenticator for a new credential, and submits the
// form with it in `credential`.
// A button with `data-webauthn-options` (hidden until this script shows
// it) fetches the request options from that path with the form's
// `mfa_token`, asks the browser's authenticator, and submits the form with
// the answer in `webauthn_assertion`. Without an `mfa_token` in the form
// (the sign-in page's passkey button), it asks for a passkey alone.
"use strict";
(function () {
  if (!window.PublicKeyCredential) {
    return;
  }
  function fromB64(text) {
    const s = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(s, (c) => c.charCodeAt(0)).buffer;
  }
  function toB64(buffer) {
    const s = String.fromCharCode.apply(null, new Uint8Array(buffer));
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function requestOptions(json) {
    if (PublicKeyCredential.parseRequestOptionsFromJSON) {
      return PublicKeyCredential.parseRequestOptionsFromJSON(json);
    }
    const options = Object.assign({}, json, { challenge: fromB64(json.challenge) });
    options.allowCredentials = (json.allowCredentials || []).map((c) =>
      Object.assign({}, c, { id: fromB64(c.id) }));
    return options;
  }
  function creationOptions(json) {
    if (PublicKeyCredential.parseCreationOptionsFromJSON) {
      return PublicKeyCredential.parseCreationOptionsFromJSON(json);
    }
    const options = Object.assign({}, json, { challenge: fromB64(json.challenge) });
    options.user = Object.assign({}, json.user, { id: fromB64(json.user.id) });
    options.excludeCredentials = (json.excludeCredentials || []).map((c) =>
      Object.assign({}, c, { id: fromB64(c.id) }));
    return options;
  }
  function registrationJson(credential) {
    if (credential.toJSON) {
      return JSON.stringify(credential.toJSON());
    }
    const r = credential.response;
    return JSON.stringify({
      id: credential.id,
      rawId: toB64(credential.rawId),
      type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: {
        clientDataJSON: toB64(r.clientDataJSON),
        attestationObject: toB64(r.attestationObject),
        transports: r.getTransports ? r.getTransports() : [],
      },
    });
  }
  document.querySelectorAll("button[data-webauthn-register]").forEach(function (button) {
    const form = button.form;
    const status = document.getElementById(button.getAttribute("aria-describedby"));
    button.hidden = false;
    if (status) {
      status.textContent = "";
    }
    button.addEventListener("click", async function () {
      if (!form.reportValidity()) {
        return;
      }
      button.disabled = true;
      try {
        const body = new URLSearchParams();
        body.set("authenticity_token", form.elements.authenticity_token.value);
        const answer = await fetch(button.dataset.webauthnRegister, { method: "POST", body: body });
        if (!answer.ok) {
          throw new Error("the options could not be had (" + answer.status + ")");
        }
        const options = await answer.json();
        const credential = await navigator.credentials.create({ publicKey: creationOptions(options.publicKey) });
        form.elements.credential.value = registrationJson(credential);
        form.submit();
      } catch (e) {
        if (status) {
          status.textContent = "The passkey was not added: " + e.message;
        }
        button.disabled = false;
      }
    });
  });
  function asJson(credential) {
    if (credential.toJSON) {
      return JSON.stringify(credential.toJSON());
    }
    const r = credential.response;
    return JSON.stringify({
      id: credential.id,
      rawId: toB64(credential.rawId),
      type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: {
        clientDataJSON: toB64(r.clientDataJSON),
        authenticatorData: toB64(r.authenticatorData),
        signature: toB64(r.signature),
        userHandle: r.userHandle ? toB64(r.userHandle) : null,
      },
    });
  }
  document.querySelectorAll("button[data-webauthn-options]").forEach(function (button) {
    const form = button.form;
    const status = document.getElementById(button.getAttribute("aria-describedby"));
    button.hidden = false;
    button.addEventListener("click", async function () {
      button.disabled = true;
      try {
        const body = new URLSearchParams();
        if (form.elements.mfa_token) {
          body.set("mfa_token", form.elements.mfa_token.value);
        }
        const answer = await fetch(button.dataset.webauthnOptions, { method: "POST", body: body });
        if (!answer.ok) {
          throw new Error((await answer.json()).error_description || "the options could not be had");
        }
        const options = await answer.json();
        const credential = await navigator.credentials.get({ publicKey: requestOptions(options.publicKey) });
        form.elements.webauthn_assertion.value = asJson(credential);
        form.submit();
      } catch (e) {
        if (status) {
          status.textContent = "The security key did not answer: " + e.message;
        }
        button.disabled = false;
      }
    });
  });
})();
