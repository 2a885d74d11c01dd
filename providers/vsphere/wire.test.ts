/**
 * What vcsim cannot show: faults only a real vCenter raises (TaskInProgress
 * while a task runs, NoPermission, DuplicateName), read from answers shaped
 * as vCenter sends them; namespace handling the simulator happens not to
 * need; and the pure parts of the machine mapping.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.ts';
import { faultError } from './errors.ts';
import { isPrivateIpv4, regionOf, sizeOf } from './machines.ts';
import { envelope } from './vim25/envelope.ts';
import { readLocalizedFault, readSoapFault } from './vim25/faults.ts';
import { moref, readMoref } from './vim25/values.ts';
import { child, parseXml, XmlSyntaxError, xsiType } from './vim25/xml.ts';

const where = { provider: 'lab', action: 'power off', target: 'web-1' };

function soapFault(detail: string, faultString = ''): ReturnType<typeof readSoapFault> {
  const root = parseXml(
    `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>${faultString}</faultstring><detail>${detail}</detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>`,
  );
  const fault = child(child(root, 'Body'), 'Fault');
  if (!fault) throw new Error('no fault');
  return readSoapFault(fault);
}

describe('vsphere: faults as vCenter sends them', () => {
  it('TaskInProgress: busy with another task', () => {
    const fault = soapFault(
      '<TaskInProgressFault xmlns="urn:vim25" xsi:type="TaskInProgress"><task type="Task">task-9</task></TaskInProgressFault>',
      'The operation is not allowed in the current state.',
    );
    const error = faultError(fault, where);
    expect(error.code).toBe(ErrorCode.InvalidState);
    expect(error.message).toBe('vSphere is busy with another task on web-1; try again when it has finished.');
  });

  it('NoPermission: names the privilege the role lacks', () => {
    const fault = soapFault(
      '<NoPermissionFault xmlns="urn:vim25" xsi:type="NoPermission"><object type="VirtualMachine">vm-42</object><privilegeId>VirtualMachine.Interact.PowerOff</privilegeId></NoPermissionFault>',
      'Permission to perform this operation was denied.',
    );
    const error = faultError(fault, where);
    expect(error.code).toBe(ErrorCode.ProviderAuth);
    expect(error.message).toBe(
      'The vSphere user of provider `lab` may not power off (it lacks VirtualMachine.Interact.PowerOff).',
    );
  });

  it('a task error: DuplicateName, with vCenter’s localized message', () => {
    const info = parseXml(
      '<error xmlns="urn:vim25" xmlns:x="http://www.w3.org/2001/XMLSchema-instance"><fault x:type="DuplicateName"><name>web-1</name></fault><localizedMessage>The name \'web-1\' already exists.</localizedMessage></error>',
    );
    const fault = readLocalizedFault(info);
    expect(fault?.type).toBe('DuplicateName');
    expect(faultError(fault as NonNullable<typeof fault>, { ...where, action: 'clone' }).message).toBe(
      "vSphere already has an object named web-1 there: The name 'web-1' already exists.",
    );
  });

  it('an unknown fault keeps its type and words', () => {
    const fault = soapFault(
      '<InsufficientMemoryResourcesFaultFault xmlns="urn:vim25" xsi:type="InsufficientMemoryResourcesFault"/>',
      'The available Memory resources in the parent resource pool are insufficient for the operation.',
    );
    expect(faultError(fault, { ...where, action: 'power on' }).message).toBe(
      'vSphere refused to power on (InsufficientMemoryResourcesFault): The available Memory resources in the parent resource pool are insufficient for the operation.',
    );
  });
});

describe('vsphere: the XML it reads and writes', () => {
  it('resolves xsi:type by namespace whatever the prefix, beside a `type` attribute in no namespace', () => {
    const value = parseXml(
      '<val xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance" XMLSchema-instance:type="ManagedObjectReference" type="HostSystem">host-21</val>',
    );
    expect(xsiType(value)).toBe('ManagedObjectReference');
    expect(readMoref(value)).toEqual(moref('HostSystem', 'host-21'));
    // A prefix that is not bound to the XML Schema instance namespace is not xsi.
    const other = parseXml('<val xmlns:xsi="urn:something-else" xsi:type="Nope">x</val>');
    expect(xsiType(other)).toBeUndefined();
  });

  it('refuses a DOCTYPE and malformed answers', () => {
    expect(() => parseXml('<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>')).toThrow(XmlSyntaxError);
    expect(() => parseXml('<a><b></a>')).toThrow(XmlSyntaxError);
  });

  it('escapes what it sends (a password with XML in it stays a password)', () => {
    const body = envelope('Login', moref('SessionManager', 'SessionManager'), {
      userName: 'ops',
      password: `a<b>&"c'`,
    });
    const login = child(child(parseXml(body), 'Body'), 'Login');
    expect(child(login, 'password')?.text).toBe(`a<b>&"c'`);
    expect(readMoref(child(login, '_this'))).toEqual(moref('SessionManager', 'SessionManager'));
  });
});

describe('vsphere: machine facts', () => {
  it('tells private from public IPv4 addresses', () => {
    for (const address of ['10.0.0.1', '172.16.5.4', '172.31.255.1', '192.168.1.9', '100.64.0.1'])
      expect(isPrivateIpv4(address), address).toBe(true);
    for (const address of ['203.0.113.10', '172.32.0.1', '8.8.8.8', '100.128.0.1'])
      expect(isPrivateIpv4(address), address).toBe(false);
  });

  it('sizes and places a VM the way people say it', () => {
    expect(sizeOf(2, 4096)).toBe('2 vCPU / 4 GiB');
    expect(sizeOf(1, 512)).toBe('1 vCPU / 512 MiB');
    expect(sizeOf(4, 1536)).toBe('4 vCPU / 1.5 GiB');
    expect(regionOf({ datacenter: 'DC0', cluster: 'C1', host: 'esx-3' })).toBe('DC0/C1');
    expect(regionOf({ datacenter: 'DC0', host: 'esx-3' })).toBe('DC0/esx-3');
  });
});
