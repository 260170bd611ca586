import { registry } from "@web/core/registry";

/**
 * A visitor's journey on a phone (test_tour.py, TestComplainantPhoneTour, at 390 x 844):
 * from the website's menu to the complaints page, the form, the reference on screen; then,
 * through the link of the decision e-mail, the decision accepted or rejected and the
 * handling rated. Selectors use names and classes, never labels.
 */

const SUBJECT = "Wardrobe door fell off";
const DESCRIPTION = "The left door of the wardrobe fell off the day after assembly.";

registry.category("web_tour.tours").add("iso10002_complainant_files_on_phone", {
    url: "/",
    steps: () => [
        {
            content: "Open the website's menu (a phone shows it behind the toggler)",
            trigger: "header button[data-bs-target='#top_menu_collapse_mobile']",
            run: "click",
        },
        {
            content: "The Complaints entry of the menu",
            trigger: "#top_menu_collapse_mobile a[href='/complaints']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The complaints page publishes the policy, the time limits and the recourse",
            trigger: ".o_iso10002_policy_page:has(.o_iso10002_provider)",
        },
        {
            content: "File a complaint",
            trigger: ".o_iso10002_policy_page a[href='/complaints/new']",
            run: "click",
            expectUnloadPage: true,
        },
        { trigger: "form.o_iso10002_complaint_form input[name='name']", run: "edit Phone Visitor" },
        {
            trigger: "form.o_iso10002_complaint_form input[name='email']",
            run: "edit phone.visitor@example.com",
        },
        { trigger: "form.o_iso10002_complaint_form input[name='subject']", run: `edit ${SUBJECT}` },
        {
            trigger: "form.o_iso10002_complaint_form textarea[name='description']",
            run: `edit ${DESCRIPTION}`,
        },
        {
            trigger: "form.o_iso10002_complaint_form input[name='order_reference']",
            run: "edit SO-PHONE-1",
        },
        { trigger: "form.o_iso10002_complaint_form input[name='consent']", run: "check" },
        {
            content: "Send the complaint",
            trigger: "form.o_iso10002_complaint_form button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The reference is on screen",
            trigger: ".o_iso10002_filed strong:contains(CMP/)",
        },
        {
            content: "... and where its link went, not the link: anyone can type an address",
            trigger: ".o_iso10002_link_sent:contains(phone.visitor@example.com)",
        },
    ],
});

registry.category("web_tour.tours").add("iso10002_complainant_answers_on_phone", {
    steps: () => [
        {
            content: "The decision waits for an answer",
            trigger: ".o_iso10002_answer",
        },
        {
            content: "Reject without a reason: the browser asks for one",
            trigger: ".o_iso10002_reject textarea[name='reason']",
            run: "edit The door still wobbles after your repair.",
        },
        {
            content: "Reject the decision",
            trigger: ".o_iso10002_reject button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The answer is recorded on the page",
            trigger: ".o_iso10002_answered .text-bg-warning",
        },
        {
            content: "Rate the handling: not satisfied",
            trigger: ".o_iso10002_rate a[href$='/1']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Say why, on the rating page",
            trigger: "form[action$='/submit_feedback'] textarea[name='feedback']",
            run: "edit It took three calls to be heard.",
        },
        {
            content: "Send the rating",
            trigger: "form[action$='/submit_feedback'] button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The rating is recorded",
            trigger: "body:not(:has(form[action$='/submit_feedback']))",
        },
    ],
});
