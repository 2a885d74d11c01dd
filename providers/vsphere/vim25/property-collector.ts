/**
 * Reading properties of many objects at once through the property
 * collector: one `RetrievePropertiesEx` per page, then
 * `ContinueRetrievePropertiesEx` with the token while the server has more,
 * never one call per object. Objects come from a container view (a live
 * list of everything of some types below a folder or datacenter) or are
 * named one by one.
 */
import { readLocalizedFault, SoapFault } from './faults.ts';
import type { Vim25Api } from './session.ts';
import { type ManagedObjectReference, readMoref, type SoapStruct } from './values.ts';
import { child, childrenNamed, childText, type XmlElement } from './xml.ts';

/** Which properties to read from objects of one type. */
export interface PropertySpec {
  readonly type: string;
  readonly paths: readonly string[];
}

export interface ObjectContent {
  readonly obj: ManagedObjectReference;
  /** Property path → its `<val>` element; a property that is unset is absent. */
  readonly props: ReadonlyMap<string, XmlElement>;
}

export interface Retrieved {
  readonly objects: ObjectContent[];
  /** False when the page cap stopped the read. */
  readonly complete: boolean;
  readonly pages: number;
}

export interface PageOptions {
  /** Objects per page (the server may send fewer). */
  readonly pageSize: number;
  /** Pages read at most. */
  readonly maxPages: number;
}

/** The objects a read starts from: a container view's contents, or these objects themselves. */
export type Source =
  | { readonly view: ManagedObjectReference }
  | { readonly objects: readonly ManagedObjectReference[] };

function filterSpec(source: Source, specs: readonly PropertySpec[]): SoapStruct {
  const objectSet =
    'view' in source
      ? [
          {
            obj: source.view,
            skip: true,
            selectSet: [{ $type: 'TraversalSpec', type: 'ContainerView', path: 'view', skip: false }],
          },
        ]
      : source.objects.map((obj) => ({ obj, skip: false }));
  return {
    propSet: specs.map((spec) => ({ type: spec.type, all: false, pathSet: [...spec.paths] })),
    objectSet,
  };
}

/**
 * The objects of one page. A `NotAuthenticated` in a missingSet means the
 * session is gone (a property read does not fault for it): it is thrown as
 * the fault it stands for, so the session logs in again.
 */
function readPage(method: string, answer: XmlElement): { objects: ObjectContent[]; token?: string } {
  const result = child(answer, 'returnval');
  const objects: ObjectContent[] = [];
  for (const content of childrenNamed(result, 'objects')) {
    const obj = readMoref(child(content, 'obj'));
    if (!obj) continue;
    for (const missing of childrenNamed(content, 'missingSet')) {
      const fault = readLocalizedFault(child(missing, 'fault'));
      if (fault?.type === 'NotAuthenticated') throw new SoapFault(method, fault);
    }
    const props = new Map<string, XmlElement>();
    for (const property of childrenNamed(content, 'propSet')) {
      const name = childText(property, 'name');
      const value = child(property, 'val');
      if (name !== undefined && value !== undefined) props.set(name, value);
    }
    objects.push({ obj, props });
  }
  const token = childText(result, 'token');
  return token ? { objects, token } : { objects };
}

export async function retrieve(
  api: Vim25Api,
  source: Source,
  specs: readonly PropertySpec[],
  paging: PageOptions,
): Promise<Retrieved> {
  const collector = api.content.propertyCollector;
  const first = await api.invoke(
    'RetrievePropertiesEx',
    collector,
    { specSet: filterSpec(source, specs), options: { maxObjects: paging.pageSize } },
    { idempotent: true },
  );
  let page = readPage('RetrievePropertiesEx', first);
  const objects = [...page.objects];
  let pages = 1;
  while (page.token) {
    if (pages >= paging.maxPages) {
      // Free what the server keeps for the rest of the result.
      await api.invoke('CancelRetrievePropertiesEx', collector, { token: page.token }).catch(() => undefined);
      return { objects, complete: false, pages };
    }
    // Not repeated after a dropped connection: a processed continuation has moved past its page.
    const next = await api.invoke('ContinueRetrievePropertiesEx', collector, { token: page.token });
    page = readPage('ContinueRetrievePropertiesEx', next);
    objects.push(...page.objects);
    pages += 1;
  }
  return { objects, complete: true, pages };
}

/** Runs `use` with a container view of these types below `root`, destroyed afterwards. */
export async function withContainerView<T>(
  api: Vim25Api,
  root: ManagedObjectReference,
  types: readonly string[],
  use: (view: ManagedObjectReference) => Promise<T>,
): Promise<T> {
  const answer = await api.invoke('CreateContainerView', api.content.viewManager, {
    container: root,
    type: [...types],
    recursive: true,
  });
  const view = readMoref(child(answer, 'returnval'));
  if (!view)
    throw new SoapFault('CreateContainerView', { type: 'SystemError', message: 'no view', fields: answer });
  try {
    return await use(view);
  } finally {
    // Views end with the session anyway; a failure here must not hide the answer.
    await api.invoke('DestroyView', view).catch(() => undefined);
  }
}
