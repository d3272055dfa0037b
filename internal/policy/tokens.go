package policy

// Token is one token of a JSON text that its writer has already laid out,
// such as the organization loader's rendering of a policy written in YAML:
// ParseTokens decodes such a text from its tokens without reading it again.
//
// Kind is '{', '}', '[', ']', '"' (a string, or an object's member name
// where a name is due) or 'n' (null). Str is a string's value, unquoted.
// Off is the offset in the text where the token starts.
type Token struct {
	Kind byte
	Off  int64
	Str  string
}

// ParseTokens is Parse for a text whose tokens the caller holds: toks must
// be exactly the tokens of src, a valid JSON value whose scalars are
// strings and nulls, with no object key given twice (the writer checked
// them). Positions, paths and messages are Parse's. A document nested
// deeper than Parse accepts is handed to Parse, which reports it.
func ParseTokens(src []byte, toks []Token, file string) (*Document, error) {
	b := tokenReader{toks: toks}
	root := b.value(0)
	if b.deep || root == nil || b.i != len(toks) {
		return Parse(src, file)
	}
	pos := NewSource(src)
	d := &decoder{pos: pos, file: file}
	doc := d.document(root)
	return doc, d.errs.Err()
}

// tokenReader builds the tree of a token stream.
type tokenReader struct {
	toks []Token
	i    int
	deep bool // nested beyond maxDepth, or malformed: Parse decides
}

func (b *tokenReader) value(depth int) *node {
	if depth > maxDepth || b.i >= len(b.toks) {
		b.deep = true
		return nil
	}
	t := b.toks[b.i]
	b.i++
	n := &node{off: t.Off}
	switch t.Kind {
	case '"':
		n.kind, n.str = '"', t.Str
	case 'n':
		n.kind = 'n'
	case '{':
		n.kind = '{'
		for b.i < len(b.toks) && b.toks[b.i].Kind != '}' {
			k := b.toks[b.i]
			if k.Kind != '"' {
				b.deep = true
				return nil
			}
			b.i++
			v := b.value(depth + 1)
			if v == nil {
				return nil
			}
			n.names = append(n.names, member{name: k.Str, off: k.Off, val: v})
		}
		b.i++
	case '[':
		n.kind = '['
		for b.i < len(b.toks) && b.toks[b.i].Kind != ']' {
			v := b.value(depth + 1)
			if v == nil {
				return nil
			}
			n.items = append(n.items, v)
		}
		b.i++
	default:
		b.deep = true
		return nil
	}
	if b.i > len(b.toks) {
		b.deep = true
		return nil
	}
	return n
}

// SkipSpace returns the offset of the next token of a JSON text at or
// after off, skipping white space and the separators , and :.
func SkipSpace(src []byte, off int64) int64 { return skipSpace(src, off) }
