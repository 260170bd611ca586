import { registry } from "@web/core/registry";

/**
 * The journey of a complaint, from the portal to its assessment in the backend.
 *
 * The selectors use names (form fields, buttons, notebook pages, links), never labels:
 * the tours pass whatever the language of the user (the addon ships Persian).
 * test_tour.py runs them and checks the records between and after them.
 */

// what the complainant types, found again in the portal list and in the backend
const SUBJECT = "Kettle leaks after two days";
const DESCRIPTION = "The kettle I bought on Monday leaks from its base since Wednesday.";
const REMEDY = "A new kettle";
const ORDER = "SO-2026-0042";
// created by test_tour.py
const CATEGORY = "Tour Leaking Appliances";
const OFFICER = "Tour Officer";

const FORM = "form.o_iso10002_complaint_form";

registry.category("web_tour.tours").add("iso10002_complaint_journey_portal", {
    url: "/my/complaints",
    steps: () => [
        {
            content: "The complainant has no complaint yet and opens the complaint form",
            trigger: "a.btn-primary[href='/complaints/new']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Signed in: the form does not ask who the complainant is",
            trigger: `${FORM}:not(:has(input[name='name'])):not(:has(input[name='email']))`,
        },
        {
            content: "Type the subject",
            trigger: `${FORM} input[name='subject']`,
            run: `edit ${SUBJECT}`,
        },
        {
            content: "Tell what happened",
            trigger: `${FORM} textarea[name='description']`,
            run: `edit ${DESCRIPTION}`,
        },
        {
            content: "Say what would put it right",
            trigger: `${FORM} textarea[name='remedy_sought']`,
            run: `edit ${REMEDY}`,
        },
        {
            content: "Give the order reference",
            trigger: `${FORM} input[name='order_reference']`,
            run: `edit ${ORDER}`,
        },
        {
            content: "Agree that the data is processed to handle the complaint",
            trigger: `${FORM} input[name='consent']`,
            run: "check",
        },
        {
            content: "Send the complaint",
            trigger: `${FORM} button[type='submit']`,
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The complaint is registered: its reference is shown",
            trigger: ".o_iso10002_filed strong:contains(CMP/)",
        },
        {
            content: "The complaint's page opens, with the subject and the description typed",
            trigger: `.card-header h4:contains(${SUBJECT})`,
        },
        {
            content: "The description is shown back",
            trigger: `.card-body:contains(${DESCRIPTION})`,
        },
        {
            content: "Back to the list of complaints through the breadcrumb",
            trigger: ".o_portal_submenu a[href='/my/complaints']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The new complaint is in the list, with a link to its page",
            trigger: `.o_portal_my_doc_table tr:has(td:contains(${SUBJECT})) a[href^='/my/complaints/']`,
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The link opens the complaint",
            trigger: `.card-header h4:contains(${SUBJECT})`,
        },
    ],
});

// ---------------------------------------------------------------- backend

const STATUSBAR = ".o_form_view .o_form_statusbar";

function assessSteps() {
    return [
        {
            content: "Open the Assessment page",
            trigger: ".o_notebook a.nav-link[name='assessment']",
            run: "click",
        },
        {
            content: "Choose the category",
            trigger: ".o_field_widget[name='category_id'] input",
            run: `edit ${CATEGORY}`,
        },
        {
            content: "Pick it in the autocomplete",
            trigger: `.o-autocomplete--dropdown-menu .o-autocomplete--dropdown-item a:contains(${CATEGORY})`,
            run: "click",
        },
        {
            content: "Set the severity",
            trigger: ".o_field_widget[name='severity'] select",
            run: 'select "high"',
        },
        {
            content: "Assess the complaint",
            trigger: `${STATUSBAR} button[name='action_assess']`,
            run: "click",
        },
        {
            content: "In assessment now: the investigation is next, the Assess button is gone",
            trigger: `${STATUSBAR}:not(:has(button[name='action_assess'])) button[name='action_investigate']`,
        },
        {
            content: "The assessment records who made it",
            trigger: `.o_field_widget[name='assessed_by_id']:contains(${OFFICER})`,
        },
        {
            content: "... and the record is saved",
            trigger: ".o_form_view .o_form_saved",
        },
    ];
}

/**
 * A complaint filed by a complainant with an e-mail address: acknowledged by e-mail
 * at once, the officer finds it acknowledged and assesses it.
 */
registry.category("web_tour.tours").add("iso10002_complaint_journey_assess", {
    steps: () => [
        {
            content: "The complaint opens in the backend",
            trigger: `.o_form_view .o_field_widget[name='subject'] input:value(${SUBJECT})`,
        },
        {
            content: "Already acknowledged by e-mail: nothing to acknowledge, it is to assess",
            trigger: `${STATUSBAR}:not(:has(button[name='action_acknowledge'])) button[name='action_assess']`,
        },
        {
            content: "Open the Acknowledgement page",
            trigger: ".o_notebook a.nav-link[name='acknowledgement']",
            run: "click",
        },
        {
            content: "The acknowledgement by e-mail is recorded, and can no longer be changed",
            trigger: ".o_field_widget[name='acknowledgement_channel'] span[raw-value='email']",
        },
        {
            content: "... with its date",
            trigger: ".o_field_widget[name='acknowledged_date'] span:not(:empty)",
        },
        ...assessSteps(),
    ],
});

/**
 * A complaint that no e-mail could acknowledge: the officer acknowledges it by phone,
 * then assesses it.
 */
registry.category("web_tour.tours").add("iso10002_complaint_journey_acknowledge", {
    steps: () => [
        {
            content: "The complaint opens in the backend",
            trigger: `.o_form_view .o_field_widget[name='subject'] input:value(${SUBJECT})`,
        },
        {
            content: "It is still to acknowledge: no assessment yet",
            trigger: `${STATUSBAR}:not(:has(button[name='action_assess'])) button[name='action_acknowledge']`,
        },
        {
            content: "Open the Acknowledgement page",
            trigger: ".o_notebook a.nav-link[name='acknowledgement']",
            run: "click",
        },
        {
            content: "Say how the complainant was acknowledged",
            trigger: ".o_field_widget[name='acknowledgement_channel'] select",
            run: 'select "phone"',
        },
        {
            content: "Acknowledge the complaint",
            trigger: `${STATUSBAR} button[name='action_acknowledge']`,
            run: "click",
        },
        {
            content: "The complaint is acknowledged: it is to assess now",
            trigger: `${STATUSBAR}:not(:has(button[name='action_acknowledge'])) button[name='action_assess']`,
        },
        {
            content: "The acknowledgement channel is recorded and can no longer be changed",
            trigger: ".o_field_widget[name='acknowledgement_channel'] span[raw-value='phone']",
        },
        ...assessSteps(),
    ],
});
