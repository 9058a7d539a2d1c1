// Visits kept in groups: up to GROUP_SIZE visits of one customer in one IndexedDB value.
//
// IndexedDB's cost is per value stored, not per byte: a first sync put 50,000 visits one by one
// in about three times the time it takes to put them ten or more to a value (bench/idb_floor.py).
// The rest of the app still sees a "visits" store: db.js's transaction() hands out this object
// for it, which answers the calls the app makes of an IDBObjectStore (get, getAll, getAllKeys,
// count, put, delete, clear, index("customer_id").getAll) from the groups, with requests that
// work with db.js's req(). A group is `{customer_id, n, ids, visits}`, keyed [customer_id, n];
// the multi-entry index "ids" finds the group holding a visit, and "days" (from step 11) those
// holding a person's visits of a day: `days` lists each visit's author and company day; "dues"
// (from step 12) those holding a person's next actions by due date: `dues` lists each live
// visit's author and next action's due day. A first pull's pages store their groups without
// `days` and `dues` (the indexes' entries cost a first sync a fifth of its time) and leave them
// to `fillDays` (records.js), which the pull worker runs once the pull is done; until then
// DAYS_PENDING is set in "meta" and a day is read from every visit.
//
// Within one transaction the groups read are kept, changed in memory and written once the
// calls made so far are applied; the calls apply in the order they were made, as a store's
// requests do. A caller must make its calls while the transaction is active, as with any store.

import { companyDay } from "./company-day.js";

export const GROUPS = "visit_groups";
export const GROUP_SIZE = 50;
export const DAYS_PENDING = "days_pending";

/** A new value for DAYS_PENDING: a fill that finds another at its end missed groups, and goes on. */
export function daysPending() {
  return `${Date.now()}:${Math.random()}`;
}

/** A visit's key in the "days" index: its author and the company day it was made on. */
export function dayKey(authorId, day) {
  return `${authorId ?? ""} ${day}`;
}

const visitDay = (visit) => dayKey(visit.author_id, companyDay(visit.visited_at));
// A visit's key in the "dues" index (null: it has no next action with a due date to list).
const visitDue = (visit) => (!visit.deleted && visit.next_action && visit.next_action_due
  ? dayKey(visit.author_id, visit.next_action_due) : null);

/** `group` with its `days` and `dues`, as it is stored. */
export function withDays(group) {
  group.days = [...new Set(group.visits.map(visitDay))];
  group.dues = [...new Set(group.visits.map(visitDue).filter(Boolean))];
  return group;
}

/** `group` for a first pull's page: its days and dues, stale or none, are left to `fillDays`. */
function withoutDays(group) {
  delete group.days;
  delete group.dues;
  return group;
}

/** `items` in a Map of lists by their `customer_id` ("" for none), in the order they come. */
function byCustomer(items) {
  const out = new Map();
  for (const item of items) {
    const customer = item.customer_id ?? "";
    if (!out.has(customer)) out.set(customer, []);
    out.get(customer).push(item);
  }
  return out;
}

/** The groups of `visits`, for a step of db.js's upgrade (visits with no customer under ""). */
export function groupsOf(visits) {
  const groups = [];
  for (const [customer, all] of byCustomer(visits)) {
    for (let start = 0, n = 0; start < all.length; start += GROUP_SIZE, n += 1) {
      const part = all.slice(start, start + GROUP_SIZE);
      groups.push({ customer_id: customer, n, ids: part.map((v) => v.id), visits: part });
    }
  }
  return groups;
}

/** An IDBRequest's look-alike: `result`, `error`, `onsuccess`, `onerror`. */
class Request {
  constructor() {
    this.readyState = "pending";
    this.result = undefined;
    this.error = null;
    this.onsuccess = null;
    this.onerror = null;
  }

  succeed(result) {
    this.readyState = "done";
    this.result = result;
    this.onsuccess?.({ type: "success", target: this });
  }

  fail(error) {
    this.readyState = "done";
    this.error = error;
    this.onerror?.({ type: "error", target: this });
  }
}

function ask(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

const byId = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

const stores = new WeakMap();

/**
 * Why a call here failed, by the transaction it then aborted: the requests that go down with it
 * answer only AbortError, and an abort asked for leaves the transaction's `error` empty, so
 * db.js reports this instead (a full disk, not 「the transaction was aborted」).
 */
export const abortedBy = new WeakMap();

/** The "visits" store of `tx` (one per transaction: it holds what the transaction changed). */
export function visitStore(tx, native) {
  let store = stores.get(tx);
  if (!store) stores.set(tx, store = new VisitStore(native(GROUPS)));
  return store;
}

class VisitStore {
  constructor(groups) {
    this.groups = groups;
    // Set by a pull for a page of records the device cannot hold yet (a first pull's snapshot
    // into an empty store: each visit is sent once): a visit is then looked for only among its
    // own customer's groups, not by id, which costs a read per visit.
    this.fresh = false;
    this.customers = new Map(); // customer id -> Promise of its groups, as this transaction has them
    this.where = new Map(); // visit id -> customer id ("" none, null gone), as this transaction has it
    this.everything = null; // Promise, once every group is read: `where` then knows every visit
    this.dirty = new Set();
    this.queue = Promise.resolve();
    this.waiting = 0;
  }

  /**
   * Run a call: `prepare()` starts its reads at once, `apply(prepared)` runs after every call
   * made before it; the changed groups are written when no call waits.
   */
  run(prepare, apply) {
    const request = new Request();
    const ready = prepare();
    ready.catch(() => {}); // a failure is handled where it is awaited
    this.waiting += 1;
    this.queue = this.queue.then(() => ready).then(apply).then(
      (result) => {
        this.waiting -= 1;
        try {
          if (!this.waiting) this.flush();
        } catch (error) {
          this.fail(request, error);
          return;
        }
        request.succeed(result);
      },
      (error) => {
        this.waiting -= 1;
        this.fail(request, error);
      },
    ).catch(() => {}); // a caller's handler that throws does not stop the calls after it
    return request;
  }

  /**
   * Nothing of a transaction that failed here may commit (a save's outbox entry without its
   * visit, say): it is aborted, and whoever waits for the call hears why.
   */
  fail(request, error) {
    if (!abortedBy.has(this.groups.transaction)) abortedBy.set(this.groups.transaction, error);
    try { this.groups.transaction.abort(); } catch { /* already finished */ }
    request.fail(error);
  }

  /** Write the changed groups (an emptied one is deleted). */
  flush() {
    for (const group of this.dirty) {
      if (!group.visits.length) this.groups.delete([group.customer_id, group.n]);
      else if (this.fresh) this.groups.put(withoutDays(group));
      else this.groups.put(withDays(group));
    }
    this.dirty.clear();
  }

  /** The groups of one customer, read once per transaction. */
  load(customer) {
    if (!this.customers.has(customer)) {
      const range = IDBKeyRange.bound([customer], [customer, []]);
      this.customers.set(customer, ask(this.groups.getAll(range)).then((groups) => this.known(customer, groups)));
    }
    return this.customers.get(customer);
  }

  /** Note where the visits of groups just read are (unless this transaction moved them). */
  known(customer, groups) {
    for (const group of groups) {
      for (const id of group.ids) if (!this.where.has(id)) this.where.set(id, customer);
    }
    return groups;
  }

  /** Every group, read once (after writing what changed, so the read sees it). */
  loadAll() {
    if (!this.everything) {
      this.flush();
      this.everything = ask(this.groups.getAll()).then((all) => {
        for (const [customer, groups] of byCustomer(all)) {
          if (!this.customers.has(customer)) this.customers.set(customer, Promise.resolve(this.known(customer, groups)));
        }
      });
    }
    return this.everything;
  }

  /** The customer whose groups hold visit `id` as stored (undefined: none), read ahead. */
  locate(id) {
    if (this.where.has(id) || this.everything) return Promise.resolve(undefined);
    return ask(this.groups.index("ids").getKey(id)).then((key) => {
      if (key === undefined) return undefined;
      return this.load(key[0]).then(() => key[0]);
    });
  }

  /** Where visit `id` is now: a customer id, or null when it is in no group. */
  async place(id, located) {
    if (this.everything) await this.everything; // then `where` knows every visit
    if (this.where.has(id)) return this.where.get(id);
    return located ?? null;
  }

  async find(id, located) {
    const customer = await this.place(id, located);
    if (customer === null) return null;
    const groups = await this.load(customer);
    const group = groups.find((g) => g.ids.includes(id));
    return group ? { group, index: group.ids.indexOf(id) } : null;
  }

  /** Take the visit `find()` found out of its group. */
  take({ group, index }) {
    const [id] = group.ids.splice(index, 1);
    group.visits.splice(index, 1);
    this.dirty.add(group);
    this.where.set(id, null);
  }

  get(id) {
    return this.run(() => this.locate(id), async (located) => {
      const found = await this.find(id, located);
      return found ? found.group.visits[found.index] : undefined;
    });
  }

  put(record) {
    const customer = record.customer_id ?? "";
    const id = record.id;
    // A store's put() clones the record at once, so later changes to it are not stored: so
    // here, except for a pull's fresh page, whose records nothing else holds.
    const visit = this.fresh ? record : structuredClone(record);
    return this.run(
      () => Promise.all([this.fresh ? undefined : this.locate(id), this.load(customer)]),
      async ([located]) => {
        const found = await this.find(id, located);
        if (found && found.group.customer_id === customer) {
          found.group.visits[found.index] = visit;
          this.dirty.add(found.group);
          return id;
        }
        if (found) this.take(found);
        const groups = await this.load(customer);
        let group = groups.at(-1);
        if (!group || group.ids.length >= GROUP_SIZE) {
          group = { customer_id: customer, n: group ? group.n + 1 : 0, ids: [], visits: [] };
          groups.push(group);
        }
        group.ids.push(id);
        group.visits.push(visit);
        this.dirty.add(group);
        this.where.set(id, customer);
        return id;
      },
    );
  }

  delete(id) {
    return this.run(() => this.locate(id), async (located) => {
      const found = await this.find(id, located);
      if (found) this.take(found);
    });
  }

  /** Every visit (no query: the app asks for none), in id order as a store gives them. */
  getAll(query) {
    if (query !== undefined) throw new DOMException("visits are read whole or by customer", "NotSupportedError");
    return this.run(() => Promise.resolve(), async () => (await this.all()).sort(byId));
  }

  getAllKeys() {
    return this.run(() => Promise.resolve(), async () => (await this.all()).map((v) => v.id).sort());
  }

  count() {
    return this.run(() => Promise.resolve(), async () => {
      this.flush(); // so the store's own count sees what this transaction changed
      if (!this.everything && !(await ask(this.groups.count()))) return 0; // a pull's check for empty stores
      return (await this.all()).length;
    });
  }

  clear() {
    return this.run(() => Promise.resolve(), async () => {
      this.dirty.clear();
      this.customers.clear();
      this.where.clear();
      this.everything = Promise.resolve();
      await ask(this.groups.clear());
    });
  }

  /** The visits whose key in the groups' index `name` ("days": `visitDay`, "dues": `visitDue`)
   * is `key` (`dayKey`) or in an IDBKeyRange of them (one author's days from one to another),
   * in id order. */
  async byIndex(name, key) {
    this.flush(); // so the index sees what this transaction changed
    const range = key instanceof IDBKeyRange ? key : IDBKeyRange.only(key);
    const groups = await ask(this.groups.index(name).getAll(range));
    // A group comes once for each of its keys in the range.
    const once = new Map(groups.map((group) => [`${group.customer_id}\u0000${group.n}`, group]));
    const keyOf = name === "days" ? visitDay : visitDue;
    return [...once.values()].flatMap((group) => group.visits)
      .filter((visit) => keyOf(visit) !== null && range.includes(keyOf(visit))).sort(byId);
  }

  async all() {
    await this.loadAll();
    const lists = await Promise.all([...this.customers.values()]);
    return lists.flat().flatMap((group) => group.visits);
  }

  index(name) {
    if (name === "days" || name === "dues") {
      return { getAll: (key) => this.run(() => Promise.resolve(), () => this.byIndex(name, key)) };
    }
    if (name !== "customer_id") throw new DOMException(`no index ${name} on visits`, "NotFoundError");
    return {
      getAll: (customer) => this.run(() => this.load(customer ?? ""), async () => {
        const groups = await this.load(customer ?? "");
        return groups.flatMap((group) => group.visits).sort(byId);
      }),
    };
  }
}
