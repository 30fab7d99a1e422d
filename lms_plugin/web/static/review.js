// Review page: the rubric's running total, mean and pass rule as levels are chosen, and the keyboard
// shortcuts the page documents (1-4: the level of the focused criterion; n: save and next).
// The page works without this script: the form posts, and the server says the same sentences
// (lms_plugin/domain/rubric.py, which this mirrors).
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

  function percent(value) {  // domain.completion.format_percent: 62.5 -> "62.5%"
    return String(Math.round(value * 100) / 100) + "%";
  }

  function mean(value) {  // domain.rubric.format_mean: 3 -> "3.0", 2.75 -> "2.75"
    var text = (Math.round(value * 100) / 100).toFixed(2).replace(/0+$/, "");
    return /\.$/.test(text) ? text + "0" : text;
  }

  function ruleSentence(total, left, below) {  // domain.rubric.rule_sentence
    var count = criteria.length, parts = below.slice();
    // grading.PassRule: whole totals against min_mean x criteria (no float mean compared)
    var reached = minMean === null || (count > 0 && total >= minMean * count - 1e-9);
    if (!left && !reached) { parts.push("the mean " + mean(total / count) + " is under " + mean(minMean)); }
    if (parts.length) { return "Below the pass rule: " + parts.join("; ") + "."; }
    if (!left) { return "Meets the pass rule."; }
    if (minMean === null) { return "No criterion below the pass rule so far."; }
    var needed = Math.ceil(minMean * count - 1e-9);
    return "No criterion below the pass rule so far; a mean of " + mean(minMean) +
      " needs a total of " + needed + " or more.";
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
    var sentence = "Total " + total + " of " + max + " (" + percent(max ? 100 * total / max : 0) + ")";
    if (scored) { sentence += ", mean " + mean(total / scored); }
    if (left) { sentence += "; " + left + (left === 1 ? " criterion" : " criteria") + " still to score"; }
    totalEl.textContent = sentence + ".";
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
