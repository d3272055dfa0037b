// Warden's WebAuthn ceremonies (security keys and passkeys) for its
// sign-in pages. A button with data-webauthn="create" or "get" carries the
// server's options (JSON, base64url binary fields) in data-options; on a
// click this script calls navigator.credentials, puts the answer (as JSON,
// the shape of PublicKeyCredential.toJSON) in the form's hidden
// "credential" field and submits the form, with the button's name and
// value. The server keeps the ceremony's state and verifies everything.
// Served from /device/webauthn.js: the pages allow no inline script.
'use strict';
(function () {
  function fromB64u(s) {
    s = s.replace(/-/g, '+').replace(/_/g, '/');
    while (s.length % 4) s += '=';
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }
  function toB64u(buf) {
    var u = new Uint8Array(buf), s = '';
    for (var i = 0; i < u.length; i++) s += String.fromCharCode(u[i]);
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  function ids(list) {
    (list || []).forEach(function (c) { c.id = fromB64u(c.id); });
  }
  function creation(pk) {
    pk.challenge = fromB64u(pk.challenge);
    pk.user.id = fromB64u(pk.user.id);
    ids(pk.excludeCredentials);
    return pk;
  }
  function request(pk) {
    pk.challenge = fromB64u(pk.challenge);
    ids(pk.allowCredentials);
    return pk;
  }
  function answer(cred) {
    var r = cred.response;
    var out = {
      id: cred.id, rawId: toB64u(cred.rawId), type: cred.type,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
      response: {clientDataJSON: toB64u(r.clientDataJSON)}
    };
    if (cred.authenticatorAttachment) out.authenticatorAttachment = cred.authenticatorAttachment;
    if (r.attestationObject) {
      out.response.attestationObject = toB64u(r.attestationObject);
      if (r.getTransports) out.response.transports = r.getTransports();
    } else {
      out.response.authenticatorData = toB64u(r.authenticatorData);
      out.response.signature = toB64u(r.signature);
      if (r.userHandle) out.response.userHandle = toB64u(r.userHandle);
    }
    return out;
  }
  function say(form, text) {
    var s = form.querySelector('.webauthn-status');
    if (s) s.textContent = text;
  }
  document.querySelectorAll('button[data-webauthn]').forEach(function (btn) {
    if (!window.PublicKeyCredential || !navigator.credentials) {
      btn.disabled = true;
      say(btn.form, 'This browser cannot use security keys or passkeys.');
      return;
    }
    btn.addEventListener('click', function (ev) {
      ev.preventDefault();
      var form = btn.form, opts = JSON.parse(btn.getAttribute('data-options'));
      var create = btn.getAttribute('data-webauthn') === 'create';
      btn.disabled = true;
      say(form, create ? 'Follow your browser to create the key\u2026' : 'Touch your security key or confirm with your passkey\u2026');
      var p = create ? navigator.credentials.create({publicKey: creation(opts.publicKey)})
        : navigator.credentials.get({publicKey: request(opts.publicKey)});
      p.then(function (cred) {
        form.elements.credential.value = JSON.stringify(answer(cred));
        var h = document.createElement('input');
        h.type = 'hidden'; h.name = btn.name; h.value = btn.value;
        form.appendChild(h);
        form.submit();
      }, function (e) {
        btn.disabled = false;
        say(form, e && e.name === 'NotAllowedError'
          ? 'Nothing was done: the request was cancelled or timed out. Try again.'
          : 'The security key failed: ' + (e && e.message || e));
      });
    });
  });
})();
