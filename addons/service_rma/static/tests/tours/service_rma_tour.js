import { registry } from "@web/core/registry";

const backToRma = {
    content: "Back to the RMA",
    trigger: ".o_breadcrumb .breadcrumb-item a:contains(RMA/)",
    run: "click",
};

function validatePicking(what) {
    return [
        {
            content: `The ${what} transfer opens with the serial set`,
            trigger: ".o_form_view .o_field_widget[name=picking_type_id]",
        },
        {
            content: `Validate the ${what}`,
            trigger: ".o_form_view .o_statusbar_buttons button[name=button_validate]",
            run: "click",
        },
        {
            content: `The ${what} is done`,
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Done)",
        },
    ];
}

function rmaState(label) {
    return {
        content: `The RMA is ${label}`,
        trigger: `.o_form_view .o_statusbar_status button.o_arrow_button_current:contains(${label})`,
    };
}

registry.category("web_tour.tours").add("service_rma_repair_with_loaner", {
    steps: () => [
        {
            content: "Open the Returns menu",
            trigger: ".o_menu_sections .dropdown-toggle:contains(Returns)",
            run: "click",
        },
        {
            content: "Scan a unit",
            trigger: ".dropdown-item:contains(Scan a unit)",
            run: "click",
        },
        {
            content: "The scanner types the serial and Enter",
            trigger: ".modal div[name=code] input",
            run: "edit RMA-TOUR-1 && press Enter",
        },
        {
            content: "The unit and its verdict show at once",
            trigger: ".modal div[name=lot_id]:contains(RMA-TOUR-1)",
        },
        {
            content: "Open its RMA",
            trigger: ".modal button[name=action_open_rma]",
            run: "click",
        },
        rmaState("New"),
        {
            content: "Receive the unit",
            trigger: ".o_form_view button[name=action_create_receipt]",
            run: "click",
        },
        ...validatePicking("receipt"),
        backToRma,
        rmaState("Received"),
        {
            content: "Diagnosis recorded",
            trigger: ".o_form_view button[name=action_diagnose]",
            run: "click",
        },
        rmaState("Diagnosed"),
        {
            content: "Lend a loaner",
            trigger: ".o_form_view button[name=action_lend_loaner]",
            run: "click",
        },
        {
            content: "A pool unit is proposed",
            trigger: ".modal div[name=lot_id] input:value(LOAN-TOUR-1)",
        },
        {
            content: "Lend it",
            trigger: ".modal button[name=action_lend]",
            run: "click",
        },
        ...validatePicking("loaner delivery"),
        backToRma,
        {
            content: "Start the repair",
            trigger: ".o_form_view button[name=action_start_repair]",
            run: "click",
        },
        {
            content: "Confirm the repair order",
            trigger: ".o_form_view button[name=action_validate]",
            run: "click",
        },
        {
            content: "Start repairing",
            trigger: ".o_form_view button[name=action_repair_start]",
            run: "click",
        },
        {
            content: "End the repair",
            trigger: ".o_form_view button[name=action_repair_end]",
            run: "click",
        },
        {
            content: "The repair is done",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Repaired)",
        },
        backToRma,
        rmaState("Ready to return"),
        {
            content: "The loaner comes back",
            trigger: ".o_form_view button[name=action_receive_loaner]",
            run: "click",
        },
        ...validatePicking("loaner return"),
        backToRma,
        {
            content: "Return the unit",
            trigger: ".o_form_view button[name=action_create_return]",
            run: "click",
        },
        ...validatePicking("return"),
        backToRma,
        rmaState("Done"),
    ],
});
