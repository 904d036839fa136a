// Forms with photos (the staff report form, the portal's): marked data-keep-files, they are sent in the background.
// When the server refuses one (a 4xx page holding the same form), only its messages — the [data-errors-for] boxes —
// are copied into the live form, so everything typed, the point on the map and the chosen photos stay as they are.
// Accepted (a redirect), the browser goes where the server sent it. Without JavaScript the form posts as usual.
(function () {
  document.querySelectorAll("form[data-keep-files]").forEach((form) =>
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const button = form.querySelector("button:not([type=button])");
      if (button) button.disabled = true;
      fetch(form.action || window.location.href, { method: "POST", body: new FormData(form), credentials: "same-origin" })
        .then((response) =>
          response.text().then((html) => {
            const fresh = new DOMParser().parseFromString(html, "text/html").getElementById(form.id);
            if (response.redirected || !fresh) {
              // Accepted (the page it led to, with its messages), or a page without the form (e.g. too many
              // submissions): show that page as it is.
              if (response.redirected) window.history.pushState(null, "", response.url);
              document.open();
              document.write(html);
              document.close();
              return;
            }
            form.querySelectorAll("[data-errors-for]").forEach((box) => {
              const twin = fresh.querySelector(`[data-errors-for="${box.dataset.errorsFor}"]`);
              box.replaceChildren(...(twin ? Array.from(twin.childNodes, (node) => document.adoptNode(node)) : []));
            });
            const first = Array.from(form.querySelectorAll("[data-errors-for]")).find((box) => box.textContent.trim());
            if (first) {
              const folded = first.closest("details");
              if (folded) folded.open = true; // a message inside a folded part is shown, not hidden
              first.scrollIntoView({ block: "center" });
            }
            form.dataset.refused = String(Number(form.dataset.refused || 0) + 1);
          }),
        )
        .catch(() => form.submit())
        .finally(() => {
          if (button) button.disabled = false;
        });
    }),
  );
})();
