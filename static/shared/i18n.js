/* Translations for the browser scripts, from Django's JSON catalog of the `djangojs` messages in
 * locale/ (GET /api/v1/widget/i18n/<lang>.json; helpdesk.views.script_catalog).
 *
 * The scripts write their words in English inside gettext() / ngettext() calls, which is what
 * `manage.py makemessages -d djangojs` collects; at run time those calls look the words up in the
 * loaded catalog and fall back to the English when a word has no translation or the catalog could not
 * be loaded: a missing catalog never leaves a blank. Plural forms are chosen with the browser's
 * Intl.PluralRules for the catalog's language rather than by evaluating the catalog's plural formula,
 * so nothing from the network is ever run as code. */

const PLURAL_ORDER = ["zero", "one", "two", "few", "many", "other"];

export class Translations {
  /* catalog: the JSON catalog's `catalog` object (msgid -> text, or msgid -> [plural forms]);
   * lang: the language it is in ("en" with an empty catalog is plain English). */
  constructor({ catalog = {}, lang = "en" } = {}) {
    this.catalog = catalog;
    this.lang = lang;
    let rules = null;
    try {
      rules = new Intl.PluralRules(lang);
    } catch {
      rules = new Intl.PluralRules("en");
    }
    this.rules = rules;
    const present = new Set(rules.resolvedOptions().pluralCategories);
    this.categories = PLURAL_ORDER.filter((category) => present.has(category));
  }

  gettext(msgid) {
    const text = this.catalog[msgid];
    if (typeof text === "string" && text) return text;
    if (Array.isArray(text) && text[0]) return text[0];
    return msgid;
  }

  ngettext(singular, plural, count) {
    const forms = this.catalog[singular];
    if (Array.isArray(forms) && forms.length) {
      const index = Math.min(this.categories.indexOf(this.rules.select(count)), forms.length - 1);
      const text = forms[Math.max(index, 0)];
      if (text) return text;
    }
    return count === 1 ? singular : plural;
  }
}

/* Django's named interpolation: "%(name)s is here" with {name: "Ana"}. A name not given stays as written,
 * so a translation with a mistake shows it rather than "undefined". */
export function interpolate(format, values) {
  return format.replace(/%\((\w+)\)s/g, (whole, name) =>
    Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole,
  );
}

/* The first of `wanted` (BCP 47 tags such as navigator.languages: "es-MX", "fr") whose language is one of
 * `supported` ("es", "fr", ...), else `fallback`. */
export function languageChoose(wanted, supported, fallback) {
  for (const tag of wanted || []) {
    const code = String(tag || "").toLowerCase().split(/[-_]/)[0];
    if (supported.includes(code)) return code;
  }
  return fallback;
}

/* The translations for `lang`, fetched from `url` (the catalog's address for that language). English,
 * or any failure to load, gives the untranslated words. */
export async function translationsLoad(url, lang) {
  if (!lang || lang === "en") return new Translations();
  try {
    const response = await fetch(url, { credentials: "omit" });
    if (!response.ok) return new Translations();
    const data = await response.json();
    return new Translations({ catalog: data.catalog || {}, lang });
  } catch {
    return new Translations();
  }
}

/* The translations an agent page carries with it: Django's JSON catalog for the page's language, embedded
 * by the {% script_catalog_json %} tag as <script type="application/json" id="..."> (no extra request).
 * No element, or one that cannot be read, gives the untranslated words. */
export function translationsFromPage(id = "script-catalog") {
  const element = typeof document === "undefined" ? null : document.getElementById(id);
  if (!element) return new Translations();
  try {
    const data = JSON.parse(element.textContent);
    return new Translations({ catalog: data.catalog || {}, lang: data.lang || "en" });
  } catch {
    return new Translations();
  }
}
