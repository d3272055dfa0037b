package validate

// regions are AWS's Region codes
// (https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html),
// with those of the China, GovCloud, ISO and European Sovereign Cloud partitions.
var regions = map[string]bool{
	"us-east-1": true, "us-east-2": true, "us-west-1": true, "us-west-2": true,
	"af-south-1": true, "ap-east-1": true, "ap-east-2": true, "ap-south-1": true, "ap-south-2": true,
	"ap-southeast-1": true, "ap-southeast-2": true, "ap-southeast-3": true, "ap-southeast-4": true,
	"ap-southeast-5": true, "ap-southeast-6": true, "ap-southeast-7": true,
	"ap-northeast-1": true, "ap-northeast-2": true, "ap-northeast-3": true,
	"ca-central-1": true, "ca-west-1": true,
	"eu-central-1": true, "eu-central-2": true, "eu-west-1": true, "eu-west-2": true, "eu-west-3": true,
	"eu-south-1": true, "eu-south-2": true, "eu-north-1": true,
	"il-central-1": true, "me-south-1": true, "me-central-1": true, "mx-central-1": true, "sa-east-1": true,
	"us-gov-east-1": true, "us-gov-west-1": true, "cn-north-1": true, "cn-northwest-1": true,
	"us-iso-east-1": true, "us-iso-west-1": true, "us-isob-east-1": true, "us-isob-west-1": true,
	"us-isof-south-1": true, "us-isof-east-1": true, "eu-isoe-west-1": true, "eusc-de-east-1": true,
}

func validRegion(r string) bool { return regions[r] }
