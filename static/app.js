// coachdossier: the only script of our own. No inline handlers anywhere (CSP script-src 'self').
(function () {
    "use strict";

    // <button data-confirm="Weet u het zeker?"> or <form data-confirm="...">: ask before
    // submitting or following the link. Works with and without htmx.
    document.addEventListener("click", function (event) {
        var el = event.target.closest("[data-confirm]");
        if (!el || el.tagName === "FORM") return;
        if (!window.confirm(el.getAttribute("data-confirm"))) {
            event.preventDefault();
            event.stopImmediatePropagation();
        }
    }, true);

    document.addEventListener("submit", function (event) {
        var form = event.target;
        if (form.hasAttribute("data-confirm") && !window.confirm(form.getAttribute("data-confirm"))) {
            event.preventDefault();
            event.stopImmediatePropagation();
        }
    }, true);

    // <details data-open-wide>: a disclosure on a phone, open on a wider screen (the portal's
    // menu); the width matches app.css's small-screen rules.
    var wide = window.matchMedia("(min-width: 641px)");
    function openWhenWide() {
        document.querySelectorAll("details[data-open-wide]").forEach(function (details) {
            details.open = wide.matches;
        });
    }
    openWhenWide();
    wide.addEventListener("change", openWhenWide);

    // htmx requests carry the CSRF token from <meta name="csrf-token"> in the page head.
    document.addEventListener("htmx:configRequest", function (event) {
        var meta = document.querySelector('meta[name="csrf-token"]');
        if (meta) event.detail.headers["X-CSRFToken"] = meta.getAttribute("content");
    });
})();
