package main

import (
	"fmt"
	"strings"
)

// Scenario (b): one identity policy set of 1,000 statements in 10 documents
// across 50 services. Exactly one statement (targetIndex, late in the list)
// allows the request; the other Allow statements never name its action (the
// generator checks this), and Deny statements name other, destructive
// actions, except two NotAction denies whose conditions the request does not
// meet.

const (
	largeStatements = 1000
	largeDocs       = 10
	targetIndex     = 987

	account   = "222233334444"
	principal = "arn:aws:sts::222233334444:assumed-role/DeveloperRole/alice"
	roleArn   = "arn:aws:iam::222233334444:role/DeveloperRole"

	targetAction   = "sqs:SendMessage"
	targetResource = "arn:aws:sqs:eu-west-1:222233334444:securecart-orders"
)

type service struct {
	prefix  string
	arn     string // REGION, ACCOUNT and NAME are substituted
	actions []string
}

var services = []service{
	{"sqs", "arn:aws:sqs:REGION:ACCOUNT:NAME", []string{"SendMessage", "SendMessageBatch", "ReceiveMessage", "DeleteMessage", "GetQueueAttributes", "GetQueueUrl", "ListQueues", "ListQueueTags", "DeleteQueue", "PurgeQueue"}},
	{"sns", "arn:aws:sns:REGION:ACCOUNT:NAME", []string{"Publish", "Subscribe", "GetTopicAttributes", "ListTopics", "ListSubscriptionsByTopic", "DeleteTopic"}},
	{"s3", "arn:aws:s3:::NAME/*", []string{"GetObject", "PutObject", "ListBucket", "GetObjectVersion", "GetBucketLocation", "GetObjectTagging", "DeleteObject"}},
	{"dynamodb", "arn:aws:dynamodb:REGION:ACCOUNT:table/NAME", []string{"GetItem", "PutItem", "Query", "Scan", "UpdateItem", "DescribeTable", "ListTables", "BatchWriteItem", "DeleteTable"}},
	{"lambda", "arn:aws:lambda:REGION:ACCOUNT:function:NAME", []string{"InvokeFunction", "GetFunction", "ListFunctions", "UpdateFunctionCode", "GetFunctionConfiguration", "DeleteFunction"}},
	{"logs", "arn:aws:logs:REGION:ACCOUNT:log-group:NAME", []string{"CreateLogStream", "PutLogEvents", "GetLogEvents", "DescribeLogGroups", "FilterLogEvents", "DeleteLogGroup"}},
	{"cloudwatch", "arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME", []string{"GetMetricData", "PutMetricData", "DescribeAlarms", "PutMetricAlarm", "ListMetrics", "DeleteAlarms"}},
	{"ecs", "arn:aws:ecs:REGION:ACCOUNT:service/NAME", []string{"DescribeServices", "UpdateService", "ListTasks", "DescribeTasks", "RunTask", "StopTask"}},
	{"ec2", "arn:aws:ec2:REGION:ACCOUNT:instance/NAME", []string{"DescribeInstances", "StartInstances", "RebootInstances", "DescribeVolumes", "StopInstances", "TerminateInstances"}},
	{"ecr", "arn:aws:ecr:REGION:ACCOUNT:repository/NAME", []string{"BatchGetImage", "GetDownloadUrlForLayer", "PutImage", "DescribeImages", "ListImages", "DeleteRepository"}},
	{"kms", "arn:aws:kms:REGION:ACCOUNT:key/NAME", []string{"Decrypt", "Encrypt", "GenerateDataKey", "DescribeKey", "ListKeys", "ScheduleKeyDeletion"}},
	{"secretsmanager", "arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME", []string{"GetSecretValue", "DescribeSecret", "ListSecrets", "PutSecretValue", "DeleteSecret"}},
	{"ssm", "arn:aws:ssm:REGION:ACCOUNT:parameter/NAME", []string{"GetParameter", "GetParameters", "GetParametersByPath", "PutParameter", "DescribeParameters", "DeleteParameter"}},
	{"events", "arn:aws:events:REGION:ACCOUNT:rule/NAME", []string{"PutEvents", "PutRule", "DescribeRule", "ListRules", "EnableRule", "DeleteRule"}},
	{"states", "arn:aws:states:REGION:ACCOUNT:stateMachine:NAME", []string{"StartExecution", "DescribeExecution", "ListExecutions", "DescribeStateMachine", "StopExecution", "DeleteStateMachine"}},
	{"kinesis", "arn:aws:kinesis:REGION:ACCOUNT:stream/NAME", []string{"PutRecord", "PutRecords", "GetRecords", "GetShardIterator", "DescribeStream", "DeleteStream"}},
	{"firehose", "arn:aws:firehose:REGION:ACCOUNT:deliverystream/NAME", []string{"PutRecord", "PutRecordBatch", "DescribeDeliveryStream", "ListDeliveryStreams", "DeleteDeliveryStream"}},
	{"elasticache", "arn:aws:elasticache:REGION:ACCOUNT:cluster:NAME", []string{"DescribeCacheClusters", "ModifyCacheCluster", "RebootCacheCluster", "ListTagsForResource", "DeleteCacheCluster"}},
	{"rds", "arn:aws:rds:REGION:ACCOUNT:db:NAME", []string{"DescribeDBInstances", "StartDBInstance", "CreateDBSnapshot", "ModifyDBInstance", "StopDBInstance", "DeleteDBInstance"}},
	{"redshift", "arn:aws:redshift:REGION:ACCOUNT:cluster:NAME", []string{"DescribeClusters", "GetClusterCredentials", "ModifyCluster", "DeleteCluster"}},
	{"athena", "arn:aws:athena:REGION:ACCOUNT:workgroup/NAME", []string{"StartQueryExecution", "GetQueryExecution", "GetQueryResults", "ListWorkGroups", "StopQueryExecution"}},
	{"glue", "arn:aws:glue:REGION:ACCOUNT:table/NAME", []string{"GetTable", "GetTables", "GetDatabase", "CreateTable", "UpdateTable", "DeleteTable"}},
	{"cloudformation", "arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME", []string{"DescribeStacks", "CreateStack", "UpdateStack", "ListStacks", "DescribeStackEvents", "DeleteStack"}},
	{"codebuild", "arn:aws:codebuild:REGION:ACCOUNT:project/NAME", []string{"StartBuild", "BatchGetBuilds", "ListProjects", "StopBuild", "DeleteProject"}},
	{"codepipeline", "arn:aws:codepipeline:REGION:ACCOUNT:NAME", []string{"StartPipelineExecution", "GetPipeline", "GetPipelineState", "ListPipelines", "DeletePipeline"}},
	{"codecommit", "arn:aws:codecommit:REGION:ACCOUNT:NAME", []string{"GitPull", "GitPush", "GetRepository", "ListRepositories", "DeleteRepository"}},
	{"codedeploy", "arn:aws:codedeploy:REGION:ACCOUNT:application:NAME", []string{"CreateDeployment", "GetDeployment", "ListApplications", "StopDeployment"}},
	{"elasticloadbalancing", "arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/app/NAME", []string{"DescribeLoadBalancers", "DescribeTargetHealth", "RegisterTargets", "DeregisterTargets", "DeleteLoadBalancer"}},
	{"autoscaling", "arn:aws:autoscaling:REGION:ACCOUNT:autoScalingGroup:*:autoScalingGroupName/NAME", []string{"DescribeAutoScalingGroups", "SetDesiredCapacity", "UpdateAutoScalingGroup", "DeleteAutoScalingGroup"}},
	{"route53", "arn:aws:route53:::hostedzone/NAME", []string{"GetHostedZone", "ListResourceRecordSets", "ChangeResourceRecordSets", "ListHostedZones"}},
	{"cloudfront", "arn:aws:cloudfront::ACCOUNT:distribution/NAME", []string{"GetDistribution", "ListDistributions", "CreateInvalidation", "UpdateDistribution"}},
	{"acm", "arn:aws:acm:REGION:ACCOUNT:certificate/NAME", []string{"DescribeCertificate", "ListCertificates", "RequestCertificate", "DeleteCertificate"}},
	{"elasticfilesystem", "arn:aws:elasticfilesystem:REGION:ACCOUNT:file-system/NAME", []string{"DescribeFileSystems", "ClientMount", "ClientWrite", "DeleteFileSystem"}},
	{"backup", "arn:aws:backup:REGION:ACCOUNT:backup-vault:NAME", []string{"StartBackupJob", "ListBackupJobs", "DescribeBackupVault", "DeleteBackupVault"}},
	{"glacier", "arn:aws:glacier:REGION:ACCOUNT:vaults/NAME", []string{"UploadArchive", "InitiateJob", "DescribeVault", "ListVaults", "DeleteVault"}},
	{"es", "arn:aws:es:REGION:ACCOUNT:domain/NAME", []string{"ESHttpGet", "ESHttpPost", "ESHttpPut", "DescribeDomain", "DeleteDomain"}},
	{"sagemaker", "arn:aws:sagemaker:REGION:ACCOUNT:endpoint/NAME", []string{"InvokeEndpoint", "DescribeEndpoint", "ListEndpoints", "CreateTrainingJob", "DeleteEndpoint"}},
	{"bedrock", "arn:aws:bedrock:REGION::foundation-model/NAME", []string{"InvokeModel", "InvokeModelWithResponseStream", "ListFoundationModels", "GetFoundationModel"}},
	{"cognito-idp", "arn:aws:cognito-idp:REGION:ACCOUNT:userpool/NAME", []string{"AdminGetUser", "ListUsers", "AdminCreateUser", "DescribeUserPool", "AdminDeleteUser"}},
	{"appsync", "arn:aws:appsync:REGION:ACCOUNT:apis/NAME", []string{"GraphQL", "GetGraphqlApi", "ListGraphqlApis", "DeleteGraphqlApi"}},
	{"execute-api", "arn:aws:execute-api:REGION:ACCOUNT:NAME/*", []string{"Invoke", "ManageConnections", "InvalidateCache"}},
	{"xray", "arn:aws:xray:REGION:ACCOUNT:group/NAME", []string{"PutTraceSegments", "GetTraceSummaries", "BatchGetTraces", "GetServiceGraph"}},
	{"ses", "arn:aws:ses:REGION:ACCOUNT:identity/NAME", []string{"SendEmail", "SendRawEmail", "GetSendQuota", "ListIdentities", "DeleteIdentity"}},
	{"batch", "arn:aws:batch:REGION:ACCOUNT:job-queue/NAME", []string{"SubmitJob", "DescribeJobs", "ListJobs", "CancelJob", "TerminateJob"}},
	{"elasticmapreduce", "arn:aws:elasticmapreduce:REGION:ACCOUNT:cluster/NAME", []string{"DescribeCluster", "ListClusters", "AddJobFlowSteps", "TerminateJobFlows"}},
	{"mq", "arn:aws:mq:REGION:ACCOUNT:broker:NAME", []string{"DescribeBroker", "ListBrokers", "RebootBroker", "DeleteBroker"}},
	{"kafka", "arn:aws:kafka:REGION:ACCOUNT:cluster/NAME", []string{"DescribeCluster", "GetBootstrapBrokers", "ListClusters", "DeleteCluster"}},
	{"iot", "arn:aws:iot:REGION:ACCOUNT:thing/NAME", []string{"DescribeThing", "ListThings", "UpdateThing", "Publish", "DeleteThing"}},
	{"timestream", "arn:aws:timestream:REGION:ACCOUNT:database/NAME", []string{"WriteRecords", "Select", "DescribeTable", "ListTables", "DeleteTable"}},
	{"dax", "arn:aws:dax:REGION:ACCOUNT:cache/NAME", []string{"GetItem", "PutItem", "Query", "DescribeClusters", "DeleteCluster"}},
}

func destructive(a string) bool {
	for _, p := range []string{"Delete", "Terminate", "Stop", "Purge", "Schedule", "Cancel", "Deregister", "AdminDelete"} {
		if strings.HasPrefix(a, p) {
			return true
		}
	}
	return false
}

// rng is splitmix64: a fixed algorithm, so the output never depends on the
// Go release.
type rng uint64

func (r *rng) next() uint64 {
	*r += 0x9e3779b97f4a7c15
	z := uint64(*r)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

func pick[T any](r *rng, s []T) T { return s[r.intn(len(s))] }

func pickN(r *rng, s []string, n int) []string {
	idx := make([]int, len(s))
	for i := range idx {
		idx[i] = i
	}
	for i := len(idx) - 1; i > 0; i-- {
		j := r.intn(i + 1)
		idx[i], idx[j] = idx[j], idx[i]
	}
	if n > len(s) {
		n = len(s)
	}
	out := make([]string, n)
	for i := range out {
		out[i] = s[idx[i]]
	}
	return out
}

var (
	regions   = []string{"eu-west-1", "eu-central-1", "us-east-1", "us-west-2"}
	teams     = []string{"platform", "payments", "checkout", "search", "catalog", "data", "identity", "growth"}
	cidrs     = []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "203.0.113.0/24", "198.51.100.0/24"}
	dates     = []string{"2025-12-31T23:59:59Z", "2026-06-30T23:59:59Z", "2027-01-01T00:00:00Z"}
	startDate = []string{"2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "2026-04-01T00:00:00Z"}
)

// condPool: each entry adds one operator/key pair to a statement.
var condPool = []func(r *rng) (op, key string, vals []string){
	func(r *rng) (string, string, []string) {
		return "StringEquals", "aws:RequestedRegion", pickN(r, regions, 1+r.intn(2))
	},
	func(r *rng) (string, string, []string) {
		t := pick(r, teams)
		if r.intn(2) == 0 {
			t = t[:4] + "*"
		}
		return "StringLike", "aws:PrincipalTag/team", []string{t}
	},
	func(r *rng) (string, string, []string) { return "Bool", "aws:MultiFactorAuthPresent", []string{"true"} },
	func(r *rng) (string, string, []string) { return "Bool", "aws:SecureTransport", []string{"true"} },
	func(r *rng) (string, string, []string) {
		return "IpAddress", "aws:SourceIp", pickN(r, cidrs, 1+r.intn(2))
	},
	func(r *rng) (string, string, []string) {
		return "DateLessThan", "aws:CurrentTime", []string{pick(r, dates)}
	},
	func(r *rng) (string, string, []string) {
		return "DateGreaterThan", "aws:CurrentTime", []string{pick(r, startDate)}
	},
	func(r *rng) (string, string, []string) {
		return "ArnLike", "aws:PrincipalArn", []string{pick(r, []string{
			"arn:aws:iam::222233334444:role/Developer*", "arn:aws:iam::*:role/CI-*", "arn:aws:iam::222233334444:role/*Admin*"})}
	},
	func(r *rng) (string, string, []string) {
		return "StringEquals", "aws:ResourceTag/env", pickN(r, []string{"dev", "staging", "prod"}, 1+r.intn(2))
	},
	func(r *rng) (string, string, []string) {
		return "StringNotEquals", "aws:PrincipalTag/env", []string{"prod"}
	},
	func(r *rng) (string, string, []string) {
		return "ForAnyValue:StringEquals", "aws:TagKeys", pickN(r, []string{"team", "env", "cost-center", "owner"}, 1+r.intn(2))
	},
}

func addCond(c conditionBlock, op, key string, vals []string) {
	if c[op] == nil {
		c[op] = map[string]strList{}
	}
	if _, dup := c[op][key]; !dup {
		c[op][key] = vals
	}
}

func camel(s string) string {
	var b strings.Builder
	for _, part := range strings.Split(s, "-") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

func resourceARN(r *rng, s service) string {
	name := pick(r, []string{
		fmt.Sprintf("%s-%s-*", pick(r, teams), pick(r, []string{"dev", "staging", "shared"})),
		fmt.Sprintf("%s-*", pick(r, teams)),
		fmt.Sprintf("securecart-%s-%02d", pick(r, teams), r.intn(100)),
		"*",
	})
	region := pick(r, append(regions[:3:3], "*"))
	return strings.NewReplacer("REGION", region, "ACCOUNT", account, "NAME", name).Replace(s.arn)
}

func largeStatement(r *rng, i int) iamStatement {
	switch {
	case i == targetIndex:
		return iamStatement{
			Sid:      fmt.Sprintf("AllowSqs%04d", i),
			Effect:   "Allow",
			Action:   strList{"sqs:SendMessage", "sqs:SendMessageBatch", "sqs:GetQueueUrl"},
			Resource: strList{"arn:aws:sqs:eu-west-1:222233334444:securecart-*"},
			Condition: conditionBlock{
				"StringEquals": {"aws:RequestedRegion": {"eu-west-1", "eu-central-1"}, "aws:ResourceTag/env": {"dev"}},
				"StringLike":   {"aws:PrincipalTag/team": {"plat*"}},
				"Bool":         {"aws:SecureTransport": {"true"}},
				"IpAddress":    {"aws:SourceIp": {"10.0.0.0/8", "203.0.113.0/24"}},
				"DateLessThan": {"aws:CurrentTime": {"2027-01-01T00:00:00Z"}},
			},
		}
	case i == 333:
		return iamStatement{
			Sid:       fmt.Sprintf("DenyOutsideRegions%04d", i),
			Effect:    "Deny",
			NotAction: strList{"iam:*", "sts:*", "organizations:*", "route53:*", "cloudfront:*", "support:*"},
			Resource:  strList{"*"},
			Condition: conditionBlock{"StringNotEquals": {"aws:RequestedRegion": {"eu-west-1", "eu-central-1", "us-east-1"}}},
		}
	case i == 777:
		return iamStatement{
			Sid:       fmt.Sprintf("DenyWithoutMFA%04d", i),
			Effect:    "Deny",
			NotAction: strList{"iam:ChangePassword", "iam:GetUser", "sts:GetSessionToken"},
			Resource:  strList{"*"},
			Condition: conditionBlock{"BoolIfExists": {"aws:MultiFactorAuthPresent": {"false"}}},
		}
	case i == 57:
		return iamStatement{
			Sid:      fmt.Sprintf("DenySqs%04d", i),
			Effect:   "Deny",
			Action:   strList{"sqs:DeleteQueue", "sqs:PurgeQueue"},
			Resource: strList{"*"},
		}
	case i%40 == 17:
		s := services[(i/40*7)%len(services)]
		st := iamStatement{Sid: fmt.Sprintf("Deny%s%04d", camel(s.prefix), i), Effect: "Deny"}
		var acts []string
		for _, a := range s.actions {
			if destructive(a) {
				acts = append(acts, s.prefix+":"+a)
			}
		}
		if r.intn(3) == 0 || len(acts) == 0 {
			acts = []string{s.prefix + ":Delete*"}
		}
		st.Action = acts
		st.Resource = strList{"*"}
		if r.intn(2) == 0 {
			st.Resource = strList{resourceARN(r, s)}
		}
		if r.intn(2) == 0 {
			st.Condition = conditionBlock{}
			addCond(st.Condition, "StringNotEquals", "aws:PrincipalTag/team", []string{pick(r, teams)})
		}
		return st
	}

	s := pick(r, services)
	st := iamStatement{Sid: fmt.Sprintf("Allow%s%04d", camel(s.prefix), i), Effect: "Allow"}
	var candidates []string
	for _, a := range s.actions {
		if !destructive(a) && s.prefix+":"+a != targetAction {
			candidates = append(candidates, s.prefix+":"+a)
		}
	}
	if r.intn(10) < 3 {
		var prefixes []string
		for _, p := range []string{"Get", "List", "Describe", "Batch"} {
			for _, a := range s.actions {
				if strings.HasPrefix(a, p) {
					prefixes = append(prefixes, s.prefix+":"+p+"*")
					break
				}
			}
		}
		if len(prefixes) > 0 {
			candidates = prefixes
		}
	}
	st.Action = pickN(r, candidates, 1+r.intn(4))
	if r.intn(100) < 15 {
		st.Resource = strList{"*"}
	} else {
		st.Resource = strList{resourceARN(r, s)}
		if r.intn(4) == 0 {
			st.Resource = append(st.Resource, resourceARN(r, s))
		}
	}
	n := []int{0, 1, 1, 1, 2, 2, 2, 3, 3, 4}[r.intn(10)]
	if n > 0 {
		st.Condition = conditionBlock{}
		for range n {
			op, key, vals := pick(r, condPool)(r)
			addCond(st.Condition, op, key, vals)
		}
	}
	return st
}

func largeCase() (iamCase, error) {
	r := rng(20260316)
	docs := make([]iamPolicy, largeDocs)
	per := largeStatements / largeDocs
	for i := range largeStatements {
		st := largeStatement(&r, i)
		if i != targetIndex && st.Effect == "Allow" {
			for _, a := range st.Action {
				if globMatch(strings.ToLower(a), strings.ToLower(targetAction)) {
					return iamCase{}, fmt.Errorf("statement %d (%s) would also allow the target action", i, st.Sid)
				}
			}
		}
		d := &docs[i/per]
		d.Version = "2012-10-17"
		d.Statement = append(d.Statement, st)
	}
	return iamCase{
		Name: "bench (b) large: one allowing statement among 1,000 identity statements",
		Request: iamRequest{
			Principal:       principal,
			Action:          targetAction,
			Resource:        targetResource,
			ResourceAccount: account,
			Context: map[string]contextVal{
				"aws:RequestedRegion":        str("eu-west-1"),
				"aws:MultiFactorAuthPresent": str("true"),
				"aws:SecureTransport":        str("true"),
				"aws:SourceIp":               str("203.0.113.7"),
				"aws:CurrentTime":            str("2026-03-16T10:30:00Z"),
				"aws:PrincipalArn":           str(roleArn),
				"aws:PrincipalAccount":       str(account),
				"aws:PrincipalTag/team":      str("platform"),
				"aws:PrincipalTag/env":       str("dev"),
				"aws:ResourceTag/env":        str("dev"),
			},
		},
		Policies: iamPolicies{Identity: docs},
		Expect:   "Allow",
	}, nil
}
