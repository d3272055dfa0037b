package sts_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/beevik/etree"

	"github.com/securecart/warden/internal/server/servertest"
)

// rewrite decodes a base64 SAML response, lets edit change its XML, and
// encodes it again: the attacker's tools, applied after the IdP signed.
func rewrite(t *testing.T, b64 string, edit func(resp *etree.Element)) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil {
		t.Fatal(err)
	}
	edit(doc.Root())
	out, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(out)
}

// child returns the first child element of e with the local name tag.
func child(t *testing.T, e *etree.Element, tag string) *etree.Element {
	t.Helper()
	for _, c := range e.ChildElements() {
		if c.Tag == tag {
			return c
		}
	}
	t.Fatalf("<%s> has no <%s>", e.Tag, tag)
	return nil
}

// evilCopy returns a copy of the signed assertion made to name another
// person, without the signature (the attacker cannot sign), with the
// given ID.
func evilCopy(t *testing.T, a *etree.Element, id string) *etree.Element {
	t.Helper()
	e := a.Copy()
	e.RemoveChild(child(t, e, "Signature"))
	e.CreateAttr("ID", id)
	child(t, child(t, e, "Subject"), "NameID").SetText("root@securecart.example")
	return e
}

// dropSignature removes an element's own enveloped signature.
func dropSignature(t *testing.T, e *etree.Element) { e.RemoveChild(child(t, e, "Signature")) }

// Every response below is refused: the forged, altered, unsigned and
// misaddressed ones, and the XML signature-wrapping permutations (SAMLRaider's
// XSW1-8 and their kin: a signed element moved, wrapped or duplicated so
// that a naive consumer verifies one element and reads another). The
// defences are gosaml2/goxmldsig's and identity.VerifySAML's (exactly one
// Assertion anywhere, no DOCTYPE).
func TestAssumeRoleWithSAMLRefuses(t *testing.T) {
	h, idp, rec := samlSetup(t)
	ctx := servertest.Ctx(t)
	c := anonymous(h)
	idp.AddSP(t, "app", "https://app.example.com/saml", "https://signin.aws.amazon.com/saml")
	idp.AddSP(t, "other-acs", "https://signin.aws.amazon.com/saml", "https://app.example.com/acs")
	forger := servertest.NewSAMLIdPAs(t, idp.Srv.URL)
	forger.AddUser(t, "Alice Martin", "alice@securecart.example", "correct horse", samlAttrs("alice@securecart.example"))
	good := func() string { return idp.SignIn(t, "alice", "correct horse") }

	cases := []struct {
		name, response, want string
	}{
		{"signed by a key not in the metadata (same issuer)", forger.SignIn(t, "alice", "correct horse"), "certificate"},
		{"a flipped bit in the signature values", rewrite(t, good(), func(r *etree.Element) {
			for _, s := range r.FindElements("//SignatureValue") {
				b, _ := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s.Text()), ""))
				b[10] ^= 1
				s.SetText(base64.StdEncoding.EncodeToString(b))
			}
		}), ""},
		{"the NameID altered after signing", rewrite(t, good(), func(r *etree.Element) {
			child(t, child(t, child(t, r, "Assertion"), "Subject"), "NameID").SetText("root@securecart.example")
		}), ""},
		{"a PrincipalTag altered after signing, response signature removed", rewrite(t, good(), func(r *etree.Element) {
			dropSignature(t, r)
			for _, a := range r.FindElements("//Attribute") {
				if strings.HasSuffix(a.SelectAttrValue("Name", ""), "PrincipalTag:CostCenter") {
					child(t, a, "AttributeValue").SetText("0001")
				}
			}
		}), ""},
		{"unsigned (both signatures removed)", rewrite(t, good(), func(r *etree.Element) {
			dropSignature(t, r)
			dropSignature(t, child(t, r, "Assertion"))
		}), "signature"},
		{"for another service provider (audience)", idp.SignInTo(t, "app", "alice", "correct horse"), "audience"},
		{"posted to another service provider (recipient and destination)", idp.SignInTo(t, "other-acs", "alice", "correct horse"), "not addressed"},
		{"another Destination on an unsigned response", rewrite(t, good(), func(r *etree.Element) {
			dropSignature(t, r)
			r.CreateAttr("Destination", "https://app.example.com/acs")
		}), "not addressed"},
		{"XSW: the signed assertion moved into Extensions, an evil one in its place", rewrite(t, good(), func(r *etree.Element) {
			dropSignature(t, r)
			a := child(t, r, "Assertion")
			r.InsertChildAt(a.Index(), evilCopy(t, a, "_evil"))
			r.RemoveChild(a)
			ext := etree.NewElement("samlp:Extensions")
			ext.AddChild(a)
			r.InsertChildAt(child(t, r, "Status").Index(), ext)
		}), "Assertion elements"},
		{"XSW: the evil assertion keeps the signed one's ID, the signed one in Extensions", rewrite(t, good(), func(r *etree.Element) {
			dropSignature(t, r)
			a := child(t, r, "Assertion")
			r.InsertChildAt(a.Index(), evilCopy(t, a, a.SelectAttrValue("ID", "")))
			r.RemoveChild(a)
			ext := etree.NewElement("samlp:Extensions")
			ext.AddChild(a)
			r.InsertChildAt(child(t, r, "Status").Index(), ext)
		}), "Assertion elements"},
		{"XSW: an evil assertion before the signed one", rewrite(t, good(), func(r *etree.Element) {
			dropSignature(t, r)
			a := child(t, r, "Assertion")
			r.InsertChildAt(a.Index(), evilCopy(t, a, "_evil"))
		}), "Assertion elements"},
		{"XSW: an evil assertion after the signed one", rewrite(t, good(), func(r *etree.Element) {
			dropSignature(t, r)
			r.AddChild(evilCopy(t, child(t, r, "Assertion"), "_evil"))
		}), "Assertion elements"},
		{"XSW: the signed assertion inside the evil one", rewrite(t, good(), func(r *etree.Element) {
			dropSignature(t, r)
			a := child(t, r, "Assertion")
			e := evilCopy(t, a, "_evil")
			r.InsertChildAt(a.Index(), e)
			r.RemoveChild(a)
			e.AddChild(a)
		}), "Assertion elements"},
		{"XSW: the signed assertion in a ds:Object of the evil one's copied signature", rewrite(t, good(), func(r *etree.Element) {
			dropSignature(t, r)
			a := child(t, r, "Assertion")
			e := evilCopy(t, a, "_evil")
			sig := child(t, a, "Signature").Copy()
			obj := etree.NewElement("ds:Object")
			sig.AddChild(obj)
			e.InsertChildAt(child(t, e, "Subject").Index(), sig)
			r.InsertChildAt(a.Index(), e)
			r.RemoveChild(a)
			obj.AddChild(a)
		}), "Assertion elements"},
		{"XSW: the signed response wrapped in an evil response's Extensions", rewrite(t, good(), func(r *etree.Element) {
			orig := r.Copy()
			for _, ch := range r.ChildElements() {
				r.RemoveChild(ch)
			}
			r.CreateAttr("ID", "_evilresponse")
			r.AddChild(child(t, orig, "Issuer").Copy())
			ext := etree.NewElement("samlp:Extensions")
			ext.AddChild(orig)
			r.AddChild(ext)
			r.AddChild(child(t, orig, "Status").Copy())
			r.AddChild(evilCopy(t, child(t, orig, "Assertion"), "_evil"))
		}), "Assertion elements"},
		{"a DOCTYPE with an entity", base64.StdEncoding.EncodeToString([]byte(`<!DOCTYPE r [<!ENTITY x "root@securecart.example">]>` + mustDecode(t, good()))), "DOCTYPE"},
		{"not XML (DEFLATE-compressed)", base64.StdEncoding.EncodeToString([]byte{0x78, 0x9c, 0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}), "not XML"},
	}
	for _, tt := range cases {
		_, err := c.AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String(samlRoleARN),
			PrincipalArn: aws.String(samlProvARN), SAMLAssertion: aws.String(tt.response)})
		if err == nil {
			t.Errorf("%s: accepted", tt.name)
			continue
		}
		if got := apiCode(t, err); got != "InvalidIdentityToken" || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %s (%v); want InvalidIdentityToken saying %q", tt.name, got, err, tt.want)
		}
	}

	// Comment injection: a comment splits a signed NameID (exclusive
	// canonicalization drops comments, so the signature still verifies).
	// The subject read must be the whole signed value, never the text
	// before the comment.
	idp.AddUser(t, "Mallory", "alice@securecart.example.evil.test", "hunter2", samlAttrs("alice@securecart.example"))
	injected := rewrite(t, idp.SignIn(t, "alice", "hunter2"), func(r *etree.Element) {
		n := child(t, child(t, child(t, r, "Assertion"), "Subject"), "NameID")
		n.SetText("alice@securecart.example")
		n.AddChild(etree.NewComment(""))
		n.CreateText(".evil.test")
	})
	_, err := c.AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String(samlRoleARN),
		PrincipalArn: aws.String(samlProvARN), SAMLAssertion: aws.String(injected)})
	if err == nil {
		t.Fatal("comment injection: accepted")
	}
	if r := rec.find(t, "AssumeRoleWithSAML", apiCode(t, err)); r.UserIdentity.UserName == "alice@securecart.example" {
		t.Errorf("comment injection: the NameID was read as %q, the text before the comment", r.UserIdentity.UserName)
	}
}

func mustDecode(t *testing.T, b64 string) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}
