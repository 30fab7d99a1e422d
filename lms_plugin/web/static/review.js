// Review page: the rubric's running total, mean and pass rule as levels are chosen, and the keyboard
// shortcuts the page documents (1-4: the level of the focused criterion; n: save and next).
// The page works without this script: the form posts, and the server says the same sentences
// (lms_plugin/domain/rubric.py, which this mirrors, in the words the page hands it).
(function () {
  "use strict";
  var form = document.getElementById("review-form");
  if (!form) { return; }
  var grid = form.querySelector(".rubric-grid");
  var criteria = Array.prototype.slice.call(grid.querySelectorAll("fieldset.criterion"));
  var minLevel = parseInt(grid.dataset.minLevel, 10);
  var maxLevel = parseInt(grid.dataset.maxLevel, 10);
  var minMean = grid.dataset.minMean ? parseFloat(grid.dataset.minMean) : null;  // none: no mean
  var totalEl = document.getElementById("tally-total");
  var ruleEl = document.getElementById("tally-rule");
  var saveNext = document.getElementById("save-next");

  // The sentences are domain/rubric.py's, translated (web/js_text.py); numbers in the page's
  // language (static/frame.js): "68.75%" / "68,75 %", a mean "3.0" / "3,0".
  var text = window.lmsText;
  function percent(value) { return window.lmsNumber(value / 100, { style: "percent", maximumFractionDigits: 2 }); }
  function mean(value) { return window.lmsNumber(value, { minimumFractionDigits: 1, maximumFractionDigits: 2 }); }

  function ruleSentence(total, left, below) {  // domain.rubric.rule_sentence
    var count = criteria.length, parts = below.slice();
    // grading.PassRule: whole totals against min_mean x criteria (no float mean compared)
    var reached = minMean === null || (count > 0 && total >= minMean * count - 1e-9);
    if (!left && !reached) { parts.push(text("mean_under", { mean: mean(total / count), min: mean(minMean) })); }
    if (parts.length) { return text("below", { reasons: parts.join("; ") }); }
    if (!left) { return text("meets"); }
    if (minMean === null) { return text("none_below"); }
    return text("needs", { min: mean(minMean), needed: Math.ceil(minMean * count - 1e-9) });
  }

  function tally() {
    var total = 0, scored = 0, below = [];
    criteria.forEach(function (fieldset) {
      var checked = fieldset.querySelector("input:checked");
      if (!checked) { return; }
      var level = parseInt(checked.value, 10);
      total += level;
      scored += 1;
      if (level < minLevel) { below.push(fieldset.dataset.title); }
    });
    var max = maxLevel * criteria.length;
    var left = criteria.length - scored;
    var kind = scored ? "mean" : "plain";  // domain.rubric.total_sentence
    var values = { total: total, max: max, percent: percent(max ? 100 * total / max : 0), num: left };
    if (scored) { values.mean = mean(total / scored); }
    totalEl.textContent = text((left ? "left_" : "total_") + kind, values);
    ruleEl.textContent = ruleSentence(total, left, below);
  }

  form.addEventListener("change", function (event) {
    if (event.target.closest("fieldset.criterion")) { tally(); }
  });

  // Single-key shortcuts act only while a radio of this form has focus (WCAG 2.1.4: active
  // only on focus), so they never take keys from typing or from a screen reader's browse mode.
  form.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.altKey || event.ctrlKey || event.metaKey || target.type !== "radio") { return; }
    var fieldset = target.closest("fieldset.criterion");
    if (fieldset && /^[1-9]$/.test(event.key)) {
      var choice = fieldset.querySelector('input[value="' + event.key + '"]');
      if (!choice) { return; }
      event.preventDefault();
      choice.checked = true;
      choice.focus();
      choice.dispatchEvent(new Event("change", { bubbles: true }));
    } else if (event.key === "n" || event.key === "N") {
      event.preventDefault();
      form.requestSubmit(saveNext);  // the browser checks every required choice first
    }
  });
})();
