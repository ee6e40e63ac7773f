import { registry } from "@web/core/registry";

function formState(what, label) {
    return {
        content: `The ${what} is ${label}`,
        trigger: `.o_form_view .o_statusbar_status button.o_arrow_button_current:contains(${label})`,
    };
}

registry.category("web_tour.tours").add("service_desk_hotline_visit_signed", {
    steps: () => [
        {
            content: "The service requests are shown",
            trigger: ".o_action_manager .o_kanban_view",
        },
        {
            content: "Open the Service desk menu",
            trigger: ".o_menu_sections .dropdown-toggle:contains(Service desk)",
            run: "click",
        },
        {
            content: "Take the call on the hotline",
            trigger: ".dropdown-item:contains(Hotline)",
            run: "click",
        },
        {
            content: "The caller gives their phone number",
            trigger: ".modal div[name=lookup] input",
            run: "edit 138 0013 8000 && press Tab",
        },
        {
            content: "The customer is found from the number",
            trigger: ".modal div[name=partner_id] input:value(Acme Hospital)",
        },
        {
            content: "An engineer has to go on site",
            trigger: ".modal div[name=support_mode] input[data-value=on_site]",
            run: "click",
        },
        {
            content: "What is wrong, in a few words",
            trigger: ".modal div[name=title] input",
            run: "edit Infusion pump alarms E42",
        },
        {
            content: "Create the request",
            trigger: ".modal button[name=action_create_request]",
            run: "click",
        },
        formState("request", "New"),
        {
            content: "The request has its ticket number",
            trigger: ".o_form_view .oe_title h1:contains(SR)",
        },
        {
            content: "Plan a visit",
            trigger: ".o_form_view button[name=action_plan_visit]",
            run: "click",
        },
        {
            content: "The visit is planned for the request",
            trigger: ".o_form_view div[name=request_id] input:value(SR)",
        },
        {
            content: "The engineer arrives on site",
            trigger: ".o_form_view button[name=action_arrive]",
            run: "click",
        },
        formState("visit", "On site"),
        {
            content: "Say what was done",
            trigger: ".o_form_view div[name=work_done] textarea",
            run: "edit Pressure sensor cleaned, alarm E42 cleared, pump tested for 30 minutes",
        },
        {
            content: "Finish the visit",
            trigger: ".o_form_view button[name=action_finish]",
            run: "click",
        },
        formState("visit", "Done"),
        {
            content: "Open the signature page",
            trigger: ".o_form_view .o_notebook a.nav-link:contains(signature)",
            run: "click",
        },
        {
            content: "The customer types their name",
            trigger: ".o_form_view div[name=signed_by] input",
            run: "edit Ada Nurse",
        },
        {
            content: "The customer signs on the tablet",
            trigger: ".o_form_view div[name=signature] .o_signature",
            run: "click",
        },
        {
            content: "Draw the signature",
            trigger: ".modal canvas.o_web_sign_signature",
            async run({ drag_and_drop }) {
                await drag_and_drop(".modal canvas.o_web_sign_signature", {
                    position: { x: 150, y: 60 },
                    relative: true,
                });
            },
        },
        {
            content: "Something is drawn",
            trigger: ".modal canvas.o_web_sign_signature",
            run: "canvasNotEmpty",
        },
        {
            content: "Adopt and sign",
            trigger: ".modal .modal-footer button.btn-primary:enabled",
            run: "click",
        },
        {
            content: "The signature is on the report",
            trigger: ".o_form_view div[name=signature] img.o_signature",
        },
        {
            content: "Save the signed report",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "The signed report is fixed: the signer's name can no longer change",
            trigger: ".o_form_view .o_form_saved div[name=signed_by]:not(:has(input)):contains(Ada Nurse)",
        },
        {
            content: "The signature is stamped with its date",
            trigger: ".o_form_view div[name=signed_on] span:not(:empty)",
        },
        {
            content: "Back to the request",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(SR)",
            run: "click",
        },
        formState("request", "In progress"),
        {
            content: "The problem is solved",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_solve]",
            run: "click",
        },
        formState("request", "Solved"),
        {
            content: "Close the request",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_close]",
            run: "click",
        },
        formState("request", "Closed"),
    ],
});
