// Package landingzones embeds the landing zones that ship with Warden.
package landingzones

import "embed"

//go:embed securecart
var FS embed.FS

// SecureCart is the folder of the SecureCart landing zone within FS.
const SecureCart = "securecart"
