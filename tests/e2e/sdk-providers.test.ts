import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startBot } from '../support/bot-harness.ts';
import { AzureDouble, CLIENT_ID, SUBSCRIPTION, TENANT } from '../support/doubles/azure.ts';
import { Ec2Double } from '../support/doubles/ec2.ts';
import { GceDouble } from '../support/doubles/gce.ts';
import { latest, type MessageRecord } from '../support/fake-slack/index.ts';
import { confirmAndFollow } from '../support/prompts.ts';

let harness: Harness;
let ec2: Ec2Double;
let azure: AzureDouble;
let gce: GceDouble;

beforeAll(async () => {
  ec2 = await Ec2Double.start({ transitionMs: 150 });
  azure = await AzureDouble.start({ operationMs: 150 });
  gce = await GceDouble.start(mkdtempSync(join(tmpdir(), 'cloudmaster-e2e-gce-')), { transitionMs: 150 });
  harness = await startBot(
    `
settings: { pollInterval: 50ms, admins: [U0ALICE] }
providers:
  aws:
    type: aws
    regions: [us-east-1, eu-west-1]
    endpoint: "${ec2.url}"
    accessKeyId: "\${AWS_KEY_ID}"
    secretAccessKey: "\${AWS_SECRET}"
  azure:
    type: azure
    subscriptionId: "${SUBSCRIPTION}"
    tenantId: "${TENANT}"
    clientId: "${CLIENT_ID}"
    clientSecret: "\${AZURE_SECRET}"
    authorityHost: "${azure.url}"
    endpoint: "${azure.url}"
    disableInstanceDiscovery: true
  azure-old:
    type: azure
    subscriptionId: "${SUBSCRIPTION}"
    tenantId: "${TENANT}"
    clientId: "${CLIENT_ID}"
    clientSecret: "\${AZURE_OLD_SECRET}"
    authorityHost: "${azure.url}"
    endpoint: "${azure.url}"
    disableInstanceDiscovery: true
  gcp:
    type: gcp
    project: ${gce.project}
    keyFilename: ${gce.keyFile}
    scopes: []
    apiEndpoint: ${gce.endpoint.apiEndpoint}
    port: ${gce.endpoint.port}
    protocol: http
    zone: us-central1-a
`,
    {
      env: {
        AWS_KEY_ID: 'AKIDTEST',
        AWS_SECRET: 'aws-secret-value-123',
        AZURE_SECRET: azure.clientSecret,
        AZURE_OLD_SECRET: 'expired-secret-value-456',
      },
    },
  );
});

afterAll(async () => {
  await harness?.stop();
  await Promise.all([ec2?.stop(), azure?.stop(), gce?.stop()]);
});

/** Confirms the prompt that starts with `question` and waits for the operation's final state. */
function finalOf(question: string): Promise<MessageRecord> {
  return confirmAndFollow(harness.fake, question, (text) => !/…/.test(text) && !text.endsWith('?'));
}

describe('the SDK providers through Slack', () => {
  it('/cloudmaster list shows AWS, Azure and GCE, with the failing account’s error inline', async () => {
    const { fake } = harness;
    const delivery = await fake.slashCommand({ command: '/cloudmaster', text: 'list' });
    const message = await fake.waitFor(() => fake.messageFor(delivery.responseUrl), { timeoutMs: 15_000 });
    const text = latest(message).text;
    expect(text.split('\n')[0]).toMatch(/^13 machines on 4 providers \(1 provider did not answer\): /);
    expect(text).toMatch(/^us-web-1 \(aws\): running, 54\.0\.0\.1, us-east-1a, t3\.micro$/m);
    expect(text).toMatch(/^eu-web-1 \(aws\): running/m);
    expect(text).toMatch(/^web-vm-1 \(azure\): running, 20\.0\.0\.1, westeurope, Standard_B1s$/m);
    expect(text).toMatch(/^us-vm-1 \(gcp\): running, 34\.1\.0\.1, us-central1-a, e2-small$/m);
    expect(text).toMatch(/^us-vm-2 \(gcp\): stopped \(TERMINATED\), no public IP/m);
    expect(text).toMatch(
      /^azure-old: Entra ID refused the credentials of provider `azure-old`: AADSTS7000215: Invalid client secret provided\.$/m,
    );
    expect(JSON.stringify(message)).not.toMatch(/expired-secret-value-456|aws-secret-value-123/);
  });

  it('reboot NAME on aws reboots once and updates the message to the outcome', async () => {
    await harness.fake.slashCommand({ command: '/cloudmaster', text: 'reboot eu-web-1 on aws' });
    const message = await finalOf('Reboot eu-web-1 on aws?');
    expect(latest(message).text).toMatch(
      /^<@U0ALICE> eu-web-1 on aws rebooted: running \(EC2 shows no reboot state; the OS restarts in place\) \(took \d+ ms\)\.$/,
    );
    expect(ec2.callsOf('RebootInstances')).toHaveLength(1);
  });

  it('create vmtest01 on gcp size=e2-small creates it and reports where it runs', async () => {
    await harness.fake.slashCommand({
      command: '/cloudmaster',
      text: 'create vmtest01 on gcp size=e2-small',
    });
    const message = await finalOf('Create vmtest01 on gcp?');
    expect(latest(message).text).toMatch(
      /^<@U0ALICE> vmtest01 on gcp created: running at 34\.1\.0\.\d+ \(took \d+ ms\)\.$/,
    );
    expect(message.versions.map((v) => v.text)).toContain(
      'Creating vmtest01 on gcp… Compute Engine is creating a e2-small in us-central1-a',
    );
    expect(gce.named('vmtest01')?.machineType).toBe('e2-small');
  });

  it('stop NAME on azure powers off and says the VM is still billed', async () => {
    await harness.fake.slashCommand({ command: '/cloudmaster', text: 'stop data-vm-1 on azure' });
    const message = await finalOf('Stop data-vm-1 on azure?');
    expect(message.versions.map((v) => v.text)).toContain(
      'Stopping data-vm-1 on azure… Azure is powering the VM off: it stays allocated and billed (--deallocate stops billing)',
    );
    expect(latest(message).text).toMatch(
      /^<@U0ALICE> data-vm-1 on azure stopped: stopped \(took \d+ ms\)\.$/,
    );
    expect(azure.vm('data-vm-1')?.power).toBe('stopped');
  });
});
