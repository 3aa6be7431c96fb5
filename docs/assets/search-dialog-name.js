/* MkDocs Material writes its search as role="dialog" with no name (axe aria-dialog-name): name it
   in the page's language, so a screen reader announces what opened. Theme markup is left as it is. */
(function () {
  var names = { en: "Search the documentation", tr: "Belgelerde ara", ru: "Поиск по документации" };
  var name = names[document.documentElement.lang] || names.en;
  document.querySelectorAll('.md-search[role="dialog"]').forEach(function (dialog) {
    if (!dialog.hasAttribute("aria-label") && !dialog.hasAttribute("aria-labelledby")) {
      dialog.setAttribute("aria-label", name);
    }
  });
})();
