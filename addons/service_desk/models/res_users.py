from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResUsers(models.Model):
    _inherit = "res.users"

    service_stock_location_id = fields.Many2one(
        "stock.location", string="Service parts location", check_company=True,
        domain="[('usage', '=', 'internal')]",
        help="The engineer's van or own stock: their visits take the parts used from it "
        "(empty: the warehouse's stock).",
    )

    @api.constrains("service_stock_location_id", "company_ids")
    def _check_service_stock_location(self):
        """An internal location of one of the user's companies: the parts of a
        visit leave a stock the company owns."""
        for user in self.filtered("service_stock_location_id"):
            location = user.service_stock_location_id
            if location.usage != "internal":
                raise ValidationError(self.env._(
                    "%(location)s is not an internal location: choose the engineer's van or a stock "
                    "location.", location=location.display_name,
                ))
            if location.company_id and location.company_id not in user.company_ids:
                raise ValidationError(self.env._(
                    "%(location)s belongs to %(company)s, which %(user)s does not work for.",
                    location=location.display_name, company=location.company_id.name, user=user.name,
                ))
