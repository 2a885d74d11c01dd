/** The `aws` provider: EC2 instances across regions, through `@aws-sdk/client-ec2`. */
import type { CapabilityTable, ProviderModule } from '../types.ts';
import { type AwsConfig, awsConfigSchema } from './config.ts';

export const awsCapabilities = {
  list: { options: ['region'] },
  status: {},
  reboot: {},
  start: {},
  stop: { options: ['force'], note: '--force skips the OS shutdown' },
  create: {
    params: {
      size: { description: 'instance type, e.g. t3.micro', defaultFrom: 'instanceType' },
      image: { description: 'AMI id, e.g. ami-0abc…', defaultFrom: 'imageId', role: 'source' },
      region: { description: 'region, e.g. eu-west-1', defaultFrom: 'region', role: 'placement' },
      key: { description: 'key pair name', defaultFrom: 'keyName' },
      subnet: { description: 'subnet id', defaultFrom: 'subnetId', role: 'placement' },
      security_groups: {
        description: 'security group ids, comma-separated',
        defaultFrom: 'securityGroupIds',
        role: 'placement',
        list: true,
      },
    },
  },
  destroy: { note: 'terminates the instance' },
} as const satisfies CapabilityTable;

export const awsModule: ProviderModule<AwsConfig, typeof awsCapabilities> = {
  type: 'aws',
  aliases: ['ec2'],
  label: 'AWS EC2',
  configSchema: awsConfigSchema,
  secretKeys: ['accessKeyId', 'secretAccessKey', 'sessionToken'],
  capabilities: awsCapabilities,
  fromEnvironment(env) {
    // The SDK finds the credentials itself (env, profile, SSO, instance role); the region says "use AWS".
    const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    return region ? { id: 'aws', config: { region } } : undefined;
  },
  async connect(setup) {
    const { createAws } = await import('./provider.ts');
    return createAws(setup);
  },
};
