// Follow requests: reps asking to follow a customer beyond their own and their team's. The
// customer's owner and the office approve them (the follow then brings the customer to the
// asker) or refuse them (deleting the follow). A rep sees their own requests waiting here too.

import { t } from "../i18n.js";
import { req, transaction } from "../db.js";
import * as outbox from "../outbox.js";
import { getState, onData } from "../store.js";
import { usersById } from "../records.js";
import { h, mount } from "./dom.js";
import { button } from "./form.js";

export const APPROVERS = new Set(["office", "manager", "admin"]);

/** The requests this user may decide on, and the ones they are waiting for. */
export async function pendingFollows() {
  const me = getState().user;
  const tx = await transaction(["follows", "customers"]);
  const [follows, customers] = await Promise.all([
    req(tx.objectStore("follows").getAll()), req(tx.objectStore("customers").getAll())]);
  const byId = new Map(customers.map((c) => [c.id, c]));
  const waiting = follows.filter((f) => !f.deleted && f.status === "requested");
  const mayDecide = (f) => APPROVERS.has(me?.role) || byId.get(f.customer_id)?.owner_id === me?.id;
  return {
    toDecide: waiting.filter((f) => f.user_id !== me?.id && mayDecide(f)),
    mine: waiting.filter((f) => f.user_id === me?.id),
    names: new Map(customers.map((c) => [c.id, c.name])),
  };
}

export async function render(view) {
  const draw = async () => {
    const [{ toDecide, mine, names }, users] = await Promise.all([pendingFollows(), usersById()]);
    const who = (id) => users.get(id)?.name || id;
    const row = (follow) => h("li", { class: "row static", dataset: { id: follow.id } },
      h("span", { class: "row-title" }, names.get(follow.customer_id) || follow.customer_name
        || t("followRequests.unknownCustomer")),
      h("span", { class: "row-meta" }, t("followRequests.asker", { name: who(follow.user_id) })),
      h("span", { class: "actions inline" },
        button(t("followRequests.approve"), { class: "button small primary", "data-testid": "approve",
          onClick: () => outbox.save([{ entity: "follows", id: follow.id, changes: { status: "approved" } }]) }),
        button(t("followRequests.refuse"), { class: "button small danger", "data-testid": "refuse",
          onClick: () => outbox.save([{ entity: "follows", id: follow.id, changes: {}, op: "delete" }]) })));
    mount(view,
      h("h1", { tabindex: "-1" }, t("followRequests.title")),
      h("p", { class: "hint" }, t("followRequests.intro")),
      toDecide.length ? h("ul", { class: "list", "data-testid": "follow-requests" }, toDecide.map(row))
        : h("p", { class: "empty", "data-testid": "no-follow-requests" }, t("followRequests.none")),
      mine.length ? h("section", {},
        h("h2", {}, t("followRequests.mineTitle")),
        h("ul", { class: "list compact", "data-testid": "my-follow-requests" }, mine.map((f) =>
          h("li", { class: "row static" }, h("span", { class: "row-title" },
            names.get(f.customer_id) || f.customer_name || t("followRequests.unknownCustomer")),
            h("span", { class: "badge" }, t("follow.status.requested")))))) : null);
  };
  await draw();
  return onData(() => draw());
}
