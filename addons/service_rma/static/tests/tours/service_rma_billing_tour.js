import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("service_rma_bill_at_cost", {
    steps: () => [
        {
            content: "The finished at-cost repair waits in finance's list, with its total",
            trigger: ".o_list_view .o_data_row:contains(RMA-0001):contains(70.00)",
        },
        {
            content: "Select it",
            trigger: ".o_list_view .o_data_row:contains(RMA-0001) .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Bill the selection at cost",
            trigger: "button[name=action_open_bill_wizard]",
            run: "click",
        },
        {
            content: "The wizard counts one RMA for one customer",
            trigger: ".modal div[name=count]:contains(1)",
        },
        {
            content: "Create the invoices",
            trigger: ".modal button[name=action_bill]",
            run: "click",
        },
        {
            content: "The draft invoice opens",
            trigger: ".o_breadcrumb:contains(Draft Invoice)",
        },
        {
            content: "Its lines say at cost, for which RMA",
            trigger: ".o_form_view .o_field_widget[name=invoice_line_ids] .o_data_row:contains(Part at cost):contains(RMA/)",
        },
    ],
});
