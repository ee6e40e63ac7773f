from odoo import api, models


class AccountAnalyticDistributionModel(models.Model):
    _inherit = "account.analytic.distribution.model"

    @api.model
    def _get_distribution(self, vals):
        # While a batch of repairs is billed, invoice lines with the same
        # product, customer and account ask the same question once per line;
        # the distribution models cannot change within that one call.
        memo = self.env.cr.cache.get("service_rma_analytic_memo")
        if memo is None:
            return super()._get_distribution(vals)
        try:
            key = tuple(sorted((name, tuple(value) if isinstance(value, list) else value)
                               for name, value in vals.items()))
            hash(key)
        except TypeError:
            return super()._get_distribution(vals)
        if key not in memo:
            memo[key] = super()._get_distribution(vals)
        return memo[key]
