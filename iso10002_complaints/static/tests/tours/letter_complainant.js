import { registry } from "@web/core/registry";

/**
 * An officer handles a complainant who asked for letters in large print (ISO 10002 4.5,
 * 7.4, 7.8, 8.3), from receipt to the satisfaction they gave by letter: each letter is
 * printed and kept on the complaint, nothing is e-mailed. test_tour.py
 * (TestLetterComplainantTour) files the complaint on the public form, runs this tour as
 * the team leader who owns it, and checks the records after it.
 *
 * Selectors use names (fields, buttons, tabs), never labels: the tour passes in any language.
 */

const FORM = ".o_form_view";
const STATUSBAR = `${FORM} .o_form_statusbar`;
const CATEGORY = "Letter Overheating Lamps";
const OFFICER = "Letter Officer";
const RESPONSE = "We replace your lamp and have stopped selling this model.";

function noError(content) {
    return {
        content: content || "... and no error was shown",
        trigger: "body:not(:has(.o_error_dialog)):not(:has(.o_notification.border-danger))",
    };
}

function moveSteps(button, next, content) {
    return [
        { content, trigger: `${STATUSBAR} button[name='${button}']`, run: "click" },
        {
            content: `Moved on: ${button} is gone, ${next} is offered`,
            trigger: `${STATUSBAR}:not(:has(button[name='${button}'])) button[name='${next}']`,
        },
        {
            content: "... the record is saved",
            trigger: `${FORM} .o_form_saved:not(:has(.o_field_invalid))`,
        },
        noError(),
    ];
}

function openTab(name) {
    return {
        content: `Open the ${name} tab`,
        trigger: `${FORM} .o_notebook a.nav-link[name='${name}']`,
        run: "click",
    };
}

function pickMany2one(field, name, content) {
    return [
        { content, trigger: `${FORM} .o_field_widget[name='${field}'] input`, run: `edit ${name}` },
        {
            content: `Pick ${name}`,
            trigger: `.o-autocomplete--dropdown-menu .o-autocomplete--dropdown-item a:contains(${name})`,
            run: "click",
        },
        {
            content: `${name} is set`,
            trigger: `${FORM} .o_field_widget[name='${field}'] input:value(${name})`,
        },
    ];
}

function letterKept(content) {
    return {
        content,
        trigger: ".o-mail-Chatter .o-mail-Message:contains(large print) .o-mail-AttachmentList",
    };
}

registry.category("web_tour.tours").add("iso10002_letter_complainant", {
    steps: () => [
        {
            content: "The complaint filed on the website waits for its acknowledgement by letter",
            trigger: `${STATUSBAR} button[name='action_acknowledge']`,
        },
        {
            content: "The form shows the letters are to be in large print",
            trigger: `${FORM} .o_field_widget[name='large_print'] input:checked`,
        },
        openTab("acknowledgement"),
        {
            content: "Acknowledge by letter",
            trigger: `${FORM} .o_field_widget[name='acknowledgement_channel'] select`,
            run: 'select "letter"',
        },
        ...moveSteps(
            "action_acknowledge",
            "action_assess",
            "Record the acknowledgement letter as sent"
        ),
        letterKept("The acknowledgement letter, as printed, is kept on the complaint"),
        openTab("assessment"),
        {
            content: "Set the severity",
            trigger: `${FORM} .o_field_widget[name='severity'] select`,
            run: 'select "high"',
        },
        ...pickMany2one("category_id", CATEGORY, "Choose the category"),
        ...moveSteps("action_assess", "action_investigate", "Assess the complaint"),
        openTab("investigation"),
        ...pickMany2one("investigator_id", OFFICER, "The officer investigates it"),
        ...moveSteps("action_investigate", "action_respond", "Start the investigation"),
        openTab("response"),
        {
            content: "Decide a replacement",
            trigger: `${FORM} .o_field_widget[name='remedy'] select`,
            run: 'select "replacement"',
        },
        ...moveSteps("action_respond", "action_communicate", "Decide the response"),
        {
            content: "Write the response to the complainant",
            trigger: `${FORM} .o_field_html[name='response_text'] .odoo-editor-editable div.o-paragraph`,
            run: `editor ${RESPONSE}`,
        },
        openTab("communication"),
        ...moveSteps("action_communicate", "action_close", "Record the decision letter as sent"),
        {
            content: "The complainant accepted the decision, by letter",
            trigger: `${FORM} .o_field_widget[name='complainant_response'] select`,
            run: 'select "accepted"',
        },
        {
            content: "Close the complaint",
            trigger: `${STATUSBAR} button[name='action_close']`,
            run: "click",
        },
        {
            content: "Closed: its satisfaction is to be recorded",
            trigger: `${STATUSBAR}:not(:has(button[name='action_close'])) button[name='action_record_satisfaction']`,
        },
        noError(),
        {
            content: "The complainant's satisfaction came back by letter: record it",
            trigger: `${STATUSBAR} button[name='action_record_satisfaction']`,
            run: "click",
        },
        {
            content: "Asked by letter",
            trigger: ".modal .o_field_widget[name='means'] select",
            run: 'select "letter"',
        },
        {
            content: "Satisfied",
            trigger: ".modal .o_field_widget[name='answer'] input[data-value='5']",
            run: "click",
        },
        {
            content: "Their words",
            trigger: ".modal .o_field_widget[name='feedback'] textarea",
            run: "edit Thank you for the large letters.",
        },
        { content: "Record it", trigger: ".modal button[name='action_record']", run: "click" },
        {
            content: "Recorded: the dialog closed",
            trigger: "body:not(:has(.modal))",
        },
        noError(),
    ],
});
