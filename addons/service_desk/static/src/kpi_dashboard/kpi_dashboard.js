import { Component, onWillStart, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { Layout } from "@web/search/layout";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

/**
 * The managers' service KPIs: one call to service.request.get_kpi_dashboard
 * for the period and team chosen; each card opens its pivot / graph report
 * filtered the same way (service.request.action_open_kpi).
 */
export class ServiceKpiDashboard extends Component {
    static template = "service_desk.ServiceKpiDashboard";
    static components = { Layout };
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        this.periods = [
            { key: "month", label: _t("This month") },
            { key: "quarter", label: _t("This quarter") },
            { key: "year", label: _t("This year") },
        ];
        this.state = useState({ period: "month", teamId: false, data: null });
        onWillStart(() => this.load());
    }

    async load() {
        this.state.data = await this.orm.call("service.request", "get_kpi_dashboard", [], {
            period: this.state.period,
            team_id: this.state.teamId,
        });
    }

    get summary() {
        return this.state.data.summary;
    }

    async setPeriod(period) {
        this.state.period = period;
        await this.load();
    }

    async setTeam(ev) {
        this.state.teamId = parseInt(ev.target.value) || false;
        await this.load();
    }

    formatRate(rate) {
        return rate === false ? "—" : `${rate} %`;
    }

    async open(kpi) {
        const action = await this.orm.call("service.request", "action_open_kpi", [kpi], {
            period: this.state.period,
            team_id: this.state.teamId,
        });
        await this.actionService.doAction(action);
    }
}

registry.category("actions").add("service_desk.kpi_dashboard", ServiceKpiDashboard);
