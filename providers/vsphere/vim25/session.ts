/**
 * A vim25 session: the service content read once, one login whose
 * `vmware_soap_session` cookie every call reuses, a second login — once —
 * when vCenter says the session is gone, and a logout at shutdown.
 *
 * vCenter says "session gone" two ways: a `NotAuthenticated` SOAP fault, or
 * (for property reads) an answer of 200 whose objects hold a `missingSet`
 * with a `NotAuthenticated` fault. The property-collector reader turns the
 * second into the first, so `run` sees one kind of error.
 */
import type { Logger } from 'pino';
import { CloudmasterError, ErrorCode } from '../../../src/errors.ts';
import { type HttpProvider, outcomeUnknownError } from '../../http/errors.ts';
import { envelope } from './envelope.ts';
import { isFaultOfType, readSoapFault, SoapFault } from './faults.ts';
import type { SoapTransport } from './transport.ts';
import { type ManagedObjectReference, moref, readMoref, type SoapStruct } from './values.ts';
import { child, childText, parseXml, SOAP_ENVELOPE, type XmlElement, XmlSyntaxError } from './xml.ts';

const SESSION_COOKIE = 'vmware_soap_session';
/** Any vim25 server answers RetrieveServiceContent in this version; later calls use the server's own. */
const BOOTSTRAP_VERSION = '6.5';

export interface ServiceContent {
  readonly rootFolder: ManagedObjectReference;
  readonly propertyCollector: ManagedObjectReference;
  readonly viewManager: ManagedObjectReference;
  readonly sessionManager: ManagedObjectReference;
  /** "6.5", "8.0.2.0". */
  readonly apiVersion: string;
  /** "VirtualCenter" or "HostAgent" (a standalone ESXi). */
  readonly apiType: string;
  /** "VMware vCenter Server 8.0.2 build-…". */
  readonly fullName: string;
}

/** What a piece of work inside a session calls. */
export interface Vim25Api {
  readonly content: ServiceContent;
  /**
   * Calls a method; the answer is the `<MethodResponse>` element. A fault
   * is thrown as a SoapFault. `idempotent`: a read, safe to send again
   * after a dropped connection.
   */
  invoke(
    method: string,
    self: ManagedObjectReference,
    args?: SoapStruct,
    options?: { readonly idempotent?: boolean },
  ): Promise<XmlElement>;
}

export interface SessionOptions {
  readonly transport: SoapTransport;
  readonly username: string;
  readonly password: string;
  readonly provider: HttpProvider;
  readonly log: Logger;
}

function required(element: XmlElement | undefined, name: string): ManagedObjectReference {
  const ref = readMoref(child(element, name));
  if (!ref)
    throw new CloudmasterError(
      ErrorCode.ProviderUnexpected,
      `The vSphere service content has no ${name}: is the url a vCenter or ESXi SDK endpoint?`,
    );
  return ref;
}

export class Vim25Session {
  private readonly options: SessionOptions;
  private cookie: string | undefined;
  /** Counts logins, so concurrent calls that all saw the session expire log in again only once. */
  private generation = 0;
  private loggingIn: Promise<void> | undefined;
  private content: Promise<ServiceContent> | undefined;

  constructor(options: SessionOptions) {
    this.options = options;
  }

  /** Runs `work` logged in; if the session turns out to be gone, logs in again once and runs it again. */
  async run<T>(signal: AbortSignal, work: (api: Vim25Api) => Promise<T>): Promise<T> {
    const content = await this.serviceContent(signal);
    const loginAt = await this.loggedIn(content, signal);
    const api = this.api(content, signal);
    try {
      return await work(api);
    } catch (error) {
      if (!isFaultOfType(error, 'NotAuthenticated')) throw error;
      this.options.log.info('vSphere session expired; logging in again');
      if (this.generation === loginAt) this.cookie = undefined;
      await this.loggedIn(content, signal);
      return await work(api);
    }
  }

  /** Ends the session (shutdown). Failures do not matter: the session expires on its own. */
  async logout(): Promise<void> {
    const content = await this.content?.catch(() => undefined);
    if (this.cookie && content) {
      await this.call(
        content.apiVersion,
        'Logout',
        content.sessionManager,
        {},
        AbortSignal.timeout(5_000),
        false,
      ).catch(() => undefined);
    }
    this.cookie = undefined;
  }

  serviceContent(signal: AbortSignal): Promise<ServiceContent> {
    this.content ??= this.call(
      BOOTSTRAP_VERSION,
      'RetrieveServiceContent',
      moref('ServiceInstance', 'ServiceInstance'),
      {},
      signal,
      true,
    ).then(
      (answer) => {
        const value = child(answer, 'returnval');
        const about = child(value, 'about');
        return {
          rootFolder: required(value, 'rootFolder'),
          propertyCollector: required(value, 'propertyCollector'),
          viewManager: required(value, 'viewManager'),
          sessionManager: required(value, 'sessionManager'),
          apiVersion: childText(about, 'apiVersion') ?? BOOTSTRAP_VERSION,
          apiType: childText(about, 'apiType') ?? 'VirtualCenter',
          fullName: childText(about, 'fullName') ?? 'vSphere',
        };
      },
      (error: unknown) => {
        this.content = undefined;
        throw error;
      },
    );
    return this.content;
  }

  /** Logs in unless a session is open; the generation of the session in use. */
  private async loggedIn(content: ServiceContent, signal: AbortSignal): Promise<number> {
    while (!this.cookie) {
      this.loggingIn ??= this.login(content, signal).finally(() => {
        this.loggingIn = undefined;
      });
      await this.loggingIn;
    }
    return this.generation;
  }

  private async login(content: ServiceContent, signal: AbortSignal): Promise<void> {
    const { username, password } = this.options;
    const args = { userName: username, password };
    const answer = await this.exchange(content.apiVersion, 'Login', content.sessionManager, args, signal, {
      idempotent: false,
      session: false,
    });
    const cookie = answer.setCookies
      .map((header) => header.split(';')[0]?.trim() ?? '')
      .find((pair) => pair.startsWith(`${SESSION_COOKIE}=`));
    if (!cookie)
      throw new CloudmasterError(
        ErrorCode.ProviderUnexpected,
        'vSphere accepted the login but set no session cookie.',
        {
          provider: this.options.provider.id,
        },
      );
    this.cookie = cookie;
    this.generation += 1;
    this.options.log.debug({ apiVersion: content.apiVersion }, 'vSphere login');
  }

  private api(content: ServiceContent, signal: AbortSignal): Vim25Api {
    return {
      content,
      invoke: (method, self, args = {}, options = {}) =>
        this.call(content.apiVersion, method, self, args, signal, options.idempotent ?? false),
    };
  }

  private async call(
    version: string,
    method: string,
    self: ManagedObjectReference,
    args: SoapStruct,
    signal: AbortSignal,
    idempotent: boolean,
  ): Promise<XmlElement> {
    return (await this.exchange(version, method, self, args, signal, { idempotent, session: true })).element;
  }

  /** One request and its answer; Login sends no session cookie and reads the one it is given. */
  private async exchange(
    version: string,
    method: string,
    self: ManagedObjectReference,
    args: SoapStruct,
    signal: AbortSignal,
    options: { readonly idempotent: boolean; readonly session: boolean },
  ): Promise<{ element: XmlElement; setCookies: readonly string[] }> {
    const response = await this.options.transport.post({
      body: envelope(method, self, args),
      soapAction: `"urn:vim25/${version}"`,
      cookie: options.session ? this.cookie : undefined,
      signal,
      method,
      idempotent: options.idempotent,
    });
    // A change (not Login) whose 200 cannot be read may or may not have been carried out.
    const change = options.session && !options.idempotent;
    const element = this.answer(method, response.status, response.body, change);
    return { element, setCookies: response.setCookies };
  }

  /** The `<MethodResponse>` element of an answer, or the fault it carries as a SoapFault. */
  private answer(method: string, status: number, text: string, change: boolean): XmlElement {
    const { provider } = this.options;
    let body: XmlElement | undefined;
    try {
      const root = parseXml(text);
      body = root.name === 'Envelope' && root.namespace === SOAP_ENVELOPE ? child(root, 'Body') : undefined;
    } catch (error) {
      if (!(error instanceof XmlSyntaxError)) throw error;
    }
    const first = body?.children[0];
    if (first?.name === 'Fault' && first.namespace === SOAP_ENVELOPE)
      throw new SoapFault(method, readSoapFault(first));
    if (status === 200 && first) return first;
    if (status === 200 && change)
      throw outcomeUnknownError(provider, method, status, 'it is not a vim25 SOAP answer');
    if (status === 404)
      throw new CloudmasterError(
        ErrorCode.ConfigInvalid,
        `${provider.label} has no SDK endpoint at the url of provider \`${provider.id}\` (HTTP 404).`,
        { provider: provider.id, hint: 'The url ends in /sdk, e.g. https://vcenter.example.com/sdk.' },
      );
    if (status >= 500 || status === 429)
      throw new CloudmasterError(
        ErrorCode.ProviderUnavailable,
        `${provider.label} failed with HTTP ${status} to ${method}.`,
        { provider: provider.id, hint: 'This is on the vCenter side; try again shortly.' },
      );
    throw new CloudmasterError(
      ErrorCode.ProviderUnexpected,
      `${provider.label} answered ${method} with something that is not a vim25 SOAP answer (HTTP ${status}).`,
      { provider: provider.id, hint: 'Check that the url is the vCenter or ESXi /sdk endpoint.' },
    );
  }
}
