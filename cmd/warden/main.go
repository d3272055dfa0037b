// Command warden is the access-control plane for multi-account AWS
// organizations. See internal/cli for its commands.
package main

import (
	"os"

	"github.com/securecart/warden/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.DefaultEnv()))
}
