package org

import (
	"strconv"
	"strings"
)

// The decoding of users' and groups' identity store attributes
// (ic_attrs.go), each value checked where it is written.

// userAttrs reads a user mapping's attributes.
func (d *decoder) userAttrs(m map[string]*ynode, path string) UserAttributes {
	var a UserAttributes
	d.attrStrings(m, path, map[string]*string{"nickName": &a.NickName, "profileUrl": &a.ProfileURL, "userType": &a.UserType,
		"title": &a.Title, "preferredLanguage": &a.PreferredLanguage, "locale": &a.Locale, "timezone": &a.Timezone})
	if v := d.optStr(m["userStatus"], path+".userStatus"); v.V != "" && v.V != UserEnabled && v.V != UserDisabled {
		d.errs.add(v.P, path+".userStatus", "%q: want ENABLED or DISABLED", v.V)
	} else {
		a.UserStatus = v.V
	}
	if n := m["name"]; !isNull(resolve(n)) {
		p := path + ".name"
		if nm, ok := d.fields(n, p, fieldsOf["ssoUserName"]...); ok {
			a.Name = &UserNameDef{}
			d.attrStrings(nm, p, map[string]*string{"formatted": &a.Name.Formatted, "familyName": &a.Name.FamilyName,
				"givenName": &a.Name.GivenName, "middleName": &a.Name.MiddleName, "honorificPrefix": &a.Name.HonorificPrefix,
				"honorificSuffix": &a.Name.HonorificSuffix})
		}
	}
	for _, v := range d.typedValues(m["emails"], path+".emails", "ssoEmail") {
		a.Emails = append(a.Emails, EmailDef(v))
	}
	for _, v := range d.typedValues(m["phoneNumbers"], path+".phoneNumbers", "ssoPhoneNumber") {
		a.PhoneNumbers = append(a.PhoneNumbers, PhoneNumberDef(v))
	}
	for i, it := range d.attrItems(m["addresses"], path+".addresses") {
		p := idx(path+".addresses", i)
		if am, ok := d.fields(it, p, fieldsOf["ssoAddress"]...); ok {
			var e AddressDef
			d.attrStrings(am, p, map[string]*string{"streetAddress": &e.StreetAddress, "locality": &e.Locality, "region": &e.Region,
				"postalCode": &e.PostalCode, "country": &e.Country, "formatted": &e.Formatted, "type": &e.Type})
			e.Primary = d.optBool(am["primary"], p+".primary")
			a.Addresses = append(a.Addresses, e)
		}
	}
	a.ExternalIDs = d.externalIDs(m["externalIds"], path+".externalIds")
	return a
}

// typedValue is an email's or a phone number's fields.
type typedValue struct {
	Value   string
	Type    string
	Primary bool
}

// typedValues reads emails or phone numbers (the mapping def of fieldsOf).
func (d *decoder) typedValues(n *ynode, path, def string) []typedValue {
	var out []typedValue
	for i, it := range d.attrItems(n, path) {
		p := idx(path, i)
		if m, ok := d.fields(it, p, fieldsOf[def]...); ok && d.require(m, it, p, requiredOf[def]...) {
			var v typedValue
			d.attrStrings(m, p, map[string]*string{"value": &v.Value, "type": &v.Type})
			v.Primary = d.optBool(m["primary"], p+".primary")
			out = append(out, v)
		}
	}
	return out
}

// attrItems reads a list of at most one attribute value (Emails,
// Addresses, PhoneNumbers).
func (d *decoder) attrItems(n *ynode, path string) []*ynode {
	items := d.items(n, path)
	if len(items) > maxAttributeValues {
		d.errorf(n, path, "at most %d entry, not %d (the identity store holds one)", maxAttributeValues, len(items))
		return items[:maxAttributeValues]
	}
	return items
}

// externalIDs reads a list of external IDs.
func (d *decoder) externalIDs(n *ynode, path string) []ExternalIDDef {
	var out []ExternalIDDef
	for i, it := range d.items(n, path) {
		p := idx(path, i)
		xm, ok := d.fields(it, p, fieldsOf["externalId"]...)
		if !ok || !d.require(xm, it, p, requiredOf["externalId"]...) {
			continue
		}
		issuer, _ := d.str(xm["issuer"], p+".issuer")
		id, _ := d.str(xm["id"], p+".id")
		x := ExternalIDDef{Issuer: issuer.V, ID: id.V}
		if err := CheckExternalIDs(append(append([]ExternalIDDef(nil), out...), x)); err != nil {
			d.errorf(it, p, "%s", strings.TrimPrefix(err.Error(), ErrInvalidValue.Error()+": "))
			continue
		}
		out = append(out, x)
	}
	return out
}

// attrStrings reads optional string fields into their targets, each a
// SensitiveStringType.
func (d *decoder) attrStrings(m map[string]*ynode, path string, into map[string]*string) {
	for name, dst := range into {
		p := path + "." + name
		v := d.optStr(m[name], p)
		if err := checkSensitive(name, v.V); err != nil {
			d.errs.add(v.P, p, "%s", strings.TrimPrefix(err.Error(), ErrInvalidValue.Error()+": "))
			continue
		}
		*dst = v.V
	}
}

// optBool reads an optional boolean: false when absent or null.
func (d *decoder) optBool(n *ynode, path string) bool {
	n = resolve(n)
	if isNull(n) {
		return false
	}
	if n.Kind == scalarNode && n.ShortTag() == "!!bool" {
		if b, err := strconv.ParseBool(strings.ToLower(n.Value)); err == nil {
			return b
		}
	}
	d.errorf(n, path, "must be true or false, not %s", kindName(n))
	return false
}
