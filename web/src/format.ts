import { currentLang } from './i18n.js';

const locale = (): string => (currentLang() === 'vi' ? 'vi-VN' : 'en-GB');
const zone = 'Asia/Ho_Chi_Minh';

export const vnd = (n: number): string => `${new Intl.NumberFormat(locale()).format(n)} ₫`;
export const date = (iso: string | undefined): string => (iso ? new Intl.DateTimeFormat(locale(), { timeZone: zone, dateStyle: 'short' }).format(new Date(iso)) : '—');
export const dateTime = (iso: string | undefined): string =>
  iso ? new Intl.DateTimeFormat(locale(), { timeZone: zone, dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso)) : '—';
export const percent = (n: number | null | undefined): string => (n === null || n === undefined ? '—' : `${new Intl.NumberFormat(locale(), { maximumFractionDigits: 1 }).format(n)} %`);
export const bytes = (n: number): string => (n >= 1048576 ? `${(n / 1048576).toFixed(n % 1048576 ? 1 : 0)} MB` : `${Math.ceil(n / 1024)} KB`);
export const typeName = (mime: string): string => ({ 'application/pdf': 'PDF', 'image/jpeg': 'JPEG', 'image/png': 'PNG' })[mime] ?? mime;
