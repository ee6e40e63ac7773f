import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("service_desk_kpi_dashboard", {
    steps: () => [
        {
            content: "The dashboard shows this month's response in time",
            trigger: ".o_service_kpi_dashboard .o_kpi_card_service_levels .o_kpi_value:contains(66.7 %)",
        },
        {
            content: "The shop turnaround of the month, in days",
            trigger: ".o_service_kpi_dashboard .o_kpi_card_turnaround .o_kpi_value:contains(1.5)",
        },
        {
            content: "The product with a unit repaired again",
            trigger: ".o_kpi_repeat_products td:contains(Infusion Pump)",
        },
        {
            content: "Choose one team",
            trigger: "select.o_kpi_team",
            run(helpers) {
                const options = [...document.querySelectorAll("select.o_kpi_team option")];
                const team = options.find((option) => option.textContent.trim() === "Hotline A");
                return helpers.select(team.value, "select.o_kpi_team");
            },
        },
        {
            content: "The team's own requests: one met, one late",
            trigger: ".o_kpi_card_service_levels .text-muted:contains(1 / 2)",
        },
        {
            content: "Look at the whole year",
            trigger: "button.o_kpi_period_year",
            run: "click",
        },
        {
            content: "The year is chosen",
            trigger: "button.o_kpi_period_year.active",
        },
        {
            content: "Open the repeat repairs",
            trigger: ".o_kpi_card_repeat_repairs",
            run: "click",
        },
        {
            content: "The repeat repairs' pivot opens",
            trigger: ".o_pivot_view .o_pivot",
        },
    ],
});
