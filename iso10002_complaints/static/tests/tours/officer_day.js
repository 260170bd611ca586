import { registry } from "@web/core/registry";

/**
 * An officer's day in the backend: a complaint taken on the phone, recorded and followed
 * through every step to its closing; and the same work in Persian, right to left.
 *
 * The selectors use names (form fields, buttons, notebook pages), never labels, so that
 * the tours pass in any language. test_tour.py (TestOfficerDayTour) runs them and checks
 * the records after them.
 */

// created by test_tour.py
const COMPLAINANT = "Day Caller Without Mail";
const CATEGORY = "Day Broken Deliveries";
const OFFICER = "Day Officer";
// what the officer types
const SUBJECT = "Parcel arrived crushed";
const RESPONSE = "We are sorry: the carrier has been told and your next parcel is insured.";
// the Persian label of the Assessment tab (i18n/fa.po)
const ASSESSMENT_FA = "ارزیابی";

const FORM = ".o_form_view";
const STATUSBAR = `${FORM} .o_form_statusbar`;

/** Click the step's button, then wait for the next one and for the record to be saved. */
function moveSteps(button, next, content) {
    return [
        {
            content,
            trigger: `${STATUSBAR} button[name='${button}']`,
            run: "click",
        },
        {
            content: `Moved on: ${button} is gone, ${next} is offered`,
            trigger: `${STATUSBAR}:not(:has(button[name='${button}'])) button[name='${next}']`,
        },
        {
            content: "... the record is saved, without an error",
            trigger: `${FORM} .o_form_saved:not(:has(.o_field_invalid))`,
        },
        {
            content: "... and no error was shown",
            trigger: "body:not(:has(.o_error_dialog)):not(:has(.o_notification.border-danger))",
        },
    ];
}

function pickMany2one(field, name, content) {
    return [
        {
            content,
            trigger: `${FORM} .o_field_widget[name='${field}'] input`,
            run: `edit ${name}`,
        },
        {
            content: `Pick ${name} in the autocomplete`,
            trigger: `.o-autocomplete--dropdown-menu .o-autocomplete--dropdown-item a:contains(${name})`,
            run: "click",
        },
        {
            content: `${name} is set`,
            trigger: `${FORM} .o_field_widget[name='${field}'] input:value(${name})`,
        },
    ];
}

function openTab(name) {
    return {
        content: `Open the ${name} tab`,
        trigger: `${FORM} .o_notebook a.nav-link[name='${name}']`,
        run: "click",
    };
}

function acknowledgeAndAssessSteps() {
    return [
        openTab("acknowledgement"),
        {
            content: "Say the complainant was acknowledged on the phone",
            trigger: `${FORM} .o_field_widget[name='acknowledgement_channel'] select`,
            run: 'select "phone"',
        },
        ...moveSteps("action_acknowledge", "action_assess", "Acknowledge the complaint"),
        {
            content: "The acknowledgement channel is recorded and can no longer be changed",
            trigger: `${FORM} .o_field_widget[name='acknowledgement_channel'] span[raw-value='phone']`,
        },
        {
            content: "Assess before giving a severity and a category",
            trigger: `${STATUSBAR} button[name='action_assess']`,
            run: "click",
        },
        {
            content: "Refused: a warning (not an error with a traceback) says why",
            trigger: ".modal .o_error_dialog [role='alert'] p.text-prewrap",
        },
        {
            content: "... and the form opened the Assessment tab",
            trigger: `${FORM} .o_notebook a.nav-link.active[name='assessment']`,
        },
        {
            content: "... where the severity is marked",
            trigger: `${FORM} .o_field_widget.o_field_invalid[name='severity']`,
        },
        {
            content: "Close the dialog",
            trigger: ".modal .o_error_dialog .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Set the severity",
            trigger: `${FORM} .o_field_widget[name='severity'] select`,
            run: 'select "medium"',
        },
        ...pickMany2one("category_id", CATEGORY, "Choose the category"),
        ...moveSteps("action_assess", "action_investigate", "Assess the complaint"),
        {
            content: "The assessment records who made it",
            trigger: `${FORM} .o_field_widget[name='assessed_by_id']:contains(${OFFICER})`,
        },
    ];
}

registry.category("web_tour.tours").add("iso10002_officer_day", {
    url: "/odoo/action-iso10002_complaints.iso10002_complaint_action",
    steps: () => [
        {
            content: "The complaints open; a call comes in: record a new complaint",
            trigger: ".o_control_panel_main_buttons .o-kanban-button-new",
            run: "click",
        },
        {
            content: "Type the subject",
            trigger: `${FORM} .o_field_widget[name='subject'] input`,
            run: `edit ${SUBJECT}`,
        },
        ...pickMany2one("partner_id", COMPLAINANT, "Say who is calling"),
        {
            content: "Save the complaint",
            trigger: `${FORM} .o_form_button_save`,
            run: "click",
        },
        {
            content: "Saved, no field in error: it is to acknowledge",
            trigger: `${FORM}:has(.o_form_saved):not(:has(.o_field_invalid)) .o_form_statusbar button[name='action_acknowledge']`,
        },
        {
            content: "... and no error was shown",
            trigger: "body:not(:has(.o_error_dialog)):not(:has(.o_notification.border-danger))",
        },
        ...acknowledgeAndAssessSteps(),
        openTab("investigation"),
        ...pickMany2one("investigator_id", OFFICER, "The officer investigates it"),
        ...moveSteps("action_investigate", "action_respond", "Start the investigation"),
        openTab("response"),
        {
            content: "Decide an apology",
            trigger: `${FORM} .o_field_widget[name='remedy'] select`,
            run: 'select "apology"',
        },
        ...moveSteps("action_respond", "action_communicate", "Decide the response"),
        {
            content: "Write the response to the complainant",
            trigger: `${FORM} .o_field_html[name='response_text'] .odoo-editor-editable div.o-paragraph`,
            run: `editor ${RESPONSE}`,
        },
        openTab("communication"),
        {
            content: "Say the decision was told on the phone",
            trigger: `${FORM} .o_field_widget[name='communication_channel'] select`,
            run: 'select "phone"',
        },
        ...moveSteps("action_communicate", "action_close", "Communicate the decision"),
        {
            content: "The complainant accepts the decision",
            trigger: `${FORM} .o_field_widget[name='complainant_response'] select`,
            run: 'select "accepted"',
        },
        {
            content: "Close the complaint",
            trigger: `${STATUSBAR} button[name='action_close']`,
            run: "click",
        },
        {
            content: "Closed: it can only be reopened now",
            trigger: `${STATUSBAR}:not(:has(button[name='action_close'])) button[name='action_reopen']`,
        },
        {
            content: "... the record is saved",
            trigger: `${FORM} .o_form_saved`,
        },
        {
            content: "... and no error was shown",
            trigger: "body:not(:has(.o_error_dialog)):not(:has(.o_notification.border-danger))",
        },
    ],
});

registry.category("web_tour.tours").add("iso10002_officer_day_fa", {
    steps: () => [
        {
            content: "The web client is laid out right to left",
            trigger: "body.o_rtl",
        },
        {
            content: "The complaint opens in the backend, still to acknowledge",
            trigger: `${STATUSBAR}:not(:has(button[name='action_assess'])) button[name='action_acknowledge']`,
        },
        {
            content: "The labels are in Persian: the Assessment tab",
            trigger: `${FORM} .o_notebook a.nav-link[name='assessment']:contains(${ASSESSMENT_FA})`,
        },
        ...acknowledgeAndAssessSteps(),
        {
            content: "Still right to left",
            trigger: "body.o_rtl",
        },
    ],
});
