// Every page: fit the LMS's iframe to the content, and show times in the reader's time zone.
// Loaded by base.html (no inline script: the CSP allows scripts from this host only).
(function () {
  "use strict";

  // --- lti.frameResize ------------------------------------------------------------------------
  // Canvas (and Sakai, D2L, Tsugi) resize the tool's iframe when it posts
  // {subject: "lti.frameResize", height} to its parent window (Canvas's "Window postMessage"
  // LTI documentation; the LTI Client Side postMessages family of messages). The height of the
  // content, not of the frame, is sent, so the frame growing or shrinking never feeds back.
  // The message carries only a number, so it is posted to any origin: the tool cannot know
  // the LMS's origin (Canvas frames tools from a host other than its issuer).
  var framed = window.parent && window.parent !== window;
  var sent = 0;
  var pending = false;

  function contentHeight() {
    return Math.ceil(document.documentElement.getBoundingClientRect().height);
  }
  function sendHeight() {
    pending = false;
    var height = contentHeight();
    if (height > 0 && height !== sent) {
      sent = height;
      window.parent.postMessage({ subject: "lti.frameResize", height: height }, "*");
    }
  }
  function schedule() {
    if (!pending) { pending = true; window.requestAnimationFrame(sendHeight); }
  }
  if (framed && document.body) {
    if ("ResizeObserver" in window) { new ResizeObserver(schedule).observe(document.body); }
    window.addEventListener("load", schedule);  // images and fonts that arrive late
    schedule();
  }

  // --- grids wider than the page ----------------------------------------------------------------
  // A grid (.hm-scroll: the cohort's, an attempt's answers...) scrolls sideways in its own box
  // when it is wider than the page. While more of it lies beyond the right edge, the box says
  // so: data-more="right", which fades that edge (cohort.css). Its cells are opaque, so the
  // background shadows of a lesson's table (.table-scroll, app.css) would not show there.
  function markMore(box) {
    if (box.scrollLeft + box.clientWidth < box.scrollWidth - 1) {
      box.setAttribute("data-more", "right");
    } else {
      box.removeAttribute("data-more");
    }
  }
  document.querySelectorAll(".hm-scroll").forEach(function (box) {
    markMore(box);
    box.addEventListener("scroll", function () { markMore(box); }, { passive: true });
    if ("ResizeObserver" in window) {
      new ResizeObserver(function () { markMore(box); }).observe(box);
    }
  });

  // --- local times ----------------------------------------------------------------------------
  // Templates render <time datetime="2026-12-05T09:30:00+00:00" data-local="datetime">5 Dec
  // 2026, 09:30 UTC</time> (web.theming.local_time): the text is a correct UTC fallback, which
  // this rewrites in the browser's time zone and the page's language; the title keeps the
  // full moment with the zone's name.
  // The page's language, in the reader's own region when it is the same language (a reader
  // with en-GB sees "5 December 2026" on an "en" page, one with en-US "December 5, 2026").
  var lang = document.documentElement.lang || undefined;
  var readers = navigator.languages || [navigator.language];
  for (var i = 0; lang && i < readers.length; i++) {
    if (readers[i] && readers[i].split("-")[0].toLowerCase() === lang.split("-")[0].toLowerCase()) {
      lang = readers[i];
      break;
    }
  }
  var styles = {
    datetime: { dateStyle: "medium", timeStyle: "short" },
    date: { dateStyle: "long" },
    time: { timeStyle: "short" }
  };

  function localise(el) {
    if (el.dataset.localised === el.getAttribute("datetime")) { return; }
    var moment = new Date(el.getAttribute("datetime"));
    if (isNaN(moment.getTime())) { return; }
    var style = styles[el.dataset.local] || styles.datetime;
    try {
      el.textContent = new Intl.DateTimeFormat(lang, style).format(moment);
      el.title = new Intl.DateTimeFormat(lang, {
        dateStyle: "full", timeStyle: "long"
      }).format(moment);
      el.dataset.localised = el.getAttribute("datetime");
    } catch (e) { /* an unknown language tag: keep the UTC text */ }
  }
  // For scripts that write a time themselves (player.js's "Draft saved …").
  window.lmsLocalTime = function (iso, style) {
    return new Intl.DateTimeFormat(lang, styles[style] || styles.datetime).format(new Date(iso));
  };
  // --- the scripts' sentences and numbers -------------------------------------------------------
  // A page whose scripts write sentences carries them, translated, in a JSON data block
  // (web/js_text.py). lmsText(key, values) fills its %(name)s; a plural sentence ({one, other})
  // takes the form the page language's plural rules give values.num ("0 mot", "0 words").
  var texts = null;
  window.lmsText = function (key, values) {
    if (texts === null) {
      var block = document.getElementById("js-text");
      texts = block ? JSON.parse(block.textContent) : {};
    }
    var text = texts[key] || key;
    if (typeof text === "object") {
      text = text[new Intl.PluralRules(lang).select(values.num)] || text.other;
    }
    return text.replace(/%\((\w+)\)[sd]/g, function (whole, name) {
      if (!values || !(name in values)) { return whole; }
      var value = values[name];  // numbers as the page's language writes them ("1,100", "1 100")
      return typeof value === "number" ? window.lmsNumber(value) : String(value);
    });
  };
  // Numbers as the page's language writes them ("62.5%", "62,5 %"; options of Intl.NumberFormat).
  window.lmsNumber = function (value, options) {
    return new Intl.NumberFormat(lang, options).format(value);
  };
  function localiseAll(root) {
    if (root.matches && root.matches("time[data-local]")) { localise(root); }
    if (root.querySelectorAll) { root.querySelectorAll("time[data-local]").forEach(localise); }
  }
  localiseAll(document);
  // Pages that update themselves (grading…, issuing…) insert new <time> elements.
  new MutationObserver(function (records) {
    records.forEach(function (r) { r.addedNodes.forEach(localiseAll); });
  }).observe(document.body, { childList: true, subtree: true });
})();
