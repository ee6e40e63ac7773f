from odoo import fields, models


class ServiceWarrantyExclusion(models.Model):
    _name = "service.warranty.exclusion"
    _description = "Warranty Exclusion"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Stable identifier used by integrations and the command-line client.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)

    _code_unique = models.Constraint("UNIQUE (code)", "An exclusion code must be unique.")
