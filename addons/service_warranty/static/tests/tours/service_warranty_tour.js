import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("service_warranty_print_card", {
    steps: () => [
        {
            content: "Open the certificates issued by this order's delivery",
            trigger: ".o_form_view button[name=action_view_warranties]",
            run: "click",
        },
        {
            content: "The certificate of the delivered serial opens",
            trigger: ".o_form_view .o_field_widget[name=lot_id]:contains(TOUR-0001)",
        },
        {
            content: "It is active",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Active)",
        },
        {
            content: "Print its card",
            trigger: ".o_form_view button[name=action_print_card]",
            run: "click",
        },
        {
            content: "The card was sent to the browser and the form is usable again",
            trigger: ".o_form_view button[name=action_print_card]:enabled",
        },
    ],
});
