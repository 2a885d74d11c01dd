import { z } from 'zod';

export const awsConfigSchema = z
  .strictObject({
    /** Regions to work in; without it, every region enabled for the account (DescribeRegions). */
    regions: z.array(z.string().min(1)).min(1).optional(),
    /** Home region: where DescribeRegions is asked, and where `create` goes by default. */
    region: z.string().min(1).default('us-east-1'),
    /** A named profile from the shared config files (else the SDK's standard credential chain). */
    profile: z.string().min(1).optional(),
    /** A role to assume with the base credentials. */
    roleArn: z.string().min(1).optional(),
    externalId: z.string().min(1).optional(),
    /** STS endpoint override for assuming the role (VPC endpoints, other partitions, tests). */
    stsEndpoint: z.url().optional(),
    /** Static credentials, as ${VARIABLES} (the standard chain is better where it works). */
    accessKeyId: z.string().min(1).optional(),
    secretAccessKey: z.string().min(1).optional(),
    sessionToken: z.string().min(1).optional(),
    /** EC2 endpoint override (proxies, other partitions, tests). */
    endpoint: z.url().optional(),
    /** Instances per DescribeInstances page (EC2 allows 5 to 1,000). */
    pageSize: z.number().int().min(5).max(1000).default(1000),
    /** Attempts per request, throttling retries included (the SDK's standard strategy). */
    maxAttempts: z.number().int().min(1).max(10).default(3),
    /** Defaults for `create`. */
    imageId: z.string().min(1).optional(),
    instanceType: z.string().min(1).optional(),
    keyName: z.string().min(1).optional(),
    subnetId: z.string().min(1).optional(),
    securityGroupIds: z.array(z.string().min(1)).optional(),
  })
  .refine((config) => (config.accessKeyId === undefined) === (config.secretAccessKey === undefined), {
    message:
      'give accessKeyId and secretAccessKey together, or neither (then the standard credential chain is used)',
    path: ['secretAccessKey'],
  });

export type AwsConfig = z.infer<typeof awsConfigSchema>;
