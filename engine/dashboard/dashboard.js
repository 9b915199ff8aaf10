// yuqing brand dashboard: plain DOM + hand-drawn SVG, same-origin calls to /api/v1 only.
// Mention text, author names and alert reasons are untrusted: they only ever reach the page
// through textContent / setAttribute (never parsed as markup), and links only when http(s).
'use strict';
(() => {
  const REFRESH_MS = 10000;
  const STEPS = { '1h': '2m', '24h': '1h', '7d': '6h' };  // ~30, 24 and 28 points
  const PLATFORMS = ['weibo', 'wechat', 'douyin', 'xiaohongshu', 'bilibili', 'zhihu', 'kuaishou', 'x', 'reddit',
    'news', 'forum', 'other'];
  const TIER_ORDER = { P1: 0, P2: 1, P3: 2 };

  const I18N = {
    zh: {
      title: '品牌舆情看板', brand: '品牌', platform: '平台', allPlatforms: '全部平台', trend: '声量与负面占比趋势',
      sentiment: '情感分布', platforms: '平台分布', sov: '声量份额（对比竞品）', alerts: '预警', topNegative: '热门负面提及',
      footer: '数据来自本引擎的 /api/v1 接口 · 每 10 秒自动刷新 · 时间按事件时间（本地时区）显示',
      mentions: '提及量', negativeRatio: '负面占比', avgSentiment: '平均情感', openAlerts: '进行中的预警',
      baseline: '基线区间（均值 ± 2σ）', baselineMean: '基线均值', volume: '提及量', negRatioAxis: '负面占比',
      positive: '正面', neutral: '中性', negative: '负面', vsPrev: '较上一周期', noData: '该时间窗口内暂无数据',
      noAlerts: '该时间窗口内没有预警', noMentions: '暂无负面提及', noCompetitors: '品牌规则中未配置竞品',
      updated: '更新于', refreshing: '刷新中…', every: '每 10 秒刷新', original: '原文', followers: '粉丝',
      firing: '进行中', resolved: '已解除', acked: '已确认', started: '开始', lastUpdate: '最近更新',
      platformNote: '已按平台筛选：提及量为该平台数据；情感、负面占比与基线为全部平台。',
      baselineNote: '基线：同一时段往期数据（不足时为之前窗口的指数加权均值）；阴影为正常波动范围。',
      noBaseline: '历史数据不足，暂无基线。', share: '份额', change: '变化', error: '无法获取数据',
      tokenNeeded: '接口需要令牌：在地址后加上 #token=… 后刷新页面。', alertAt: '预警',
      detectors: {
        negative_volume_spike: '负面声量激增', negative_ratio: '负面占比过高', sentiment_drop: '情感骤降',
        influencer_negative: '大V负面发声', crisis_term_burst: '危机词爆发', share_of_voice_swing: '声量份额异动',
        story_velocity: '传播速度异常',
      },
      platformNames: {
        weibo: '微博', wechat: '微信', douyin: '抖音', xiaohongshu: '小红书', bilibili: 'B站', zhihu: '知乎',
        kuaishou: '快手', x: 'X', reddit: 'Reddit', news: '新闻', forum: '论坛', other: '其他',
      },
    },
    en: {
      title: 'Brand dashboard', brand: 'Brand', platform: 'Platform', allPlatforms: 'All platforms',
      trend: 'Volume and negative ratio', sentiment: 'Sentiment split', platforms: 'By platform',
      sov: 'Share of voice vs competitors', alerts: 'Alerts', topNegative: 'Top negative mentions',
      footer: "Data from this engine's /api/v1 · refreshes every 10 s · times are event times in your time zone",
      mentions: 'Mentions', negativeRatio: 'Negative ratio', avgSentiment: 'Avg. sentiment', openAlerts: 'Open alerts',
      baseline: 'Baseline band (mean ± 2σ)', baselineMean: 'Baseline mean', volume: 'Mentions', negRatioAxis: 'Negative',
      positive: 'Positive', neutral: 'Neutral', negative: 'Negative', vsPrev: 'vs previous', noData: 'No data in this window',
      noAlerts: 'No alerts in this window', noMentions: 'No negative mentions', noCompetitors: 'No competitors in the brand rules',
      updated: 'Updated', refreshing: 'Refreshing…', every: 'refreshes every 10 s', original: 'Open', followers: 'followers',
      firing: 'firing', resolved: 'resolved', acked: 'acknowledged', started: 'started', lastUpdate: 'updated',
      platformNote: 'Filtered by platform: mentions are that platform only; sentiment, negative ratio and baseline cover all platforms.',
      baselineNote: 'Baseline: the same window in earlier weeks (or an EWMA of the preceding windows); the band is the normal range.',
      noBaseline: 'Not enough history for a baseline yet.', share: 'Share', change: 'Change', error: 'Could not load data',
      tokenNeeded: 'The API needs a token: add #token=… to the address and reload.', alertAt: 'Alert',
      detectors: {
        negative_volume_spike: 'Negative volume spike', negative_ratio: 'High negative ratio', sentiment_drop: 'Sentiment drop',
        influencer_negative: 'Influencer negative post', crisis_term_burst: 'Crisis-term burst',
        share_of_voice_swing: 'Share-of-voice swing', story_velocity: 'Story spreading fast',
      },
      platformNames: {
        weibo: 'Weibo', wechat: 'WeChat', douyin: 'Douyin', xiaohongshu: 'Xiaohongshu', bilibili: 'Bilibili', zhihu: 'Zhihu',
        kuaishou: 'Kuaishou', x: 'X', reddit: 'Reddit', news: 'News', forum: 'Forums', other: 'Other',
      },
    },
  };

  const state = {
    brands: [], brand: '', window: '24h', platform: 'all', lang: 'zh', token: '',
    busy: false, again: false, data: null, lastOk: 0,
  };

  // ---------- small DOM helpers (text only) ----------
  const $ = (id) => document.getElementById(id);
  function el(tag, cls, ...children) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    for (const c of children) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
    return e;
  }
  const SVG_NS = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = String(text);
    return e;
  }
  const t = (key) => I18N[state.lang][key] ?? I18N.en[key] ?? key;
  const platformName = (p) => t('platformNames')[p] || p;
  const detectorName = (d) => t('detectors')[d] || d;
  function safeUrl(u) {
    try {
      const url = new URL(String(u || ''));
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : '';
    } catch { return ''; }
  }

  // ---------- formatting ----------
  const locale = () => (state.lang === 'zh' ? 'zh-CN' : 'en');
  const fmtInt = (n) => new Intl.NumberFormat(locale()).format(Math.round(n || 0));
  const fmtCompact = (n) => new Intl.NumberFormat(locale(), { notation: 'compact', maximumFractionDigits: 1 }).format(n || 0);
  const fmtPct = (x, digits = 0) => `${((x || 0) * 100).toFixed(digits)}%`;
  const pad = (n) => String(n).padStart(2, '0');
  function fmtTime(ms, withDate) {
    const d = new Date(ms);
    const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
    return withDate ? `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hm}` : hm;
  }
  function brandLabel(id) {
    const b = state.brands.find((x) => x.id === id);
    return b ? b.name : id;
  }

  // ---------- URL hash <-> state ----------
  function readHash() {
    const h = new URLSearchParams(location.hash.slice(1));
    if (h.get('token')) {
      sessionStorage.setItem('yuqing.token', h.get('token'));
      h.delete('token');
      history.replaceState(null, '', `#${h}`);
    }
    state.token = sessionStorage.getItem('yuqing.token') || '';
    if (h.get('brand')) state.brand = h.get('brand');
    if (STEPS[h.get('window')]) state.window = h.get('window');
    if (h.get('platform') && (h.get('platform') === 'all' || PLATFORMS.includes(h.get('platform')))) state.platform = h.get('platform');
    const lang = h.get('lang') || localStorage.getItem('yuqing.lang') || (navigator.language || '').slice(0, 2);
    state.lang = lang === 'en' ? 'en' : 'zh';
  }
  function writeHash() {
    const h = new URLSearchParams({ brand: state.brand, window: state.window, platform: state.platform, lang: state.lang });
    history.replaceState(null, '', `#${h}`);
  }

  // ---------- API ----------
  async function api(path) {
    const headers = state.token ? { Authorization: `Bearer ${state.token}` } : {};
    const res = await fetch(path, { headers, cache: 'no-store' });
    const text = await res.text();
    let body = null;
    try { body = JSON.parse(text); } catch { /* not JSON */ }
    if (!res.ok) {
      const err = new Error(res.status === 401 ? t('tokenNeeded') : `${res.status} ${body && body.detail ? body.detail : path}`);
      err.status = res.status;
      throw err;
    }
    return body;
  }
  const enc = encodeURIComponent;

  async function loadBrands() {
    const r = await api('/api/v1/brands');
    state.brands = r.brands || [];
    if (!state.brands.some((b) => b.id === state.brand)) state.brand = state.brands.length ? state.brands[0].id : '';
  }

  async function refresh() {
    if (!state.brand) return;
    if (state.busy) { state.again = true; return; }  // runs again when the current one ends
    state.busy = true;
    state.again = false;
    setStatus(t('refreshing'));
    const brand = state.brand, win = state.window, platform = state.platform;
    try {
      const trend = await api(`/api/v1/brands/${enc(brand)}/trend?window=${win}&step=${STEPS[win]}`);
      const fromMs = Date.parse(trend.from);
      const plat = platform === 'all' ? '' : `&platform=${platform}`;
      const [compare, mentions, alerts] = await Promise.all([
        api(`/api/v1/compare?brands=${enc(brand)}&window=${win}`),
        api(`/api/v1/brands/${enc(brand)}/mentions?label=negative&limit=8&window=${win}${plat}`),
        api(`/api/v1/alerts?brand=${enc(brand)}&since=${fromMs > 0 ? fromMs : 0}`),
      ]);
      // A newer selection may have started meanwhile; drop stale answers.
      if (brand !== state.brand || win !== state.window || platform !== state.platform) return;
      // The selection the answers are for: select() redraws the old data at once, and the chart's
      // data-* attributes must say what is drawn, not what is being fetched.
      state.data = { trend, compare, mentions: mentions.mentions || [], alerts: alerts.alerts || [], brand, window: win, platform };
      state.lastOk = Date.now();
      hideBanner();
      render();
    } catch (e) {
      showBanner(`${t('error')}: ${e.message}`);
    } finally {
      state.busy = false;
      setStatus();
      if (state.again) refresh();
    }
  }

  // ---------- status and banner ----------
  function setStatus(text) {
    const s = $('status');
    if (text) { s.textContent = text; return; }
    s.textContent = state.lastOk ? `${t('updated')} ${new Date(state.lastOk).toLocaleTimeString(locale())} · ${t('every')}` : '';
  }
  function showBanner(text) { const b = $('banner'); b.textContent = text; b.hidden = false; }
  function hideBanner() { $('banner').hidden = true; }

  // ---------- controls ----------
  function renderControls() {
    document.documentElement.lang = state.lang === 'zh' ? 'zh-CN' : 'en';
    for (const e of document.querySelectorAll('[data-i18n]')) e.textContent = t(e.dataset.i18n);
    document.title = `yuqing · ${t('title')}`;
    $('lang-toggle').textContent = state.lang === 'zh' ? 'EN' : '中文';
    const bs = $('brand-select');
    bs.replaceChildren(...state.brands.map((b) => {
      const o = el('option', null, b.name === b.id ? b.id : `${b.name} (${b.id})`);
      o.value = b.id;
      return o;
    }));
    bs.value = state.brand;
    const ps = $('platform-select');
    ps.replaceChildren(...['all', ...PLATFORMS].map((p) => {
      const o = el('option', null, p === 'all' ? t('allPlatforms') : platformName(p));
      o.value = p;
      return o;
    }));
    ps.value = state.platform;
    for (const b of document.querySelectorAll('#window-select button')) {
      b.setAttribute('aria-pressed', String(b.dataset.window === state.window));
    }
  }

  function select(change) {
    Object.assign(state, change);
    writeHash();
    renderControls();
    if (state.data) render();
    refresh();
  }

  // ---------- rendering ----------
  function render() {
    const d = state.data;
    if (!d) return;
    renderKpis(d);
    renderTrend(d);
    renderSentiment(d);
    renderPlatforms(d);
    renderSov(d);
    renderAlerts(d);
    renderMentions(d);
  }

  function sums(points) {
    const s = { mentions: 0, positive: 0, neutral: 0, negative: 0, sentimentSum: 0, platforms: {} };
    for (const p of points) {
      s.mentions += p.mentions;
      s.positive += p.positive;
      s.neutral += p.neutral;
      s.negative += p.negative;
      s.sentimentSum += (p.avg_sentiment || 0) * p.mentions;
      for (const [k, v] of Object.entries(p.platforms || {})) s.platforms[k] = (s.platforms[k] || 0) + v;
    }
    return s;
  }

  function kpi(label, value, sub, cls) {
    return el('div', `kpi ${cls || ''}`, el('div', 'kpi-label', label), el('div', 'kpi-value', value), el('div', 'kpi-sub', sub || ''));
  }
  function change(now, prev, isRatio) {
    if (isRatio) {
      const diff = (now - prev) * 100;
      return `${diff >= 0 ? '▲' : '▼'} ${Math.abs(diff).toFixed(1)} pt ${t('vsPrev')}`;
    }
    if (!prev) return now ? `▲ ${t('vsPrev')}: 0 → ${fmtInt(now)}` : '';
    const pct = ((now - prev) / prev) * 100;
    return `${pct >= 0 ? '▲' : '▼'} ${Math.abs(pct).toFixed(0)}% ${t('vsPrev')}`;
  }

  function renderKpis(d) {
    const s = sums(d.trend.points);
    const row = (d.compare.brands || []).find((r) => r.brand === state.brand);
    const prev = row ? row.previous : { mentions: 0, negative: 0 };
    const ratio = s.mentions ? s.negative / s.mentions : 0;
    const prevRatio = prev.mentions ? prev.negative / prev.mentions : 0;
    const volume = state.platform === 'all' ? s.mentions : (s.platforms[state.platform] || 0);
    const open = d.alerts.filter((a) => a.state !== 'resolved');
    const top = open.slice().sort((a, b) => TIER_ORDER[a.tier] - TIER_ORDER[b.tier])[0];
    const avg = s.mentions ? s.sentimentSum / s.mentions : 0;
    $('kpis').replaceChildren(
      kpi(state.platform === 'all' ? t('mentions') : `${t('mentions')} · ${platformName(state.platform)}`, fmtInt(volume),
        state.platform === 'all' ? change(s.mentions, prev.mentions) : ''),
      kpi(t('negativeRatio'), fmtPct(ratio, 1), prev.mentions ? change(ratio, prevRatio, true) : '', ratio >= 0.55 ? 'bad' : ''),
      kpi(t('avgSentiment'), avg.toFixed(2), '−1 … +1', avg < -0.1 ? 'bad' : avg > 0.1 ? 'good' : ''),
      kpi(t('openAlerts'), String(open.length), top ? `${top.tier} ${top.tier_name ? (state.lang === 'zh' ? top.tier_name.zh : top.tier_name.en) : ''}` : '',
        top ? `tier-${top.tier}` : ''),
    );
  }

  function niceMax(v) {
    if (v <= 0) return 1;
    const p = 10 ** Math.floor(Math.log10(v));
    for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
    return 10 * p;
  }

  function renderTrend(d) {
    const box = $('trend-chart');
    const pts = d.trend.points.map((p) => ({
      from: Date.parse(p.from), to: Date.parse(p.to),
      volume: state.platform === 'all' ? p.mentions : ((p.platforms || {})[state.platform] || 0),
      ratio: p.mentions ? p.negative_ratio : null,
      mentions: p.mentions, negative: p.negative,
      base: state.platform === 'all' && p.baseline && p.baseline.kind !== 'insufficient_history' ? p.baseline : null,
    }));
    const W = Math.max(360, box.clientWidth || 900), H = 300;
    const m = { l: 52, r: 52, t: 14, b: 30 };
    const iw = W - m.l - m.r, ih = H - m.t - m.b;
    const root = svg('svg', { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': t('trend'), class: 'trend' });
    if (!pts.length) { box.replaceChildren(root); return; }
    const t0 = pts[0].from, t1 = pts[pts.length - 1].to;
    const x = (ms) => m.l + ((ms - t0) / Math.max(1, t1 - t0)) * iw;
    const mid = (p) => x((p.from + p.to) / 2);
    let vmax = 0;
    for (const p of pts) {
      vmax = Math.max(vmax, p.volume);
      if (p.base) vmax = Math.max(vmax, p.base.mean + 2 * p.base.stddev);
    }
    vmax = niceMax(vmax * 1.05);
    const y = (v) => m.t + ih - (v / vmax) * ih;
    const yr = (r) => m.t + ih - r * ih;

    // grid and axes
    const grid = svg('g', { class: 'grid' });
    for (let i = 0; i <= 4; ++i) {
      const gy = m.t + (ih * i) / 4;
      grid.append(svg('line', { x1: m.l, x2: m.l + iw, y1: gy, y2: gy }));
      grid.append(svg('text', { x: m.l - 8, y: gy + 4, 'text-anchor': 'end', class: 'axis-left' }, fmtCompact(vmax * (1 - i / 4))));
      grid.append(svg('text', { x: m.l + iw + 8, y: gy + 4, 'text-anchor': 'start', class: 'axis-right' }, `${100 - i * 25}%`));
    }
    const withDate = t1 - t0 > 86400000;
    const ticks = Math.min(pts.length, Math.max(2, Math.floor(iw / 110)));
    for (let i = 0; i <= ticks; ++i) {
      const ms = t0 + ((t1 - t0) * i) / ticks;
      grid.append(svg('text', { x: x(ms), y: H - 8, 'text-anchor': i === 0 ? 'start' : i === ticks ? 'end' : 'middle', class: 'axis-x' },
        fmtTime(ms, withDate)));
    }
    root.append(grid);

    // baseline band (mean ± 2σ) and mean, in runs of points that have a baseline
    const runs = [];
    let run = [];
    for (const p of pts) {
      if (p.base) run.push(p);
      else if (run.length) { runs.push(run); run = []; }
    }
    if (run.length) runs.push(run);
    for (const r of runs) {
      const upper = r.map((p) => `${mid(p).toFixed(1)},${y(p.base.mean + 2 * p.base.stddev).toFixed(1)}`);
      const lower = r.slice().reverse().map((p) => `${mid(p).toFixed(1)},${y(Math.max(0, p.base.mean - 2 * p.base.stddev)).toFixed(1)}`);
      if (r.length === 1) {  // a lone point: a short bar instead of a polygon
        const p = r[0], hw = Math.max(3, iw / pts.length / 3);
        root.append(svg('rect', { class: 'baseline-band', x: mid(p) - hw, width: 2 * hw, y: y(p.base.mean + 2 * p.base.stddev),
          height: Math.max(1, y(Math.max(0, p.base.mean - 2 * p.base.stddev)) - y(p.base.mean + 2 * p.base.stddev)) }));
      } else {
        root.append(svg('path', { class: 'baseline-band', d: `M${upper.join('L')}L${lower.join('L')}Z` }));
        root.append(svg('path', { class: 'baseline-mean', d: `M${r.map((p) => `${mid(p).toFixed(1)},${y(p.base.mean).toFixed(1)}`).join('L')}` }));
      }
    }

    // alert markers at the minute each alert started
    for (const a of d.alerts) {
      const ms = Date.parse(a.started_at);
      if (!(ms >= t0 && ms <= t1)) continue;
      const g = svg('g', { class: `alert-marker tier-${a.tier}` });
      g.append(svg('line', { x1: x(ms), x2: x(ms), y1: m.t, y2: m.t + ih }));
      g.append(svg('path', { d: `M${x(ms) - 6},${m.t}L${x(ms) + 6},${m.t}L${x(ms)},${m.t + 9}Z` }));
      g.append(svg('title', {}, `${a.tier} ${detectorName(a.detector)} · ${fmtTime(ms, withDate)}\n${a.reason}`));
      root.append(g);
    }

    // volume: area, line and points
    const vline = pts.map((p) => `${mid(p).toFixed(1)},${y(p.volume).toFixed(1)}`);
    root.append(svg('path', { class: 'volume-area', d: `M${mid(pts[0]).toFixed(1)},${y(0)}L${vline.join('L')}L${mid(pts[pts.length - 1]).toFixed(1)},${y(0)}Z` }));
    root.append(svg('path', { class: 'volume-line', d: `M${vline.join('L')}` }));
    // negative ratio (right axis): segments over steps that have mentions
    let seg = [];
    const segs = [];
    for (const p of pts) {
      if (p.ratio === null) { if (seg.length) segs.push(seg); seg = []; continue; }
      seg.push(`${mid(p).toFixed(1)},${yr(p.ratio).toFixed(1)}`);
    }
    if (seg.length) segs.push(seg);
    for (const s of segs) root.append(svg('path', { class: 'ratio-line', d: `M${s.join('L')}` }));
    const dots = svg('g', { class: 'points' });
    for (const p of pts) {
      dots.append(svg('circle', { class: 'point volume-point', cx: mid(p).toFixed(1), cy: y(p.volume).toFixed(1), r: 3 }));
      if (p.ratio !== null) dots.append(svg('circle', { class: 'point ratio-point', cx: mid(p).toFixed(1), cy: yr(p.ratio).toFixed(1), r: 2.5 }));
    }
    root.append(dots);

    // hover targets with native tooltips
    const hover = svg('g', { class: 'hover' });
    for (const p of pts) {
      const r = svg('rect', { x: x(p.from), y: m.t, width: Math.max(1, x(p.to) - x(p.from)), height: ih });
      const lines = [`${fmtTime(p.from, withDate)} – ${fmtTime(p.to, withDate)}`, `${t('volume')}: ${fmtInt(p.volume)}`];
      if (p.ratio !== null) lines.push(`${t('negativeRatio')}: ${fmtPct(p.ratio, 1)} (${fmtInt(p.negative)} / ${fmtInt(p.mentions)})`);
      if (p.base) lines.push(`${t('baselineMean')}: ${fmtInt(p.base.mean)} ± ${fmtInt(2 * p.base.stddev)}`);
      r.append(svg('title', {}, lines.join('\n')));
      hover.append(r);
    }
    root.append(hover);
    box.replaceChildren(root);
    box.dataset.brand = d.brand;  // what is drawn (tests and screenshots wait for it)
    box.dataset.window = d.window;
    box.dataset.platform = d.platform;

    const legend = $('trend-legend');
    legend.replaceChildren(
      el('span', 'key key-volume', state.platform === 'all' ? t('volume') : `${t('volume')} · ${platformName(state.platform)}`),
      el('span', 'key key-ratio', `${t('negRatioAxis')} %`),
      state.platform === 'all' ? el('span', 'key key-band', t('baseline')) : null,
      d.alerts.length ? el('span', 'key key-alert', t('alertAt')) : null,
    );
    const notes = [];
    if (!d.trend.points.some((p) => p.mentions)) notes.push(t('noData'));
    if (state.platform !== 'all') notes.push(t('platformNote'));
    else notes.push(runs.length ? t('baselineNote') : t('noBaseline'));
    $('trend-note').textContent = notes.join(' ');
  }

  function renderSentiment(d) {
    const s = sums(d.trend.points);
    const total = s.positive + s.neutral + s.negative;
    const parts = [['positive', s.positive], ['neutral', s.neutral], ['negative', s.negative]];
    const W = 100;
    const bar = svg('svg', { class: 'split', viewBox: `0 0 ${W} 8`, preserveAspectRatio: 'none', role: 'img', 'aria-label': t('sentiment') });
    let acc = 0;
    for (const [k, v] of parts) {
      const w = total ? (v / total) * W : 0;
      if (w > 0) {
        const r = svg('rect', { class: `seg-${k}`, x: acc, y: 0, width: w, height: 8 });
        r.append(svg('title', {}, `${t(k)}: ${fmtInt(v)} (${fmtPct(total ? v / total : 0, 1)})`));
        bar.append(r);
      }
      acc += w;
    }
    const legend = el('div', 'split-legend', ...parts.map(([k, v]) =>
      el('div', `split-item item-${k}`, el('span', 'dot'), el('span', 'name', t(k)),
        el('b', null, fmtPct(total ? v / total : 0, 1)), el('span', 'muted', fmtInt(v)))));
    $('sentiment').replaceChildren(total ? bar : el('p', 'empty', t('noData')), legend);
  }

  function renderPlatforms(d) {
    const s = sums(d.trend.points);
    const rows = Object.entries(s.platforms).sort((a, b) => b[1] - a[1]);
    const max = rows.length ? rows[0][1] : 1;
    const list = el('div', 'bars');
    for (const [p, v] of rows.slice(0, 8)) {
      const fill = el('span', 'fill');
      fill.style.width = `${((v / max) * 100).toFixed(1)}%`;
      const row = el('button', `bar-row${state.platform === p ? ' selected' : ''}`, el('span', 'bar-name', platformName(p)),
        el('span', 'bar-track', fill), el('span', 'bar-value', `${fmtInt(v)} · ${fmtPct(s.mentions ? v / s.mentions : 0)}`));
      row.type = 'button';
      row.title = platformName(p);
      row.addEventListener('click', () => select({ platform: state.platform === p ? 'all' : p }));
      list.append(row);
    }
    $('platforms').replaceChildren(rows.length ? list : el('p', 'empty', t('noData')));
  }

  function renderSov(d) {
    const rows = d.compare.brands || [];
    const brand = state.brands.find((b) => b.id === state.brand);
    const out = [];
    const list = el('div', 'sov');
    for (const r of rows) {
      const fill = el('span', 'fill');
      fill.style.width = `${(r.share_of_voice * 100).toFixed(1)}%`;
      const diff = r.share_change * 100;
      const delta = el('span', `delta ${diff > 0.05 ? 'up' : diff < -0.05 ? 'down' : ''}`,
        `${diff >= 0 ? '▲' : '▼'} ${Math.abs(diff).toFixed(1)} pt`);
      list.append(el('div', `sov-row${r.brand === state.brand ? ' self' : ''}`,
        el('div', 'sov-head', el('span', 'sov-name', brandLabel(r.brand)), el('b', 'sov-share', fmtPct(r.share_of_voice, 1)), delta),
        el('span', 'bar-track', fill),
        el('div', 'sov-sub muted', `${t('mentions')} ${fmtInt(r.mentions)} · ${t('negativeRatio')} ${fmtPct(r.negative_ratio, 1)}`)));
    }
    out.push(list);
    if (brand && !brand.competitors.length) out.push(el('p', 'note', t('noCompetitors')));
    else out.push(el('p', 'note', `${t('change')}: ${t('vsPrev')} (${state.window})`));
    $('sov').replaceChildren(...out);
  }

  function mentionItem(m) {
    const link = safeUrl(m.url);
    const meta = el('div', 'mention-meta', el('span', 'chip', platformName(m.platform)), el('span', 'author', m.author || ''),
      m.followers ? el('span', 'muted', `${fmtCompact(m.followers)} ${t('followers')}`) : null,
      m.created_at ? el('span', 'muted', fmtTime(Date.parse(m.created_at), state.window === '7d')) : null);
    const text = el('p', 'mention-text', m.text || '');
    const li = el('li', 'mention', meta, text);
    if (link) {
      const a = el('a', 'mention-link', `${t('original')} ↗`);
      a.href = link;
      a.target = '_blank';
      a.rel = 'noopener noreferrer nofollow';
      meta.append(a);
    }
    return li;
  }

  function renderAlerts(d) {
    const alerts = d.alerts.slice().sort((a, b) =>
      (a.state === 'resolved') - (b.state === 'resolved') || TIER_ORDER[a.tier] - TIER_ORDER[b.tier] ||
      Date.parse(b.updated_at) - Date.parse(a.updated_at));
    $('alert-count').textContent = alerts.length ? String(alerts.length) : '';
    const withDate = state.window === '7d';
    $('alerts').replaceChildren(...(alerts.length ? alerts.map((a) => {
      const tierLabel = a.tier_name ? (state.lang === 'zh' ? a.tier_name.zh : a.tier_name.en) : '';
      const st = a.acked ? t('acked') : t(a.state === 'resolved' ? 'resolved' : 'firing');
      const li = el('li', `alert tier-${a.tier}${a.state === 'resolved' ? ' is-resolved' : ''}`,
        el('div', 'alert-head', el('span', `badge tier-${a.tier}`, `${a.tier} ${tierLabel}`),
          el('span', 'detector', detectorName(a.detector)), el('span', 'state', st),
          el('span', 'muted when', `${t('started')} ${fmtTime(Date.parse(a.started_at), withDate)} · ${t('lastUpdate')} ${fmtTime(Date.parse(a.updated_at), withDate)}`)),
        el('p', 'reason', a.reason || ''));
      if (a.top_mentions && a.top_mentions.length) li.append(el('ol', 'mentions compact', ...a.top_mentions.slice(0, 3).map(mentionItem)));
      return li;
    }) : [el('li', 'empty', t('noAlerts'))]));
  }

  function renderMentions(d) {
    $('mentions').replaceChildren(...(d.mentions.length ? d.mentions.map(mentionItem) : [el('li', 'empty', t('noMentions'))]));
  }

  // ---------- start ----------
  function start() {
    readHash();
    $('brand-select').addEventListener('change', (e) => select({ brand: e.target.value }));
    $('platform-select').addEventListener('change', (e) => select({ platform: e.target.value }));
    for (const b of document.querySelectorAll('#window-select button')) {
      b.addEventListener('click', () => select({ window: b.dataset.window }));
    }
    $('lang-toggle').addEventListener('click', () => {
      state.lang = state.lang === 'zh' ? 'en' : 'zh';
      localStorage.setItem('yuqing.lang', state.lang);
      select({});
    });
    let resizeTimer = 0;
    window.addEventListener('resize', () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(render, 150); });
    renderControls();
    boot();
  }
  // Brands first (retried until the engine answers), then the first refresh and the timer.
  async function boot() {
    try {
      await loadBrands();
    } catch (e) {
      showBanner(`${t('error')}: ${e.message}`);
      setTimeout(boot, REFRESH_MS);
      return;
    }
    writeHash();
    renderControls();
    await refresh();
    setInterval(() => { if (!document.hidden) refresh(); }, REFRESH_MS);
  }
  start();
})();
