/* The question bank (lbclbook/toolchain/quiz.py): check an answer, see why.

   Each question is a <form>: choosing an option and pressing "Check answer"
   (or Enter, which submits the form) copies that option's feedback from the
   hidden store into the live region, which a screen reader announces.
   Choosing another option clears the feedback shown, so it never describes
   an option that is not chosen. "Reset" (the form's own reset) clears the
   choice and the feedback; "Reset all questions" resets every form. Nothing
   leaves the page. Without this script the questions still read (and print)
   whole, and the buttons stay hidden. */
(() => {
  "use strict";

  function clear(form) {
    const live = form.querySelector(".lbcl-feedback");
    live.replaceChildren();
    delete live.dataset.verdict;
    form.querySelectorAll("li.lbcl-option").forEach((item) =>
      item.classList.remove("lbcl-checked-correct", "lbcl-checked-incorrect"));
  }

  function check(form) {
    const live = form.querySelector(".lbcl-feedback");
    const chosen = form.querySelector("input[type=radio]:checked");
    clear(form);
    if (!chosen) {
      const hint = document.createElement("p");
      hint.textContent = "Choose an option first.";
      live.replaceChildren(hint);
      return;
    }
    const stored = form.querySelector(
      `.lbcl-feedback-texts [data-option="${chosen.value}"]`);
    live.dataset.verdict = stored.dataset.verdict;
    live.replaceChildren(...[...stored.children].map((child) => child.cloneNode(true)));
    chosen.closest("li.lbcl-option").classList.add(`lbcl-checked-${stored.dataset.verdict}`);
  }

  function setUp(form) {
    form.querySelectorAll(".lbcl-actions").forEach((actions) => { actions.hidden = false; });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      check(form);
    });
    form.addEventListener("change", () => clear(form));
    form.addEventListener("reset", () => clear(form));
  }

  function start() {
    document.querySelectorAll("form.lbcl-question").forEach(setUp);
    document.querySelectorAll(".lbcl-quiz").forEach((bank) => {
      const all = bank.querySelector(".lbcl-reset-all");
      if (!all) return;
      all.closest(".lbcl-actions").hidden = false;
      all.addEventListener("click", () =>
        bank.querySelectorAll("form.lbcl-question").forEach((form) => form.reset()));
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
