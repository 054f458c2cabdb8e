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

    // htmx requests carry the CSRF token from <meta name="csrf-token"> in the page head.
    document.addEventListener("htmx:configRequest", function (event) {
        var meta = document.querySelector('meta[name="csrf-token"]');
        if (meta) event.detail.headers["X-CSRFToken"] = meta.getAttribute("content");
    });
})();
