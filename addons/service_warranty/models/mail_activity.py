from odoo import api, fields, models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    @api.model
    def _create_todos(self, records, summary, deadline=None):
        """One to-do per record for its responsible (``user_id``, else the
        current user), in a single create whatever the number of records.
        ``summary`` and ``deadline`` are functions of the record; the crons of
        both add-ons use this."""
        if not records:
            return self.browse()
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id(records._name)
        today = fields.Date.context_today(self)
        return self.create([
            {
                "res_model_id": model_id,
                "res_id": record.id,
                "activity_type_id": activity_type.id,
                "user_id": (record.user_id or self.env.user).id,
                "date_deadline": (deadline and deadline(record)) or today,
                "summary": summary(record),
            }
            for record in records
        ])
