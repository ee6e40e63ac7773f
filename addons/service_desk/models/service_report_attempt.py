import hashlib
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL


class ServiceReportAttempt(models.Model):
    """One submission of the public "Report a fault" form, kept a few days so
    the limits per unit and per client address hold across HTTP workers (the
    database counts, not a worker's memory). The address is stored as a keyed
    hash, never as such."""

    _name = "service.report.attempt"
    _description = "Public fault report attempt"
    _log_access = False

    lot_id = fields.Many2one("stock.lot", required=True, ondelete="cascade", index=True)
    address_hash = fields.Char(required=True, index=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)

    _lot_date_index = models.Index("(lot_id, date)")
    _address_date_index = models.Index("(address_hash, date)")

    @api.model
    def _hash_address(self, address):
        secret = self.env["ir.config_parameter"].sudo().get_param("database.secret", "")
        return hashlib.sha256(f"{secret}:{address or ''}".encode()).hexdigest()

    @api.model
    def _limits(self):
        """``(per unit, per address, window in hours)``: settings
        ``service_desk.report_limit_unit``, ``service_desk.report_limit_address``
        and ``service_desk.report_limit_hours``."""
        get = self.env["ir.config_parameter"].sudo().get_param
        return (
            int(get("service_desk.report_limit_unit", 3)),
            int(get("service_desk.report_limit_address", 5)),
            float(get("service_desk.report_limit_hours", 24)),
        )

    @api.model
    def _over_limit(self, lot, address_hash):
        """``"unit"`` or ``"address"`` when one more submission would pass its
        limit within the window, else ``False``."""
        per_unit, per_address, hours = self._limits()
        since = fields.Datetime.now() - timedelta(hours=hours)
        # Both counts in one query (the two indexes on (lot, date) and
        # (address, date) serve it), as the ORM would count them: no record
        # rule applies to these rows.
        self.flush_model(["lot_id", "address_hash", "date"])
        [(unit_count, address_count)] = self.env.execute_query(SQL(
            """SELECT COUNT(*) FILTER (WHERE lot_id = %(lot)s),
                      COUNT(*) FILTER (WHERE address_hash = %(address)s)
                 FROM service_report_attempt
                WHERE date >= %(since)s AND (lot_id = %(lot)s OR address_hash = %(address)s)""",
            lot=lot.id, address=address_hash, since=since,
        ))
        if unit_count >= per_unit:
            return "unit"
        if address_count >= per_address:
            return "address"
        return False

    @api.autovacuum
    def _gc_old_attempts(self):
        hours = self._limits()[2]
        cutoff = fields.Datetime.now() - timedelta(hours=max(hours, 24) * 2)
        self.sudo().search([("date", "<", cutoff)]).unlink()
