/* Copy buttons of the how-to-cite block (lbclbook.toolchain.citing).
 *
 * The text to copy is in the button's data-copy-text, so copying needs no
 * server: it works from a copy of the site opened from disk too. The
 * asynchronous Clipboard API needs a secure context; elsewhere, and where it
 * is refused, a hidden text area is selected and copied instead. A status
 * line says what happened, for screen readers as well (role="status"). */
(function () {
  "use strict";

  function copyBySelection(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.top = "0";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    document.body.removeChild(area);
    return copied;
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(
        function () { return true; },
        function () { return copyBySelection(text); });
    }
    return Promise.resolve(copyBySelection(text));
  }

  function onClick(event) {
    var button = event.currentTarget;
    var status = button.parentNode.querySelector(".lbcl-copy-status");
    copy(button.getAttribute("data-copy-text")).then(function (copied) {
      button.focus();  // the fallback's selection took the focus away
      status.textContent = copied
        ? button.textContent.replace(/^Copy/, "Copied") + "."
        : "Could not copy: select the text and press Ctrl+C (or Cmd+C).";
    });
  }

  function init() {
    document.querySelectorAll(".lbcl-cite-copy").forEach(function (row) {
      row.querySelectorAll("button.lbcl-copy").forEach(function (button) {
        button.addEventListener("click", onClick);
      });
      row.hidden = false;
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
