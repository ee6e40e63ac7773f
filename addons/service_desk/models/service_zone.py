from odoo import fields, models


class ServiceZone(models.Model):
    """Where a customer is, as the on-site promise counts it: "2 h in town,
    6 h nearby, 24 h far". The arrival hours run on the policy's support
    calendar from the moment the request is reported."""

    _name = "service.zone"
    _description = "Service Zone"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", help="Leave empty to share the zone between companies.")
    arrival_hours_urgent = fields.Float(string="Urgent: arrive within (h)", default=2.0)
    arrival_hours_serious = fields.Float(string="Serious: arrive within (h)", default=4.0)
    arrival_hours_normal = fields.Float(string="Normal: arrive within (h)", default=24.0)

    _arrival_hours_positive = models.Constraint(
        "CHECK (arrival_hours_urgent >= 0 AND arrival_hours_serious >= 0 AND arrival_hours_normal >= 0)",
        "Arrival hours cannot be negative.",
    )
