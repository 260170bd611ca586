import { browser } from "@web/core/browser/browser";
import { UncaughtPromiseError } from "@web/core/errors/error_service";
import { RPCError } from "@web/core/network/rpc";
import { registry } from "@web/core/registry";

/**
 * A step refused for a field that is missing (iso10002.complaint._refusal) names the
 * field and the tab that holds it. Before the usual dialog says so, the complaint's form
 * opens that tab and marks the field, so that the officer sees where to look when the
 * dialog is closed.
 */
function markRefusedField(form, field, tries = 20) {
    const widget = form.querySelector(`.o_field_widget[name='${field}']`);
    if (widget) {
        const label = form.querySelector(
            `label.o_form_label[for='${widget.querySelector("[id]")?.id}']`
        );
        const marked = [widget, label].filter(Boolean);
        marked.forEach((el) => el.classList.add("o_field_invalid"));
        // until the officer fills it in
        const clear = () => marked.forEach((el) => el.classList.remove("o_field_invalid"));
        widget.addEventListener("change", clear, { once: true });
        widget.addEventListener("input", clear, { once: true });
    } else if (tries) {
        // the page renders on the next frames
        browser.requestAnimationFrame(() => markRefusedField(form, field, tries - 1));
    }
}

export function complaintRefusalHandler(env, error, originalError) {
    if (!(error instanceof UncaughtPromiseError) || !(originalError instanceof RPCError)) {
        return false;
    }
    const context = originalError.data?.context || {};
    const field = context.iso10002_field;
    if (!field) {
        return false;
    }
    const page = context.iso10002_page;
    // the complaint's form: the last one shown (a dialog's comes after the main one)
    const forms = [...document.querySelectorAll(".o_form_view")].filter(
        (form) =>
            form.querySelector(`.o_notebook_headers a.nav-link[name='${page}']`) ||
            form.querySelector(`.o_field_widget[name='${field}']`)
    );
    const form = forms.at(-1);
    if (form) {
        const tab = page && form.querySelector(`.o_notebook_headers a.nav-link[name='${page}']`);
        if (tab && !tab.classList.contains("active")) {
            tab.click();
        }
        markRefusedField(form, field);
    }
    return false; // the warning dialog still tells why
}

registry
    .category("error_handlers")
    .add("iso10002ComplaintRefusal", complaintRefusalHandler, { sequence: 90 });
