import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { api, apiUrl, tokenFor } from '../support/api.js';
import { trackingPageUrl } from '../../functions/domain/dossier.js';
import { enterpriseRegistration } from '../support/dossiers.js';
import { axeViolations, launchChromium, screenshot, type LaunchedBrowser } from '../support/browser.js';
import { samplePdf, samplePng } from '../support/files.js';

/**
 * The portal in Chromium against the run's local stack, which serves the built app from its own origin:
 * a citizen finds a procedure and files a dossier with its documents, an official works it from the
 * inbox (reception, a supplement request the citizen answers, processing, a result, its return), the
 * citizen downloads the result and rates the service, anyone tracks it with code and PIN, and the public
 * dashboard shows the new figures. axe-core's WCAG 2.1 A/AA rules run on every page visited.
 * One browser for the file and the steps in order: each builds on the dossier of the previous one.
 */

let chromium: LaunchedBrowser;
let citizen: BrowserContext;
let official: BrowserContext;
let citizenPage: Page;
let officialPage: Page;
const run = Date.now().toString(36);
const agencyId = 'so-ke-hoach-va-dau-tu';
let code = '';
let pin = '';
let resolvedBefore = 0;
/** what the browser refused under the portal's Content-Security-Policy, from every page of both contexts */
const cspViolations: string[] = [];

async function expectAccessible(page: Page, what: string): Promise<void> {
  const violations = await axeViolations(page);
  expect(violations, `${what}: ${violations.join('\n')}`).toEqual([]);
}

/** The local sign-in page, reached from the portal's sign-in button, as a person fills it. */
async function signIn(page: Page, role: 'citizen' | 'official', subject: string): Promise<void> {
  await page.waitForURL(/\/local\/signin\?/);
  await expectAccessible(page, 'sign-in page');
  await page.getByLabel('Vai trò / Role').selectOption(role);
  await page.getByLabel('Tên đăng nhập / User name').fill(subject);
  if (role === 'official') await page.getByLabel('Cơ quan (cán bộ) / Agency (officials)').selectOption(agencyId);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL((url) => url.pathname === '/' && !url.search.includes('code='));
}

const statusOf = (page: Page) => page.getByTestId('status');
/** expect.poll with room for a loaded machine (its default gives up after one second); a real failure still fails */
const poll = <T>(fn: () => T | Promise<T>, options: { timeout?: number } = {}) => expect.poll(fn, { timeout: 10_000, ...options });

beforeAll(async () => {
  chromium = await launchChromium();
  citizen = await chromium.browser.newContext({ viewport: { width: 412, height: 900 }, locale: 'vi-VN' });
  official = await chromium.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
  // a missing element fails its step with Playwright's own message, well before the test's timeout
  citizen.setDefaultTimeout(15_000);
  official.setDefaultTimeout(15_000);
  for (const context of [citizen, official]) {
    context.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) cspViolations.push(`${message.location().url}: ${message.text()}`);
    });
  }
  citizenPage = await citizen.newPage();
  officialPage = await official.newPage();
  resolvedBefore = (await api('/stats')).json.figures.resolved.total;
}, 60_000);

afterAll(async () => {
  await chromium?.close();
});

describe('the web portal in Chromium', { timeout: 60_000 }, () => {
  test('a citizen finds the procedure without accents, reads it, and signs in to apply', async () => {
    const page = citizenPage;
    await page.goto(`${apiUrl()}/`);
    await poll(() => page.locator('h1').textContent()).toBe('Tìm thủ tục hành chính');
    await expectAccessible(page, 'catalog');
    await screenshot(page, 'catalog', { fullPage: false });
    await page.getByLabel('Từ khóa (có dấu hoặc không dấu)').fill('doanh nghiep tu nhan');
    await page.getByLabel('Mức độ').selectOption('4');
    await page.getByRole('button', { name: 'Tìm kiếm' }).click();
    const link = page.getByRole('link', { name: 'Đăng ký thành lập doanh nghiệp tư nhân' });
    await link.click();
    await poll(() => page.locator('h1').textContent()).toBe('Đăng ký thành lập doanh nghiệp tư nhân');
    const text = await page.locator('main').textContent();
    expect(text).toContain('3 ngày làm việc');
    expect(text).toContain('Giấy đề nghị đăng ký doanh nghiệp tư nhân');
    expect(text).toContain('Sở Kế hoạch và Đầu tư');
    expect(text).toMatch(/50\.000\s₫/);
    await expectAccessible(page, 'procedure');
    await screenshot(page, 'procedure');
    await page.getByRole('button', { name: 'Đăng nhập để nộp hồ sơ' }).click();
    await signIn(page, 'citizen', `web-citizen-${run}`);
    await poll(() => page.locator('h1').textContent()).toContain('Nộp hồ sơ trực tuyến');
  });

  test('the form shows the API’s messages, then the dossier is filed with verified documents and a receipt', async () => {
    const page = citizenPage;
    await page.getByLabel('Họ và tên').fill('Hoàng Thị Lan');
    await page.getByLabel('Số CCCD / CMND').fill('12345');
    await page.getByLabel('Số điện thoại').fill('0912345678');
    await page.getByRole('textbox', { name: 'Địa chỉ', exact: true }).fill('Số 5 đường Lê Lợi, thành phố Lạng Sơn');
    await page.getByLabel('Tên doanh nghiệp viết bằng tiếng Việt').fill(`Doanh nghiệp tư nhân Web ${run}`);
    await page.getByLabel('Vốn đầu tư (đồng)').fill('500000000');
    await page.getByLabel('Ngành, nghề kinh doanh chính').fill('Bán lẻ nông sản');
    await page.getByLabel('Địa chỉ trụ sở chính').fill('Thành phố Lạng Sơn');
    await page.getByRole('button', { name: 'Lưu và tiếp tục tải giấy tờ' }).click();
    // The API refuses the short id number: its Vietnamese message and its message for that field are shown.
    await poll(() => page.getByRole('alert').textContent()).toContain('Thông tin gửi lên không hợp lệ');
    await poll(() => page.getByLabel('Số CCCD / CMND').getAttribute('aria-invalid')).toBe('true');
    // the field's own message is the API's messageVi for it, word for word
    expect(await page.locator('input[name="applicant.idNumber"] ~ .field-error').textContent()).toBe('Số Căn cước công dân gồm 12 chữ số (hoặc Chứng minh nhân dân 9 chữ số).');
    await expectAccessible(page, 'form with errors');
    await screenshot(page, 'apply-form');

    await page.getByLabel('Số CCCD / CMND').fill('020090001234');
    await page.getByRole('button', { name: 'Lưu và tiếp tục tải giấy tờ' }).click();
    await page.waitForURL(/#\/dossiers\/.+/);
    await poll(() => statusOf(page).textContent()).toBe('Bản nháp');
    code = decodeURIComponent(page.url().split('#/dossiers/')[1] ?? '');

    await page.getByLabel('Chọn tệp: Giấy đề nghị đăng ký doanh nghiệp tư nhân', { exact: true }).setInputFiles({ name: 'giay-de-nghi.pdf', mimeType: 'application/pdf', buffer: samplePdf });
    await poll(() => page.locator('.upload-status').first().textContent(), { timeout: 20_000 }).toContain('Hợp lệ');
    expect(await page.locator('progress').first().getAttribute('value')).toBe('100');
    // A file whose bytes are not what it claims: the verifier's verdict says so.
    await page.getByLabel('Chọn tệp: Bản sao Căn cước công dân hoặc Căn cước (hai mặt)', { exact: true }).setInputFiles({ name: 'cccd.png', mimeType: 'image/png', buffer: samplePdf });
    await poll(() => page.locator('.upload-status').nth(1).textContent(), { timeout: 20_000 }).toContain('Bị từ chối');
    await page.getByLabel('Chọn tệp: Bản sao Căn cước công dân hoặc Căn cước (hai mặt)', { exact: true }).setInputFiles({ name: 'cccd.png', mimeType: 'image/png', buffer: samplePng });
    await poll(() => page.locator('.upload-status').nth(1).textContent(), { timeout: 20_000 }).toContain('Hợp lệ');
    await expectAccessible(page, 'draft with uploads');
    await screenshot(page, 'uploads');

    await page.getByRole('button', { name: 'Gửi hồ sơ' }).click();
    await poll(() => statusOf(page).textContent()).toBe('Mới đăng ký');
    code = decodeURIComponent(page.url().split('#/dossiers/')[1] ?? '');
    expect(code).toMatch(/^\d{3}\.\d{2}\.\d{2}\.H37-\d{6}-\d{4}$/);
    pin = (await page.getByTestId('pin').textContent()) ?? '';
    expect(pin).toMatch(/^\d{6}$/);
    await expectAccessible(page, 'receipt');
    await screenshot(page, 'receipt');
  });

  test('the citizen pays the fees on the simulated platform, comes back through the return page and downloads the receipt', async () => {
    const page = citizenPage;
    const payment = page.locator('#payment');
    await poll(() => payment.getByTestId('amount-due').textContent()).toMatch(/150\.000\s₫/);
    await payment.getByRole('button', { name: 'Thanh toán trực tuyến' }).click();
    await page.waitForURL(/\/local\/paygov\/pay\//);
    expect(await page.locator('#amount').textContent()).toContain('150.000');
    await page.getByRole('button', { name: 'Thanh toán (Pay)' }).click();
    await page.waitForURL(/\/payments\/paygov\/return\?/);
    // the platform's signed callback settled it before the browser came back
    expect(await page.locator('#status').getAttribute('data-status')).toBe('paid');
    await page.getByRole('link', { name: 'Quay lại hồ sơ' }).click();
    await poll(() => page.getByTestId('paid').textContent()).toMatch(/Đã thanh toán 150\.000\s₫/);
    expect(await payment.getByRole('button', { name: 'Thanh toán trực tuyến' }).count()).toBe(0);
    const download = page.waitForEvent('download');
    await payment.getByRole('button', { name: /^Tải biên lai BL-/ }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^bien-lai-BL-.+\.pdf$/);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(await file.path()).subarray(0, 5).toString()).toBe('%PDF-');
    await expectAccessible(page, 'paid dossier');
    await screenshot(page, 'payment');
  });

  test('my dossiers follow the API’s pages with “Xem thêm”', async () => {
    const page = citizenPage;
    // a second dossier of the same citizen (a draft), so that pages of one make two
    const token = await tokenFor('citizen', { subject: `web-citizen-${run}` });
    const draft = await api('/dossiers', { token, body: { ...enterpriseRegistration(7), draft: true }, headers: { 'idempotency-key': `web-${run}-second` } });
    expect(draft.status).toBe(201);
    const draftCode: string = draft.json.code ?? draft.json.id ?? draft.json.dossier?.code;
    await page.goto(`${apiUrl()}/#/dossiers?limit=1`);
    const rows = page.locator('main tbody tr');
    await poll(() => rows.count()).toBe(1);
    const more = page.getByRole('button', { name: 'Xem thêm' });
    // one page per click until a page comes without nextCursor, which ends the list and removes the button
    for (let i = 0; i < 6 && (await more.count()); i++) {
      const before = await rows.count();
      await more.click();
      await poll(async () => (await more.count()) === 0 || (await rows.count()) > before).toBe(true);
    }
    expect(await more.count()).toBe(0);
    const shown = await rows.count();
    expect(shown).toBeGreaterThanOrEqual(2);
    const listed = await page.locator('main tbody').textContent();
    expect(listed).toContain(code);
    expect(listed).toContain(draftCode);
    expect(await page.getByTestId('shown').textContent()).toBe(`Đang hiển thị ${shown} hồ sơ`);
  });

  test('an official receives it from the inbox, prints form 01, and asks for a supplement', async () => {
    const page = officialPage;
    await page.goto(`${apiUrl()}/#/official`);
    await page.getByRole('main').getByRole('button', { name: 'Đăng nhập' }).click();
    await signIn(page, 'official', `web-official-${run}`);
    await page.goto(`${apiUrl()}/#/official`);
    const row = page.getByRole('row').filter({ hasText: code });
    await poll(() => row.count()).toBe(1);
    // not received yet: no appointment, so no countdown
    expect(await row.textContent()).toContain('Chưa có hạn');
    await expectAccessible(page, 'inbox');
    await row.getByRole('link', { name: code }).click();
    await poll(() => statusOf(page).textContent()).toBe('Mới đăng ký');
    expect(await page.locator('.doc-list').textContent()).toContain('Hợp lệ');
    // a verified application document opens through its own short presigned GET: the very bytes uploaded
    const answer = page.waitForResponse((r) => r.url().includes(`/dossiers/${encodeURIComponent(code)}/documents/`) && r.request().method() === 'GET');
    const opened = page.context().waitForEvent('page');
    await page.getByRole('button', { name: 'Mở tệp giay-de-nghi.pdf' }).click();
    const link = await answer;
    expect(link.status()).toBe(200);
    const { url } = (await link.json()) as { url: string };
    expect(Buffer.from(await (await fetch(url)).arrayBuffer()).equals(samplePdf)).toBe(true);
    await (await opened).close();
    await expectAccessible(page, 'official dossier');
    await page.locator('form.action-receive').getByRole('button', { name: 'Tiếp nhận' }).click();
    await poll(() => statusOf(page).textContent()).toBe('Được tiếp nhận');
    await screenshot(page, 'official-dossier');

    await page.getByRole('link', { name: /Mẫu 01/ }).click();
    await poll(() => page.locator('.paper h1').textContent()).toBe('GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ');
    const paper = await page.locator('.paper').textContent();
    expect(paper).toContain(code);
    expect(paper).toContain('Giấy đề nghị đăng ký doanh nghiệp tư nhân');
    await expectAccessible(page, 'form 01');
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header.site').isVisible()).toBe(false);
    await page.emulateMedia({ media: 'screen' });
    await page.goBack();

    const supplement = page.locator('form.action-request-supplement');
    await supplement.getByLabel('Lý do').fill('Bản sao CCCD mờ, không đọc được');
    await supplement.getByLabel('Bản sao Căn cước công dân hoặc Căn cước (hai mặt)').check();
    await supplement.getByRole('button', { name: 'Yêu cầu bổ sung' }).click();
    await poll(() => statusOf(page).textContent()).toBe('Yêu cầu bổ sung giấy tờ');
    // form 02 is filled from the request: what is missing and why
    await page.getByRole('link', { name: /Mẫu 02/ }).click();
    await poll(() => page.locator('.paper h1').textContent()).toBe('PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ');
    const form02 = await page.locator('.paper').textContent();
    expect(form02).toContain('Bản sao Căn cước công dân hoặc Căn cước (hai mặt)');
    expect(form02).toContain('Bản sao CCCD mờ, không đọc được');
    await expectAccessible(page, 'form 02');
  });

  test('the citizen sees what is missing and answers the supplement', async () => {
    const page = citizenPage;
    await page.goto(`${apiUrl()}/#/dossiers`);
    await page.getByRole('link', { name: code }).click();
    await poll(() => statusOf(page).textContent()).toBe('Yêu cầu bổ sung giấy tờ');
    const box = page.locator('section.alert.warning');
    expect(await box.textContent()).toContain('Bản sao CCCD mờ, không đọc được');
    // the official named that component: it is the only one offered for a new file
    expect(await box.locator('input[type="file"]').count()).toBe(1);
    await box.getByLabel('Chọn tệp: Bản sao Căn cước công dân hoặc Căn cước (hai mặt)', { exact: true }).setInputFiles({ name: 'cccd-ro.png', mimeType: 'image/png', buffer: samplePng });
    await poll(() => box.locator('.upload-status').first().textContent(), { timeout: 20_000 }).toContain('Hợp lệ');
    await expectAccessible(page, 'supplement request');
    await screenshot(page, 'supplement');
    await box.getByLabel('Ghi chú cho cơ quan').fill('Đã tải lại bản chụp rõ');
    await box.getByRole('button', { name: 'Gửi bổ sung' }).click();
    await poll(() => statusOf(page).textContent()).toBe('Được tiếp nhận');
  });

  test('the official processes it, uploads the result and returns it', async () => {
    const page = officialPage;
    await page.goto(`${apiUrl()}/#/official?status=2`);
    await page.getByRole('link', { name: code }).click();
    await page.locator('form.action-start-processing').getByRole('button', { name: 'Chuyển xử lý' }).click();
    await poll(() => statusOf(page).textContent()).toBe('Đang xử lý');
    await page.getByLabel('Tải lên kết quả', { exact: true }).setInputFiles({ name: 'giay-chung-nhan.pdf', mimeType: 'application/pdf', buffer: samplePdf });
    // once verified, the page reloads with the result listed and its verdict
    await poll(() => page.getByTestId('results').textContent(), { timeout: 20_000 }).toContain('giay-chung-nhan.pdf');
    expect(await page.getByTestId('results').textContent()).toContain('Hợp lệ');
    await page.locator('form.action-finish').getByRole('button', { name: 'Hoàn thành xử lý' }).click();
    await poll(() => statusOf(page).textContent()).toBe('Đã xử lý xong');
    await page.locator('form.action-return').getByRole('button', { name: 'Trả kết quả' }).click();
    await poll(() => statusOf(page).textContent()).toBe('Đã trả kết quả');
    await expectAccessible(page, 'returned dossier');
    await page.goto(`${apiUrl()}/#/official?status=closed`);
    const closed = page.getByRole('row').filter({ hasText: code });
    await poll(() => closed.count()).toBe(1);
    // returned well before its appointment: the closed list says how it ended, not a countdown
    expect(await closed.textContent()).toContain('Trước hạn');
    await screenshot(page, 'inbox');
  });

  test('the citizen downloads the result and rates the service; anyone tracks it with code and PIN', async () => {
    const page = citizenPage;
    await page.goto(`${apiUrl()}/#/dossiers`);
    const row = page.getByRole('row').filter({ hasText: code });
    expect(await row.textContent()).toContain('Đã trả kết quả');
    await row.getByRole('link', { name: code }).click();
    await poll(() => statusOf(page).textContent()).toBe('Đã trả kết quả');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Tải về giay-chung-nhan.pdf' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('giay-chung-nhan.pdf');
    const path = await file.path();
    expect(path).toBeTruthy();
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(path).equals(samplePdf)).toBe(true);
    await page.getByLabel('Hài lòng', { exact: true }).check();
    await page.getByRole('button', { name: 'Gửi đánh giá' }).click();
    await poll(() => page.locator('.alert.ok').textContent()).toContain('Đã đánh giá: Hài lòng');
    await expectAccessible(page, 'returned dossier (citizen)');

    const stranger = await chromium.browser.newContext({ locale: 'vi-VN' });
    const anon = await stranger.newPage();
    // the link the SMS and e-mails carry opens this page with the code filled in: only the PIN is typed
    await anon.goto(trackingPageUrl(apiUrl(), code));
    expect(await anon.getByLabel('Mã hồ sơ').inputValue()).toBe(code);
    await anon.getByLabel('Mã tra cứu (PIN)').fill(pin);
    await anon.getByRole('button', { name: 'Tra cứu' }).click();
    await poll(() => anon.locator('.status').first().textContent()).toBe('Đã trả kết quả');
    expect(await anon.locator('main').textContent()).not.toContain('Hoàng Thị Lan');
    await expectAccessible(anon, 'tracking');
    await screenshot(anon, 'tracking');
    // English on request: the same page, relabelled
    await anon.getByRole('button', { name: 'Switch to English' }).click();
    await poll(() => anon.locator('h1').textContent()).toBe('Track a dossier by code and PIN');
    expect(await anon.locator('html').getAttribute('lang')).toBe('en');
    await expectAccessible(anon, 'tracking in English');
    await stranger.close();

    // signing out leaves neither the token nor the codes and PINs in the tab (a shared desk computer)
    const kept = () => page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('motcua.')));
    expect(await kept()).toEqual(expect.arrayContaining(['motcua.token', expect.stringMatching(/^motcua\.pin\./)]));
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    expect(await kept()).toEqual([]);
  });

  test('the public dashboard shows the new figures, the ranking and a CSV', { timeout: 90_000 }, async () => {
    const page = await official.newPage();
    // Counters trail the workflow by the stream delay (the batching window, and behind the other suites'
    // bursts when the whole run shares one stack): wait until the API counts the returned dossier. The
    // page is opened on the stack's own year, which other files may have moved the shared clock away
    // from: the page's default is the browser's year.
    let stats = (await api('/stats')).json;
    await expect
      .poll(
        async () => {
          stats = (await api('/stats')).json;
          return Number(stats.figures.resolved.total);
        },
        { timeout: 60_000 },
      )
      .toBeGreaterThan(resolvedBefore);
    await page.goto(`${apiUrl()}/#/stats?year=${String(stats.period.from).slice(0, 4)}`);
    await page.getByTestId('resolved').waitFor();
    expect(Number(await page.getByTestId('resolved').textContent())).toBeGreaterThanOrEqual(Number(stats.figures.resolved.total));
    expect(await page.locator('canvas').count()).toBe(1);
    expect(await page.getByRole('row').filter({ hasText: 'Sở Kế hoạch và Đầu tư' }).count()).toBeGreaterThan(0);
    const csv = await page.getByRole('link', { name: 'Tải CSV' }).getAttribute('href');
    const answer = await fetch(`${apiUrl()}${csv}`);
    expect(answer.headers.get('content-type')).toContain('text/csv');
    await answer.text();
    await expectAccessible(page, 'dashboard');
    await screenshot(page, 'dashboard');
    await page.close();
  });

  test('every page kept to the Content-Security-Policy the cloud sends, which the local API sends too', async () => {
    const page = await fetch(`${apiUrl()}/`);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(cspViolations).toEqual([]);
  });
});
