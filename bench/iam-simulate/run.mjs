// Runs `warden simulate` case files (the format of docs/simulate-format.md:
// one case, an array of cases, or JSON Lines) through iam-simulate, one
// simulation per case, and prints how many ran, how many agree with the
// cases' expect, and the time taken. Usage: node run.mjs FILE...
import { readFileSync } from 'node:fs'
import { anonymousPrincipal, runSimulation } from '@cloud-copilot/iam-simulate'

function readCases(file) {
  const text = readFileSync(file, 'utf8')
  const t = text.trimStart()
  if (t.startsWith('[')) return JSON.parse(text)
  try {
    return [JSON.parse(text)]
  } catch {
    return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l))
  }
}

const list = (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])
const named = (docs, prefix) => list(docs).map((policy, i) => ({ name: `${prefix}${i}`, policy }))
const levels = (ls) => list(ls).map((l) => ({ orgIdentifier: l.target, policies: named(l.policies, `${l.target}/`) }))

function accountOf(arn) {
  const parts = (arn || '').split(':')
  return parts.length > 5 && /^\d{12}$/.test(parts[4]) ? parts[4] : ''
}

function simulation(c) {
  const r = c.request
  const p = c.policies || {}
  const resource = r.resource || '*'
  return {
    request: {
      principal: r.principal === '*' ? anonymousPrincipal : r.principal,
      action: r.action,
      resource: {
        resource,
        accountId: r.resourceAccount || accountOf(resource) || accountOf(r.principal) || /^\d{12}$/.exec(r.principal)?.[0] || '111111111111'
      },
      contextVariables: r.context || {}
    },
    identityPolicies: r.principal === '*' ? [] : named(p.identity, 'identity'),
    permissionBoundaryPolicies: p.boundary === undefined ? undefined : named(p.boundary, 'boundary'),
    sessionPolicy: list(p.session)[0],
    resourcePolicy: list(p.resource)[0],
    serviceControlPolicies: r.principal === '*' ? [] : levels(p.scp),
    resourceControlPolicies: levels(p.rcp),
    vpcEndpointPolicies: p.endpoint === undefined ? undefined : named(p.endpoint, 'endpoint')
  }
}

const decisions = { Allowed: 'Allow', ExplicitlyDenied: 'ExplicitDeny', ImplicitlyDenied: 'ImplicitDeny' }

const start = process.hrtime.bigint()
let ran = 0, agree = 0, errors = 0
for (const file of process.argv.slice(2)) {
  for (const c of readCases(file)) {
    const res = await runSimulation(simulation(c), {})
    ran++
    if (res.errors) {
      errors++
      continue
    }
    if (decisions[res.result?.analysis?.result] === c.expect) agree++
  }
}
const ms = Number(process.hrtime.bigint() - start) / 1e6
console.log(`iam-simulate: ${ran} cases, ${agree} agree with expect, ${errors} refused as invalid, ${ms.toFixed(0)} ms`)
