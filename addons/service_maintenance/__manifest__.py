{
    "name": "Service Maintenance",
    "version": "19.0.1.0.0",
    "summary": "Advisories to the owners of affected units, told once each and shown on the units' "
               "device pages",
    "category": "Inventory/After-sales",
    "author": "Aftersales for Odoo contributors",
    "website": "https://github.com/aftersales-odoo/aftersales",
    "license": "LGPL-3",
    "depends": ["service_desk"],
    "data": [
        "security/service_maintenance_security.xml",
        "security/ir.model.access.csv",
        "data/ir_sequence_data.xml",
        "data/service_advisory_mail_templates.xml",
        "views/service_advisory_views.xml",
        "views/service_advisory_notice_views.xml",
        "views/service_device_templates.xml",
        "views/portal_templates.xml",
        "views/menus.xml",
    ],
    "installable": True,
    "application": False,
}
