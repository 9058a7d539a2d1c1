// A rep's customers are their own, their team's and those they follow. Others are found
// online (the server answers only ids and names) and followed: the follow syncs like any
// record, and the customer with its history arrives in the next pull.

import * as api from "../api.js";
import { getMeta, req, transaction } from "../db.js";
import { t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { getState } from "../store.js";
import { h, mount } from "./dom.js";
import { button } from "./form.js";
import { newId } from "../ids.js";

export function followSearch(currentQuery, knownIds) {
  const results = h("ul", { class: "list compact", "data-testid": "server-results", hidden: true });
  const status = h("p", { class: "hint", "aria-live": "polite" });
  const search = button(t("follow.search"), {
    "data-testid": "server-search",
    onClick: async () => {
      const q = currentQuery().trim();
      if (!q) {
        status.textContent = t("follow.typeFirst");
        return;
      }
      if (!getState().online) {
        status.textContent = t("follow.offline");
        return;
      }
      status.textContent = t("follow.searching");
      try {
        const body = await api.searchCustomers(await getMeta("token"), q);
        const mine = await myFollows();
        const hits = body.results.filter((hit) => !knownIds().has(hit.id) || mine.has(hit.id));
        mount(results, ...hits.map((hit) => resultRow(hit, mine.get(hit.id))));
        results.hidden = !hits.length;
        status.textContent = hits.length ? t("follow.found", { n: hits.length }) : t("follow.none");
      } catch (err) {
        status.textContent = err instanceof api.NetworkError ? t("follow.offline") : err.message;
      }
    },
  });
  return h("section", { class: "follow-search" },
    h("h2", {}, t("follow.title")), h("p", { class: "hint" }, t("follow.intro")), search, status, results);
}

/** This user's live follows on the device, by customer id: one request per customer. */
async function myFollows() {
  const me = getState().user?.id;
  const tx = await transaction(["follows"]);
  const follows = await req(tx.objectStore("follows").getAll());
  return new Map(follows.filter((f) => !f.deleted && f.user_id === me).map((f) => [f.customer_id, f]));
}

function resultRow(hit, followed) {
  const title = h("span", { class: "row-title" }, hit.name);
  if (followed) {
    const state = followed.status === "approved" ? "follow.followed" : "follow.requested";
    return h("li", { class: "row static" }, title,
      h("span", { class: "badge", "data-testid": "follow-state" }, t(state)));
  }
  const follow = button(t("follow.follow"), {
    class: "button small primary",
    onClick: async () => {
      follow.disabled = true;
      const me = getState().user?.id;
      // The customer is not on this device: the follow keeps its name for 「自分の申請」.
      await outbox.save([{ entity: "follows", id: newId(),
        changes: { customer_id: hit.id }, local: { user_id: me, status: "requested", customer_name: hit.name } }]);
      follow.textContent = t("follow.following");
    },
  });
  return h("li", { class: "row static" }, title, follow);
}
