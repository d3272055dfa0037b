// Package landingzones embeds the landing zones that ship with Warden.
package landingzones

import "embed"

//go:embed securecart securecart-compliance
var FS embed.FS

// SecureCart is the folder of the SecureCart landing zone within FS.
const SecureCart = "securecart"

// SecureCartCompliance is the SecureCart landing zone's Config rules file
// within FS.
const SecureCartCompliance = "securecart-compliance/rules.yaml"
