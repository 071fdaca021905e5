// The customer picker: a text input where a banker types part of a name, the customer
// number (C… or its digits) or a phone number, and picks the customer from the suggestions
// with the mouse or the keyboard (up, down, enter; escape closes). The chosen customer's id
// goes into the hidden input the form submits; the banker only ever sees "王芳 (C000014388)".
// Markup: the `customer_picker` macro of templates/_customer_picker.html. Suggestions come
// from GET /customers/search, within the viewer's scope. Data is written with textContent.
(function () {
  "use strict";
  var DEBOUNCE_MS = 250;

  function setUp(root, index) {
    var input = root.querySelector("[data-picker-input]");
    var hidden = root.querySelector("[data-picker-value]");
    var list = root.querySelector("[data-picker-list]");
    var status = root.querySelector("[data-picker-status]");
    if (!input || !hidden || !list || !status) {
      return;
    }
    var url = root.getAttribute("data-search-url");
    var minLength = parseInt(root.getAttribute("data-min-length") || "2", 10);
    var texts = {
      tooShort: root.getAttribute("data-text-too-short") || "",
      none: root.getAttribute("data-text-none") || "",
      found: root.getAttribute("data-text-found") || "",
      failed: root.getAttribute("data-text-failed") || "",
      pick: root.getAttribute("data-text-pick") || ""
    };
    var listId = list.id || "customer-picker-list-" + index;
    list.id = listId;
    var chosenLabel = hidden.value ? input.value : "";
    var options = [];
    var active = -1;
    var timer = null;
    var controller = null;
    var asked = 0;

    function say(text) {
      status.textContent = text;
    }

    function validity() {
      // typed text without a customer picked must not be sent as "no customer"
      var typed = input.value.trim();
      input.setCustomValidity(typed && !hidden.value ? texts.pick : "");
    }

    function close() {
      list.classList.add("d-none");
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(position) {
      options.forEach(function (option, at) {
        var on = at === position;
        option.element.classList.toggle("active", on);
        option.element.setAttribute("aria-selected", on ? "true" : "false");
      });
      active = position;
      if (position >= 0) {
        input.setAttribute("aria-activedescendant", options[position].element.id);
        options[position].element.scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(position) {
      var customer = options[position].customer;
      hidden.value = String(customer.id);
      input.value = customer.label;
      chosenLabel = customer.label;
      validity();
      close();
      say(customer.label);
      hidden.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function show(customers) {
      list.replaceChildren();
      options = customers.map(function (customer, at) {
        var item = document.createElement("li");
        item.id = listId + "-option-" + at;
        item.className = "list-group-item list-group-item-action py-1";
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.setAttribute("data-testid", "customer-option");
        var name = document.createElement("div");
        name.textContent = customer.label;
        var detail = document.createElement("div");
        detail.className = "small text-secondary";
        detail.textContent = [customer.branch_name, customer.mobile_phone]
          .filter(function (part) {
            return part;
          })
          .join(" · ");
        item.appendChild(name);
        item.appendChild(detail);
        item.addEventListener("mousedown", function (event) {
          // keep the focus in the input until the choice is made
          event.preventDefault();
          choose(at);
        });
        list.appendChild(item);
        return { element: item, customer: customer };
      });
      active = -1;
      if (options.length) {
        list.classList.remove("d-none");
        input.setAttribute("aria-expanded", "true");
        say(texts.found.replace("%(count)s", String(options.length)));
      } else {
        close();
        say(texts.none);
      }
    }

    function search() {
      var term = input.value.trim();
      if (term.length < minLength) {
        list.replaceChildren();
        options = [];
        close();
        say(term ? texts.tooShort : "");
        return;
      }
      if (controller) {
        controller.abort();
      }
      controller = typeof AbortController === "function" ? new AbortController() : null;
      asked += 1;
      var ask = asked;
      var query = url + "?q=" + encodeURIComponent(term) + "&limit=10";
      fetch(query, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: controller ? controller.signal : undefined
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(function (customers) {
          if (ask === asked) {
            show(customers);
          }
        })
        .catch(function (error) {
          if (ask === asked && !(error && error.name === "AbortError")) {
            close();
            say(texts.failed);
          }
        });
    }

    input.addEventListener("input", function () {
      if (input.value !== chosenLabel && hidden.value) {
        // the text no longer names the chosen customer
        hidden.value = "";
        chosenLabel = "";
        hidden.dispatchEvent(new Event("change", { bubbles: true }));
      }
      validity();
      if (timer) {
        window.clearTimeout(timer);
      }
      timer = window.setTimeout(search, DEBOUNCE_MS);
    });

    input.addEventListener("keydown", function (event) {
      var open = !list.classList.contains("d-none") && options.length > 0;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open && options.length) {
          list.classList.remove("d-none");
          input.setAttribute("aria-expanded", "true");
        }
        if (options.length) {
          highlight(active < options.length - 1 ? active + 1 : 0);
        }
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (open) {
          highlight(active > 0 ? active - 1 : options.length - 1);
        }
      } else if (event.key === "Enter") {
        if (open && active >= 0) {
          // a choice, not a submission of the form
          event.preventDefault();
          choose(active);
        }
      } else if (event.key === "Escape") {
        if (open) {
          event.preventDefault();
          close();
        }
      }
    });

    input.addEventListener("blur", function () {
      close();
    });

    validity();
  }

  document.querySelectorAll("[data-customer-picker]").forEach(setUp);
})();
