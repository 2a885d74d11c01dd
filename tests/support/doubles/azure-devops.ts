/**
 * A double of Azure DevOps' "Work Items - Create"
 * (POST {organization}/{project}/_apis/wit/workitems/${type}?api-version=7.1),
 * checking what the real service checks — Basic auth with the PAT, the
 * JSON Patch media type, an api-version, patch operations on /fields/…, a
 * title — and answering as it does: the work item with `_links.html`, or its
 * error bodies (`$id`, `message`, `typeKey`…), the sign-in page with 203 for
 * a request without credentials, 401 for a wrong PAT.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { json, type RecordedRequest } from '../http-server.ts';
import { Faults } from './faults.ts';
import { ProviderDouble } from './provider-double.ts';

export interface DoubleWorkItem {
  readonly id: number;
  readonly project: string;
  readonly type: string;
  readonly fields: Readonly<Record<string, string>>;
}

export interface AzureDevopsDoubleOptions {
  readonly organization?: string;
  readonly pat?: string;
  readonly projects?: Readonly<Record<string, readonly string[]>>;
}

const OPERATIONS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

function vssError(
  response: ServerResponse,
  status: number,
  message: string,
  typeKey: string,
  typeName: string,
  headers: Record<string, string> = {},
): void {
  json(
    response,
    status,
    {
      $id: '1',
      innerException: null,
      message,
      typeName: `${typeName}, Microsoft.TeamFoundation.WorkItemTracking.Server`,
      typeKey,
      errorCode: 0,
      eventId: 3200,
    },
    headers,
  );
}

export class AzureDevopsDouble extends ProviderDouble {
  readonly organization: string;
  readonly pat: string;
  readonly workItems: DoubleWorkItem[] = [];
  protected readonly faults = new Faults((response, fault, headers) =>
    vssError(
      response,
      fault.status,
      'TF400898: An Internal Error Occurred. Activity Id: 6c1fd1ea-7b0a-4a4b-9a6e-2f2b8c9a1d11.',
      'InternalServerErrorException',
      'Microsoft.TeamFoundation.Framework.Server.InternalServerErrorException',
      headers,
    ),
  );
  private readonly projects: Readonly<Record<string, readonly string[]>>;
  private readonly projectIds = new Map<string, string>();
  private nextId = 4711;

  private constructor(options: AzureDevopsDoubleOptions) {
    super();
    this.organization = options.organization ?? 'acme';
    this.pat = options.pat ?? 'azdopatvalue0123456789abcdefghijklmnopqrstuvwxyz01';
    this.projects = options.projects ?? { Operations: ['Issue', 'Task', 'Bug', 'Epic'] };
  }

  static async start(options: AzureDevopsDoubleOptions = {}): Promise<AzureDevopsDouble> {
    const double = new AzureDevopsDouble(options);
    await double.listen();
    return double;
  }

  /** The organization URL, as https://dev.azure.com/ORG would be. */
  get url(): string {
    return `${this.root}/${this.organization}`;
  }

  protected handle(request: RecordedRequest, response: ServerResponse): void {
    const auth = request.headers.authorization;
    if (!auth) {
      // What Azure DevOps does for an anonymous call: its sign-in page, with 203.
      response
        .writeHead(203, { 'Content-Type': 'text/html; charset=utf-8' })
        .end(
          '<!DOCTYPE html><html><head><title>Azure DevOps Services | Sign In</title></head><body></body></html>',
        );
      return;
    }
    const [scheme, encoded] = auth.split(' ');
    const password =
      scheme === 'Basic'
        ? Buffer.from(encoded ?? '', 'base64')
            .toString('utf8')
            .split(':')
            .slice(1)
            .join(':')
        : '';
    if (password !== this.pat) {
      response
        .writeHead(401, {
          'WWW-Authenticate': 'Basic realm="https://dev.azure.com/"',
          'X-TFS-ProcessId': randomUUID(),
        })
        .end();
      return;
    }
    const match = /^\/([^/]+)\/([^/]+)\/_apis\/wit\/workitems\/\$([^/]+)$/.exec(request.url.pathname);
    if (!match || decodeURIComponent(match[1] ?? '') !== this.organization || request.method !== 'POST') {
      json(response, 404, {
        $id: '1',
        message: 'The controller for path was not found or does not implement IController.',
      });
      return;
    }
    const project = decodeURIComponent(match[2] ?? '');
    const type = decodeURIComponent(match[3] ?? '');
    if (!request.url.searchParams.get('api-version')) {
      vssError(
        response,
        400,
        'No api-version was supplied for the "POST" request. The version must be supplied either as part of the Accept header (e.g. "application/json; api-version=1.0") or as a query parameter (e.g. \'?api-version=1.0\').',
        'VssVersionNotSpecifiedException',
        'Microsoft.VisualStudio.Services.WebApi.VssVersionNotSpecifiedException',
      );
      return;
    }
    const contentType = String(request.headers['content-type'] ?? '');
    if (!contentType.startsWith('application/json-patch+json')) {
      vssError(
        response,
        415,
        `VS402398: The request indicated a Content-Type of "${contentType}" for method type "POST" which is not supported. Valid content types for this method are: application/json-patch+json.`,
        'VssRequestContentTypeNotSupportedException',
        'Microsoft.VisualStudio.Services.WebApi.VssRequestContentTypeNotSupportedException',
      );
      return;
    }
    const types = this.projects[project];
    if (!types) {
      vssError(
        response,
        404,
        `TF200016: The following project does not exist: ${project}. Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server.`,
        'ProjectDoesNotExistWithNameException',
        'Microsoft.TeamFoundation.Core.WebApi.ProjectDoesNotExistWithNameException',
      );
      return;
    }
    if (!types.some((known) => known.toLowerCase() === type.toLowerCase())) {
      vssError(
        response,
        404,
        `VS402323: Work item type ${type} does not exist in project ${project} or you do not have permission to access it.`,
        'WorkItemTypeNotFoundException',
        'Microsoft.TeamFoundation.WorkItemTracking.Server.Metadata.WorkItemTypeNotFoundException',
      );
      return;
    }
    const fields = this.fieldsFrom(request.body);
    if (typeof fields === 'string') {
      vssError(
        response,
        400,
        fields,
        'JsonPatchDocumentException',
        'Microsoft.VisualStudio.Services.WebApi.Patch.JsonPatchDocumentException',
      );
      return;
    }
    if (!fields['System.Title']) {
      vssError(
        response,
        400,
        'TF401320: Rule Error for field Title. Error code: Required, HasValues, LimitedToValues, AllowsOldValue, InvalidEmpty.',
        'RuleValidationException',
        'Microsoft.TeamFoundation.WorkItemTracking.Server.RuleValidationException',
      );
      return;
    }
    const item: DoubleWorkItem = { id: this.nextId++, project, type, fields };
    this.workItems.push(item);
    json(response, 200, this.workItemBody(item));
  }

  /** The fields a JSON Patch document sets, or why it is not one. */
  private fieldsFrom(body: unknown): Record<string, string> | string {
    if (!Array.isArray(body)) return 'You must pass a valid patch document in the body of the request.';
    const fields: Record<string, string> = {};
    for (const operation of body as { op?: unknown; path?: unknown; value?: unknown }[]) {
      if (typeof operation.op !== 'string' || !OPERATIONS.has(operation.op))
        return `Operation '${String(operation.op)}' is not supported.`;
      if (typeof operation.path !== 'string' || !operation.path.startsWith('/fields/'))
        return `TF401326: Invalid path "${String(operation.path)}".`;
      if (operation.op === 'add' || operation.op === 'replace')
        fields[operation.path.slice(8)] = String(operation.value);
    }
    return fields;
  }

  private projectId(project: string): string {
    const known = this.projectIds.get(project) ?? randomUUID();
    this.projectIds.set(project, known);
    return known;
  }

  private workItemBody(item: DoubleWorkItem): Record<string, unknown> {
    const org = `https://dev.azure.com/${this.organization}`;
    const api = `${org}/${this.projectId(item.project)}/_apis/wit/workItems/${item.id}`;
    const now = new Date().toISOString();
    const person = {
      displayName: 'cloudmaster',
      url: 'https://spsprodweu5.vssps.visualstudio.com/A1b2c3d4/_apis/Identities/0f6d3e2a-1c4b-4a8e-9d7f-2b5c6a7e8f90',
      id: '0f6d3e2a-1c4b-4a8e-9d7f-2b5c6a7e8f90',
      uniqueName: 'cloudmaster@acme.example',
      descriptor: 'aad.MGY2ZDNlMmEtMWM0Yi03YThlLTlkN2YtMmI1YzZhN2U4Zjkw',
    };
    return {
      id: item.id,
      rev: 1,
      fields: {
        'System.AreaPath': item.fields['System.AreaPath'] ?? item.project,
        'System.TeamProject': item.project,
        'System.IterationPath': item.project,
        'System.WorkItemType': item.type,
        'System.State': 'To Do',
        'System.Reason': 'Added to backlog',
        'System.CreatedDate': now,
        'System.CreatedBy': person,
        'System.ChangedDate': now,
        'System.ChangedBy': person,
        'System.CommentCount': 0,
        ...item.fields,
        'Microsoft.VSTS.Common.Priority': 2,
      },
      _links: {
        self: { href: api },
        workItemUpdates: { href: `${api}/updates` },
        workItemRevisions: { href: `${api}/revisions` },
        workItemComments: { href: `${api}/comments` },
        html: { href: `${org}/${this.projectId(item.project)}/_workitems/edit/${item.id}` },
        workItemType: {
          href: `${org}/${this.projectId(item.project)}/_apis/wit/workItemTypes/${encodeURIComponent(item.type)}`,
        },
        fields: { href: `${org}/${this.projectId(item.project)}/_apis/wit/fields` },
      },
      url: api,
    };
  }
}
