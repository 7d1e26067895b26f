/* The book's repairs and touches to the theme's page (lbclbook/toolchain/chrome.py). */
"use strict";

/* 1. Every copy of a sidebar button works.
   pydata-sphinx-theme binds the ☰ (.primary-toggle) and page-contents
   (.secondary-toggle) buttons with document.querySelector, so only the first
   copy in the page opens its menu; the theme may render a hidden copy before
   the visible one. A click on any other copy is handed to the bound one,
   before the copy's own handlers run (capture phase): one click, one action,
   whichever copies the theme binds. */
const SIDEBAR_TOGGLES = [".primary-toggle", ".secondary-toggle"];

document.addEventListener("click", (event) => {
  for (const selector of SIDEBAR_TOGGLES) {
    const clicked = event.target.closest(selector);
    const bound = document.querySelector(selector);
    if (clicked && bound && clicked !== bound) {
      event.preventDefault();
      event.stopImmediatePropagation();
      bound.click();
      return;
    }
  }
}, true);

/* 2. A link followed inside an opened menu closes it: a page section chosen
   from the page-contents menu is then in view, not under the menu. */
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[href]");
  const menu = link && link.closest("#pst-primary-sidebar-modal[open], #pst-secondary-sidebar-modal[open]");
  if (menu) menu.close();
});

/* 3. The keyboard's focus stays with the menu buttons. The theme blurs a
   button as it acts (so that its tooltip does not linger after a click),
   which would leave a keyboard user at the top of the page: a menu opened
   from the keyboard gives the focus back to its button when it closes, and
   the ☰ button of a wide screen (which hides or shows the sidebar in place)
   keeps it. */
let returnFocusTo = null;  // the button a key pressed, until the pointer is used

document.addEventListener("keydown", (event) => {
  const toggle = event.target.closest && event.target.closest(SIDEBAR_TOGGLES.join(", "));
  if (toggle && (event.key === "Enter" || event.key === " ")) returnFocusTo = toggle;
}, true);
document.addEventListener("pointerdown", () => { returnFocusTo = null; }, true);
document.addEventListener("keyup", (event) => {
  const toggle = returnFocusTo;  // the key's target is no longer the blurred button
  if (toggle && (event.key === "Enter" || event.key === " ")) {
    setTimeout(() => { // after the click the key made
      if (!document.querySelector("dialog[open]") && document.activeElement !== toggle) {
        toggle.focus();
        returnFocusTo = null;
      }
    });
  }
}, true);

for (const id of ["pst-primary-sidebar-modal", "pst-secondary-sidebar-modal"]) {
  const menu = document.getElementById(id);
  if (menu) {
    menu.addEventListener("close", () => {
      if (returnFocusTo) returnFocusTo.focus();
      returnFocusTo = null;
    });
  }
}

/* 4. A table wider than its box says so: the box fades out on the side
   that hides columns (never over the caption), and a line above it invites
   scrolling. */
const TABLE_BOX = ".pst-scrollable-table-container";

/* Every table is measured before any is marked: a measure after a change
   makes the browser lay out the whole page again, once per table. */
function measure(box) {
  const caption = box.querySelector(":scope > table > caption");
  return { box, hidden: box.scrollWidth - box.clientWidth, left: box.scrollLeft,
           captionHeight: caption ? caption.offsetHeight : 0 };
}

function mark({ box, hidden, left, captionHeight }) {
  const scrolls = hidden > 1;
  box.classList.toggle("lbcl-scrolls", scrolls);
  box.classList.toggle("lbcl-more-left", scrolls && left > 1);
  box.classList.toggle("lbcl-more-right", scrolls && left < hidden - 1);
  box.style.setProperty("--lbcl-caption-height", `${captionHeight}px`);
  const hint = box.previousElementSibling;
  const hasHint = hint && hint.classList.contains("lbcl-scroll-hint");
  if (scrolls && !hasHint) {
    const line = document.createElement("p");
    line.className = "lbcl-scroll-hint";
    line.setAttribute("aria-hidden", "true"); // a visual cue; the table itself is read as it is
    line.textContent = "Wide table: scroll sideways \u2192";
    box.before(line);
  } else if (!scrolls && hasHint) {
    hint.remove();
  }
}

function markScrolling(box) {
  mark(measure(box));
}

function markAllTables() {
  [...document.querySelectorAll(TABLE_BOX)].map(measure).forEach(mark);
}

document.addEventListener("DOMContentLoaded", () => {
  markAllTables();
  document.querySelectorAll(TABLE_BOX).forEach((box) =>
    box.addEventListener("scroll", () => markScrolling(box), { passive: true }));
  window.addEventListener("resize", markAllTables);
});
