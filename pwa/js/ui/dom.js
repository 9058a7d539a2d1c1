// Building DOM without markup strings: text goes in only as text nodes (textContent), never
// through innerHTML, so a note like `<img src=x onerror=alert(1)>` stays a note.

const PROPERTIES = new Set(["value", "checked", "disabled", "hidden", "selected", "required",
  "multiple", "readOnly", "indeterminate"]);

/** `h("button", {class: "primary", onClick: save}, "保存")` */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "innerHTML" || name === "outerHTML" || name === "style" || /^on[a-z]/.test(name)) {
      throw new Error(`h(): ${name} is not allowed; use textContent, classes and onEvent handlers`);
    }
    if (/^on[A-Z]/.test(name) && typeof value === "function") {
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === "class") {
      el.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : value;
    } else if (name === "dataset") {
      Object.assign(el.dataset, value);
    } else if (PROPERTIES.has(name)) {
      el[name] = value;
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

/** Replace `el`'s content; null, undefined and false children are skipped (replaceChildren
 * would show them as the text "null"). */
export function mount(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

let uid = 0;
export function uniqueId(prefix = "f") {
  uid += 1;
  return `${prefix}-${uid}`;
}
