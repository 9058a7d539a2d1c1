// Photos on a visit or request: take one with the camera or choose from the gallery, see each
// one's upload state, tap for the full view. The upload queue and the space photos take, for
// the sync page.

import { dateTime } from "../format.js";
import { label, t } from "../i18n.js";
import * as photos from "../photos.js";
import { getRecord } from "../records.js";
import { h, mount, uniqueId } from "./dom.js";
import { button, notSavedText } from "./form.js";
import { redrawOnData } from "./redraw.js";
import { empty } from "./widgets.js";

/** The camera and gallery buttons: two inputs, because on Android 14+ Chrome accept="image/*"
 * alone can hide the camera and capture alone hides the gallery. `onFiles` gets the chosen files. */
function pickers(onFiles) {
  const camera = h("input", { type: "file", accept: "image/*", capture: "environment",
    class: "visually-hidden", id: uniqueId("camera"), "data-testid": "photo-camera" });
  const gallery = h("input", { type: "file", accept: "image/*,application/pdf", multiple: true,
    class: "visually-hidden", id: uniqueId("gallery"), "data-testid": "photo-gallery" });
  for (const input of [camera, gallery]) {
    input.addEventListener("change", () => {
      const files = [...input.files];
      input.value = "";
      if (files.length) onFiles(files);
    });
  }
  const el = h("div", { class: "actions inline" },
    h("label", { class: "button", for: camera.id }, t("photo.camera")), camera,
    h("label", { class: "button", for: gallery.id }, t("photo.gallery")), gallery);
  return { el, id: camera.id };
}

/**
 * Photos taken while a visit or request is still being written: their bytes are kept on the
 * device at once (nothing is lost if the form is left open offline for hours), and the form's
 * draft names them (the hidden field `draft_photos`, which the form's draft keeps as it keeps
 * the text): Back, a language switch, an update or a reload brings them back with the text.
 * `edits(owner)` gives the `attachments` records to save in the same outbox transaction as the
 * record. キャンセル (`abandon`) or the draft's 破棄 forgets their bytes; leaving the form
 * (`dispose`) keeps them for the draft.
 */
export function draftPhotos() {
  const kept = []; // {id, photo, url}
  let saved = false;
  const field = h("input", { type: "hidden", name: "draft_photos", value: "[]" });
  // Tell the draft which photos the form holds: each one's id and what its record needs.
  const note = () => {
    const value = JSON.stringify(kept.map(({ id, photo }) => ({ id, filename: photo.filename, type: photo.type,
      size: photo.size, sha256: photo.sha256, takenAt: photo.takenAt })));
    if (field.value === value) return;
    field.value = value;
    field.dispatchEvent(new Event("input", { bubbles: true }));
  };
  // A draft puts its photos back (or, 破棄, none): their bytes are read from the device again.
  field.addEventListener("change", async () => {
    let listed = [];
    try {
      listed = [].concat(JSON.parse(field.value) || []);
    } catch { /* unreadable: none */ }
    const ids = new Set(listed.map((meta) => meta?.id));
    for (const item of kept.filter((i) => !ids.has(i.id))) {
      kept.splice(kept.indexOf(item), 1);
      forget(item);
    }
    for (const meta of listed) {
      if (!meta?.id || kept.some((i) => i.id === meta.id)) continue;
      const stored = await photos.keptPhoto(meta.id);
      if (!stored?.blob) continue; // gone with a wipe: nothing to put back
      const photo = { ...meta, blob: stored.blob };
      kept.push({ id: meta.id, photo, url: photo.type?.startsWith("image/") ? URL.createObjectURL(photo.blob) : null });
    }
    draw();
    note();
  });
  const list = h("ul", { class: "photo-grid", "data-testid": "draft-photos" });
  const status = h("p", { class: "hint", role: "status" });
  const draw = () => mount(list, kept.length ? kept.map((item) => h("li", { class: "photo", "data-testid": "draft-photo" },
    item.url ? h("img", { src: item.url, alt: item.photo.filename, width: 160, height: 120 })
      : h("span", { class: "photo-missing" }, item.photo.filename),
    button(t("photo.remove"), { class: "button", "aria-label": t("photo.removeNamed", { name: item.photo.filename }),
      onClick: () => {
        kept.splice(kept.indexOf(item), 1);
        forget(item);
        draw();
        note();
      } }))) : h("li", { class: "empty" }, t("photo.none")));
  const forget = (item) => {
    if (item.url) URL.revokeObjectURL(item.url);
    photos.discardPhoto(item.id);
  };
  const pick = pickers(async (files) => {
    status.textContent = t("photo.preparing");
    try {
      for (const file of files) {
        const photo = await photos.prepare(file);
        const id = await photos.keepPhoto(photo);
        kept.push({ id, photo, url: photo.type.startsWith("image/") ? URL.createObjectURL(photo.blob) : null });
      }
      status.textContent = t("photo.heldWithDraft", { n: kept.length });
    } catch (err) {
      status.textContent = err instanceof photos.PhotoError ? t(err.message) : notSavedText(err, false);
    }
    draw();
    note();
  });
  draw();
  const el = h("fieldset", { class: "field photos draft", "data-testid": "draft-photo-field" },
    h("legend", {}, t("photo.title")), field, list, status, pick.el);
  return {
    el,
    edits: (owner) => kept.map((item) => photos.attachmentEdit(item.id, item.photo, owner)),
    saved: () => {
      saved = true;
      photos.requestUploads();
    },
    abandon: () => {
      if (!saved) for (const item of kept.splice(0)) forget(item);
    },
    dispose: () => {
      for (const item of kept) if (item.url) URL.revokeObjectURL(item.url);
    },
  };
}

/** The photo section of a visit or request page; `owner` is {entity, id, customer_id}. */
export function photoSection(owner) {
  const list = h("ul", { class: "photo-grid", "data-testid": "photo-grid" });
  const status = h("p", { class: "field-error", role: "status", hidden: true });
  const pick = pickers(async (files) => {
    status.hidden = false;
    status.className = "hint";
    status.textContent = t("photo.preparing");
    try {
      await photos.addPhotos(owner, files);
      status.hidden = true;
    } catch (err) {
      status.className = "field-error";
      status.textContent = err instanceof photos.PhotoError ? t(err.message) : notSavedText(err, false);
    }
    draw();
  });
  const section = h("section", { class: "photos", "aria-labelledby": `${pick.id}-h` },
    h("h2", { id: `${pick.id}-h` }, t("photo.title")),
    list, status, pick.el);
  let urls = [];
  const draw = async () => {
    const [records, queue] = await Promise.all([photos.attachmentsOf(owner.id), photos.queue()]);
    const mine = new Map(queue.map((item) => [item.record.id, item]));
    for (const url of urls) URL.revokeObjectURL(url);
    urls = [];
    mount(list, records.length ? records.map((record) => photoTile(record, mine.get(record.id), urls))
      : h("li", { class: "empty" }, t("photo.none")));
  };
  draw();
  const offPhotos = photos.onPhotos(draw);
  const offData = redrawOnData(draw);
  section.dispose = () => { offPhotos(); offData(); };
  return section;
}

function photoTile(record, queued, urls) {
  const state = queued || photos.stateOf(record, null);
  const img = h("img", { alt: record.filename || t("photo.title"), loading: "lazy", width: 160, height: 120 });
  const open = h("button", { type: "button", class: "photo-open",
    "aria-label": t("photo.open", { name: record.filename || "" }),
    onClick: () => fullView(record) }, img);
  photos.imageOf(record).then((blob) => {
    if (!blob) {
      img.replaceWith(h("span", { class: "photo-missing" }, t("photo.notHere")));
      return;
    }
    const url = URL.createObjectURL(blob);
    urls.push(url);
    img.src = url;
  });
  return h("li", { class: "photo", "data-testid": "photo", dataset: { id: record.id } },
    open, stateBadge(state));
}

// Why the server refused a file for good, by HTTP status, in the user's language.
const FAILURES = { 403: "photo.notYours", 404: "photo.gone", 413: "photo.tooLarge", 415: "photo.unsupportedShort" };

export function stateBadge(state) {
  const text = state.state === "sending" ? t("photo.sending", { percent: state.percent })
    : state.state === "failed" ? t("photo.failed", { message: t(FAILURES[state.status] || "photo.refused") })
      : t(`photo.${state.state}`);
  const tone = { waiting: "pending", sending: "pending", sent: "clear", failed: "error", remote: "", elsewhere: "pending" }[state.state];
  return h("span", { class: `badge ${tone}`, "data-testid": "photo-state", dataset: { state: state.state } }, text);
}

async function fullView(record) {
  const blob = await photos.imageOf(record, { full: true });
  const url = blob ? URL.createObjectURL(blob) : null;
  const close = () => {
    dialog.close();
    dialog.remove();
    if (url) URL.revokeObjectURL(url);
  };
  const content = !blob ? h("p", {}, t("photo.notHere"))
    : record.content_type === "application/pdf"
      ? h("a", { href: url, download: record.filename || "file.pdf", class: "button" }, record.filename || "PDF")
      : h("img", { src: url, alt: record.filename || t("photo.title"), class: "photo-full" });
  const dialog = h("dialog", { class: "photo-dialog", "data-testid": "photo-dialog" },
    content, button(t("photo.close"), { class: "button primary", onClick: close }));
  dialog.addEventListener("cancel", () => { if (url) URL.revokeObjectURL(url); dialog.remove(); });
  document.body.append(dialog);
  dialog.showModal();
}

/** The sync page's part: the upload queue with per-file states and a total, and the space. */
export function photoQueueSection() {
  const section = h("section", { class: "photo-queue", "data-testid": "photo-queue" });
  const draw = async () => {
    const [queue, use] = await Promise.all([photos.queue(), photos.usage()]);
    const rows = await Promise.all(queue.map(queuedRow));
    const sent = queue.filter((item) => item.state === "sent").length;
    const left = queue.filter((item) => item.state !== "sent")
      .reduce((sum, item) => sum + (item.photo.size || 0), 0);
    mount(section,
      h("h2", {}, t("photo.queueTitle")),
      queue.length ? [
        h("p", { "data-testid": "photo-total" }, t("photo.queueTotal",
          { sent, total: queue.length, left: photos.formatBytes(left) })),
        h("ul", { class: "list compact" }, rows)]
        : empty(t("photo.queueEmpty")),
      h("h3", {}, t("photo.storageTitle")),
      h("p", { "data-testid": "photo-usage" }, t("photo.storageUse", {
        photos: photos.formatBytes(use.unsent + use.sent + use.cached),
        usage: photos.formatBytes(use.usage), quota: photos.formatBytes(use.quota) })),
      h("p", { class: "hint" }, t("photo.storageBreakdown", { unsent: photos.formatBytes(use.unsent),
        sent: photos.formatBytes(use.sent), cached: photos.formatBytes(use.cached) })),
      button(t("photo.free", { bytes: photos.formatBytes(use.sent + use.cached) }), {
        "data-testid": "photo-free", disabled: use.sent + use.cached === 0,
        onClick: async () => {
          if (!confirm(t("photo.freeConfirm"))) return;
          await photos.freeSpace();
          draw();
        } }));
  };
  draw();
  const offPhotos = photos.onPhotos(draw);
  const offData = redrawOnData(draw);
  section.dispose = () => { offPhotos(); offData(); };
  return section;
}

const KINDS = { signature: "photo.kindSignature", business_card: "photo.kindCard" };

/** One queued file as a person knows it: a thumbnail, what kind, and the record it belongs to. */
async function queuedRow(item) {
  const { record, photo } = item;
  const [owner, customer] = await Promise.all([
    record.owner_entity ? getRecord(record.owner_entity, record.owner_id) : null,
    record.customer_id ? getRecord("customers", record.customer_id) : null]);
  const kind = t(KINDS[record.purpose] || (record.content_type === "application/pdf" ? "photo.kindPdf" : "photo.kindPhoto"));
  const when = owner?.visited_at || owner?.heard_at || owner?.created_at || photo.added_ms;
  const thumb = h("span", { class: "queue-thumb", "aria-hidden": "true" });
  if (photo.blob && record.content_type !== "application/pdf") {
    const url = URL.createObjectURL(photo.blob);
    const img = h("img", { alt: "", width: 64, height: 48 });
    img.addEventListener("load", () => URL.revokeObjectURL(url), { once: true });
    img.src = url;
    thumb.append(img);
  } else {
    thumb.append(kind);
  }
  return h("li", { class: "row static queued", "data-testid": "queued-photo" },
    thumb,
    h("span", { class: "queued-text" },
      h("span", { class: "row-title", "data-testid": "queued-owner" }, t("photo.belongsTo", {
        kind, owner: label("entity", record.owner_entity), customer: customer?.name || "" })),
      h("span", { class: "row-meta" }, dateTime(when), " · ", photos.formatBytes(photo.size), " "),
      stateBadge(item)));
}

/** Small thumbnails of a visit's or request's photos for the customer timeline (filled in later). */
export function timelinePhotos(ownerId) {
  const strip = h("span", { class: "timeline-photos", "data-testid": "timeline-photos" });
  photos.attachmentsOf(ownerId).then((records) => {
    for (const record of records.slice(0, 4)) {
      photos.imageOf(record).then((blob) => {
        if (!blob) return;
        const img = h("img", { alt: record.filename || t("photo.title"), width: 64, height: 48 });
        const url = URL.createObjectURL(blob);
        img.addEventListener("load", () => URL.revokeObjectURL(url), { once: true });
        img.src = url;
        strip.append(img);
      });
    }
  });
  return strip;
}
