package portal

import "html/template"

var pageTmpl = template.Must(template.New("device").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Warden sign-in</title>
{{if .Redirect}}<meta http-equiv="refresh" content="0;url={{.Redirect}}">{{end}}
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f4f5f7;color:#1d2433;margin:0}
main{max-width:26rem;margin:4rem auto;padding:2rem;background:#fff;border-radius:.75rem;box-shadow:0 1px 4px rgba(0,0,0,.12)}
h1{font-size:1.3rem;margin:0 0 1rem}
label{display:block;margin:.9rem 0 .3rem;font-weight:600}
input{width:100%;box-sizing:border-box;padding:.6rem;font-size:1rem;border:1px solid #b8bfcc;border-radius:.4rem}
button{margin-top:1.2rem;padding:.65rem 1.2rem;font-size:1rem;border:0;border-radius:.4rem;background:#2457c5;color:#fff;cursor:pointer}
button.secondary{background:#e4e7ee;color:#1d2433;margin-left:.5rem}
.msg{background:#fdecea;color:#8a1c12;padding:.7rem;border-radius:.4rem}
code{font-size:1.05rem;word-break:break-all;background:#f0f2f6;padding:.15rem .3rem;border-radius:.25rem}
.code{font-size:1.6rem;letter-spacing:.15rem;text-align:center}
p.small{font-size:.9rem;color:#5a6375}
</style></head><body><main>
{{if .Message}}<p class="msg" role="alert">{{.Message}}</p>{{end}}
{{if eq .Step "password"}}
<h1>Approve a sign-in request</h1>
<p>Sign in with your Identity Center user to approve the code your terminal shows.</p>
<form method="post" action="/device" autocomplete="on">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<label for="user_code">Code</label><input id="user_code" class="code" name="user_code" value="{{.UserCode}}" required autocomplete="off">
{{if .IdP}}<button type="submit" name="via" value="saml">Sign in with {{.IdP}}</button>
{{else if .External}}<p>Your organization signs in through its identity provider: sign in there, then come back with the code.</p>
{{else}}<label for="username">User name</label><input id="username" name="username" required autocomplete="username">
<label for="password">Password</label><input id="password" name="password" type="password" required autocomplete="current-password">
<button type="submit">Sign in</button>{{end}}
</form>
{{else if eq .Step "saml"}}
<h1>Continue at {{.IdP}}</h1>
<p>Sign in at your identity provider; you will come back here to finish.</p>
{{if .Redirect}}<p><a id="idp" href="{{.Redirect}}">Continue to {{.IdP}}</a></p>{{end}}
{{else if eq .Step "saml-code"}}
<h1>Enter the code</h1>
<p>Signed in as {{.UserName}}. Enter the code your terminal shows.</p>
<form method="post" action="/device" autocomplete="off">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<label for="user_code">Code</label><input id="user_code" class="code" name="user_code" value="{{.UserCode}}" required>
<button type="submit">Continue</button>
</form>
{{else if eq .Step "new-password"}}
<h1>Choose a new password</h1>
<p>Your password was a one-time password. Choose your own: 8 to 64 characters, with an uppercase letter, a lowercase letter, a number and a symbol.</p>
<form method="post" action="/device">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<label for="new_password">New password</label><input id="new_password" name="new_password" type="password" required autocomplete="new-password">
<label for="confirm_password">Confirm it</label><input id="confirm_password" name="confirm_password" type="password" required autocomplete="new-password">
<button type="submit">Set password</button>
</form>
{{else if eq .Step "enroll"}}
<h1>Set up your authenticator</h1>
<p>Multi-factor authentication is required. Add this key to an authenticator app (TOTP), then enter the code it shows.</p>
<p>Key: <code>{{.Seed}}</code></p>
<p class="small">Or open: <code>{{.OTPAuth}}</code></p>
<form method="post" action="/device">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<label for="code">Code</label><input id="code" class="code" name="code" inputmode="numeric" pattern="[0-9]{6}" required autocomplete="one-time-code">
<button type="submit">Verify</button>
</form>
{{else if eq .Step "mfa"}}
<h1>Enter your MFA code</h1>
<p>Signed in as {{.UserName}}. Enter the code your authenticator app shows.</p>
<form method="post" action="/device">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<label for="code">Code</label><input id="code" class="code" name="code" inputmode="numeric" pattern="[0-9]{6}" required autocomplete="one-time-code">
<button type="submit">Verify</button>
</form>
{{else if eq .Step "approve"}}
<h1>Allow access?</h1>
<p>{{.UserName}}, a terminal or application asks to act as you with code <code>{{.UserCode}}</code>. Allow it only if you started this sign-in and the code matches.</p>
<form method="post" action="/device">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<button type="submit" name="decision" value="approve">Allow</button><button class="secondary" type="submit" name="decision" value="deny">Deny</button>
</form>
{{else}}
<h1>{{if eq .Result "approved"}}Request approved{{else}}Request denied{{end}}</h1>
<p>You can close this window{{if eq .Result "approved"}} and return to your terminal{{end}}.</p>
{{end}}
</main></body></html>
`))
