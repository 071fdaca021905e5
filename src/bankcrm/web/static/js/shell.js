// The page shell on phones: below the md breakpoint the sidebar is folded away and the
// menu button (aria-expanded, aria-controls) opens and closes it. Escape closes it and
// hands the focus back to the button; growing past the breakpoint folds it again.
(function () {
  "use strict";
  var button = document.querySelector("[data-menu-button]");
  var menu = button && document.getElementById(button.getAttribute("aria-controls"));
  if (!menu) {
    return;
  }

  function isOpen() {
    return button.getAttribute("aria-expanded") === "true";
  }

  function setOpen(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("is-open", open);
  }

  button.addEventListener("click", function () {
    setOpen(!isOpen());
    if (isOpen()) {
      var first = menu.querySelector("a");
      if (first) {
        first.focus();
      }
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && isOpen()) {
      setOpen(false);
      button.focus();
    }
  });

  var wide = window.matchMedia("(min-width: 768px)");
  wide.addEventListener("change", function () {
    if (wide.matches) {
      setOpen(false);
    }
  });
})();
