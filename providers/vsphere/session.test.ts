/** Logins, expired sessions, TLS and unreachable servers, against vcsim. */
import { createServer } from 'node:net';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.ts';
import {
  callContext,
  connectModule,
  machineNamed,
  pollUntilDone,
  rejection,
} from '../../tests/support/provider-kit.ts';
import { untrustedSelfSigned } from '../../tests/support/tls.ts';
import { labConfig, vcsimBinary } from '../../tests/support/vcsim.ts';
import { VsphereLab } from '../../tests/support/vsphere-lab.ts';
import { vsphereModule } from './index.ts';

describe.skipIf(!vcsimBinary())('vsphere: sessions and TLS against vcsim', () => {
  let sim: VsphereLab;
  // This simulator takes one user and password only, as a vCenter does.
  beforeAll(async () => {
    sim = await VsphereLab.start({ username: 'ops@vsphere.local', password: 'right-password-42' });
  });
  afterEach(() => sim.closeAccounts());
  afterAll(() => sim?.stop());

  it('says a wrong password was refused, naming the variable that holds it, never the value', async () => {
    const lab = await sim.connect({ password: 'wrong-password-17' });
    const error = await rejection(lab.list({}, callContext()));
    expect(error.code).toBe(ErrorCode.ProviderAuth);
    expect(error.message).toBe(
      'vSphere rejected the user name or password of provider `lab` (check VSPHERE_PASSWORD).',
    );
    expect(JSON.stringify({ message: error.message, hint: error.hint })).not.toContain('wrong-password-17');
  });

  it('logs in again once when the session is ended behind its back (a fault, or a missingSet on a read)', async () => {
    const { proxy, vcsim } = sim;
    const lab = await sim.connect({}, { viaProxy: true });
    expect((await lab.list({}, callContext())).machines).toHaveLength(4);
    expect(proxy.sessions).toHaveLength(1);

    // CreateContainerView answers a lost session with a NotAuthenticated fault.
    await vcsim.endSession(proxy.sessions[0] ?? '');
    expect((await lab.list({}, callContext())).machines).toHaveLength(4);
    expect(proxy.count('Login')).toBe(2);

    // A property read of a task answers 200 with NotAuthenticated in its missingSet.
    const ref = await lab.reboot(await machineNamed(lab, 'DC0_H0_VM0'), callContext());
    await vcsim.endSession(proxy.sessions[1] ?? '');
    expect((await pollUntilDone(() => lab.poll(ref, callContext()))).at(-1)?.state).toBe('succeeded');
    expect(proxy.count('Login')).toBe(3);
    expect(proxy.count('ResetVM_Task')).toBe(1);
  });

  it('fails clearly when logging in again does not restore the session', async () => {
    const lab = await sim.connect({}, { viaProxy: true });
    // A balancer in front of vCenter that loses every session: each call arrives unauthenticated.
    sim.proxy.dropCookies = true;
    const error = await rejection(lab.list({}, callContext()));
    expect(error.code).toBe(ErrorCode.ProviderAuth);
    expect(error.message).toBe(
      'vSphere ended the session of provider `lab`, and logging in again did not restore it.',
    );
    expect(sim.proxy.count('Login')).toBe(2);
  });

  it('says when vSphere cannot be reached, or the url is not an SDK endpoint', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const down = await connectModule(vsphereModule, {
      id: 'lab',
      config: labConfig(sim.vcsim, { url: `https://127.0.0.1:${port}/sdk` }),
    });
    const unreachable = await rejection(down.list({}, callContext()));
    expect(unreachable.code).toBe(ErrorCode.ProviderUnavailable);
    expect(unreachable.message).toBe('VMware vSphere could not be reached (ECONNREFUSED).');

    const wrongPath = await sim.connect({ url: sim.vcsim.url.replace(/\/sdk$/, '/api') });
    const error = await rejection(wrongPath.list({}, callContext()));
    expect(error.code).toBe(ErrorCode.ConfigInvalid);
    expect(error.message).toBe('VMware vSphere has no SDK endpoint at the url of provider `lab` (HTTP 404).');
  });
});

describe.skipIf(!vcsimBinary())('vsphere: TLS against vcsim', () => {
  let own: VsphereLab;
  let builtIn: VsphereLab;
  // One simulator serving a certificate of its own (as a vCenter with a private CA does), one with vcsim's built-in one.
  beforeAll(async () => {
    own = await VsphereLab.start({ certificate: untrustedSelfSigned() });
    builtIn = await VsphereLab.start();
  });
  afterEach(async () => {
    await own.closeAccounts();
    await builtIn.closeAccounts();
  });
  afterAll(async () => {
    await own?.stop();
    await builtIn?.stop();
  });

  it('verifies the certificate by default: a self-signed one is refused with what to do', async () => {
    const lab = await own.connect({ insecure: false });
    const error = await rejection(lab.list({}, callContext()));
    expect(error.code).toBe(ErrorCode.ProviderUnavailable);
    expect(error.message).toMatch(
      /^The TLS certificate of 127\.0\.0\.1:\d+ is not trusted by provider `lab` \(DEPTH_ZERO_SELF_SIGNED_CERT: self[- ]signed certificate\)\.$/,
    );
    expect(error.hint).toMatch(/`caFile`.*`insecure: true`/);
  });

  it('trusts the certificate given as caFile', async () => {
    const lab = await own.connect({ insecure: false, caFile: untrustedSelfSigned().certFile });
    expect((await lab.list({}, callContext())).machines).toHaveLength(4);
  });

  it('refuses a certificate with a weak key (vcsim’s built-in one), in OpenSSL’s words', async () => {
    const lab = await builtIn.connect({ insecure: false });
    const error = await rejection(lab.list({}, callContext()));
    expect(error.message).toMatch(/is not trusted by provider `lab` \(EE certificate key too weak\)\.$/);
  });

  it('with insecure: true, works and says loudly in the log that verification is off; never logs the password', async () => {
    const lines: string[] = [];
    const insecure = await vsphereModule.connect({
      id: 'lab',
      label: 'VMware vSphere',
      config: vsphereModule.configSchema.parse(labConfig(builtIn.vcsim)),
      timeoutMs: 5_000,
      secretSources: { password: 'VSPHERE_PASSWORD' },
      log: pino({ level: 'debug' }, { write: (line: string) => lines.push(line) }),
      clock: Date,
    });
    try {
      expect((await insecure.list({}, callContext())).machines).toHaveLength(4);
      const warning = lines.map((line) => JSON.parse(line)).find((entry) => entry.level === 40);
      expect(warning?.msg).toMatch(
        /^TLS CERTIFICATE VERIFICATION IS OFF for provider lab \(insecure: true\)/,
      );
      // Even at debug level, the password never reaches the log.
      expect(lines.join('\n')).not.toContain(builtIn.vcsim.password);
    } finally {
      await insecure.close?.();
    }
  });
});
