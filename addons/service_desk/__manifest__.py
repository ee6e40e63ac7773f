{
    "name": "Service Desk",
    "version": "19.0.1.0.0",
    "summary": "Service requests from the hotline, e-mail, the portal and the units' device pages, "
               "with SLA clocks on support calendars and arrival zones, and escalation to an RMA",
    "category": "Inventory/After-sales",
    "author": "Aftersales for Odoo contributors",
    "website": "https://github.com/aftersales-odoo/aftersales",
    "license": "LGPL-3",
    "depends": ["service_rma", "resource", "rating"],
    "data": [
        "security/service_desk_security.xml",
        "security/ir.model.access.csv",
        "data/ir_sequence_data.xml",
        "data/ir_cron_data.xml",
        "data/service_zone_data.xml",
        "views/service_request_views.xml",
        "views/service_config_views.xml",
        "views/service_visit_views.xml",
        "report/service_visit_report.xml",
        # The service report's e-mail attaches the report: loaded after it.
        "data/mail_template_data.xml",
        "data/mail_template_rma_rating_data.xml",
        "wizards/service_request_hotline_views.xml",
        "wizards/service_advance_replacement_views.xml",
        "views/res_users_views.xml",
        "views/portal_templates.xml",
        "views/service_device_templates.xml",
        "views/service_rma_views.xml",
        "views/service_kpi_views.xml",
        "views/menus.xml",
        "views/service_visit_billing_views.xml",
    ],
    "demo": [
        "demo/service_desk_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "service_desk/static/src/kpi_dashboard/*",
        ],
        "web.assets_tests": [
            "service_desk/static/tests/tours/*.js",
        ],
    },
    "uninstall_hook": "uninstall_hook",
    "installable": True,
    "application": False,
}
