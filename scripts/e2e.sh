#!/usr/bin/env bash
# End-to-end check with real clients: the Debian packages' AWS CLI v2
# (/usr/bin/aws) and boto3 against a running `warden serve` with the
# embedded SecureCart landing zone. Prints "N passed, M failed" and exits
# non-zero when any check fails.
set -uo pipefail
cd "$(dirname "$0")/.."

AWS=/usr/bin/aws
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
go build -o "$work/warden" ./cmd/warden || exit 1
"$work/warden" serve --data "$work/data" --listen "127.0.0.1:$port" --log-format json > "$work/serve.log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 100); do curl -fs "$url/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

export AWS_SHARED_CREDENTIALS_FILE="$work/data/credentials" AWS_PROFILE=warden-admin AWS_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_MAX_ATTEMPTS=1 AWS_PAGER=""
passed=0 failed=0
check() { # name, expected substring, command...
  local name=$1 want=$2; shift 2
  local out
  out=$("$@" 2>&1)
  if grep -qF -- "$want" <<<"$out"; then
    passed=$((passed+1)); echo "PASS $name"
  else
    failed=$((failed+1)); echo "FAIL $name: want '$want' in:"; echo "$out" | head -20
  fi
}

# check_eventually is check for what follows a change by design, as Security
# Hub's findings follow the calls that cause them (its reads never wait for
# the analysis): the command is retried for up to 15 s.
check_eventually() { # name, expected substring, command...
  local name=$1 want=$2; shift 2
  local out
  for _ in $(seq 150); do
    out=$("$@" 2>&1)
    grep -qF -- "$want" <<<"$out" && break
    sleep 0.1
  done
  check "$name" "$want" printf '%s' "$out"
}

mgmt=104729381562 dev=436205817493 prod=654827139045
check "credentials file is 0600" "600" stat -c %a "$work/data/credentials"
check "aws sts get-caller-identity" "arn:aws:iam::$mgmt:user/warden-admin" $AWS --endpoint-url "$url" sts get-caller-identity
check "aws sts assume-role into Dev's OrganizationAccountAccessRole" "assumed-role/OrganizationAccountAccessRole/e2e" \
  $AWS --endpoint-url "$url" sts assume-role --role-arn "arn:aws:iam::$dev:role/OrganizationAccountAccessRole" --role-session-name e2e

# Into Dev as an administrator, then the developer path: DeveloperRole trusts
# the DeveloperAccess permission set's role, so the administrator cannot assume it.
eval "$($AWS --endpoint-url "$url" sts assume-role --role-arn "arn:aws:iam::$dev:role/OrganizationAccountAccessRole" --role-session-name admin \
  --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text | awk '{print "export DEV_KEY="$1" DEV_SECRET="$2" DEV_TOKEN="$3}')"
devenv=(env -u AWS_PROFILE AWS_ACCESS_KEY_ID="$DEV_KEY" AWS_SECRET_ACCESS_KEY="$DEV_SECRET" AWS_SESSION_TOKEN="$DEV_TOKEN")
check "session identity in Dev" "arn:aws:sts::$dev:assumed-role/OrganizationAccountAccessRole/admin" "${devenv[@]}" $AWS --endpoint-url "$url" sts get-caller-identity
check "assume-role into Dev's DeveloperRole is refused to a non-developer" "AccessDenied" \
  "${devenv[@]}" $AWS --endpoint-url "$url" sts assume-role --role-arn "arn:aws:iam::$dev:role/DeveloperRole" --role-session-name dev
check "assume-role into Prod's DeploymentRole is denied" "AccessDenied" \
  $AWS --endpoint-url "$url" sts assume-role --role-arn "arn:aws:iam::$prod:role/DeploymentRole" --role-session-name e2e
check "iam create-user in Dev is denied by the SCP" "explicit deny in a service control policy" \
  "${devenv[@]}" $AWS --endpoint-url "$url" iam create-user --user-name mallory
check "organizations list-accounts" "\"Id\": \"$prod\"" $AWS --endpoint-url "$url" organizations list-accounts
check "bad secret is refused" "SignatureDoesNotMatch" \
  env -u AWS_PROFILE AWS_ACCESS_KEY_ID="$(awk '/aws_access_key_id/{print $3}' "$work/data/credentials")" AWS_SECRET_ACCESS_KEY=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx \
  $AWS --endpoint-url "$url" sts get-caller-identity

# boto3 (Debian's python3-boto3, run by Debian's python3).
check "boto3 get_caller_identity and assume_role" "boto3 ok" /usr/bin/python3 - "$url" "$dev" <<'PY'
import sys, boto3, botocore, botocore.config
url, dev = sys.argv[1], sys.argv[2]
s = boto3.session.Session(region_name="us-east-1")
sts = s.client("sts", endpoint_url=url)
me = sts.get_caller_identity()
assert me["Arn"].endswith(":user/warden-admin"), me
c = sts.assume_role(RoleArn=f"arn:aws:iam::{dev}:role/OrganizationAccountAccessRole", RoleSessionName="boto")["Credentials"]
sts2 = boto3.client("sts", endpoint_url=url, region_name="us-east-1", aws_access_key_id=c["AccessKeyId"],
                    aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])
assert sts2.get_caller_identity()["Arn"] == f"arn:aws:sts::{dev}:assumed-role/OrganizationAccountAccessRole/boto"
raw = s.client("sts", endpoint_url=url, config=botocore.config.Config(parameter_validation=False))
try:
    raw.assume_role(RoleArn=f"arn:aws:iam::{dev}:role/OrganizationAccountAccessRole", RoleSessionName="xx", DurationSeconds=899)
    raise SystemExit("DurationSeconds 899 was accepted")
except botocore.exceptions.ClientError as e:
    assert e.response["Error"]["Code"] == "ValidationError", e.response
print("boto3 ok")
PY

# Identity Center with boto3: the identity store and sso-admin as the
# management account; SSO OIDC registration and the portal refusing a
# made-up token.
check "boto3 identitystore, sso-admin, sso-oidc and sso" "boto3 identity center ok" /usr/bin/python3 - "$url" <<'PY'
import sys, boto3, botocore
url = sys.argv[1]
s = boto3.session.Session(region_name="us-east-1")
admin = s.client("sso-admin", endpoint_url=url)
inst = admin.list_instances()["Instances"][0]
ids = s.client("identitystore", endpoint_url=url)
users = ids.list_users(IdentityStoreId=inst["IdentityStoreId"], Filters=[{"AttributePath": "UserName", "AttributeValue": "sam@securecart.example"}])["Users"]
assert len(users) == 1 and users[0]["DisplayName"] == "Sam Security", users
sets = admin.list_permission_sets(InstanceArn=inst["InstanceArn"])["PermissionSets"]
names = sorted(admin.describe_permission_set(InstanceArn=inst["InstanceArn"], PermissionSetArn=a)["PermissionSet"]["Name"] for a in sets)
assert names == ["AdministratorAccess", "Billing", "DevOpsAccess", "DeveloperAccess", "SecurityAudit", "VendorSupport"], names
unsigned = botocore.config.Config(signature_version=botocore.UNSIGNED)
oidc = s.client("sso-oidc", endpoint_url=url, config=unsigned)
reg = oidc.register_client(clientName="e2e", clientType="public")
dev = oidc.start_device_authorization(clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=url + "/start")
assert dev["verificationUri"] == url + "/device" and dev["interval"] == 1, dev
try:
    oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"], grantType="urn:ietf:params:oauth:grant-type:device_code", deviceCode=dev["deviceCode"])
    raise SystemExit("an unapproved device code got a token")
except oidc.exceptions.AuthorizationPendingException:
    pass
portal = s.client("sso", endpoint_url=url, config=unsigned)
try:
    portal.list_accounts(accessToken="aoa-made-up")
    raise SystemExit("a made-up access token listed accounts")
except portal.exceptions.UnauthorizedException:
    pass
print("boto3 identity center ok")
PY
check "one-time passwords file is 0600" "600" stat -c %a "$work/data/identity-center-passwords"

# CloudTrail: the organization's trail is read from the Security account.
sec=218364950271
eval "$($AWS --endpoint-url "$url" sts assume-role --role-arn "arn:aws:iam::$sec:role/OrganizationAccountAccessRole" --role-session-name auditor \
  --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text | awk '{print "export SEC_KEY="$1" SEC_SECRET="$2" SEC_TOKEN="$3}')"
secenv=(env -u AWS_PROFILE AWS_ACCESS_KEY_ID="$SEC_KEY" AWS_SECRET_ACCESS_KEY="$SEC_SECRET" AWS_SESSION_TOKEN="$SEC_TOKEN")
check "aws cloudtrail lookup-events from the Security account" "\"EventName\": \"AssumeRole\"" \
  "${secenv[@]}" $AWS cloudtrail lookup-events --endpoint-url "$url" --lookup-attributes AttributeKey=EventName,AttributeValue=AssumeRole
check "aws cloudtrail lookup-events from Dev is denied" "AccessDeniedException" \
  "${devenv[@]}" $AWS cloudtrail lookup-events --endpoint-url "$url" --lookup-attributes AttributeKey=EventName,AttributeValue=AssumeRole

# Every call is recorded, also one without a signature and one for an
# operation Warden does not serve, and the Security account reads both.
check "curl without a signature is refused" "MissingAuthenticationToken" \
  curl -s -A e2e-unsigned "$url/?Action=GetCallerIdentity&Version=2011-06-15"
check "aws cloudtrail delete-trail is not served" "UnknownOperationException" \
  "${devenv[@]}" $AWS cloudtrail delete-trail --endpoint-url "$url" --name organization-trail
check "lookup-events returns the unsigned call" 'MissingAuthenticationToken' \
  "${secenv[@]}" $AWS cloudtrail lookup-events --endpoint-url "$url" --max-results 5 --lookup-attributes AttributeKey=EventName,AttributeValue=GetCallerIdentity
check "lookup-events returns the attempted delete-trail" '\"errorCode\":\"UnknownOperationException\"' \
  "${secenv[@]}" $AWS cloudtrail lookup-events --endpoint-url "$url" --lookup-attributes AttributeKey=EventName,AttributeValue=DeleteTrail

# Services and operations Warden does not serve, in each protocol: the CLI
# prints AWS's error (not a parse failure) with a message saying Warden does
# not serve it, and each call is in the trail the Security account reads.
unserved() { # name, error code, event source, command...
  local name=$1 code=$2 source=$3; shift 3
  local out; out=$("$@" 2>&1)
  check "$name: the CLI prints AWS's $code" "An error occurred ($code) when calling the" printf '%s' "$out"
  check "$name: the message says Warden does not serve it" "Warden does not serve" printf '%s' "$out"
  check "$name: lookup-events from Security returns it" "$code" \
    "${secenv[@]}" $AWS cloudtrail lookup-events --endpoint-url "$url" --max-results 1 \
    --lookup-attributes "AttributeKey=EventSource,AttributeValue=$source" --query 'Events[0].CloudTrailEvent' --output text
}
inst=$($AWS --endpoint-url "$url" sso-admin list-instances --query 'Instances[0].InstanceArn' --output text)
unserved "JSON: aws cloudtrail stop-logging" UnknownOperationException cloudtrail.amazonaws.com \
  "${devenv[@]}" $AWS cloudtrail stop-logging --endpoint-url "$url" --name organization-trail
unserved "JSON: aws sso-admin describe-instance-access-control-attribute-configuration" UnknownOperationException sso.amazonaws.com \
  $AWS sso-admin describe-instance-access-control-attribute-configuration --endpoint-url "$url" --instance-arn "$inst"
unserved "JSON service: aws dynamodb list-tables" UnknownOperationException dynamodb.amazonaws.com \
  "${devenv[@]}" $AWS dynamodb list-tables --endpoint-url "$url"
unserved "query: aws iam create-open-id-connect-provider" InvalidAction iam.amazonaws.com \
  "${devenv[@]}" $AWS iam create-open-id-connect-provider --endpoint-url "$url" --url https://idp.example.com --thumbprint-list 0123456789012345678901234567890123456789
unserved "query service: aws ec2 describe-instances" InvalidAction ec2.amazonaws.com \
  "${devenv[@]}" $AWS ec2 describe-instances --endpoint-url "$url"
unserved "REST-JSON service: aws lambda list-functions" UnknownOperationException lambda.amazonaws.com \
  "${devenv[@]}" $AWS lambda list-functions --endpoint-url "$url"
unserved "REST-XML service: aws s3 ls" NotImplemented s3.amazonaws.com \
  "${devenv[@]}" $AWS s3 ls --endpoint-url "$url"
unserved "REST-XML service: aws route53 list-hosted-zones" UnknownOperationException route53.amazonaws.com \
  "${devenv[@]}" $AWS route53 list-hosted-zones --endpoint-url "$url"
# The operation of a REST call Warden does not serve is named by the
# service's routes (botocore's models), signed or not; an unsigned S3 call
# is answered as S3 answers an anonymous one it cannot serve, another
# service's with MissingAuthenticationToken in its own format.
lookup_name() { # event name: the newest such record's JSON
  "${secenv[@]}" $AWS cloudtrail lookup-events --endpoint-url "$url" --max-results 1 \
    --lookup-attributes "AttributeKey=EventName,AttributeValue=$1" --query 'Events[0].CloudTrailEvent' --output text
}
check "lookup-events: aws lambda list-functions is ListFunctions" '"eventSource":"lambda.amazonaws.com","eventName":"ListFunctions"' lookup_name ListFunctions
check "lookup-events: aws route53 list-hosted-zones is ListHostedZones" '"errorCode":"UnknownOperationException"' lookup_name ListHostedZones
unserved "unsigned REST-XML: aws s3 ls s3://BUCKET --no-sign-request" NotImplemented s3.amazonaws.com \
  $AWS s3 ls s3://securecart-public --endpoint-url "$url" --no-sign-request
check "lookup-events: the unsigned S3 call is ListObjectsV2 by the anonymous principal" \
  '"userIdentity":{"type":"AWSAccount","accountId":"ANONYMOUS_PRINCIPAL"}' lookup_name ListObjectsV2
check "unsigned REST-XML: aws route53 list-hosted-zones --no-sign-request" "An error occurred (MissingAuthenticationToken) when calling the ListHostedZones operation" \
  $AWS route53 list-hosted-zones --endpoint-url "$url" --no-sign-request
check "unsigned REST-JSON: aws lambda get-function --no-sign-request" "An error occurred (MissingAuthenticationTokenException) when calling the GetFunction operation" \
  $AWS lambda get-function --function-name f --endpoint-url "$url" --no-sign-request
check "lookup-events: the unsigned lambda call is GetFunction" '"eventSource":"lambda.amazonaws.com","eventName":"GetFunction"' lookup_name GetFunction
# The unsigned curl above: recorded as the anonymous principal calling STS.
check "lookup-events: the unsigned call is STS's GetCallerIdentity by the anonymous principal" \
  '"userIdentity":{"type":"AWSAccount","accountId":"ANONYMOUS_PRINCIPAL"},"eventTime"' \
  "${secenv[@]}" $AWS cloudtrail lookup-events --endpoint-url "$url" --lookup-attributes AttributeKey=EventName,AttributeValue=GetCallerIdentity \
  --query "Events[?contains(CloudTrailEvent, 'e2e-unsigned') && contains(CloudTrailEvent, '\"eventSource\":\"sts.amazonaws.com\"')].CloudTrailEvent" --output text
# A JSON client is never answered in XML, signed or not.
check "curl: an unsigned JSON call is answered in JSON" '"__type":"MissingAuthenticationTokenException"' \
  curl -s -X POST -H 'X-Amz-Target: CloudTrail_20131101.DeleteTrail' -H 'Content-Type: application/x-amz-json-1.1' -d '{}' "$url/"

# boto3 reads each of these answers as the service's own error, and a
# refused web identity token's record says whose token it was.
check "boto3: services and operations Warden does not serve, unsigned and refused calls" "boto3 unserved ok" \
  /usr/bin/python3 - "$url" "$sec" "$dev" "$inst" <<'PY'
import sys, json, base64, boto3, botocore, botocore.config
url, sec, dev, inst = sys.argv[1:5]
s = boto3.session.Session(region_name="us-east-1")
def err(fn, **kw):
    try:
        fn(**kw)
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]
    raise SystemExit(f"{fn.__name__} succeeded")
for svc, op, kw, code in [
    ("cloudtrail", "delete_trail", {"Name": "organization-trail"}, "UnknownOperationException"),
    ("sso-admin", "describe_instance_access_control_attribute_configuration", {"InstanceArn": inst}, "UnknownOperationException"),
    ("kms", "list_keys", {}, "UnknownOperationException"),
    ("sqs", "list_queues", {}, "InvalidAction"),
    ("iam", "create_open_id_connect_provider", {"Url": "https://idp.example.com", "ThumbprintList": ["0" * 40]}, "InvalidAction"),
    ("eks", "list_clusters", {}, "UnknownOperationException"),
    ("s3", "list_buckets", {}, "NotImplemented"),
    ("s3", "list_objects_v2", {"Bucket": "b"}, "NotImplemented"),
    ("cloudfront", "list_distributions", {}, "UnknownOperationException"),
]:
    e = err(getattr(s.client(svc, endpoint_url=url), op), **kw)
    assert e["Code"] == code and "Warden does not serve" in e["Message"], (svc, op, e)
unsigned = botocore.config.Config(signature_version=botocore.UNSIGNED)
e = err(s.client("cloudtrail", endpoint_url=url, config=unsigned).lookup_events)
assert e["Code"] == "MissingAuthenticationTokenException", e
e = err(s.client("sts", endpoint_url=url, config=unsigned).get_caller_identity)
assert e["Code"] == "MissingAuthenticationToken", e
b64 = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")
tok = b64({"alg": "RS256", "kid": "k"}) + "." + b64({"iss": "https://token.actions.githubusercontent.com", "sub": "repo:mallory/app:ref:refs/heads/main",
                                                  "aud": "sts.amazonaws.com", "exp": 4102444800}) + ".c2ln"
e = err(s.client("sts", endpoint_url=url, config=unsigned).assume_role_with_web_identity,
        RoleArn=f"arn:aws:iam::{dev}:role/DeveloperRole", RoleSessionName="boto-wif", WebIdentityToken=tok)
assert e["Code"] == "InvalidIdentityToken", e
c = s.client("sts", endpoint_url=url).assume_role(RoleArn=f"arn:aws:iam::{sec}:role/OrganizationAccountAccessRole", RoleSessionName="boto-unserved")["Credentials"]
ct = boto3.client("cloudtrail", endpoint_url=url, region_name="us-east-1", aws_access_key_id=c["AccessKeyId"],
                  aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])
events = ct.lookup_events(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "AssumeRoleWithWebIdentity"}])["Events"]
recs = [json.loads(ev["CloudTrailEvent"]) for ev in events]
mine = [r for r in recs if (r.get("requestParameters") or {}).get("roleSessionName") == "boto-wif"]
assert len(mine) == 1, recs
r = mine[0]
assert r["errorCode"] == "InvalidIdentityToken" and r["recipientAccountId"] == dev, r
assert r["userIdentity"] == {"type": "WebIdentityUser", "principalId": "token.actions.githubusercontent.com:sts.amazonaws.com:repo:mallory/app:ref:refs/heads/main",
                             "userName": "repo:mallory/app:ref:refs/heads/main", "identityProvider": "token.actions.githubusercontent.com"}, r["userIdentity"]
s3 = [json.loads(ev["CloudTrailEvent"]) for ev in ct.lookup_events(LookupAttributes=[{"AttributeKey": "EventSource", "AttributeValue": "s3.amazonaws.com"}])["Events"]]
assert s3 and all(x["errorCode"] == "NotImplemented" for x in s3) and any(x["userIdentity"]["type"] == "IAMUser" for x in s3), s3
print("boto3 unserved ok")
PY

# S3 and S3 Control addressed virtual-hosted style under an endpoint URL,
# as botocore sends them when told to (addressing_style virtual): the
# bucket, or S3 Control's account ID, in front of the endpoint's host
# (BUCKET.localhost:PORT; *.localhost resolved to the loopback address
# here, as systemd-resolved does). Each is named by S3's or S3 Control's
# routes with the bucket or account from the Host, signed or not, and
# answered in that service's error format; a HEAD's error has no body, so
# botocore names it by its status (501), while the record has S3's
# errorCode and message.
check "boto3: virtual-hosted S3 and S3 Control, signed and unsigned, and a HEAD" "boto3 virtual ok" \
  /usr/bin/python3 - "$port" "$sec" <<'PY'
import sys, json, socket, boto3, botocore, botocore.config
port, sec = sys.argv[1:3]
real = socket.getaddrinfo
socket.getaddrinfo = lambda host, *a, **kw: real("127.0.0.1" if str(host).endswith(".localhost") else host, *a, **kw)
url = f"http://localhost:{port}"
s = boto3.session.Session(region_name="us-east-1")
sent = []
def err(c, fn, **kw):
    try:
        getattr(c, fn)(**kw)
    except botocore.exceptions.ClientError as e:
        return e.response
    raise SystemExit(f"{fn} succeeded")
for signed in (True, False):
    cfg = botocore.config.Config(s3={"addressing_style": "virtual"}, **({} if signed else {"signature_version": botocore.UNSIGNED}))
    s3, ctl = s.client("s3", endpoint_url=url, config=cfg), s.client("s3control", endpoint_url=url, config=cfg)
    for c in (s3, ctl):
        c.meta.events.register("before-send", lambda request, **_: sent.append(request.url))
    r = err(s3, "list_objects_v2", Bucket="e2e-virtual")
    assert r["Error"]["Code"] == "NotImplemented" and "Warden does not serve" in r["Error"]["Message"] and "ListObjectsV2: GET /e2e-virtual/" in r["Error"]["Message"], r
    r = err(s3, "head_object", Bucket="e2e-virtual", Key="k")
    h = r["ResponseMetadata"]["HTTPHeaders"]
    assert r["Error"]["Code"] == "501" and r["ResponseMetadata"]["HTTPStatusCode"] == 501 and h.get("x-amz-request-id") and h.get("x-amz-id-2"), r
    r = err(ctl, "get_public_access_block", AccountId="111122223333")
    assert r["Error"]["Code"] == ("UnknownOperationException" if signed else "MissingAuthenticationToken"), (signed, r)
    assert not signed or "publicAccessBlock of account 111122223333" in r["Error"]["Message"], r
assert f"http://e2e-virtual.localhost:{port}/?list-type=2&encoding-type=url" in sent and f"http://e2e-virtual.localhost:{port}/k" in sent, sent
assert f"http://111122223333.localhost:{port}/v20180820/configuration/publicAccessBlock" in sent, sent
c = s.client("sts", endpoint_url=url).assume_role(RoleArn=f"arn:aws:iam::{sec}:role/OrganizationAccountAccessRole", RoleSessionName="boto-virtual")["Credentials"]
ct = boto3.client("cloudtrail", endpoint_url=url, region_name="us-east-1", aws_access_key_id=c["AccessKeyId"],
                  aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])
def newest(name, n):
    rs = [json.loads(e["CloudTrailEvent"]) for e in ct.lookup_events(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": name}])["Events"]]
    rs = [r for r in rs if r["eventSource"] == "s3.amazonaws.com"][:n]
    assert len(rs) == n and {r["userIdentity"]["type"] for r in rs} == {"IAMUser", "AWSAccount"}, (name, rs)
    return rs
for r in newest("ListObjectsV2", 2):
    assert r["errorCode"] == "NotImplemented" and "ListObjectsV2: GET /e2e-virtual/" in r["errorMessage"], r
for r in newest("HeadObject", 2):
    assert r["errorCode"] == "NotImplemented" and "HeadObject: HEAD /e2e-virtual/k" in r["errorMessage"], r
codes = sorted(r["errorCode"] for r in newest("GetPublicAccessBlock", 2))
assert codes == ["MissingAuthenticationToken", "UnknownOperationException"], codes
print("boto3 virtual ok")
PY

# AWS Config: the organization's rules in a member account; an admin-access
# policy created in Dev turns its rule NON_COMPLIANT there and in the
# Security account's organization aggregator.
check "aws configservice describe-config-rules in Dev" "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS" \
  "${devenv[@]}" $AWS configservice describe-config-rules --endpoint-url "$url"
"${devenv[@]}" $AWS iam create-policy --endpoint-url "$url" --policy-name E2EAdmin \
  --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}' >/dev/null 2>&1
check "aws configservice describe-compliance-by-config-rule: the admin policy" "NON_COMPLIANT" \
  "${devenv[@]}" $AWS configservice describe-compliance-by-config-rule --endpoint-url "$url" \
  --config-rule-names iam-policy-no-statements-with-admin-access
e2eadmin=$("${devenv[@]}" $AWS iam get-policy --endpoint-url "$url" --policy-arn "arn:aws:iam::$dev:policy/E2EAdmin" --query Policy.PolicyId --output text 2>&1)
check "aws configservice get-resource-config-history: the admin policy's compliance history" '{"complianceType":"NON_COMPLIANT","targetResourceId":"'"$e2eadmin"'"' \
  "${devenv[@]}" $AWS configservice get-resource-config-history --endpoint-url "$url" \
  --resource-type AWS::Config::ResourceCompliance --resource-id "AWS::IAM::Policy/$e2eadmin" --query 'configurationItems[0].configuration' --output text
check "aws configservice get-resource-config-history: an unknown resource" "ResourceNotDiscoveredException" \
  "${devenv[@]}" $AWS configservice get-resource-config-history --endpoint-url "$url" \
  --resource-type AWS::Config::ResourceCompliance --resource-id "AWS::IAM::Policy/ANPANOSUCHPOLICY00000"
check "aws configservice put-configuration-aggregator from Security" "config-aggregator" \
  "${secenv[@]}" $AWS configservice put-configuration-aggregator --endpoint-url "$url" --configuration-aggregator-name org \
  --organization-aggregation-source "RoleArn=arn:aws:iam::$sec:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig,AllAwsRegions=true"
check "aws configservice get-aggregate-compliance-details-by-config-rule: Dev's policy" "AWS::IAM::Policy" \
  "${secenv[@]}" $AWS configservice get-aggregate-compliance-details-by-config-rule --endpoint-url "$url" \
  --configuration-aggregator-name org --config-rule-name iam-policy-no-statements-with-admin-access \
  --account-id "$dev" --aws-region us-east-1 --compliance-type NON_COMPLIANT
check_eventually "aws securityhub get-findings from Security: IAM.1 on Dev's admin policy" "\"GeneratorId\": \"security-control/IAM.1\"" \
  "${secenv[@]}" $AWS securityhub get-findings --endpoint-url "$url" \
  --filters "{\"ResourceId\":[{\"Value\":\"arn:aws:iam::$dev:policy/E2EAdmin\",\"Comparison\":\"EQUALS\"}],\"ComplianceStatus\":[{\"Value\":\"FAILED\",\"Comparison\":\"EQUALS\"}]}"
check "boto3 config and securityhub: a rule's results and a finding's workflow from the Security account" "boto3 compliance ok" \
  /usr/bin/python3 - "$url" "$sec" "$dev" <<'PY'
import sys, boto3
url, sec, dev = sys.argv[1], sys.argv[2], sys.argv[3]
import time
s = boto3.session.Session(region_name="us-east-1")
c = s.client("sts", endpoint_url=url).assume_role(RoleArn=f"arn:aws:iam::{sec}:role/OrganizationAccountAccessRole", RoleSessionName="boto")["Credentials"]
kw = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])
cfg, hub = boto3.client("config", **kw), boto3.client("securityhub", **kw)
names = [r["ConfigRuleName"] for r in cfg.describe_config_rules()["ConfigRules"]]
assert "iam-policy-no-statements-with-admin-access" in names, names
res = cfg.describe_compliance_by_config_rule(ConfigRuleNames=["cloud-trail-log-file-validation-enabled"])["ComplianceByConfigRules"]
assert res[0]["Compliance"]["ComplianceType"] == "COMPLIANT", res
for _ in range(150):  # findings follow the change (reads never wait for the analysis)
    f = hub.get_findings(Filters={"ResourceId": [{"Value": f"arn:aws:iam::{dev}:policy/E2EAdmin", "Comparison": "EQUALS"}],
                                  "GeneratorId": [{"Value": "security-control/IAM.1", "Comparison": "EQUALS"}]})["Findings"]
    if f:
        break
    time.sleep(0.1)
assert len(f) == 1 and f[0]["Compliance"]["Status"] == "FAILED" and f[0]["AwsAccountId"] == dev, f
u = hub.batch_update_findings(FindingIdentifiers=[{"Id": f[0]["Id"], "ProductArn": f[0]["ProductArn"]}], Workflow={"Status": "NOTIFIED"})
assert len(u["ProcessedFindings"]) == 1, u
g = hub.get_findings(Filters={"Id": [{"Value": f[0]["Id"], "Comparison": "EQUALS"}]})["Findings"]
assert g[0]["Workflow"]["Status"] == "NOTIFIED", g
print("boto3 compliance ok")
PY

# boto3, the issue's whole round: a `*:*` customer managed policy created in
# Dev through IAM turns iam-policy-no-statements-with-admin-access
# NON_COMPLIANT for it and raises IAM.1 in the Security account; deleting it
# resolves both (the rule COMPLIANT, the finding ARCHIVED and RESOLVED).
check "boto3: a *:* policy in Dev, NON_COMPLIANT and IAM.1 from Security, resolved when deleted" "boto3 admin policy round ok" \
  /usr/bin/python3 - "$url" "$sec" "$dev" <<'PY'
import sys, time, boto3
url, sec, dev = sys.argv[1], sys.argv[2], sys.argv[3]
s = boto3.session.Session(region_name="us-east-1")
def session(acct):
    c = s.client("sts", endpoint_url=url).assume_role(RoleArn=f"arn:aws:iam::{acct}:role/OrganizationAccountAccessRole", RoleSessionName="boto-round")["Credentials"]
    return dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])
devkw, seckw = session(dev), session(sec)
iam, devcfg = boto3.client("iam", **devkw), boto3.client("config", **devkw)
hub = boto3.client("securityhub", **seckw)
rule = "iam-policy-no-statements-with-admin-access"
p = iam.create_policy(PolicyName="BotoEverything", PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}')["Policy"]
def result():
    r = devcfg.get_compliance_details_by_resource(ResourceType="AWS::IAM::Policy", ResourceId=p["PolicyId"])["EvaluationResults"]
    return [e["ComplianceType"] for e in r if e["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ConfigRuleName"] == rule]
def finding(state):
    # Findings follow the change (reads never wait for the analysis).
    for _ in range(150):
        f = hub.get_findings(Filters={"ResourceId": [{"Value": p["Arn"], "Comparison": "EQUALS"}],
                                      "GeneratorId": [{"Value": "security-control/IAM.1", "Comparison": "EQUALS"}]})["Findings"]
        if len(f) == 1 and f[0]["RecordState"] == state:
            break
        time.sleep(0.1)
    assert len(f) == 1, f
    return f[0]
assert result() == ["NON_COMPLIANT"], result()
f = finding("ACTIVE")
assert f["Compliance"]["Status"] == "FAILED" and f["RecordState"] == "ACTIVE" and f["AwsAccountId"] == dev, f
iam.delete_policy(PolicyArn=p["Arn"])
assert result() == [], result()
g = finding("ARCHIVED")
assert g["Id"] == f["Id"] and g["RecordState"] == "ARCHIVED" and g["Workflow"]["Status"] == "RESOLVED", g
print("boto3 admin policy round ok")
PY

# The organization's own CEL rules through put-config-rule: Guard refused by
# name, a type error refused with its place, a rule evaluated on a role.
check "aws configservice put-config-rule refuses a Guard rule" "Warden evaluates custom policy rules written in CEL" \
  "${secenv[@]}" $AWS configservice put-config-rule --endpoint-url "$url" --config-rule '{"ConfigRuleName":"guarded","Scope":{"ComplianceResourceTypes":["AWS::IAM::Role"]},"Source":{"Owner":"CUSTOM_POLICY","SourceDetails":[{"EventSource":"aws.config","MessageType":"ConfigurationItemChangeNotification"}],"CustomPolicyDetails":{"PolicyRuntime":"guard-2.x.x","PolicyText":"rule r { Tags exists }"}}}'
check "aws configservice put-config-rule: a CEL type error names PolicyText:line:column" "PolicyText:1:22" \
  "${secenv[@]}" $AWS configservice put-config-rule --endpoint-url "$url" --config-rule '{"ConfigRuleName":"typo","Scope":{"ComplianceResourceTypes":["AWS::IAM::Role"]},"Source":{"Owner":"CUSTOM_POLICY","SourceDetails":[{"EventSource":"aws.config","MessageType":"ConfigurationItemChangeNotification"}],"CustomPolicyDetails":{"PolicyRuntime":"cel-1.x.x","PolicyText":"resource.name.size() < \"1h\""}}}'
"${secenv[@]}" $AWS configservice put-config-rule --endpoint-url "$url" --config-rule '{"ConfigRuleName":"short-sessions","Scope":{"ComplianceResourceTypes":["AWS::IAM::Role"]},"Source":{"Owner":"CUSTOM_POLICY","SourceDetails":[{"EventSource":"aws.config","MessageType":"ConfigurationItemChangeNotification"}],"CustomPolicyDetails":{"PolicyRuntime":"cel-1.x.x","PolicyText":"applies: resource.name == \"E2ELong\"\ncompliant: resource.maxSessionDuration <= 3600\nannotation: sessions longer than an hour\n"}}}' >/dev/null
"${devenv[@]}" $AWS iam create-role --endpoint-url "$url" --role-name E2ELong --max-session-duration 7200 \
  --permissions-boundary "arn:aws:iam::$dev:policy/DeveloperBoundary" \
  --assume-role-policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}' >/dev/null
check "aws configservice get-compliance-details-by-config-rule: the CEL rule on Dev's role" "sessions longer than an hour" \
  "${devenv[@]}" $AWS configservice get-compliance-details-by-config-rule --endpoint-url "$url" --config-rule-name short-sessions --compliance-types NON_COMPLIANT

# Detections on the trail: Dev's attempted delete-trail (above) is
# GuardDuty's DefenseEvasion:IAMUser/AnomalousBehavior in Security Hub.
check_eventually "aws securityhub get-findings from Security: the delete-trail attempt as a GuardDuty finding" "DefenseEvasion:IAMUser-AnomalousBehavior" \
  "${secenv[@]}" $AWS securityhub get-findings --endpoint-url "$url" \
  --filters '{"ProductName":[{"Value":"GuardDuty","Comparison":"EQUALS"}]}'

# Access Analyzer: policy validation, an organization analyzer from the
# Security account (the delegated administrator) and its findings.
check "aws accessanalyzer validate-policy finds a misspelled action" "INVALID_ACTION" \
  $AWS accessanalyzer validate-policy --endpoint-url "$url" --policy-type IDENTITY_POLICY \
  --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObjekt","Resource":"*"}]}'
check "aws accessanalyzer create-analyzer ORGANIZATION from Security" "analyzer/securecart" \
  "${secenv[@]}" $AWS accessanalyzer create-analyzer --endpoint-url "$url" --analyzer-name securecart --type ORGANIZATION
check "aws accessanalyzer create-analyzer ORGANIZATION from Dev is refused" "ValidationException" \
  "${devenv[@]}" $AWS accessanalyzer create-analyzer --endpoint-url "$url" --analyzer-name dev --type ORGANIZATION
check "aws accessanalyzer list-analyzers" "\"type\": \"ORGANIZATION\"" \
  "${secenv[@]}" $AWS accessanalyzer list-analyzers --endpoint-url "$url"
# Findings are analyzed in the background: the analyzer is CREATING until its
# first analysis is stored.
for _ in $(seq 50); do
  st=$("${secenv[@]}" $AWS accessanalyzer get-analyzer --endpoint-url "$url" --analyzer-name securecart --query analyzer.status --output text)
  [ "$st" = ACTIVE ] && break
  sleep 0.2
done
check "aws accessanalyzer get-analyzer: ACTIVE once analyzed" "\"status\": \"ACTIVE\"" \
  "${secenv[@]}" $AWS accessanalyzer get-analyzer --endpoint-url "$url" --analyzer-name securecart
check "aws accessanalyzer list-findings: the vendor's role" "role/VendorAccessRole" \
  "${secenv[@]}" $AWS accessanalyzer list-findings --endpoint-url "$url" --analyzer-arn "arn:aws:access-analyzer:us-east-1:$sec:analyzer/securecart"
fid=$("${secenv[@]}" $AWS accessanalyzer list-findings --endpoint-url "$url" --analyzer-arn "arn:aws:access-analyzer:us-east-1:$sec:analyzer/securecart" --query 'findings[0].id' --output text)
"${secenv[@]}" $AWS accessanalyzer update-findings --endpoint-url "$url" --analyzer-arn "arn:aws:access-analyzer:us-east-1:$sec:analyzer/securecart" --ids "$fid" --status ARCHIVED
check "aws accessanalyzer get-finding: archived" "\"status\": \"ARCHIVED\"" \
  "${secenv[@]}" $AWS accessanalyzer get-finding --endpoint-url "$url" --analyzer-arn "arn:aws:access-analyzer:us-east-1:$sec:analyzer/securecart" --id "$fid"

# The trail recorded all of it and verifies.
check "audit lookup finds the denied create-user" "CreateUser" "$work/warden" audit lookup --data "$work/data" --event-name CreateUser
check "audit verify" "trail intact" "$work/warden" audit verify --data "$work/data"

kill -TERM "$pid"; wait "$pid"; code=$?
if [ "$code" = 0 ]; then passed=$((passed+1)); echo "PASS SIGTERM exits 0"; else failed=$((failed+1)); echo "FAIL SIGTERM exit status $code"; fi

# Analyzers and finding statuses are stored: after a restart on the same
# data directory, the archived finding is still archived.
"$work/warden" serve --data "$work/data" --listen "127.0.0.1:$port" --log-format json >> "$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -fs "$url/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
check "after a restart, aws accessanalyzer get-finding: still archived" "\"status\": \"ARCHIVED\"" \
  "${secenv[@]}" $AWS accessanalyzer get-finding --endpoint-url "$url" --analyzer-arn "arn:aws:access-analyzer:us-east-1:$sec:analyzer/securecart" --id "$fid"
kill -TERM "$pid"; wait "$pid"

# The README's Quick start, as a new user pastes it: its ```sh block, run by
# bash in the repository with a fresh home (so a fresh data directory) and
# its own port, then checked for what each step must show.
# The Go build and module caches are the machine's: a newcomer's first build is
# slower, not different, and a cold rebuild of SQLite took minutes under load.
qs="$work/quickstart.sh"
awk '/^## Quick start/{q=1} q&&/^```sh$/{f=1;next} f&&/^```$/{exit} f' README.md > "$qs"
qport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sed -i -e "s#127\.0\.0\.1:4566#127.0.0.1:$qport#g" -e "s#warden serve #warden serve --listen 127.0.0.1:$qport #" "$qs"
echo 'kill %1; wait %1; echo "quick start server exit status $?"' >> "$qs"
mkdir -p "$work/home"
qout=$(cd "$(pwd)" && env -u XDG_DATA_HOME -u AWS_SHARED_CREDENTIALS_FILE -u AWS_PROFILE -u AWS_REGION -u AWS_DEFAULT_REGION \
  -u AWS_CONFIG_FILE -u AWS_PAGER HOME="$work/home" PATH="/usr/bin:$PATH" \
  GOCACHE="$(go env GOCACHE)" GOMODCACHE="$(go env GOMODCACHE)" bash "$qs" 2>&1)
quick() { # name, expected substring
  if grep -qF -- "$2" <<<"$qout"; then passed=$((passed+1)); echo "PASS Quick start: $1"
  else failed=$((failed+1)); echo "FAIL Quick start: $1: want '$2' in:"; echo "$qout" | tail -40; fi
}
if grep -q "warden serve --listen 127.0.0.1:$qport " "$qs"; then passed=$((passed+1)); echo "PASS Quick start: the README's sh block starts a server"
else failed=$((failed+1)); echo "FAIL Quick start: no sh block starting 'warden serve' under '## Quick start' in README.md:"; cat "$qs"; fi
for v in AWS_REGION AWS_DEFAULT_REGION; do
  if grep -q "export .*\b$v=us-east-1" "$qs"; then passed=$((passed+1)); echo "PASS Quick start: sets $v"
  else failed=$((failed+1)); echo "FAIL Quick start: the block does not export $v"; fi
done
quick "get-caller-identity is warden-admin" "arn:aws:iam::$mgmt:user/warden-admin"
quick "assume-role into Dev" "arn:aws:sts::$dev:assumed-role/OrganizationAccountAccessRole/me"
quick "organizations list-accounts" "\"Id\": \"$prod\""
quick "check passes every test" " passed, 0 failed"
quick "explain denies iam:CreateUser" "ExplicitDeny"
quick "the server stops cleanly" "quick start server exit status 0"
if grep -qE "An error occurred|command not found|No such file|Unable to locate credentials|You must specify a region" <<<"$qout"; then
  failed=$((failed+1)); echo "FAIL Quick start: an error in its output:"; echo "$qout" | grep -E "An error occurred|command not found|No such file|Unable to locate|You must specify"
else passed=$((passed+1)); echo "PASS Quick start: no errors"; fi
echo "e2e: $passed passed, $failed failed"
[ "$failed" = 0 ]
