#!/usr/bin/env node
// Headless-Chromium checks for the dashboard page and `yuqing report` (run by
// dashboard_test.cpp; playwright-core drives Debian's /usr/bin/chromium, no browser download).
//
//   node browser_check.js dashboard --url http://127.0.0.1:PORT/ --brand ID --reason TEXT --out DIR
//   node browser_check.js report --file report.html --reason TEXT --out DIR [--min-points N] [--baseline]
//
// Prints one JSON line with what it measured; exits 1 with the reasons when a check fails.
// Screenshots (PNG) go to DIR. Every check fails on a console error or an uncaught exception.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.YUQING_CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

function parseArgs(argv) {
  const [mode, ...rest] = argv;
  const opts = { mode };
  for (let i = 0; i < rest.length; ++i) {
    const key = rest[i].replace(/^--/, '');
    if (key === 'baseline') { opts.baseline = true; continue; }
    opts[key] = rest[++i];
  }
  return opts;
}

// A fresh profile per run (--user-data-dir), removed afterwards.
async function withBrowser(fn) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'yuqing-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: ARGS, locale: 'zh-CN', timezoneId: 'UTC',
    viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1,
  });
  try {
    return await fn(context);
  } finally {
    await context.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

function watch(page, failures) {
  page.on('console', (m) => { if (m.type() === 'error') failures.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => failures.push(`page error: ${e.message}`));
}

async function dashboard(o, context) {
  const failures = [];
  const page = context.pages()[0] || await context.newPage();
  watch(page, failures);
  const origin = new URL(o.url).origin;
  const foreign = [];
  page.on('request', (r) => { if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) foreign.push(r.url()); });
  await page.goto(o.url, { waitUntil: 'load' });
  await page.waitForFunction(() => document.querySelectorAll('#brand-select option').length > 0, null, { timeout: 15000 });

  // The PR person's path: pick the brand, then the last hour.
  await page.selectOption('#brand-select', o.brand);
  await page.click('#window-select button[data-window="1h"]');
  await page.waitForFunction((brand) => {
    const chart = document.querySelector('#trend-chart');
    return chart.dataset.brand === brand && chart.dataset.window === '1h' &&
      document.querySelectorAll('#trend-chart circle.volume-point').length >= 20 &&
      document.querySelectorAll('#alerts li.alert').length > 0;
  }, o.brand, { timeout: 20000 });
  // The 1h window with 2m steps: one point per step, a band where the baseline has history.
  const m = await page.evaluate(() => ({
    points: document.querySelectorAll('#trend-chart circle.volume-point').length,
    ratioPoints: document.querySelectorAll('#trend-chart circle.ratio-point').length,
    nonZero: [...document.querySelectorAll('#trend-chart circle.volume-point')].filter((c) => c.getAttribute('cy') !== document.querySelector('#trend-chart circle.volume-point').getAttribute('cy')).length,
    bands: document.querySelectorAll('#trend-chart .baseline-band').length,
    bandPath: (document.querySelector('#trend-chart path.baseline-band') || { getAttribute: () => '' }).getAttribute('d') || '',
    markers: document.querySelectorAll('#trend-chart .alert-marker').length,
    alerts: [...document.querySelectorAll('#alerts li.alert')].map((li) => ({
      cls: li.className, badge: li.querySelector('.badge').textContent, reason: li.querySelector('.reason').textContent,
      color: getComputedStyle(li.querySelector('.badge')).backgroundColor,
    })),
    sentimentSegments: document.querySelectorAll('#sentiment svg rect').length,
    sovRows: [...document.querySelectorAll('#sov .sov-row')].map((r) => r.querySelector('.sov-name').textContent),
    mentions: document.querySelectorAll('#mentions li.mention').length,
    links: [...document.querySelectorAll('#mentions a.mention-link')].map((a) => a.getAttribute('href')),
    kpis: [...document.querySelectorAll('#kpis .kpi-value')].map((k) => k.textContent),
    xss: window.__yuqing_xss === 1,
    injectedImages: document.querySelectorAll('#mentions img, #alerts img').length,
    mentionTexts: [...document.querySelectorAll('#mentions .mention-text')].map((p) => p.textContent),
    title: document.title,
  }));
  if (m.points < 20) failures.push(`trend chart has ${m.points} volume points (want >= 20)`);
  if (m.nonZero < 5) failures.push(`only ${m.nonZero} trend points differ from the first (no visible data?)`);
  if (m.ratioPoints < 5) failures.push(`negative-ratio line has ${m.ratioPoints} points`);
  if (m.bands < 1 || (m.bandPath && m.bandPath.split('L').length < 3)) failures.push('no baseline band drawn');
  if (m.markers < 1) failures.push('no alert marker on the trend chart');
  const withReason = m.alerts.filter((a) => a.reason.includes(o.reason));
  if (!withReason.length) failures.push(`no alert shows the reason "${o.reason}" (alerts: ${JSON.stringify(m.alerts.map((a) => a.reason))})`);
  const p1 = m.alerts.find((a) => a.cls.includes('tier-P1'));
  if (!p1) failures.push('no P1 alert in the list');
  else if (p1.color !== 'rgb(217, 45, 32)') failures.push(`P1 badge colour is ${p1.color}, want red rgb(217, 45, 32)`);
  if (m.sentimentSegments < 2) failures.push('sentiment split not drawn');
  if (m.sovRows.length < 2) failures.push(`share of voice shows ${m.sovRows.length} brands (want the brand and its competitor)`);
  if (m.mentions < 1) failures.push('no top negative mentions');
  if (m.links.some((h) => !/^https?:\/\//.test(h))) failures.push(`a mention link is not http(s): ${m.links}`);
  if (m.xss || m.injectedImages) failures.push('mention text was interpreted as HTML');
  if (o.markup && !m.mentionTexts.some((t) => t.includes(o.markup))) failures.push(`the mention with markup is not shown as text: ${o.markup}`);
  fs.mkdirSync(o.out, { recursive: true });
  await page.screenshot({ path: path.join(o.out, 'dashboard.png'), fullPage: true });

  // The platform filter: only weibo mentions, the volume series of weibo alone, and no band.
  await page.selectOption('#platform-select', 'weibo');
  await page.waitForFunction(() => document.querySelector('#trend-chart').dataset.platform === 'weibo' &&
      !document.querySelector('#trend-chart .baseline-band') &&
      [...document.querySelectorAll('#mentions .chip')].every((c) => c.textContent === '微博'), null, { timeout: 15000 });
  const chips = await page.$$eval('#mentions .chip', (cs) => cs.map((c) => c.textContent));
  // English labels, all platforms again, for the second screenshot.
  await page.selectOption('#platform-select', 'all');
  await page.click('#lang-toggle');
  await page.waitForFunction(() => document.documentElement.lang === 'en' &&
      document.querySelector('[data-i18n="alerts"]').textContent === 'Alerts' &&
      document.querySelector('#trend-chart .baseline-band'), null, { timeout: 15000 });
  await page.screenshot({ path: path.join(o.out, 'dashboard-en.png'), fullPage: true });
  if (foreign.length) failures.push(`requests left the engine's origin: ${foreign.join(', ')}`);
  return { failures, measured: { ...m, weiboChips: chips.length, foreign } };
}

async function report(o, context) {
  const failures = [];
  const page = context.pages()[0] || await context.newPage();
  watch(page, failures);
  const file = path.resolve(o.file);
  const url = `file://${file}`;
  const blocked = [];
  // Self-containment: the report file is the only thing the page may load.
  await context.route('**/*', (route) => {
    if (route.request().url() === url) return route.continue();
    blocked.push(route.request().url());
    return route.abort();
  });
  await page.goto(url, { waitUntil: 'load' });
  const minPoints = Number(o['min-points'] || 10);
  const m = await page.evaluate(() => ({
    charts: document.querySelectorAll('svg').length,
    points: document.querySelectorAll('svg.trend circle.volume-point').length,
    bands: document.querySelectorAll('svg.trend .baseline-band').length,
    volumeLine: !!document.querySelector('svg.trend path.volume-line'),
    sentimentSegments: document.querySelectorAll('svg.split rect').length,
    sovRows: document.querySelectorAll('.sov .sov-row').length,
    alerts: [...document.querySelectorAll('li.alert .reason')].map((r) => r.textContent),
    mentions: document.querySelectorAll('ol.mentions li.mention').length,
    scripts: document.querySelectorAll('script').length,
    styled: getComputedStyle(document.querySelector('.badge') || document.body).color,
    chartWidth: (document.querySelector('svg.trend') || { getBoundingClientRect: () => ({ width: 0 }) }).getBoundingClientRect().width,
    title: document.title,
  }));
  if (m.points < minPoints) failures.push(`report trend has ${m.points} points (want >= ${minPoints})`);
  if (!m.volumeLine) failures.push('report trend has no volume line');
  if (o.baseline && m.bands < 1) failures.push('report trend has no baseline band');
  if (m.chartWidth < 600) failures.push(`report chart is ${m.chartWidth}px wide`);
  if (m.sentimentSegments < 2) failures.push('report sentiment split not drawn');
  if (m.sovRows < 2) failures.push(`report share of voice has ${m.sovRows} rows`);
  if (!m.alerts.some((r) => r.includes(o.reason))) failures.push(`report lacks the alert "${o.reason}" (has ${JSON.stringify(m.alerts)})`);
  if (m.mentions < 1) failures.push('report has no top negative mentions');
  if (m.scripts) failures.push('report contains <script>');
  if (blocked.length) failures.push(`the report tried to load: ${blocked.join(', ')}`);
  fs.mkdirSync(o.out, { recursive: true });
  await page.screenshot({ path: path.join(o.out, o.screenshot || 'report.png'), fullPage: true });
  return { failures, measured: { ...m, blocked } };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!['dashboard', 'report'].includes(o.mode) || !o.out || !o.reason) {
    console.error('usage: browser_check.js dashboard|report --out DIR --reason TEXT (--url URL --brand ID | --file FILE)');
    process.exit(2);
  }
  const result = await withBrowser((ctx) => (o.mode === 'dashboard' ? dashboard(o, ctx) : report(o, ctx)));
  console.log(JSON.stringify({ mode: o.mode, ...result }));
  if (result.failures.length) {
    for (const f of result.failures) console.error(`FAIL: ${f}`);
    process.exit(1);
  }
}

main().catch((e) => { console.error(`FAIL: ${e.stack || e}`); process.exit(1); });
