{
    "name": "Service RMA",
    "version": "19.0.1.2.0",
    "summary": "Returned units: scan intake, coverage verdict, RMA lifecycle, SLA clocks, loaner units, "
               "vendor back-claims, cost-only billing of post-warranty repairs",
    "category": "Inventory/After-sales",
    "author": "Aftersales for Odoo contributors",
    "website": "https://github.com/aftersales-odoo/aftersales",
    "license": "LGPL-3",
    "depends": ["service_warranty"],
    "data": [
        "security/service_rma_security.xml",
        "security/ir.model.access.csv",
        "data/ir_sequence_data.xml",
        "data/ir_cron_data.xml",
        "data/product_data.xml",
        "views/service_rma_views.xml",
        "views/service_rma_billing_views.xml",
        "views/service_loan_views.xml",
        "views/service_vendor_claim_views.xml",
        "views/stock_lot_views.xml",
        "views/portal_templates.xml",
        "wizards/service_rma_scan_views.xml",
        "wizards/service_rma_override_views.xml",
        "wizards/service_rma_exchange_views.xml",
        "wizards/service_rma_bill_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/service_rma_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "service_rma/static/tests/tours/*.js",
        ],
    },
    "installable": True,
    "application": False,
}
