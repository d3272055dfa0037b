package org

// rawPolicyVersion is a managed policy's version as written.
type rawPolicyVersion struct {
	id   sval
	doc  *rawDoc
	pos  Pos
	path string
}

func (d *decoder) policyVersion(n *ynode, path string, p *rawPolicy) {
	m, ok := d.fields(n, path, fieldsOf["policyVersion"]...)
	if !ok || !d.require(m, n, path, requiredOf["policyVersion"]...) {
		return
	}
	v := rawPolicyVersion{pos: d.src.pos(n), path: path}
	var okID bool
	if v.id, okID = d.str(m["id"], path+".id"); !okID {
		return
	}
	v.doc = d.doc(m["document"], path+".document")
	p.versions = append(p.versions, v)
}
