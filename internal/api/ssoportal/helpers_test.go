package ssoportal_test

import "github.com/securecart/warden/internal/creds"

type credsSealer = creds.Sealer

func newSealer(key []byte) (*creds.Sealer, error) { return creds.NewSealer(key) }
