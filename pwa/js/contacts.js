// A customer's contacts (担当者) as the screens sort them. One who left the customer (退職・異動,
// `left: true`) is kept: listed apart, not offered for new work, still named on the visits they
// were at. One deleted is named there too while the device holds its tombstone with the name
// (a tombstone compacted on the server comes without one). Plain values in and out.

/** The live contacts still the customer's people (`current`) and those who left (`former`). */
export function byStanding(contacts) {
  const live = contacts.filter((c) => !c.deleted);
  return { current: live.filter((c) => !c.left), former: live.filter((c) => c.left) };
}

/** How many of the live `visits` name `contactId` among the people met. */
export function visitsNaming(visits, contactId) {
  return visits.filter((v) => !v.deleted && (v.contact_ids || []).includes(contactId)).length;
}

/**
 * The contacts a visit met, in the visit's order, found among `contacts` (live, left or
 * deleted); an id the device holds no name for is left out.
 */
export function peopleMet(visit, contacts) {
  const byId = new Map(contacts.filter((c) => c.name).map((c) => [c.id, c]));
  return (visit.contact_ids || []).map((id) => byId.get(id)).filter(Boolean);
}

/**
 * The contacts a visit form offers: the current ones, and those in `kept` (ids already on the
 * visit) though they left or were deleted (while the device holds their name), so editing an
 * old visit neither drops them unseen nor keeps them unseen.
 */
export function offered(contacts, kept) {
  return contacts.filter((c) => (kept.has(c.id) ? !c.deleted || Boolean(c.name) : !c.deleted && !c.left));
}
