import { api, putWithProgress, type Component, type Dossier, type DocumentView } from './api.js';
import { h, replace, uid } from './dom.js';
import { bytes, typeName } from './format.js';
import { currentLang, t } from './i18n.js';
import { errorText } from './main.js';

/** The verifier's verdict as a person reads it: verified, rejected with its reason, or still being checked. */
export function verdict(doc: DocumentView): HTMLElement {
  const reason = currentLang() === 'vi' ? (doc.reasonVi ?? doc.reason) : doc.reason;
  return h('span', { class: `verdict ${doc.status}` }, doc.status === 'verified' ? `✓ ${t('verified')}` : doc.status === 'rejected' ? `✗ ${t('rejected')}${reason ? `: ${reason}` : ''}` : t('pending'));
}

async function waitForVerdict(code: string, documentId: string, path: (code: string) => string): Promise<DocumentView | undefined> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const dossier = await api<Dossier>(path(code));
    const doc = dossier.documents?.find((d) => d.id === documentId);
    if (doc && doc.status !== 'pending') return doc;
    await new Promise((r) => setTimeout(r, 400));
  }
  return undefined;
}

/**
 * One file input per document component (or for a result): asks the API for an upload slot, PUTs the bytes
 * straight to storage with a progress bar, then waits for the verifier's verdict on the dossier.
 */
export function uploadControl(options: {
  code: string;
  label: string;
  accept: readonly string[];
  slot: (file: File) => Promise<{ document: DocumentView; upload: { url: string } }>;
  onDone: (doc: DocumentView | undefined) => void;
}): HTMLElement {
  const id = uid('file');
  const input = h('input', { type: 'file', id, accept: options.accept.join(','), 'aria-describedby': `${id}-status` });
  const progress = h('progress', { max: 100, value: 0, hidden: true, 'aria-label': `${t('uploading')}: ${options.label}` });
  const status = h('p', { id: `${id}-status`, class: 'upload-status', role: 'status' });
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (!file) return;
    void (async () => {
      input.disabled = true;
      progress.hidden = false;
      progress.value = 0;
      replace(status, `${t('uploading')} ${file.name} (${bytes(file.size)})…`);
      try {
        const slot = await options.slot(file);
        await putWithProgress(slot.upload.url, file, (f) => {
          progress.value = Math.round(f * 100);
        });
        progress.value = 100;
        replace(status, t('verifying'));
        const doc = await waitForVerdict(options.code, slot.document.id, (c) => `/dossiers/${encodeURIComponent(c)}`);
        replace(status, file.name, ': ', doc ? verdict(doc) : t('pending'));
        options.onDone(doc);
      } catch (err) {
        replace(status, h('span', { class: 'verdict rejected' }, errorText(err)));
      } finally {
        input.disabled = false;
        input.value = '';
      }
    })();
  });
  return h('div', { class: 'upload' }, h('label', { for: id }, options.label), input, progress, status);
}

/** The upload control of one component of the applicant's dossier. */
export function componentUpload(code: string, component: Component, onDone: (doc: DocumentView | undefined) => void): HTMLElement {
  return uploadControl({
    code,
    label: t('chooseFile', { name: component.name }),
    accept: component.allowedTypes,
    slot: (file) =>
      api(`/dossiers/${encodeURIComponent(code)}/documents`, {
        body: { component: component.id, fileName: file.name, contentType: file.type || 'application/octet-stream', size: file.size },
      }),
    onDone,
  });
}

export function documentList(docs: readonly DocumentView[], names: ReadonlyMap<string, string>): HTMLElement {
  return h(
    'ul',
    { class: 'doc-list' },
    docs.map((d) => h('li', {}, h('strong', {}, names.get(d.component) ?? d.component), `: ${d.fileName} (${typeName(d.type ?? d.declaredType)}, ${bytes(d.size ?? d.declaredSize)}) `, verdict(d))),
  );
}
