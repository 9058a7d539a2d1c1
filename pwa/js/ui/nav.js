// Where a user can go, by role, from one list: the role's four main screens are tabs (a bar at
// the bottom of a phone, links in the header on a tablet) and 「メニュー」 opens every screen.

import { BOARD_ROLES, DEAL_ROLES } from "../deals.js";
import { lang, t } from "../i18n.js";
import { ADMINS } from "./admin-parts.js";
import { h, mount } from "./dom.js";
import { newBadge } from "./inbox.js";
import { unreadBadge } from "./my-requests.js";

const EVERYONE = new Set(["technician", "rep", "office", "manager", "admin"]);
const OFFICE = new Set(["office", "manager", "admin"]); // triage, approve reports, the board
const RULES = new Set(["office", "admin"]);

/**
 * Every screen in the menu, in menu order: `roles` who see it, `tabs` for whom it is one of the
 * four main tabs (a role should have exactly four), `tabLabel` a shorter name for a tab that
 * a phone's fifth of the width would wrap, `count` a badge of what waits there (shown on the
 * tab when it is one, else in the menu). Adding a screen is adding a line.
 */
export const DESTINATIONS = [
  { name: "customers", href: "#/customers", label: "nav.customers", roles: EVERYONE, tabs: EVERYONE },
  { name: "today", href: "#/today", label: "nav.today", roles: EVERYONE, tabs: ["technician", "rep"] },
  { name: "inbox", href: "#/inbox", label: "nav.inbox", roles: OFFICE, tabs: ["office", "admin"], count: newBadge },
  { name: "reports", href: "#/reports", label: "nav.reports", roles: OFFICE, tabs: ["manager"] },
  { name: "board", href: "#/board", label: "nav.board", roles: BOARD_ROLES, tabs: BOARD_ROLES },
  { name: "deals", href: "#/deals", label: "nav.deals", roles: DEAL_ROLES, tabs: ["rep"] },
  { name: "mine", href: "#/my-requests", label: "nav.mine", roles: EVERYONE, tabs: ["technician"], count: unreadBadge },
  { name: "quotes", href: "#/quotes", label: "nav.quotes", roles: EVERYONE, tabs: ["rep", "office"] },
  { name: "load", href: "#/load", label: "nav.load", roles: EVERYONE, tabs: ["manager"] },
  { name: "rules", href: "#/rules", label: "nav.rules", roles: RULES, tabs: [] },
  { name: "exhibition", href: "#/exhibition", label: "nav.exhibition", roles: DEAL_ROLES, tabs: [] },
  { name: "follow-requests", href: "#/follow-requests", label: "nav.followRequests", roles: DEAL_ROLES, tabs: [] },
  { name: "customer-import", href: "#/customers/import", label: "nav.customerImport", roles: OFFICE, tabs: [] },
  { name: "admin", href: "#/admin/users", label: "nav.admin", tabLabel: "nav.adminTab", roles: ADMINS, tabs: ADMINS },
  { name: "sync", href: "#/sync", label: "nav.sync", roles: EVERYONE, tabs: ["technician"] },
];

/** The screens `role` may open, and the ones among them that are its tabs. */
export function destinationsFor(role) {
  const all = DESTINATIONS.filter((d) => new Set(d.roles).has(role));
  return { all, tabs: all.filter((d) => new Set(d.tabs).has(role)) };
}

/**
 * The tab bar and the menu for `user`; `onLang` switches the language. Returns the tab bar,
 * the menu panel (both to be placed in the header) and `markCurrent()` for the router.
 */
export function navigation(user, onLang) {
  const { all, tabs } = destinationsFor(user.role);
  const menuButton = h("button", {
    type: "button", class: "tabbar-item menu-button", "aria-expanded": "false", "aria-controls": "menu-panel",
    "data-testid": "menu-button",
  }, h("span", { class: "tab-icon", "aria-hidden": "true" }, "☰"), t("nav.menu"));
  const tabBar = h("nav", { class: "tabbar", "aria-label": t("nav.main"), "data-testid": "tab-bar" },
    tabs.map((d) => h("a", { class: "tabbar-item", href: d.href, "data-testid": `tab-${d.name}` },
      t(d.tabLabel || d.label), d.count ? [" ", d.count()] : null)),
    menuButton);
  const other = lang() === "ja" ? "en" : "ja";
  const panel = h("div", { class: "menu-panel", id: "menu-panel", hidden: true, "data-testid": "menu-panel" },
    h("nav", { "aria-label": t("nav.label") },
      h("ul", { class: "menu-list" }, all.map((d) => h("li", {},
        h("a", { href: d.href, "data-testid": `nav-${d.name}` },
          t(d.label), d.count && !tabs.includes(d) ? [" ", d.count()] : null))))),
    h("button", { type: "button", class: "button small menu-lang", lang: other, "data-testid": "menu-lang",
      onClick: () => onLang(other) }, t("lang.switch")));
  const setOpen = (open) => {
    panel.hidden = !open;
    menuButton.setAttribute("aria-expanded", String(open));
    if (open) panel.querySelector("a")?.focus();
  };
  menuButton.addEventListener("click", () => setOpen(panel.hidden));
  panel.addEventListener("click", (event) => { if (event.target.closest("a")) setOpen(false); });
  panel.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    setOpen(false);
    menuButton.focus();
  });
  const closeOutside = (event) => {
    if (!panel.hidden && !panel.contains(event.target) && !menuButton.contains(event.target)) setOpen(false);
  };
  document.addEventListener("click", closeOutside);
  const markCurrent = (path) => {
    setOpen(false);
    for (const link of [...tabBar.querySelectorAll("a"), ...panel.querySelectorAll("a")]) {
      const target = link.getAttribute("href").slice(1);
      const current = path === target || path.startsWith(`${target}/`) || (path === "/" && target === "/customers");
      if (current) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
  };
  const dispose = () => document.removeEventListener("click", closeOutside);
  return { tabBar, panel, markCurrent, dispose };
}

/** Keep the skip link in the user's language (the shell page is written in Japanese). */
export function translateShell() {
  const skip = document.querySelector(".skip-link");
  if (skip) mount(skip, t("app.skip"));
}
