/* The rich-text editor of the meeting minutes (templates/governance/meeting_minutes.html), with Trix served
   from node_modules (no CDN). The form's <textarea> stays the submitted field: Trix writes its HTML into it
   (the editor's `input` attribute) and the textarea is hidden. Without JavaScript, the textarea is the form.
   The server sanitises whatever comes (sanitise_minutes): Trix's output is only a convenience. */
(function () {
  "use strict";
  var textarea = document.querySelector("textarea[data-rich-text]");
  if (!textarea || !window.Trix || !window.customElements) {
    return;
  }
  var label = document.querySelector("label[for='" + textarea.id + "']");
  var config = window.Trix.config;

  // In French. Set before the editor is created: Trix reads them when it draws its toolbar.
  Object.assign(config.lang, {
    attachFiles: "Joindre un fichier",
    bold: "Gras",
    bullets: "Liste à puces",
    byte: "octet",
    bytes: "octets",
    captionPlaceholder: "Ajouter une légende…",
    code: "Code",
    heading1: "Titre",
    indent: "Augmenter le retrait",
    italic: "Italique",
    link: "Lien",
    numbers: "Liste numérotée",
    outdent: "Diminuer le retrait",
    quote: "Citation",
    redo: "Rétablir",
    remove: "Retirer",
    strike: "Barré",
    undo: "Annuler",
    unlink: "Délier",
    url: "Adresse du lien",
    urlPlaceholder: "Adresse du lien (https://…)",
    GB: "Go",
    KB: "ko",
    MB: "Mo",
    PB: "Po",
    TB: "To"
  });
  // Paragraphs rather than <div>, and the toolbar's heading under the meeting page's <h2> "Compte rendu".
  // Headings of the other levels the server keeps (<h2>, <h4>) stay headings when minutes are edited again.
  var blocks = config.blockAttributes;
  blocks.default.tagName = "p";
  blocks.heading1.tagName = "h3";
  ["h2", "h4"].forEach(function (tagName) {
    blocks["heading" + tagName] = { tagName: tagName, terminal: true, breakOnReturn: true, group: false };
  });
  // The text selected while the link dialog is open is shown "highlighted": with its matching text colour,
  // or the contrast is too low.
  config.textAttributes.frozen.style = { backgroundColor: "highlight", color: "highlighttext" };

  // No files in the minutes: documents are attached to the meeting on its own page. The toolbar goes
  // without its attach group, and the dialog's buttons are named "Lier" / "Délier".
  var defaultToolbarHTML = config.toolbar.getDefaultHTML;
  config.toolbar.getDefaultHTML = function () {
    var template = document.createElement("template");
    template.innerHTML = defaultToolbarHTML.call(this);
    var files = template.content.querySelector("[data-trix-button-group='file-tools']");
    if (files) {
      files.remove();
    }
    var link = template.content.querySelector("[data-trix-method='setAttribute']");
    if (link) {
      link.value = "Lier";
    }
    return template.innerHTML;
  };

  // Minutes saved before the editor, or typed without it, may be plain text: as paragraphs, like the server.
  var LOOKS_LIKE_HTML = /<\s*\/?\s*[a-zA-Z][^>]*>/;
  function asHTML(text) {
    text = text.replace(/\r\n/g, "\n").trim();
    if (!text || LOOKS_LIKE_HTML.test(text)) {
      return text;
    }
    return text.split(/\n\s*\n/).filter(function (part) {
      return part.trim();
    }).map(function (part) {
      var escaped = part.trim().replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
      return "<p>" + escaped.replace(/\n/g, "<br>") + "</p>";
    }).join("");
  }

  var editor = document.createElement("trix-editor");
  editor.id = textarea.id + "-editor";
  editor.className = "trix-content minutes-editor";
  editor.setAttribute("input", textarea.id);
  editor.setAttribute("aria-multiline", "true");
  ["aria-describedby", "aria-invalid"].forEach(function (name) {
    if (textarea.hasAttribute(name)) {
      editor.setAttribute(name, textarea.getAttribute(name));
    }
  });
  if (label) {
    // The label (with its hint) names the editor, and a click on it goes to the editor.
    label.id = label.id || textarea.id + "-label";
    editor.setAttribute("aria-labelledby", label.id);
    label.htmlFor = editor.id;
  }
  textarea.value = asHTML(textarea.value);
  textarea.hidden = true;
  textarea.classList.add("fr-hidden");
  textarea.insertAdjacentElement("afterend", editor);

  editor.addEventListener("trix-file-accept", function (event) {
    event.preventDefault();
  });
  editor.addEventListener("trix-attachment-add", function (event) {
    event.attachment.remove(); // an image pasted from another page
  });
  editor.addEventListener("trix-initialize", function () {
    makeToolbarKeyboardUsable(editor.toolbarElement);
  });

  /* Trix's buttons are out of the tab order and act on mousedown only. Here the toolbar follows the ARIA
     toolbar pattern: one tab stop, arrows (and Home, End) move between buttons, Enter or Space presses one;
     toggles say whether they are on (aria-pressed). */
  function makeToolbarKeyboardUsable(toolbar) {
    var row = toolbar.querySelector(".trix-button-row");
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", "Mise en forme");
    toolbar.setAttribute("aria-controls", editor.id);
    function buttons() {
      return Array.prototype.slice.call(row.querySelectorAll("button"));
    }
    function enabledButtons() {
      return buttons().filter(function (button) {
        return !button.disabled;
      });
    }
    function makeTabStop(target) {
      buttons().forEach(function (button) {
        button.tabIndex = button === target ? 0 : -1;
      });
    }
    function refresh() {
      buttons().forEach(function (button) {
        var attribute = button.getAttribute("data-trix-attribute");
        if (attribute && attribute !== "href") {
          button.setAttribute("aria-pressed", button.classList.contains("trix-active") ? "true" : "false");
        }
      });
      var stop = row.querySelector("button[tabindex='0']");
      if (!stop || stop.disabled) {
        makeTabStop(enabledButtons()[0]);
      }
    }
    refresh();
    new MutationObserver(refresh).observe(row, {
      subtree: true, attributes: true, attributeFilter: ["class", "disabled"]
    });
    row.addEventListener("focusin", function (event) {
      if (event.target.matches("button")) {
        makeTabStop(event.target);
      }
    });
    row.addEventListener("keydown", function (event) {
      var enabled = enabledButtons();
      var index = enabled.indexOf(event.target);
      if (index < 0) {
        return;
      }
      var next = {
        ArrowRight: enabled[(index + 1) % enabled.length],
        ArrowLeft: enabled[(index - 1 + enabled.length) % enabled.length],
        Home: enabled[0],
        End: enabled[enabled.length - 1]
      }[event.key];
      if (next) {
        event.preventDefault();
        next.focus();
      }
    });
    // A click with no pointer (detail 0) is Enter or Space on the button: Trix waits for a mousedown.
    row.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (button && event.detail === 0 && !button.disabled) {
        button.dispatchEvent(new MouseEvent("mousedown", { bubbles: true, cancelable: true }));
      }
    });
  }
})();
