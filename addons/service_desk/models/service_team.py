from ast import literal_eval

from odoo import fields, models


class ServiceTeam(models.Model):
    """A service desk team: its members, its default policy for requests that
    name no unit, and the e-mail alias whose messages become its requests."""

    _name = "service.team"
    _description = "Service Team"
    _inherit = ["mail.alias.mixin", "mail.thread"]
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    user_id = fields.Many2one("res.users", string="Team leader", check_company=True,
                              domain="[('share', '=', False)]")
    member_ids = fields.Many2many("res.users", string="Members", check_company=True,
                                  domain="[('share', '=', False)]")
    policy_id = fields.Many2one(
        "service.warranty.policy", string="Default policy",
        help="The support hours and deadlines of requests that concern no unit with a policy.",
    )
    request_ids = fields.One2many("service.request", "team_id", string="Requests")
    open_request_count = fields.Integer(compute="_compute_open_request_count", string="Open requests")

    def _compute_open_request_count(self):
        counts = dict(self.env["service.request"]._read_group(
            [("team_id", "in", self.ids), ("state", "in", ("new", "in_progress", "waiting"))],
            ["team_id"], ["__count"],
        ))
        for team in self:
            team.open_request_count = counts.get(team, 0)

    def _alias_get_creation_values(self):
        values = super()._alias_get_creation_values()
        values["alias_model_id"] = self.env["ir.model"]._get_id("service.request")
        if self.id:
            defaults = literal_eval(self.alias_defaults or "{}")
            defaults.update({"team_id": self.id, "company_id": self.company_id.id})
            values["alias_defaults"] = defaults
        return values
