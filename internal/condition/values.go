package condition

import (
	"encoding/base64"
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// decimal is a number split into its sign, integer digits (no leading zeros)
// and fraction digits (no trailing zeros), compared exactly without
// allocating. Exponent forms fall back to float64.
type decimal struct {
	neg      bool
	ip, fp   string
	isFloat  bool
	floatVal float64
}

var errNotNumber = errors.New("not a number")

func parseDecimal(s string) (decimal, error) {
	var d decimal
	if strings.ContainsAny(s, "eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return d, errNotNumber
		}
		return decimal{isFloat: true, floatVal: f}, nil
	}
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		d.neg = s[i] == '-'
		i++
	}
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	ip := s[start:i]
	fp := ""
	if i < len(s) && s[i] == '.' {
		i++
		fs := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		fp = s[fs:i]
	}
	if i != len(s) || (ip == "" && fp == "") {
		return d, errNotNumber
	}
	ip = strings.TrimLeft(ip, "0")
	fp = strings.TrimRight(fp, "0")
	if ip == "" && fp == "" {
		d.neg = false // -0 == 0
	}
	d.ip, d.fp = ip, fp
	return d, nil
}

func (d decimal) float() float64 {
	if d.isFloat {
		return d.floatVal
	}
	f, _ := strconv.ParseFloat(sign(d.neg)+"0"+d.ip+"."+d.fp+"0", 64)
	return f
}

func sign(neg bool) string {
	if neg {
		return "-"
	}
	return ""
}

// compareDecimal returns -1, 0 or +1.
func compareDecimal(a, b decimal) int {
	if a.isFloat || b.isFloat {
		fa, fb := a.float(), b.float()
		switch {
		case fa < fb:
			return -1
		case fa > fb:
			return 1
		}
		return 0
	}
	if a.neg != b.neg {
		if a.neg {
			return -1
		}
		return 1
	}
	c := compareMagnitude(a, b)
	if a.neg {
		return -c
	}
	return c
}

func compareMagnitude(a, b decimal) int {
	if len(a.ip) != len(b.ip) {
		if len(a.ip) < len(b.ip) {
			return -1
		}
		return 1
	}
	if c := strings.Compare(a.ip, b.ip); c != 0 {
		return c
	}
	return strings.Compare(a.fp, b.fp)
}

// parseDate accepts the ISO 8601 forms AWS documents (a date, a date and time
// with Z or an offset, with or without fractional seconds) and epoch seconds.
func parseDate(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	if isInteger(s) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n > 1<<33 || n < -(1<<33) {
			return 0, false
		}
		return n * int64(time.Second), true
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UnixNano(), true
		}
	}
	return 0, false
}

var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02",
	"20060102T150405Z07:00",
}

func isInteger(s string) bool {
	i := 0
	if s[0] == '-' {
		i = 1
	}
	if i == len(s) {
		return false
	}
	for ; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parsePrefix accepts an IPv4 or IPv6 address or CIDR block.
func parsePrefix(s string) (netip.Prefix, bool) {
	if strings.IndexByte(s, '/') >= 0 {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), true
}

func parseBool(s string) (bool, bool) {
	switch {
	case strings.EqualFold(s, "true"):
		return true, true
	case strings.EqualFold(s, "false"):
		return false, true
	}
	return false, false
}

func validBase64(s string) bool {
	_, err := base64.StdEncoding.DecodeString(s)
	return err == nil
}
